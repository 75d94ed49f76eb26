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
#include "matcher/targets.h"
#include "server/report.h"

namespace chainatlas::engine {
namespace {

std::string NameOf(const Snapshot& s, VertexId v) {
  return s.Label(v) + " " + std::string(s.Name(v));
}

json RegionCounts(const Snapshot& s, VertexId r) {
  std::map<std::string, size_t> counts;
  for (VertexId v : s.regions().MembersWithin(r)) counts[std::string(NodeKindName(s.Kind(v)))]++;
  json j = {{"code", std::string(s.Key(r))},
            {"name", std::string(s.Name(r))},
            {"level", std::string(RegionLevelName(s.RegionInfo(r).level))}};
  for (const char* k : {"enterprise", "hospital", "institution", "platform"}) j[k] = counts[k];
  return j;
}

json ProvenanceJson(const std::optional<ingest::Provenance>& p) {
  if (!p) return nullptr;
  return {{"import", p->import_id},
          {"source", p->source},
          {"file", p->file},
          {"line", p->line},
          {"imported_at", p->imported_at}};
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

// Adds the department of each hospital's clinical relation (kept in the store) to the items.
void AddDepartments(const State& state, std::vector<matcher::Item>& items) {
  const Snapshot& s = state.snapshot();
  for (auto& item : items) {
    for (const auto& path : item.paths) {
      if (path.steps.empty()) continue;
      const auto& last = path.steps.back();
      if (last.kind != EdgeKind::kClinicalDemand && last.kind != EdgeKind::kClinicalStrength)
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

json Engine::Stats(const StatsRequest& req) const {
  req.Validate();
  const std::string& region_arg = req.region;
  const Snapshot& s = snapshot();
  const RegionTree& regions = s.regions();
  std::optional<VertexId> focus;
  if (!region_arg.empty()) focus = ResolveEntity(s, region_arg, NodeKind::kRegion);

  json j;
  json nodes = json::object(), edges = json::object();
  for (NodeKind k : kAllNodeKinds) nodes[std::string(NodeKindName(k))] = s.CountNodes(k);
  for (EdgeKind k : kAllEdgeKinds) edges[std::string(EdgeKindName(k))] = s.CountEdges(k);
  j["nodes"] = nodes;
  j["edges"] = edges;
  json evidence = json::object();
  const auto by_evidence = s.SupplyEvidenceCounts();
  for (int k = 0; k < kEvidenceKindCount; ++k) {
    evidence[std::string(EvidenceKindName(static_cast<EvidenceKind>(k)))] = by_evidence[k];
  }
  j["supplies_by_evidence"] = evidence;
  j["vertices"] = s.NumVertices();
  j["edge_total"] = s.NumEdges();
  j["adjacency_bytes"] = s.AdjacencyBytes();

  // Regions: the focus and its children, or every region holding organisations.
  json region_rows = json::array();
  std::vector<VertexId> shown;
  if (focus) {
    shown.push_back(*focus);
    for (VertexId ch : regions.forest().Children(*focus)) shown.push_back(ch);
  } else {
    for (VertexId root : regions.forest().Roots()) {
      for (VertexId r : regions.forest().SelfAndDescendants(root)) shown.push_back(r);
    }
  }
  for (VertexId r : shown) {
    json row = RegionCounts(s, r);
    if (!focus && row["enterprise"] == 0 && row["hospital"] == 0 && row["institution"] == 0 &&
        row["platform"] == 0) {
      continue;
    }
    region_rows.push_back(row);
  }
  j["regions"] = region_rows;

  // Enterprises placed in no region (an import that could not place them, e.g. ckg's inference).
  if (!focus) {
    size_t unplaced = 0;
    for (VertexId v = 0; v < s.NumVertices(); ++v) {
      unplaced += s.Kind(v) == NodeKind::kEnterprise && s.Region(v) == kNoVertex;
    }
    j["enterprises_without_region"] = unplaced;
  }

  // Tracks: segments, and the enterprises in them (within the focus region if given): those that
  // produce in a segment and those that are members of one (an industry classification).
  json track_rows = json::array();
  for (VertexId t : s.taxonomy().Tracks()) {
    size_t segments = 0, produces = 0, members = 0;
    std::vector<VertexId> producers;
    for (VertexId seg : s.taxonomy().SegmentsBelow(t)) {
      ++segments;
      for (EdgeKind kind : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
        for (Neighbor nb : s.In(seg, kind)) {
          if (focus && !regions.Within(nb.vertex, *focus)) continue;
          ++(kind == EdgeKind::kProduces ? produces : members);
          producers.push_back(nb.vertex);
        }
      }
    }
    std::sort(producers.begin(), producers.end());
    producers.erase(std::unique(producers.begin(), producers.end()), producers.end());
    track_rows.push_back({{"id", std::string(s.Key(t))},
                          {"name", std::string(s.Name(t))},
                          {"segments", segments},
                          {"enterprises", producers.size()},
                          {"produces", produces},
                          {"member_of", members}});
  }
  j["tracks"] = track_rows;
  if (focus) j["region"] = std::string(s.Key(*focus));
  return j;
}

// ---- search and show ----------------------------------------------------------------------------

json Engine::Search(const SearchRequest& req) const {
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
  json list = json::array();
  for (VertexId v : SearchEntities(s, text, static_cast<size_t>(req.limit), kind))
    list.push_back(ingest::NodeJson(s, v));
  return {{"query", text}, {"results", list}};
}

json Engine::Show(const ShowRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId v = ResolveEntity(s, req.entity);
  return state_->WithStore([&](ingest::Store& store) {
    const std::string key(s.Key(v));
    json node = ingest::NodeJson(s, v);
    if (std::string note = store.NodeNote(s.Kind(v), key); !note.empty()) node["note"] = note;
    json j = {{"node", node}, {"provenance", ProvenanceJson(store.NodeProvenance(s.Kind(v), key))}};
    if (s.Region(v) != kNoVertex) {
      json path = json::array();
      path.push_back(NameOf(s, s.Region(v)));
      for (VertexId r : s.regions().forest().Ancestors(s.Region(v))) path.push_back(NameOf(s, r));
      j["region_path"] = path;
    }
    auto relations = [&](bool out) {
      json list = json::array();
      for (EdgeKind k : kAllEdgeKinds) {
        for (Neighbor nb : out ? s.Out(v, k) : s.In(v, k)) {
          json rel = {{"kind", std::string(EdgeKindName(k))},
                      {out ? "target" : "source", s.Label(nb.vertex)},
                      {"name", std::string(s.Name(nb.vertex))},
                      {"weight", nb.weight}};
          if (k != EdgeKind::kPartOf) {
            VertexId a = out ? v : nb.vertex, b = out ? nb.vertex : v;
            std::string attrs = store.EdgeAttributes(s.Kind(a), std::string(s.Key(a)), k, s.Kind(b),
                                                     std::string(s.Key(b)));
            if (!attrs.empty()) rel["attributes"] = json::parse(attrs);
          }
          list.push_back(rel);
        }
      }
      return list;
    };
    j["out"] = relations(true);
    j["in"] = relations(false);
    return j;
  });
}

// ---- chain, recommendations and analytics -------------------------------------------------------

json Engine::Chain(const ChainRequest& req) const {
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
  return report::GapsJson(s, g);
}

json Engine::Partners(const PartnersRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId e = ResolveEntity(s, req.enterprise, NodeKind::kEnterprise);
  auto r = matcher::RecommendPartners(s, e, matcher::ParsePartnerRole(req.role),
                                      MakeFilters(s, req.options));
  return report::PartnersJson(s, r, req.options.scorer);
}

json Engine::Pairings(const PairingsRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId e = ResolveEntity(s, req.enterprise, NodeKind::kEnterprise);
  auto r = matcher::RecommendPairings(s, e, matcher::ParsePairingKind(req.kind),
                                      MakeFilters(s, req.options));
  AddDepartments(*state_, r.items);
  return report::PairingsJson(s, r, req.options.scorer);
}

json Engine::Targets(const TargetsRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = ResolveEntity(s, req.region, NodeKind::kRegion);
  auto r = matcher::RecommendTargets(state_->analytics(), region, MakeFilters(s, req.options));
  return report::TargetsJson(s, r, req.options.scorer);
}

json Engine::Relatedness(const RelatednessRequest& req) const {
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
  return report::RelatednessJson(s, *table, region, static_cast<size_t>(req.top));
}

json Engine::Leaders(const LeadersRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  RecOptions opts;
  opts.within = req.region;
  opts.track = req.track;
  opts.scorer = req.scorer;
  opts.top = req.top;
  auto r = matcher::ChainLeaders(state_->analytics(), MakeFilters(s, opts));
  return report::LeadersJson(s, r, req.scorer);
}

json Engine::Clusters(const ClustersRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = req.region.empty() ? kNoVertex
                                       : ResolveEntity(s, req.region, NodeKind::kRegion);
  return report::ClustersJson(s, matcher::Clusters(s, region, req.seed), req.members_shown);
}

json Engine::Indicators(const IndicatorsRequest& req) const {
  req.Validate();
  const Snapshot& s = snapshot();
  VertexId region = ResolveEntity(s, req.region, NodeKind::kRegion);
  return report::IndicatorsJson(s, matcher::ComputeIndicators(s, region, req.targets));
}

}  // namespace chainatlas::engine
