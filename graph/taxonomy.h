// The chain taxonomy: tracks (赛道) as roots, segments below them with an upstream / midstream /
// downstream position, and the supply relations between segments (the chain itself).
#pragma once

#include <vector>

#include "graph/forest.h"

namespace chainatlas {

class Taxonomy {
 public:
  explicit Taxonomy(const Snapshot& snapshot);

  const Forest& forest() const { return forest_; }
  const std::vector<VertexId>& Tracks() const { return forest_.Roots(); }
  // The track a segment belongs to (a track is its own track).
  VertexId TrackOf(VertexId segment_or_track) const;
  // The segments below a track or segment, in preorder.
  std::vector<VertexId> SegmentsBelow(VertexId track_or_segment) const {
    return forest_.Descendants(track_or_segment);
  }
  bool Contains(VertexId ancestor, VertexId segment) const {
    return forest_.Contains(ancestor, segment);
  }
  // Supply relations: the segments that feed `segment` / that `segment` feeds.
  Snapshot::NeighborRange Inputs(VertexId segment) const {
    return snapshot_.In(segment, EdgeKind::kSupplies);
  }
  Snapshot::NeighborRange Outputs(VertexId segment) const {
    return snapshot_.Out(segment, EdgeKind::kSupplies);
  }

 private:
  const Snapshot& snapshot_;
  Forest forest_;
};

}  // namespace chainatlas
