#include "matcher/relatedness.h"

#include <algorithm>
#include <unordered_set>

#include "graph/error.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"

namespace chainatlas::matcher {

long RelatednessTable::RowOf(VertexId region) const {
  auto it = row.find(region);
  return it == row.end() ? -1 : static_cast<long>(it->second);
}

long RelatednessTable::ColOf(VertexId segment) const {
  auto it = col.find(segment);
  return it == col.end() ? -1 : static_cast<long>(it->second);
}

std::string OpportunityGainDefinition() {
  return "Atlas of Economic kernels::Complexity (2014), Technical Box 5.4: for a segment the "
         "region lacks "
         "(M_cp = 0), OG_cp = Σ_p' [φ_pp' / Σ_p'' φ_p''p'] (1 − M_cp') PCI_p' − (1 − d_cp) PCI_p, "
         "with distance d_cp = 1 − ω_cp; 0 where M_cp = 1";
}

RelatednessTable BuildRelatedness(const Snapshot& s, RegionLevel level, VertexId track) {
  if (level == RegionLevel::kPark) {
    throw Error(ErrorCode::kInvalidArgument, Msg("relatedness.level"));
  }
  if (track != kNoVertex && s.Kind(track) != NodeKind::kTrack) {
    throw Error(ErrorCode::kInvalidArgument,
                Msg("relatedness.not_track", {{"id", s.Label(track)}}));
  }
  RelatednessTable t;
  t.level = level;
  t.track = track;
  // Segments with at least one direct producer (within the track).
  std::vector<VertexId> segments;
  if (track != kNoVertex) {
    segments = s.taxonomy().SegmentsBelow(track);
  } else {
    for (VertexId v = 0; v < s.NumVertices(); ++v) {
      if (s.Kind(v) == NodeKind::kSegment) segments.push_back(v);
    }
  }
  // (region row, segment) → distinct enterprises.
  std::unordered_map<VertexId, std::vector<std::pair<VertexId, VertexId>>>
      cells;  // segment → (region, enterprise)
  std::unordered_set<VertexId> regions;
  const RegionTree& rt = s.regions();
  for (VertexId seg : segments) {
    std::vector<std::pair<VertexId, VertexId>> here;
    for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
      for (VertexId e : s.In(seg, k).Vertices()) {
        VertexId r = s.Region(e);
        if (r == kNoVertex) continue;
        VertexId at = rt.AncestorAtLevel(r, level);
        if (at == kNoVertex) continue;
        here.push_back({at, e});
      }
    }
    if (here.empty()) continue;
    std::sort(here.begin(), here.end());
    here.erase(std::unique(here.begin(), here.end()), here.end());
    for (const auto& [r, e] : here) regions.insert(r);
    cells.emplace(seg, std::move(here));
  }
  for (const auto& [seg, _] : cells) t.segments.push_back(seg);
  t.regions.assign(regions.begin(), regions.end());
  auto by_key = [&](VertexId a, VertexId b) { return s.Key(a) < s.Key(b); };
  std::sort(t.segments.begin(), t.segments.end(), by_key);
  std::sort(t.regions.begin(), t.regions.end(), by_key);
  for (size_t i = 0; i < t.regions.size(); ++i) t.row[t.regions[i]] = i;
  for (size_t j = 0; j < t.segments.size(); ++j) t.col[t.segments[j]] = j;
  std::vector<kernels::ActivityCell> activity;
  for (const auto& [seg, list] : cells) {
    uint32_t j = static_cast<uint32_t>(t.col[seg]);
    for (const auto& [r, e] : list) activity.push_back({static_cast<uint32_t>(t.row[r]), j, 1.0});
  }
  t.complexity = kernels::ComputeSparseComplexity(t.regions.size(), t.segments.size(),
                                                  std::move(activity));
  return t;
}

}  // namespace chainatlas::matcher
