#include "matcher/gaps.h"

#include <algorithm>
#include <cmath>
#include <iterator>
#include <set>
#include <unordered_map>

#include "graph/error.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "matcher/recommend.h"
#include "matcher/topk.h"

namespace chainatlas::matcher {
namespace {

constexpr size_t kStrongProducers = 2;
constexpr double kExtensionDensity = 0.25;

// The first `limit` names, and "…" when there are more.
std::vector<std::string> Names(const Snapshot& s, const std::vector<VertexId>& vs,
                               size_t limit = 3) {
  std::vector<std::string> out;
  for (size_t i = 0; i < vs.size() && i < limit; ++i) out.emplace_back(s.Name(vs[i]));
  if (vs.size() > limit) out.emplace_back("…");
  return out;
}

}  // namespace

std::string_view SegmentStatusName(SegmentStatus status) {
  switch (status) {
    case SegmentStatus::kMissing: return "missing";
    case SegmentStatus::kWeak: return "weak";
    case SegmentStatus::kStrong: return "strong";
    case SegmentStatus::kExtension: return "extension";
    case SegmentStatus::kAbsent: return "absent";
  }
  return "";
}

std::string_view SegmentStatusNameZh(SegmentStatus status) {
  switch (status) {
    case SegmentStatus::kMissing: return "缺链";
    case SegmentStatus::kWeak: return "弱链";
    case SegmentStatus::kStrong: return "强链";
    case SegmentStatus::kExtension: return "延链";
    case SegmentStatus::kAbsent: return "未涉及";
  }
  return "";
}

SegmentStatus ParseSegmentStatus(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    auto status = static_cast<SegmentStatus>(i);
    if (SegmentStatusName(status) == name || SegmentStatusNameZh(status) == name) return status;
  }
  throw Error(ErrorCode::kInvalidArgument, Msg("matcher.status", {{"name", std::string(name)}}));
}

GapAnalysis AnalyseGaps(const Analytics& a, VertexId region, VertexId track) {
  const Snapshot& s = a.snapshot();
  RequireKind(s, region, NodeKind::kRegion, "region");
  if (track != kNoVertex) RequireKind(s, track, NodeKind::kTrack, "track");
  const RegionTree& rt = s.regions();
  const Taxonomy& tax = s.taxonomy();
  GapAnalysis g;
  g.region = region;
  g.track = track;

  // The enterprises (and hospitals) in the region, as a flag per vertex: every segment asks.
  std::vector<char> is_local(s.NumVertices(), 0);
  // Producer–segment pairs, locally and in all, for location quotients.
  size_t all_pairs = s.CountEdges(EdgeKind::kProduces) + s.CountEdges(EdgeKind::kMemberOf);
  size_t local_pairs = 0;
  // The distinct local makers of each segment (with the segments below it, as ProducersOf
  // counts them), ascending: gathered from the local organisations' side, so a query reads the
  // region's members rather than every producer of every segment.
  const Forest& tree = tax.forest();
  std::unordered_map<VertexId, std::vector<VertexId>> local_makers;
  for (VertexId v : rt.MembersWithin(region)) {
    is_local[v] = 1;
    for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
      for (VertexId d : s.Out(v, k).Vertices()) {
        local_makers[d].push_back(v);
        if (tree.Has(d)) {
          for (VertexId up : tree.Ancestors(d)) local_makers[up].push_back(v);
        }
      }
    }
    if (s.Kind(v) != NodeKind::kEnterprise) continue;
    local_pairs += s.Out(v, EdgeKind::kProduces).size() + s.Out(v, EdgeKind::kMemberOf).size();
  }
  for (auto& [seg, list] : local_makers) {
    std::sort(list.begin(), list.end());
    list.erase(std::unique(list.begin(), list.end()), list.end());
  }
  const ProducerIndex& index = TopKIndex(s);
  RegionLevel level = s.RegionInfo(region).level;

  const std::vector<VertexId> none;
  auto local_makers_of = [&](VertexId seg) -> const std::vector<VertexId>& {
    auto it = local_makers.find(seg);
    return it == local_makers.end() ? none : it->second;
  };

  std::vector<VertexId> tracks = track == kNoVertex ? tax.Tracks() : std::vector<VertexId>{track};
  std::vector<char> made_locally(s.NumVertices(), 0);  // segments with a local producer (extension)
  std::vector<VertexId> buyers;
  for (VertexId t : tracks) {
    std::shared_ptr<const RelatednessTable> table;
    long row = -1;
    std::vector<double> density;  // the region's row of the table
    if (level != RegionLevel::kPark) {
      table = a.Relatedness(level, t);
      row = table->RowOf(region);
      if (row >= 0) density = table->complexity.DensityRow(static_cast<size_t>(row));
    }
    for (VertexId seg : tax.SegmentsBelow(t)) {
      SegmentGap sg;
      sg.segment = seg;
      sg.track = t;
      sg.depth = tax.forest().Depth(seg);
      sg.local_producers = local_makers_of(seg);
      sg.producers_elsewhere = index.SubtreeProducers(seg) - sg.local_producers.size();
      if (!sg.local_producers.empty()) made_locally[seg] = 1;
      buyers.clear();
      for (VertexId out : s.Out(seg, EdgeKind::kSupplies).Vertices()) {
        const std::vector<VertexId>& makers = local_makers_of(out);
        buyers.insert(buyers.end(), makers.begin(), makers.end());
      }
      std::sort(buyers.begin(), buyers.end());
      buyers.erase(std::unique(buyers.begin(), buyers.end()), buyers.end());
      sg.local_buyers = buyers;
      for (VertexId h : s.In(seg, EdgeKind::kClinicalDemand).Vertices()) {
        if (is_local[h]) sg.local_hospitals.push_back(h);
      }
      size_t local = sg.local_producers.size();
      size_t all_p = local + sg.producers_elsewhere;
      sg.location_quotient = local_pairs && all_p ? (static_cast<double>(local) / local_pairs) /
                                                        (static_cast<double>(all_p) / all_pairs)
                                                  : 0.0;
      sg.density = std::nan("");
      if (table && row >= 0) {
        long col = table->ColOf(seg);
        if (col >= 0) sg.density = density[static_cast<size_t>(col)];
      }
      g.segments.push_back(std::move(sg));
    }
  }

  // Status, then priority relative to the most demanded / most depended-on segment.
  size_t max_demand = 0, max_out = 0;
  for (SegmentGap& sg : g.segments) {
    for (VertexId in : s.In(sg.segment, EdgeKind::kSupplies).Vertices()) {
      if (made_locally[in]) sg.local_suppliers_of.push_back(in);
    }
    size_t demand = sg.local_buyers.size() + sg.local_hospitals.size();
    size_t n = sg.local_producers.size();
    if (n == 0 && demand > 0) {
      sg.status = SegmentStatus::kMissing;
    } else if (n > 0 && (n < kStrongProducers || sg.location_quotient < 1.0)) {
      sg.status = SegmentStatus::kWeak;
    } else if (n > 0) {
      sg.status = SegmentStatus::kStrong;
    } else if (!sg.local_suppliers_of.empty() ||
               (!std::isnan(sg.density) && sg.density >= kExtensionDensity)) {
      sg.status = SegmentStatus::kExtension;
    } else {
      sg.status = SegmentStatus::kAbsent;
    }
    g.count[static_cast<int>(sg.status)]++;
    max_demand = std::max(max_demand, demand);
    max_out = std::max(max_out, s.Out(sg.segment, EdgeKind::kSupplies).size());
  }
  // In a track of more than kMaxTrackSegmentsListed segments, an absent segment is listed only
  // as the ancestor of a listed one (for the tree); the others are counted, not listed.
  std::vector<char> listed(g.segments.size(), 1);
  {
    std::unordered_map<VertexId, size_t> track_size;
    for (const SegmentGap& sg : g.segments) track_size[sg.track]++;
    std::unordered_map<VertexId, size_t> index;  // segment → position, in the large tracks
    for (size_t i = 0; i < g.segments.size(); ++i) {
      const SegmentGap& sg = g.segments[i];
      if (track_size[sg.track] <= kMaxTrackSegmentsListed) continue;
      index[sg.segment] = i;
      if (sg.status == SegmentStatus::kAbsent) listed[i] = 0;
    }
    const Forest& tree = tax.forest();
    for (size_t i = 0; i < g.segments.size(); ++i) {
      if (!listed[i] || !index.count(g.segments[i].segment)) continue;
      for (VertexId up = tree.Parent(g.segments[i].segment); up != kNoVertex;
           up = tree.Parent(up)) {
        auto it = index.find(up);
        if (it == index.end() || listed[it->second]) break;
        listed[it->second] = 1;
      }
    }
  }
  double covered = 0, relevant = 0, wcovered = 0, wrelevant = 0;
  const Scorer& gap_scorer = FindScorer(kDefaultScorer);
  size_t at = 0;
  for (SegmentGap& sg : g.segments) {
    const bool shown = listed[at++];
    size_t demand = sg.local_buyers.size() + sg.local_hospitals.size();
    size_t n = sg.local_producers.size();
    size_t outs = s.Out(sg.segment, EdgeKind::kSupplies).size();
    if (demand > 0 || n > 0) {
      double w = 1.0 + outs;
      relevant += 1;
      wrelevant += w;
      if (n > 0) {
        covered += 1;
        wcovered += w;
      }
    }
    if (sg.status == SegmentStatus::kStrong || sg.status == SegmentStatus::kAbsent) {
      sg.score = 0;
    } else {
      double d = max_demand ? static_cast<double>(demand) / max_demand : 0;
      double rel = std::isnan(sg.density) ? 0 : sg.density;
      double dep = max_out ? static_cast<double>(outs) / max_out : 0;
      double scarcity = sg.status == SegmentStatus::kWeak ? 1.0 / (1.0 + n) : 1.0;
      // Weighed by the default scorer's weights for "gaps" (matcher/scorers.cc).
      const Measure measures[] = {
          {"demand", d}, {"relatedness", rel}, {"dependence", dep}, {"scarcity", scarcity}};
      sg.components.clear();
      sg.score = ScoreOf(gap_scorer, "gaps", measures, std::size(measures), &sg.components);
    }
    if (!shown) continue;
    // The evidence.
    if (!sg.local_buyers.empty()) {
      sg.why.push_back(Reason("gaps.needed_by_local")
                           .Count("count", static_cast<int64_t>(sg.local_buyers.size()))
                           .List("names", Names(s, sg.local_buyers)));
    }
    if (!sg.local_hospitals.empty()) {
      sg.why.push_back(Reason("gaps.used_by_local_hospitals")
                           .Count("count", static_cast<int64_t>(sg.local_hospitals.size()))
                           .List("names", Names(s, sg.local_hospitals)));
    }
    sg.why.push_back(n ? Reason("gaps.made_locally")
                             .Count("count", static_cast<int64_t>(n))
                             .List("names", Names(s, sg.local_producers))
                       : Reason("gaps.no_local_producer"));
    sg.why.push_back(Reason("gaps.producers_elsewhere")
                         .Count("count", static_cast<int64_t>(sg.producers_elsewhere)));
    sg.why.push_back(Reason("gaps.location_quotient").Real("value", sg.location_quotient));
    if (!std::isnan(sg.density)) sg.why.push_back(Reason("gaps.density").Real("value", sg.density));
    if (sg.status == SegmentStatus::kExtension && !sg.local_suppliers_of.empty()) {
      sg.why.push_back(Reason("gaps.fed_by_local").List("names", Names(s, sg.local_suppliers_of)));
    }
  }
  size_t kept = 0;
  for (size_t i = 0; i < g.segments.size(); ++i) {
    if (listed[i]) {
      if (kept != i) g.segments[kept] = std::move(g.segments[i]);
      ++kept;
    }
  }
  g.absent_not_listed = g.segments.size() - kept;
  g.segments.resize(kept);
  g.completeness = relevant ? covered / relevant : 1.0;
  g.weighted_completeness = wrelevant ? wcovered / wrelevant : 1.0;
  return g;
}

}  // namespace chainatlas::matcher
