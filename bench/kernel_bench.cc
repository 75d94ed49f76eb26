// chainatlas-bench: runs one graph kernel (PageRank, personalised PageRank, Louvain, betweenness)
// on an edge list and prints its answer and the kernel's time, loading excluded.
// tests/kernels_reference.py checks the answers against igraph and NetworkX.
//
// The edge list has one directed edge per line, `src dst [weight]`, separated by white space;
// vertex ids are 0..n-1 with n = the largest id + 1; `#` starts a comment. Repeated edges are
// merged by summing their weights (BuildCsr). Without --weighted every line weighs 1 and PageRank
// and betweenness count each distinct edge once (the simple digraph NetworkX would build), while
// Louvain counts repeated lines (the multigraph igraph would build).
//
// --algo pagerank-baseline runs the yardstick of PageRank's speed: a tight, single-threaded,
// hand-written CSR pull loop (power iteration, the same dangling rule and stopping test), whose
// transposition is timed apart (`build_seconds`) so that `seconds` is its iterations alone.
// Betweenness with --sample-sources K runs the shortest-path searches from K sources drawn with
// --seed only (listed as `sources` in the JSON): the partial sums NetworkX's
// betweenness_centrality_subset(sources, all vertices) computes; exact betweenness of a large graph
// takes n searches.
#include <CLI/CLI.hpp>
#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <chrono>
#include <limits>
#include <nlohmann/json.hpp>
#include <random>
#include <numeric>
#include <sstream>
#include <string>
#include <string_view>
#include <vector>

#include "graph/error.h"
#include "kernels/betweenness.h"
#include "kernels/csr.h"
#include "kernels/louvain.h"
#include "kernels/pagerank.h"

namespace {

using chainatlas::Error;
using chainatlas::ErrorCode;
namespace kernels = chainatlas::kernels;

struct EdgeList {
  uint32_t n = 0;
  std::vector<uint32_t> src, dst;
  std::vector<float> weight;  // empty unless weights were asked for
  size_t lines = 0;           // edge lines read
};

bool IsSpace(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f'; }

[[noreturn]] void BadLine(const std::string& file, size_t line, const std::string& reason) {
  throw Error(ErrorCode::kInvalidData, file + ":" + std::to_string(line) + ": " + reason);
}

uint32_t ParseVertex(std::string_view token, const std::string& file, size_t line,
                     const char* what) {
  uint64_t value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  // The largest id must leave room for n = id + 1 in 32 bits.
  if (ec == std::errc::result_out_of_range ||
      (ec == std::errc() && end == token.data() + token.size() &&
       value >= std::numeric_limits<uint32_t>::max())) {
    BadLine(file, line, std::string(what) + " '" + std::string(token) + "' is too large");
  }
  if (ec != std::errc() || end != token.data() + token.size()) {
    BadLine(file, line,
            std::string(what) + " '" + std::string(token) + "' is not a vertex id (0, 1, 2, ...)");
  }
  return static_cast<uint32_t>(value);
}

float ParseWeight(std::string_view token, const std::string& file, size_t line) {
  double value = 0;
  auto [end, ec] = std::from_chars(token.data(), token.data() + token.size(), value);
  if (ec != std::errc() || end != token.data() + token.size()) {
    BadLine(file, line, "weight '" + std::string(token) + "' is not a number");
  }
  if (!std::isfinite(value) || value < 0 || value > std::numeric_limits<float>::max()) {
    BadLine(file, line, "weight '" + std::string(token) + "' must be finite and >= 0");
  }
  return static_cast<float>(value);
}

EdgeList ReadEdgeList(const std::string& file, bool weighted) {
  std::ifstream in(file, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, "cannot read " + file);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorCode::kIo, "cannot read " + file);
  EdgeList edges;
  edges.src.reserve(text.size() / 12);
  edges.dst.reserve(text.size() / 12);
  uint32_t max_id = 0;
  size_t line = 0;
  std::string_view rest(text);
  while (!rest.empty()) {
    ++line;
    size_t eol = rest.find('\n');
    std::string_view row = rest.substr(0, eol);
    rest = eol == std::string_view::npos ? std::string_view() : rest.substr(eol + 1);
    if (size_t hash = row.find('#'); hash != std::string_view::npos) row = row.substr(0, hash);
    std::string_view fields[3];
    int count = 0;
    size_t i = 0;
    while (true) {
      while (i < row.size() && IsSpace(row[i])) ++i;
      if (i == row.size()) break;
      size_t j = i;
      while (j < row.size() && !IsSpace(row[j])) ++j;
      if (count == 3) {
        BadLine(file, line, "too many fields (expected 'src dst [weight]')");
      }
      fields[count++] = row.substr(i, j - i);
      i = j;
    }
    if (count == 0) continue;
    if (count == 1) BadLine(file, line, "missing the target vertex (expected 'src dst [weight]')");
    const uint32_t s = ParseVertex(fields[0], file, line, "source");
    const uint32_t t = ParseVertex(fields[1], file, line, "target");
    const float w = count == 3 ? ParseWeight(fields[2], file, line) : 1.0f;
    edges.src.push_back(s);
    edges.dst.push_back(t);
    if (weighted) edges.weight.push_back(w);
    max_id = std::max({max_id, s, t});
    edges.lines++;
  }
  edges.n = edges.lines == 0 ? 0 : max_id + 1;
  return edges;
}

struct Args {
  std::string edges;
  std::string algo;
  bool json = false;
  double tolerance = kernels::PageRankOptions().tolerance;
  double damping = kernels::PageRankOptions().damping;
  int max_iterations = kernels::PageRankOptions().max_iterations;
  uint64_t seed = kernels::LouvainOptions().seed;
  double resolution = kernels::LouvainOptions().resolution;
  int restarts = kernels::LouvainOptions().restarts;
  uint32_t source = 0;
  int threads = 0;
  bool weighted = false;
  bool undirected = false;
  bool normalized = false;
  uint32_t sample_sources = 0;
};

// The yardstick: plain power iteration with a pull over in-edges, single-threaded, doubles. x_v =
// d Σ_{u→v} x_u w_uv / W_u + (d D + 1 − d) / n, stopping when the L1 change is ≤ tolerance.
struct BaselineResult {
  std::vector<double> scores;
  int iterations = 0;
  double residual = 0;
  double build_seconds = 0;  // the transposition and out-weights
  double seconds = 0;        // the iterations alone
};

BaselineResult PageRankBaseline(const kernels::WeightedCsr& g, double d, double tolerance,
                                int max_iterations, bool weighted) {
  using Clock = std::chrono::steady_clock;
  const auto t0 = Clock::now();
  const uint32_t n = g.n;
  std::vector<uint32_t> in_offsets(size_t{n} + 1, 0), in_sources(g.NumEdges());
  std::vector<float> in_weights(weighted ? g.NumEdges() : 0);
  std::vector<double> inverse_out(n, 0.0);
  for (uint32_t u = 0; u < n; ++u) {
    double out = 0;
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      in_offsets[g.targets[e] + 1]++;
      out += weighted ? g.weights[e] : 1.0;
    }
    inverse_out[u] = out > 0 ? 1.0 / out : 0.0;
  }
  for (uint32_t v = 0; v < n; ++v) in_offsets[v + 1] += in_offsets[v];
  std::vector<uint32_t> cursor(in_offsets.begin(), in_offsets.end() - 1);
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const uint32_t at = cursor[g.targets[e]]++;
      in_sources[at] = u;
      if (weighted) in_weights[at] = g.weights[e];
    }
  }
  const auto t1 = Clock::now();
  BaselineResult r;
  std::vector<double> x(n, n ? 1.0 / n : 0.0), next(n), contribution(n);
  while (r.iterations < max_iterations) {
    double dangling = 0;
    for (uint32_t u = 0; u < n; ++u) {
      contribution[u] = x[u] * inverse_out[u];
      if (inverse_out[u] == 0) dangling += x[u];
    }
    const double base = (d * dangling + (1 - d)) / n;
    double change = 0;
    for (uint32_t v = 0; v < n; ++v) {
      double sum = 0;
      if (weighted) {
        for (uint32_t e = in_offsets[v]; e < in_offsets[v + 1]; ++e) {
          sum += contribution[in_sources[e]] * in_weights[e];
        }
      } else {
        for (uint32_t e = in_offsets[v]; e < in_offsets[v + 1]; ++e)
          sum += contribution[in_sources[e]];
      }
      next[v] = d * sum + base;
      change += std::abs(next[v] - x[v]);
    }
    x.swap(next);
    r.iterations++;
    r.residual = change;
    if (change <= tolerance) break;
  }
  const auto t2 = Clock::now();
  r.scores = std::move(x);
  r.build_seconds = std::chrono::duration<double>(t1 - t0).count();
  r.seconds = std::chrono::duration<double>(t2 - t1).count();
  return r;
}

// The `count` highest-scoring vertices, best first (ties by id).
std::vector<uint32_t> Top(const std::vector<double>& scores, size_t count) {
  std::vector<uint32_t> order(scores.size());
  std::iota(order.begin(), order.end(), 0u);
  count = std::min(count, order.size());
  std::partial_sort(order.begin(), order.begin() + count, order.end(), [&](uint32_t a, uint32_t b) {
    return scores[a] != scores[b] ? scores[a] > scores[b] : a < b;
  });
  order.resize(count);
  return order;
}

int Run(const Args& args) {
  EdgeList edges = ReadEdgeList(args.edges, args.weighted);
  kernels::WeightedCsr g = kernels::BuildCsr(edges.n, edges.src, edges.dst, edges.weight);
  edges = EdgeList{edges.n, {}, {}, {}, edges.lines};
  if (args.undirected && args.algo != "louvain") g = kernels::Symmetrised(g);

  nlohmann::json out;
  out["algo"] = args.algo;
  out["algorithm"] = args.algo;
  out["n"] = g.n;
  out["m"] = g.NumEdges();
  out["edge_lines"] = edges.lines;
  std::vector<double> scores;
  if (args.algo == "pagerank-baseline") {
    BaselineResult r = PageRankBaseline(g, args.damping, args.tolerance, args.max_iterations,
                                        args.weighted);
    out["seconds"] = r.seconds;
    out["build_seconds"] = r.build_seconds;
    out["iterations"] = r.iterations;
    out["converged"] = r.residual <= args.tolerance;
    out["residual"] = r.residual;
    out["threads"] = 1;
    scores = std::move(r.scores);
  } else if (args.algo == "pagerank" || args.algo == "ppr") {
    kernels::PageRankOptions options;
    options.damping = args.damping;
    options.tolerance = args.tolerance;
    options.max_iterations = args.max_iterations;
    options.weighted = args.weighted;
    options.threads = args.threads;
    if (args.algo == "ppr") {
      if (args.source >= g.n) {
        throw Error(ErrorCode::kInvalidArgument, "--source " + std::to_string(args.source) +
                                                     " is not a vertex of " + args.edges +
                                                     " (n = " + std::to_string(g.n) + ")");
      }
      options.personalization.assign(g.n, 0.0);
      options.personalization[args.source] = 1.0;
      out["source"] = args.source;
    }
    kernels::PageRankResult r = kernels::PageRank(g, options);
    out["seconds"] = r.seconds;
    out["iterations"] = r.iterations;
    out["converged"] = r.converged;
    out["residual"] = r.residual;
    scores = std::move(r.scores);
  } else if (args.algo == "louvain") {
    kernels::WeightedCsr undirected = kernels::Symmetrised(g);
    kernels::LouvainOptions options;
    options.seed = args.seed;
    options.resolution = args.resolution;
    options.restarts = args.restarts;
    options.threads = args.threads;
    kernels::LouvainResult r = kernels::Louvain(undirected, options);
    out["seconds"] = r.seconds;
    out["iterations"] = r.levels;
    out["communities"] = r.communities;
    out["modularity"] = r.modularity;
    if (args.json) {
      out["membership"] = r.community;
    } else {
      std::cout << "louvain: n=" << g.n << " m=" << undirected.NumEdges() / 2 << " (undirected), "
                << r.seconds << " s, " << r.levels << " levels, " << r.communities
                << " communities, modularity " << r.modularity << "\n";
    }
  } else {
    kernels::BetweennessOptions options;
    options.weighted = args.weighted;
    options.normalized = args.normalized;
    options.threads = args.threads;
    if (args.sample_sources > 0 && args.sample_sources < g.n) {
      std::vector<uint32_t> all(g.n);
      std::iota(all.begin(), all.end(), 0u);
      std::mt19937_64 rng(args.seed);
      std::shuffle(all.begin(), all.end(), rng);
      all.resize(args.sample_sources);
      std::sort(all.begin(), all.end());
      options.sources = std::move(all);
      out["sources"] = options.sources;
    }
    const size_t searches = options.sources.empty() ? g.n : options.sources.size();
    kernels::BetweennessResult r = kernels::Betweenness(g, options);
    if (args.undirected) {
      // The symmetrised digraph counts every pair of vertices both ways.
      for (double& score : r.scores) score /= 2;
    }
    out["seconds"] = r.seconds;
    out["iterations"] = searches;  // one shortest-path search per source
    scores = std::move(r.scores);
  }

  if (args.json) {
    if (args.algo != "louvain") out["scores"] = scores;
    std::cout << out.dump() << "\n";
  } else if (args.algo != "louvain") {
    std::cout << args.algo << ": n=" << g.n << " m=" << g.NumEdges() << ", "
              << out["seconds"].get<double>() << " s, " << out["iterations"] << " iterations";
    if (out.contains("converged")) {
      std::cout << (out["converged"].get<bool>() ? " (converged" : " (NOT converged")
                << ", last L1 change " << out["residual"].get<double>() << ")";
    }
    std::cout << "\n";
    for (uint32_t v : Top(scores, 10)) std::cout << "  " << v << "\t" << scores[v] << "\n";
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"chainatlas-bench: graph kernels on an edge list ('src dst [weight]' per line)"};
  Args args;
  app.add_option("--edges", args.edges, "edge list file")->required();
  app.add_option("--algo", args.algo, "kernel to run")
      ->required()
      ->check(CLI::IsMember({"pagerank", "pagerank-baseline", "ppr", "louvain", "betweenness"}));
  app.add_flag("--json", args.json, "print one JSON document with every score");
  app.add_option("--tolerance", args.tolerance, "PageRank: L1 change at which to stop")
      ->capture_default_str();
  app.add_option("--damping", args.damping, "PageRank: damping factor")->capture_default_str();
  app.add_option("--max-iterations", args.max_iterations, "PageRank: sweep limit")
      ->capture_default_str();
  app.add_option("--seed", args.seed, "Louvain: visiting-order seed; betweenness: sample seed")
      ->capture_default_str();
  app.add_option("--sample-sources", args.sample_sources,
                 "betweenness: only this many sources, drawn with --seed (0: every vertex)")
      ->capture_default_str();
  app.add_option("--resolution", args.resolution, "Louvain: resolution")->capture_default_str();
  app.add_option("--restarts", args.restarts, "Louvain: independent runs, the best kept")
      ->capture_default_str();
  app.add_option("--source", args.source, "ppr: the seed vertex")->capture_default_str();
  app.add_option("--threads", args.threads, "worker threads (0: all)")->capture_default_str();
  app.add_flag("--weighted", args.weighted, "use the third column (default 1) as edge weight");
  app.add_flag(
      "--undirected", args.undirected,
      "treat every edge as undirected, both ways (Louvain always does); betweenness then "
      "counts each pair of vertices once, as igraph and NetworkX do for undirected graphs");
  app.add_flag("--normalized", args.normalized, "betweenness: divide by (n-1)(n-2)");
  CLI11_PARSE(app, argc, argv);
  try {
    return Run(args);
  } catch (const Error& e) {
    std::cerr << "chainatlas-bench: " << e.what() << "\n";
    return 1;
  } catch (const std::exception& e) {
    std::cerr << "chainatlas-bench: " << e.what() << "\n";
    return 1;
  }
}
