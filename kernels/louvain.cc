// Louvain community detection (Blondel, Guillaume, Lambiotte & Lefebvre 2008) and Newman's
// modularity with a resolution γ (as igraph's community_multilevel and modularity compute it):
//
//   Q = 1/(2m) Σ_c [ in_c − γ tot_c² / (2m) ],
//
// on a symmetric adjacency A (an undirected self-loop of weight w has A_ii = 2w, Symmetrised's
// convention), where in_c = Σ_{i,j ∈ c} A_ij, tot_c = Σ_{i ∈ c} k_i, k_i = Σ_j A_ij, 2m = Σ_i k_i.
//
// Each level moves single vertices to the neighbouring community that raises Q most, until no
// move does, then merges every community into one vertex of the next level's graph (A_CC holds
// the community's in_c). The local moving phase keeps a FIFO queue of vertices to revisit (only
// the neighbours of a vertex that moved go back on it: the "pruning" of Ozaki, Tezuka & Inaba
// 2016 and of Leiden's fast local move) instead of sweeping every vertex until nothing changes;
// it ends at the same kind of local optimum for a fraction of the work. The first queue is a
// seeded shuffle of the vertices (std::mt19937_64, whose output the standard fixes), so the
// answer depends on the seed and the input only.
//
// When the levels end, the whole run is repeated from its answer ("iterated Louvain"): the
// vertices of the input graph move again, starting from the communities found instead of from
// singletons, and the levels above merge what then can be merged. Vertices stuck in a community
// chosen early, before its neighbours had settled, get a second chance; on hub-heavy graphs with
// weak structure this raises modularity by about 1-3% at the cost of a few more local-moving
// phases (each repetition visits only what changes). It stops when a repetition improves Q by
// less than min_gain, or after kMaxPasses.
#include "kernels/louvain.h"

#include <algorithm>
#include <chrono>
#include <random>
#include <string>
#include <thread>

#include "graph/error.h"

namespace chainatlas::kernels {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// One level's graph: symmetric, self-loops kept apart from the neighbour lists.
struct LevelGraph {
  uint32_t n = 0;
  std::vector<uint32_t> offsets;
  std::vector<uint32_t> targets;
  std::vector<double> weights;
  std::vector<double> self_loop;  // A_ii
  std::vector<double> degree;     // k_i, self-loop included
};

LevelGraph FromCsr(const WeightedCsr& g) {
  LevelGraph level;
  level.n = g.n;
  level.offsets.assign(size_t{g.n} + 1, 0);
  level.targets.reserve(g.NumEdges());
  level.weights.reserve(g.NumEdges());
  level.self_loop.assign(g.n, 0.0);
  level.degree.assign(g.n, 0.0);
  for (uint32_t u = 0; u < g.n; ++u) {
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const double w = g.weights[e];
      level.degree[u] += w;
      if (g.targets[e] == u) {
        level.self_loop[u] += w;
      } else {
        level.targets.push_back(g.targets[e]);
        level.weights.push_back(w);
      }
    }
    level.offsets[u + 1] = static_cast<uint32_t>(level.targets.size());
  }
  return level;
}

double TotalWeight(const LevelGraph& g) {
  double two_m = 0;
  for (double k : g.degree) two_m += k;
  return two_m;
}

// Q of `community` (ids 0..count-1) on a level graph.
double LevelModularity(const LevelGraph& g, const std::vector<uint32_t>& community, uint32_t count,
                       double resolution, double two_m) {
  if (two_m <= 0) return 0;
  std::vector<double> inside(count, 0.0), total(count, 0.0);
  for (uint32_t i = 0; i < g.n; ++i) {
    const uint32_t c = community[i];
    total[c] += g.degree[i];
    inside[c] += g.self_loop[i];
    for (uint32_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      if (community[g.targets[e]] == c) inside[c] += g.weights[e];
    }
  }
  double q = 0;
  for (uint32_t c = 0; c < count; ++c) q += inside[c] - resolution * total[c] * total[c] / two_m;
  return q / two_m;
}

constexpr int kMaxPasses = 8;

// The local moving phase. community[i] starts as i, or as start[i] (ids < n) when start is given;
// returns whether any vertex moved.
bool MoveVertices(const LevelGraph& g, double resolution, double two_m, std::mt19937_64& rng,
                  std::vector<uint32_t>& community, const std::vector<uint32_t>* start = nullptr) {
  const uint32_t n = g.n;
  community.resize(n);
  std::vector<double> total(g.degree);  // tot_c
  for (uint32_t i = 0; i < n; ++i) community[i] = i;
  if (start) {
    std::fill(total.begin(), total.end(), 0.0);
    for (uint32_t i = 0; i < n; ++i) {
      community[i] = (*start)[i];
      total[community[i]] += g.degree[i];
    }
  }
  // The queue: a ring over n slots (a vertex is in it at most once).
  std::vector<uint32_t> queue(n);
  for (uint32_t i = 0; i < n; ++i) queue[i] = i;
  for (uint32_t i = n; i > 1; --i) std::swap(queue[i - 1], queue[rng() % i]);
  std::vector<char> queued(n, 1);
  size_t head = 0, size = n;

  std::vector<double> link(n, 0.0);  // k_{i,c}: weight from the current vertex to community c
  std::vector<char> touched_flag(n, 0);
  std::vector<uint32_t> touched;
  // A move must raise 2m·Q by more than this, so rounding cannot make vertices cycle.
  const double min_improvement = 1e-12 * two_m;
  const double scale = resolution / two_m;
  bool moved = false;
  while (size > 0) {
    const uint32_t i = queue[head];
    head = head + 1 == n ? 0 : head + 1;
    --size;
    queued[i] = 0;
    const uint32_t from = community[i];
    const double ki = g.degree[i];
    touched.clear();
    touched.push_back(from);
    touched_flag[from] = 1;
    for (uint32_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const uint32_t c = community[g.targets[e]];
      if (!touched_flag[c]) {
        touched_flag[c] = 1;
        touched.push_back(c);
      }
      link[c] += g.weights[e];
    }
    total[from] -= ki;
    // Gain of joining c (up to terms that do not depend on c): k_{i,c} − γ tot_c k_i / 2m.
    uint32_t best = from;
    double best_gain = link[from] - scale * total[from] * ki;
    const double stay_gain = best_gain;
    for (uint32_t c : touched) {
      const double gain = link[c] - scale * total[c] * ki;
      if (gain > best_gain) {
        best_gain = gain;
        best = c;
      }
    }
    if (best != from && !(best_gain - stay_gain > min_improvement)) best = from;
    total[best] += ki;
    for (uint32_t c : touched) {
      link[c] = 0;
      touched_flag[c] = 0;
    }
    if (best == from) continue;
    community[i] = best;
    moved = true;
    for (uint32_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
      const uint32_t j = g.targets[e];
      if (!queued[j] && community[j] != best) {
        queued[j] = 1;
        size_t tail = head + size;
        if (tail >= n) tail -= n;
        queue[tail] = j;
        ++size;
      }
    }
  }
  return moved;
}

// Renumbers community ids 0..count-1 in order of each community's smallest member; returns count.
uint32_t Renumber(std::vector<uint32_t>& community) {
  std::vector<uint32_t> id(community.size(), UINT32_MAX);
  uint32_t count = 0;
  for (uint32_t& c : community) {
    if (id[c] == UINT32_MAX) id[c] = count++;
    c = id[c];
  }
  return count;
}

// The next level: one vertex per community, A_CD = Σ_{i∈C, j∈D} A_ij.
LevelGraph Aggregate(const LevelGraph& g, const std::vector<uint32_t>& community, uint32_t count) {
  std::vector<uint32_t> start(size_t{count} + 1, 0);
  for (uint32_t i = 0; i < g.n; ++i) start[community[i] + 1]++;
  for (uint32_t c = 0; c < count; ++c) start[c + 1] += start[c];
  std::vector<uint32_t> members(g.n);
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (uint32_t i = 0; i < g.n; ++i) members[next[community[i]]++] = i;
  }
  LevelGraph next;
  next.n = count;
  next.offsets.assign(size_t{count} + 1, 0);
  next.self_loop.assign(count, 0.0);
  next.degree.assign(count, 0.0);
  std::vector<double> link(count, 0.0);
  std::vector<char> touched_flag(count, 0);
  std::vector<uint32_t> touched;
  for (uint32_t c = 0; c < count; ++c) {
    touched.clear();
    for (uint32_t k = start[c]; k < start[c + 1]; ++k) {
      const uint32_t i = members[k];
      next.degree[c] += g.degree[i];
      next.self_loop[c] += g.self_loop[i];
      for (uint32_t e = g.offsets[i]; e < g.offsets[i + 1]; ++e) {
        const uint32_t d = community[g.targets[e]];
        if (d == c) {
          next.self_loop[c] += g.weights[e];
        } else {
          if (!touched_flag[d]) {
            touched_flag[d] = 1;
            touched.push_back(d);
          }
          link[d] += g.weights[e];
        }
      }
    }
    for (uint32_t d : touched) {
      next.targets.push_back(d);
      next.weights.push_back(link[d]);
      link[d] = 0;
      touched_flag[d] = 0;
    }
    next.offsets[c + 1] = static_cast<uint32_t>(next.targets.size());
  }
  return next;
}

// Q of any community ids on a symmetric CSR, unchecked.
double CsrModularity(const WeightedCsr& g, const std::vector<uint32_t>& community,
                     double resolution) {
  // Community ids may be any numbers: map them to 0..count-1.
  std::vector<uint32_t> ids(community);
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  std::vector<uint32_t> dense(community.size());
  for (size_t v = 0; v < community.size(); ++v) {
    dense[v] = static_cast<uint32_t>(std::lower_bound(ids.begin(), ids.end(), community[v]) -
                                     ids.begin());
  }
  std::vector<double> total(ids.size(), 0.0);
  double inside = 0, two_m = 0;
  for (uint32_t u = 0; u < g.n; ++u) {
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const double w = g.weights[e];
      two_m += w;
      total[dense[u]] += w;
      if (dense[g.targets[e]] == dense[u]) inside += w;
    }
  }
  if (two_m <= 0) return 0;
  double expected = 0;
  for (double t : total) expected += t * t;
  return (inside - resolution * expected / two_m) / two_m;
}

// One iterated-Louvain run from singletons with its own random stream; fills community (renumbered)
// and levels, returns Q on the level graphs.
double IteratedLouvain(const LevelGraph& base, double two_m, const LouvainOptions& options,
                       std::mt19937_64& rng, std::vector<uint32_t>& result_community, int& levels) {
  levels = 0;
  result_community.resize(base.n);
  std::vector<uint32_t> identity(base.n);
  for (uint32_t i = 0; i < base.n; ++i) identity[i] = i;
  result_community = identity;
  double q = LevelModularity(base, identity, base.n, options.resolution, two_m);
  std::vector<uint32_t> community;
  for (int pass = 0; pass < kMaxPasses && levels < options.max_levels; ++pass) {
    // Pass 0 starts from singletons; later passes from the answer so far, whose Q is q.
    const double pass_q = q;
    std::vector<uint32_t> answer = result_community;
    std::vector<uint32_t> start;
    if (pass > 0) start = answer;  // ids 0..communities-1 (renumbered below)
    LevelGraph level = base;
    bool first = true;
    std::vector<uint32_t> mapping = identity;  // base vertex -> vertex of the current level
    while (levels < options.max_levels) {
      if (!MoveVertices(level, options.resolution, two_m, rng, community,
                        first && pass > 0 ? &start : nullptr)) {
        break;  // a local optimum of the moves (for a later pass: the answer itself)
      }
      const uint32_t count = Renumber(community);
      const double next_q = LevelModularity(level, community, count, options.resolution, two_m);
      if (!(next_q > q)) break;  // rounding only: keep the previous level
      for (uint32_t& c : mapping) c = community[c];
      answer = mapping;
      levels++;
      const bool enough = next_q - q < options.min_gain || count == level.n;
      q = next_q;
      first = false;
      if (enough && pass == 0) break;
      if (count == level.n) break;
      level = Aggregate(level, community, count);
      for (uint32_t i = 0; i < count; ++i) community[i] = i;
    }
    result_community = std::move(answer);
    Renumber(result_community);
    if (!(q - pass_q >= options.min_gain) && pass > 0) break;
  }
  return q;
}

}  // namespace

LouvainResult Louvain(const WeightedCsr& g, const LouvainOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  CheckCsr(g, "Louvain");
  if (!(options.resolution > 0)) Invalid("Louvain: resolution must be > 0");
  if (options.max_levels < 1) Invalid("Louvain: max_levels must be >= 1");
  if (!(options.min_gain >= 0)) Invalid("Louvain: min_gain must be >= 0");
  if (options.restarts < 1) Invalid("Louvain: restarts must be >= 1");
  if (!IsSymmetric(g)) {
    Invalid(
        "Louvain: the graph is not symmetric (every edge needs its reverse with the same "
        "weight; Symmetrised() makes it so)");
  }
  LouvainResult result;
  result.community.resize(g.n);
  for (uint32_t v = 0; v < g.n; ++v) result.community[v] = v;
  const LevelGraph base = FromCsr(g);
  const double two_m = TotalWeight(base);
  if (two_m > 0) {
    // Restarts: run r draws from the stream seeded with (seed, r) (run 0: with seed alone, as a
    // single run does); the best Q wins, the first of equals, so the answer depends on the seed,
    // the restart count and the input only, not on the threads that run the restarts.
    const int restarts = options.restarts;
    std::vector<std::vector<uint32_t>> found(restarts);
    std::vector<double> quality(restarts, 0.0);
    std::vector<int> levels(restarts, 0);
    auto run = [&](int r) {
      std::seed_seq seq{static_cast<uint32_t>(options.seed),
                        static_cast<uint32_t>(options.seed >> 32), static_cast<uint32_t>(r)};
      std::mt19937_64 rng = r == 0 ? std::mt19937_64(options.seed) : std::mt19937_64(seq);
      quality[r] = IteratedLouvain(base, two_m, options, rng, found[r], levels[r]);
    };
    const int workers = std::max(1, std::min(ResolveThreads(options.threads), restarts));
    {
      std::vector<std::jthread> pool;
      for (int t = 1; t < workers; ++t) {
        pool.emplace_back([&, t] {
          for (int r = t; r < restarts; r += workers) run(r);
        });
      }
      for (int r = 0; r < restarts; r += workers) run(r);
    }
    int best = 0;
    for (int r = 1; r < restarts; ++r) {
      if (quality[r] > quality[best]) best = r;
    }
    result.community = std::move(found[best]);
    result.levels = levels[best];
  }
  result.communities = Renumber(result.community);
  result.modularity = CsrModularity(g, result.community, options.resolution);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

double Modularity(const WeightedCsr& g, const std::vector<uint32_t>& community, double resolution) {
  CheckCsr(g, "Modularity");
  if (community.size() != g.n) {
    Invalid("Modularity: " + std::to_string(community.size()) + " community ids for " +
            std::to_string(g.n) + " vertices");
  }
  if (!IsSymmetric(g)) Invalid("Modularity: the graph is not symmetric");
  return CsrModularity(g, community, resolution);
}

}  // namespace chainatlas::kernels
