// Betweenness centrality by Brandes' algorithm ("A faster algorithm for betweenness centrality",
// J. Math. Sociol. 2001): for every source s, a shortest-path search counts the shortest paths
// σ_sv to every v, then the dependencies δ_s(v) = Σ_{w: v precedes w} σ_sv/σ_sw (1 + δ_s(w)) are
// accumulated in reverse order of distance, and bc(v) = Σ_{s≠v} δ_s(v).
//
// - Unweighted: breadth-first search. Weighted: Dijkstra with weights as lengths; two distances
//   count as equal when they differ by at most 1e-10 relative (igraph's rule), so paths whose
//   lengths differ only by rounding are all counted as shortest.
// - No predecessor lists: in the accumulation, w follows v on a shortest path exactly when
//   w is an out-neighbour of v with dist(w) = dist(v) + len(v, w), which the out-edges give.
// - Sources are dealt to threads round-robin, each thread adds into its own scores, and the
//   threads' scores are summed in thread order, so the result is deterministic for a given
//   thread count.
#include "kernels/betweenness.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <limits>
#include <queue>
#include <string>
#include <thread>

#include "graph/error.h"

namespace chainatlas::kernels {
namespace {

constexpr double kRelativeEpsilon = 1e-10;

// Finite a and b within kRelativeEpsilon of each other (an unreached vertex's +∞ equals nothing).
bool NearlyEqual(double a, double b) {
  const double difference = std::abs(a - b);
  return difference <= kRelativeEpsilon * std::max(std::abs(a), std::abs(b)) &&
         std::isfinite(difference);
}

// What a search knows of a vertex; kept together so that looking at a neighbour touches one
// cache line, not three.
struct VertexState {
  double distance;    // < 0 (unweighted) or +∞ (weighted): not reached
  double paths;       // σ_sv
  double dependency;  // δ_s(v); −1 in Dijkstra marks a settled vertex until the accumulation
};

// Per-thread scratch space, reset after each source for the vertices the search reached.
struct Search {
  std::vector<VertexState> state;
  std::vector<uint32_t> order;  // vertices by non-decreasing distance
  std::vector<double> scores;

  Search(uint32_t n, double unreached) : state(n, {unreached, 0, 0}), scores(n, 0.0) {
    order.reserve(n);
  }
};

void BreadthFirst(const WeightedCsr& g, uint32_t s, Search& search) {
  VertexState* state = search.state.data();
  std::vector<uint32_t>& order = search.order;
  state[s].distance = 0;
  state[s].paths = 1;
  order.push_back(s);
  for (size_t k = 0; k < order.size(); ++k) {
    const uint32_t v = order[k];
    const double next = state[v].distance + 1, paths = state[v].paths;
    for (uint32_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      VertexState& w = state[g.targets[e]];
      if (w.distance < 0) {
        w.distance = next;
        order.push_back(g.targets[e]);
      }
      if (w.distance == next) w.paths += paths;
    }
  }
}

void Dijkstra(const WeightedCsr& g, uint32_t s, Search& search) {
  constexpr double kInf = std::numeric_limits<double>::infinity();
  VertexState* state = search.state.data();
  std::vector<uint32_t>& order = search.order;
  using Entry = std::pair<double, uint32_t>;  // ties settle by vertex id: deterministic
  std::priority_queue<Entry, std::vector<Entry>, std::greater<Entry>> heap;
  state[s].distance = 0;
  state[s].paths = 1;
  heap.emplace(0.0, s);
  while (!heap.empty()) {
    const auto [d, v] = heap.top();
    heap.pop();
    if (d != state[v].distance || state[v].dependency < 0) continue;  // stale, or settled
    state[v].dependency = -1;
    order.push_back(v);
    for (uint32_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      VertexState& w = state[g.targets[e]];
      if (w.dependency < 0) continue;
      const double through = d + g.weights[e];
      if (w.distance == kInf || (through < w.distance && !NearlyEqual(through, w.distance))) {
        w.distance = through;
        w.paths = state[v].paths;
        heap.emplace(through, g.targets[e]);
      } else if (NearlyEqual(through, w.distance)) {
        w.paths += state[v].paths;
      }
    }
  }
}

// Adds δ_s(v) to the scores of every v ≠ s the search reached, and resets the scratch space.
template <bool kWeighted>
void Accumulate(const WeightedCsr& g, uint32_t s, Search& search) {
  VertexState* state = search.state.data();
  const std::vector<uint32_t>& order = search.order;
  for (size_t k = order.size(); k-- > 0;) {
    const uint32_t v = order[k];
    const double distance = state[v].distance;
    double sum = 0;
    for (uint32_t e = g.offsets[v]; e < g.offsets[v + 1]; ++e) {
      const VertexState& w = state[g.targets[e]];
      // Weighted: w must also have settled after v (its dependency is final, no longer the −1
      // settled mark), as Dijkstra only counted paths into vertices not yet settled.
      const bool follows = kWeighted ? w.dependency >= 0 && g.targets[e] != v &&
                                           NearlyEqual(distance + g.weights[e], w.distance)
                                     : w.distance == distance + 1;
      if (follows) sum += (1 + w.dependency) / w.paths;
    }
    state[v].dependency = state[v].paths * sum;
    if (v != s) search.scores[v] += state[v].dependency;
  }
  const double unreached = kWeighted ? std::numeric_limits<double>::infinity() : -1.0;
  for (uint32_t v : order) state[v] = {unreached, 0, 0};
  search.order.clear();
}

}  // namespace

BetweennessResult Betweenness(const WeightedCsr& g, const BetweennessOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  CheckCsr(g, "Betweenness");
  if (options.weighted) {
    for (float w : g.weights) {
      if (!(std::isfinite(w) && w > 0)) {
        throw Error(ErrorCode::kInvalidArgument,
                    "Betweenness: weighted shortest paths need every weight finite and > 0");
      }
    }
  }
  const uint32_t n = g.n;
  for (uint32_t s : options.sources) {
    if (s >= n) {
      throw Error(ErrorCode::kInvalidArgument, "Betweenness: source " + std::to_string(s) +
                                                   " is not a vertex (n = " + std::to_string(n) +
                                                   ")");
    }
  }
  const bool all_sources = options.sources.empty();
  const uint32_t searches_to_run = all_sources ? n : static_cast<uint32_t>(options.sources.size());
  // Small graphs are not worth a thread each.
  const double work = static_cast<double>(searches_to_run) *
                      (static_cast<double>(n) + g.NumEdges());
  const int threads = static_cast<int>(
      std::max<double>(1, std::min<double>(ResolveThreads(options.threads),
                                           std::min<double>(searches_to_run, work / 1e6))));
  std::vector<Search> searches;
  searches.reserve(threads);
  for (int t = 0; t < threads; ++t) {
    searches.emplace_back(n, options.weighted ? std::numeric_limits<double>::infinity() : -1.0);
  }
  auto run = [&](int t) {
    Search& search = searches[t];
    for (uint32_t i = t; i < searches_to_run; i += threads) {
      const uint32_t s = all_sources ? i : options.sources[i];
      if (options.weighted) {
        Dijkstra(g, s, search);
        Accumulate<true>(g, s, search);
      } else {
        BreadthFirst(g, s, search);
        Accumulate<false>(g, s, search);
      }
    }
  };
  {
    std::vector<std::jthread> workers;
    for (int t = 1; t < threads; ++t) workers.emplace_back(run, t);
    run(0);
  }
  BetweennessResult result;
  result.scores = std::move(searches[0].scores);
  for (int t = 1; t < threads; ++t) {
    for (uint32_t v = 0; v < n; ++v) result.scores[v] += searches[t].scores[v];
  }
  if (options.normalized && n > 2) {
    const double scale = 1.0 / ((static_cast<double>(n) - 1) * (static_cast<double>(n) - 2));
    for (double& score : result.scores) score *= scale;
  }
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace chainatlas::kernels
