#include "matcher/recommend.h"

#include <algorithm>
#include <cmath>
#include <map>

#include "graph/error.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"

namespace chainatlas::matcher {

std::string RenderPath(const Snapshot& s, const Path& path) {
  std::string out(s.Name(path.start));
  for (const PathStep& st : path.steps) {
    std::string_view label = EdgeKindName(st.kind);
    if (st.kind == EdgeKind::kSupplies) label = st.forward ? "supplies" : "needs";
    out += st.forward ? " —" : " ←";
    out += label;
    if (st.evidence != 0) {
      out += "[" + std::string(EvidenceKindName(EvidenceKindOf(st.evidence))) + "]";
    }
    out += st.forward ? "→ " : "— ";
    out += s.Name(st.vertex);
  }
  return out;
}

Reason EvidenceFact(const Snapshot& s, const Path& path) {
  VertexId prev = path.start;
  for (const PathStep& st : path.steps) {
    if (SupplyRuleOf(st.evidence) == SupplyRule::kSameIndustry) {
      return Reason("evidence.same_industry").Text("industry", std::string(s.Name(prev)));
    }
    if (st.kind != EdgeKind::kSupplies) {
      prev = st.vertex;
      continue;
    }
    // The supply edge runs input → output: forward from prev, or backward (prev needs it).
    const char* code = nullptr;
    switch (SupplyRuleOf(st.evidence)) {
      case SupplyRule::kMaterialName: code = "evidence.material_name"; break;
      case SupplyRule::kComponentName: code = "evidence.component_name"; break;
      case SupplyRule::kEquipmentName: code = "evidence.equipment_name"; break;
      case SupplyRule::kPartOfParent: code = "evidence.part_of_parent"; break;
      case SupplyRule::kLearnedHeads: code = "evidence.learned_heads"; break;
      case SupplyRule::kSectorParts: code = "evidence.sector_parts"; break;
      case SupplyRule::kSectorProducts: code = "evidence.sector_products"; break;
      case SupplyRule::kIndustryTable: code = "evidence.industry_table"; break;
      case SupplyRule::kSameIndustry:  // handled above: not a supplies step
      case SupplyRule::kNone:
        code = EvidenceKindOf(st.evidence) == EvidenceKind::kProduct    ? "evidence.product"
               : EvidenceKindOf(st.evidence) == EvidenceKind::kIndustry ? "evidence.industry"
                                                                        : "evidence.curated";
        break;
    }
    return Reason(code)
        .Text("input", std::string(s.Name(st.forward ? prev : st.vertex)))
        .Text("output", std::string(s.Name(st.forward ? st.vertex : prev)));
  }
  return Reason();
}

void RankItems(const Snapshot& s, std::vector<Item>& items, size_t top) {
  std::sort(items.begin(), items.end(), [&](const Item& a, const Item& b) {
    if (a.tier != b.tier) return a.tier < b.tier;
    if (a.score != b.score) return a.score > b.score;
    if (s.Kind(a.entity) != s.Kind(b.entity)) return s.Kind(a.entity) < s.Kind(b.entity);
    if (s.Key(a.entity) != s.Key(b.entity)) return s.Key(a.entity) < s.Key(b.entity);
    return a.partners < b.partners;
  });
  if (top && items.size() > top) items.resize(top);
}

const std::vector<std::pair<std::string, double>>& Scorer::For(std::string_view recommender) const {
  for (const auto& [r, w] : weights) {
    if (r == recommender) return w;
  }
  throw Error(ErrorCode::kInternal,
              "scorer '" + name + "' has no weights for " + std::string(recommender));
}

double Scorer::Weight(std::string_view recommender, std::string_view measure) const {
  for (const auto& [name, w] : For(recommender)) {
    if (name == measure) return w;
  }
  return 0;
}

const Scorer& FindScorer(std::string_view name) {
  std::vector<std::string> names;
  for (const Scorer& s : Scorers()) {
    if (s.name == name) return s;
    names.push_back(s.name);
  }
  throw Error(ErrorCode::kNotFound, Msg("matcher.no_scorer", {{"name", std::string(name)}}), names);
}

double ScoreOf(const Scorer& scorer, std::string_view recommender, const Measure* measures,
               size_t count, std::vector<Component>* components) {
  double score = 0;
  for (const auto& entry : scorer.For(recommender)) {
    // Not a structured binding: clang 14 cannot capture one in the lambda below.
    const auto& name = entry.first;
    const auto weight = entry.second;
    const Measure* it = std::find_if(measures, measures + count,
                                     [&](const Measure& m) { return m.first == name; });
    if (it == measures + count) {
      throw Error(ErrorCode::kInternal, "scorer '" + scorer.name + "' weighs '" + name +
                                            "', which " + std::string(recommender) +
                                            " does not measure");
    }
    double value = std::clamp(it->second, 0.0, 1.0);
    if (components) components->push_back({name, weight, value, weight * value});
    score += weight * value;
  }
  return score;
}

void ApplyScorer(const Scorer& scorer, std::string_view recommender,
                 const std::vector<std::pair<std::string, double>>& measures, Item& item) {
  std::vector<Measure> m;
  m.reserve(measures.size());
  for (const auto& [name, value] : measures) m.push_back({name, value});
  item.components.clear();
  item.score = ScoreOf(scorer, recommender, m.data(), m.size(), &item.components);
}

std::vector<VertexId> TopCandidates(const Snapshot& s,
                                    std::vector<std::pair<double, VertexId>> scored, size_t top) {
  auto better = [&](const std::pair<double, VertexId>& a, const std::pair<double, VertexId>& b) {
    if (a.first != b.first) return a.first > b.first;
    if (s.Kind(a.second) != s.Kind(b.second)) return s.Kind(a.second) < s.Kind(b.second);
    return s.Key(a.second) < s.Key(b.second);
  };
  const size_t k = std::min(top ? top : scored.size(), scored.size());
  std::partial_sort(scored.begin(), scored.begin() + static_cast<std::ptrdiff_t>(k), scored.end(),
                    better);
  std::vector<VertexId> out;
  out.reserve(k);
  for (size_t i = 0; i < k; ++i) out.push_back(scored[i].second);
  return out;
}

namespace {

bool InDelta(const Snapshot& s, VertexId province) {
  std::string_view code = s.Key(province);
  return code.substr(0, 2) == "31" || code.substr(0, 2) == "32" || code.substr(0, 2) == "33" ||
         code.substr(0, 2) == "34";
}

}  // namespace

Proximity GeoProximity(const Snapshot& s, VertexId a, VertexId b) {
  VertexId ra = s.Kind(a) == NodeKind::kRegion ? a : s.Region(a);
  VertexId rb = s.Kind(b) == NodeKind::kRegion ? b : s.Region(b);
  if (ra == kNoVertex || rb == kNoVertex) return Proximity::kUnknown;
  const RegionTree& t = s.regions();
  for (auto [level, p] : {std::pair{RegionLevel::kCounty, Proximity::kSameCounty},
                          std::pair{RegionLevel::kCity, Proximity::kSameCity},
                          std::pair{RegionLevel::kProvince, Proximity::kSameProvince}}) {
    VertexId x = t.AncestorAtLevel(ra, level), y = t.AncestorAtLevel(rb, level);
    if (x != kNoVertex && x == y) return p;
  }
  VertexId pa = t.AncestorAtLevel(ra, RegionLevel::kProvince);
  VertexId pb = t.AncestorAtLevel(rb, RegionLevel::kProvince);
  if (pa != kNoVertex && pb != kNoVertex && InDelta(s, pa) && InDelta(s, pb)) {
    return Proximity::kDelta;
  }
  return Proximity::kElsewhere;
}

double ProximityValue(Proximity p) {
  switch (p) {
    case Proximity::kSameCounty: return 1.0;
    case Proximity::kSameCity: return 0.8;
    case Proximity::kSameProvince: return 0.6;
    case Proximity::kDelta: return 0.4;
    case Proximity::kElsewhere: return 0.15;
    case Proximity::kUnknown: return 0.1;
  }
  return 0;
}

std::string_view ProximityName(Proximity p) {
  switch (p) {
    case Proximity::kSameCounty: return "same county";
    case Proximity::kSameCity: return "same city";
    case Proximity::kSameProvince: return "same province";
    case Proximity::kDelta: return "Yangtze River Delta";
    case Proximity::kElsewhere: return "elsewhere";
    case Proximity::kUnknown: return "region unknown";
  }
  return "";
}

Reason ProximityFact(const Snapshot& s, Proximity p, VertexId a, VertexId b) {
  VertexId ra = s.Kind(a) == NodeKind::kRegion ? a : s.Region(a);
  VertexId rb = s.Kind(b) == NodeKind::kRegion ? b : s.Region(b);
  // The region named: the county, city or province both share, or b's province.
  auto named = [&](VertexId r, RegionLevel level, const char* code, const char* unnamed) {
    VertexId x = s.regions().AncestorAtLevel(r, level);
    return x == kNoVertex ? Reason(unnamed) : Reason(code).Text("region", std::string(s.Name(x)));
  };
  switch (p) {
    case Proximity::kSameCounty:
      return named(ra, RegionLevel::kCounty, "proximity.same_county",
                   "proximity.same_county_unnamed");
    case Proximity::kSameCity:
      return named(ra, RegionLevel::kCity, "proximity.same_city", "proximity.same_city_unnamed");
    case Proximity::kSameProvince:
      return named(ra, RegionLevel::kProvince, "proximity.same_province",
                   "proximity.same_province_unnamed");
    case Proximity::kDelta:
      return named(rb, RegionLevel::kProvince, "proximity.delta", "proximity.delta_unnamed");
    case Proximity::kElsewhere:
      return named(rb, RegionLevel::kProvince, "proximity.elsewhere",
                   "proximity.elsewhere_unnamed");
    case Proximity::kUnknown: break;
  }
  return Reason("proximity.unknown");
}

double Quality(const Snapshot& s, VertexId v, std::vector<Reason>* facts) {
  auto note = [&](Reason f) {
    if (facts) facts->push_back(std::move(f));
  };
  double q = 0;
  switch (s.Kind(v)) {
    case NodeKind::kEnterprise: {
      const EnterpriseAttributes& e = s.Enterprise(v);
      static const std::pair<EnterpriseTag, double> kTagPoints[] = {
          {EnterpriseTag::kLittleGiant, 0.35},
          {EnterpriseTag::kSpecialised, 0.25},
          {EnterpriseTag::kChainLeader, 0.25},
          {EnterpriseTag::kHighTech, 0.2},
          {EnterpriseTag::kListed, 0.2}};
      // The same sums in the same order with or without facts; the reasons (strings) only when
      // asked for: Quality runs for every candidate a recommender scores.
      std::vector<std::string> tags;
      for (auto [tag, points] : kTagPoints) {
        if (e.HasTag(tag)) {
          q += points;
          if (facts) tags.emplace_back(EnterpriseTagName(tag));
        }
      }
      if (!tags.empty()) note(Reason("quality.tags").List("tags", std::move(tags)));
      if (e.above_scale == 1) {
        q += 0.15;
        if (facts) note(Reason("quality.above_scale"));
      }
      if (e.class3_certs > 0) {
        q += std::min(0.3, 0.1 * std::log2(1.0 + e.class3_certs));
        if (facts) note(Reason("quality.class3_certs").Count("count", e.class3_certs));
      }
      if (e.class2_certs > 0) {
        q += std::min(0.15, 0.05 * std::log2(1.0 + e.class2_certs));
        if (facts) note(Reason("quality.class2_certs").Count("count", e.class2_certs));
      }
      if (e.patents > 0) {
        q += std::min(0.15, 0.03 * std::log2(1.0 + e.patents));
        if (facts) note(Reason("quality.patents").Count("count", e.patents));
      }
      break;
    }
    case NodeKind::kHospital: {
      const HospitalAttributes& h = s.Hospital(v);
      if (h.grade == "三级甲等")
        q = 1.0;
      else if (h.grade.rfind("三级", 0) == 0)
        q = 0.8;
      else if (h.grade.rfind("二级", 0) == 0)
        q = 0.5;
      else
        q = 0.3;
      if (facts) {
        if (!h.grade.empty()) note(Reason("quality.grade").Text("grade", h.grade));
        if (h.clinical_trial) note(Reason("quality.clinical_trial"));
        if (h.demo_base) note(Reason("quality.demo_base"));
      }
      break;
    }
    case NodeKind::kInstitution: {
      const InstitutionAttributes& i = s.Institution(v);
      q = 0.5 + 0.1 * static_cast<double>(i.key_labs.size());
      if (facts) {
        for (const auto& lab : i.key_labs) note(Reason("quality.key_lab").Text("lab", lab));
      }
      break;
    }
    case NodeKind::kPlatform: {
      const PlatformAttributes& p = s.Platform(v);
      q = 0.5 + 0.15 * static_cast<double>(p.accreditations.size());
      if (facts && !p.accreditations.empty()) {
        note(Reason("quality.accredited")
                 .List("accreditations", {p.accreditations.begin(), p.accreditations.end()}));
      }
      break;
    }
    default: break;
  }
  return std::min(1.0, q);
}

std::vector<SegmentShare> SegmentsOf(const Snapshot& s, VertexId enterprise) {
  std::vector<SegmentShare> out;
  for (Neighbor nb : s.Out(enterprise, EdgeKind::kProduces)) {
    out.push_back({nb.vertex, nb.weight > 0 ? nb.weight : 1.0, EdgeKind::kProduces});
  }
  for (Neighbor nb : s.Out(enterprise, EdgeKind::kMemberOf)) {
    out.push_back({nb.vertex, 0.5 * (nb.weight > 0 ? nb.weight : 1.0), EdgeKind::kMemberOf});
  }
  return out;
}

std::vector<Producer> ProducersOf(const Snapshot& s, VertexId segment) {
  std::vector<Producer> out;
  auto add = [&](VertexId seg) {
    for (Neighbor nb : s.In(seg, EdgeKind::kProduces)) {
      out.push_back({nb.vertex, nb.weight > 0 ? nb.weight : 1.0, seg, EdgeKind::kProduces});
    }
    for (Neighbor nb : s.In(seg, EdgeKind::kMemberOf)) {
      out.push_back({nb.vertex, 0.5 * (nb.weight > 0 ? nb.weight : 1.0), seg, EdgeKind::kMemberOf});
    }
  };
  add(segment);
  const Forest& tree = s.taxonomy().forest();
  if (tree.Has(segment) && !tree.Children(segment).empty()) {
    for (VertexId d : tree.Descendants(segment)) add(d);
  }
  return out;
}

std::vector<std::pair<VertexId, const Candidate*>> Candidates::Sorted() const {
  std::vector<std::pair<VertexId, const Candidate*>> out;
  out.reserve(map_.size());
  for (const auto& [v, c] : map_) out.push_back({v, &c});
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) { return a.first < b.first; });
  return out;
}

void TakePaths(const Candidate& c, Item& item) {
  for (const auto& [fit, path] : c.paths) item.paths.push_back(path);
  item.via = c.via;
}

std::vector<std::pair<VertexId, std::vector<PathStep>>> SegmentAndAbove(const Snapshot& s,
                                                                        VertexId segment) {
  std::vector<std::pair<VertexId, std::vector<PathStep>>> out = {{segment, {}}};
  const Forest& tree = s.taxonomy().forest();
  if (!tree.Has(segment)) return out;
  std::vector<PathStep> steps;
  for (VertexId a : tree.Ancestors(segment)) {
    steps.push_back({EdgeKind::kPartOf, true, a});
    out.push_back({a, steps});
  }
  return out;
}

void RequireKind(const Snapshot& s, VertexId v, NodeKind kind, std::string_view role) {
  if (s.Kind(v) != kind) {
    throw Error(ErrorCode::kInvalidArgument,
                Msg("matcher.wrong_kind", {{"role", std::string(role)},
                                           {"want", std::string(NodeKindName(kind))},
                                           {"id", s.Label(v)},
                                           {"name", std::string(s.Name(v))},
                                           {"kind", std::string(NodeKindName(s.Kind(v)))}}));
  }
}

void CheckFilters(const Snapshot& s, const Filters& f) {
  if (f.within != kNoVertex) RequireKind(s, f.within, NodeKind::kRegion, "within");
  for (VertexId r : f.within_any) RequireKind(s, r, NodeKind::kRegion, "within");
  if (f.track != kNoVertex && s.Kind(f.track) != NodeKind::kTrack &&
      s.Kind(f.track) != NodeKind::kSegment) {
    throw Error(ErrorCode::kInvalidArgument,
                Msg("matcher.track_kind", {{"id", s.Label(f.track)},
                                           {"kind", std::string(NodeKindName(s.Kind(f.track)))}}));
  }
  if (f.top == 0 || f.top > 10000) {
    throw Error(
        ErrorCode::kInvalidArgument,
        Msg("option.range",
            {{"option", "top"}, {"min", "1"}, {"max", "10000"}, {"value", std::to_string(f.top)}}));
  }
  FindScorer(f.scorer);
}

bool PassesWithin(const Snapshot& s, const Filters& f, VertexId candidate) {
  if (!f.within_any.empty()) {
    return std::any_of(f.within_any.begin(), f.within_any.end(),
                       [&](VertexId r) { return s.regions().Within(candidate, r); });
  }
  return f.within == kNoVertex || s.regions().Within(candidate, f.within);
}

bool PassesTrack(const Snapshot& s, const Filters& f, VertexId segment) {
  return f.track == kNoVertex || s.taxonomy().Contains(f.track, segment);
}

}  // namespace chainatlas::matcher
