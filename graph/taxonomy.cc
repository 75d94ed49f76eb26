#include "graph/taxonomy.h"

namespace chainatlas {
namespace {

std::vector<VertexId> TracksAndSegments(const Snapshot& s) {
  std::vector<VertexId> out;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (s.Kind(v) == NodeKind::kTrack || s.Kind(v) == NodeKind::kSegment) out.push_back(v);
  }
  return out;
}

}  // namespace

Taxonomy::Taxonomy(const Snapshot& snapshot)
    : snapshot_(snapshot), forest_(TracksAndSegments(snapshot), [&](VertexId v) {
        if (snapshot.Kind(v) == NodeKind::kTrack) return kNoVertex;
        const SegmentAttributes& a = snapshot.Segment(v);
        return a.parent != kNoVertex ? a.parent : a.track;
      }) {}

VertexId Taxonomy::TrackOf(VertexId v) const {
  if (snapshot_.Kind(v) == NodeKind::kTrack) return v;
  return snapshot_.Segment(v).track;
}

}  // namespace chainatlas
