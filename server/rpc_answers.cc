#include "server/rpc_answers.h"

#include <cmath>
#include <string>

#include "graph/region_tree.h"
#include "server/reasons.h"
#include "server/report.h"

namespace chainatlas::service {
namespace {

rpc::Ref Ref(const Snapshot& s, VertexId v) {
  rpc::Ref r;
  r.id = s.Label(v);
  r.name = std::string(s.Name(v));
  return r;
}

std::vector<rpc::Ref> Refs(const Snapshot& s, std::span<const VertexId> vs) {
  std::vector<rpc::Ref> out;
  out.reserve(vs.size());
  for (VertexId v : vs) out.push_back(Ref(s, v));
  return out;
}

// Calls set(Ref) when v is a vertex (an optional Ref of the IDL).
template <typename T>
void SetOptionalRef(const Snapshot& s, VertexId v, T& target, void (T::*set)(const rpc::Ref&)) {
  if (v != kNoVertex) (target.*set)(Ref(s, v));
}

// Calls set(v) when v is a number (an optional double of the IDL; NaN: undefined).
template <typename T>
void SetOptionalDouble(double v, T& target, void (T::*set)(double)) {
  if (!std::isnan(v)) (target.*set)(v);
}

std::vector<rpc::Component> Components(const std::vector<matcher::Component>& components) {
  std::vector<rpc::Component> out;
  out.reserve(components.size());
  for (const auto& c : components) {
    rpc::Component r;
    r.name = c.name;
    r.weight = c.weight;
    r.value = c.value;
    r.points = c.points;
    out.push_back(std::move(r));
  }
  return out;
}

// The reasons in English, as the documents' `why` without a language.
std::vector<std::string> Why(const std::vector<matcher::Reason>& why) {
  return report::RenderReasons(report::ReasonsJson(why), Lang::kEn).get<std::vector<std::string>>();
}

std::vector<rpc::Item> Items(const Snapshot& s, const std::vector<matcher::Item>& items) {
  std::vector<rpc::Item> out;
  out.reserve(items.size());
  for (size_t i = 0; i < items.size(); ++i) {
    const matcher::Item& item = items[i];
    rpc::Item it;
    it.id = s.Label(item.entity);
    it.name = std::string(s.Name(item.entity));
    it.rank = static_cast<int64_t>(i + 1);
    it.kind = std::string(NodeKindName(s.Kind(item.entity)));
    SetOptionalRef(s, s.Region(item.entity), it, &rpc::Item::__set_region);
    it.score = item.score;
    it.components = Components(item.components);
    it.paths = report::PathTexts(s, item);
    it.why = Why(item.why);
    it.known = item.known;
    it.via = Refs(s, item.via);
    if (!item.partners.empty()) it.__set_partners(Refs(s, item.partners));
    if (item.has_evidence) {
      report::EvidenceNames names = report::EvidenceOf(item);
      rpc::Evidence ev;
      ev.kind = names.kind;
      ev.rule = names.rule;
      ev.tier = names.tier;
      ev.rank_tier = item.tier;
      it.__set_evidence(ev);
    }
    out.push_back(std::move(it));
  }
  return out;
}

rpc::Node Node(const Snapshot& s, VertexId v, const std::string& note = "") {
  rpc::Node n;
  n.id = s.Label(v);
  n.kind = std::string(NodeKindName(s.Kind(v)));
  n.key = std::string(s.Key(v));
  n.name = std::string(s.Name(v));
  if (s.Region(v) != kNoVertex) n.__set_region(std::string(s.Key(s.Region(v))));
  n.json = report::NodeJson(s, v, note).dump();
  return n;
}

template <typename Names, typename Counts>
std::map<std::string, int64_t> CountsByName(const Names& names, const Counts& counts) {
  std::map<std::string, int64_t> out;
  for (size_t i = 0; i < names.size(); ++i) {
    out[std::string(names[i])] = static_cast<int64_t>(counts[i]);
  }
  return out;
}

}  // namespace

void Fill(const Snapshot& s, const engine::StatsAnswer& a, rpc::StatsResponse& out) {
  std::vector<std::string_view> nodes, edges, evidence;
  for (NodeKind k : kAllNodeKinds) nodes.push_back(NodeKindName(k));
  for (EdgeKind k : kAllEdgeKinds) edges.push_back(EdgeKindName(k));
  for (int k = 0; k < kEvidenceKindCount; ++k)
    evidence.push_back(EvidenceKindName(static_cast<EvidenceKind>(k)));
  out.nodes = CountsByName(nodes, a.nodes);
  out.edges = CountsByName(edges, a.edges);
  out.supplies_by_evidence = CountsByName(evidence, a.supplies_by_evidence);
  out.vertices = static_cast<int64_t>(a.vertices);
  out.edge_total = static_cast<int64_t>(a.edge_total);
  out.adjacency_bytes = static_cast<int64_t>(a.adjacency_bytes);
  for (const auto& r : a.regions) {
    rpc::RegionCounts c;
    c.code = std::string(s.Key(r.region));
    c.name = std::string(s.Name(r.region));
    c.level = std::string(RegionLevelName(s.RegionInfo(r.region).level));
    c.enterprise = static_cast<int64_t>(r.enterprise);
    c.hospital = static_cast<int64_t>(r.hospital);
    c.institution = static_cast<int64_t>(r.institution);
    c.platform = static_cast<int64_t>(r.platform);
    out.regions.push_back(std::move(c));
  }
  for (const auto& t : a.tracks) {
    rpc::TrackCounts c;
    c.id = std::string(s.Key(t.track));
    c.name = std::string(s.Name(t.track));
    c.segments = static_cast<int64_t>(t.segments);
    c.enterprises = static_cast<int64_t>(t.enterprises);
    c.produces = static_cast<int64_t>(t.produces);
    c.__set_member_of(static_cast<int64_t>(t.member_of));
    out.tracks.push_back(std::move(c));
  }
  if (a.focus != kNoVertex) out.__set_region(std::string(s.Key(a.focus)));
  if (a.enterprises_without_region) {
    out.__set_enterprises_without_region(static_cast<int64_t>(*a.enterprises_without_region));
  }
}

void Fill(const Snapshot& s, const engine::SearchAnswer& a, rpc::SearchResponse& out) {
  out.query = a.query;
  for (VertexId v : a.results) out.results.push_back(Node(s, v));
}

void Fill(const Snapshot& s, const engine::ShowAnswer& a, rpc::ShowResponse& out) {
  out.node = Node(s, a.node, a.note);
  if (const auto& p = a.provenance) {
    rpc::Provenance pr;
    pr.import_id = p->import_id;
    pr.source = p->source;
    pr.file = p->file;
    pr.line = p->line;
    pr.imported_at = p->imported_at;
    out.__set_provenance(pr);
  }
  if (!a.region_path.empty()) {
    std::vector<std::string> path;
    for (VertexId r : a.region_path) path.push_back(s.Label(r) + " " + std::string(s.Name(r)));
    out.__set_region_path(path);
  }
  auto relations = [&](const std::vector<engine::ShowAnswer::Relation>& list) {
    std::vector<rpc::Relation> rels;
    for (const auto& r : list) {
      rpc::Relation rel;
      rel.kind = std::string(EdgeKindName(r.kind));
      rel.other = s.Label(r.other);
      rel.name = std::string(s.Name(r.other));
      rel.weight = r.weight;
      if (!r.attributes.is_null()) rel.__set_attributes(r.attributes.dump());
      rels.push_back(std::move(rel));
    }
    return rels;
  };
  out.out_relations = relations(a.out);
  out.in_relations = relations(a.in);
}

void Fill(const Snapshot& s, const engine::ChainAnswer& g, rpc::ChainResponse& out) {
  out.region = Ref(s, g.region);
  SetOptionalRef(s, g.track, out, &rpc::ChainResponse::__set_track);
  for (int i = 0; i < 5; ++i) {
    out.counts[std::string(matcher::SegmentStatusName(static_cast<matcher::SegmentStatus>(i)))] =
        static_cast<int64_t>(g.count[i]);
  }
  out.completeness = g.completeness;
  out.weighted_completeness = g.weighted_completeness;
  for (const auto& sg : g.segments) {
    rpc::SegmentGap r;
    r.id = s.Label(sg.segment);
    r.name = std::string(s.Name(sg.segment));
    r.track = Ref(s, sg.track);
    r.position = std::string(PositionName(s.Segment(sg.segment).position));
    r.depth = sg.depth;
    r.status = std::string(matcher::SegmentStatusName(sg.status));
    r.score = sg.score;
    r.components = Components(sg.components);
    r.local_producers = Refs(s, sg.local_producers);
    r.producers_elsewhere = static_cast<int64_t>(sg.producers_elsewhere);
    r.local_buyers = Refs(s, sg.local_buyers);
    r.local_hospitals = Refs(s, sg.local_hospitals);
    r.fed_by_local_segments = Refs(s, sg.local_suppliers_of);
    r.location_quotient = sg.location_quotient;
    SetOptionalDouble(sg.density, r, &rpc::SegmentGap::__set_density);
    r.why = Why(sg.why);
    out.segments.push_back(std::move(r));
  }
}

void Fill(const Snapshot& s, const engine::PartnersAnswer& a, rpc::PartnersResponse& out) {
  const matcher::PartnersResult& r = a.result;
  out.enterprise = Ref(s, r.enterprise);
  out.role = std::string(matcher::PartnerRoleName(r.role));
  out.scorer = a.scorer;
  for (const auto& x : r.segments) {
    rpc::PartnerSegment seg;
    seg.id = s.Label(x.segment);
    seg.name = std::string(s.Name(x.segment));
    seg.share = x.share;
    seg.via = std::string(EdgeKindName(x.via));
    out.segments.push_back(std::move(seg));
  }
  out.candidates = static_cast<int64_t>(r.candidates);
  out.items = Items(s, r.items);
  out.known_hidden = static_cast<int64_t>(r.known_hidden);
}

void Fill(const Snapshot& s, const engine::PairingsAnswer& a, rpc::PairingsResponse& out) {
  const matcher::PairingsResult& r = a.result;
  out.enterprise = Ref(s, r.enterprise);
  out.kind = std::string(matcher::PairingKindName(r.kind));
  out.scorer = a.scorer;
  out.candidates = static_cast<int64_t>(r.candidates);
  out.items = Items(s, r.items);
}

void Fill(const Snapshot& s, const engine::TargetsAnswer& a, rpc::TargetsResponse& out) {
  const matcher::TargetsResult& r = a.result;
  out.region = Ref(s, r.region);
  SetOptionalRef(s, r.track, out, &rpc::TargetsResponse::__set_track);
  out.scorer = a.scorer;
  out.gaps = Refs(s, r.gaps);
  out.candidates = static_cast<int64_t>(r.candidates);
  out.items = Items(s, r.items);
}

void Fill(const Snapshot& s, const engine::LeadersAnswer& a, rpc::LeadersResponse& out) {
  const matcher::LeadersResult& r = a.result;
  SetOptionalRef(s, r.region, out, &rpc::LeadersResponse::__set_region);
  SetOptionalRef(s, r.track, out, &rpc::LeadersResponse::__set_track);
  out.scorer = a.scorer;
  out.candidates = static_cast<int64_t>(r.candidates);
  out.items = Items(s, r.items);
}

void Fill(const Snapshot& s, const engine::RecommendAnswer& a, rpc::RecommendResponse& out) {
  const matcher::Recommendation& r = a.result;
  out.recommender = a.recommender;
  SetOptionalRef(s, r.subject, out, &rpc::RecommendResponse::__set_subject);
  out.scorer = a.scorer;
  out.candidates = static_cast<int64_t>(r.candidates);
  out.items = Items(s, r.items);
}

void Fill(const Snapshot& s, const engine::RelatednessAnswer& a, rpc::RelatednessResponse& out) {
  const matcher::RelatednessTable& t = *a.table;
  const kernels::SparseComplexity& c = t.complexity;
  out.level = std::string(RegionLevelName(t.level));
  SetOptionalRef(s, t.track, out, &rpc::RelatednessResponse::__set_track);
  out.activity = report::kRelatednessActivity;
  out.rca_threshold = 1.0;
  out.opportunity_gain_definition = matcher::OpportunityGainDefinition();
  for (size_t p = 0; p < t.segments.size(); ++p) {
    rpc::SegmentComplexity sc;
    sc.id = s.Label(t.segments[p]);
    sc.name = std::string(s.Name(t.segments[p]));
    sc.ubiquity = c.ubiquity[p];
    SetOptionalDouble(c.pci[p], sc, &rpc::SegmentComplexity::__set_pci);
    out.segments.push_back(std::move(sc));
  }
  for (const auto& row : a.rows) {
    rpc::RegionRelatedness rr;
    rr.id = s.Label(row.region);
    rr.name = std::string(s.Name(row.region));
    rr.diversity = row.diversity;
    SetOptionalDouble(row.eci, rr, &rpc::RegionRelatedness::__set_eci);
    for (const auto& cell : row.cells) {
      rpc::RelatednessCell rc;
      rc.segment = Ref(s, cell.segment);
      rc.activity = cell.activity;
      rc.rca = cell.rca;
      rc.m = cell.m;
      rc.density = cell.density;
      rc.distance = 1.0 - cell.density;
      SetOptionalDouble(cell.opportunity_gain, rc, &rpc::RelatednessCell::__set_opportunity_gain);
      rr.cells.push_back(std::move(rc));
    }
    out.regions.push_back(std::move(rr));
  }
}

void Fill(const Snapshot& s, const engine::ClustersAnswer& a, rpc::ClustersResponse& out) {
  const matcher::ClustersResult& r = a.result;
  SetOptionalRef(s, r.region, out, &rpc::ClustersResponse::__set_region);
  out.algorithm = "louvain";
  out.enterprises = static_cast<int64_t>(r.enterprises);
  out.edges = static_cast<int64_t>(r.edges);
  out.modularity = r.modularity;
  out.levels = r.levels;
  for (const auto& c : r.communities) {
    rpc::Community rc;
    rc.id = c.id;
    rc.size = static_cast<int64_t>(c.members.size());
    rc.internal_weight = c.internal_weight;
    rc.members = Refs(s, a.Members(c));
    for (const auto& [segment, enterprises] : a.Segments(c)) {
      rpc::SegmentCount sc;
      sc.id = s.Label(segment);
      sc.name = std::string(s.Name(segment));
      sc.enterprises = static_cast<int64_t>(enterprises);
      rc.top_segments.push_back(std::move(sc));
    }
    out.communities.push_back(std::move(rc));
  }
}

void Fill(const Snapshot& s, const engine::IndicatorsAnswer& r, rpc::IndicatorsResponse& out) {
  out.region = Ref(s, r.region);
  for (const auto& i : r.indicators) {
    rpc::Indicator ind;
    ind.name = i.name;
    ind.description = i.description;
    ind.unit = i.unit;
    ind.value = i.value;
    if (i.summed) {
      ind.__set_reported_by(static_cast<int64_t>(i.reported));
      ind.__set_of(static_cast<int64_t>(i.population));
    }
    if (i.target) {
      ind.__set_target(*i.target);
      ind.__set_progress(i.progress());
    }
    if (!i.note.empty()) ind.__set_note(i.note);
    out.indicators.push_back(std::move(ind));
  }
}

}  // namespace chainatlas::service
