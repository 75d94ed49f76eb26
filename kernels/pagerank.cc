// PageRank (Page, Brin, Motwani & Winograd 1999) with dangling rank spread by the teleport
// distribution p (Langville & Meyer, "Deeper inside PageRank", 2004), the definition igraph's
// PRPACK and NetworkX compute. The scores are the fixed point of
//
//   x_v = d Σ_{u→v} x_u w_uv / W_u  +  p_v (d D + (1 − d) S),
//
// where W_u is u's total out-weight (0 for a dangling vertex), D = Σ_{u dangling} x_u and
// S = Σ_u x_u, scaled to S = 1.
//
// How it is computed, and why:
// - First the strongly connected components (PageRankByComponents below): unless one component
//   holds nearly every vertex and two threads are worth it, the scores are solved one component
//   at a time in topological order, which sweeps only the components with cycles (on the chain-
//   shaped bench graphs, the trade / cooperation core: ~40% of the edges) and computes every
//   other vertex once. What follows describes the whole-graph threaded sweeps used otherwise.
// - Pull over in-edges with contributions c_u = x_u / W_u kept per vertex, so an edge costs one
//   index, one gather and (weighted) one multiply-add; no atomics, no racy writes.
// - Gauss–Seidel sweeps, as PRPACK does (Arasu et al. 2002): x_v is computed from the values of
//   this sweep for vertices already swept, and a self-loop's share of x_v is solved for exactly
//   (else a heavy self-loop decays at only d w_vv / W_v per sweep). On random graphs this takes
//   12 to 16 sweeps to an L1 change of 1e-10 where power iteration takes 17 to 30. D and S come
//   from the previous sweep: the iteration is homogeneous (S is not pinned to 1), so the total is
//   not a slowly decaying mode of it; the scores are normalised once at the end.
// - Sweep direction: Gauss–Seidel gains most when a vertex comes after the vertices it pulls
//   from, so a sweep runs from the last vertex down when most edges point to a lower id (as in
//   the snapshot's graph, where enterprises come after the segments they make): 27 -> 20 sweeps
//   to an L1 change of 1e-7 on the small benchmark graph (bench/RESULTS.md).
// - Deterministic on several threads: a sweep runs in phases, each a contiguous range of vertices
//   cut into one piece per thread (by in-edge count), with one std::barrier per phase. Inside a
//   phase a thread updates its piece in place; its reads of earlier phases see new values, of
//   later phases old ones, and of the other pieces of the same phase a snapshot taken before the
//   phase. So nothing is read while another thread writes it, and a thread still sees nearly as
//   many new values as a single-threaded sweep would. The in-edges that read the snapshot are
//   moved to the front of their row when the graph is built, so the hot loop has no branch.
// - Software prefetch of the contributions a few edges ahead: the gathers are the whole cost, and
//   the prefetches let more of them be in flight than the reorder buffer alone allows.
// - Doubles throughout: a float state could not get the L1 change much below 1e-7 on large
//   graphs, far above the default tolerance.
// - The transposition is part of the kernel's time, so it is built for speed too (see
//   BuildPullGraph), and the big arrays ask for huge pages.
#include "kernels/pagerank.h"

#include <algorithm>
#include <barrier>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <new>
#include <string>
#include <thread>
#include <utility>

#if defined(__linux__)
#include <sys/mman.h>
#endif

#include "graph/error.h"

namespace chainatlas::kernels {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, "PageRank: " + message);
}

// Runs body(0) .. body(parts - 1) at once, body(0) on the calling thread.
template <typename Body>
void RunParallel(int parts, const Body& body) {
  std::vector<std::jthread> workers;
  workers.reserve(parts - 1);
  for (int t = 1; t < parts; ++t) workers.emplace_back([&body, t] { body(t); });
  body(0);
}

// Small graphs are not worth a thread each: about this much work (vertices + edges) per thread.
constexpr double kMinWorkPerThread = 100000;
// And a phase should have about this much work, to make its barrier negligible.
constexpr double kMinWorkPerPhase = 100000;
// Buckets of the transposition: few enough that the streams being written fit in L2, many enough
// that one bucket's rows do too (measured on a 1M-vertex, 10M-edge graph: 256 is best).
constexpr uint64_t kBuckets = 256;
// How many in-edges ahead to prefetch a contribution.
constexpr uint32_t kPrefetchDistance = 16;

// Vertices [lo, hi) cut into `parts` ranges of about equal work (vertices + in-edges).
std::vector<uint32_t> SplitByWork(const uint32_t* offsets, uint32_t lo, uint32_t hi, int parts) {
  std::vector<uint32_t> bounds{lo};
  const double first = static_cast<double>(lo) + offsets[lo];
  const double total = static_cast<double>(hi) + offsets[hi] - first;
  for (int i = 1; i < parts; ++i) {
    const double goal = first + total * i / parts;
    uint32_t a = bounds.back(), b = hi;
    while (a < b) {
      const uint32_t mid = a + (b - a) / 2;
      if (static_cast<double>(mid) + offsets[mid] < goal) {
        a = mid + 1;
      } else {
        b = mid;
      }
    }
    bounds.push_back(a);
  }
  bounds.push_back(hi);
  return bounds;
}

// Which vertices a thread sweeps when: phase j covers [phase[j], phase[j+1]), and thread t sweeps
// piece j * threads + t of it, [piece[j * threads + t], piece[j * threads + t + 1]). More threads,
// more phases, so that each piece still sees most of the new values a sequential sweep would.
struct Schedule {
  int threads = 1;
  int phases = 1;
  std::vector<uint32_t> phase;
  std::vector<uint32_t> piece;
  uint32_t largest_phase = 0;

  Schedule(const uint32_t* in_offsets, uint32_t n, int thread_count) {
    threads = thread_count;
    const double work = static_cast<double>(n) + in_offsets[n];
    phases = threads == 1 ? 1
                          : std::clamp(static_cast<int>(work / kMinWorkPerPhase), 1, 8 * threads);
    phase = SplitByWork(in_offsets, 0, n, phases);
    piece.push_back(0);
    for (int j = 0; j < phases; ++j) {
      std::vector<uint32_t> cut = SplitByWork(in_offsets, phase[j], phase[j + 1], threads);
      piece.insert(piece.end(), cut.begin() + 1, cut.end());
      largest_phase = std::max(largest_phase, phase[j + 1] - phase[j]);
    }
  }
  uint32_t PieceBegin(int j, int t) const { return piece[j * threads + t]; }
  uint32_t PieceEnd(int j, int t) const { return piece[j * threads + t + 1]; }
};

// A large array left uninitialised (its first writes happen in parallel, where they are needed
// anyway) and, on Linux, on transparent huge pages: with 4 KiB pages the gathers and bucket
// writes of a large graph miss the TLB most of the time, and every page costs a fault.
template <typename T>
class LargeArray {
 public:
  LargeArray() = default;
  explicit LargeArray(size_t size) : size_(size) {
    constexpr size_t kHuge = size_t{2} << 20;
    const size_t bytes = std::max<size_t>(size * sizeof(T), 1);
    if (bytes < 2 * kHuge) {
      data_ = static_cast<T*>(std::aligned_alloc(64, (bytes + 63) / 64 * 64));
    } else {
      data_ = static_cast<T*>(std::aligned_alloc(kHuge, (bytes + kHuge - 1) / kHuge * kHuge));
#if defined(__linux__) && defined(MADV_HUGEPAGE)
      madvise(data_, (bytes + kHuge - 1) / kHuge * kHuge, MADV_HUGEPAGE);  // a hint only
#endif
    }
    if (data_ == nullptr) throw std::bad_alloc();
  }
  LargeArray(LargeArray&& other) noexcept
      : size_(std::exchange(other.size_, 0)), data_(std::exchange(other.data_, nullptr)) {}
  LargeArray& operator=(LargeArray&& other) noexcept {
    std::swap(size_, other.size_);
    std::swap(data_, other.data_);
    return *this;
  }
  ~LargeArray() { std::free(data_); }
  T* data() { return data_; }
  const T* data() const { return data_; }
  T& operator[](size_t i) { return data_[i]; }
  const T& operator[](size_t i) const { return data_[i]; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }

 private:
  size_t size_ = 0;
  T* data_ = nullptr;
};

// The in-edges of every vertex (`sources`, `weights` empty when unweighted) and each vertex's
// inverse out-weight (0 for a dangling vertex); zero-weight edges are left out when weighted.
// Self-loops are kept apart, so that a sweep can solve each vertex's equation for x_v exactly.
// With several threads, the first snapshot_edges[v] in-edges of v come from other pieces of v's
// phase, and hold u − (the phase's first vertex): their index into the phase snapshot.
struct PullGraph {
  LargeArray<uint32_t> offsets;
  LargeArray<uint32_t> sources;  // padded with kPrefetchDistance zeros for the prefetches
  LargeArray<float> weights;
  LargeArray<uint32_t> snapshot_edges;
  LargeArray<double> inverse_out_weight;
  LargeArray<double> self_loop;  // weight of v → v (kept out of the rows); empty if none
  bool descending = false;       // sweep from the last vertex to the first (see BuildPullGraph)
};

// Transposes g in two passes so that no pass writes all over a large array: the first appends
// each edge to the bucket of its target (a few hundred buckets of consecutive targets, each a
// sequential stream), the second sorts each bucket, small enough to stay in cache, into rows.
// Buckets lie in the final edge array exactly where their rows will be, so the first pass stages
// edges there. The schedule is made once the in-degrees are known, and the second pass also
// moves each row's snapshot in-edges to its front.
PullGraph BuildPullGraph(const WeightedCsr& g, bool weighted, int threads,
                         std::unique_ptr<Schedule>& schedule) {
  const uint32_t n = g.n;
  const std::vector<uint32_t> ranges = PartitionByEdges(g, threads);
  const int parts = static_cast<int>(ranges.size()) - 1;
  // About kBuckets buckets, of at most 2^16 targets so that a staged target fits 16 bits.
  int shift = 0;
  while ((uint64_t{n} >> shift) > kBuckets && shift < 16) ++shift;
  const uint32_t buckets = static_cast<uint32_t>((uint64_t{n} + (uint64_t{1} << shift) - 1) >>
                                                 shift);
  auto keep = [&](uint32_t e) { return !weighted || g.weights[e] > 0; };

  // Pass 0: bucket sizes per part, inverse out-weights.
  PullGraph pull;
  pull.inverse_out_weight = LargeArray<double>(n);
  pull.self_loop = LargeArray<double>(n);
  std::vector<char> any_loop(parts, 0);
  std::vector<uint64_t> downward(parts, 0), upward(parts, 0);
  std::vector<std::vector<uint32_t>> bucket_cursor(parts, std::vector<uint32_t>(buckets, 0));
  RunParallel(parts, [&](int t) {
    uint32_t* in_bucket = bucket_cursor[t].data();
    for (uint32_t u = ranges[t]; u < ranges[t + 1]; ++u) {
      double out = 0, loop = 0;
      for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        if (!keep(e)) continue;
        const double w = weighted ? g.weights[e] : 1.0;
        out += w;
        if (g.targets[e] == u) {
          loop += w;
          any_loop[t] = 1;
        } else {
          in_bucket[g.targets[e] >> shift]++;
          (g.targets[e] < u ? downward[t] : upward[t])++;
        }
      }
      pull.inverse_out_weight[u] = out > 0 ? 1.0 / out : 0.0;
      pull.self_loop[u] = loop;
    }
  });
  // Gauss–Seidel gains most when a vertex is swept after the vertices it pulls from: sweep in
  // the direction most edges point (towards lower ids: from the last vertex down).
  uint64_t down = 0, up = 0;
  for (int t = 0; t < parts; ++t) {
    down += downward[t];
    up += upward[t];
  }
  pull.descending = down > up;
  if (std::find(any_loop.begin(), any_loop.end(), 1) == any_loop.end()) {
    pull.self_loop = LargeArray<double>();
  }
  std::vector<uint32_t> bucket_start(size_t{buckets} + 1, 0);
  uint32_t sum = 0;
  for (uint32_t b = 0; b < buckets; ++b) {
    bucket_start[b] = sum;
    for (int t = 0; t < parts; ++t) {
      const uint32_t size = bucket_cursor[t][b];
      bucket_cursor[t][b] = sum;
      sum += size;
    }
  }
  bucket_start[buckets] = sum;
  // Threads take runs of consecutive buckets with about equal numbers of edges.
  std::vector<uint32_t> bucket_runs{0};
  for (int t = 1; t < threads; ++t) {
    const uint64_t goal = uint64_t{sum} * t / threads;
    uint32_t b = bucket_runs.back();
    while (b < buckets && bucket_start[b] < goal) ++b;
    bucket_runs.push_back(b);
  }
  bucket_runs.push_back(buckets);
  auto bucket_lo = [&](uint32_t b) { return b << shift; };
  auto bucket_hi = [&](uint32_t b) {
    return static_cast<uint32_t>(std::min<uint64_t>(n, (uint64_t{b} + 1) << shift));
  };

  // Pass 1: stage every edge in its bucket, parts in source order, so each bucket lists its
  // edges by ascending source.
  pull.sources = LargeArray<uint32_t>(size_t{sum} + kPrefetchDistance);
  std::fill(pull.sources.data() + sum, pull.sources.data() + sum + kPrefetchDistance, 0);
  if (weighted) pull.weights = LargeArray<float>(sum);
  LargeArray<uint16_t> staged_target(sum);  // target − the bucket's first target
  RunParallel(parts, [&](int t) {
    uint32_t* next = bucket_cursor[t].data();
    for (uint32_t u = ranges[t]; u < ranges[t + 1]; ++u) {
      for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        if (!keep(e) || g.targets[e] == u) continue;
        const uint32_t at = next[g.targets[e] >> shift]++;
        pull.sources[at] = u;
        staged_target[at] = static_cast<uint16_t>(g.targets[e] & ((uint32_t{1} << shift) - 1));
        if (weighted) pull.weights[at] = g.weights[e];
      }
    }
  });
  bucket_cursor.clear();

  // In-degrees, counted within each (cache-sized) bucket; then the schedule, which needs them.
  pull.offsets = LargeArray<uint32_t>(size_t{n} + 1);
  pull.offsets[0] = 0;
  RunParallel(threads, [&](int t) {
    for (uint32_t b = bucket_runs[t]; b < bucket_runs[t + 1]; ++b) {
      uint32_t* degree = pull.offsets.data() + bucket_lo(b) + 1;
      std::fill(degree, degree + (bucket_hi(b) - bucket_lo(b)), 0);
      for (uint32_t i = bucket_start[b]; i < bucket_start[b + 1]; ++i) degree[staged_target[i]]++;
      uint32_t at = bucket_start[b];
      for (uint32_t v = bucket_lo(b); v < bucket_hi(b); ++v) {
        at += pull.offsets[v + 1];
        pull.offsets[v + 1] = at;
      }
    }
  });
  schedule = std::make_unique<Schedule>(pull.offsets.data(), n, threads);

  // Pass 2: each thread sorts a run of buckets (about equal edges) into rows.
  const bool snapshots = threads > 1;
  if (snapshots) pull.snapshot_edges = LargeArray<uint32_t>(n);
  RunParallel(threads, [&](int t) {
    std::vector<uint32_t> local_source, front, rest;
    std::vector<uint16_t> local_target;
    std::vector<float> local_weight;
    std::vector<uint32_t> piece_of;  // per target of the bucket: its piece in the schedule
    for (uint32_t b = bucket_runs[t]; b < bucket_runs[t + 1]; ++b) {
      const uint32_t lo = bucket_lo(b), hi = bucket_hi(b);
      const uint32_t first = pull.offsets[lo], last = pull.offsets[hi];
      local_source.assign(pull.sources.data() + first, pull.sources.data() + last);
      local_target.assign(staged_target.data() + first, staged_target.data() + last);
      if (weighted) local_weight.assign(pull.weights.data() + first, pull.weights.data() + last);
      // Row v's snapshot in-edges go from front[v − lo] on, the others from rest[v − lo] on.
      front.assign(pull.offsets.data() + lo, pull.offsets.data() + hi);
      rest = front;
      auto reads_snapshot = [&](uint32_t u, uint32_t row) {
        const uint32_t p = piece_of[row], j = p / threads;
        const uint32_t phase_lo = schedule->phase[j], piece_lo = schedule->piece[p];
        return u - phase_lo < schedule->phase[j + 1] - phase_lo &&
               !(u - piece_lo < schedule->piece[p + 1] - piece_lo);
      };
      if (snapshots) {
        piece_of.resize(hi - lo);
        uint32_t p = static_cast<uint32_t>(
            std::upper_bound(schedule->piece.begin(), schedule->piece.end(), lo) -
            schedule->piece.begin() - 1);
        for (uint32_t v = lo; v < hi; ++v) {
          while (schedule->piece[p + 1] <= v) ++p;
          piece_of[v - lo] = p;
        }
        for (size_t i = 0; i < local_source.size(); ++i) {
          if (reads_snapshot(local_source[i], local_target[i])) rest[local_target[i]]++;
        }
        for (uint32_t v = lo; v < hi; ++v) pull.snapshot_edges[v] = rest[v - lo] - front[v - lo];
      }
      for (size_t i = 0; i < local_source.size(); ++i) {
        const uint32_t u = local_source[i], row = local_target[i];
        uint32_t at;
        if (snapshots && reads_snapshot(u, row)) {
          at = front[row]++;
          pull.sources[at] = u - schedule->phase[piece_of[row] / threads];
        } else {
          at = rest[row]++;
          pull.sources[at] = u;
        }
        if (weighted) pull.weights[at] = local_weight[i];
      }
    }
  });
  return pull;
}

struct SweepTotals {
  double change = 0;    // Σ |x_new − x_old|
  double dangling = 0;  // Σ x_new over dangling vertices
  double mass = 0;      // Σ x_new
};

// n zeros in a std::vector whose buffer asks for huge pages before it is first touched: in some
// virtual machines every fresh 4 KiB page costs a slow fault.
std::vector<double> HugeVector(size_t n) {
  std::vector<double> v;
  v.reserve(n);
#if defined(__linux__) && defined(MADV_HUGEPAGE)
  constexpr uintptr_t kHuge = uintptr_t{2} << 20;
  const uintptr_t begin = (reinterpret_cast<uintptr_t>(v.data()) + kHuge - 1) & ~(kHuge - 1);
  const uintptr_t end = reinterpret_cast<uintptr_t>(v.data() + n) & ~(kHuge - 1);
  if (end > begin) madvise(reinterpret_cast<void*>(begin), end - begin, MADV_HUGEPAGE);
#endif
  v.assign(n, 0.0);
  return v;
}

// Sweeps vertices [lo, hi) in place: x and the contributions of the piece get their new values.
// `solve` (null without self-loops): 1 / (1 − d w_vv / W_v), which turns x_v = d (s + x_v w_vv /
// W_v) + b p_v into x_v = (d s + b p_v) · solve_v.
template <bool kWeighted, bool kPersonalised>
void SweepPiece(const PullGraph& pull, uint32_t lo, uint32_t hi, const double* snapshot,
                double* contribution, double* x, double damping, double base, double uniform,
                const double* teleport, const double* solve, SweepTotals& totals) {
  const uint32_t* offsets = pull.offsets.data();
  const uint32_t* sources = pull.sources.data();
  const float* weights = pull.weights.data();
  const uint32_t* snapshot_edges = pull.snapshot_edges.empty() ? nullptr
                                                               : pull.snapshot_edges.data();
  const double* inverse_out = pull.inverse_out_weight.data();
  double change = 0, dangling = 0, mass = 0;
  const bool descending = pull.descending;
  for (uint32_t k = lo; k < hi; ++k) {
    const uint32_t v = descending ? hi - 1 - (k - lo) : k;
    uint32_t e = offsets[v];
    const uint32_t end = offsets[v + 1];
    // Two accumulators: the adds of consecutive in-edges do not wait on each other.
    double s0 = 0, s1 = 0;
    if (snapshot_edges) {
      for (const uint32_t split = e + snapshot_edges[v]; e < split; ++e) {
        s0 += snapshot[sources[e]] * (kWeighted ? weights[e] : 1.0);
      }
    }
    for (; e + 1 < end; e += 2) {
      __builtin_prefetch(contribution + sources[e + kPrefetchDistance]);
      __builtin_prefetch(contribution + sources[e + 1 + kPrefetchDistance]);
      if constexpr (kWeighted) {
        s0 += contribution[sources[e]] * weights[e];
        s1 += contribution[sources[e + 1]] * weights[e + 1];
      } else {
        s0 += contribution[sources[e]];
        s1 += contribution[sources[e + 1]];
      }
    }
    if (e < end) s0 += contribution[sources[e]] * (kWeighted ? weights[e] : 1.0);
    const double p = kPersonalised ? teleport[v] : uniform;
    double xv = damping * (s0 + s1) + base * p;
    if (solve) xv *= solve[v];
    change += std::abs(xv - x[v]);
    x[v] = xv;
    contribution[v] = xv * inverse_out[v];
    mass += xv;
    if (inverse_out[v] == 0) dangling += xv;
  }
  totals.change += change;
  totals.dangling += dangling;
  totals.mass += mass;
}

// ---- Component-ordered solver (as PRPACK's "scc" method, Gleich's thesis ch. 2).
//
// When dangling rank follows the teleport distribution p, the scores are proportional to the
// solution y of the leaky system y = d Aᵀy + p (A: the walk's matrix with dangling rows empty):
// x = d Aᵀx + (d D + (1 − d) S) p is y times the scalar d D + (1 − d) S. y is solved one strongly
// connected component at a time in topological order (upstream first), so every in-edge from
// another component reads a final value: a vertex in no cycle is computed exactly, once, and only
// the components with cycles are swept (Gauss–Seidel, each its own stopping test), their in-flow
// from upstream summed once before their sweeps. On the chain-shaped graphs most vertices sit in
// no cycle or in tiny ones; the sweeps are spent on the trade / cooperation core only.

constexpr double kOverRelaxation = 1.1;
// The threaded whole-graph sweeps are used when the largest component holds this share of the
// vertices (and the graph is large enough for two threads).
constexpr double kThreadedShare = 0.9;

// Strongly connected components of the kept edges (iterative Tarjan). Returns each vertex's
// component, numbered in topological order (an edge goes to the same or a later component).
std::vector<uint32_t> TopologicalComponents(const WeightedCsr& g, bool weighted, uint32_t& count,
                                            std::vector<uint32_t>& popped) {
  const uint32_t n = g.n;
  constexpr uint32_t kUnset = UINT32_MAX;
  // index[v]: kUnset before v is reached, its discovery number while on the stack, kDone once
  // in a component. kDone is larger than every discovery number, so one read and one min per
  // edge do both of Tarjan's tests (only a vertex still on the stack can lower low[v]).
  constexpr uint32_t kDone = UINT32_MAX - 1;
  std::vector<uint32_t> index(n, kUnset), low(n), component(n), stack, call_vertex(n), call_edge(n);
  popped.clear();
  popped.reserve(n);
  stack.reserve(n);
  uint32_t next_index = 0, emitted = 0, depth = 0;
  auto enter = [&](uint32_t v) {
    index[v] = low[v] = next_index++;
    stack.push_back(v);
    call_vertex[depth] = v;
    call_edge[depth] = g.offsets[v];
    ++depth;
  };
  for (uint32_t root = 0; root < n; ++root) {
    if (index[root] != kUnset) continue;
    enter(root);
    while (depth > 0) {
      const uint32_t v = call_vertex[depth - 1];
      uint32_t e = call_edge[depth - 1];
      const uint32_t end = g.offsets[v + 1];
      uint32_t lv = low[v];
      bool descended = false;
      for (; e < end; ++e) {
        if (weighted && !(g.weights[e] > 0)) continue;
        const uint32_t w = g.targets[e];
        const uint32_t x = index[w];
        if (x == kUnset) {
          call_edge[depth - 1] = e + 1;
          low[v] = lv;
          enter(w);
          descended = true;
          break;
        }
        lv = std::min(lv, x);
      }
      if (descended) continue;
      low[v] = lv;
      --depth;
      if (depth > 0) {
        const uint32_t parent = call_vertex[depth - 1];
        low[parent] = std::min(low[parent], lv);
      }
      if (lv == index[v]) {
        uint32_t w;
        do {
          w = stack.back();
          stack.pop_back();
          index[w] = kDone;
          component[w] = emitted;
          popped.push_back(w);
        } while (w != v);
        ++emitted;
      }
    }
  }
  // Tarjan emits a component after every component it reaches: reverse for upstream first.
  for (uint32_t& c : component) c = emitted - 1 - c;
  count = emitted;
  return component;
}

// In-degree (self-loops and dropped edges left out), inverse out-weight (0: dangling) and
// self-loop weight of every vertex, in the input's ids: they need no component order, so they
// are counted on a second thread while the first finds the components.
struct Degrees {
  std::vector<uint32_t> in;
  std::vector<double> inverse_out, self_loop;

  Degrees(const WeightedCsr& g, bool weighted) : in(g.n, 0), inverse_out(g.n), self_loop(g.n, 0.0) {
    for (uint32_t u = 0; u < g.n; ++u) {
      double out = 0;
      for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        if (weighted && !(g.weights[e] > 0)) continue;
        const double w = weighted ? g.weights[e] : 1.0;
        out += w;
        if (g.targets[e] == u) {
          self_loop[u] += w;
        } else {
          in[g.targets[e]]++;
        }
      }
      inverse_out[u] = out > 0 ? 1.0 / out : 0.0;
    }
  }
};

PageRankResult PageRankByComponents(const WeightedCsr& g, const PageRankOptions& options,
                                    const std::vector<double>& teleport,
                                    const std::vector<uint32_t>& component, uint32_t components,
                                    const std::vector<uint32_t>& popped, const Degrees& degrees) {
  const uint32_t n = g.n;
  const double d = options.damping;
  const bool weighted = options.weighted;
  const bool personalised = !teleport.empty();
  PageRankResult result;
  // New ids: by component, upstream first; inside a component in the order the depth-first
  // search discovered its vertices (Gauss–Seidel gains when a vertex comes after the vertices it
  // pulls from, and discovery order follows the edges: 21 sweeps instead of 23 by descending id
  // on the small bench graph). order[new] = old, rank[old] = new.
  std::vector<uint32_t> first(size_t{components} + 1, 0);
  for (uint32_t c : component) first[c + 1]++;
  for (uint32_t c = 0; c < components; ++c) first[c + 1] += first[c];
  std::vector<uint32_t> order(n), rank(n);
  {
    std::vector<uint32_t> next(first.begin(), first.end() - 1);
    for (uint32_t k = n; k-- > 0;) {
      const uint32_t v = popped[k];
      const uint32_t at = next[component[v]]++;
      order[at] = v;
      rank[v] = at;
    }
  }

  // In-edges in new ids; out-weights and self-loops (counted in the input's ids, see Degrees).
  std::vector<double> inverse_out(n), self_loop(n);
  std::vector<uint32_t> offsets(size_t{n} + 1, 0);
  for (uint32_t i = 0; i < n; ++i) {
    const uint32_t v = order[i];
    inverse_out[i] = degrees.inverse_out[v];
    self_loop[i] = degrees.self_loop[v];
    offsets[i + 1] = degrees.in[v];
  }
  for (uint32_t v = 0; v < n; ++v) offsets[v + 1] += offsets[v];
  const uint32_t m = offsets[n];
  LargeArray<uint32_t> sources(m);
  LargeArray<float> weights(weighted ? m : 0);
  {
    std::vector<uint32_t> next(offsets.begin(), offsets.end() - 1);
    // In the input's order (its rows are read one after the other); a row's in-edges then come
    // in no particular order, and the rows of components with cycles are split below.
    for (uint32_t u = 0; u < n; ++u) {
      const uint32_t i = rank[u];
      for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
        if (weighted && !(g.weights[e] > 0)) continue;
        const uint32_t v = g.targets[e];
        if (v == u) continue;
        const uint32_t at = next[rank[v]]++;
        sources[at] = i;
        if (weighted) weights[at] = g.weights[e];
      }
    }
  }
  std::vector<uint32_t>().swap(rank);

  // y, and c_u = y_u / W_u for the pulls.
  std::vector<double> y(n, 0.0), contribution(n, 0.0);
  const double uniform = 1.0 / n;
  auto p_of = [&](uint32_t i) { return personalised ? teleport[order[i]] : uniform; };
  auto solve = [&](uint32_t i) {
    return self_loop[i] > 0 ? 1 / (1 - d * self_loop[i] * inverse_out[i]) : 1.0;
  };
  auto pull = [&](uint32_t from, uint32_t to) {
    double s0 = 0, s1 = 0;
    uint32_t e = from;
    if (weighted) {
      for (; e + 1 < to; e += 2) {
        s0 += contribution[sources[e]] * weights[e];
        s1 += contribution[sources[e + 1]] * weights[e + 1];
      }
      if (e < to) s0 += contribution[sources[e]] * weights[e];
    } else {
      for (; e + 1 < to; e += 2) {
        s0 += contribution[sources[e]];
        s1 += contribution[sources[e + 1]];
      }
      if (e < to) s0 += contribution[sources[e]];
    }
    return s0 + s1;
  };
  std::vector<double> outside;     // per vertex of a component: p_v + d · (in-flow from upstream)
  std::vector<uint32_t> internal;  // per vertex of a component: its first in-edge from inside
  bool converged = true;
  double residual = 0, mass = 0;
  for (uint32_t c = 0; c < components; ++c) {
    const uint32_t lo = first[c], hi = first[c + 1];
    if (hi - lo == 1) {
      // No cycle through it but a self-loop, solved for exactly.
      const double v = (p_of(lo) + d * pull(offsets[lo], offsets[lo + 1])) * solve(lo);
      y[lo] = v;
      mass += v;
      contribution[lo] = v * inverse_out[lo];
      result.iterations = std::max(result.iterations, 1);
      continue;
    }
    const uint32_t size = hi - lo;
    outside.resize(size);
    internal.resize(size);
    for (uint32_t i = lo; i < hi; ++i) {
      // The in-edges from upstream (sources < lo) to the front of the row.
      uint32_t split = offsets[i];
      for (uint32_t k = offsets[i]; k < offsets[i + 1]; ++k) {
        if (sources[k] < lo) {
          std::swap(sources[k], sources[split]);
          if (weighted) std::swap(weights[k], weights[split]);
          ++split;
        }
      }
      internal[i - lo] = split;
      outside[i - lo] = p_of(i) + d * pull(offsets[i], split);
      y[i] = outside[i - lo] * solve(i);  // the first guess: upstream in-flow only
      contribution[i] = y[i] * inverse_out[i];
    }
    // Stop when a sweep changes the component by ≤ the tolerance relative to the mass so far (a
    // lower bound on the final Σ y, by which the scores are divided).
    for (uint32_t i = lo; i < hi; ++i) mass += y[i];
    const double goal = options.tolerance * mass;
    // Over-relaxed (SOR, ω = kOverRelaxation): on the medium bench graph's core 29 sweeps
    // instead of 37. ω > 1 is not guaranteed to converge on every graph, so a sweep that changes
    // the component more than the one before it turns the relaxation off for the component.
    double omega = kOverRelaxation;
    int sweeps = 0;
    double change = 0, previous = HUGE_VAL;
    do {
      change = 0;
      for (uint32_t i = lo; i < hi; ++i) {
        double v = (outside[i - lo] + d * pull(internal[i - lo], offsets[i + 1])) * solve(i);
        v = y[i] + omega * (v - y[i]);
        change += std::abs(v - y[i]);
        y[i] = v;
        contribution[i] = v * inverse_out[i];
      }
      ++sweeps;
      if (change > previous) omega = 1;
      previous = change;
    } while (change > goal && sweeps < options.max_iterations);
    result.iterations = std::max(result.iterations, sweeps);
    residual += change;
    for (uint32_t i = lo; i < hi; ++i) mass += y[i] - outside[i - lo] * solve(i);
    if (change > goal) converged = false;
  }

  double total = 0;
  for (double v : y) total += v;
  result.scores.assign(n, 0.0);
  for (uint32_t i = 0; i < n; ++i) result.scores[order[i]] = y[i] / total;
  result.residual = residual / total;
  result.converged = converged;
  return result;
}

}  // namespace

PageRankResult PageRank(const WeightedCsr& g, const PageRankOptions& options) {
  const auto started = std::chrono::steady_clock::now();
  CheckCsr(g, "PageRank");
  const double d = options.damping;
  if (!(d >= 0 && d < 1)) Invalid("damping " + std::to_string(d) + " is outside [0, 1)");
  if (!(options.tolerance > 0)) Invalid("tolerance must be > 0");
  if (options.max_iterations < 1) Invalid("max_iterations must be >= 1");
  const uint32_t n = g.n;
  const bool personalised = !options.personalization.empty();
  std::vector<double> teleport;
  if (personalised) {
    if (options.personalization.size() != n) {
      Invalid("the personalisation vector has " + std::to_string(options.personalization.size()) +
              " entries for " + std::to_string(n) + " vertices");
    }
    double total = 0;
    for (double p : options.personalization) {
      if (!(std::isfinite(p) && p >= 0)) {
        Invalid("personalisation entries must be finite and >= 0");
      }
      total += p;
    }
    if (!(total > 0)) Invalid("the personalisation vector is all zero");
    teleport = HugeVector(n);
    for (uint32_t v = 0; v < n; ++v) teleport[v] = options.personalization[v] / total;
  }

  PageRankResult result;
  if (n == 0) {
    result.converged = true;
    return result;
  }
  const double work = static_cast<double>(n) + static_cast<double>(g.NumEdges());
  const int threads = std::max(
      1, std::min(ResolveThreads(options.threads), static_cast<int>(work / kMinWorkPerThread)));
  {
    // Component by component (single-threaded), unless one component holds nearly every vertex
    // and there are threads to share the sweeps: then the component order buys nothing and the
    // threaded sweeps below are faster.
    uint32_t components = 0;
    std::vector<uint32_t> popped, component;
    std::unique_ptr<Degrees> degrees;
    {
      std::jthread counting;
      auto count = [&] { degrees = std::make_unique<Degrees>(g, options.weighted); };
      if (threads > 1) {
        counting = std::jthread(count);
      } else {
        count();
      }
      component = TopologicalComponents(g, options.weighted, components, popped);
    }
    uint32_t largest = 0;
    {
      std::vector<uint32_t> size(components, 0);
      for (uint32_t c : component) largest = std::max(largest, ++size[c]);
    }
    if (threads == 1 || largest < kThreadedShare * n) {
      result = PageRankByComponents(g, options, teleport, component, components, popped, *degrees);
      result.seconds =
          std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
      return result;
    }
  }
  std::unique_ptr<Schedule> schedule;
  const PullGraph pull = BuildPullGraph(g, options.weighted, threads, schedule);
  const int phases = schedule->phases;

  LargeArray<double> solve;
  if (!pull.self_loop.empty()) {
    solve = LargeArray<double>(n);
    for (uint32_t v = 0; v < n; ++v) {
      solve[v] = 1 / (1 - d * pull.self_loop[v] * pull.inverse_out_weight[v]);
    }
  }

  // Start from the teleport distribution.
  const double uniform = 1.0 / n;
  std::vector<double> x = HugeVector(n);
  LargeArray<double> contribution(n);
  double dangling = 0, mass = 0;
  for (uint32_t v = 0; v < n; ++v) {
    x[v] = personalised ? teleport[v] : uniform;
    contribution[v] = x[v] * pull.inverse_out_weight[v];
    mass += x[v];
    if (pull.inverse_out_weight[v] == 0) dangling += x[v];
  }
  // Snapshots of the phase being swept and of the next one, by parity of the running phase count.
  std::vector<double> snapshot[2];
  // The phases run in sweep order: first to last, or last to first when sweeping down.
  const bool descending = pull.descending;
  auto phase_at = [&](int count) {
    const int j = count % phases;
    return descending ? phases - 1 - j : j;
  };
  if (threads > 1) {
    for (auto& buffer : snapshot) buffer.resize(schedule->largest_phase);
    const int first = phase_at(0);
    std::copy(contribution.data() + schedule->phase[first],
              contribution.data() + schedule->phase[first + 1], snapshot[0].begin());
  }

  std::vector<SweepTotals> partial(threads);
  bool stop = false;
  int phases_done = 0;
  auto phase_done = [&]() noexcept {
    if (++phases_done % phases != 0) return;
    SweepTotals sum;
    for (const SweepTotals& p : partial) {  // a fixed order: deterministic
      sum.change += p.change;
      sum.dangling += p.dangling;
      sum.mass += p.mass;
    }
    result.iterations++;
    result.residual = sum.change / sum.mass;  // the L1 change of the normalised scores
    result.converged = result.residual <= options.tolerance;
    dangling = sum.dangling;
    mass = sum.mass;
    stop = result.converged || result.iterations >= options.max_iterations;
  };
  std::barrier sync(threads, phase_done);
  auto sweep = options.weighted
                   ? (personalised ? &SweepPiece<true, true> : &SweepPiece<true, false>)
                   : (personalised ? &SweepPiece<false, true> : &SweepPiece<false, false>);
  RunParallel(threads, [&](int t) {
    for (int count = 0;; ++count) {
      const int j = phase_at(count);
      if (count % phases == 0) partial[t] = SweepTotals{};
      const double base = d * dangling + (1 - d) * mass;
      sweep(pull, schedule->PieceBegin(j, t), schedule->PieceEnd(j, t), snapshot[count & 1].data(),
            contribution.data(), x.data(), d, base, uniform, teleport.data(),
            solve.empty() ? nullptr : solve.data(), partial[t]);
      if (threads > 1) {
        // This thread's piece of the next phase, as it is before that phase.
        const int next = phase_at(count + 1);
        const uint32_t lo = schedule->PieceBegin(next, t), hi = schedule->PieceEnd(next, t);
        std::copy(contribution.data() + lo, contribution.data() + hi,
                  snapshot[(count + 1) & 1].begin() + (lo - schedule->phase[next]));
      }
      sync.arrive_and_wait();
      if (count % phases == phases - 1 && stop) return;
    }
  });

  // The fixed point is defined up to scale: normalise to sum 1.
  double total = 0;
  for (double v : x) total += v;
  for (double& v : x) v /= total;
  result.scores = std::move(x);
  result.seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  return result;
}

}  // namespace chainatlas::kernels
