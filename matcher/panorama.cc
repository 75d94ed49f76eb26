#include "matcher/panorama.h"

#include <algorithm>

#include "graph/error.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"

namespace chainatlas::matcher {

Panorama ChainPanorama(const Snapshot& s, VertexId region, VertexId track) {
  if (region >= s.NumVertices() || s.Kind(region) != NodeKind::kRegion) {
    throw Error(ErrorCode::kInvalidArgument, "panorama: not a region");
  }
  if (track >= s.NumVertices() || s.Kind(track) != NodeKind::kTrack) {
    throw Error(ErrorCode::kInvalidArgument, "panorama: not a track");
  }
  const RegionTree& regions = s.regions();
  const Forest& tree = s.taxonomy().forest();
  Panorama p;
  p.region = region;
  p.track = track;
  size_t demanded = 0, demanded_and_made = 0;
  for (VertexId seg : s.taxonomy().SegmentsBelow(track)) {
    PanoramaSegment row;
    row.segment = seg;
    row.depth = tree.Depth(seg);
    for (Neighbor nb : s.In(seg, EdgeKind::kProduces)) {
      if (regions.Within(nb.vertex, region)) {
        row.local_producers.push_back(nb.vertex);
      } else {
        row.producers_elsewhere++;
      }
    }
    for (Neighbor out : s.Out(seg, EdgeKind::kSupplies)) {
      for (Neighbor buyer : s.In(out.vertex, EdgeKind::kProduces)) {
        if (regions.Within(buyer.vertex, region)) row.local_buyers.push_back(buyer.vertex);
      }
    }
    std::sort(row.local_buyers.begin(), row.local_buyers.end());
    row.local_buyers.erase(std::unique(row.local_buyers.begin(), row.local_buyers.end()),
                           row.local_buyers.end());
    for (Neighbor h : s.In(seg, EdgeKind::kClinicalDemand)) {
      if (regions.Within(h.vertex, region)) row.local_hospitals.push_back(h.vertex);
    }
    if (!row.local_buyers.empty() || !row.local_hospitals.empty()) {
      ++demanded;
      if (!row.local_producers.empty()) ++demanded_and_made;
    }
    p.segments.push_back(std::move(row));
  }
  if (demanded) p.covered_share_of_demanded = static_cast<double>(demanded_and_made) / demanded;
  return p;
}

}  // namespace chainatlas::matcher
