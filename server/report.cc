#include "server/report.h"

#include "matcher/gaps.h"

#include <cmath>
#include <iomanip>
#include <map>
#include <ostream>
#include <sstream>

#include "graph/lookup.h"
#include "graph/region_tree.h"
#include "ingest/export.h"
#include "ingest/text.h"
#include "server/reasons.h"

namespace chainatlas::report {

std::string Fixed(double v, int digits) {
  if (std::abs(v) < 0.5 * std::pow(10.0, -digits)) v = 0;  // no "-0.000"
  std::ostringstream o;
  o << std::fixed << std::setprecision(digits) << v;
  return o.str();
}
namespace {

json RefList(const Snapshot& s, const std::vector<VertexId>& vs) {
  json a = json::array();
  for (VertexId v : vs) a.push_back(Ref(s, v));
  return a;
}

json NumberOrNull(double v) { return std::isnan(v) ? json(nullptr) : json(v); }

std::string Str(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

}  // namespace

const char* const kRelatednessActivity =
    "distinct enterprises in the region making the segment (produces or member_of)";

json ErrorJson(const Error& e) { return ErrorJson(e, Lang::kEn); }

json ErrorJson(const Error& e, Lang lang) {
  json err = {{"code", ErrorCodeName(e.code())},
              {"message", e.Text(lang)},
              {"suggestions", e.suggestions()}};
  if (!e.message().code.empty()) {
    err["message_code"] = e.message().code;
    json params = json::object();
    for (const auto& [name, value] : e.message().params) params[name] = value;
    err["params"] = params;
  }
  return {{"error", err}};
}

json Ref(const Snapshot& s, VertexId v) {
  return {{"id", s.Label(v)}, {"name", std::string(s.Name(v))}};
}

std::vector<std::string> PathTexts(const Snapshot& s, const matcher::Item& item) {
  std::vector<std::string> out;
  out.reserve(item.paths.size());
  for (const auto& p : item.paths) out.push_back(matcher::RenderPath(s, p));
  return out;
}

EvidenceNames EvidenceOf(const matcher::Item& item) {
  return {std::string(EvidenceKindName(EvidenceKindOf(item.evidence))),
          std::string(SupplyRuleName(SupplyRuleOf(item.evidence))),
          std::string(EvidenceLevelName(item.evidence))};
}

namespace {

json Components(const std::vector<matcher::Component>& components) {
  json comps = json::array();
  for (const auto& c : components) {
    comps.push_back(
        {{"name", c.name}, {"weight", c.weight}, {"value", c.value}, {"points", c.points}});
  }
  return comps;
}

json OptionalRef(const Snapshot& s, VertexId v) {
  return v == kNoVertex ? json(nullptr) : Ref(s, v);
}

json ItemJson(const Snapshot& s, const matcher::Item& item, size_t rank) {
  json j = Ref(s, item.entity);
  j["rank"] = rank;
  j["kind"] = std::string(NodeKindName(s.Kind(item.entity)));
  j["region"] = OptionalRef(s, s.Region(item.entity));
  j["score"] = item.score;
  j["components"] = Components(item.components);
  j["paths"] = PathTexts(s, item);
  j["why_codes"] = ReasonsJson(item.why);
  j["why"] = RenderReasons(j["why_codes"], Lang::kEn);
  if (item.has_evidence) {
    EvidenceNames e = EvidenceOf(item);
    j["evidence"] = {
        {"kind", e.kind}, {"rule", e.rule}, {"tier", e.tier}, {"rank_tier", item.tier}};
  }
  j["known"] = item.known;
  j["via"] = RefList(s, item.via);
  if (!item.partners.empty()) j["partners"] = RefList(s, item.partners);
  return j;
}

json Items(const Snapshot& s, const std::vector<matcher::Item>& items) {
  json a = json::array();
  for (size_t i = 0; i < items.size(); ++i) a.push_back(ItemJson(s, items[i], i + 1));
  return a;
}

// {name: count}, names[i] naming counts[i].
template <typename Names, typename Counts>
json CountsByName(const Names& names, const Counts& counts) {
  json j = json::object();
  for (size_t i = 0; i < names.size(); ++i) j[std::string(names[i])] = counts[i];
  return j;
}

}  // namespace

json NodeJson(const Snapshot& s, VertexId v, const std::string& note) {
  json node = ingest::NodeJson(s, v);
  if (!note.empty()) node["note"] = note;
  return node;
}

json ToJson(const Snapshot& s, const engine::StatsAnswer& a) {
  std::array<std::string_view, kNodeKindCount> node_names;
  std::array<std::string_view, kEdgeKindCount> edge_names;
  std::array<std::string_view, kEvidenceKindCount> evidence_names;
  for (size_t i = 0; i < node_names.size(); ++i) node_names[i] = NodeKindName(kAllNodeKinds[i]);
  for (size_t i = 0; i < edge_names.size(); ++i) edge_names[i] = EdgeKindName(kAllEdgeKinds[i]);
  for (int k = 0; k < kEvidenceKindCount; ++k)
    evidence_names[k] = EvidenceKindName(static_cast<EvidenceKind>(k));
  json j;
  j["nodes"] = CountsByName(node_names, a.nodes);
  j["edges"] = CountsByName(edge_names, a.edges);
  j["supplies_by_evidence"] = CountsByName(evidence_names, a.supplies_by_evidence);
  j["vertices"] = a.vertices;
  j["edge_total"] = a.edge_total;
  j["adjacency_bytes"] = a.adjacency_bytes;
  json regions = json::array();
  for (const auto& r : a.regions) {
    regions.push_back({{"code", std::string(s.Key(r.region))},
                       {"name", std::string(s.Name(r.region))},
                       {"level", std::string(RegionLevelName(s.RegionInfo(r.region).level))},
                       {"enterprise", r.enterprise},
                       {"hospital", r.hospital},
                       {"institution", r.institution},
                       {"platform", r.platform}});
  }
  j["regions"] = regions;
  if (a.enterprises_without_region) j["enterprises_without_region"] = *a.enterprises_without_region;
  json tracks = json::array();
  for (const auto& t : a.tracks) {
    tracks.push_back({{"id", std::string(s.Key(t.track))},
                      {"name", std::string(s.Name(t.track))},
                      {"segments", t.segments},
                      {"enterprises", t.enterprises},
                      {"produces", t.produces},
                      {"member_of", t.member_of}});
  }
  j["tracks"] = tracks;
  if (a.focus != kNoVertex) j["region"] = std::string(s.Key(a.focus));
  return j;
}

json ToJson(const Snapshot& s, const engine::SearchAnswer& a) {
  json list = json::array();
  for (VertexId v : a.results) list.push_back(ingest::NodeJson(s, v));
  return {{"query", a.query}, {"results", list}};
}

json ToJson(const Snapshot& s, const engine::ShowAnswer& a) {
  json provenance = nullptr;
  if (const auto& p = a.provenance) {
    provenance = {{"import", p->import_id},
                  {"source", p->source},
                  {"file", p->file},
                  {"line", p->line},
                  {"imported_at", p->imported_at}};
  }
  json j = {{"node", NodeJson(s, a.node, a.note)}, {"provenance", provenance}};
  if (!a.region_path.empty()) {
    json path = json::array();
    for (VertexId r : a.region_path) path.push_back(s.Label(r) + " " + std::string(s.Name(r)));
    j["region_path"] = path;
  }
  auto relations = [&](const std::vector<engine::ShowAnswer::Relation>& list, const char* other) {
    json out = json::array();
    for (const auto& r : list) {
      json rel = {{"kind", std::string(EdgeKindName(r.kind))},
                  {other, s.Label(r.other)},
                  {"name", std::string(s.Name(r.other))},
                  {"weight", r.weight}};
      if (!r.attributes.is_null()) rel["attributes"] = r.attributes;
      out.push_back(rel);
    }
    return out;
  };
  j["out"] = relations(a.out, "target");
  j["in"] = relations(a.in, "source");
  return j;
}

json ToJson(const Snapshot& s, const engine::PartnersAnswer& a) {
  const matcher::PartnersResult& r = a.result;
  json segs = json::array();
  for (const auto& x : r.segments) {
    json j = Ref(s, x.segment);
    j["share"] = x.share;
    j["via"] = std::string(EdgeKindName(x.via));
    segs.push_back(j);
  }
  return {{"enterprise", Ref(s, r.enterprise)},
          {"role", std::string(matcher::PartnerRoleName(r.role))},
          {"scorer", a.scorer},
          {"segments", segs},
          {"candidates", r.candidates},
          {"known_hidden", r.known_hidden},
          {"items", Items(s, r.items)}};
}

json ToJson(const Snapshot& s, const engine::PairingsAnswer& a) {
  const matcher::PairingsResult& r = a.result;
  return {{"enterprise", Ref(s, r.enterprise)},
          {"kind", std::string(matcher::PairingKindName(r.kind))},
          {"scorer", a.scorer},
          {"candidates", r.candidates},
          {"items", Items(s, r.items)}};
}

json ToJson(const Snapshot& s, const engine::ChainAnswer& g) {
  json segs = json::array();
  for (const auto& sg : g.segments) {
    json j = Ref(s, sg.segment);
    j["track"] = Ref(s, sg.track);
    j["position"] = std::string(PositionName(s.Segment(sg.segment).position));
    j["depth"] = sg.depth;
    j["status"] = std::string(matcher::SegmentStatusName(sg.status));
    j["score"] = sg.score;
    j["components"] = Components(sg.components);
    j["local_producers"] = RefList(s, sg.local_producers);
    j["producers_elsewhere"] = sg.producers_elsewhere;
    j["local_buyers"] = RefList(s, sg.local_buyers);
    j["local_hospitals"] = RefList(s, sg.local_hospitals);
    j["fed_by_local_segments"] = RefList(s, sg.local_suppliers_of);
    j["location_quotient"] = sg.location_quotient;
    j["density"] = NumberOrNull(sg.density);
    j["why_codes"] = ReasonsJson(sg.why);
    j["why"] = RenderReasons(j["why_codes"], Lang::kEn);
    segs.push_back(j);
  }
  json counts = json::object();
  for (int i = 0; i < 5; ++i) {
    counts[std::string(matcher::SegmentStatusName(static_cast<matcher::SegmentStatus>(i)))] =
        g.count[i];
  }
  json out = {{"region", Ref(s, g.region)},
              {"track", OptionalRef(s, g.track)},
              {"counts", counts},
              {"completeness", g.completeness},
              {"weighted_completeness", g.weighted_completeness},
              {"segments", segs}};
  // Only where a large track left absent segments out (matcher/gaps.h), so that other answers
  // keep their shape.
  if (g.absent_not_listed > 0) out["absent_not_listed"] = g.absent_not_listed;
  return out;
}

json ToJson(const Snapshot& s, const engine::TargetsAnswer& a) {
  const matcher::TargetsResult& r = a.result;
  return {{"region", Ref(s, r.region)}, {"track", OptionalRef(s, r.track)},
          {"scorer", a.scorer},         {"gaps", RefList(s, r.gaps)},
          {"candidates", r.candidates}, {"items", Items(s, r.items)}};
}

json ToJson(const Snapshot& s, const engine::LeadersAnswer& a) {
  const matcher::LeadersResult& r = a.result;
  return {{"region", OptionalRef(s, r.region)},
          {"track", OptionalRef(s, r.track)},
          {"scorer", a.scorer},
          {"candidates", r.candidates},
          {"items", Items(s, r.items)}};
}

json ToJson(const Snapshot& s, const engine::RecommendAnswer& a) {
  const matcher::Recommendation& r = a.result;
  return {{"recommender", a.recommender},
          {"subject", OptionalRef(s, r.subject)},
          {"scorer", a.scorer},
          {"candidates", r.candidates},
          {"items", Items(s, r.items)}};
}

json RecommendersJson() {
  json list = json::array();
  for (const matcher::Recommender& r : matcher::Recommenders()) {
    if (!r.run) continue;
    json measures = json::array();
    for (auto m : r.measures) measures.push_back(std::string(m));
    list.push_back({{"name", std::string(r.name)},
                    {"command", std::string(r.command)},
                    {"variant", std::string(r.variant)},
                    {"subject", std::string(NodeKindName(r.subject))},
                    {"subject_optional", r.subject_optional},
                    {"measures", measures}});
  }
  return {{"recommenders", list}};
}

json ToJson(const Snapshot& s, const engine::ClustersAnswer& a) {
  const matcher::ClustersResult& r = a.result;
  json comms = json::array();
  for (const auto& c : r.communities) {
    json segs = json::array();
    for (const auto& [segment, enterprises] : a.Segments(c)) {
      json j = Ref(s, segment);
      j["enterprises"] = enterprises;
      segs.push_back(j);
    }
    json members = json::array();
    for (VertexId v : a.Members(c)) members.push_back(Ref(s, v));
    comms.push_back({{"id", c.id},
                     {"size", c.members.size()},
                     {"internal_weight", c.internal_weight},
                     {"members", members},
                     {"top_segments", segs}});
  }
  return {{"region", OptionalRef(s, r.region)},
          {"algorithm", "louvain"},
          {"enterprises", r.enterprises},
          {"edges", r.edges},
          {"modularity", r.modularity},
          {"levels", r.levels},
          {"communities", comms}};
}

json ToJson(const Snapshot& s, const engine::IndicatorsAnswer& r) {
  json list = json::array();
  for (const auto& i : r.indicators) {
    json j = {
        {"name", i.name}, {"description", i.description}, {"unit", i.unit}, {"value", i.value}};
    if (i.summed) {
      j["reported_by"] = i.reported;
      j["of"] = i.population;
    }
    j["target"] = i.target ? json(*i.target) : json(nullptr);
    j["progress"] = i.target ? json(i.progress()) : json(nullptr);
    if (!i.note.empty()) j["note"] = i.note;
    list.push_back(j);
  }
  return {{"region", Ref(s, r.region)}, {"indicators", list}};
}

json ToJson(const Snapshot& s, const engine::RelatednessAnswer& a) {
  const matcher::RelatednessTable& t = *a.table;
  const kernels::SparseComplexity& c = t.complexity;
  json segs = json::array();
  for (size_t p = 0; p < t.segments.size(); ++p) {
    json j = Ref(s, t.segments[p]);
    j["ubiquity"] = c.ubiquity[p];
    j["pci"] = NumberOrNull(c.pci[p]);
    segs.push_back(j);
  }
  json regions = json::array();
  for (const auto& row : a.rows) {
    json cells = json::array();
    for (const auto& cell : row.cells) {
      cells.push_back({{"segment", Ref(s, cell.segment)},
                       {"activity", cell.activity},
                       {"rca", cell.rca},
                       {"m", cell.m},
                       {"density", cell.density},
                       {"distance", 1.0 - cell.density},
                       {"opportunity_gain", NumberOrNull(cell.opportunity_gain)}});
    }
    json j = Ref(s, row.region);
    j["diversity"] = row.diversity;
    j["eci"] = NumberOrNull(row.eci);
    j["cells"] = cells;
    regions.push_back(j);
  }
  return {{"level", std::string(RegionLevelName(t.level))},
          {"track", OptionalRef(s, t.track)},
          {"activity", kRelatednessActivity},
          {"rca_threshold", 1.0},
          {"opportunity_gain_definition", matcher::OpportunityGainDefinition()},
          {"segments", segs},
          {"regions", regions}};
}

// ---- text --------------------------------------------------------------------------------------

// The score components' names in Chinese: one table for the text, the exports and the console
// (web/js/i18n.js holds the same words).
std::string ComponentNameZh(const std::string& name) {
  static const std::map<std::string, std::string> zh = {{"demand", "需求"},
                                                        {"relatedness", "关联度"},
                                                        {"dependence", "依赖度"},
                                                        {"scarcity", "稀缺度"},
                                                        {"segment", "环节缺口"},
                                                        {"strength", "企业实力"},
                                                        {"ties", "已有往来"},
                                                        {"proximity", "地理邻近"},
                                                        {"domestic", "国产替代"},
                                                        {"fit", "匹配度"},
                                                        {"graph", "图谱关联"},
                                                        {"quality", "质量"},
                                                        {"overlap", "重合度"},
                                                        {"trial", "临床试验能力"},
                                                        {"university", "高校"},
                                                        {"hospital", "医院"},
                                                        {"tie", "三方纽带"},
                                                        {"pagerank", "供应网络PageRank"},
                                                        {"dependants", "本地依赖企业"},
                                                        {"share", "环节份额"},
                                                        {"size", "规模"},
                                                        {"declared", "已认定链主"},
                                                        {"capability", "能力"},
                                                        {"clinical", "临床"},
                                                        {"research", "科研"}};
  auto it = zh.find(name);
  return it == zh.end() ? name : it->second;
}

void PrintItems(std::ostream& out, const json& result, const std::string& title, bool zh) {
  const size_t shown = result["items"].size();
  const std::string candidates = result["candidates"].dump();
  if (zh) {
    out << title << "  （显示 " << shown << " 个，共 " << candidates << " 个候选";
    if (result.contains("scorer")) out << "，评分方案 " << Str(result, "scorer");
    out << "）\n";
  } else {
    out << title << "  (" << shown << " shown of " << candidates << " candidates";
    if (result.contains("scorer")) out << ", scorer " << Str(result, "scorer");
    out << ")\n";
  }
  if (size_t hidden = result.value("known_hidden", size_t{0})) {
    if (zh) {
      out << "  " << hidden << " 个已有合作的伙伴未列出（--include-known 可列出）\n";
    } else {
      out << "  " << hidden << " known partner" << (hidden == 1 ? " is" : "s are")
          << " not listed (--include-known lists them)\n";
    }
  }
  if (result["items"].empty()) out << (zh ? "  无可推荐\n" : "  nothing to recommend\n");
  for (const auto& it : result["items"]) {
    out << std::setw(3) << it["rank"].get<size_t>() << ". " << Fixed(it["score"].get<double>())
        << "  " << Str(it, "id") << " " << Str(it, "name");
    if (it.contains("partners")) {
      for (const auto& p : it["partners"]) out << " + " << Str(p, "id") << " " << Str(p, "name");
    }
    if (!it["region"].is_null()) out << "  (" << Str(it["region"], "name") << ")";
    if (it["known"].get<bool>()) out << (zh ? "  [已有合作]" : "  [known]");
    out << "\n       =";
    bool first = true;
    for (const auto& c : it["components"]) {
      const std::string name = Str(c, "name");
      out << (first ? " " : " + ") << (zh ? ComponentNameZh(name) : name) << " "
          << Fixed(c["points"].get<double>());
      first = false;
    }
    out << "\n";
    for (const auto& p : it["paths"]) out << "       " << p.get<std::string>() << "\n";
    std::string why;
    for (const auto& w : it["why"])
      why += (why.empty() ? "" : (zh ? "；" : "; ")) + w.get<std::string>();
    if (!why.empty()) out << (zh ? "       理由：" : "       why: ") << why << "\n";
  }
}

void PrintRecommendation(std::ostream& out, const json& j, ItemsPage page, Lang lang) {
  const bool zh = lang == Lang::kZh;
  std::string title;
  switch (page) {
    case ItemsPage::kPartners: {
      static const std::map<std::string, std::string> role_zh = {
          {"supplier", "供应商"}, {"customer", "客户"}, {"peer", "同行"}};
      const std::string role = Str(j, "role"), who = RefText(j["enterprise"]);
      title = zh ? "合作伙伴推荐（" + role_zh.at(role) + "）：" + who
                 : "Partners (" + role + "s) for " + who;
      break;
    }
    case ItemsPage::kPairings: {
      static const std::map<std::string, std::string> kind_zh = {{"university", "高校"},
                                                                 {"hospital", "医院"},
                                                                 {"platform", "服务平台"},
                                                                 {"triad", "高校+医院"}};
      const std::string kind = Str(j, "kind"), who = RefText(j["enterprise"]);
      title = zh ? "产学研医对接（" + kind_zh.at(kind) + "）：" + who
                 : "产学研医 pairings (" + kind + ") for " + who;
      break;
    }
    case ItemsPage::kTargets: {
      const std::string where = RefText(j["region"]), gaps = std::to_string(j["gaps"].size());
      title = zh ? "招商目标：" + where + "（" + gaps + " 个缺口环节）"
                 : "Investment-attraction targets for " + where + " (" + gaps + " gap segments)";
      break;
    }
    case ItemsPage::kLeaders: {
      const std::string where = j["region"].is_null() ? "" : RefText(j["region"]);
      title = zh ? "链主企业" + (where.empty() ? "" : "：" + where)
                 : "Chain leaders" + (where.empty() ? "" : " in " + where);
      break;
    }
    case ItemsPage::kRecommend: {
      const std::string who = j["subject"].is_null() ? "" : RefText(j["subject"]);
      const std::string name = Str(j, "recommender");
      title = zh ? "推荐（" + name + "）" + (who.empty() ? "" : "：" + who)
                 : "Recommendations (" + name + ")" + (who.empty() ? "" : " for " + who);
      break;
    }
  }
  PrintItems(out, j, title, zh);
}

void PrintRecommenders(std::ostream& out, const json& list, Lang lang) {
  const bool zh = lang == Lang::kZh;
  out << (zh ? "推荐器（--with）  对应命令  对象  度量\n"
             : "recommender (--with)  command  subject  measures\n");
  for (const json& r : list["recommenders"]) {
    std::string measures;
    for (const json& m : r["measures"]) {
      std::string name = m.get<std::string>();
      measures += (measures.empty() ? "" : ", ") +
                  (zh ? ComponentNameZh(name) + "(" + name + ")" : name);
    }
    const std::string variant = Str(r, "variant");
    out << std::left << std::setw(14) << Str(r, "name") << " " << Str(r, "command")
        << (variant.empty() ? "" : " " + variant) << "  " << Str(r, "subject")
        << (r["subject_optional"].get<bool>() ? (zh ? "（可省）" : " (optional)") : "") << "  "
        << measures << "\n";
  }
}

void PrintGaps(std::ostream& out, const json& g, bool tree, bool every_status, bool zh) {
  auto status_text = [&](const std::string& code) {
    if (!zh) return code;
    return std::string(matcher::SegmentStatusNameZh(matcher::ParseSegmentStatus(code)));
  };
  auto position_text = [&](const std::string& code) {
    if (!zh) return code.substr(0, 1);
    return std::string(code == "upstream" ? "上" : code == "midstream" ? "中" : "下");
  };
  out << (tree ? (zh ? "产业链全景" : "Chain panorama") : (zh ? "缺链弱链" : "Chain gaps"))
      << (zh ? "：" : " of ") << Str(g["region"], "name");
  if (!g["track"].is_null()) out << (zh ? " · " : ", ") << Str(g["track"], "name");
  out << (zh ? "：完整度 " : ": completeness ") << Fixed(100 * g["completeness"].get<double>(), 0)
      << (zh ? "%（加权 " : "% (weighted ")
      << Fixed(100 * g["weighted_completeness"].get<double>(), 0) << (zh ? "%）；" : "%);");
  for (auto& [k, v] : g["counts"].items()) out << " " << status_text(k) << " " << v;
  out << "\n";
  const char* legend = zh ? "（链位、状态（优先级）、本地企业 / 外地企业 / 本地需求企业、医院）"
                          : "(position, status (priority), local makers / elsewhere / local demand "
                            "firms, hospitals)";
  if (!tree) out << legend << "\n";
  std::string track;
  for (const auto& seg : g["segments"]) {
    std::string status = Str(seg, "status");
    // The gap view lists what to act on, unless a --status asked for a status on purpose.
    if (!tree && !every_status && (status == "absent" || status == "strong")) continue;
    if (tree && Str(seg["track"], "id") != track) {
      track = Str(seg["track"], "id");
      out << "\n" << Str(seg["track"], "name") << "  " << legend << "\n";
    }
    size_t depth = tree ? seg["depth"].get<size_t>() : 1;
    out << std::string(2 * depth, ' ') << "[" << position_text(Str(seg, "position")) << "] "
        << Str(seg, "name") << "  " << status_text(status);
    if (seg["score"].get<double>() > 0) {
      out << (zh ? "（优先级 " : " (priority ") << Fixed(seg["score"].get<double>(), 2)
          << (zh ? "）" : ")");
    }
    out << "  " << seg["local_producers"].size() << " / " << seg["producers_elsewhere"] << " / "
        << seg["local_buyers"].size() << ", " << seg["local_hospitals"].size() << "\n";
    if (!tree || status == "missing" || status == "weak") {
      std::string why;
      for (const auto& w : seg["why"])
        why += (why.empty() ? "" : (zh ? "；" : "; ")) + w.get<std::string>();
      out << std::string(2 * depth + 6, ' ') << why << "\n";
      if (!tree && seg.contains("components") && !seg["components"].empty()) {
        std::string parts;
        for (const auto& c : seg["components"]) {
          parts += (parts.empty() ? "" : " + ") +
                   (zh ? ComponentNameZh(Str(c, "name")) : Str(c, "name")) + " " +
                   Fixed(c["points"].get<double>(), 3);
        }
        out << std::string(2 * depth + 6, ' ') << "= " << parts << "\n";
      }
    }
  }
  if (tree && g.contains("absent_not_listed")) {
    if (zh) {
      out << "\n（大赛道中未涉及的环节 " << g["absent_not_listed"]
          << " 个未列出：本地既不生产、不需要，也不供给）\n";
    } else {
      out << "\n(" << g["absent_not_listed"] << " absent segments of large tracks not listed: "
          << "neither made, needed nor fed locally)\n";
    }
  }
}

void PrintClusters(std::ostream& out, const json& c, Lang lang) {
  if (lang == Lang::kZh) {
    out << "企业网络的社群" << (c["region"].is_null() ? "" : "（" + Str(c["region"], "name") + "）")
        << "：" << c["enterprises"] << " 家有关联的企业（" << c["edges"] << " 条关联）分为 "
        << c["communities"].size() << " 个社群，Louvain 模块度 "
        << Fixed(c["modularity"].get<double>(), 4) << "\n";
  } else {
    out << "Communities of the enterprise network"
        << (c["region"].is_null() ? "" : " in " + Str(c["region"], "name")) << ": "
        << c["communities"].size() << " communities of " << c["enterprises"]
        << " tied enterprises (" << c["edges"] << " ties), Louvain modularity "
        << Fixed(c["modularity"].get<double>(), 4) << "\n";
  }
  for (const auto& com : c["communities"]) {
    out << "  #" << com["id"] << "  " << com["size"]
        << (lang == Lang::kZh ? " 家企业：" : " enterprises:");
    for (const auto& m : com["members"]) out << " " << Str(m, "name") << ";";
    if (com["size"].get<size_t>() > com["members"].size()) out << " …";
    out << (lang == Lang::kZh ? "\n      主营环节：" : "\n      makes:");
    for (const auto& sgm : com["top_segments"])
      out << " " << Str(sgm, "name") << " (" << sgm["enterprises"] << ")";
    out << "\n";
  }
}

std::string IndicatorNameZh(const std::string& name) {
  static const std::map<std::string, std::string> zh = {
      {"enterprises", "企业数"},
      {"above_scale_enterprises", "规上企业数"},
      {"above_scale_revenue", "规上产值"},
      {"enterprises_over_100m", "亿元以上企业数"},
      {"employees", "从业人数"},
      {"high_tech_enterprises", "高新技术企业数"},
      {"specialised_enterprises", "专精特新企业数"},
      {"little_giants", "专精特新小巨人企业数"},
      {"listed_enterprises", "上市企业数"},
      {"chain_leaders", "链主企业数"},
      {"class3_certificates", "三类注册证"},
      {"class2_certificates", "二类注册证"},
      {"patents", "专利"},
      {"cooperation_ties", "产学研医合作"},
      {"hospitals", "医院数"},
      {"institutions", "高校院所数"},
      {"platforms", "服务平台数"}};
  auto it = zh.find(name);
  return it == zh.end() ? name : it->second;
}

void PrintIndicators(std::ostream& out, const json& r, Lang lang) {
  const bool zh = lang == Lang::kZh;
  out << (zh ? "规划指标：" + Str(r["region"], "name")
             : "Plan indicators of " + Str(r["region"], "name"))
      << "\n";
  for (const auto& i : r["indicators"]) {
    const std::string unit = Str(i, "unit");
    std::ostringstream line;
    const std::string name = zh ? IndicatorNameZh(Str(i, "name")) + " " + Str(i, "name")
                                : Str(i, "name");
    line << "  " << ingest::PadRight(name, zh ? 40 : 26) << std::setw(12)
         << Fixed(i["value"].get<double>(), 0) << " " << ingest::PadRight(unit, 4);
    if (!i["target"].is_null()) {
      line << (zh ? "  目标 " : "  target ") << Fixed(i["target"].get<double>(), 0) << " " << unit
           << (zh ? "（完成 " : " (") << Fixed(100 * i["progress"].get<double>(), 0)
           << (zh ? "%）" : "%)");
    }
    if (i.contains("reported_by")) {
      if (zh) {
        line << "  " << i["of"] << " 家中 " << i["reported_by"] << " 家有数据";
      } else {
        line << "  reported by " << i["reported_by"] << " of " << i["of"];
      }
    }
    if (i.contains("note")) line << "  — " << Str(i, "note");
    std::string text = line.str();
    text.erase(text.find_last_not_of(' ') + 1);
    out << text << "\n";
  }
}

void PrintRelatedness(std::ostream& out, const json& r, Lang lang) {
  const bool zh = lang == Lang::kZh;
  const std::string na = zh ? "无" : "n/a";
  if (zh) {
    out << TermText(Str(r, "level"), lang) << "关联度"
        << (r["track"].is_null() ? "" : "（" + Str(r["track"], "name") + "）") << "：显示 "
        << r["regions"].size() << " 个地区，" << r["segments"].size() << " 个环节\n"
        << "  机会收益（opportunity gain）：见《Atlas of Economic Complexity》(2014) 技术专栏 "
           "5.4：对地区缺少的环节"
           "（M_cp = 0），OG_cp = Σ_p' [φ_pp' / Σ_p'' φ_p''p'] (1 − M_cp') PCI_p' − (1 − d_cp) "
           "PCI_p，"
           "距离 d_cp = 1 − ω_cp；M_cp = 1 时为 0\n";
  } else {
    out << "Relatedness at " << Str(r, "level") << " level"
        << (r["track"].is_null() ? "" : " for " + Str(r["track"], "name")) << ": "
        << r["regions"].size() << " regions shown, " << r["segments"].size() << " segments\n"
        << "  opportunity gain: " << Str(r, "opportunity_gain_definition") << "\n";
  }
  for (const auto& reg : r["regions"]) {
    out << "\n"
        << Str(reg, "id") << " " << Str(reg, "name") << (zh ? "  多样性 " : "  diversity ")
        << reg["diversity"] << ", ECI "
        << (reg["eci"].is_null() ? na : Fixed(reg["eci"].get<double>(), 2)) << "\n";
    if (zh) {
      out << "    " << ingest::PadRight("环节", 28)
          << "     X      RCA  M   关联密度      距离  机会收益\n";
    } else {
      out << "    " << ingest::PadRight("segment", 28)
          << "     X      RCA  M  density  distance  opp.gain\n";
    }
    for (const auto& c : reg["cells"]) {
      out << "    " << ingest::PadRight(Str(c["segment"], "name"), 28) << std::setw(6)
          << Fixed(c["activity"].get<double>(), 0) << std::setw(9)
          << Fixed(c["rca"].get<double>(), 2) << std::setw(3) << Fixed(c["m"].get<double>(), 0)
          << std::setw(9) << Fixed(c["density"].get<double>(), 3) << std::setw(10)
          << Fixed(c["distance"].get<double>(), 3) << std::setw(10)
          << (c["opportunity_gain"].is_null() ? na : Fixed(c["opportunity_gain"].get<double>(), 3))
          << "\n";
    }
  }
}

std::string RefText(const json& ref) {
  return ref["id"].get<std::string>() + " " + ref["name"].get<std::string>();
}

void PrintStats(std::ostream& out, const Snapshot& s, const json& j, Lang lang) {
  const bool focus = j.contains("region");
  const bool zh = lang == Lang::kZh;
  VertexId focus_vertex = kNoVertex;
  if (focus) {
    focus_vertex = ResolveEntity(s, "region:" + j["region"].get<std::string>(), NodeKind::kRegion);
  }
  const std::string per_edge = Fixed(
      static_cast<double>(s.AdjacencyBytes()) / std::max<size_t>(1, s.NumEdges()), 1);
  if (zh) {
    out << "图谱：" << s.NumVertices() << " 个节点，" << s.NumEdges() << " 条边（每条边的邻接存储 "
        << per_edge << " 字节）\n\n节点\n";
    for (auto& [k, v] : j["nodes"].items())
      out << "  " << ingest::PadRight(TermText(k, lang) + " " + k, 24) << v << "\n";
    out << "\n边\n";
    for (auto& [k, v] : j["edges"].items())
      out << "  " << ingest::PadRight(TermText(k, lang) + " " + k, 30) << v << "\n";
    out << "供应关系按证据（docs/ontology.md）：";
    bool first = true;
    for (auto& [k, v] : j["supplies_by_evidence"].items()) {
      out << (first ? "" : " ") << TermText(k, lang) << " " << v;
      first = false;
    }
    out << "\n";
    out << "\n地区"
        << (focus ? "（" + s.Label(focus_vertex) + " " + std::string(s.Name(focus_vertex)) +
                        " 及以下）"
                  : "")
        << "                企业 / 医院 / 高校院所 / 服务平台\n";
  } else {
    out << "Graph: " << s.NumVertices() << " nodes, " << s.NumEdges() << " edges (" << per_edge
        << " adjacency bytes per edge)\n\nNodes\n";
    for (auto& [k, v] : j["nodes"].items())
      out << "  " << std::left << std::setw(20) << k << v << "\n";
    out << "\nEdges\n";
    for (auto& [k, v] : j["edges"].items())
      out << "  " << std::left << std::setw(20) << k << v << "\n";
    out << "supplies by evidence (docs/ontology.md):";
    for (auto& [k, v] : j["supplies_by_evidence"].items()) out << " " << k << " " << v;
    out << "\n";
    out << "\nRegions"
        << (focus ? " (" + s.Label(focus_vertex) + " " + std::string(s.Name(focus_vertex)) +
                        " and below)"
                  : "")
        << "                enterprises hospitals institutions platforms\n";
  }
  for (const json& row : j["regions"]) {
    VertexId r = ResolveEntity(s, "region:" + row["code"].get<std::string>(), NodeKind::kRegion);
    std::string indent(2 + 2 * static_cast<size_t>(s.regions().forest().Depth(r)), ' ');
    out << indent << row["code"].get<std::string>() << " " << row["name"].get<std::string>() << "  "
        << row["enterprise"] << " / " << row["hospital"] << " / " << row["institution"] << " / "
        << row["platform"] << "\n";
  }
  if (j.contains("enterprises_without_region") && j["enterprises_without_region"] > 0) {
    out << (zh ? "  （无地区）  " : "  (no region)  ") << j["enterprises_without_region"]
        << (zh ? " 家企业\n" : " enterprises\n");
  }
  if (zh) {
    out << "\n赛道" << (focus ? "（" + std::string(s.Name(focus_vertex)) + " 的企业）" : "")
        << "          环节 企业\n";
  } else {
    out << "\nTracks"
        << (focus ? " (enterprises in " + std::string(s.Name(focus_vertex)) + ")" : "")
        << "          segments enterprises\n";
  }
  for (const auto& row : j["tracks"]) {
    out << "  " << row["id"].get<std::string>() << " " << row["name"].get<std::string>() << "  ";
    if (zh) {
      out << row["segments"] << " 个环节，" << row["enterprises"] << " 家企业\n";
    } else {
      out << row["segments"] << " segments, " << row["enterprises"] << " enterprises\n";
    }
  }
}

std::string AttributeNameZh(const std::string& name) {
  static const std::map<std::string, std::string> zh = {{"kind", "类型"},
                                                        {"key", "编号"},
                                                        {"region", "地区"},
                                                        {"level", "层级"},
                                                        {"parent", "上级"},
                                                        {"track", "赛道"},
                                                        {"position", "链位"},
                                                        {"name_en", "英文名"},
                                                        {"uscc", "统一社会信用代码"},
                                                        {"founded", "成立年份"},
                                                        {"above_scale", "规上企业"},
                                                        {"revenue", "营收（万元）"},
                                                        {"employees", "员工数"},
                                                        {"class2_certs", "二类注册证"},
                                                        {"class3_certs", "三类注册证"},
                                                        {"patents", "专利"},
                                                        {"rd_ratio", "研发投入占比"},
                                                        {"tags", "称号"},
                                                        {"grade", "医院等级"},
                                                        {"clinical_trial", "临床试验机构"},
                                                        {"demo_base", "应用示范基地"},
                                                        {"departments", "重点科室"},
                                                        {"institution_kind", "机构类型"},
                                                        {"key_labs", "重点实验室"},
                                                        {"platform_kind", "平台类型"},
                                                        {"accreditations", "资质认可"},
                                                        {"illustrative", "示例数据"},
                                                        {"note", "备注"},
                                                        {"source", "来源"}};
  auto it = zh.find(name);
  return it == zh.end() ? name : it->second;
}

void PrintShow(std::ostream& out, const json& j, bool all, Lang lang) {
  const bool zh = lang == Lang::kZh;
  // A label column of 16 (display columns in Chinese).
  auto label = [&](const std::string& en, const std::string& zh_text) {
    if (zh) return ingest::PadRight(zh_text, 16) + (ingest::DisplayWidth(zh_text) >= 16 ? " " : "");
    std::ostringstream o;
    o << std::left << std::setw(16) << en << (en.size() >= 16 ? " " : "");
    return o.str();
  };
  out << RefText(j["node"]) << "\n";
  for (auto& [k, val] : j["node"].items()) {
    if (k == "id" || k == "name") continue;
    std::string text = val.is_string() ? val.get<std::string>() : val.dump();
    if (zh && (k == "kind" || k == "level" || k == "position")) text = TermText(text, lang);
    if (zh && val.is_boolean()) text = val.get<bool>() ? "是" : "否";
    out << "  " << label(k, AttributeNameZh(k)) << text << "\n";
  }
  if (j.contains("region_path")) {
    std::string path;
    for (const auto& r : j["region_path"])
      path += (path.empty() ? "" : " < ") + r.get<std::string>();
    out << "  " << label("located in", "所在地区") << path << "\n";
  }
  if (!j["provenance"].is_null()) {
    const auto& p = j["provenance"];
    out << "  " << label("provenance", "数据来源") << p["file"].get<std::string>() << ":"
        << p["line"];
    if (zh) {
      out << "（来源“" << p["source"].get<std::string>() << "”，第 " << p["import"] << " 次导入，"
          << p["imported_at"].get<std::string>() << "）\n";
    } else {
      out << " (source '" << p["source"].get<std::string>() << "', import #" << p["import"] << ", "
          << p["imported_at"].get<std::string>() << ")\n";
    }
  }
  for (bool outgoing : {true, false}) {
    const json& list = j[outgoing ? "out" : "in"];
    std::map<std::string, std::vector<const json*>> by_kind;
    for (const auto& rel : list) by_kind[rel["kind"]].push_back(&rel);
    for (auto& [kind, rels] : by_kind) {
      const std::string shown_kind = zh ? TermText(kind, lang) + " " + kind : kind;
      out << "\n  " << (outgoing ? shown_kind + " →" : "← " + shown_kind) << " (" << rels.size()
          << ")\n";
      size_t shown = 0;
      for (const json* rel : rels) {
        if (!all && shown++ == 15) {
          if (zh) {
            out << "    …… 另有 " << rels.size() - 15 << " 条（--all 显示全部）\n";
          } else {
            out << "    ... and " << rels.size() - 15 << " more (--all shows every one)\n";
          }
          break;
        }
        out << "    " << (*rel)[outgoing ? "target" : "source"].get<std::string>() << " "
            << (*rel)["name"].get<std::string>()
            << "  w=" << Fixed((*rel)["weight"].get<double>(), 2)
            << ((*rel).contains("attributes") ? "  " + (*rel)["attributes"].dump() : "") << "\n";
      }
    }
  }
}

}  // namespace chainatlas::report
