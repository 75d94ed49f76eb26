// chainatlas-query-bench: latency of the recommendation queries on a loaded snapshot.
//
//   chainatlas-query-bench --db FILE --command partners|pairings|targets [--role
//   supplier|customer|peer]
//       [--kind university|hospital|platform|triad] [--sample N | --all] [--top K] [--json]
//
// Loads the snapshot and matcher::Analytics once (as the CLI's Load() does), then calls the
// matcher directly (RecommendPartners / RecommendPairings / RecommendTargets, with the CLI's
// default filters) once per subject and times each call alone (steady_clock): enterprises for
// partners and pairings, regions of --level (default county) for targets. Subjects are every
// enterprise / region (--all) or N of them drawn with a fixed seed. One untimed warm-up query runs
// first (Analytics computes its tables lazily; the warm-up's time is reported on its own), after
// the top-K producer index is built (its time and bytes are reported too).
// Prints p50 / p90 / p99 / max / mean latency, queries per second (one thread), load time and
// peak RSS; --json prints them as one JSON document, with cpu_p50_ms ... cpu_max_ms: the same
// quantiles of each query's thread CPU time (what a query costs without the shared machine's
// preemptions; its cache misses are still there). --budget S stops starting new queries after
// S seconds (the queries run so far are reported, with the number planned).
//
// --write-edges FILE also writes the snapshot's graph as an edge list (`src dst` a line, vertex
// ids as in the snapshot, every edge kind, repeated (src, dst) pairs and self-loops left out: the
// simple digraph igraph, NetworkX and chainatlas-bench then agree on); without --command it only
// does that. --per-query FILE writes each timed query's subject (kind:key), wall and thread CPU
// milliseconds, candidates and (partners) candidates scored exactly, in the order run, so that a
// tail can be traced to its subjects; --subjects K1,K2,... times those subjects (enterprise or
// region keys) instead of a sample.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <ctime>
#include <iostream>
#include <nlohmann/json.hpp>
#include <numeric>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "graph/error.h"
#include "graph/snapshot.h"
#include "ingest/store.h"
#include "matcher/analytics.h"
#include "matcher/pairings.h"
#include "matcher/partners.h"
#include "matcher/targets.h"
#include "matcher/topk.h"

namespace {

namespace ca = chainatlas;
namespace matcher = chainatlas::matcher;
using Clock = std::chrono::steady_clock;

// This thread's CPU time in seconds: a query's time less what other processes took of the core
// (a shared machine's preemptions), which wall time includes.
double ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double Since(Clock::time_point t0) {
  return std::chrono::duration<double>(Clock::now() - t0).count();
}

// The q-quantile of sorted values (nearest rank).
double Quantile(const std::vector<double>& sorted, double q) {
  if (sorted.empty()) return 0;
  size_t rank = static_cast<size_t>(std::ceil(q * static_cast<double>(sorted.size())));
  rank = std::clamp<size_t>(rank, 1, sorted.size());
  return sorted[rank - 1];
}

size_t WriteEdges(const ca::Snapshot& s, const std::string& path) {
  FILE* f = std::fopen(path.c_str(), "w");
  if (!f) throw ca::Error(ca::ErrorCode::kIo, "cannot write " + path);
  std::vector<ca::VertexId> row;
  size_t written = 0;
  char buffer[32];
  for (ca::VertexId v = 0; v < s.NumVertices(); ++v) {
    row.clear();
    for (ca::VertexId t : s.OutAll(v).Vertices()) {
      if (t != v) row.push_back(t);
    }
    std::sort(row.begin(), row.end());
    row.erase(std::unique(row.begin(), row.end()), row.end());
    for (ca::VertexId t : row) {
      int len = std::snprintf(buffer, sizeof buffer, "%u %u\n", v, t);
      std::fwrite(buffer, 1, static_cast<size_t>(len), f);
      ++written;
    }
  }
  if (std::fclose(f) != 0) throw ca::Error(ca::ErrorCode::kIo, "cannot write " + path);
  return written;
}

struct Args {
  std::string db, command, role = "supplier", kind = "university", level = "county";
  std::string write_edges, per_query, subjects;
  size_t sample = 1000;
  bool all = false;
  size_t top = 10;
  uint64_t seed = 1;
  bool json = false;
  double budget = 0;  // seconds; 0: no limit
};

int Run(const Args& args) {
  nlohmann::json out;
  auto t0 = Clock::now();
  ca::ingest::Store store(args.db, /*read_only=*/true);
  auto analytics = std::make_shared<matcher::Analytics>(store.LoadSnapshot());
  const double load_seconds = Since(t0);
  const ca::Snapshot& s = analytics->snapshot();
  out["db"] = args.db;
  out["vertices"] = s.NumVertices();
  out["edges"] = s.NumEdges();
  out["load_seconds"] = load_seconds;
  if (!args.write_edges.empty()) {
    auto tw = Clock::now();
    out["edge_list"] = args.write_edges;
    out["edge_list_edges"] = WriteEdges(s, args.write_edges);
    out["edge_list_seconds"] = Since(tw);
  }
  if (args.command.empty()) {
    std::cout << out.dump(2) << "\n";
    return 0;
  }

  // Subjects.
  std::vector<ca::VertexId> subjects;
  ca::RegionLevel level = args.level == "city"       ? ca::RegionLevel::kCity
                          : args.level == "province" ? ca::RegionLevel::kProvince
                                                     : ca::RegionLevel::kCounty;
  for (ca::VertexId v = 0; v < s.NumVertices(); ++v) {
    if (args.command == "targets") {
      if (s.Kind(v) == ca::NodeKind::kRegion && s.RegionInfo(v).level == level)
        subjects.push_back(v);
    } else if (s.Kind(v) == ca::NodeKind::kEnterprise) {
      subjects.push_back(v);
    }
  }
  const size_t population = subjects.size();
  if (!args.subjects.empty()) {
    subjects.clear();
    std::stringstream keys(args.subjects);
    for (std::string key; std::getline(keys, key, ',');) {
      const ca::VertexId v = args.command == "targets" ? s.FindKey(ca::NodeKind::kRegion, key)
                                                       : s.FindKey(ca::NodeKind::kEnterprise, key);
      if (v == ca::kNoVertex) throw ca::Error(ca::ErrorCode::kNotFound, "no subject " + key);
      subjects.push_back(v);
    }
  } else if (!args.all && args.sample < subjects.size()) {
    std::mt19937_64 rng(args.seed);
    std::shuffle(subjects.begin(), subjects.end(), rng);
    subjects.resize(args.sample);
  }
  if (subjects.empty())
    throw ca::Error(ca::ErrorCode::kNotFound, "no subjects for " + args.command);

  matcher::Filters filters;
  filters.top = args.top;
  const auto role = matcher::ParsePartnerRole(args.role);
  const auto kind = matcher::ParsePairingKind(args.kind);
  // One query's items, candidates and (partners) candidates scored exactly.
  struct Counts {
    size_t items = 0, candidates = 0, scored = 0;
  };
  auto query = [&](ca::VertexId v) -> Counts {
    if (args.command == "partners") {
      auto r = matcher::RecommendPartners(s, v, role, filters);
      return {r.items.size(), r.candidates, r.scored};
    }
    if (args.command == "pairings") {
      auto r = matcher::RecommendPairings(s, v, kind, filters);
      return {r.items.size(), r.candidates, 0};
    }
    auto r = matcher::RecommendTargets(*analytics, v, filters);
    return {r.items.size(), r.candidates, 0};
  };

  // The top-K producer index (matcher/topk.h) is built on the first query; built here first, so
  // that its time and size are reported on their own.
  auto ti = Clock::now();
  const matcher::ProducerIndex& topk = matcher::TopKIndex(s);
  const double topk_seconds = Since(ti);
  out["topk_index_seconds"] = topk_seconds;
  out["topk_index_bytes"] = topk.Bytes();
  out["adjacency_bytes"] = s.AdjacencyBytes();

  auto tw = Clock::now();
  query(subjects.front());
  const double warmup = Since(tw);

  std::vector<double> seconds, cpu_seconds;
  std::vector<Counts> counts;
  seconds.reserve(subjects.size());
  cpu_seconds.reserve(subjects.size());
  counts.reserve(subjects.size());
  size_t empty = 0, items = 0, errors = 0;
  double candidates = 0;
  std::string first_error;
  ca::VertexId slowest = subjects.front();
  double slowest_seconds = -1;
  const auto all_start = Clock::now();
  size_t done = 0;
  for (ca::VertexId v : subjects) {
    if (args.budget > 0 && done > 0 && Since(all_start) > args.budget) break;
    ++done;
    const double c0 = ThreadCpu();
    auto q0 = Clock::now();
    Counts r;
    try {
      r = query(v);
    } catch (const std::exception& e) {
      if (errors++ == 0) first_error = std::string(s.Key(v)) + ": " + e.what();
    }
    const double dt = Since(q0);
    seconds.push_back(dt);
    cpu_seconds.push_back(ThreadCpu() - c0);
    counts.push_back(r);
    if (dt > slowest_seconds) {
      slowest_seconds = dt;
      slowest = v;
    }
    if (r.items == 0) ++empty;
    items += r.items;
    candidates += static_cast<double>(r.candidates);
  }
  const double total = Since(all_start);
  if (!args.per_query.empty()) {
    FILE* pq = std::fopen(args.per_query.c_str(), "w");
    if (!pq) throw ca::Error(ca::ErrorCode::kIo, "cannot write " + args.per_query);
    for (size_t i = 0; i < seconds.size(); ++i) {
      std::fprintf(pq, "%s:%s\t%.3f\t%.3f\t%zu\t%zu\n",
                   std::string(ca::NodeKindName(s.Kind(subjects[i]))).c_str(),
                   std::string(s.Key(subjects[i])).c_str(), seconds[i] * 1e3, cpu_seconds[i] * 1e3,
                   counts[i].candidates, counts[i].scored);
    }
    std::fclose(pq);
  }
  const size_t planned = subjects.size();
  subjects.resize(done);
  std::vector<double> sorted = seconds;
  std::sort(sorted.begin(), sorted.end());
  rusage ru{};
  getrusage(RUSAGE_SELF, &ru);

  out["command"] = args.command;
  if (args.command == "partners") out["role"] = args.role;
  if (args.command == "pairings") out["kind"] = args.kind;
  if (args.command == "targets") out["level"] = args.level;
  out["top"] = args.top;
  out["population"] = population;
  out["queries"] = subjects.size();
  out["planned"] = planned;
  out["budget_seconds"] = args.budget;
  out["all"] = args.all || subjects.size() == population;
  out["warmup_seconds"] = warmup;
  out["p50_ms"] = Quantile(sorted, 0.50) * 1e3;
  out["p90_ms"] = Quantile(sorted, 0.90) * 1e3;
  out["p99_ms"] = Quantile(sorted, 0.99) * 1e3;
  out["max_ms"] = sorted.back() * 1e3;
  out["mean_ms"] = std::accumulate(sorted.begin(), sorted.end(), 0.0) / sorted.size() * 1e3;
  std::vector<double> cpu_sorted = cpu_seconds;
  std::sort(cpu_sorted.begin(), cpu_sorted.end());
  out["cpu_p50_ms"] = Quantile(cpu_sorted, 0.50) * 1e3;
  out["cpu_p90_ms"] = Quantile(cpu_sorted, 0.90) * 1e3;
  out["cpu_p99_ms"] = Quantile(cpu_sorted, 0.99) * 1e3;
  out["cpu_max_ms"] = cpu_sorted.back() * 1e3;
  out["qps"] = total > 0 ? static_cast<double>(subjects.size()) / total : 0.0;
  out["total_seconds"] = total;
  out["slowest"] = std::string(ca::NodeKindName(s.Kind(slowest))) + ":" +
                   std::string(s.Key(slowest));
  out["empty_results"] = empty;
  out["mean_items"] = static_cast<double>(items) / subjects.size();
  out["mean_candidates"] = candidates / subjects.size();
  out["errors"] = errors;
  if (errors) out["first_error"] = first_error;
  out["peak_rss_kb"] = static_cast<int64_t>(ru.ru_maxrss);
  if (args.json) {
    std::cout << out.dump(2) << "\n";
  } else {
    std::printf("%s%s: %zu queries over %zu %s, load %.3f s, warm-up %.3f ms\n",
                args.command.c_str(),
                args.command == "partners"   ? (" --role " + args.role).c_str()
                : args.command == "pairings" ? (" --kind " + args.kind).c_str()
                                             : "",
                subjects.size(), population, args.command == "targets" ? "regions" : "enterprises",
                load_seconds, warmup * 1e3);
    std::printf(
        "  p50 %.3f ms  p90 %.3f ms  p99 %.3f ms  max %.3f ms (%s)  mean %.3f ms  %.0f q/s\n",
        out["p50_ms"].get<double>(), out["p90_ms"].get<double>(), out["p99_ms"].get<double>(),
        out["max_ms"].get<double>(), out["slowest"].get<std::string>().c_str(),
        out["mean_ms"].get<double>(), out["qps"].get<double>());
    std::printf(
        "  %zu empty, %.1f items and %.0f candidates on average, %zu errors, peak RSS %ld MiB\n",
        empty, out["mean_items"].get<double>(), out["mean_candidates"].get<double>(), errors,
        static_cast<long>(ru.ru_maxrss / 1024));
    if (errors) std::printf("  first error: %s\n", first_error.c_str());
    std::printf("  top-K index: built in %.3f s, %zu bytes (%.2f B/edge; adjacency %.2f B/edge)\n",
                topk_seconds, topk.Bytes(), static_cast<double>(topk.Bytes()) / s.NumEdges(),
                static_cast<double>(s.AdjacencyBytes()) / s.NumEdges());
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"chainatlas-query-bench: latency of partners, pairings and targets on a snapshot"};
  Args args;
  app.add_option("--db", args.db, "database file")->required();
  app.add_option("--command", args.command, "query to time")
      ->check(CLI::IsMember({"partners", "pairings", "targets"}));
  app.add_option("--role", args.role, "partners: supplier, customer or peer")
      ->check(CLI::IsMember({"supplier", "customer", "peer"}))
      ->capture_default_str();
  app.add_option("--kind", args.kind, "pairings: university, hospital, platform or triad")
      ->check(CLI::IsMember({"university", "hospital", "platform", "triad"}))
      ->capture_default_str();
  app.add_option("--level", args.level, "targets: regions of this level")
      ->check(CLI::IsMember({"county", "city", "province"}))
      ->capture_default_str();
  auto* sample = app.add_option("--sample", args.sample, "this many subjects, drawn with --seed")
                     ->capture_default_str();
  app.add_flag("--all", args.all, "every subject")->excludes(sample);
  app.add_option("--budget", args.budget,
                 "stop starting queries after this many seconds (0: no limit; at least one runs)")
      ->capture_default_str();
  app.add_option("--top", args.top, "items per query (as the CLI's --top)")->capture_default_str();
  app.add_option("--seed", args.seed, "seed of the sample")->capture_default_str();
  app.add_option("--write-edges", args.write_edges,
                 "also write the snapshot as an edge list 'src dst' (simple digraph)");
  app.add_flag("--json", args.json, "print one JSON document");
  app.add_option("--subjects", args.subjects,
                 "these subjects (keys, comma-separated) instead of a sample");
  app.add_option(
      "--per-query", args.per_query,
      "also write each query's subject, wall and CPU ms, candidates and scored (tab-separated)");
  CLI11_PARSE(app, argc, argv);
  if (args.command.empty() && args.write_edges.empty()) {
    std::cerr << "chainatlas-query-bench: give --command, --write-edges or both\n";
    return 2;
  }
  try {
    return Run(args);
  } catch (const std::exception& e) {
    std::cerr << "chainatlas-query-bench: " << e.what() << "\n";
    return 1;
  }
}
