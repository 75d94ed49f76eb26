// Relatedness of regions and segments on the snapshot: the region × segment activity matrix and
// its economic-complexity measures (complexity.h).
//
// Rows are the regions at one level (county, city or province) holding at least one producer;
// columns the segments (of one track, or all) with at least one producer. X_cp counts the
// distinct enterprises located in c or below that make p directly (produces, or member_of for
// industry classifications). Segments with children count only their direct producers, so a
// parent and its children are not forced to co-locate.
//
// The measures are kept sparse (SparseComplexity, complexity.h): no segments × segments or
// regions × segments matrix is formed, so there is no cap on the number of segments (all of
// ChainKnowledgeGraph: 26,000 segments with producers at province level). Density, distance and
// opportunity gain are computed per region row when asked for (Row).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "graph/snapshot.h"
#include "kernels/complexity.h"

namespace chainatlas::matcher {

struct RelatednessTable {
  RegionLevel level = RegionLevel::kCounty;
  VertexId track = kNoVertex;            // kNoVertex: every segment
  std::vector<VertexId> regions;         // rows, by key
  std::vector<VertexId> segments;        // columns, by key
  kernels::SparseComplexity complexity;  // activity, RCA and M per cell; the rest per row
  std::unordered_map<VertexId, size_t> row, col;
  // Index of a region / segment, or -1 when it is not in the table.
  long RowOf(VertexId region) const;
  long ColOf(VertexId segment) const;
  // X_cp (0 where the region does not make the segment).
  double Activity(size_t row_index, size_t col_index) const {
    return complexity.Activity(row_index, col_index);
  }
};

// The opportunity-gain definition ComputeComplexity uses, in words (for output and the README).
std::string OpportunityGainDefinition();

// Throws Error(kInvalidArgument) when level is park or track is not a track.
RelatednessTable BuildRelatedness(const Snapshot& s, RegionLevel level, VertexId track);

}  // namespace chainatlas::matcher
