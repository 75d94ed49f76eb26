// The graph kernels (CSR building, PageRank, Louvain, modularity, betweenness) against answers
// worked out by hand, and the multithreaded PageRank against a plain power iteration written
// here. tests/kernels_reference.py compares them with igraph and NetworkX on larger graphs.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <random>
#include <vector>

#include "graph/error.h"
#include "kernels/betweenness.h"
#include "kernels/csr.h"
#include "kernels/louvain.h"
#include "kernels/pagerank.h"

using namespace chainatlas;
using namespace chainatlas::kernels;

namespace {

struct Edge {
  uint32_t src, dst;
  float weight = 1;
};

WeightedCsr Graph(uint32_t n, const std::vector<Edge>& edges, bool weighted = true) {
  std::vector<uint32_t> src, dst;
  std::vector<float> weight;
  for (const Edge& e : edges) {
    src.push_back(e.src);
    dst.push_back(e.dst);
    weight.push_back(e.weight);
  }
  return BuildCsr(n, src, dst, weighted ? weight : std::vector<float>{});
}

// A random digraph; the last tenth of the vertices are dangling.
WeightedCsr RandomGraph(uint32_t n, uint32_t m, uint32_t seed, bool weighted) {
  std::mt19937 rng(seed);
  std::vector<uint32_t> src(m), dst(m);
  std::vector<float> weight;
  for (uint32_t i = 0; i < m; ++i) {
    src[i] = rng() % (n - n / 10);
    dst[i] = rng() % n;
    if (weighted) weight.push_back(0.5f + static_cast<float>(rng() % 8));
  }
  return BuildCsr(n, src, dst, weight);
}

double L1(const std::vector<double>& a, const std::vector<double>& b) {
  REQUIRE(a.size() == b.size());
  double sum = 0;
  for (size_t i = 0; i < a.size(); ++i) sum += std::abs(a[i] - b[i]);
  return sum;
}

double Sum(const std::vector<double>& x) { return std::accumulate(x.begin(), x.end(), 0.0); }

// Plain power iteration, NetworkX's algorithm: an independent check of the Gauss–Seidel sweeps.
std::vector<double> PowerIteration(const WeightedCsr& g, double d) {
  const uint32_t n = g.n;
  std::vector<double> out(n, 0.0), x(n, 1.0 / n), next(n);
  for (uint32_t u = 0; u < n; ++u) {
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) out[u] += g.weights[e];
  }
  for (int it = 0; it < 1000; ++it) {
    double dangling = 0;
    for (uint32_t u = 0; u < n; ++u) {
      if (out[u] == 0) dangling += x[u];
    }
    std::fill(next.begin(), next.end(), (d * dangling + 1 - d) / n);
    for (uint32_t u = 0; u < n; ++u) {
      for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        next[g.targets[e]] += d * x[u] * g.weights[e] / out[u];
      }
    }
    const double change = L1(next, x);
    x.swap(next);
    if (change < 1e-13) break;
  }
  return x;
}

template <typename F>
void RequireInvalidArgument(F&& f) {
  try {
    f();
    FAIL("no error thrown");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
  }
}

}  // namespace

TEST_CASE("BuildCsr sorts rows and merges repeated edges by summing weights", "[kernels]") {
  WeightedCsr g = Graph(3, {{2, 0, 1}, {0, 1, 1}, {0, 1, 2.5f}, {1, 0, 1}, {0, 0, 3}, {0, 2, 0}});
  CHECK(g.n == 3);
  CHECK(g.offsets == std::vector<uint32_t>{0, 3, 4, 5});
  CHECK(g.targets == std::vector<uint32_t>{0, 1, 2, 0, 0});
  CHECK(g.weights == std::vector<float>{3, 3.5f, 0, 1, 1});
  // Unweighted: every line weighs 1, so a repeated edge weighs 2.
  WeightedCsr u = Graph(2, {{0, 1}, {1, 0}, {0, 1}}, false);
  CHECK(u.targets == std::vector<uint32_t>{1, 0});
  CHECK(u.weights == std::vector<float>{2, 1});
  // No edges at all.
  WeightedCsr empty = BuildCsr(4, {}, {});
  CHECK(empty.offsets == std::vector<uint32_t>{0, 0, 0, 0, 0});
  CHECK(empty.NumEdges() == 0);
}

TEST_CASE("BuildCsr rejects bad ids, weights and sizes", "[kernels]") {
  RequireInvalidArgument([] { BuildCsr(3, {0, 3}, {1, 1}); });
  RequireInvalidArgument([] { BuildCsr(3, {0}, {7}); });
  RequireInvalidArgument([] { BuildCsr(3, {0, 1}, {1}); });
  RequireInvalidArgument([] { BuildCsr(3, {0, 1}, {1, 2}, {1.0f}); });
  RequireInvalidArgument([] { BuildCsr(3, {0}, {1}, {-1.0f}); });
  RequireInvalidArgument([] { BuildCsr(3, {0}, {1}, {std::nanf("")}); });
  RequireInvalidArgument([] { BuildCsr(3, {0}, {1}, {INFINITY}); });
  WeightedCsr broken = Graph(2, {{0, 1}});
  broken.targets[0] = 5;
  RequireInvalidArgument([&] { PageRank(broken); });
  broken = Graph(2, {{0, 1}});
  broken.offsets.pop_back();
  RequireInvalidArgument([&] { Transposed(broken); });
}

TEST_CASE("Transposed and Symmetrised", "[kernels]") {
  WeightedCsr g = Graph(3, {{0, 1, 2}, {0, 2, 1}, {2, 1, 4}, {1, 1, 5}, {1, 0, 3}});
  WeightedCsr t = Transposed(g);
  CHECK(t.offsets == std::vector<uint32_t>{0, 1, 4, 5});
  CHECK(t.targets == std::vector<uint32_t>{1, 0, 1, 2, 0});
  CHECK(t.weights == std::vector<float>{3, 2, 5, 4, 1});
  WeightedCsr s = Symmetrised(g);
  // w'(0,1) = 2 + 3, w'(0,2) = 1, w'(1,1) = 5 + 5 (a self-loop doubles), w'(1,2) = 4.
  CHECK(s.offsets == std::vector<uint32_t>{0, 2, 5, 7});
  CHECK(s.targets == std::vector<uint32_t>{1, 2, 0, 1, 2, 0, 1});
  CHECK(s.weights == std::vector<float>{5, 1, 5, 10, 4, 1, 4});
  CHECK(IsSymmetric(s));
  CHECK_FALSE(IsSymmetric(g));
}

TEST_CASE("PartitionByEdges covers the vertices with balanced ranges", "[kernels]") {
  WeightedCsr g = RandomGraph(1000, 20000, 3, false);
  std::vector<uint32_t> ranges = PartitionByEdges(g, 4);
  REQUIRE(ranges.size() == 5);
  CHECK(ranges.front() == 0);
  CHECK(ranges.back() == 1000);
  for (size_t i = 0; i + 1 < ranges.size(); ++i) {
    const double work = (ranges[i + 1] - ranges[i]) +
                        static_cast<double>(g.offsets[ranges[i + 1]] - g.offsets[ranges[i]]);
    CHECK(work == Approx(21000 / 4.0).epsilon(0.05));
  }
  CHECK(PartitionByEdges(Graph(2, {{0, 1}}), 8).size() <= 3);
}

// 0 → 1, 0 → 2, 1 → 2; vertex 2 is dangling. With b the teleport share of each vertex,
// x0 = b, x1 = b + d x0 / 2, x2 = b + d x0 / 2 + d x1, and the sum 1 gives
// b = 1 / (3 + 2d + d²/2).
TEST_CASE("PageRank with a dangling vertex matches the closed form", "[kernels]") {
  const double d = 0.85;
  PageRankOptions options;
  options.tolerance = 1e-14;
  WeightedCsr g = Graph(3, {{0, 1}, {0, 2}, {1, 2}});
  PageRankResult r = PageRank(g, options);
  const double b = 1 / (3 + 2 * d + d * d / 2);
  CHECK(r.converged);
  CHECK(r.residual <= 1e-14);
  CHECK(r.scores[0] == Approx(b).epsilon(1e-12));
  CHECK(r.scores[1] == Approx(b * (1 + d / 2)).epsilon(1e-12));
  CHECK(r.scores[2] == Approx(b * (1 + 3 * d / 2 + d * d / 2)).epsilon(1e-12));
  CHECK(Sum(r.scores) == Approx(1).epsilon(1e-14));

  // Weighted 0 → 1 (3) and 0 → 2 (1): x1 = b + 3d x0 / 4, x2 = b + d x0 / 4 + d x1.
  WeightedCsr w = Graph(3, {{0, 1, 3}, {0, 2, 1}, {1, 2, 1}});
  r = PageRank(w, options);
  const double bw = 1 / (3 + 2 * d + 3 * d * d / 4);
  CHECK(r.scores[0] == Approx(bw).epsilon(1e-12));
  CHECK(r.scores[1] == Approx(bw * (1 + 3 * d / 4)).epsilon(1e-12));
  CHECK(r.scores[2] == Approx(bw * (1 + 5 * d / 4 + 3 * d * d / 4)).epsilon(1e-12));
  // weighted = false ignores the weights: the first answer again.
  options.weighted = false;
  PageRankResult unweighted = PageRank(w, options);
  CHECK(unweighted.scores[1] == Approx(b * (1 + d / 2)).epsilon(1e-12));
}

TEST_CASE("PageRank of a graph without edges is uniform, and a zero-weight edge is no edge",
          "[kernels]") {
  PageRankResult r = PageRank(BuildCsr(4, {}, {}));
  for (double x : r.scores) CHECK(x == Approx(0.25).epsilon(1e-14));
  // 0 → 1 with weight 0 leaves 0 dangling: every vertex gets a third.
  r = PageRank(Graph(3, {{0, 1, 0}}));
  for (double x : r.scores) CHECK(x == Approx(1 / 3.0).epsilon(1e-12));
  CHECK(PageRank(WeightedCsr{0, {0}, {}, {}}).scores.empty());
}

// On the directed cycle 0 → 1 → … → 9 → 0 with the seed 0, x_k = (1 − d) d^k / (1 − d^10):
// the rank falls geometrically with the distance from the seed.
TEST_CASE("personalised PageRank concentrates near the seed, as the closed form says",
          "[kernels]") {
  const double d = 0.85;
  std::vector<Edge> cycle;
  for (uint32_t v = 0; v < 10; ++v) cycle.push_back({v, (v + 1) % 10});
  PageRankOptions options;
  options.tolerance = 1e-14;
  options.personalization.assign(10, 0.0);
  options.personalization[0] = 5;  // normalised: any positive weight on one vertex
  PageRankResult r = PageRank(Graph(10, cycle), options);
  for (int k = 0; k < 10; ++k) {
    CHECK(r.scores[k] == Approx((1 - d) * std::pow(d, k) / (1 - std::pow(d, 10))).epsilon(1e-12));
  }
  // Dangling rank returns to the seed: on 0 → 1, 0 → 2, 1 → 2 seeded at 0,
  // x0 = 1 / (1 + d + d²/2), x1 = d x0 / 2, x2 = d x0 / 2 + d x1.
  options.personalization = {1, 0, 0};
  r = PageRank(Graph(3, {{0, 1}, {0, 2}, {1, 2}}), options);
  const double x0 = 1 / (1 + d + d * d / 2);
  CHECK(r.scores[0] == Approx(x0).epsilon(1e-12));
  CHECK(r.scores[1] == Approx(d * x0 / 2).epsilon(1e-12));
  CHECK(r.scores[2] == Approx(d * x0 / 2 + d * d * x0 / 2).epsilon(1e-12));
}

TEST_CASE("PageRank rejects bad options", "[kernels]") {
  WeightedCsr g = Graph(3, {{0, 1}});
  auto with = [&](auto change) {
    PageRankOptions options;
    change(options);
    return [g, options] { PageRank(g, options); };
  };
  RequireInvalidArgument(with([](PageRankOptions& o) { o.damping = 1; }));
  RequireInvalidArgument(with([](PageRankOptions& o) { o.damping = -0.1; }));
  RequireInvalidArgument(with([](PageRankOptions& o) { o.tolerance = 0; }));
  RequireInvalidArgument(with([](PageRankOptions& o) { o.max_iterations = 0; }));
  RequireInvalidArgument(with([](PageRankOptions& o) { o.personalization = {1, 0}; }));
  RequireInvalidArgument(with([](PageRankOptions& o) { o.personalization = {1, -1, 0}; }));
  RequireInvalidArgument(with([](PageRankOptions& o) { o.personalization = {0, 0, 0}; }));
}

TEST_CASE("PageRank on two threads: the power iteration's answer, the same every run",
          "[kernels]") {
  // Large enough for two threads and several phases per sweep.
  for (bool weighted : {false, true}) {
    WeightedCsr g = RandomGraph(60000, 600000, weighted ? 11 : 12, weighted);
    WeightedCsr unit = g;
    if (!weighted) std::fill(unit.weights.begin(), unit.weights.end(), 1.0f);
    const std::vector<double> reference = PowerIteration(unit, 0.85);
    PageRankOptions options;
    options.weighted = weighted;
    options.threads = 2;
    PageRankResult two = PageRank(g, options);
    CHECK(two.converged);
    CHECK(L1(two.scores, reference) < 1e-9);
    CHECK(Sum(two.scores) == Approx(1).epsilon(1e-12));
    CHECK(PageRank(g, options).scores == two.scores);  // bit for bit
    options.threads = 1;
    PageRankResult one = PageRank(g, options);
    CHECK(L1(one.scores, reference) < 1e-9);
    options.threads = 2;
    options.personalization.assign(g.n, 0.0);
    options.personalization[42] = 1;
    PageRankResult seeded = PageRank(g, options);
    CHECK(PageRank(g, options).scores == seeded.scores);
    // The seed holds the most rank.
    CHECK(std::max_element(seeded.scores.begin(), seeded.scores.end()) - seeded.scores.begin() ==
          42);
  }
}

namespace {

// A chain-shaped digraph like the snapshot's: `blocks` groups of vertices, each with random edges
// inside it (so most groups are strongly connected), edges from a group to later groups only,
// self-loops, zero-weight edges, and the last group's second half dangling.
WeightedCsr BlockChain(uint32_t blocks, uint32_t block_size, uint32_t seed, bool weighted) {
  std::mt19937 rng(seed);
  const uint32_t n = blocks * block_size;
  std::vector<uint32_t> src, dst;
  std::vector<float> weight;
  auto add = [&](uint32_t u, uint32_t v) {
    if (u >= n - block_size / 2) return;  // dangling
    src.push_back(u);
    dst.push_back(v);
    weight.push_back(rng() % 16 == 0 ? 0.0f : 0.25f + static_cast<float>(rng() % 8));
  };
  for (uint32_t b = 0; b < blocks; ++b) {
    const uint32_t lo = b * block_size;
    // Half the groups get a cycle through all of their vertices, the others only random edges.
    for (uint32_t i = 0; i < block_size; ++i) {
      if (b % 2 == 0) add(lo + i, lo + (i + 1) % block_size);
      add(lo + i, lo + rng() % block_size);
      if (b + 1 < blocks) add(lo + i, lo + block_size + rng() % (n - lo - block_size));
      if (rng() % 50 == 0) add(lo + i, lo + i);
    }
  }
  return BuildCsr(n, src, dst, weighted ? weight : std::vector<float>{});
}

}  // namespace

TEST_CASE("PageRank component by component: the power iteration's answer on chain-shaped graphs",
          "[kernels]") {
  for (uint32_t seed : {1u, 2u}) {
    for (bool weighted : {false, true}) {
      // 24,000 vertices: large enough for two threads, no component near 90% of them.
      WeightedCsr g = BlockChain(40, 600, seed, weighted);
      WeightedCsr unit = g;
      if (!weighted) std::fill(unit.weights.begin(), unit.weights.end(), 1.0f);
      WeightedCsr kept = unit;  // zero-weight edges count as absent: drop them for the reference
      if (weighted) {
        std::vector<uint32_t> src, dst;
        std::vector<float> w;
        for (uint32_t u = 0; u < kept.n; ++u) {
          for (uint32_t e = kept.offsets[u]; e < kept.offsets[u + 1]; ++e) {
            if (kept.weights[e] > 0) {
              src.push_back(u);
              dst.push_back(kept.targets[e]);
              w.push_back(kept.weights[e]);
            }
          }
        }
        kept = BuildCsr(kept.n, src, dst, w);
      }
      const std::vector<double> reference = PowerIteration(kept, 0.85);
      for (int threads : {1, 2}) {
        PageRankOptions options;
        options.weighted = weighted;
        options.threads = threads;
        PageRankResult r = PageRank(g, options);
        CHECK(r.converged);
        CHECK(L1(r.scores, reference) < 1e-9);
        CHECK(Sum(r.scores) == Approx(1).epsilon(1e-12));
        CHECK(PageRank(g, options).scores == r.scores);  // bit for bit
        options.tolerance = 1e-6;
        CHECK(L1(PageRank(g, options).scores, reference) < 1e-5);
      }
    }
  }
}

namespace {

// Two 4-cliques, {0,1,2,3} and {4,5,6,7}, joined by the edge 3 – 4: 13 edges, 2m = 26.
WeightedCsr TwoCliques() {
  std::vector<Edge> edges;
  for (uint32_t base : {0u, 4u}) {
    for (uint32_t i = 0; i < 4; ++i) {
      for (uint32_t j = i + 1; j < 4; ++j) edges.push_back({base + i, base + j});
    }
  }
  edges.push_back({3, 4});
  return Symmetrised(Graph(8, edges));
}

}  // namespace

// Each clique: in_c = 2 · 6 = 12, tot_c = 4 · 3 + 1 = 13, so Q = 2 (12 − 13²/26) / 26 = 11/26.
TEST_CASE("Louvain finds two cliques joined by an edge", "[kernels]") {
  WeightedCsr g = TwoCliques();
  for (uint64_t seed : {1, 2, 3, 4, 5}) {
    LouvainOptions options;
    options.seed = seed;
    LouvainResult r = Louvain(g, options);
    CHECK(r.communities == 2);
    CHECK(r.community == std::vector<uint32_t>{0, 0, 0, 0, 1, 1, 1, 1});
    CHECK(r.modularity == Approx(11.0 / 26).epsilon(1e-12));
    CHECK(r.levels >= 1);
  }
}

TEST_CASE("Modularity of given partitions", "[kernels]") {
  WeightedCsr g = TwoCliques();
  CHECK(Modularity(g, {0, 0, 0, 0, 1, 1, 1, 1}) == Approx(11.0 / 26).epsilon(1e-14));
  // Any ids will do.
  CHECK(Modularity(g, {7, 7, 7, 7, 1000000, 1000000, 1000000, 1000000}) ==
        Approx(11.0 / 26).epsilon(1e-14));
  CHECK(Modularity(g, {0, 0, 0, 0, 0, 0, 0, 0}) == Approx(0).margin(1e-15));
  // Singletons: −Σ k_i² / (2m)², degrees 3,3,3,4,4,3,3,3.
  CHECK(Modularity(g, {0, 1, 2, 3, 4, 5, 6, 7}) == Approx(-86.0 / (26 * 26)).epsilon(1e-14));
  // Resolution 0.5: (24 − 0.5 · 2 · 13² / 26) / 26.
  CHECK(Modularity(g, {0, 0, 0, 0, 1, 1, 1, 1}, 0.5) == Approx(17.5 / 26).epsilon(1e-14));
  // An undirected edge 0 – 1 and a self-loop at 0, both weight 1: A_00 = 2, 2m = 4, k = (3, 1),
  // so Q({0}, {1}) = ((2 − 9/4) + (0 − 1/4)) / 4 = −1/8, as igraph and NetworkX count it.
  WeightedCsr loop = Symmetrised(Graph(2, {{0, 1}, {0, 0}}));
  CHECK(Modularity(loop, {0, 1}) == Approx(-0.125).epsilon(1e-14));
  CHECK(Modularity(loop, {0, 0}) == Approx(0).margin(1e-15));
  RequireInvalidArgument([&] { Modularity(g, {0, 1}); });
  RequireInvalidArgument([&] { Modularity(Graph(2, {{0, 1}}), {0, 1}); });
}

TEST_CASE("Louvain: same seed, same answer, and it rejects asymmetric graphs", "[kernels]") {
  WeightedCsr g = Symmetrised(RandomGraph(5000, 40000, 5, true));
  LouvainOptions options;
  options.seed = 99;
  LouvainResult a = Louvain(g, options), b = Louvain(g, options);
  CHECK(a.community == b.community);
  CHECK(a.modularity == b.modularity);
  CHECK(a.modularity == Modularity(g, a.community));
  CHECK(a.modularity > 0.2);
  CHECK(a.communities > 1);
  RequireInvalidArgument([] { Louvain(Graph(2, {{0, 1}})); });
  LouvainOptions bad;
  bad.resolution = 0;
  RequireInvalidArgument([&] { Louvain(g, bad); });
  bad = LouvainOptions();
  bad.restarts = 0;
  RequireInvalidArgument([&] { Louvain(g, bad); });
  // No edges: every vertex alone, modularity 0.
  LouvainResult none = Louvain(BuildCsr(3, {}, {}));
  CHECK(none.communities == 3);
  CHECK(none.modularity == 0);
}

TEST_CASE("Louvain's restarts: the first is the single run, the best is kept", "[kernels]") {
  for (uint64_t seed : {3u, 4u}) {
    WeightedCsr g = Symmetrised(RandomGraph(3000, 15000, 40 + static_cast<uint32_t>(seed), true));
    LouvainOptions one;
    one.seed = seed;
    one.restarts = 1;
    LouvainOptions four = one;
    four.restarts = 4;
    const LouvainResult a = Louvain(g, one), b = Louvain(g, four);
    CHECK(b.modularity >= a.modularity);
    CHECK(b.modularity == Modularity(g, b.community));
    CHECK(Louvain(g, four).community == b.community);
    four.threads = 1;  // the restarts on one thread or several: the same answer
    CHECK(Louvain(g, four).community == b.community);
    four.threads = 3;
    CHECK(Louvain(g, four).community == b.community);
  }
}

TEST_CASE("betweenness on a path and a star", "[kernels]") {
  // 0 → 1 → 2 → 3 → 4: vertex k lies between k·(4 − k) ordered pairs.
  WeightedCsr path = Graph(5, {{0, 1}, {1, 2}, {2, 3}, {3, 4}});
  CHECK(Betweenness(path).scores == std::vector<double>{0, 3, 4, 3, 0});
  // A star, edges both ways: the centre lies between all 4 · 3 ordered leaf pairs.
  WeightedCsr star = Symmetrised(Graph(5, {{0, 1}, {0, 2}, {0, 3}, {0, 4}}));
  CHECK(Betweenness(star).scores == std::vector<double>{12, 0, 0, 0, 0});
  BetweennessOptions normalized;
  normalized.normalized = true;
  CHECK(Betweenness(star, normalized).scores[0] == Approx(1.0));  // 12 / ((5 − 1)(5 − 2))
}

TEST_CASE("betweenness counts tied shortest paths, weighted or not", "[kernels]") {
  // Two shortest paths 0 → 3, through 1 and through 2: half each.
  WeightedCsr diamond = Graph(4, {{0, 1, 1}, {0, 2, 1}, {1, 3, 1}, {2, 3, 1}});
  CHECK(Betweenness(diamond).scores == std::vector<double>{0, 0.5, 0.5, 0});
  BetweennessOptions weighted;
  weighted.weighted = true;
  CHECK(Betweenness(diamond, weighted).scores == std::vector<double>{0, 0.5, 0.5, 0});
  // Lengthen 0 → 2: only the path through 1 is shortest.
  WeightedCsr longer = Graph(4, {{0, 1, 1}, {0, 2, 2}, {1, 3, 1}, {2, 3, 1}});
  CHECK(Betweenness(longer, weighted).scores == std::vector<double>{0, 1, 0, 0});
  CHECK(Betweenness(longer).scores == std::vector<double>{0, 0.5, 0.5, 0});
  RequireInvalidArgument([] {
    BetweennessOptions o;
    o.weighted = true;
    Betweenness(Graph(2, {{0, 1, 0}}), o);
  });
}

TEST_CASE("betweenness is the same on one thread and on two", "[kernels]") {
  WeightedCsr g = RandomGraph(600, 3000, 8, true);
  for (bool weighted : {false, true}) {
    BetweennessOptions options;
    options.weighted = weighted;
    options.threads = 1;
    std::vector<double> one = Betweenness(g, options).scores;
    options.threads = 2;
    std::vector<double> two = Betweenness(g, options).scores;
    CHECK(Betweenness(g, options).scores == two);
    for (size_t v = 0; v < one.size(); ++v) CHECK(two[v] == Approx(one[v]).epsilon(1e-12));
    CHECK(*std::max_element(one.begin(), one.end()) > 0);
  }
}
