// Placing a company by its name: the GB/T 2260 division tables (provinces.csv, cities.csv,
// areas.csv as published by modood/Administrative-divisions-of-China) and a matcher of the start
// of a full name against the names of provinces, cities and counties, with and without their
// suffix (浙江省 / 浙江, 杭州市 / 杭州, 延边朝鲜族自治州 / 延边). docs/ckg-import.md states the
// rules and measures them on ChainKnowledgeGraph.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/kinds.h"

namespace chainatlas::ingest {

// One division as it becomes a region entity: a six-digit code, its name, its level and the code
// of its parent (empty for a province).
struct Division {
  std::string code, name;
  RegionLevel level = RegionLevel::kCounty;
  std::string parent;
  uint16_t file = 0;  // index into RegionGazetteer::files()
  uint32_t line = 0;  // line in that file
};

// What a name told. `code` is empty when the region is unknown; `ambiguous` says it is unknown
// because the name matched several regions equally well (their codes are in `candidates`).
struct RegionGuess {
  std::string code;
  RegionLevel level = RegionLevel::kProvince;
  bool ambiguous = false;
  std::vector<std::string> candidates;
  std::string matched;  // the text that placed it: "浙江省杭州市", "杭州", "（苏州）"
};

// The suffix-less form of a division name ("浙江省" → "浙江", "恩施土家族苗族自治州" → "恩施",
// "浦东新区" → "浦东"); empty when there is no suffix or stripping would leave fewer than two
// characters.
std::string DivisionStem(std::string_view name);

class RegionGazetteer {
 public:
  // Reads provinces.csv, cities.csv and areas.csv from `dir`. Pseudo-cities (市辖区, 县,
  // 省直辖县级行政区划, 自治区直辖县级行政区划) are left out and their counties sit directly under
  // the province, as in the default dataset. A county whose code is its city's code (东莞市 441900)
  // is that city and is left out. Throws Error(kIo) when a file cannot be read and
  // Error(kInvalidData) on a row that does not fit (a bad code, an unknown parent).
  static RegionGazetteer Load(const std::filesystem::path& dir);

  // From divisions given directly (every parent before its children), for tests.
  explicit RegionGazetteer(std::vector<Division> divisions,
                           std::vector<std::filesystem::path> files = {});

  // Provinces, then cities, then counties: every parent before its children.
  const std::vector<Division>& divisions() const { return divisions_; }
  const Division* Find(std::string_view code) const;
  // The tables read, in the order Division::file counts them.
  const std::vector<std::filesystem::path>& files() const { return files_; }

  // Infers the region of a company from its full name:
  //  1. At the start of the name, the longest text that is a division's full name or stem. At the
  //     very start a county matches only by its full name or by a stem of three or more characters
  //     (two-character county stems are too often ordinary words: 东方, 兴业, 光明, 平安). After a
  //     matched province or city, the text that follows may name a division below it by any stem,
  //     and so on down: "浙江省杭州市余杭区…" → 余杭区, "浙江杭州…" → 杭州市.
  //  2. Among equally long matches, full names beat stems; a division below another candidate
  //     gives way to it (吉林 → 吉林省, not 吉林市); one province beats divisions elsewhere
  //     (海南 → 海南省, not 海南藏族自治州). More than one left: ambiguous, nothing placed.
  //  3. When the start places nothing, a place in brackets (字号（行政区划）):
  //     "纽威数控装备（苏州）股份有限公司" → 苏州市, with the same tie rules.
  RegionGuess Infer(std::string_view full_name) const;

 private:
  struct NameEntry {
    size_t division;  // index into divisions_
    bool full;        // the full name (true) or its stem (false)
  };
  void Index();
  bool IsBelow(size_t d, size_t ancestor) const;
  std::vector<size_t> Resolve(std::vector<NameEntry> entries) const;

  std::vector<Division> divisions_;
  std::vector<std::filesystem::path> files_;
  std::unordered_map<std::string, size_t> by_code_;
  std::vector<long> parent_;  // index of the parent division, -1 for a province
  std::unordered_map<std::string, std::vector<NameEntry>> by_name_;
  size_t longest_name_ = 0;  // in characters
};

}  // namespace chainatlas::ingest
