// The chain panorama of a region for one track: every segment of the track, in tree order, with
// the local enterprises that produce it, the producers elsewhere, and the local demand for it
// (local enterprises whose own segments it supplies, local hospitals that use it).
#pragma once

#include <vector>

#include "graph/snapshot.h"

namespace chainatlas::matcher {

struct PanoramaSegment {
  VertexId segment = kNoVertex;
  int depth = 0;  // 1 = directly under the track
  std::vector<VertexId> local_producers;   // enterprises in the region, by vertex id
  size_t producers_elsewhere = 0;          // enterprises outside the region
  std::vector<VertexId> local_buyers;      // local enterprises producing a segment it supplies
  std::vector<VertexId> local_hospitals;   // local hospitals with clinical demand for it
};

struct Panorama {
  VertexId region = kNoVertex;
  VertexId track = kNoVertex;
  std::vector<PanoramaSegment> segments;  // preorder of the track's tree
  // Share of segments with local demand that also have a local producer (1 when none has demand).
  double covered_share_of_demanded = 1.0;
};

// Throws Error(kInvalidArgument) when region is not a region or track not a track.
Panorama ChainPanorama(const Snapshot& snapshot, VertexId region, VertexId track);

}  // namespace chainatlas::matcher
