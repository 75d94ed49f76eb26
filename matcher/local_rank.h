// Graph proximity for recommendations: personalised PageRank from one vertex, approximated by
// forward push (Andersen, Chung & Lang 2006) over the typed graph taken as undirected and
// unweighted (every relation except part_of). The work is bounded by 1 / (alpha · epsilon) edge
// visits whatever the graph's size, and the answer is deterministic: pushes run in FIFO order
// from the seed. Each returned score is within epsilon · degree of the exact personalised PageRank.
#pragma once

#include <cstdint>
#include <unordered_map>
#include <vector>

#include "graph/snapshot.h"

namespace chainatlas::matcher {

struct LocalRankOptions {
  double alpha = 0.15;    // restart probability
  double epsilon = 1e-5;  // push while residual ≥ epsilon · degree
};

// Per vertex, its degree as the push counts it (every relation but part_of, both ways): built on
// the first call (about four row lookups per vertex, once per snapshot), kept with the snapshot in
// Derived slot kPushDegreeSlot; 4 bytes per vertex. The push reads a neighbour's degree from it
// instead of searching the neighbour's rows for part_of on every visit.
inline constexpr int kPushDegreeSlot = 1;
const std::vector<uint32_t>& PushDegrees(const Snapshot& s);

// Scores of the vertices reached (absent: 0). The scores sum to at most 1.
std::unordered_map<VertexId, double> LocalPageRank(const Snapshot& s, VertexId seed,
                                                   const LocalRankOptions& options = {});

}  // namespace chainatlas::matcher
