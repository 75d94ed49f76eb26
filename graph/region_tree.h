// The administrative-region hierarchy (province → city → county → park, GB/T 2260 codes) and the
// organisations located in each region, with "everything below" queries.
#pragma once

#include <vector>

#include "graph/forest.h"

namespace chainatlas {

class RegionTree {
 public:
  explicit RegionTree(const Snapshot& snapshot);

  const Forest& forest() const { return forest_; }
  bool IsRegion(VertexId v) const { return forest_.Has(v); }
  // True when region r is `ancestor` or lies below it.
  bool Contains(VertexId ancestor, VertexId r) const { return forest_.Contains(ancestor, r); }
  // True when organisation (or region) v sits in `region` or anywhere below it.
  bool Within(VertexId v, VertexId region) const;
  // The region at `level` on the way up from r (r itself if it is at that level); kNoVertex if
  // there is none.
  VertexId AncestorAtLevel(VertexId r, RegionLevel level) const;
  // Organisations located directly in r / in r or anywhere below it (sorted by vertex id).
  const std::vector<VertexId>& Members(VertexId r) const;
  std::vector<VertexId> MembersWithin(VertexId r) const;

 private:
  const Snapshot& snapshot_;
  Forest forest_;
  std::unordered_map<VertexId, std::vector<VertexId>> members_;
};

}  // namespace chainatlas
