#include "matcher/targets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <map>
#include <unordered_map>

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
      if (rt.Within(p.enterprise, region) || !PassesWithin(s, f, p.enterprise)) continue;
      auto [it, fresh] = best.emplace(p.enterprise, p);
      if (!fresh && p.share > it->second.share) it->second = p;
    }
    for (const auto& [e, p] : best) fills[e].push_back({g, g->score * ShareFactor(p.share), p});
  }
  result.candidates = fills.size();

  // Per gap, once: the steps from the gap segment to the local firm (or hospital) that needs it.
  std::unordered_map<const SegmentGap*, std::vector<PathStep>> tails;
  for (const SegmentGap* g : open) {
    std::vector<PathStep>& tail = tails[g];
    if (!g->local_buyers.empty()) {
      VertexId buyer = g->local_buyers.front();
      // The segment the buyer makes that the gap supplies.
      for (VertexId out : s.Out(g->segment, EdgeKind::kSupplies).Vertices()) {
        bool found = false;
        for (const Producer& bp : ProducersOf(s, out)) {
          if (bp.enterprise == buyer) {
            tail.push_back({EdgeKind::kSupplies, true, out});
            if (bp.segment != out) tail.push_back({EdgeKind::kPartOf, false, bp.segment});
            tail.push_back({bp.via, false, buyer});
            found = true;
            break;
          }
        }
        if (found) break;
      }
    } else if (!g->local_hospitals.empty()) {
      tail.push_back({EdgeKind::kClinicalDemand, false, g->local_hospitals.front()});
    }
  }

  // The measures of candidate e (its fills sorted best first); facts listed when asked for.
  struct Measured {
    Proximity prox;
    std::vector<VertexId> supplied, tied;
    std::array<Measure, 5> m;
  };
  auto measure = [&](VertexId e, const std::vector<Fill>& list, std::vector<Reason>* facts) {
    Measured r;
    double segment = std::min(1.0, list.front().value + 0.1 * static_cast<double>(list.size() - 1));
    // Ties: local enterprises it already supplies, local organisations it cooperates with or
    // invests in.
    for (VertexId c : s.Out(e, EdgeKind::kTradesWith).Vertices()) {
      if (rt.Within(c, region)) r.supplied.push_back(c);
    }
    for (EdgeKind k : {EdgeKind::kCooperates, EdgeKind::kInvests}) {
      for (VertexId x : s.Out(e, k).Vertices()) {
        if (rt.Within(x, region)) r.tied.push_back(x);
      }
      for (VertexId x : s.In(e, k).Vertices()) {
        if (rt.Within(x, region)) r.tied.push_back(x);
      }
    }
    std::sort(r.tied.begin(), r.tied.end());
    r.tied.erase(std::unique(r.tied.begin(), r.tied.end()), r.tied.end());
    double ties = std::min(1.0, 0.6 * r.supplied.size() + 0.3 * r.tied.size());
    r.prox = GeoProximity(s, region, e);
    double strength = Quality(s, e, facts);
    double density = list.front().gap->density;
    r.m = {Measure{"segment", segment}, Measure{"strength", strength}, Measure{"ties", ties},
           Measure{"proximity", ProximityValue(r.prox)},
           Measure{"relatedness", std::isnan(density) ? 0.0 : density}};
    return r;
  };

  // Score every candidate, then build the items of the best.
  std::vector<std::pair<double, VertexId>> scored;
  scored.reserve(fills.size());
  for (auto& [e, list] : fills) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Fill& x, const Fill& y) { return x.value > y.value; });  // best first
    Measured r = measure(e, list, nullptr);
    scored.push_back({ScoreOf(scorer, "targets", r.m.data(), r.m.size()), e});
  }
  for (VertexId e : TopCandidates(s, std::move(scored), f.top)) {
    const std::vector<Fill>& list = fills[e];
    std::vector<Reason> facts;
    Measured r = measure(e, list, &facts);
    Item item;
    item.entity = e;
    for (const Fill& fl : list) item.via.push_back(fl.gap->segment);
    item.score = ScoreOf(scorer, "targets", r.m.data(), r.m.size(), &item.components);

    // Paths: the enterprise makes the gap segment, which local firms need.
    for (const Fill& fl : list) {
      if (item.paths.size() >= Candidates::kMaxPaths) break;
      Path p{e, {}};
      p.Then(fl.producer.via, true, fl.producer.segment);
      if (fl.producer.segment != fl.gap->segment) p.Then(EdgeKind::kPartOf, true, fl.gap->segment);
      for (const PathStep& st : tails[fl.gap]) p.steps.push_back(st);
      item.paths.push_back(std::move(p));
    }
    for (const Fill& fl : list) {
      if (item.why.size() >= 3) break;
      const auto buyers = static_cast<int64_t>(fl.gap->local_buyers.size());
      const auto hospitals = static_cast<int64_t>(fl.gap->local_hospitals.size());
      Reason w(buyers && hospitals ? "targets.fills_needed_both"
               : buyers            ? "targets.fills_needed"
               : hospitals         ? "targets.fills_needed_hospitals"
                                   : "targets.fills");
      w.Text("status", std::string(SegmentStatusName(fl.gap->status)))
          .Text("segment", std::string(s.Name(fl.gap->segment)));
      if (buyers) w.Count("enterprises", buyers);
      if (hospitals) w.Count("hospitals", hospitals);
      item.why.push_back(std::move(w));
    }
    if (!r.supplied.empty()) {
      std::vector<std::string> names;
      for (size_t i = 0; i < r.supplied.size() && i < 3; ++i)
        names.emplace_back(s.Name(r.supplied[i]));
      item.why.push_back(Reason("targets.supplies_local")
                             .Count("count", static_cast<int64_t>(r.supplied.size()))
                             .List("names", std::move(names)));
    }
    if (!r.tied.empty()) {
      item.why.push_back(
          Reason("targets.tied").Count("count", static_cast<int64_t>(r.tied.size())));
    }
    item.why.push_back(ProximityFact(s, r.prox, region, e));
    for (auto& x : facts) item.why.push_back(std::move(x));
    result.items.push_back(std::move(item));
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
