// Betweenness centrality (Brandes 2001) on a directed graph, unweighted or weighted (weights as
// lengths), run on all hardware threads.
#pragma once

#include <vector>

#include "kernels/csr.h"

namespace chainatlas::kernels {

struct BetweennessOptions {
  bool weighted = false;    // true: shortest paths by total weight (weights must be > 0)
  bool normalized = false;  // true: divide by (n-1)(n-2), as NetworkX does for directed graphs
  int threads = 0;          // 0: all hardware threads
  // The sources of the shortest-path searches; empty: every vertex (exact betweenness). A
  // sample of sources gives the partial sums NetworkX's betweenness_centrality_subset(sources,
  // targets=all) computes (normalized then still divides by (n-1)(n-2)).
  std::vector<uint32_t> sources;
};

struct BetweennessResult {
  std::vector<double> scores;  // one per vertex
  double seconds = 0;          // the kernel alone
};

// Throws Error(kInvalidArgument) for a malformed graph, or when weighted and some weight is not
// finite and > 0. A repeated edge is one edge, of the summed length BuildCsr gave it (igraph would
// count it as parallel paths). The scores are the same on every run with the same thread count.
BetweennessResult Betweenness(const WeightedCsr& g, const BetweennessOptions& options = {});

}  // namespace chainatlas::kernels
