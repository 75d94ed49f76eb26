#include "matcher/analytics.h"

#include "kernels/pagerank.h"
#include "matcher/recommend.h"

namespace chainatlas::matcher {

Analytics::Analytics(std::shared_ptr<const Snapshot> snapshot) : snapshot_(std::move(snapshot)) {}

std::shared_ptr<const RelatednessTable> Analytics::Relatedness(RegionLevel level,
                                                               VertexId track) const {
  std::lock_guard<std::mutex> lock(mutex_);
  auto key = std::make_pair(level, track);
  auto it = tables_.find(key);
  if (it != tables_.end()) return it->second;
  auto table = std::make_shared<const RelatednessTable>(BuildRelatedness(*snapshot_, level, track));
  tables_.emplace(key, table);
  return table;
}

const std::vector<double>& Analytics::SupplyRank() const {
  std::call_once(rank_once_, [&] {
    const Snapshot& s = *snapshot_;
    std::vector<uint32_t> src, dst;
    std::vector<float> w;
    auto add = [&](VertexId a, VertexId b, double weight) {
      if (weight <= 0 || a == b) return;
      src.push_back(a);
      dst.push_back(b);
      w.push_back(static_cast<float>(weight));
    };
    for (VertexId v = 0; v < s.NumVertices(); ++v) {
      if (s.Kind(v) == NodeKind::kEnterprise) {
        // A firm points at the segments it needs, and at the suppliers it is known to buy from.
        for (const SegmentShare& mine : SegmentsOf(s, v)) {
          for (Neighbor in : s.In(mine.segment, EdgeKind::kSupplies)) {
            add(v, in.vertex, in.weight * mine.share);
          }
        }
        for (Neighbor sup : s.In(v, EdgeKind::kTradesWith)) add(v, sup.vertex, sup.weight);
      } else if (s.Kind(v) == NodeKind::kSegment) {
        // A segment points at the firms that make it.
        for (Neighbor p : s.In(v, EdgeKind::kProduces))
          add(v, p.vertex, p.weight > 0 ? p.weight : 1.0);
        for (Neighbor p : s.In(v, EdgeKind::kMemberOf))
          add(v, p.vertex, 0.5 * (p.weight > 0 ? p.weight : 1.0));
      }
    }
    kernels::WeightedCsr g = kernels::BuildCsr(static_cast<uint32_t>(s.NumVertices()), src, dst, w);
    rank_ = kernels::PageRank(g).scores;
  });
  return rank_;
}

}  // namespace chainatlas::matcher
