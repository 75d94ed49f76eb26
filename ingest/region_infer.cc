#include "ingest/region_infer.h"

#include <algorithm>
#include <array>
#include <functional>
#include <map>
#include <set>

#include "graph/error.h"
#include "ingest/csv_reader.h"

namespace chainatlas::ingest {
namespace {

// Suffixes of division names, longest first so 新区 goes before 区.
constexpr std::array<std::string_view, 16> kSuffixes = {
    "特别行政区", "自治区", "自治州", "自治县", "自治旗", "地区", "林区", "特区",
    "新区",       "矿区",   "省",     "市",     "县",     "区",   "盟",   "旗"};

// The 55 minority nationalities, as they appear before 自治区/州/县/旗. Longest first.
constexpr std::array<std::string_view, 55> kEthnicGroups = {
    "乌孜别克", "柯尔克孜", "维吾尔", "哈萨克", "塔吉克", "达斡尔", "鄂温克", "鄂伦春",
    "俄罗斯",   "塔塔尔",   "蒙古",   "布依",   "朝鲜",   "土家",   "哈尼",   "傈僳",
    "高山",     "拉祜",     "东乡",   "纳西",   "景颇",   "仫佬",   "布朗",   "撒拉",
    "毛南",     "仡佬",     "锡伯",   "阿昌",   "普米",   "德昂",   "保安",   "裕固",
    "独龙",     "赫哲",     "门巴",   "珞巴",   "基诺",   "回",     "藏",     "苗",
    "彝",       "壮",       "满",     "侗",     "瑶",     "白",     "黎",     "佤",
    "畲",       "水",       "土",     "羌",     "怒",     "京",     "傣"};

const std::set<std::string> kPseudoCities = {"市辖区", "县", "省直辖县级行政区划",
                                             "自治区直辖县级行政区划"};

// Byte offsets of every UTF-8 character start in s, plus s.size() at the end.
std::vector<size_t> CharOffsets(std::string_view s) {
  std::vector<size_t> out;
  out.reserve(s.size() + 1);
  for (size_t i = 0; i < s.size(); ++i) {
    if ((static_cast<unsigned char>(s[i]) & 0xC0) != 0x80) out.push_back(i);
  }
  out.push_back(s.size());
  return out;
}

size_t CharCount(std::string_view s) { return CharOffsets(s).size() - 1; }

bool EndsWith(std::string_view s, std::string_view suffix) {
  return s.size() >= suffix.size() && s.substr(s.size() - suffix.size()) == suffix;
}

// Strips trailing nationalities ("土家族苗族", "蒙古", "柯尔克孜") while two characters remain.
std::string_view StripEthnic(std::string_view s) {
  for (bool changed = true; changed;) {
    changed = false;
    for (std::string_view group : kEthnicGroups) {
      std::string with_zu = std::string(group) + "族";
      // Single-character nationalities only with 族 (回族, 藏族): alone they are ordinary
      // syllables.
      for (std::string_view t : {std::string_view(with_zu), group}) {
        if (t == group && CharCount(group) < 2) continue;
        if (EndsWith(s, t) && CharCount(s.substr(0, s.size() - t.size())) >= 2) {
          s = s.substr(0, s.size() - t.size());
          changed = true;
          break;
        }
      }
      if (changed) break;
    }
  }
  return s;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

std::string Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r'))
    s.remove_suffix(1);
  return std::string(s);
}

// Reads one table: the header names the columns; each row is handed over as column → value.
void ReadTable(
    const std::filesystem::path& path, const std::vector<std::string>& columns,
    const std::function<void(uint32_t line, const std::map<std::string, std::string>&)>& on_row) {
  std::vector<int> index;
  bool header = true;
  auto on_record = [&](const CsvRecord& rec) {
    if (header) {
      header = false;
      for (const auto& c : columns) {
        auto it = std::find(rec.fields.begin(), rec.fields.end(), c);
        if (it == rec.fields.end()) {
          throw Error(ErrorCode::kInvalidData, Msg("gbt.line", {{"file", path.string()},
                                                                {"line", std::to_string(rec.line)},
                                                                {"reason", "gbt.no_column"},
                                                                {"column", c}}));
        }
        index.push_back(static_cast<int>(it - rec.fields.begin()));
      }
      return;
    }
    std::map<std::string, std::string> row;
    for (size_t i = 0; i < columns.size(); ++i) {
      if (static_cast<size_t>(index[i]) >= rec.fields.size()) {
        throw Error(ErrorCode::kInvalidData, Msg("gbt.line", {{"file", path.string()},
                                                              {"line", std::to_string(rec.line)},
                                                              {"reason", "gbt.few_fields"}}));
      }
      row[columns[i]] = Trim(rec.fields[index[i]]);
    }
    on_row(rec.line, row);
  };
  uint32_t error_line = 0;
  std::string error = ReadCsv(path, on_record, &error_line);
  if (!error.empty()) {
    throw Error(ErrorCode::kInvalidData, Msg("gbt.line", {{"file", path.string()},
                                                          {"line", std::to_string(error_line)},
                                                          {"reason", "gbt.csv"},
                                                          {"detail", error}}));
  }
  if (header) throw Error(ErrorCode::kInvalidData, Msg("gbt.empty", {{"file", path.string()}}));
}

}  // namespace

std::string DivisionStem(std::string_view name) {
  for (std::string_view suffix : kSuffixes) {
    if (!EndsWith(name, suffix) || name.size() == suffix.size()) continue;
    std::string_view base = name.substr(0, name.size() - suffix.size());
    if (suffix.substr(0, 6) == "自治") base = StripEthnic(base);  // 自治 is two 3-byte characters
    return CharCount(base) >= 2 ? std::string(base) : std::string();
  }
  return "";
}

RegionGazetteer RegionGazetteer::Load(const std::filesystem::path& dir) {
  std::vector<std::filesystem::path> files = {dir / "provinces.csv", dir / "cities.csv",
                                              dir / "areas.csv"};
  for (const auto& f : files) {
    if (!std::filesystem::is_regular_file(f)) {
      throw Error(ErrorCode::kIo, Msg("gbt.cannot_read", {{"file", f.string()}}));
    }
  }
  std::vector<Division> out;
  std::set<std::string> provinces;
  std::map<std::string, bool> cities;  // six-digit city code → is a pseudo-city
  auto bad = [&](size_t file, uint32_t line, const char* code, MessageParams params = {}) {
    params.insert(
        params.begin(),
        {{"file", files[file].string()}, {"line", std::to_string(line)}, {"reason", code}});
    return Error(ErrorCode::kInvalidData, Msg("gbt.line", std::move(params)));
  };
  ReadTable(files[0], {"code", "name"}, [&](uint32_t line, const auto& row) {
    const std::string& code = row.at("code");
    if (code.size() != 2 || !IsDigits(code))
      throw bad(0, line, "gbt.province_code", {{"code", code}});
    if (row.at("name").empty()) throw bad(0, line, "gbt.no_name");
    out.push_back({code + "0000", row.at("name"), RegionLevel::kProvince, "", 0, line});
    provinces.insert(code + "0000");
  });
  ReadTable(files[1], {"code", "name", "provinceCode"}, [&](uint32_t line, const auto& row) {
    const std::string& code = row.at("code");
    std::string province = row.at("provinceCode") + "0000";
    if (code.size() != 4 || !IsDigits(code)) throw bad(1, line, "gbt.city_code", {{"code", code}});
    if (!provinces.count(province) || code.substr(0, 2) != province.substr(0, 2)) {
      throw bad(1, line, "gbt.no_city", {{"province", row.at("provinceCode")}, {"code", code}});
    }
    bool pseudo = kPseudoCities.count(row.at("name")) > 0;
    cities[code + "00"] = pseudo;
    if (!pseudo)
      out.push_back({code + "00", row.at("name"), RegionLevel::kCity, province, 1, line});
  });
  ReadTable(files[2], {"code", "name", "cityCode", "provinceCode"},
            [&](uint32_t line, const auto& row) {
              const std::string& code = row.at("code");
              std::string city = row.at("cityCode") + "00";
              if (code.size() != 6 || !IsDigits(code))
                throw bad(2, line, "gbt.county_code", {{"code", code}});
              auto c = cities.find(city);
              if (c == cities.end() || code.substr(0, 4) != city.substr(0, 4)) {
                throw bad(2, line, "gbt.no_county", {{"city", row.at("cityCode")}, {"code", code}});
              }
              if (code == city) return;  // a city without counties lists itself (东莞市 441900)
              std::string parent = c->second ? city.substr(0, 2) + "0000" : city;
              out.push_back({code, row.at("name"), RegionLevel::kCounty, parent, 2, line});
            });
  return RegionGazetteer(std::move(out), std::move(files));
}

RegionGazetteer::RegionGazetteer(std::vector<Division> divisions,
                                 std::vector<std::filesystem::path> files)
    : divisions_(std::move(divisions)), files_(std::move(files)) {
  Index();
}

void RegionGazetteer::Index() {
  parent_.assign(divisions_.size(), -1);
  for (size_t i = 0; i < divisions_.size(); ++i) {
    const Division& d = divisions_[i];
    if (!by_code_.emplace(d.code, i).second) {
      throw Error(ErrorCode::kInvalidData, Msg("gbt.code_twice", {{"code", d.code}}));
    }
    if (!d.parent.empty()) {
      auto p = by_code_.find(d.parent);
      if (p == by_code_.end()) {
        throw Error(ErrorCode::kInvalidData,
                    Msg("gbt.parent_later", {{"parent", d.parent}, {"code", d.code}}));
      }
      parent_[i] = static_cast<long>(p->second);
    }
    by_name_[d.name].push_back({i, true});
    longest_name_ = std::max(longest_name_, CharCount(d.name));
    std::string stem = DivisionStem(d.name);
    if (!stem.empty()) by_name_[stem].push_back({i, false});
  }
}

const Division* RegionGazetteer::Find(std::string_view code) const {
  auto it = by_code_.find(std::string(code));
  return it == by_code_.end() ? nullptr : &divisions_[it->second];
}

bool RegionGazetteer::IsBelow(size_t d, size_t ancestor) const {
  for (long p = parent_[d]; p >= 0; p = parent_[static_cast<size_t>(p)]) {
    if (static_cast<size_t>(p) == ancestor) return true;
  }
  return false;
}

std::vector<size_t> RegionGazetteer::Resolve(std::vector<NameEntry> entries) const {
  if (std::any_of(entries.begin(), entries.end(), [](const NameEntry& e) { return e.full; })) {
    std::erase_if(entries, [](const NameEntry& e) { return !e.full; });
  }
  std::vector<size_t> ds;
  for (const NameEntry& e : entries) ds.push_back(e.division);
  std::sort(ds.begin(), ds.end());
  ds.erase(std::unique(ds.begin(), ds.end()), ds.end());
  // A candidate below another candidate gives way to it: the name says no more than the ancestor.
  std::vector<size_t> kept;
  for (size_t d : ds) {
    bool below = std::any_of(ds.begin(), ds.end(),
                             [&](size_t o) { return o != d && IsBelow(d, o); });
    if (!below) kept.push_back(d);
  }
  if (kept.size() > 1) {
    std::vector<size_t> provinces;
    for (size_t d : kept) {
      if (divisions_[d].level == RegionLevel::kProvince) provinces.push_back(d);
    }
    if (provinces.size() == 1) kept = provinces;
  }
  return kept;
}

RegionGuess RegionGazetteer::Infer(std::string_view full_name) const {
  RegionGuess guess;
  const std::string name = Trim(full_name);
  const std::vector<size_t> at = CharOffsets(name);
  const size_t n = at.size() - 1;
  auto text = [&](size_t from, size_t chars) {
    return name.substr(at[from], at[from + chars] - at[from]);
  };
  auto codes = [&](const std::vector<size_t>& ds) {
    std::vector<std::string> out;
    for (size_t d : ds) out.push_back(divisions_[d].code);
    return out;
  };

  // 1. The start of the name, down the hierarchy.
  long current = -1;
  for (size_t pos = 0; pos < n;) {
    bool placed = false;
    for (size_t len = std::min(longest_name_, n - pos); len >= 2; --len) {
      auto it = by_name_.find(text(pos, len));
      if (it == by_name_.end()) continue;
      std::vector<NameEntry> admissible;
      for (const NameEntry& e : it->second) {
        const Division& d = divisions_[e.division];
        bool ok = current < 0 ? d.level != RegionLevel::kCounty || e.full || len >= 3
                              : IsBelow(e.division, static_cast<size_t>(current));
        if (ok) admissible.push_back(e);
      }
      if (admissible.empty()) continue;
      std::vector<size_t> winners = Resolve(std::move(admissible));
      if (winners.size() == 1) {
        current = static_cast<long>(winners[0]);
        guess.matched += text(pos, len);
        pos += len;
        placed = true;
      } else if (current < 0) {
        guess.ambiguous = true;
        guess.candidates = codes(winners);
      }
      break;  // the longest match decides, whether it placed or tied
    }
    if (!placed) break;
  }

  // 2. A place in brackets: 字号（行政区划）.
  if (current < 0) {
    static const std::array<std::pair<std::string_view, std::string_view>, 2> kBrackets = {
        std::pair{"（", "）"}, std::pair{"(", ")"}};
    struct Group {
      size_t begin, end;  // the bracketed text, brackets included
      std::string content;
    };
    std::vector<Group> groups;
    for (auto [open, close] : kBrackets) {
      for (size_t p = name.find(open); p != std::string::npos; p = name.find(open, p + 1)) {
        size_t b = p + open.size();
        size_t e = name.find(close, b);
        if (e != std::string::npos) groups.push_back({p, e + close.size(), name.substr(b, e - b)});
      }
    }
    std::sort(groups.begin(), groups.end(),
              [](const Group& a, const Group& b) { return a.begin < b.begin; });
    for (const Group& g : groups) {
      auto it = by_name_.find(Trim(g.content));
      if (it == by_name_.end()) continue;
      std::vector<size_t> winners = Resolve(it->second);
      if (winners.size() == 1) {
        current = static_cast<long>(winners[0]);
        guess.matched = name.substr(g.begin, g.end - g.begin);
        guess.ambiguous = false;
        guess.candidates.clear();
        break;
      }
      if (!guess.ambiguous) {
        guess.ambiguous = true;
        guess.candidates = codes(winners);
      }
    }
  }

  if (current >= 0) {
    const Division& d = divisions_[static_cast<size_t>(current)];
    guess.code = d.code;
    guess.level = d.level;
    guess.ambiguous = false;
    guess.candidates.clear();
  } else {
    guess.matched.clear();
  }
  return guess;
}

}  // namespace chainatlas::ingest
