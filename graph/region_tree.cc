#include "graph/region_tree.h"

#include <algorithm>

namespace chainatlas {
namespace {

std::vector<VertexId> VerticesOfKind(const Snapshot& s, NodeKind kind) {
  std::vector<VertexId> out;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (s.Kind(v) == kind) out.push_back(v);
  }
  return out;
}

}  // namespace

RegionTree::RegionTree(const Snapshot& snapshot)
    : snapshot_(snapshot), forest_(VerticesOfKind(snapshot, NodeKind::kRegion), [&](VertexId v) {
        return snapshot.RegionInfo(v).parent;
      }) {
  for (VertexId v = 0; v < snapshot.NumVertices(); ++v) {
    if (snapshot.Region(v) != kNoVertex) members_[snapshot.Region(v)].push_back(v);
  }
}

bool RegionTree::Within(VertexId v, VertexId region) const {
  VertexId r = snapshot_.Kind(v) == NodeKind::kRegion ? v : snapshot_.Region(v);
  return r != kNoVertex && forest_.Contains(region, r);
}

VertexId RegionTree::AncestorAtLevel(VertexId r, RegionLevel level) const {
  for (VertexId x = r; x != kNoVertex; x = forest_.Parent(x)) {
    if (snapshot_.RegionInfo(x).level == level) return x;
  }
  return kNoVertex;
}

const std::vector<VertexId>& RegionTree::Members(VertexId r) const {
  static const std::vector<VertexId> kNone;
  auto it = members_.find(r);
  return it == members_.end() ? kNone : it->second;
}

std::vector<VertexId> RegionTree::MembersWithin(VertexId r) const {
  std::vector<VertexId> out;
  for (VertexId x : forest_.SelfAndDescendants(r)) {
    const auto& m = Members(x);
    out.insert(out.end(), m.begin(), m.end());
  }
  std::sort(out.begin(), out.end());
  return out;
}

}  // namespace chainatlas
