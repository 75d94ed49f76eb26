#include "server/engine.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <optional>
#include <set>

#include "graph/error.h"
#include "graph/lookup.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "ingest/export.h"
#include "matcher/gaps.h"
#include "matcher/leaders.h"
#include "matcher/pairings.h"
#include "matcher/partners.h"
#include "matcher/registry.h"
#include "matcher/targets.h"
#include "server/report.h"

namespace chainatlas::engine {
namespace {

std::string NameOf(const Snapshot& s, VertexId v) {
  return s.Label(v) + " " + std::string(s.Name(v));
}

StatsAnswer::RegionRow RegionCounts(const Snapshot& s, VertexId r) {
  StatsAnswer::RegionRow row;
  row.region = r;
  for (VertexId v : s.regions().MembersWithin(r)) {
    switch (s.Kind(v)) {
      case NodeKind::kEnterprise: ++row.enterprise; break;
      case NodeKind::kHospital: ++row.hospital; break;
      case NodeKind::kInstitution: ++row.institution; break;
      case NodeKind::kPlatform: ++row.platform; break;
      default: break;
    }
  }
  return row;
}

matcher::Filters MakeFilters(const Snapshot& s, const RecOptions& o) {
  matcher::Filters f;
  if (!o.within.empty()) {
    // One region, or several separated by commas (上海市,江苏省,杭州市).
    std::vector<std::string> names;
    std::string name;
    for (size_t i = 0; i <= o.within.size(); ++i) {
      bool end = i == o.within.size() || o.within[i] == ',';
      bool wide = !end && o.within.compare(i, 3, "，") == 0;  // a full-width comma
      if (end || wide) {
        if (!name.empty()) names.push_back(name);
        name.clear();
        if (wide) i += 2;
      } else {
        name += o.within[i];
      }
    }
    if (names.size() == 1) f.within = ResolveEntity(s, names[0], NodeKind::kRegion);
    for (const auto& n : names.size() > 1 ? names : std::vector<std::string>{}) {
      f.within_any.push_back(ResolveEntity(s, n, NodeKind::kRegion));
    }
  }
  if (!o.track.empty()) {
    // A track or a segment, by id or name.
    try {
      f.track = ResolveEntity(s, o.track, NodeKind::kTrack);
    } catch (const Error&) {
      f.track = ResolveEntity(s, o.track, NodeKind::kSegment);
    }
  }
  f.top = static_cast<size_t>(o.top);
  f.include_known = o.include_known;
  f.scorer = o.scorer;
  return f;
}

VertexId OptionalTrack(const Snapshot& s, const std::string& track_arg) {
  return track_arg.empty() ? kNoVertex : ResolveEntity(s, track_arg, NodeKind::kTrack);
}

// Adds to each item the department of its own hospital's clinical relation (kept in the store):
// only for a path that ends at the item's hospital (the item, or a member of its triad). A clinical
// path that ends at some other hospital (one that needs the segment a supplier makes) says nothing
// about a department the item deals with.
void AddDepartments(const State& state, std::vector<matcher::Item>& items) {
  const Snapshot& s = state.snapshot();
  for (auto& item : items) {
    for (const auto& path : item.paths) {
      if (path.steps.empty()) continue;
      const auto& last = path.steps.back();
      if (last.kind != EdgeKind::kClinicalDemand && last.kind != EdgeKind::kClinicalStrength)
        continue;
      if (last.vertex != item.entity &&
          std::find(item.partners.begin(), item.partners.end(), last.vertex) == item.partners.end())
        continue;
      VertexId seg = path.steps.size() >= 2 ? path.steps[path.steps.size() - 2].vertex : kNoVertex;
      if (seg == kNoVertex) continue;
      std::string attrs = state.WithStore([&](ingest::Store& store) {
        return store.EdgeAttributes(NodeKind::kHospital, std::string(s.Key(last.vertex)), last.kind,
                                    NodeKind::kSegment, std::string(s.Key(seg)));
      });
      if (attrs.empty()) continue;
      json a = json::parse(attrs, nullptr, false);
      if (a.is_object() && a.contains("department")) {
        matcher::Reason fact = matcher::Reason("pairings.department")
                                   .Text("department", a["department"].get<std::string>())
                                   .Text("segment", std::string(s.Name(seg)));
        if (std::find(item.why.begin(), item.why.end(), fact) == item.why.end())
          item.why.push_back(fact);
      }
    }
  }
}

// The table's rows (region's only, unless kNoVertex) with their cells: the segments the region
// holds (M = 1) first, then the others by density, at most `top` of those (0: all).
RelatednessAnswer RelatednessRows(std::shared_ptr<const matcher::RelatednessTable> table,
                                  VertexId region, size_t top) {
  const matcher::RelatednessTable& t = *table;
  const kernels::SparseComplexity& c = t.complexity;
  RelatednessAnswer a;
  for (size_t r = 0; r < t.regions.size(); ++r) {
    if (region != kNoVertex && t.regions[r] != region) continue;
    kernels::SparseComplexity::RowMeasures row = c.Row(r);
    std::vector<double> activity(t.segments.size(), 0.0), rca(t.segments.size(), 0.0),
        m(t.segments.size(), 0.0);
    for (size_t k = c.row_start[r]; k < c.row_start[r + 1]; ++k) {
      activity[c.cells[k].col] = c.cells[k].activity;
      rca[c.cells[k].col] = c.cells[k].rca;
      m[c.cells[k].col] = c.cells[k].m ? 1.0 : 0.0;
    }
    std::vector<size_t> order(t.segments.size());
    for (size_t p = 0; p < order.size(); ++p) order[p] = p;
    std::stable_sort(order.begin(), order.end(), [&](size_t x, size_t y) {
      if (m[x] != m[y]) return m[x] > m[y];
      return row.density[x] > row.density[y];
    });
    RelatednessAnswer::Row out{t.regions[r], c.diversity[r], c.eci[r], {}};
    size_t lacking = 0;
    for (size_t p : order) {
      bool held = m[p] > 0;
      if (!held && top && lacking++ >= top) continue;
      out.cells.push_back(
          {t.segments[p], activity[p], rca[p], m[p], row.density[p], row.opportunity_gain[p]});
    }
    a.rows.push_back(std::move(out));
  }
  a.table = std::move(table);
  return a;
}

}  // namespace

std::shared_ptr<const State> State::Load(const std::filesystem::path& database) {
  if (!std::filesystem::exists(database)) {
    throw Error(ErrorCode::kNotFound, Msg("db.no_such_database", {{"path", database.string()}}));
  }
  auto state = std::shared_ptr<State>(new State());
  state->database_ = database;
  state->store_ = std::make_unique<ingest::Store>(database, /*read_only=*/true);
  state->analytics_ = std::make_shared<matcher::Analytics>(state->store_->LoadSnapshot());
  return state;
}

// ---- stats --------------------------------------------------------------------------------------

StatsAnswer Engine::Stats(const StatsRequest& req) const {
  req.Validate();
  const std::string& region_arg = req.region;
  const Snapshot& s = snapshot();
  const RegionTree& regions = s.regions();
  StatsAnswer a;
  if (!region_arg.empty()) a.focus = ResolveEntity(s, region_arg, NodeKind::kRegion);
  const VertexId focus = a.focus;

  for (size_t i = 0; i < kAllNodeKinds.size(); ++i) a.nodes[i] = s.CountNodes(kAllNodeKinds[i]);
  for (size_t i = 0; i < kAllEdgeKinds.size(); ++i) a.edges[i] = s.CountEdges(kAllEdgeKinds[i]);
  const auto by_evidence = s.SupplyEvidenceCounts();
  for (int k = 0; k < kEvidenceKindCount; ++k) a.supplies_by_evidence[k] = by_evidence[k];
  a.vertices = s.NumVertices();
  a.edge_total = s.NumEdges();
  a.adjacency_bytes = s.AdjacencyBytes();

  // Regions: the focus and its children, or every region holding organisations.
  std::vector<VertexId> shown;
  if (focus != kNoVertex) {
    shown.push_back(focus);
    for (VertexId ch : regions.forest().Children(focus)) shown.push_back(ch);
  } else {
    for (VertexId root : regions.forest().Roots()) {
      for (VertexId r : regions.forest().SelfAndDescendants(root)) shown.push_back(r);
    }
  }
  for (VertexId r : shown) {
    StatsAnswer::RegionRow row = RegionCounts(s, r);
    if (focus == kNoVertex && row.enterprise + row.hospital + row.institution + row.platform == 0) {
      continue;
    }
    a.regions.push_back(row);
  }

  // Enterprises placed in no region (an import that could not place them, e.g. ckg's inference).
  if (focus == kNoVertex) {
    size_t unplaced = 0;
    for (VertexId v = 0; v < s.NumVertices(); ++v) {
      unplaced += s.Kind(v) == NodeKind::kEnterprise && s.Region(v) == kNoVertex;
    }
    a.enterprises_without_region = unplaced;
  }

  // Tracks: segments, and the enterprises in them (within the focus region if given): those that
  // produce in a segment and those that are members of one (an industry classification).
  for (VertexId t : s.taxonomy().Tracks()) {
    StatsAnswer::TrackRow row;
    row.track = t;
    std::vector<VertexId> producers;
    for (VertexId seg : s.taxonomy().SegmentsBelow(t)) {
      ++row.segments;
      for (EdgeKind kind : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
        for (Neighbor nb : s.In(seg, kind)) {
          if (focus != kNoVertex && !regions.Within(nb.vertex, focus)) continue;
          ++(kind == EdgeKind::kProduces ? row.produces : row.member_of);
          producers.push_back(nb.vertex);
        }
      }
    }
    std::sort(producers.begin(), producers.end());
    producers.erase(std::unique(producers.begin(), producers.end()), producers.end());
    row.enterprises = producers.size();
    a.tracks.push_back(row);
  }
  return a;
}

// ---- search and show ----------------------------------------------------------------------------

SearchAnswer Engine::Search(const SearchRequest& req) const {
  req.Validate();
  const std::string& text = req.text;
  const std::string& kind_arg = req.kind;
  const Snapshot& s = snapshot();
  std::optional<NodeKind> kind;
  if (!kind_arg.empty()) {
    kind = ParseNodeKind(kind_arg);
    if (!kind)
      throw Error(ErrorCode::kInvalidArgument, Msg("engine.unknown_kind", {{"kind", kind_arg}}));
  }
  return {text, SearchEntities(s, text, static_cast<size_t>(req.limit), kind)};
}

ShowAnswer Engine::Show(const ShowRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId v = ResolveEntity(s, req.entity);
  return state_->WithStore([&](ingest::Store& store) {
    const std::string key(s.Key(v));
    ShowAnswer a;
    a.node = v;
    a.note = store.NodeNote(s.Kind(v), key);
    a.provenance = store.NodeProvenance(s.Kind(v), key);
    if (s.Region(v) != kNoVertex) {
      a.region_path.push_back(s.Region(v));
      for (VertexId r : s.regions().forest().Ancestors(s.Region(v))) a.region_path.push_back(r);
    }
    auto relations = [&](bool out) {
      std::vector<ShowAnswer::Relation> list;
      for (EdgeKind k : kAllEdgeKinds) {
        for (Neighbor nb : out ? s.Out(v, k) : s.In(v, k)) {
          ShowAnswer::Relation rel{k, nb.vertex, nb.weight, nullptr};
          if (k != EdgeKind::kPartOf) {
            VertexId from = out ? v : nb.vertex, to = out ? nb.vertex : v;
            std::string attrs = store.EdgeAttributes(s.Kind(from), std::string(s.Key(from)), k,
                                                     s.Kind(to), std::string(s.Key(to)));
            if (!attrs.empty()) rel.attributes = json::parse(attrs);
          }
          list.push_back(std::move(rel));
        }
      }
      return list;
    };
    a.out = relations(true);
    a.in = relations(false);
    return a;
  });
}

// ---- chain, recommendations and analytics -------------------------------------------------------

ChainAnswer Engine::Chain(const ChainRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = ResolveEntity(s, req.region, NodeKind::kRegion);
  auto g = matcher::AnalyseGaps(state_->analytics(), region, OptionalTrack(s, req.track));
  if (req.gaps_only && !req.status.empty()) {
    auto status = matcher::ParseSegmentStatus(req.status);
    std::erase_if(g.segments, [&](const auto& sg) { return sg.status != status; });
  }
  if (req.gaps_only) {
    // Gaps: by priority, then tree order.
    std::stable_sort(g.segments.begin(), g.segments.end(),
                     [](const auto& a, const auto& b) { return a.score > b.score; });
  }
  return g;
}

PartnersAnswer Engine::Partners(const PartnersRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId e = ResolveEntity(s, req.enterprise, NodeKind::kEnterprise);
  auto r = matcher::RecommendPartners(s, e, matcher::ParsePartnerRole(req.role),
                                      MakeFilters(s, req.options));
  AddDepartments(*state_, r.items);
  return {std::move(r), req.options.scorer};
}

PairingsAnswer Engine::Pairings(const PairingsRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId e = ResolveEntity(s, req.enterprise, NodeKind::kEnterprise);
  auto r = matcher::RecommendPairings(s, e, matcher::ParsePairingKind(req.kind),
                                      MakeFilters(s, req.options));
  AddDepartments(*state_, r.items);
  return {std::move(r), req.options.scorer};
}

TargetsAnswer Engine::Targets(const TargetsRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = ResolveEntity(s, req.region, NodeKind::kRegion);
  auto r = matcher::RecommendTargets(state_->analytics(), region, MakeFilters(s, req.options));
  AddDepartments(*state_, r.items);
  return {std::move(r), req.options.scorer};
}

RelatednessAnswer Engine::Relatedness(const RelatednessRequest& req) const {
  req.Validate();
  const std::string& level_arg = req.level;
  const std::string& track_arg = req.track;
  const std::string& region_arg = req.region;
  const Snapshot& s = snapshot();
  // No level: the region's own (a city's row at city level), else county.
  std::string level_name = level_arg;
  if (level_name.empty()) {
    level_name = "county";
    if (!region_arg.empty()) {
      RegionLevel own = s.RegionInfo(ResolveEntity(s, region_arg, NodeKind::kRegion)).level;
      if (own != RegionLevel::kPark) level_name = std::string(RegionLevelName(own));
    }
  }
  auto level = ParseRegionLevel(level_name);
  if (!level || *level == RegionLevel::kPark) {
    throw Error(ErrorCode::kInvalidArgument, Msg("engine.level"));
  }
  VertexId region = kNoVertex;
  if (!region_arg.empty()) {
    region = ResolveEntity(s, region_arg, NodeKind::kRegion);
    VertexId at = s.regions().AncestorAtLevel(region, *level);
    if (at != region) {
      throw Error(ErrorCode::kInvalidArgument,
                  Msg("engine.not_level",
                      {{"region", NameOf(s, region)},
                       {"level", level_name},
                       {"own", std::string(RegionLevelName(s.RegionInfo(region).level))}}));
    }
  }
  auto table = state_->analytics().Relatedness(*level, OptionalTrack(s, track_arg));
  if (region != kNoVertex && table->RowOf(region) < 0) {
    throw Error(ErrorCode::kNotFound, Msg("engine.no_row", {{"region", NameOf(s, region)}}));
  }
  return RelatednessRows(std::move(table), region, static_cast<size_t>(req.top));
}

LeadersAnswer Engine::Leaders(const LeadersRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  RecOptions opts;
  opts.within = req.region;
  opts.track = req.track;
  opts.scorer = req.scorer;
  opts.top = req.top;
  auto r = matcher::ChainLeaders(state_->analytics(), MakeFilters(s, opts));
  return {std::move(r), req.scorer};
}

RecommendAnswer Engine::Recommend(const RecommendRequest& req) const {
  req.Validate();
  const matcher::Recommender& rec = matcher::FindRecommender(req.recommender);
  const Snapshot& s = snapshot();
  VertexId subject = kNoVertex;
  if (!req.subject.empty()) {
    subject = ResolveEntity(s, req.subject, rec.subject);
  } else if (!rec.subject_optional) {
    throw Error(ErrorCode::kInvalidArgument,
                Msg("engine.subject_required", {{"recommender", std::string(rec.name)},
                                                {"kind", std::string(NodeKindName(rec.subject))}}));
  }
  auto r = rec.run(state_->analytics(), subject, MakeFilters(s, req.options));
  AddDepartments(*state_, r.items);
  return {std::move(r), req.options.scorer, std::string(rec.name)};
}

ClustersAnswer Engine::Clusters(const ClustersRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = req.region.empty() ? kNoVertex
                                       : ResolveEntity(s, req.region, NodeKind::kRegion);
  return {matcher::Clusters(s, region, req.seed), req.members_shown};
}

IndicatorsAnswer Engine::Indicators(const IndicatorsRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = ResolveEntity(s, req.region, NodeKind::kRegion);
  return matcher::ComputeIndicators(s, region, req.targets);
}

}  // namespace chainatlas::engine
