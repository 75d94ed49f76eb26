// The ChainKnowledgeGraph JSON-lines reader (ingest/ckg.h: ImportCkg): each line's JSON (nesting
// capped), its fields and the quirk rules, region inference, the chain ontology, and the import.
//
// Input: the first byte picks one of the eight files (modulo 8) and, in its high bits, the options
// (bit 3: skip_bad_rows; bit 4: a two-province GB/T 2260 table for region inference); the rest
// replaces that file in a small synthetic folder (the lines of tests/ckg_test.cc). The records are
// imported into a fresh database; an accepted import is loaded into a snapshot as well.
#include <array>
#include <cstdint>
#include <map>
#include <string>

#include "fuzz/fuzz_common.h"
#include "ingest/ckg.h"
#include "ingest/store.h"

using namespace chainatlas;

namespace {

constexpr std::array<const char*, 8> kFiles = {
    "company.json",          "industry.json", "industry_industry.json", "industry_up.json",
    "company_industry.json", "product.json",  "company_product.json",   "product_product.json"};

// A small consistent folder: each file's original text, restored after every input.
const std::map<std::string, std::string> kBase = {
    {"company.json",
     R"({"name": "甲科技", "fullname": "浙江甲科技股份有限公司", "code": "600001.SH", "location": "上海证券交易所", "time": "2020-01-02"})"
     "\n"
     R"({"name": "乙股份", "fullname": "杭州乙股份有限公司", "code": "000002", "location": "深圳证券交易所", "time": "2019-03-04"})"
     "\n"
     R"({"name": "丙集团", "fullname": "北京丙集团股份有限公司", "code": "300003.SZ", "location": "深圳证券交易所", "time": "2010-02-11"})"
     "\n"},
    {"industry.json", R"({"code": "110000", "name": "农林牧渔"})"
                      "\n"
                      R"({"code": "110100", "name": "种植业"})"
                      "\n"
                      R"({"code": "110101", "name": "种子"})"
                      "\n"
                      R"({"code": "110102", "name": "粮食种植"})"
                      "\n"},
    {"industry_industry.json",
     R"({"from_code": "110100", "from_industry": "种植业", "rel": "上级行业", "to_industry": "农林牧渔", "to_code": "110000"})"
     "\n"
     R"({"from_code": "110101", "from_industry": "种子", "rel": "上级行业", "to_industry": "种植业", "to_code": "110100"})"
     "\n"
     R"({"from_code": "110102", "from_industry": "粮食种植", "rel": "上级行业", "to_industry": "种植业", "to_code": "110100"})"
     "\n"},
    {"industry_up.json", R"({"industry": "粮食种植", "ups": {"种子": 4, "种植业": 2}})"
                         "\n"},
    {"company_industry.json",
     R"({"company_code": "600001.SH", "industry_code": "110101", "industry_name": "种子", "company_name": "甲科技", "rel": "所属行业"})"
     "\n"
     R"({"company_code": "000002.SZ", "industry_code": "110102", "industry_name": "粮食种植", "company_name": "乙股份", "rel": "所属行业"})"
     "\n"},
    {"product.json", R"({"name": "玉米"})"
                     "\n"
                     R"({"name": "种子包衣剂"})"
                     "\n"
                     R"({"name": "饲料"})"
                     "\n"
                     R"({"name": "玉米种子"})"
                     "\n"},
    {"company_product.json",
     R"({"company_name": "甲科技", "company_code": "600001.SH", "product_name": "玉米", "rel": "主营产品", "rel_weight": 0.6})"
     "\n"
     R"({"company_name": "乙股份", "company_code": "000002.SZ", "product_name": "饲料", "rel": "主营产品", "rel_weight": 0.9})"
     "\n"},
    {"product_product.json",
     R"({"from_entity": "玉米", "to_entity": "种子包衣剂", "rel": "上游材料"})"
     "\n"
     R"({"from_entity": "玉米种子", "to_entity": "玉米", "rel": "产品小类"})"
     "\n"
     R"({"from_entity": "玉米", "to_entity": "饲料", "rel": "下游产品"})"
     "\n"},
};

std::filesystem::path g_dir, g_regions;

void Write(const std::filesystem::path& p, const std::string& text) {
  fuzz::WriteBytes(p, reinterpret_cast<const uint8_t*>(text.data()), text.size());
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  g_dir = fuzz::Scratch() / "ckg";
  g_regions = fuzz::Scratch() / "regions";
  std::filesystem::create_directories(g_dir);
  std::filesystem::create_directories(g_regions);
  for (const auto& [file, text] : kBase) Write(g_dir / file, text);
  Write(g_regions / "provinces.csv", "code,name\n33,\"浙江省\"\n11,\"北京市\"\n");
  Write(g_regions / "cities.csv",
        "code,name,provinceCode\n3301,\"杭州市\",33\n1101,\"市辖区\",11\n");
  Write(g_regions / "areas.csv",
        "code,name,cityCode,provinceCode\n330122,\"桐庐县\",3301,33\n110105,\"朝阳区\",1101,11\n");
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string name = kFiles[data[0] % 8];
  fuzz::WriteBytes(g_dir / name, data + 1, size - 1);
  ingest::CkgOptions options;
  options.skip_bad_rows = data[0] & 8;
  if (data[0] & 16) options.regions_dir = g_regions;
  fuzz::ExpectClearErrors([&] {
    fuzz::ScratchDb db;
    ingest::Store store(db.path());
    ingest::CkgReport r = ingest::ImportCkg(store, g_dir, options);
    fuzz::CheckProblems(r.import.problems, "ckg import");
    fuzz::CheckProblems(r.skipped, "ckg skipped rows");
    fuzz::CheckProblems(r.quirks, "ckg quirks");
    if (r.import.accepted != r.import.problems.empty()) fuzz::Bug("accepted must mean no problems");
    if (r.import.accepted) store.LoadSnapshot();
  });
  Write(g_dir / name, kBase.at(name));
  return 0;
}
