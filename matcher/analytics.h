// The analytics computed once per snapshot and shared by every query on it: relatedness tables
// (per region level and track) and the supply-network PageRank. Thread-safe: the first query
// that needs a table builds it, concurrent ones wait for it, later ones reuse it. A reload makes a
// new Analytics beside the new snapshot.
#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <vector>

#include "graph/snapshot.h"
#include "matcher/relatedness.h"

namespace chainatlas::matcher {

class Analytics {
 public:
  explicit Analytics(std::shared_ptr<const Snapshot> snapshot);

  const Snapshot& snapshot() const { return *snapshot_; }
  const std::shared_ptr<const Snapshot>& snapshot_ptr() const { return snapshot_; }

  // The relatedness table at `level` for `track` (kNoVertex: all segments).
  std::shared_ptr<const RelatednessTable> Relatedness(RegionLevel level, VertexId track) const;

  // PageRank of every vertex on the supply network (leaders.h documents the graph); sums to 1.
  const std::vector<double>& SupplyRank() const;

 private:
  std::shared_ptr<const Snapshot> snapshot_;
  mutable std::mutex mutex_;
  mutable std::map<std::pair<RegionLevel, VertexId>, std::shared_ptr<const RelatednessTable>>
      tables_;
  mutable std::once_flag rank_once_;
  mutable std::vector<double> rank_;
};

}  // namespace chainatlas::matcher
