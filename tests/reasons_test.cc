// The reasons (`why`) table and renderer (server/reasons.h): every code has an English and a
// Chinese template with exactly its parameters; every code the recommenders write is in the
// table and every template is written by some recommender; English words are the old ones.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "graph/error.h"
#include "server/reasons.h"

using namespace chainatlas;
using chainatlas::report::Lang;
using json = nlohmann::json;

namespace {

std::set<std::string> AsSet(const std::vector<std::string>& v) { return {v.begin(), v.end()}; }

// The format each placeholder of a template asks for, by parameter name.
std::map<std::string, std::string> Specs(std::string_view tmpl) {
  std::map<std::string, std::string> out;
  static const std::regex ph(R"(\{([a-z_]+)(?::([^}]*))?\})");
  std::string t(tmpl);
  for (auto it = std::sregex_iterator(t.begin(), t.end(), ph); it != std::sregex_iterator(); ++it) {
    std::string spec = (*it)[2];
    if (!spec.empty())
      out[(*it)[1]] = spec;
    else
      out.emplace((*it)[1], "");
  }
  return out;
}

// Parameters of the right type for a template: reals where it formats a number, counts where it
// makes a plural or counts, lists for names, a nested reason for {reason}.
json SampleParams(const report::ReasonTemplate& t) {
  json params = json::object();
  auto specs = Specs(t.en);
  for (const auto& name : report::ParamNames(t)) {
    const std::string spec = specs[name];
    if (name == "reason") {
      params[name] = {{"code", "proximity.same_city"}, {"params", {{"region", "杭州市"}}}};
    } else if (spec == ".2f" || spec == ".3g" || spec == "cut5") {
      params[name] = 0.78712345;
    } else if (spec == "term") {
      params[name] = name == "tags" ? json::array({"listed", "high_tech"}) : json("missing");
    } else if (spec == "s" || name == "count" || name == "enterprises" || name == "hospitals") {
      params[name] = 4;
    } else if (name == "names" || name == "departments" || name == "accreditations") {
      params[name] = json::array({"甲", "乙", "丙", "…"});
    } else {
      params[name] = "某某";
    }
  }
  return params;
}

std::string ReadFile(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

TEST_CASE("every reason code has an English and a Chinese template with exactly its parameters") {
  std::set<std::string> codes;
  static const std::regex code_form(R"([a-z0-9_]+(\.[a-z0-9_]+)+)");
  for (const auto& t : report::ReasonTemplates()) {
    INFO(t.code);
    CHECK(codes.insert(std::string(t.code)).second);  // each code once
    CHECK(std::regex_match(std::string(t.code), code_form));
    REQUIRE(!t.en.empty());
    REQUIRE(!t.zh.empty());
    const std::set<std::string> params = AsSet(report::ParamNames(t));
    CHECK(AsSet(report::Placeholders(t.en)) == params);
    CHECK(AsSet(report::Placeholders(t.zh)) == params);
    // Chinese words, unless the template is nothing but a parameter.
    if (t.en != t.zh) {
      std::string zh(t.zh);
      CHECK(std::any_of(zh.begin(), zh.end(),
                        [](char c) { return static_cast<unsigned char>(c) >= 0x80; }));
    }
    // Plurals are English only; every other format is the same in both languages.
    auto en_specs = Specs(t.en), zh_specs = Specs(t.zh);
    for (const auto& [name, spec] : zh_specs) CHECK(spec != "s");
    for (const auto& [name, spec] : en_specs) {
      if (spec != "s" && !spec.empty()) CHECK(zh_specs[name] == spec);
    }
  }
  CHECK(codes.size() >= 60);
}

TEST_CASE("every template renders in both languages from parameters of its types") {
  for (const auto& t : report::ReasonTemplates()) {
    INFO(t.code);
    json reason = {{"code", std::string(t.code)}, {"params", SampleParams(t)}};
    std::string en, zh;
    REQUIRE_NOTHROW(en = report::RenderReason(reason, Lang::kEn));
    REQUIRE_NOTHROW(zh = report::RenderReason(reason, Lang::kZh));
    CHECK(en.find('{') == std::string::npos);
    CHECK(zh.find('{') == std::string::npos);
    CHECK(zh.find(" s ") == std::string::npos);
  }
}

TEST_CASE("every code the recommenders write has a template, and every template is written") {
  // The codes are string literals in the recommenders (matcher/) and the engine (department facts).
  std::set<std::string> written;
  static const std::regex literal(
      R"#("((?:evidence|gaps|leaders|pairings|partners|proximity|quality|targets)\.[a-z0-9_.]+)")#");
  namespace fs = std::filesystem;
  std::vector<fs::path> files = {fs::path(SOURCE_DIR) / "server" / "engine.cc"};
  for (const auto& entry : fs::directory_iterator(fs::path(SOURCE_DIR) / "matcher")) {
    if (entry.path().extension() == ".cc") files.push_back(entry.path());
  }
  for (const auto& f : files) {
    std::string text = ReadFile(f);
    for (auto it = std::sregex_iterator(text.begin(), text.end(), literal);
         it != std::sregex_iterator(); ++it) {
      written.insert((*it)[1]);
    }
  }
  std::set<std::string> table;
  for (const auto& t : report::ReasonTemplates()) table.insert(std::string(t.code));
  for (const auto& code : written) {
    INFO(code);
    CHECK(table.count(code) == 1);
  }
  for (const auto& code : table) {
    INFO(code << " has a template but no recommender writes it");
    CHECK(written.count(code) == 1);
  }
}

TEST_CASE("reasons render the old English words and natural Chinese") {
  matcher::Reason needed("gaps.needed_by_local");
  needed.Count("count", 4).List("names", {"甲公司", "乙公司", "丙公司", "…"});
  json j = report::ReasonJson(needed);
  CHECK(j == json::parse(R"({"code": "gaps.needed_by_local",
                             "params": {"count": 4, "names": ["甲公司", "乙公司", "丙公司", "…"]}})"));
  CHECK(report::RenderReason(j, Lang::kEn) ==
        "needed by 4 local enterprises (甲公司, 乙公司, 丙公司, …)");
  CHECK(report::RenderReason(j, Lang::kZh) == "本地 4 家企业需要（甲公司、乙公司、丙公司等）");
  matcher::Reason one("gaps.needed_by_local");
  one.Count("count", 1).List("names", {"甲公司"});
  CHECK(report::RenderReason(report::ReasonJson(one), Lang::kEn) ==
        "needed by 1 local enterprise (甲公司)");

  matcher::Reason inferred("evidence.material_name");
  inferred.Text("input", "锂离子电池材料").Text("output", "锂电池");
  CHECK(report::RenderReason(report::ReasonJson(inferred), Lang::kEn) ==
        "inferred: 锂离子电池材料 is a material for 锂电池 (name rule)");
  CHECK(report::RenderReason(report::ReasonJson(inferred), Lang::kZh) ==
        "推断：锂离子电池材料 是 锂电池 的材料（名称规则）");

  matcher::Reason uni("pairings.triad.university");
  uni.Text("name", "某研究中心")
      .Real("score", 0.78712345)
      .Nested("reason", matcher::Reason("proximity.same_city").Text("region", "杭州市"));
  CHECK(report::RenderReason(report::ReasonJson(uni), Lang::kEn) ==
        "university 某研究中心 (score 0.787): same city (杭州市)");
  CHECK(report::RenderReason(report::ReasonJson(uni), Lang::kZh) ==
        "高校院所 某研究中心（得分 0.787）：同市（杭州市）");

  matcher::Reason tags("quality.tags");
  tags.List("tags", {"listed", "little_giant"});
  CHECK(report::RenderReason(report::ReasonJson(tags), Lang::kEn) == "tags: listed, little_giant");
  CHECK(report::RenderReason(report::ReasonJson(tags), Lang::kZh) ==
        "称号：上市公司、专精特新“小巨人”");

  matcher::Reason fills("targets.fills_needed_both");
  fills.Text("status", "missing")
      .Text("segment", "CMOS图像传感器")
      .Count("enterprises", 2)
      .Count("hospitals", 1);
  CHECK(report::RenderReason(report::ReasonJson(fills), Lang::kEn) ==
        "fills missing segment CMOS图像传感器, needed locally by 2 enterprises and 1 hospital");
  CHECK(report::RenderReason(report::ReasonJson(fills), Lang::kZh) ==
        "填补缺链环节 CMOS图像传感器，本地 2 家企业和 1 家医院需要");

  matcher::Reason lq("gaps.location_quotient");
  lq.Real("value", 0.126);
  CHECK(report::RenderReason(report::ReasonJson(lq), Lang::kEn) == "location quotient 0.13");
  matcher::Reason rank("leaders.pagerank");
  rank.Real("value", 0.0067123);
  CHECK(report::RenderReason(report::ReasonJson(rank), Lang::kEn) ==
        "supply-network PageRank 0.00671");
}

TEST_CASE("a reason that is not in the table, or with other parameters, is an internal error") {
  CHECK_THROWS_AS(
      report::RenderReason(json::parse(R"({"code": "no.such_code", "params": {}})"), Lang::kEn),
      Error);
  CHECK_THROWS_AS(
      report::RenderReason(json::parse(R"({"code": "gaps.producers_elsewhere", "params": {}})"),
                           Lang::kEn),
      Error);
  CHECK_THROWS_AS(report::RenderReason(
                      json::parse(R"({"code": "partners.known", "params": {"x": 1}})"), Lang::kZh),
                  Error);
}

TEST_CASE("LocaliseReasons renders every why beside why_codes, however deep") {
  json doc = {
      {"items",
       json::array({{{"why", {"already a partner"}},
                     {"why_codes", {{{"code", "partners.known"}, {"params", json::object()}}}}}})},
      {"segments",
       json::array(
           {{{"why", {"no local producer"}},
             {"why_codes", {{{"code", "gaps.no_local_producer"}, {"params", json::object()}}}}}})}};
  json en = doc;
  report::LocaliseReasons(en, Lang::kEn);
  CHECK(en == doc);
  report::LocaliseReasons(doc, Lang::kZh);
  CHECK(doc["items"][0]["why"] == json::array({"已是合作伙伴"}));
  CHECK(doc["segments"][0]["why"] == json::array({"本地无生产企业"}));
  CHECK(doc["items"][0]["why_codes"] == en["items"][0]["why_codes"]);
}
