// A plain weighted directed graph in compressed sparse rows: the input of the graph kernels
// (PageRank, Louvain, betweenness). The matcher projects the typed Snapshot onto one of these (for
// example the enterprise supply network), and chainatlas-bench reads one from any edge list.
#pragma once

#include <cstddef>
#include <cstdint>
#include <vector>

namespace chainatlas::kernels {

struct WeightedCsr {
  uint32_t n = 0;                 // vertices 0..n-1
  std::vector<uint32_t> offsets;  // n + 1 entries; out-edges of v are [offsets[v], offsets[v+1])
  std::vector<uint32_t> targets;  // sorted within each vertex
  std::vector<float> weights;     // one per edge (all 1 for an unweighted graph)
  size_t NumEdges() const { return targets.size(); }
};

// Builds a CSR from an edge list (weight empty: every weight 1). Repeated (src, dst) pairs are
// merged by summing their weights; self-loops are kept. Throws Error(kInvalidArgument) on a vertex
// id ≥ n, a negative or non-finite weight, or mismatched vector sizes.
WeightedCsr BuildCsr(uint32_t n, const std::vector<uint32_t>& src, const std::vector<uint32_t>& dst,
                     const std::vector<float>& weight = {});

// The transpose (in-edges become out-edges), weights kept.
WeightedCsr Transposed(const WeightedCsr& g);

// The undirected version: w'(u,v) = w(u,v) + w(v,u), stored in both directions (a self-loop once,
// with its weight doubled, the convention under which igraph and NetworkX compute modularity).
WeightedCsr Symmetrised(const WeightedCsr& g);

// Throws Error(kInvalidArgument), naming `who`, unless g is well formed: n + 1 non-decreasing
// offsets from 0 to the number of edges, targets < n, one weight per edge.
void CheckCsr(const WeightedCsr& g, const char* who);

// True when every edge (u, v, w) has its reverse (v, u, w) with the same weight (rows must be
// sorted, as they are in a WeightedCsr).
bool IsSymmetric(const WeightedCsr& g);

// The number of worker threads for a request: `requested` when positive, otherwise all hardware
// threads (at least 1).
int ResolveThreads(int requested);

// Splits the vertices into at most `parts` contiguous ranges of about equal work, counting one
// per vertex plus one per out-edge. Returns the boundaries: ranges[i] .. ranges[i+1]; the first is
// 0 and the last is g.n.
std::vector<uint32_t> PartitionByEdges(const WeightedCsr& g, int parts);

}  // namespace chainatlas::kernels
