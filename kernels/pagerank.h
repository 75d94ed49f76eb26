// PageRank and personalised PageRank on a weighted directed graph.
//
// The rank of a dangling vertex (no out-edges, or only zero-weight ones) is spread over the
// vertices by the teleport distribution (uniform, or the personalisation vector), as igraph and
// NetworkX do, so the scores always sum to 1; iteration stops when the L1 change between two
// iterations is ≤ tolerance (Boost's page_rank does neither: it leaks the rank of dangling
// vertices and runs a fixed number of iterations). Solved strongly connected component by
// component in topological order (Gauss–Seidel sweeps over the components with cycles, each to
// its own stopping test; `iterations` is then the most sweeps any component took), or, when one
// component holds nearly every vertex of a graph large enough for two threads, by threaded
// Gauss–Seidel sweeps of the whole graph.
#pragma once

#include <vector>

#include "kernels/csr.h"

namespace chainatlas::kernels {

struct PageRankOptions {
  double damping = 0.85;
  double tolerance = 1e-10;  // L1 change between iterations at which to stop
  int max_iterations = 1000;
  bool weighted = true;  // false: every edge weight 1
  // Empty: uniform teleport. Otherwise one non-negative number per vertex (not all zero),
  // normalised here; teleport and dangling rank follow it (personalised PageRank).
  std::vector<double> personalization;
  int threads = 0;  // 0: all hardware threads
};

struct PageRankResult {
  std::vector<double> scores;  // one per vertex, summing to 1
  int iterations = 0;
  double residual = 0;  // the last L1 change
  bool converged = false;
  double seconds = 0;  // the kernel alone
};

// Throws Error(kInvalidArgument) for a damping outside [0, 1), a tolerance ≤ 0, or a bad
// personalisation vector (wrong size, negative, all zero); also for max_iterations < 1 and a
// malformed graph (CheckCsr). With weighted, zero-weight edges count as absent. The scores are
// the same bit for bit on every run with the same input and thread count (a small graph uses
// fewer threads than asked: about one per 100k vertices + edges).
PageRankResult PageRank(const WeightedCsr& g, const PageRankOptions& options = {});

}  // namespace chainatlas::kernels
