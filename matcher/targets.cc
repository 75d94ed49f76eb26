#include "matcher/targets.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "graph/region_tree.h"
#include "graph/taxonomy.h"

namespace chainatlas::matcher {
namespace {

struct Fill {
  const SegmentGap* gap;
  double value;  // priority × share factor
  Producer producer;
};

}  // namespace

TargetsResult RecommendTargets(const Analytics& a, VertexId region, const Filters& f) {
  const Snapshot& s = a.snapshot();
  RequireKind(s, region, NodeKind::kRegion, "--region");
  CheckFilters(s, f);
  const Scorer& scorer = FindScorer(f.scorer);
  const RegionTree& rt = s.regions();
  VertexId track = f.track == kNoVertex ? kNoVertex : s.taxonomy().TrackOf(f.track);
  GapAnalysis gaps = AnalyseGaps(a, region, track);

  TargetsResult result;
  result.region = region;
  result.track = f.track;
  std::vector<const SegmentGap*> open;
  for (const SegmentGap& g : gaps.segments) {
    if (g.status == SegmentStatus::kStrong || g.status == SegmentStatus::kAbsent) continue;
    if (!PassesTrack(s, f, g.segment)) continue;
    open.push_back(&g);
  }
  std::stable_sort(open.begin(), open.end(),
                   [](const SegmentGap* x, const SegmentGap* y) { return x->score > y->score; });
  for (const SegmentGap* g : open) result.gaps.push_back(g->segment);

  // Every enterprise outside the region that makes a gap segment, with each gap it fills.
  std::map<VertexId, std::vector<Fill>> fills;
  for (const SegmentGap* g : open) {
    std::map<VertexId, Producer> best;  // per enterprise, its largest share in this gap
    for (const Producer& p : ProducersOf(s, g->segment)) {
      if (rt.Within(p.enterprise, region)) continue;
      auto [it, fresh] = best.emplace(p.enterprise, p);
      if (!fresh && p.share > it->second.share) it->second = p;
    }
    for (const auto& [e, p] : best) fills[e].push_back({g, g->score * ShareFactor(p.share), p});
  }
  result.candidates = fills.size();

  for (auto& [e, list] : fills) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Fill& x, const Fill& y) { return x.value > y.value; });
    Item item;
    item.entity = e;
    for (const Fill& fl : list) item.via.push_back(fl.gap->segment);
    double segment = std::min(1.0, list.front().value + 0.1 * static_cast<double>(list.size() - 1));

    // Ties: local enterprises it already supplies, local organisations it cooperates with or
    // invests in.
    std::vector<VertexId> supplied, tied;
    for (VertexId c : s.Out(e, EdgeKind::kTradesWith).Vertices()) {
      if (rt.Within(c, region)) supplied.push_back(c);
    }
    for (EdgeKind k : {EdgeKind::kCooperates, EdgeKind::kInvests}) {
      for (VertexId x : s.Out(e, k).Vertices()) {
        if (rt.Within(x, region)) tied.push_back(x);
      }
      for (VertexId x : s.In(e, k).Vertices()) {
        if (rt.Within(x, region)) tied.push_back(x);
      }
    }
    std::sort(tied.begin(), tied.end());
    tied.erase(std::unique(tied.begin(), tied.end()), tied.end());
    double ties = std::min(1.0, 0.6 * supplied.size() + 0.3 * tied.size());

    Proximity prox = GeoProximity(s, region, e);
    std::vector<std::string> facts;
    double strength = Quality(s, e, &facts);
    double density = list.front().gap->density;
    double relatedness = std::isnan(density) ? 0.0 : density;
    ApplyScorer(scorer, "targets",
                {{"segment", segment},
                 {"strength", strength},
                 {"ties", ties},
                 {"proximity", ProximityValue(prox)},
                 {"relatedness", relatedness}},
                item);

    // Paths: the enterprise makes the gap segment, which local firms need.
    for (const Fill& fl : list) {
      if (item.paths.size() >= Candidates::kMaxPaths) break;
      Path p{e, {}};
      p.Then(fl.producer.via, true, fl.producer.segment);
      if (fl.producer.segment != fl.gap->segment) p.Then(EdgeKind::kPartOf, true, fl.gap->segment);
      if (!fl.gap->local_buyers.empty()) {
        VertexId buyer = fl.gap->local_buyers.front();
        // The segment the buyer makes that the gap supplies.
        for (VertexId out : s.Out(fl.gap->segment, EdgeKind::kSupplies).Vertices()) {
          bool found = false;
          for (const Producer& bp : ProducersOf(s, out)) {
            if (bp.enterprise == buyer) {
              p.Then(EdgeKind::kSupplies, true, out);
              if (bp.segment != out) p.Then(EdgeKind::kPartOf, false, bp.segment);
              p.Then(bp.via, false, buyer);
              found = true;
              break;
            }
          }
          if (found) break;
        }
      } else if (!fl.gap->local_hospitals.empty()) {
        p.Then(EdgeKind::kClinicalDemand, false, fl.gap->local_hospitals.front());
      }
      item.paths.push_back(std::move(p));
    }
    for (const Fill& fl : list) {
      if (item.why.size() >= 3) break;
      std::string w = "fills " + std::string(SegmentStatusName(fl.gap->status)) + " segment " +
                      std::string(s.Name(fl.gap->segment));
      size_t buyers = fl.gap->local_buyers.size(), hospitals = fl.gap->local_hospitals.size();
      if (buyers || hospitals) {
        w += ", needed locally by";
        if (buyers) w += " " + std::to_string(buyers) + " enterprise" + (buyers > 1 ? "s" : "");
        if (buyers && hospitals) w += " and";
        if (hospitals) w += " " + std::to_string(hospitals) + " hospital" + (hospitals > 1 ? "s" : "");
      }
      item.why.push_back(std::move(w));
    }
    if (!supplied.empty()) {
      std::string names;
      for (size_t i = 0; i < supplied.size() && i < 3; ++i) names += (i ? ", " : "") + std::string(s.Name(supplied[i]));
      item.why.push_back("already supplies " + std::to_string(supplied.size()) + " local enterprise" +
                         (supplied.size() > 1 ? "s" : "") + " (" + names + ")");
    }
    if (!tied.empty()) {
      item.why.push_back("tied to " + std::to_string(tied.size()) +
                         " local organisation" + (tied.size() > 1 ? "s" : "") +
                         " by cooperation or investment");
    }
    item.why.push_back(ProximityFact(s, prox, region, e));
    for (auto& x : facts) item.why.push_back(std::move(x));
    result.items.push_back(std::move(item));
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
