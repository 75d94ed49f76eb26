#include "matcher/gaps.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "graph/error.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"

namespace chainatlas::matcher {
namespace {

constexpr size_t kStrongProducers = 2;
constexpr double kExtensionDensity = 0.25;

std::string Names(const Snapshot& s, const std::vector<VertexId>& vs, size_t limit = 3) {
  std::string out;
  for (size_t i = 0; i < vs.size() && i < limit; ++i) out += (i ? ", " : "") + std::string(s.Name(vs[i]));
  if (vs.size() > limit) out += ", …";
  return out;
}

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
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

SegmentStatus ParseSegmentStatus(std::string_view name) {
  for (int i = 0; i < 5; ++i) {
    if (SegmentStatusName(static_cast<SegmentStatus>(i)) == name) {
      return static_cast<SegmentStatus>(i);
    }
  }
  throw Error(ErrorCode::kInvalidArgument, "unknown status '" + std::string(name) +
                                               "'; statuses: missing, weak, strong, extension, absent");
}

GapAnalysis AnalyseGaps(const Analytics& a, VertexId region, VertexId track) {
  const Snapshot& s = a.snapshot();
  RequireKind(s, region, NodeKind::kRegion, "--region");
  if (track != kNoVertex) RequireKind(s, track, NodeKind::kTrack, "--track");
  const RegionTree& rt = s.regions();
  const Taxonomy& tax = s.taxonomy();
  GapAnalysis g;
  g.region = region;
  g.track = track;

  // Producer–segment pairs, locally and in all, for location quotients.
  size_t all_pairs = s.CountEdges(EdgeKind::kProduces) + s.CountEdges(EdgeKind::kMemberOf);
  size_t local_pairs = 0;
  for (VertexId v : rt.MembersWithin(region)) {
    if (s.Kind(v) != NodeKind::kEnterprise) continue;
    local_pairs += s.Out(v, EdgeKind::kProduces).size() + s.Out(v, EdgeKind::kMemberOf).size();
  }
  RegionLevel level = s.RegionInfo(region).level;

  std::vector<VertexId> tracks = track == kNoVertex ? tax.Tracks() : std::vector<VertexId>{track};
  std::set<VertexId> made_locally;  // segments with a local producer (for extension)
  for (VertexId t : tracks) {
    std::shared_ptr<const RelatednessTable> table;
    long row = -1;
    std::vector<double> density;  // the region's row of the table
    if (level != RegionLevel::kPark) {
      table = a.Relatedness(level, t);
      row = table->RowOf(region);
      if (row >= 0) density = table->complexity.Row(static_cast<size_t>(row)).density;
    }
    for (VertexId seg : tax.SegmentsBelow(t)) {
      SegmentGap sg;
      sg.segment = seg;
      sg.track = t;
      sg.depth = tax.forest().Depth(seg);
      std::set<VertexId> local, elsewhere;
      for (const Producer& p : ProducersOf(s, seg)) {
        (rt.Within(p.enterprise, region) ? local : elsewhere).insert(p.enterprise);
      }
      for (VertexId v : local) elsewhere.erase(v);
      sg.local_producers.assign(local.begin(), local.end());
      sg.producers_elsewhere = elsewhere.size();
      if (!local.empty()) made_locally.insert(seg);
      std::set<VertexId> buyers;
      for (VertexId out : s.Out(seg, EdgeKind::kSupplies).Vertices()) {
        for (const Producer& p : ProducersOf(s, out)) {
          if (rt.Within(p.enterprise, region)) buyers.insert(p.enterprise);
        }
      }
      sg.local_buyers.assign(buyers.begin(), buyers.end());
      for (VertexId h : s.In(seg, EdgeKind::kClinicalDemand).Vertices()) {
        if (rt.Within(h, region)) sg.local_hospitals.push_back(h);
      }
      size_t all_p = local.size() + elsewhere.size();
      sg.location_quotient =
          local_pairs && all_p
              ? (static_cast<double>(local.size()) / local_pairs) / (static_cast<double>(all_p) / all_pairs)
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
      if (made_locally.count(in)) sg.local_suppliers_of.push_back(in);
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
  double covered = 0, relevant = 0, wcovered = 0, wrelevant = 0;
  for (SegmentGap& sg : g.segments) {
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
      sg.components = {{"demand", 0.45, d, 0.45 * d},
                       {"relatedness", 0.20, rel, 0.20 * rel},
                       {"dependence", 0.15, dep, 0.15 * dep},
                       {"scarcity", 0.20, scarcity, 0.20 * scarcity}};
      for (const Component& c : sg.components) sg.score += c.points;
    }
    // The evidence, in words.
    if (!sg.local_buyers.empty()) {
      sg.why.push_back("needed by " + std::to_string(sg.local_buyers.size()) +
                       " local enterprise" + (sg.local_buyers.size() > 1 ? "s" : "") + " (" +
                       Names(s, sg.local_buyers) + ")");
    }
    if (!sg.local_hospitals.empty()) {
      sg.why.push_back("used by " + std::to_string(sg.local_hospitals.size()) + " local hospital" +
                       (sg.local_hospitals.size() > 1 ? "s" : "") + " (" +
                       Names(s, sg.local_hospitals) + ")");
    }
    sg.why.push_back(n ? "made locally by " + std::to_string(n) + " (" +
                             Names(s, sg.local_producers) + ")"
                       : std::string("no local producer"));
    sg.why.push_back(std::to_string(sg.producers_elsewhere) + " producers elsewhere");
    sg.why.push_back("location quotient " + Fixed2(sg.location_quotient));
    if (!std::isnan(sg.density)) sg.why.push_back("relatedness density " + Fixed2(sg.density));
    if (sg.status == SegmentStatus::kExtension && !sg.local_suppliers_of.empty()) {
      sg.why.push_back("fed by local segments (" + Names(s, sg.local_suppliers_of) + ")");
    }
  }
  g.completeness = relevant ? covered / relevant : 1.0;
  g.weighted_completeness = wrelevant ? wcovered / wrelevant : 1.0;
  return g;
}

}  // namespace chainatlas::matcher
