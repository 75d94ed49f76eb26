#include "server/reasons.h"

#include <algorithm>
#include <cstdio>
#include <unordered_map>

#include "graph/error.h"
#include "matcher/gaps.h"

namespace chainatlas::report {
namespace {

// code, params, English, Chinese. The English is the words the recommenders have always written;
// the Chinese is written for an investment-promotion officer.
const std::vector<ReasonTemplate> kTemplates = {
    // The evidence of a supply relation (partners: the best path's first supplies step).
    {"evidence.component_name", "input,output",
     "inferred: {input} is a component of {output} (name rule)",
     "推断：{input} 是 {output} 的部件（名称规则）"},
    {"evidence.curated", "input,output", "curated: {input} supplies {output}",
     "人工整理：{input} 供应 {output}"},
    {"evidence.equipment_name", "input,output",
     "inferred: {input} is equipment for making {output} (name rule)",
     "推断：{input} 是生产 {output} 的设备（名称规则）"},
    {"evidence.industry", "input,output", "industry-level only (weak): {input} supplies {output}",
     "仅行业层面证据（弱）：{input} 供应 {output}"},
    {"evidence.industry_table", "input,output",
     "industry-level only (weak): the source's industry table lists {input} upstream of {output}",
     "仅行业层面证据（弱）：数据源的行业表把 {input} 列为 {output} 的上游"},
    {"evidence.learned_heads", "input,output",
     "learned: products like {input} are inputs of products like {output} in the source's product "
     "relations",
     "学习所得：据数据源的产品关系，{input} 类产品是 {output} 类产品的投入品"},
    {"evidence.material_name", "input,output",
     "inferred: {input} is a material for {output} (name rule)",
     "推断：{input} 是 {output} 的材料（名称规则）"},
    {"evidence.part_of_parent", "input,output",
     "inferred: {input} is listed under {output} and named as a part of it (name rule)",
     "推断：{input} 列在 {output} 之下，名称表明是其组成部分（名称规则）"},
    {"evidence.product", "input,output",
     "product-level: the source lists {input} as an input of {output}",
     "产品层面证据：数据源把 {input} 列为 {output} 的投入品"},
    {"evidence.same_industry", "industry",
     "industry-level only (weak): both are in {industry} and make no product in common; which way "
     "goods go is not known",
     "仅行业层面证据（弱）：双方同属 {industry}，但没有共同的产品；货物流向不明"},
    {"evidence.sector_parts", "input,output",
     "industry-level only (weak): {input} is a parts or materials industry of {output}'s sector",
     "仅行业层面证据（弱）：{input} 是 {output} 所属行业的零部件或材料行业"},
    {"evidence.sector_products", "input,output",
     "industry-level (weak): {input} is made mostly by a parts or materials industry of {output}'s "
     "sector",
     "行业层面证据（弱）：{input} 主要由 {output} 所属行业的零部件或材料行业生产"},

    // Gaps: the evidence of a segment's status and priority.
    {"gaps.density", "value", "relatedness density {value:.2f}", "关联密度 {value:.2f}"},
    {"gaps.fed_by_local", "names", "fed by local segments ({names})", "由本地环节供给（{names}）"},
    {"gaps.location_quotient", "value", "location quotient {value:.2f}", "区位商 {value:.2f}"},
    {"gaps.made_locally", "count,names", "made locally by {count} ({names})",
     "本地有 {count} 家生产（{names}）"},
    {"gaps.needed_by_local", "count,names", "needed by {count} local enterprise{count:s} ({names})",
     "本地 {count} 家企业需要（{names}）"},
    {"gaps.no_local_producer", "", "no local producer", "本地无生产企业"},
    {"gaps.producers_elsewhere", "count", "{count} producers elsewhere", "外地生产企业 {count} 家"},
    {"gaps.used_by_local_hospitals", "count,names",
     "used by {count} local hospital{count:s} ({names})", "本地 {count} 家医院使用（{names}）"},

    // Chain leaders.
    {"leaders.declared", "", "declared chain leader (链主)", "已认定的链主企业"},
    {"leaders.dependants", "count,names", "{count} enterprise{count:s} depend on it ({names})",
     "{count} 家企业依赖它（{names}）"},
    {"leaders.dependants_local", "count,names",
     "{count} enterprise{count:s} in the region depend on it ({names})",
     "本地区 {count} 家企业依赖它（{names}）"},
    {"leaders.intermediary", "share,weight",
     "intermediary (trade, distribution, logistics) for {share:.2f} of its industries or revenue: "
     "PageRank, dependants and share count at {weight:.2f} (its trade segments not at all)",
     "其行业或营收的 {share:.2f} 属于中间商业务（贸易、分销、物流）：PageRank、依赖企业数和份额按 "
     "{weight:.2f} 计（贸易环节不计）"},
    {"leaders.pagerank", "value", "supply-network PageRank {value:.3g}",
     "供应网络 PageRank {value:.3g}"},
    {"leaders.share", "share,segment", "share {share:.2f} of the producers of {segment}",
     "占 {segment} 生产企业的份额 {share:.2f}"},
    {"leaders.share_local", "share,segment",
     "share {share:.2f} of the local producers of {segment}",
     "占本地 {segment} 生产企业的份额 {share:.2f}"},
    {"leaders.size", "value",
     "size {value:.2f} (revenue, employees, log-scaled against the largest candidate)",
     "规模 {value:.2f}（按营收、员工数，相对最大的候选企业取对数）"},
    {"leaders.size_listed", "value",
     "size {value:.2f} (revenue, employees, log-scaled against the largest candidate), listed",
     "规模 {value:.2f}（按营收、员工数，相对最大的候选企业取对数），上市公司"},
    {"leaders.size_proxy", "value,count",
     "size proxy {value:.2f} (makes {count} products or industries; no revenue or employees in the "
     "data)",
     "规模代理值 {value:.2f}（生产 {count} 种产品或行业；数据中没有营收和员工数）"},
    {"leaders.size_proxy_listed", "value,count",
     "size proxy {value:.2f} (makes {count} products or industries; no revenue or employees in the "
     "data), listed",
     "规模代理值 {value:.2f}（生产 {count} 种产品或行业；数据中没有营收和员工数），上市公司"},
    {"leaders.size_unknown", "", "size unknown (no revenue or employees reported)",
     "规模不详（未报营收和员工数）"},
    {"leaders.size_unknown_listed", "", "size unknown (no revenue or employees reported), listed",
     "规模不详（未报营收和员工数），上市公司"},

    // 产学研医 pairings.
    {"pairings.department", "department,segment", "department: {department} ({segment})",
     "科室：{department}（{segment}）"},
    {"pairings.departments", "departments", "key departments: {departments}",
     "重点科室：{departments}"},
    {"pairings.known", "name", "already cooperates with {name}", "已与 {name} 合作"},
    {"pairings.triad.cooperate", "university,hospital",
     "{university} and {hospital} already cooperate", "{university} 与 {hospital} 已有合作"},
    {"pairings.triad.hospital", "name,score,reason",
     "hospital {name} (score {score:cut5}): {reason}",
     "医院 {name}（得分 {score:cut5}）：{reason}"},
    {"pairings.triad.hospital_trial", "name,score,reason",
     "hospital {name} (score {score:cut5}): {reason}, registered clinical-trial institution",
     "医院 {name}（得分 {score:cut5}）：{reason}，已备案临床试验机构"},
    {"pairings.triad.tie", "reason", "university and hospital: {reason}",
     "高校院所与医院：{reason}"},
    {"pairings.triad.university", "name,score,reason",
     "university {name} (score {score:cut5}): {reason}",
     "高校院所 {name}（得分 {score:cut5}）：{reason}"},

    // Supply-chain partners.
    {"partners.corroborated", "fit", "corroborated at industry level (fit +{fit:cut5})",
     "行业层面佐证（匹配度 +{fit:cut5}）"},
    {"partners.foreign_funded", "", "foreign-funded", "外资"},
    {"partners.known", "", "already a partner", "已是合作伙伴"},
    {"partners.shared", "count,name,names",
     "shares {count} known partner{count:s} with {name} ({names})",
     "与 {name} 有 {count} 家共同的合作伙伴（{names}）"},

    // Where the candidate is, seen from the subject (the named region: the county, city or
    // province they share, or the candidate's province).
    {"proximity.delta", "region", "Yangtze River Delta ({region})", "长三角（{region}）"},
    {"proximity.delta_unnamed", "", "Yangtze River Delta", "长三角"},
    {"proximity.elsewhere", "region", "elsewhere ({region})", "外省（{region}）"},
    {"proximity.elsewhere_unnamed", "", "elsewhere", "外省"},
    {"proximity.same_city", "region", "same city ({region})", "同市（{region}）"},
    {"proximity.same_city_unnamed", "", "same city", "同市"},
    {"proximity.same_county", "region", "same county ({region})", "同县（{region}）"},
    {"proximity.same_county_unnamed", "", "same county", "同县"},
    {"proximity.same_province", "region", "same province ({region})", "同省（{region}）"},
    {"proximity.same_province_unnamed", "", "same province", "同省"},
    {"proximity.unknown", "", "region unknown", "所在地区不详"},

    // Quality: what an organisation has to show.
    {"quality.above_scale", "", "above designated size (规上)", "规模以上企业（规上）"},
    {"quality.accredited", "accreditations", "accredited: {accreditations}",
     "资质认可：{accreditations}"},
    {"quality.class2_certs", "count", "{count} class II certificates",
     "二类医疗器械注册证 {count} 张"},
    {"quality.class3_certs", "count", "{count} class III certificates",
     "三类医疗器械注册证 {count} 张"},
    {"quality.clinical_trial", "", "registered clinical-trial institution", "已备案临床试验机构"},
    {"quality.demo_base", "", "application-demonstration base", "应用示范基地"},
    {"quality.grade", "grade", "{grade}", "{grade}"},
    {"quality.key_lab", "lab", "key lab: {lab}", "重点实验室：{lab}"},
    {"quality.patents", "count", "{count} patents", "专利 {count} 项"},
    {"quality.tags", "tags", "tags: {tags:term}", "称号：{tags:term}"},

    // Investment-attraction targets.
    {"targets.fills", "status,segment", "fills {status:term} segment {segment}",
     "填补{status:term}环节 {segment}"},
    {"targets.fills_needed", "status,segment,enterprises",
     "fills {status:term} segment {segment}, needed locally by {enterprises} "
     "enterprise{enterprises:s}",
     "填补{status:term}环节 {segment}，本地 {enterprises} 家企业需要"},
    {"targets.fills_needed_both", "status,segment,enterprises,hospitals",
     "fills {status:term} segment {segment}, needed locally by {enterprises} "
     "enterprise{enterprises:s} "
     "and {hospitals} hospital{hospitals:s}",
     "填补{status:term}环节 {segment}，本地 {enterprises} 家企业和 {hospitals} 家医院需要"},
    {"targets.fills_needed_hospitals", "status,segment,hospitals",
     "fills {status:term} segment {segment}, needed locally by {hospitals} hospital{hospitals:s}",
     "填补{status:term}环节 {segment}，本地 {hospitals} 家医院需要"},
    {"targets.supplies_local", "count,names",
     "already supplies {count} local enterprise{count:s} ({names})",
     "已向本地 {count} 家企业供货（{names}）"},
    {"targets.tied", "count",
     "tied to {count} local organisation{count:s} by cooperation or investment",
     "通过合作或投资与本地 {count} 家机构有关联"},
};

// Words in parameters that are translated (`{name:term}`): enterprise tags; segment statuses come
// from matcher (缺链, 弱链, ...).
const std::vector<std::pair<std::string_view, std::string_view>> kTagTerms = {
    {"high_tech", "高新技术企业"},
    {"specialised", "专精特新"},
    {"little_giant", "专精特新“小巨人”"},
    {"listed", "上市公司"},
    {"chain_leader", "链主企业"},
    {"foreign_funded", "外资企业"},
    {"startup", "初创企业"}};

std::string Term(const std::string& word, Lang lang) {
  if (lang == Lang::kEn) return word;
  for (const auto& [en, zh] : kTagTerms) {
    if (en == word) return std::string(zh);
  }
  for (int i = 0; i < 5; ++i) {
    auto status = static_cast<matcher::SegmentStatus>(i);
    if (matcher::SegmentStatusName(status) == word)
      return std::string(matcher::SegmentStatusNameZh(status));
  }
  return word;
}

[[noreturn]] void Bad(const std::string& message) { throw Error(ErrorCode::kInternal, message); }

const ReasonTemplate& Find(const std::string& code) {
  static const auto* index = [] {
    auto* m = new std::unordered_map<std::string_view, const ReasonTemplate*>();
    for (const ReasonTemplate& t : kTemplates) m->emplace(t.code, &t);
    return m;
  }();
  auto it = index->find(code);
  if (it == index->end()) Bad("reason code '" + code + "' has no template");
  return *it->second;
}

// A list in words: "a, b, …" in English, "a、b等" in Chinese.
std::string Join(const std::vector<std::string>& words, Lang lang) {
  const bool cut = words.size() > 1 && words.back() == "…";
  const size_t n = cut && lang == Lang::kZh ? words.size() - 1 : words.size();
  std::string out;
  for (size_t i = 0; i < n; ++i) out += (i ? (lang == Lang::kZh ? "、" : ", ") : "") + words[i];
  if (cut && lang == Lang::kZh) out += "等";
  return out;
}

std::string Format(const char* spec, double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, spec, v);
  return buf;
}

std::string Placeholder(const json& p, std::string_view spec, Lang lang, const std::string& code) {
  if (spec == "s") return p.is_number() && p.get<double>() > 1 ? "s" : "";
  if (spec == ".2f" || spec == ".3g") {
    if (!p.is_number()) Bad(code + ": a number is needed for {:" + std::string(spec) + "}");
    return Format(spec == ".2f" ? "%.2f" : "%.3g", p.get<double>());
  }
  if (spec == "cut5") {
    if (!p.is_number()) Bad(code + ": a number is needed for {:cut5}");
    return std::to_string(p.get<double>()).substr(0, 5);
  }
  if (spec == "term") {
    std::vector<std::string> words;
    if (p.is_string()) return Term(p.get<std::string>(), lang);
    for (const json& w : p) words.push_back(Term(w.get<std::string>(), lang));
    return Join(words, lang);
  }
  if (!spec.empty()) Bad(code + ": unknown placeholder format '" + std::string(spec) + "'");
  if (p.is_number_integer()) return std::to_string(p.get<int64_t>());
  if (p.is_number()) return Format("%g", p.get<double>());
  if (p.is_string()) return p.get<std::string>();
  if (p.is_array()) return Join(p.get<std::vector<std::string>>(), lang);
  if (p.is_object()) return RenderReason(p, lang);
  Bad(code + ": a parameter of an unknown type");
}

}  // namespace

const std::vector<ReasonTemplate>& ReasonTemplates() { return kTemplates; }

std::vector<std::string> ParamNames(const ReasonTemplate& t) {
  std::vector<std::string> out;
  for (std::string_view list = t.params; !list.empty();) {
    size_t comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

std::vector<std::string> Placeholders(std::string_view tmpl) {
  std::vector<std::string> out;
  for (size_t at = tmpl.find('{'); at != std::string_view::npos; at = tmpl.find('{', at + 1)) {
    size_t end = tmpl.find('}', at);
    if (end == std::string_view::npos) break;
    std::string_view inner = tmpl.substr(at + 1, end - at - 1);
    std::string name(inner.substr(0, inner.find(':')));
    if (std::find(out.begin(), out.end(), name) == out.end()) out.push_back(name);
  }
  return out;
}

json ReasonJson(const matcher::Reason& r) {
  json params = json::object();
  for (const auto& p : r.params) {
    using T = matcher::ReasonParam::Type;
    switch (p.type) {
      case T::kCount: params[p.name] = p.count; break;
      case T::kReal: params[p.name] = p.real; break;
      case T::kText: params[p.name] = p.text; break;
      case T::kList: params[p.name] = p.list; break;
      case T::kReason: params[p.name] = ReasonJson(p.reason.at(0)); break;
    }
  }
  return {{"code", r.code}, {"params", params}};
}

json ReasonsJson(const std::vector<matcher::Reason>& reasons) {
  json out = json::array();
  for (const auto& r : reasons) out.push_back(ReasonJson(r));
  return out;
}

std::string RenderReason(const json& reason, Lang lang) {
  const std::string code = reason.at("code").get<std::string>();
  const ReasonTemplate& t = Find(code);
  const json& params = reason.at("params");
  std::vector<std::string> want = ParamNames(t);
  if (params.size() != want.size() ||
      !std::all_of(want.begin(), want.end(),
                   [&](const std::string& n) { return params.contains(n); })) {
    Bad("reason " + code + " takes the parameters (" + std::string(t.params) + "), not " +
        params.dump());
  }
  std::string_view tmpl = lang == Lang::kZh ? t.zh : t.en;
  std::string out;
  size_t from = 0;
  for (size_t at = tmpl.find('{'); at != std::string_view::npos; at = tmpl.find('{', from)) {
    size_t end = tmpl.find('}', at);
    if (end == std::string_view::npos) break;
    out.append(tmpl.substr(from, at - from));
    std::string_view inner = tmpl.substr(at + 1, end - at - 1);
    size_t colon = inner.find(':');
    std::string name(inner.substr(0, colon));
    std::string_view spec = colon == std::string_view::npos ? std::string_view()
                                                            : inner.substr(colon + 1);
    if (!params.contains(name))
      Bad("reason " + code + ": the template names {" + name + "}, not a parameter");
    out += Placeholder(params[name], spec, lang, code);
    from = end + 1;
  }
  out.append(tmpl.substr(from));
  return out;
}

json RenderReasons(const json& why_codes, Lang lang) {
  json out = json::array();
  for (const json& r : why_codes) out.push_back(RenderReason(r, lang));
  return out;
}

void LocaliseReasons(json& doc, Lang lang) {
  if (doc.is_object()) {
    if (doc.contains("why_codes") && doc.contains("why"))
      doc["why"] = RenderReasons(doc["why_codes"], lang);
    for (auto it = doc.begin(); it != doc.end(); ++it) {
      if (it.key() != "why_codes") LocaliseReasons(it.value(), lang);
    }
  } else if (doc.is_array()) {
    for (json& x : doc) LocaliseReasons(x, lang);
  }
}

}  // namespace chainatlas::report
