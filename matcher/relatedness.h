// Relatedness of regions and segments on the snapshot: the region × segment activity matrix and
// its economic-complexity measures (complexity.h).
//
// Rows are the regions at one level (county, city or province) holding at least one producer;
// columns the segments (of one track, or all) with at least one producer. X_cp counts the
// distinct enterprises located in c or below that make p directly (produces, or member_of for
// industry classifications). Segments with children count only their direct producers, so a
// parent and its children are not forced to co-locate.
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "graph/snapshot.h"
#include "matcher/complexity.h"

namespace chainatlas::matcher {

struct RelatednessTable {
  RegionLevel level = RegionLevel::kCounty;
  VertexId track = kNoVertex;  // kNoVertex: every segment
  std::vector<VertexId> regions;   // rows, by key
  std::vector<VertexId> segments;  // columns, by key
  Matrix activity;
  Complexity complexity;
  std::unordered_map<VertexId, size_t> row, col;
  // Index of a region / segment, or -1 when it is not in the table.
  long RowOf(VertexId region) const;
  long ColOf(VertexId segment) const;
};

// The opportunity-gain definition ComputeComplexity uses, in words (for output and the README).
std::string OpportunityGainDefinition();

// Throws Error(kInvalidArgument) when level is park, track is not a track, or the table would be
// too large for dense proximity (more than kMaxSegments columns: pick a track).
inline constexpr size_t kMaxRelatednessSegments = 4000;
RelatednessTable BuildRelatedness(const Snapshot& s, RegionLevel level, VertexId track);

}  // namespace chainatlas::matcher
