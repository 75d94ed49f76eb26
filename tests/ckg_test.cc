// ChainKnowledgeGraph import (ingest/ckg.h) and region inference (ingest/region_infer.h):
// - region inference against the real GB/T 2260 tables, with real company names;
// - a small synthetic ckg folder written here, holding each quirk and each kind of bad row;
// - the full dataset, its counts checked against the files read independently here.
// Tests that need ../shared/data skip with a message where it is absent.
#include "ingest/ckg.h"
#include "ingest/ontology.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <set>

#include "graph/error.h"
#include "graph/snapshot.h"
#include "ingest/csv_reader.h"
#include "ingest/region_infer.h"
#include "ingest/sqlite_db.h"
#include "matcher/partners.h"
#include "test_util.h"

using namespace chainatlas;
using namespace chainatlas::ingest;
using chainatlas::testing::HasProblem;
using chainatlas::testing::ShortProblems;
using chainatlas::testing::TempDir;
using chainatlas::testing::WriteText;
using json = nlohmann::json;

namespace {

const std::filesystem::path kCkgDir = CKG_DIR;
const std::filesystem::path kRegionsDir = REGIONS_DIR;

bool Available(const std::filesystem::path& dir) {
  if (std::filesystem::is_directory(dir)) return true;
  WARN("skipped: " << dir.string() << " is absent (../shared/data is not checked out here)");
  return false;
}

const RegionGazetteer& Gazetteer() {
  static const RegionGazetteer g = RegionGazetteer::Load(kRegionsDir);
  return g;
}

std::string Place(const std::string& name) { return Gazetteer().Infer(name).code; }

int64_t Count(Store& store, const std::string& sql) { return store.db().QueryInt(sql); }

// The eight files of a synthetic ckg folder, one JSON value (or raw text) per line.
struct SyntheticCkg {
  std::map<std::string, std::vector<std::string>> lines = {
      {"company.json",
       {R"({"name": "甲科技", "fullname": "浙江甲科技股份有限公司", "code": "600001.SH", "location": "上海证券交易所", "time": "2020-01-02"})",
        R"({"name": "乙股份", "fullname": "杭州乙股份有限公司", "code": "000002", "location": "深圳证券交易所", "time": "2019-03-04"})",
        R"({"name": "乙股份", "fullname": "杭州乙旧名股份有限公司", "code": "000002.SZ", "location": "深圳证券交易所", "time": "2019-03-04"})",
        R"({"name": "丙集团", "fullname": "中国丙集团股份有限公司", "code": "300003.SZ", "location": "2010-02-11", "time": "2010-02-11"})",
        R"({"name": "丁", "fullname": )",
        R"({"name": "戊", "fullname": "戊股份有限公司", "code": "12345"})"}},
      {"industry.json",
       {R"({"code": "110000", "name": "农林牧渔"})", R"({"code": "110100", "name": "种植业"})",
        R"({"code": "110101", "name": "种子"})", R"({"code": "110102", "name": "粮食种植"})"}},
      {"industry_industry.json",
       {R"({"from_code": "110100", "from_industry": "种植业", "rel": "上级行业", "to_industry": "农林牧渔", "to_code": "110000"})",
        R"({"from_code": "110101", "from_industry": "种子", "rel": "上级行业", "to_industry": "种植业", "to_code": "110100"})",
        R"({"from_code": "110102", "from_industry": "粮食种植", "rel": "上级行业", "to_industry": "种植业", "to_code": "110100"})"}},
      {"industry_up.json", {R"({"industry": "粮食种植", "ups": {"种子": 4, "种植业": 2}})"}},
      {"company_industry.json",
       {R"({"company_code": "600001.SH", "industry_code": "110101", "industry_name": "种子", "company_name": "甲科技", "rel": "所属行业"})",
        R"({"company_code": "688999.SH", "industry_code": "110101", "industry_name": "种子", "company_name": "新股", "rel": "所属行业"})",
        R"({"company_code": "000002.SZ", "industry_code": "999999", "industry_name": "粮食种植", "company_name": "乙股份", "rel": "所属行业"})"}},
      {"product.json",
       {R"({"name": "玉米"})", R"({"name": "种子包衣剂"})", R"({"name": "小\\b大肠"})",
        R"({"name": "饲料"})"}},
      {"company_product.json",
       {R"({"company_name": "甲科技", "company_code": "600001.SH", "product_name": "玉米", "rel": "主营产品", "rel_weight": 0.6})",
        R"({"company_name": "甲科技", "company_code": "600001.SH", "product_name": "分部间抵销", "rel": "主营产品", "rel_weight": -0.1})",
        R"({"company_name": "乙股份", "company_code": "000002.SZ", "product_name": "饲料", "rel": "主营产品", "rel_weight": 1.3})",
        R"({"company_name": "乙股份", "company_code": "000002.SZ", "product_name": "饲料", "rel": "主营产品", "rel_weight": 1.3})",
        R"({"company_name": "甲科技", "company_code": "600001.SH", "product_name": "种子包衣剂", "rel": "主营产品", "rel_weight": "0.5"})"}},
      {"product_product.json",
       {R"({"from_entity": "玉米", "to_entity": "种子包衣剂", "rel": "上游材料"})",
        R"({"from_entity": "饲料", "to_entity": "玉米", "rel": "上游材料"})",
        R"({"from_entity": "饲料", "to_entity": "饲料", "rel": "上游材料"})",
        R"({"from_entity": "谷物", "to_entity": "玉米", "rel": "产品小类"})",
        R"({"from_entity": "饲料", "to_entity": "玉米", "rel": "产品小类"})",
        R"({"from_entity": "玉米", "to_entity": "谷物", "rel": "产品小类"})",
        R"({"from_entity": "玉米", "to_entity": "饲料", "rel": "下游产品"})",
        R"({"from_entity": "玉米", "to_entity": "秸秆", "rel": "相关"})"}},
  };

  std::filesystem::path Write(const TempDir& dir, const std::string& name = "ckg") const {
    std::filesystem::path to = dir / name;
    std::filesystem::create_directories(to);
    for (const auto& [file, rows] : lines) {
      std::string text;
      for (const auto& r : rows) text += r + "\n";
      WriteText(to / file, text);
    }
    return to;
  }
};

// A two-province GB/T 2260 table: 浙江 with 杭州 and 桐庐, 北京 with its pseudo-city and 朝阳区.
std::filesystem::path WriteMiniRegions(const TempDir& dir) {
  std::filesystem::path to = dir / "regions";
  std::filesystem::create_directories(to);
  WriteText(to / "provinces.csv", "code,name\n33,\"浙江省\"\n11,\"北京市\"\n");
  WriteText(to / "cities.csv", "code,name,provinceCode\n3301,\"杭州市\",33\n1101,\"市辖区\",11\n");
  WriteText(
      to / "areas.csv",
      "code,name,cityCode,provinceCode\n330122,\"桐庐县\",3301,33\n110105,\"朝阳区\",1101,11\n");
  return to;
}

std::vector<std::string> QuirkLines(const CkgReport& r) { return ShortProblems(r.quirks); }

// An edge's weight, or -1 when there is no such edge.
double Weight(const Snapshot& s, VertexId src, EdgeKind kind, VertexId dst) {
  return s.EdgeWeight(src, kind, dst).value_or(-1.0f);
}

}  // namespace

TEST_CASE("ckg regions: division names lose their suffix, and nationalities before 自治",
          "[ckg][regions]") {
  CHECK(DivisionStem("浙江省") == "浙江");
  CHECK(DivisionStem("杭州市") == "杭州");
  CHECK(DivisionStem("桐庐县") == "桐庐");
  CHECK(DivisionStem("内蒙古自治区") ==
        "内蒙古");  // 蒙古 is a nationality, but 内 alone is too short
  CHECK(DivisionStem("广西壮族自治区") == "广西");
  CHECK(DivisionStem("宁夏回族自治区") == "宁夏");
  CHECK(DivisionStem("新疆维吾尔自治区") == "新疆");
  CHECK(DivisionStem("香港特别行政区") == "香港");
  CHECK(DivisionStem("延边朝鲜族自治州") == "延边");
  CHECK(DivisionStem("恩施土家族苗族自治州") == "恩施");
  CHECK(DivisionStem("巴音郭楞蒙古自治州") == "巴音郭楞");
  CHECK(DivisionStem("海西蒙古族藏族自治州") == "海西");
  CHECK(DivisionStem("互助土族自治县") == "互助");
  CHECK(DivisionStem("鄂伦春自治旗") == "鄂伦春");
  CHECK(DivisionStem("浦东新区") == "浦东");
  CHECK(DivisionStem("神农架林区") == "神农架");
  CHECK(DivisionStem("阿里地区") == "阿里");
  CHECK(DivisionStem("锡林郭勒盟") == "锡林郭勒");
  CHECK(DivisionStem("城区").empty());  // one character would be left
  CHECK(DivisionStem("县").empty());
  CHECK(DivisionStem("北京").empty());  // no suffix
}

TEST_CASE(
    "ckg regions: GB/T 2260 tables, pseudo-cities dropped, municipalities' districts under the "
    "province",
    "[ckg][regions]") {
  if (!Available(kRegionsDir)) return;
  const RegionGazetteer& g = Gazetteer();
  const Division* beijing = g.Find("110000");
  REQUIRE(beijing);
  CHECK(beijing->name == "北京市");
  CHECK(beijing->level == RegionLevel::kProvince);
  CHECK(g.Find("110100") == nullptr);  // 市辖区
  const Division* chaoyang = g.Find("110105");
  REQUIRE(chaoyang);
  CHECK(chaoyang->parent == "110000");
  CHECK(g.Find("330122")->parent == "330100");
  CHECK(g.Find("330100")->parent == "330000");
  CHECK(g.Find("429004")->parent == "420000");           // 仙桃市, 省直辖县级行政区划
  CHECK(g.Find("441900")->level == RegionLevel::kCity);  // 东莞市: the city, not a county too
  size_t provinces = 0, cities = 0, counties = 0;
  for (const Division& d : g.divisions()) {
    CHECK(d.name != "市辖区");
    if (d.level == RegionLevel::kProvince) provinces++;
    if (d.level == RegionLevel::kCity) cities++;
    if (d.level == RegionLevel::kCounty) counties++;
    if (!d.parent.empty()) CHECK(g.Find(d.parent));
  }
  CHECK(provinces == 31);
  CHECK(cities == 333);     // 342 rows less 9 pseudo-cities
  CHECK(counties == 2975);  // 2978 rows less 东莞, 中山, 儋州 (cities without counties)
}

TEST_CASE("ckg regions: inference from the start of real company names", "[ckg][regions]") {
  if (!Available(kRegionsDir)) return;
  // Province, city, county, and the way down.
  CHECK(Place("浙江医准智能科技有限公司") == "330000");
  CHECK(Place("杭州海康威视数字技术股份有限公司") == "330100");
  CHECK(Place("浙江省杭州市余杭区良渚街道某科技有限公司") == "330110");
  CHECK(Place("深圳市鸿富瀚科技股份有限公司") == "440300");
  CHECK(Place("邵阳维克液压股份有限公司") == "430500");
  CHECK(Place("广西柳州医药股份有限公司") == "450200");
  CHECK(Place("内蒙古伊利实业集团股份有限公司") == "150000");
  CHECK(Place("吉林敖东药业集团股份有限公司") ==
        "220000");  // 吉林 is 吉林省 and 吉林市: the province
  CHECK(Place("吉林市某化纤有限公司") == "220200");      // the full name 吉林市 is the city
  CHECK(Place("海南航空控股股份有限公司") == "460000");  // not 海南藏族自治州 (青海)
  CHECK(Place("延边某药业有限公司") == "222400");
  // Municipalities are province-level; their districts sit under them.
  CHECK(Place("北京同益中新材料科技股份有限公司") == "110000");
  CHECK(Place("上海浦东发展银行股份有限公司") == "310115");
  CHECK(Place("重庆市涪陵榨菜集团股份有限公司") == "500102");
  // City stems beat districts of the same name elsewhere (西安区 in 辽源 and 牡丹江): a company in
  // a district is registered under its city's name, so a bare 朝阳 is 朝阳市 (辽宁), while the full
  // name 朝阳区 is a tie between 北京 and 长春 (below).
  CHECK(Place("西安陕鼓动力股份有限公司") == "610100");
  CHECK(Place("朝阳浪马轮胎有限责任公司") == "211300");
  // Counties at the very start: by full name, or a stem of three characters or more.
  CHECK(Place("张家港保税科技(集团)股份有限公司") == "320582");
  CHECK(Place("常熟市汽车饰件股份有限公司") == "320581");
  CHECK(Place("安福县海能实业股份有限公司") == "360829");
  // Two-character county stems at the start are not trusted: too many are ordinary words.
  CHECK(Place("东方电气股份有限公司").empty());      // not 东方市 (海南)
  CHECK(Place("兴业银行股份有限公司").empty());      // not 兴业县 (广西)
  CHECK(Place("光明乳业股份有限公司").empty());      // not 光明区 (深圳)
  CHECK(Place("昆山龙腾光电股份有限公司").empty());  // the price: 昆山 is right here, yet unknown
  CHECK(Place("中国石油天然气股份有限公司").empty());
  // A place in brackets when the start says nothing: 字号（行政区划）.
  CHECK(Place("纽威数控装备（苏州）股份有限公司") == "320500");
  CHECK(Place("华辰精密装备（昆山）股份有限公司") == "320583");
  CHECK(Place("中微半导体设备(上海)股份有限公司") == "310000");
  CHECK(Place("中际联合（北京）科技股份有限公司") == "110000");
  CHECK(Place("上海港湾基础建设（集团）股份有限公司") == "310000");
  {
    RegionGuess g = Gazetteer().Infer("浙江省杭州市余杭区某公司");
    CHECK(g.level == RegionLevel::kCounty);
    CHECK(g.matched == "浙江省杭州市余杭区");
    CHECK_FALSE(g.ambiguous);
  }
}

TEST_CASE("ckg regions: ties leave the region unknown and say so", "[ckg][regions]") {
  if (!Available(kRegionsDir)) return;
  // 朝阳区 is in 北京 and in 长春: a tie.
  RegionGuess g = Gazetteer().Infer("朝阳区某科技有限公司");
  CHECK(g.code.empty());
  CHECK(g.ambiguous);
  CHECK(std::set<std::string>(g.candidates.begin(), g.candidates.end()) ==
        std::set<std::string>{"110105", "220104"});
  // 新华区 is in 石家庄, 沧州 and 平顶山.
  g = Gazetteer().Infer("新华区某商贸有限公司");
  CHECK(g.ambiguous);
  CHECK(g.candidates.size() == 3);
  // In brackets too.
  g = Gazetteer().Infer("某某电子（朝阳区）有限公司");
  CHECK(g.code.empty());
  CHECK(g.ambiguous);
  // Below a matched province a tie keeps the province: 河北 + 新华 (石家庄 or 沧州).
  g = Gazetteer().Infer("河北新华某机械有限公司");
  CHECK(g.code == "130000");
  CHECK_FALSE(g.ambiguous);
  // Nothing matched is unknown, not ambiguous.
  g = Gazetteer().Infer("华润微电子有限公司");
  CHECK(g.code.empty());
  CHECK_FALSE(g.ambiguous);
}

TEST_CASE("ckg synthetic: every bad row listed as file:line, nothing written by default", "[ckg]") {
  TempDir dir;
  std::filesystem::path ckg = SyntheticCkg().Write(dir);
  Store store(dir / "t.db");
  CkgReport r = ImportCkg(store, ckg, {});
  CHECK_FALSE(r.import.accepted);
  std::vector<std::string> problems = ShortProblems(r.import.problems);
  INFO(Catch::Detail::stringify(problems));
  CHECK(problems.size() == 4);
  CHECK(HasProblem(problems, "company.json:5:", "malformed JSON"));
  CHECK(HasProblem(problems, "company.json:6:", "code '12345' is not a six-digit stock code"));
  CHECK(HasProblem(problems, "company_product.json:5:", "rel_weight must be a number"));
  CHECK(HasProblem(problems, "product_product.json:8:", "rel '相关' is not one of"));
  CHECK(r.skipped.empty());
  // All or nothing: the database holds nothing at all, not even the import log.
  CHECK(Count(store, "SELECT count(*) FROM nodes") == 0);
  CHECK(Count(store, "SELECT count(*) FROM edges") == 0);
  CHECK(Count(store, "SELECT count(*) FROM imports") == 0);
  // Quirks are reported whether or not the import goes ahead.
  std::vector<std::string> quirks = QuirkLines(r);
  INFO(Catch::Detail::stringify(quirks));
  CHECK(
      HasProblem(quirks, "company.json:3:",
                 "duplicate_code: code 000002 again, full name '杭州乙旧名股份有限公司' differs"));
  CHECK(HasProblem(quirks, "company.json:4:", "location_not_exchange"));
  CHECK(HasProblem(quirks, "company.json:", "code_suffix: 3 stock codes"));
  CHECK(HasProblem(quirks, "company_industry.json:2:", "unknown_company: company 688999"));
  CHECK(HasProblem(quirks, "company_industry.json:3:",
                   "industry_by_name: industry_code 999999 is not in industry.json"));
  CHECK(HasProblem(quirks, "company_product.json:2:", "weight_not_positive: rel_weight -0.1"));
  CHECK(HasProblem(quirks, "company_product.json:3:", "weight_clamped: rel_weight 1.3"));
  CHECK(HasProblem(quirks, "company_product.json:4:",
                   "duplicate_relation: company 000002 produces '饲料' again (first at line 3"));
  CHECK(HasProblem(quirks, "product.json:3:", "noise_product"));
  CHECK(HasProblem(quirks, "product_product.json:3:", "self_loop"));
  CHECK(HasProblem(quirks, "product_product.json:4:", "product_not_listed: from_entity '谷物'"));
  CHECK(HasProblem(quirks, "product_product.json:5:",
                   "second_parent: '玉米' already sits under '谷物' (line 4)"));
  CHECK(HasProblem(quirks, "product_product.json:6:", "parent_cycle"));
  CHECK(HasProblem(quirks, "product_product.json:7:",
                   "duplicate_relation: '玉米' supplies '饲料' repeated (first at line 2)"));
  CHECK(r.files["company.json"].bad == 2);
  CHECK(r.files["company_product.json"].bad == 1);
}

TEST_CASE("ckg synthetic: skip_bad_rows imports the rest and lists what it skipped", "[ckg]") {
  TempDir dir;
  std::filesystem::path ckg = SyntheticCkg().Write(dir);
  Store store(dir / "t.db");
  CkgOptions options;
  options.skip_bad_rows = true;
  CkgReport r = ImportCkg(store, ckg, options);
  REQUIRE(r.import.accepted);
  CHECK(r.import.problems.empty());
  std::vector<std::string> skipped = ShortProblems(r.skipped);
  CHECK(skipped.size() == 4);
  CHECK(HasProblem(skipped, "company.json:5:", "malformed JSON"));
  CHECK(HasProblem(skipped, "product_product.json:8:", "rel '相关'"));
  for (const auto& [file, s] : r.files) {
    INFO(file);
    CHECK(s.records == s.used + s.dropped + s.bad);
  }

  auto snap = store.LoadSnapshot();
  CHECK(snap->CountNodes(NodeKind::kEnterprise) == 3);
  CHECK(snap->CountNodes(NodeKind::kTrack) == 2);  // 农林牧渔 and the product track
  CHECK(snap->CountNodes(NodeKind::kSegment) ==
        3 + 4);  // three industries, 玉米 种子包衣剂 饲料 谷物
  CHECK(snap->CountEdges(EdgeKind::kProduces) == 2);
  CHECK(snap->CountEdges(EdgeKind::kMemberOf) == 2);
  CHECK(snap->CountEdges(EdgeKind::kSupplies) == 2 + 2);  // two between industries, two products

  VertexId a = snap->FindKey(NodeKind::kEnterprise, "600001");
  VertexId b = snap->FindKey(NodeKind::kEnterprise, "000002");
  REQUIRE(a != kNoVertex);
  REQUIRE(b != kNoVertex);
  CHECK(snap->Name(b) == "杭州乙股份有限公司");  // the first of the duplicate rows
  CHECK(snap->Region(a) == kNoVertex);           // no --regions: unknown, end to end
  CHECK(snap->Enterprise(a).HasTag(EnterpriseTag::kListed));
  VertexId corn = snap->FindKey(NodeKind::kSegment, "ckg.p.玉米");
  VertexId feed = snap->FindKey(NodeKind::kSegment, "ckg.p.饲料");
  VertexId grain = snap->FindKey(NodeKind::kSegment, "ckg.p.谷物");
  REQUIRE(corn != kNoVertex);
  // 玉米 is listed under 谷物, but its name does not specialise 谷物's (it neither ends with it nor
  // shares its head): the ontology drops the link as merely related (docs/ontology.md).
  CHECK(grain != kNoVertex);
  CHECK(snap->Segment(corn).parent == kNoVertex);
  CHECK(r.ontology.detached >= 1);
  CHECK(snap->Segment(grain).parent == kNoVertex);
  CHECK(Weight(*snap, a, EdgeKind::kProduces, corn) == Approx(0.6));
  CHECK(Weight(*snap, b, EdgeKind::kProduces, feed) == Approx(1.0));  // 1.3 clamped
  CHECK(store.EdgeAttributes(NodeKind::kEnterprise, "000002", EdgeKind::kProduces,
                             NodeKind::kSegment, "ckg.p.饲料") == R"({"rel_weight":1.3})");
  CHECK(snap->EdgeWeight(corn, EdgeKind::kSupplies, feed).has_value());
  CHECK(snap->EdgeWeight(snap->FindKey(NodeKind::kSegment, "ckg.p.种子包衣剂"), EdgeKind::kSupplies,
                         corn)
            .has_value());
  VertexId seeds = snap->FindKey(NodeKind::kSegment, "sw.110101");
  VertexId grain_farming = snap->FindKey(NodeKind::kSegment, "sw.110102");
  VertexId farming = snap->FindKey(NodeKind::kSegment, "sw.110100");
  // industry_up is weak industry-level evidence: its count share times 0.15.
  CHECK(Weight(*snap, seeds, EdgeKind::kSupplies, grain_farming) ==
        Approx(ingest::kIndustryTableReliability * 1.0));  // 4 of 4
  CHECK(Weight(*snap, farming, EdgeKind::kSupplies, grain_farming) ==
        Approx(ingest::kIndustryTableReliability * 0.5));  // 2 of 4
  CHECK(snap->EdgeEvidence(seeds, EdgeKind::kSupplies, grain_farming) ==
        EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kIndustryTable));
  CHECK(snap->EdgeEvidence(corn, EdgeKind::kSupplies, feed) ==
        EvidenceByte(EvidenceKind::kProduct));
  CHECK(snap->Segment(seeds).parent == farming);
  CHECK(snap->Segment(farming).track == snap->FindKey(NodeKind::kTrack, "sw.110000"));
  CHECK(snap->EdgeWeight(b, EdgeKind::kMemberOf, grain_farming).has_value());  // by name

  // Provenance leads back to the file and line.
  auto prov = store.NodeProvenance(NodeKind::kEnterprise, "000002");
  REQUIRE(prov);
  CHECK(prov->source == "ckg");
  CHECK(std::filesystem::path(prov->file).filename() == "company.json");
  CHECK(prov->line == 2);

  // Importing again changes nothing.
  CkgReport again = ImportCkg(store, ckg, options);
  REQUIRE(again.import.accepted);
  CHECK(again.import.nodes_inserted == 0);
  CHECK(again.import.nodes_updated == 0);
  CHECK(again.import.edges_inserted == 0);
  CHECK(again.import.edges_updated == 0);
}

TEST_CASE("ckg hostile lines: each a bad row as file:line, nothing written", "[ckg][hostile]") {
  TempDir dir;
  SyntheticCkg ckg;
  ckg.lines["company.json"].push_back(
      R"({"name": "庚", "fullname": "庚\u0000股份有限公司", "code": "600007"})");
  ckg.lines["product.json"].push_back("{\"name\": " + std::string(100000, '[') +
                                      std::string(100000, ']') + "}");
  ckg.lines["company_product.json"].push_back(
      R"({"company_name": "甲科技", "company_code": "600001.SH", "product_name": "稻米", "rel": "主营产品", "rel_weight": 1e309})");
  ckg.lines["company_product.json"].push_back(
      R"({"company_name": "甲科技", "company_code": "600001.SH", "product_name": "麦", "rel": "主营产品", "rel_weight": 1e-50})");
  ckg.lines["product_product.json"].push_back(
      "{\"from_entity\": \"\xFF\xFE\", \"to_entity\": \"x\"}");
  ckg.lines["industry_up.json"].push_back(R"({"industry": "种子", "ups": {"粮食种植": 1e-300}})");
  std::filesystem::path folder = ckg.Write(dir);
  Store store(dir / "t.db");
  CkgReport r = ImportCkg(store, folder, {});
  CHECK_FALSE(r.import.accepted);
  std::vector<std::string> problems = ShortProblems(r.import.problems);
  INFO(Catch::Detail::stringify(problems));
  CHECK(HasProblem(problems, "company.json:7:", "fullname contains a control character (\\x00)"));
  CHECK(HasProblem(problems, "product.json:5:", "JSON nested deeper than 64 levels"));
  CHECK(HasProblem(problems, "company_product.json:6:", "number '1e309' is out of range"));
  CHECK(HasProblem(problems,
                   "company_product.json:7:", "rel_weight 1e-50 is below the smallest weight"));
  CHECK(HasProblem(problems, "product_product.json:9:", "malformed JSON"));
  CHECK(HasProblem(problems, "product_product.json:9:", "\\xff"));
  CHECK(HasProblem(problems, "industry_up.json:2:", "is not a positive number"));
  for (const auto& p : problems) CHECK(IsValidUtf8(p));
  CHECK(Count(store, "SELECT count(*) FROM nodes") == 0);

  // A file replaced by a folder: an I/O error naming the file, not an allocation failure.
  std::filesystem::remove(folder / "industry.json");
  std::filesystem::create_directories(folder / "industry.json");
  try {
    ImportCkg(store, folder, {});
    FAIL("a folder was read as industry.json");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kIo);
    CHECK(std::string(e.what()).find("industry.json: cannot read: not a regular file") !=
          std::string::npos);
  }
  CHECK(Count(store, "SELECT count(*) FROM nodes") == 0);
}

TEST_CASE("ckg synthetic: regions inferred against a GB/T 2260 table", "[ckg]") {
  TempDir dir;
  SyntheticCkg data;
  data.lines["company.json"] = {
      R"({"name": "甲", "fullname": "浙江甲科技股份有限公司", "code": "600001"})",
      R"({"name": "乙", "fullname": "杭州乙股份有限公司", "code": "000002"})",
      R"({"name": "丙", "fullname": "桐庐县丙医疗器械有限公司", "code": "300003"})",
      R"({"name": "丁", "fullname": "北京丁科技股份有限公司", "code": "688004"})",
      R"({"name": "戊", "fullname": "朝阳区戊有限公司", "code": "600005"})",
      R"({"name": "己", "fullname": "中国己股份有限公司", "code": "600006"})",
      R"({"name": "庚", "fullname": "庚电子（杭州）股份有限公司", "code": "600007"})"};
  // A second 朝阳区, so that the name is a tie.
  std::filesystem::path regions = WriteMiniRegions(dir);
  WriteText(regions / "provinces.csv", "code,name\n33,\"浙江省\"\n11,\"北京市\"\n22,\"吉林省\"\n");
  WriteText(regions / "cities.csv",
            "code,name,provinceCode\n3301,\"杭州市\",33\n1101,\"市辖区\",11\n2201,\"长春市\",22\n");
  WriteText(
      regions / "areas.csv",
      "code,name,cityCode,provinceCode\n330122,\"桐庐县\",3301,33\n110105,\"朝阳区\",1101,11\n"
      "220104,\"朝阳区\",2201,22\n");
  std::filesystem::path ckg = data.Write(dir);
  Store store(dir / "t.db");
  CkgOptions options;
  options.regions_dir = regions;
  options.skip_bad_rows = true;
  CkgReport r = ImportCkg(store, ckg, options);
  REQUIRE(r.import.accepted);
  const RegionCoverage& c = r.coverage;
  CHECK(c.companies == 7);
  CHECK(c.province == 2);
  CHECK(c.municipality == 1);
  CHECK(c.city == 2);
  CHECK(c.county == 1);
  CHECK(c.by_bracket == 1);
  CHECK(c.unknown == 2);
  CHECK(c.ambiguous == 1);
  CHECK(HasProblem(QuirkLines(r), "company.json:5:", "region_ambiguous"));
  CHECK(r.regions == 8);  // 3 provinces, 2 cities (not 市辖区), 3 counties

  auto snap = store.LoadSnapshot();
  auto region_of = [&](const char* code) {
    VertexId r = snap->Region(snap->FindKey(NodeKind::kEnterprise, code));
    return r == kNoVertex ? std::string() : std::string(snap->Key(r));
  };
  CHECK(region_of("600001") == "330000");
  CHECK(region_of("000002") == "330100");
  CHECK(region_of("300003") == "330122");
  CHECK(region_of("688004") == "110000");
  CHECK(region_of("600005").empty());
  CHECK(region_of("600006").empty());
  CHECK(region_of("600007") == "330100");
  CHECK(snap->RegionInfo(snap->FindKey(NodeKind::kRegion, "110105")).parent ==
        snap->FindKey(NodeKind::kRegion, "110000"));
}

TEST_CASE("ckg into a database holding the default dataset: regions are shared vocabulary",
          "[ckg]") {
  if (!Available(kRegionsDir)) return;
  TempDir dir;
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, DATA_DIR).accepted);
  const int64_t default_regions = Count(store, "SELECT count(*) FROM nodes WHERE kind = 0");
  std::filesystem::path ckg = SyntheticCkg().Write(dir);
  CkgOptions options;
  options.regions_dir = kRegionsDir;
  options.skip_bad_rows = true;
  CkgReport r = ImportCkg(store, ckg, options);
  INFO(Catch::Detail::stringify(ShortProblems(r.import.problems)));
  REQUIRE(r.import.accepted);
  CHECK(r.import.merges.empty());
  // Every default region that is a GB/T 2260 division (all but the parks) is kept as it was.
  const int64_t parks = Count(store, "SELECT count(*) FROM regions WHERE level = 'park'");
  CHECK(static_cast<int64_t>(r.regions_kept) == default_regions - parks);
  CHECK(std::count_if(r.quirks.begin(), r.quirks.end(), [](const Problem& p) {
          return p.reason.rfind("region_differs", 0) == 0;
        }) == 0);
  CHECK(Count(store, "SELECT count(*) FROM nodes WHERE kind = 0") ==
        default_regions + static_cast<int64_t>(r.regions));
  Statement s(store.db().handle(), "SELECT source FROM nodes WHERE kind = 0 AND key = '330122'");
  REQUIRE(s.Step());
  CHECK(s.Text(0) == "zhejiang-medical-devices");
  auto snap = store.LoadSnapshot();
  VertexId a = snap->FindKey(NodeKind::kEnterprise, "600001");
  REQUIRE(snap->Region(a) != kNoVertex);
  CHECK(snap->Key(snap->Region(a)) == "330000");
  CHECK(snap->CountNodes(NodeKind::kRegion) == static_cast<size_t>(default_regions) + r.regions);
}

TEST_CASE("ckg full dataset: counts match the files, every quirk accounted for", "[ckg][full]") {
  if (!Available(kCkgDir) || !Available(kRegionsDir)) return;
  TempDir dir;
  Store store(dir / "t.db");
  CkgOptions options;
  options.regions_dir = kRegionsDir;
  const auto t0 = std::chrono::steady_clock::now();
  CkgReport r = ImportCkg(store, kCkgDir, options);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  INFO(Catch::Detail::stringify(ShortProblems(r.import.problems)));
  // Every issue of the real data is a quirk with a rule: it imports by default.
  REQUIRE(r.import.accepted);
  CHECK(r.skipped.empty());

  // The files, read here on their own.
  auto read = [](const std::string& file) {
    std::vector<json> rows;
    std::ifstream in(kCkgDir / file);
    for (std::string line; std::getline(in, line);) {
      if (line.find_first_not_of(" \t\r") == std::string::npos) continue;
      rows.push_back(json::parse(line));
    }
    return rows;
  };
  auto code_of = [](const json& v) {
    std::string c = v.get<std::string>();
    return c.substr(0, c.find('.'));
  };
  // Extraction noise as docs/ckg-import.md defines it (control characters inside the name, a
  // backslash, or no letter); names are trimmed of white space and control characters first.
  auto trim = [](std::string s) {
    auto blank = [](unsigned char c) { return c <= 0x20 || c == 0x7F; };
    while (!s.empty() && blank(s.back())) s.pop_back();
    while (!s.empty() && blank(s.front())) s.erase(s.begin());
    return s;
  };
  auto noise = [](const std::string& s) {
    bool letter = false;
    for (unsigned char c : s) {
      if (c < 0x20 || c == 0x7F || c == '\\') return true;
      if (c >= 0x80 || std::isalpha(c)) letter = true;
    }
    return !letter;
  };

  std::map<std::string, size_t> rows;
  const std::vector<std::string> files = {
      "company.json",          "industry.json", "industry_industry.json", "industry_up.json",
      "company_industry.json", "product.json",  "company_product.json",   "product_product.json"};
  std::map<std::string, std::vector<json>> data;
  for (const auto& f : files) {
    data[f] = read(f);
    CHECK(r.rows_read[f] == data[f].size());
  }

  // Each file: records = used + dropped by a rule (each one listed) + bad (none here).
  const std::set<std::string> dropping = {
      "duplicate_code",    "unknown_company", "weight_not_positive", "duplicate_relation",
      "duplicate_product", "self_loop",       "noise_product",       "second_parent",
      "parent_cycle",      "accounting_line"};
  std::map<std::string, size_t> listed_drops;
  for (const Problem& q : r.quirks) {
    std::string rule = q.reason.substr(0, q.reason.find(':'));
    if (dropping.count(rule)) listed_drops[std::filesystem::path(q.file).filename().string()]++;
  }
  for (const auto& f : files) {
    const CkgFileStats& s = r.files[f];
    INFO(f);
    CHECK(s.bad == 0);
    CHECK(s.records == s.used + s.dropped);
    CHECK(s.dropped == listed_drops[f]);
    if (f != "industry_up.json") CHECK(s.records == s.rows);
  }

  auto snap = store.LoadSnapshot();
  size_t sw_segments = 0, product_segments = 0, product_children = 0;
  for (VertexId v = 0; v < snap->NumVertices(); ++v) {
    if (snap->Kind(v) != NodeKind::kSegment) continue;
    if (snap->Key(v).rfind("sw.", 0) == 0) {
      sw_segments++;
    } else {
      product_segments++;
      if (snap->Segment(v).parent != kNoVertex) product_children++;
    }
  }

  // Enterprises: one per distinct stock code.
  std::set<std::string> codes;
  for (const json& c : data["company.json"]) codes.insert(code_of(c["code"]));
  CHECK(snap->CountNodes(NodeKind::kEnterprise) == codes.size());
  CHECK(r.quirk_counts["duplicate_code"] == data["company.json"].size() - codes.size());

  // The Shenwan tree: level 1 → tracks, levels 2 and 3 → segments.
  size_t level1 = 0;
  for (const json& i : data["industry.json"])
    level1 += i["code"].get<std::string>().substr(2) == "0000";
  CHECK(snap->CountNodes(NodeKind::kTrack) == level1 + 1);
  CHECK(sw_segments == data["industry.json"].size() - level1);

  // Produces: rows of known companies with a revenue share > 0, once per (company, product).
  std::set<std::pair<std::string, std::string>> produces;
  size_t not_positive = 0, above_one = 0, accounting = 0;
  std::set<std::string> product_names;
  for (const json& p : data["product.json"]) {
    std::string n = trim(p["name"].get<std::string>());
    if (!noise(n)) product_names.insert(n);
  }
  for (const json& row : data["company_product.json"]) {
    std::string code = code_of(row["company_code"]);
    std::string name = trim(row["product_name"].get<std::string>());
    if (!codes.count(code)) continue;
    double w = row["rel_weight"].get<double>();
    if (w <= 0) {
      not_positive++;
      continue;
    }
    if (noise(name)) continue;
    static const std::set<std::string> bookkeeping = {"平衡项目",   "调整项目", "分部间抵销",
                                                      "分部间抵消", "内部抵销", "内部抵消",
                                                      "抵销",       "抵消",     "合并抵销"};
    if (bookkeeping.count(name)) {
      accounting++;
      continue;
    }
    if (produces.insert({code, name}).second && w > 1) above_one++;
    product_names.insert(name);
  }
  CHECK(snap->CountEdges(EdgeKind::kProduces) == produces.size());
  CHECK(r.quirk_counts["weight_not_positive"] == not_positive);
  CHECK(r.quirk_counts["weight_clamped"] == above_one);
  CHECK(r.quirk_counts["accounting_line"] == accounting);
  CHECK(accounting > 900);

  // Product relations: supplies (上游材料 reversed, 下游产品 as is) once per pair, no self-loops;
  // sub-products take their first parent in file order unless that closes a cycle.
  std::set<std::pair<std::string, std::string>> product_supplies;
  std::map<std::string, std::string> parent;
  for (const json& row : data["product_product.json"]) {
    std::string from = trim(row["from_entity"].get<std::string>());
    std::string to = trim(row["to_entity"].get<std::string>());
    if (noise(from) || noise(to)) continue;
    product_names.insert(from);
    product_names.insert(to);
    if (from == to) continue;
    std::string rel = row["rel"].get<std::string>();
    if (rel == "上游材料") product_supplies.insert({to, from});
    if (rel == "下游产品") product_supplies.insert({from, to});
    if (rel == "产品小类" && !parent.count(to)) {
      bool cycle = false;
      for (std::string up = from; !up.empty(); up = parent.count(up) ? parent[up] : "")
        cycle |= up == to;
      if (!cycle) parent[to] = from;
    }
  }
  CHECK(product_segments == product_names.size());
  // The ontology keeps a sub-product link only where the names agree; every dropped one is counted.
  CHECK(product_children + r.ontology.detached == parent.size() + r.ontology.name_parents);
  CHECK(r.ontology.detached > 0);

  // Membership: once per (company, industry), unknown companies dropped.
  size_t members = 0, unknown_company = 0;
  for (const json& row : data["company_industry.json"]) {
    if (codes.count(code_of(row["company_code"])))
      members++;
    else
      unknown_company++;
  }
  CHECK(snap->CountEdges(EdgeKind::kMemberOf) == members);
  CHECK(r.quirk_counts["unknown_company"] == unknown_company);

  // Supplies: every industry_up entry (no self-loops or repeats in this data) and the products'.
  size_t ups = 0;
  for (const json& row : data["industry_up.json"]) ups += row["ups"].size();
  // plus what the ontology derived, each with its evidence kind.
  size_t derived = 0, derived_industry = 0;
  for (const auto& [rule, n] : r.ontology.derived) {
    derived += n;
    if (rule == "sector_parts" || rule == "sector_products") derived_industry += n;
  }
  CHECK(snap->CountEdges(EdgeKind::kSupplies) == ups + product_supplies.size() + derived);
  const auto by_evidence = snap->SupplyEvidenceCounts();
  CHECK(by_evidence[static_cast<int>(EvidenceKind::kCurated)] == 0);
  CHECK(by_evidence[static_cast<int>(EvidenceKind::kProduct)] == product_supplies.size());
  CHECK(by_evidence[static_cast<int>(EvidenceKind::kIndustry)] == ups + derived_industry);
  CHECK(by_evidence[static_cast<int>(EvidenceKind::kLearned)] ==
        r.ontology.derived["learned_heads"]);

  // Coverage adds up; most companies are placed.
  const RegionCoverage& c = r.coverage;
  CHECK(c.companies == codes.size());
  CHECK(c.province + c.city + c.county + c.unknown == c.companies);
  CHECK(c.province + c.city + c.county > c.companies * 6 / 10);
  size_t unplaced = 0;
  for (VertexId v = 0; v < snap->NumVertices(); ++v) {
    if (snap->Kind(v) == NodeKind::kEnterprise && snap->Region(v) == kNoVertex) unplaced++;
  }
  CHECK(unplaced == c.unknown);

  // Spot checks.
  VertexId huate = snap->FindKey(NodeKind::kEnterprise, "688268");
  REQUIRE(huate != kNoVertex);
  CHECK(snap->Name(huate) == "广东华特气体股份有限公司");
  CHECK(snap->Key(snap->Region(huate)) == "440000");
  VertexId gas = snap->FindKey(NodeKind::kSegment, "ckg.p.特种气体");
  REQUIRE(gas != kNoVertex);
  CHECK(Weight(*snap, huate, EdgeKind::kProduces, gas) == Approx(0.510725));

  WARN("ckg full import: " << seconds << " s (reading " << r.read_seconds << " s), "
                           << snap->NumVertices() << " nodes, " << snap->NumEdges()
                           << " edges; placed " << c.province << " province (" << c.municipality
                           << " municipalities), " << c.city << " city, " << c.county << " county, "
                           << c.unknown << " unknown (" << c.ambiguous << " ambiguous) of "
                           << c.companies);
}

TEST_CASE("ontology: names into role, stem and head", "[ckg][ontology]") {
  using ingest::AnalyseProductName;
  using ingest::ChainRole;
  auto li = AnalyseProductName("锂离子电池材料");
  CHECK(li.role == ChainRole::kMaterial);
  CHECK(li.stem == "锂离子电池");
  CHECK(AnalyseProductName("覆铜板业务").core == "覆铜板");  // a generic tail
  auto parts = AnalyseProductName("家电零部件Ⅲ");            // a level mark, NFKC
  CHECK(parts.role == ChainRole::kComponent);
  CHECK(parts.stem == "家电");
  CHECK(AnalyseProductName("显示系统及部件").stem == "显示系统");  // a joining character
  CHECK(AnalyseProductName("锂电设备").role == ChainRole::kEquipment);
  CHECK(AnalyseProductName("高端装备").stem.empty());  // 高端 says nothing
  CHECK(AnalyseProductName("智能电网设备").stem == "电网");
  CHECK(AnalyseProductName("内镜维修与售后服务").role == ChainRole::kService);
  CHECK(AnalyseProductName("暖通空调").head == "空调");                // ICU word break
  CHECK(AnalyseProductName("ＢＯＰＰ平膜").normalized == "bopp平膜");  // full width, case
  CHECK(AnalyseProductName("动力电池系统").role == ChainRole::kFinal);
}

TEST_CASE("ontology: derived relations, hierarchy and the sector rule, by hand",
          "[ckg][ontology]") {
  using namespace ingest;
  // 0 锂电池, 1 锂电池材料, 2 锂电池正极材料 (under 0), 3 胰岛素泵锂电池 (under 0), 4 柴油,
  // 5 柴油机 (under 4).
  std::vector<OntologyProduct> products = {
      {"p0", "锂电池", -1, true, 1, {}},        {"p1", "锂电池材料", -1, true, 1, {}},
      {"p2", "锂电池正极材料", 0, true, 1, {}}, {"p3", "胰岛素泵锂电池", 0, true, 1, {}},
      {"p4", "柴油", -1, true, 1, {}},          {"p5", "柴油机", 4, true, 1, {}}};
  // Industries: 0 汽车 (root), 1 汽车零部件 (under 0), 2 轮胎轮毂 (under 1), 3 乘用车 (under 0),
  // 4 综合乘用车 (under 3), 5 汽车服务 (under 0), 6 汽车经销商 (under 5).
  std::vector<OntologyIndustry> industries = {
      {"i0", "汽车", -1},      {"i1", "汽车零部件", 0}, {"i2", "轮胎轮毂", 1},  {"i3", "乘用车", 0},
      {"i4", "综合乘用车", 3}, {"i5", "汽车服务", 0},   {"i6", "汽车经销商", 5}};
  OntologyResult o = BuildOntology(products, {}, industries, {});
  std::set<std::tuple<int, int, bool, uint8_t>> got;
  for (const DerivedSupply& d : o.supplies) got.insert({d.src, d.dst, d.industry, d.evidence});
  const uint8_t material = EvidenceByte(EvidenceKind::kInferred, SupplyRule::kMaterialName);
  const uint8_t part = EvidenceByte(EvidenceKind::kInferred, SupplyRule::kPartOfParent);
  const uint8_t sector = EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kSectorParts);
  // 锂电池材料 supplies 锂电池 and 胰岛素泵锂电池 (both hold 锂电池), not the other material.
  CHECK(got.count({1, 0, false, material}) == 1);
  CHECK(got.count({1, 3, false, material}) == 1);
  CHECK(got.count({1, 2, false, material}) == 0);
  // 锂电池正极材料 is named as a part of its parent: a supply, no longer a sub-product;
  // 胰岛素泵锂电池 specialises 锂电池 and stays; 柴油机 does not specialise 柴油 and is dropped.
  CHECK(got.count({2, 0, false, part}) == 1);
  CHECK(std::set<int>(o.detached.begin(), o.detached.end()) == std::set<int>{2, 5});
  // The sector rule: the parts industry supplies the end-product industry, not the dealer.
  CHECK(got.count({2, 4, true, sector}) == 1);
  CHECK(got.count({2, 6, true, sector}) == 0);
  size_t industry_edges = 0;
  for (const DerivedSupply& d : o.supplies) industry_edges += d.industry;
  CHECK(industry_edges == 1);
  // The same input gives the same output.
  OntologyResult again = BuildOntology(products, {}, industries, {});
  REQUIRE(again.supplies.size() == o.supplies.size());
  for (size_t i = 0; i < o.supplies.size(); ++i) {
    CHECK(again.supplies[i].src == o.supplies[i].src);
    CHECK(again.supplies[i].dst == o.supplies[i].dst);
  }
}

TEST_CASE("ontology: which industries are parts, materials or production equipment",
          "[ckg][ontology]") {
  using namespace ingest;
  // 0 电力设备 (root), 1 光伏设备 (under 0), 2 光伏辅材, 3 光伏加工设备, 4 硅料硅片 (under 1),
  // 5 电子 (root), 6 半导体 (under 5), 7 半导体设备, 8 集成电路封测 (under 6),
  // 9 电网设备 (under 0), 10 输变电设备 (under 9).
  std::vector<OntologyIndustry> industries = {
      {"i0", "电力设备", -1},    {"i1", "光伏设备", 0},   {"i2", "光伏辅材", 1},
      {"i3", "光伏加工设备", 1}, {"i4", "硅料硅片", 1},   {"i5", "电子", -1},
      {"i6", "半导体", 5},       {"i7", "半导体设备", 6}, {"i8", "集成电路封测", 6},
      {"i9", "电网设备", 0},     {"i10", "输变电设备", 9}};
  OntologyResult o = BuildOntology({}, {}, industries, {});
  std::set<std::pair<int, int>> got;
  for (const DerivedSupply& d : o.supplies) {
    REQUIRE(d.industry);
    got.insert({d.src, d.dst});
  }
  // Auxiliary materials (辅材), processing equipment (加工设备) and equipment named for the parent
  // sector (半导体设备 under 半导体) supply their sector's end products.
  CHECK(got.count({2, 4}) == 1);
  CHECK(got.count({3, 4}) == 1);
  CHECK(got.count({7, 8}) == 1);
  // Equipment as a product (电网设备 under 电力设备: not named for its parent) is no parts class,
  // and a parts industry never supplies another parts industry.
  CHECK(got.count({10, 4}) == 0);
  CHECK(got.count({2, 3}) == 0);
  CHECK(got.count({3, 2}) == 0);
  CHECK(got.size() == 3);
}

TEST_CASE(
    "partners on ckg: product-level before the same leaf industry, and peers are not partners",
    "[ckg][partners]") {
  // 甲 makes 玉米, whose input 种子包衣剂 丁 makes (product-level, tier 0). 乙 shares 甲's leaf
  // industry 种子 and makes 化肥, nothing 甲 makes: a same-industry partner either way (tier 2).
  // 丙 is in 种子 too but makes 玉米 as 甲 does: a peer, never a supplier or a customer.
  SyntheticCkg ckg;
  ckg.lines["company.json"] = {
      R"({"name": "甲", "fullname": "浙江甲股份有限公司", "code": "600001", "location": "上海证券交易所", "time": "2020-01-02"})",
      R"({"name": "乙", "fullname": "浙江乙股份有限公司", "code": "600002", "location": "上海证券交易所", "time": "2020-01-02"})",
      R"({"name": "丙", "fullname": "浙江丙股份有限公司", "code": "600003", "location": "上海证券交易所", "time": "2020-01-02"})",
      R"({"name": "丁", "fullname": "浙江丁股份有限公司", "code": "600004", "location": "上海证券交易所", "time": "2020-01-02"})"};
  ckg.lines["company_industry.json"] = {
      R"({"company_code": "600001", "industry_code": "110101", "industry_name": "种子", "company_name": "甲", "rel": "所属行业"})",
      R"({"company_code": "600002", "industry_code": "110101", "industry_name": "种子", "company_name": "乙", "rel": "所属行业"})",
      R"({"company_code": "600003", "industry_code": "110101", "industry_name": "种子", "company_name": "丙", "rel": "所属行业"})",
      R"({"company_code": "600004", "industry_code": "110102", "industry_name": "粮食种植", "company_name": "丁", "rel": "所属行业"})"};
  ckg.lines["industry_up.json"] = {};
  ckg.lines["product.json"] = {R"({"name": "玉米"})", R"({"name": "种子包衣剂"})",
                               R"({"name": "化肥"})"};
  ckg.lines["company_product.json"] = {
      R"({"company_name": "甲", "company_code": "600001", "product_name": "玉米", "rel": "主营产品", "rel_weight": 0.9})",
      R"({"company_name": "乙", "company_code": "600002", "product_name": "化肥", "rel": "主营产品", "rel_weight": 0.9})",
      R"({"company_name": "丙", "company_code": "600003", "product_name": "玉米", "rel": "主营产品", "rel_weight": 0.9})",
      R"({"company_name": "丁", "company_code": "600004", "product_name": "种子包衣剂", "rel": "主营产品", "rel_weight": 0.9})"};
  ckg.lines["product_product.json"] = {
      R"({"from_entity": "玉米", "to_entity": "种子包衣剂", "rel": "上游材料"})"};
  TempDir dir;
  Store store(dir / "t.db");
  CkgReport r = ImportCkg(store, ckg.Write(dir), CkgOptions{});
  REQUIRE(r.import.accepted);
  auto snap = store.LoadSnapshot();
  const Snapshot& s = *snap;
  VertexId a = s.FindKey(NodeKind::kEnterprise, "600001");
  auto keys = [&](const matcher::PartnersResult& p) {
    std::vector<std::string> out;
    for (const auto& item : p.items) out.emplace_back(s.Key(item.entity));
    return out;
  };
  matcher::PartnersResult sup = matcher::RecommendPartners(s, a, matcher::PartnerRole::kSupplier,
                                                           {});
  REQUIRE(keys(sup) == std::vector<std::string>{"600004", "600002"});
  CHECK(sup.items[0].tier == 0);
  CHECK(SupplyRuleOf(sup.items[1].evidence) == SupplyRule::kSameIndustry);
  CHECK(sup.items[1].tier == 2);
  CHECK(EvidenceLevelName(sup.items[1].evidence) == "industry");
  CHECK(matcher::RenderPath(s, sup.items[1].paths.at(0)) ==
        "浙江甲股份有限公司 —member_of→ 种子 ←member_of[industry]— 浙江乙股份有限公司");
  CHECK(matcher::EvidenceFact(s, sup.items[1].paths.at(0)) ==
        matcher::Reason("evidence.same_industry").Text("industry", "种子"));
  matcher::PartnersResult cus = matcher::RecommendPartners(s, a, matcher::PartnerRole::kCustomer,
                                                           {});
  CHECK(keys(cus) == std::vector<std::string>{"600002"});
}
