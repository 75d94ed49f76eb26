// Reading ChainKnowledgeGraph into import records. Each file is read line by line; every rule
// below is stated, with its numbers on the real data, in docs/ckg-import.md. Three outcomes for a
// record: used; dropped or merged by a documented rule (a quirk, listed); or bad (no rule covers
// it: it rejects the import unless skip_bad_rows).
#include "ingest/ckg.h"

#include <unicode/uchar.h>
#include <unicode/utf8.h>

#include <algorithm>
#include <array>
#include <chrono>
#include <cmath>
#include <fstream>
#include <functional>
#include <limits>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>
#include <unordered_set>

#include "graph/error.h"
#include "ingest/ontology.h"
#include "ingest/region_infer.h"
#include "ingest/sqlite_db.h"
#include "ingest/text.h"

namespace chainatlas::ingest {
namespace {

using json = nlohmann::json;

enum CkgFile : uint16_t {
  kCompany,
  kIndustry,
  kIndustryIndustry,
  kIndustryUp,
  kCompanyIndustry,
  kProduct,
  kCompanyProduct,
  kProductProduct,
  kCkgFileCount
};
constexpr std::array<std::string_view, kCkgFileCount> kFileNames = {
    "company.json",          "industry.json", "industry_industry.json", "industry_up.json",
    "company_industry.json", "product.json",  "company_product.json",   "product_product.json"};

constexpr std::string_view kProductTrack = "ckg.product";
const std::set<std::string> kExchanges = {"上海证券交易所", "深圳证券交易所", "北京证券交易所"};

std::string Fixed(double v) {
  std::ostringstream s;
  s << v;
  return s.str();
}

// Without white space (ASCII, U+3000) and control characters (C0, DEL) at either end.
std::string TrimSpace(std::string_view s) {
  auto blank = [](char c) { return static_cast<unsigned char>(c) <= 0x20 || c == 0x7F; };
  auto space_at_front = [&]() -> size_t {
    if (s.empty()) return 0;
    if (blank(s.front())) return 1;
    if (s.substr(0, 3) == "\u3000") return 3;  // ideographic space
    return 0;
  };
  auto space_at_back = [&]() -> size_t {
    if (s.empty()) return 0;
    if (blank(s.back())) return 1;
    if (s.size() >= 3 && s.substr(s.size() - 3) == "\u3000") return 3;
    return 0;
  };
  for (size_t n; (n = space_at_front());) s.remove_prefix(n);
  for (size_t n; (n = space_at_back());) s.remove_suffix(n);
  return std::string(s);
}

uint64_t Fnv1a(uint64_t h, std::string_view bytes) {
  for (unsigned char c : bytes) {
    h ^= c;
    h *= 1099511628211ull;
  }
  return h;
}

// The whole file. Throws Error(kIo) when it cannot be read.
std::string ReadBytes(const std::filesystem::path& path) {
  std::error_code error;
  const auto status = std::filesystem::status(path, error);
  if (error && status.type() != std::filesystem::file_type::not_found) {
    throw Error(ErrorCode::kIo, Msg("io.cannot_read_detail",
                                    {{"path", path.string()}, {"detail", error.message()}}));
  }
  if (std::filesystem::exists(status) && !std::filesystem::is_regular_file(status)) {
    throw Error(ErrorCode::kIo, Msg("io.not_regular", {{"path", path.string()}}));
  }
  std::ifstream in(path, std::ios::binary | std::ios::ate);
  if (!in) throw Error(ErrorCode::kIo, Msg("io.cannot_read_bare", {{"path", path.string()}}));
  std::string text(static_cast<size_t>(in.tellg()), '\0');
  in.seekg(0);
  if (!in.read(text.data(), static_cast<std::streamsize>(text.size()))) {
    throw Error(ErrorCode::kIo, Msg("io.read_failed", {{"path", path.string()}}));
  }
  return text;
}

std::string Hex64(uint64_t h) {
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// A name quoted for a message, its control characters shown as \xNN.
std::string Quoted(std::string_view s) {
  std::string out = "'";
  for (char c : s) {
    unsigned char u = static_cast<unsigned char>(c);
    if (u < 0x20 || u == 0x7F) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", u);
      out += buf;
    } else {
      out += c;
    }
  }
  return out + "'";
}

// Why a product name is extraction noise rather than a name, or "" when it is a name.
// The reason is a message code (graph/messages.h).
std::string NoiseReason(std::string_view name) {
  if (name.empty()) return "noise.empty";
  bool letter = false;
  for (int32_t i = 0, n = static_cast<int32_t>(name.size()); i < n;) {
    UChar32 c;
    U8_NEXT(name.data(), i, n, c);
    if (c < 0) return "noise.utf8";
    if (c < 0x20 || c == 0x7F) return "noise.control";
    if (c == '\\') return "noise.backslash";
    if (u_isalpha(c)) letter = true;
  }
  if (!letter) return "noise.no_letter";
  return "";
}

// Segment key of a product: its name behind a prefix, or a hash where the name cannot be an id
// (longer than 128 bytes or holding ':').
std::string ProductKey(std::string_view name) {
  std::string key = "ckg.p." + std::string(name);
  if (key.size() <= 128 && name.find(':') == std::string_view::npos) return key;
  return "ckg.ph." + Hex64(Fnv1a(1469598103934665603ull, name));
}

std::string IndustryKey(std::string_view code) { return "sw." + std::string(code); }

int IndustryLevel(std::string_view code) {
  if (code.substr(2) == "0000") return 1;
  if (code.substr(4) == "00") return 2;
  return 3;
}

// Lines of a revenue breakdown that are bookkeeping, not products: balancing and adjustment items
// and inter-segment eliminations. With a share <= 0 they fall under weight_not_positive; these
// carry a positive share too (平衡项目 814 times, 调整项目 126).
bool IsAccountingLine(std::string_view name) {
  static const std::set<std::string_view> kLines = {"平衡项目",   "调整项目", "分部间抵销",
                                                    "分部间抵消", "内部抵销", "内部抵消",
                                                    "抵销",       "抵消",     "合并抵销"};
  return kLines.count(name) > 0;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// One row being checked: problems found make it bad.
class Row {
 public:
  Row(const json& value, std::vector<Message>& reasons) : value_(value), reasons_(reasons) {}
  bool ok() const { return reasons_.empty(); }
  void Fail(const char* code, MessageParams params = {}) {
    reasons_.push_back(Msg(code, std::move(params)));
  }

  // A string field; required ones must be present, strings, and not blank. Control characters
  // (C0, DEL; NUL included) make the row bad, except in product names, where the noise_product
  // and name_trimmed rules deal with them.
  std::string Text(const char* field, bool required = true, bool product_name = false) {
    auto it = value_.find(field);
    if (it == value_.end() || it->is_null()) {
      if (required) Fail("ckg_import.missing", {{"field", field}});
      return "";
    }
    if (!it->is_string()) {
      Fail("ckg_import.not_string", {{"field", field}, {"value", Abbreviated(it->dump(), 80)}});
      return "";
    }
    std::string v = it->get<std::string>();
    if (required && TrimSpace(v).empty()) Fail("ckg_import.empty", {{"field", field}});
    if (!product_name) {
      auto control = std::find_if(v.begin(), v.end(), [](char c) {
        return static_cast<unsigned char>(c) < 0x20 || c == 0x7F;
      });
      if (control != v.end()) {
        char code[8];
        std::snprintf(code, sizeof code, "\\x%02x", static_cast<unsigned char>(*control));
        Fail("ckg_import.control", {{"field", field}, {"char", code}});
      }
    }
    return v;
  }
  std::optional<double> Number(const char* field) {
    auto it = value_.find(field);
    if (it == value_.end() || it->is_null()) {
      Fail("ckg_import.missing", {{"field", field}});
      return std::nullopt;
    }
    if (!it->is_number()) {
      Fail("ckg_import.not_number", {{"field", field}, {"value", Abbreviated(it->dump(), 80)}});
      return std::nullopt;
    }
    return it->get<double>();
  }

 private:
  const json& value_;
  std::vector<Message>& reasons_;
};

struct CompanyRow {
  uint32_t line;
  std::string short_name, full_name, location, listed;
};

struct Industry {
  std::string name;
  uint32_t line = 0;
  int level = 3;
  std::string parent;  // code
  uint32_t parent_line = 0;
  bool ok = true;  // false: the row or its place in the tree is bad
};

struct Product {
  std::string name, key;
  const Product* parent = nullptr;
  uint32_t parent_line = 0;
  uint16_t file = kProduct;
  uint32_t line = 0;
};

class CkgReader {
 public:
  CkgReader(Store& store, const std::filesystem::path& dir, const CkgOptions& options,
            CkgReport& report)
      : store_(store), dir_(dir), options_(options), report_(report) {}

  Bundle Read(std::vector<Problem>& problems);

 private:
  std::string FileName(uint16_t file) const {
    return (bundle_.dir / bundle_.files[file].path).lexically_normal().string();
  }
  CkgFileStats& Stats(uint16_t file) { return *stats_[file]; }

  // Calls on_row(line, value) for every non-blank line holding a JSON object; malformed lines are
  // bad rows. Throws Error(kIo) when the file cannot be read.
  void ForEachRow(uint16_t file, const std::function<void(uint32_t, const json&)>& on_row);

  void Bad(uint16_t file, uint32_t line, Message reason) {
    problems_->push_back(MakeProblem(FileName(file), line, std::move(reason)));
  }
  // Ends a row's checks: its problems are reported and it counts as bad.
  bool Finish(uint16_t file, uint32_t line, std::vector<Message>& reasons, size_t records = 1) {
    if (reasons.empty()) return true;
    for (auto& r : reasons) Bad(file, line, r);
    Stats(file).bad += records;
    return false;
  }
  // A row that refers to a row rejected above: skipped with it under skip_bad_rows; otherwise
  // not reported again (the import is rejected anyway, for the row it depends on).
  void Dependent(uint16_t file, uint32_t line, Message reason, size_t records = 1) {
    Stats(file).bad += records;
    if (options_.skip_bad_rows) Bad(file, line, reason);
  }
  // The reason's template starts with the rule: "rule: what was done".
  void Quirk(const char* rule, uint16_t file, uint32_t line, Message reason, bool drops) {
    report_.quirk_counts[rule]++;
    report_.quirks.push_back(MakeProblem(FileName(file), line, std::move(reason)));
    if (drops) Stats(file).dropped++;
  }

  // A stock code without exchange suffix, or "" (with a problem on the row) when it is not one.
  std::string StockCode(uint16_t file, Row& row, const std::string& raw);

  void ReadCompanies();
  void ReadIndustries();
  void ReadIndustryTree();
  void ReadCompanyIndustries();
  void ReadIndustryUps();
  void ReadProducts();
  void ReadCompanyProducts();
  void ReadProductRelations();
  void AddRegions();
  void AddIndustries();
  void AddProducts();
  // The chain ontology over the product names and the industry tree (ingest/ontology.h): derived
  // supplies, sub-product links the names contradict dropped, positions from the roles.
  void ApplyOntology();

  // The code of the industry industry.json gives this name, or "".
  std::string IndustryByName(const std::string& name) const {
    auto it = industry_by_name_.find(name);
    return it == industry_by_name_.end() ? "" : it->second;
  }
  // A product name of a relation row, trimmed; nullopt when it is noise (the row is dropped, a
  // quirk recorded).
  std::optional<std::string> ProductName(uint16_t file, uint32_t line, const std::string& raw,
                                         const char* field);
  // The product of that name, added when product.json lacks it.
  Product* ProductNamed(uint16_t file, uint32_t line, const std::string& name, const char* field);
  // False (with the row dropped as a quirk, or bad as a dependent) when `code` names no company.
  bool KnownCompany(uint16_t file, uint32_t line, const std::string& code);
  void AddRelation(EdgeKind kind, NodeKind src_kind, std::string src, NodeKind dst_kind,
                   std::string dst, float weight, std::string attrs, uint16_t file, uint32_t line) {
    bundle_.relations.push_back({kind,
                                 {{src_kind}, std::move(src)},
                                 {{dst_kind}, std::move(dst)},
                                 weight,
                                 std::move(attrs),
                                 file,
                                 line});
  }

  Store& store_;
  std::filesystem::path dir_;
  const CkgOptions& options_;
  CkgReport& report_;
  Bundle bundle_;
  std::vector<Problem>* problems_ = nullptr;
  uint64_t fingerprint_ = 1469598103934665603ull;
  std::unique_ptr<RegionGazetteer> gazetteer_;

  std::unordered_set<std::string> companies_;           // codes imported
  std::unordered_set<std::string> rejected_companies_;  // codes of bad company rows
  std::map<std::string, Industry> industries_;          // by code
  std::unordered_map<std::string, std::string> industry_by_name_;
  std::map<std::string, std::set<std::string>> industry_aliases_;  // unknown name → codes
  std::vector<std::string> product_order_;                    // names, in order of first mention
  std::unordered_map<std::string, Product> products_;         // by name
  std::unordered_map<std::string, std::string> hashed_keys_;  // ckg.ph.* key → name
  // Relations seen, by "src\x1fdst" key: the line of the first (and the weight of a produces).
  std::unordered_map<std::string, uint32_t> supplies_;
  std::unordered_map<std::string, std::pair<uint32_t, double>> produces_;
  std::array<CkgFileStats*, kCkgFileCount> stats_{};
  std::set<std::pair<std::string, std::string>> members_;
  std::map<uint16_t, size_t> suffixes_;  // file → codes whose suffix was removed
  std::vector<EntityRecord> enterprises_;
  std::unordered_map<std::string, Position> positions_;  // product key → from its chain role
};

void CkgReader::ForEachRow(uint16_t file,
                           const std::function<void(uint32_t, const json&)>& on_row) {
  const std::filesystem::path path = dir_ / std::string(kFileNames[file]);
  const std::string text = ReadBytes(path);
  fingerprint_ = Fnv1a(fingerprint_, text);
  CkgFileStats& stats = Stats(file);
  std::string_view rest(text);
  if (rest.substr(0, 3) == "\xEF\xBB\xBF") rest.remove_prefix(3);
  uint32_t line = 0;
  const size_t total = text.size();
  while (!rest.empty()) {
    size_t end = rest.find('\n');
    std::string_view l = rest.substr(0, end);
    rest = end == std::string_view::npos ? std::string_view() : rest.substr(end + 1);
    ++line;
    if (l.find_first_not_of(" \t\r") == std::string_view::npos) continue;
    stats.rows++;
    if (options_.import.progress && stats.rows % 16384 == 0) {
      options_.import.progress("read " + std::string(kFileNames[file]), total - rest.size(), total);
    }
    json value;
    std::string error = JsonNestingProblem(l);
    const char* code = "ckg_import.json";
    if (error.empty()) {
      try {
        value = json::parse(l);
      } catch (const json::parse_error& e) {
        // "[json.exception.parse_error.101] parse error at line 1, column 5: ..." → "column 5: ..."
        std::string what = e.what();
        size_t at = what.find("column ");
        error = at == std::string::npos ? what : what.substr(at);
        code = "ckg_import.malformed_json";
      } catch (const json::exception& e) {
        // out_of_range.406: "number overflow parsing '1e309'"
        std::string what = e.what();
        size_t at = what.find("parsing '");
        error = at == std::string::npos ? what : Abbreviated(what.substr(at + 8), 80);
        code = at == std::string::npos ? "ckg_import.malformed_json" : "ckg_import.number_range";
      }
    }
    if (!error.empty()) {
      Bad(file, line, Msg(code, {{"detail", EscapeInvalidUtf8(error)}}));
      stats.records++;
      stats.bad++;
      continue;
    }
    if (!value.is_object()) {
      Bad(file, line, Msg("ckg_import.not_object", {{"type", std::string(value.type_name())}}));
      stats.records++;
      stats.bad++;
      continue;
    }
    on_row(line, value);
  }
  if (options_.import.progress)
    options_.import.progress("read " + std::string(kFileNames[file]), total, total);
  bundle_.files[file].rows = stats.rows;
  report_.rows_read[std::string(kFileNames[file])] = stats.rows;
}

std::string CkgReader::StockCode(uint16_t file, Row& row, const std::string& raw) {
  std::string code = TrimSpace(raw);
  if (code.empty()) return "";  // already reported as missing or empty
  size_t dot = code.find('.');
  if (dot != std::string::npos) {
    std::string suffix = code.substr(dot + 1);
    for (char& c : suffix) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    if (suffix != "SH" && suffix != "SZ" && suffix != "BJ") {
      row.Fail("ckg_import.suffix", {{"code", raw}, {"suffix", suffix}});
      return "";
    }
    code.resize(dot);
    report_.quirk_counts["code_suffix"]++;
    suffixes_[file]++;
  }
  if (code.size() != 6 || !IsDigits(code)) {
    row.Fail("ckg_import.stock_code", {{"code", raw}});
    return "";
  }
  return code;
}

bool CkgReader::KnownCompany(uint16_t file, uint32_t line, const std::string& code) {
  if (companies_.count(code)) return true;
  if (rejected_companies_.count(code)) {
    Dependent(file, line, Msg("ckg_import.bad_company", {{"code", code}}));
  } else {
    Quirk("unknown_company", file, line, Msg("quirk.unknown_company", {{"code", code}}), true);
  }
  return false;
}

std::optional<std::string> CkgReader::ProductName(uint16_t file, uint32_t line,
                                                  const std::string& raw, const char* field) {
  std::string name = TrimSpace(raw);
  if (name != raw) {
    Quirk("name_trimmed", file, line,
          Msg("quirk.name_trimmed", {{"field", field}, {"name", Quoted(raw)}}), false);
  }
  if (products_.count(name)) return name;
  if (std::string why = NoiseReason(name); !why.empty()) {
    Quirk("noise_product", file, line,
          Msg("quirk.noise_field", {{"field", field}, {"name", Quoted(name)}, {"why", why}}), true);
    return std::nullopt;
  }
  return name;
}

Product* CkgReader::ProductNamed(uint16_t file, uint32_t line, const std::string& name,
                                 const char* field) {
  if (auto it = products_.find(name); it != products_.end()) return &it->second;
  std::string key = ProductKey(name);
  if (key.rfind("ckg.ph.", 0) == 0 && !hashed_keys_.emplace(key, name).second) {
    Quirk("noise_product", file, line,
          Msg("quirk.noise_hash", {{"field", field}, {"name", name}, {"other", hashed_keys_[key]}}),
          true);
    return nullptr;
  }
  Quirk("product_not_listed", file, line,
        Msg("quirk.product_not_listed", {{"field", field}, {"name", name}}), false);
  Product& p = products_[name];
  p = {name, std::move(key), nullptr, 0, file, line};
  product_order_.push_back(name);
  return &p;
}

void CkgReader::ReadCompanies() {
  struct Group {
    std::vector<CompanyRow> rows;
  };
  std::vector<std::string> order;
  std::unordered_map<std::string, Group> by_code;
  ForEachRow(kCompany, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kCompany).records++;
    std::string code = StockCode(kCompany, row, row.Text("code"));
    CompanyRow c{line, TrimSpace(row.Text("name", false)), TrimSpace(row.Text("fullname")),
                 TrimSpace(row.Text("location", false)), TrimSpace(row.Text("time", false))};
    if (!Finish(kCompany, line, reasons)) {
      if (!code.empty()) rejected_companies_.insert(code);
      return;
    }
    auto [it, fresh] = by_code.try_emplace(code);
    if (fresh) order.push_back(code);
    it->second.rows.push_back(std::move(c));
  });

  static const std::set<std::string> kMunicipalities = {"110000", "120000", "310000", "500000"};
  RegionCoverage& cov = report_.coverage;
  for (const std::string& code : order) {
    const std::vector<CompanyRow>& rows = by_code[code].rows;
    const CompanyRow& first = rows[0];
    std::set<std::string> full_names;
    for (const CompanyRow& r : rows) full_names.insert(r.full_name);
    // Duplicate codes: the first row wins. Two full names are usually a rename (the dataset keeps
    // the old and the new); three or more mean the rows are corrupt.
    for (size_t i = 1; i < rows.size(); ++i) {
      const CompanyRow& r = rows[i];
      const std::string at = std::to_string(first.line);
      Quirk("duplicate_code", kCompany, r.line,
            r.full_name == first.full_name
                ? Msg("quirk.duplicate_code_same", {{"code", code}, {"first", at}})
                : Msg("quirk.duplicate_code_differs", {{"code", code},
                                                       {"name", r.full_name},
                                                       {"first_name", first.full_name},
                                                       {"first", at}}),
            true);
    }
    const bool untrusted = full_names.size() >= 3 && !first.short_name.empty();
    if (untrusted) {
      Quirk("untrusted_full_name", kCompany, first.line,
            Msg("quirk.untrusted_full_name", {{"code", code},
                                              {"count", std::to_string(full_names.size())},
                                              {"short", first.short_name}}),
            false);
    }
    if (!first.location.empty() && !kExchanges.count(first.location)) {
      Quirk("location_not_exchange", kCompany, first.line,
            Msg("quirk.location_not_exchange", {{"location", first.location}}), false);
    }

    EntityRecord e;
    e.kind = NodeKind::kEnterprise;
    e.key = code;
    e.name = untrusted ? first.short_name : first.full_name;
    e.file = kCompany;
    e.line = first.line;
    std::string note;
    if (!first.short_name.empty()) note = "short name " + first.short_name;
    if (!first.location.empty() && kExchanges.count(first.location)) {
      note += (note.empty() ? "" : "; ") + first.location;
    }
    if (!first.listed.empty())
      note += (note.empty() ? "" : "; ") + std::string("listed ") + first.listed;
    if (untrusted)
      note += "; company.json gives it " + std::to_string(full_names.size()) +
              " conflicting full names";
    e.note = note;
    EnterpriseAttributes a;
    if (first.short_name.rfind("退市", 0) != 0)
      a.tags |= 1u << static_cast<int>(EnterpriseTag::kListed);
    e.details = std::move(a);

    cov.companies++;
    RegionGuess guess;
    if (gazetteer_ && !untrusted) guess = gazetteer_->Infer(first.full_name);
    if (guess.code.empty()) {
      cov.unknown++;
      if (guess.ambiguous) {
        cov.ambiguous++;
        std::string list;
        for (const auto& c : guess.candidates) {
          const Division* d = gazetteer_->Find(c);
          list += (list.empty() ? "" : ", ") + c + " " + (d ? d->name : "");
        }
        Quirk("region_ambiguous", kCompany, first.line,
              Msg("quirk.region_ambiguous", {{"name", first.full_name},
                                             {"count", std::to_string(guess.candidates.size())},
                                             {"list", list}}),
              false);
      }
    } else {
      e.region = guess.code;
      switch (guess.level) {
        case RegionLevel::kProvince:
          cov.province++;
          if (kMunicipalities.count(guess.code)) cov.municipality++;
          break;
        case RegionLevel::kCity: cov.city++; break;
        default: cov.county++; break;
      }
      if (!guess.matched.empty() &&
          (guess.matched[0] == '(' || guess.matched.rfind("（", 0) == 0)) {
        cov.by_bracket++;
      }
    }
    companies_.insert(code);
    Stats(kCompany).used++;
    enterprises_.push_back(std::move(e));
  }
}

void CkgReader::ReadIndustries() {
  ForEachRow(kIndustry, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kIndustry).records++;
    std::string code = TrimSpace(row.Text("code"));
    std::string name = TrimSpace(row.Text("name"));
    bool fresh_code = false;
    if (!code.empty()) {
      if (code.size() != 6 || !IsDigits(code)) {
        row.Fail("ckg_import.industry_code", {{"code", code}});
      } else if (auto it = industries_.find(code); it != industries_.end()) {
        row.Fail("ckg_import.duplicate_industry",
                 {{"code", code}, {"first", std::to_string(it->second.line)}});
      } else {
        fresh_code = true;
      }
    }
    if (!name.empty()) {
      if (auto it = industry_by_name_.find(name); it != industry_by_name_.end()) {
        row.Fail("ckg_import.industry_name_taken", {{"name", name}, {"code", it->second}});
      }
    }
    const bool ok = Finish(kIndustry, line, reasons);
    if (fresh_code) {
      Industry& ind = industries_[code];
      ind.name = name;
      ind.line = line;
      ind.level = IndustryLevel(code);
      ind.ok = ok;  // a bad row is kept (not ok) so references to it are not reported again
    }
    if (ok) industry_by_name_[name] = code;
  });
}

void CkgReader::ReadIndustryTree() {
  ForEachRow(kIndustryIndustry, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kIndustryIndustry).records++;
    std::string from = TrimSpace(row.Text("from_code")), to = TrimSpace(row.Text("to_code"));
    std::string from_name = TrimSpace(row.Text("from_industry", false));
    std::string to_name = TrimSpace(row.Text("to_industry", false));
    std::string rel = row.Text("rel");
    if (!rel.empty() && rel != "上级行业")
      row.Fail("ckg_import.rel", {{"rel", rel}, {"want", "上级行业"}});
    auto find = [&](const std::string& code, const std::string& name,
                    const char* field) -> Industry* {
      if (code.empty()) return nullptr;
      auto it = industries_.find(code);
      if (it == industries_.end()) {
        row.Fail("ckg_import.unknown_industry_code", {{"code", code}});
        return nullptr;
      }
      if (!name.empty() && name != it->second.name) {
        row.Fail("ckg_import.industry_name_mismatch",
                 {{"field", field}, {"name", name}, {"code", code}, {"actual", it->second.name}});
      }
      return &it->second;
    };
    Industry* child = find(from, from_name, "from_industry");
    Industry* parent = find(to, to_name, "to_industry");
    if (child && parent && parent->level != child->level - 1) {
      row.Fail("ckg_import.industry_levels", {{"from", from},
                                              {"from_level", std::to_string(child->level)},
                                              {"to", to},
                                              {"to_level", std::to_string(parent->level)}});
    }
    if (child && row.ok() && !child->parent.empty()) {
      if (child->parent == to) {
        Quirk("duplicate_relation", kIndustryIndustry, line,
              Msg("quirk.duplicate_parent",
                  {{"to", to}, {"from", from}, {"first", std::to_string(child->parent_line)}}),
              true);
        return;
      }
      row.Fail("ckg_import.second_parent", {{"from", from},
                                            {"parent", child->parent},
                                            {"first", std::to_string(child->parent_line)}});
    }
    if (!Finish(kIndustryIndustry, line, reasons)) return;
    child->parent = to;
    child->parent_line = line;
    Stats(kIndustryIndustry).used++;
  });
  // Industries below level 1 that the tree file leaves without a parent: the code says where.
  for (auto& [code, ind] : industries_) {
    if (!ind.ok || ind.level == 1 || !ind.parent.empty()) continue;
    std::string up = ind.level == 2 ? code.substr(0, 2) + "0000" : code.substr(0, 4) + "00";
    if (industries_.count(up)) {
      ind.parent = up;
      Quirk("parent_from_code", kIndustry, ind.line,
            Msg("quirk.parent_from_code", {{"code", code}, {"up", up}}), false);
    } else {
      Bad(kIndustry, ind.line,
          Msg("ckg_import.no_parent", {{"code", code}, {"level", std::to_string(ind.level)}}));
      Stats(kIndustry).bad++;
      ind.ok = false;
    }
  }
}

void CkgReader::ReadCompanyIndustries() {
  ForEachRow(kCompanyIndustry, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kCompanyIndustry).records++;
    std::string code = StockCode(kCompanyIndustry, row, row.Text("company_code"));
    std::string icode = TrimSpace(row.Text("industry_code", false));
    std::string iname = TrimSpace(row.Text("industry_name", false));
    std::string rel = row.Text("rel");
    if (!rel.empty() && rel != "所属行业")
      row.Fail("ckg_import.rel", {{"rel", rel}, {"want", "所属行业"}});
    // This file follows an older Shenwan numbering in places (610102 is 水泥制造 here, 水泥制品 in
    // industry.json), while names agree across versions: the name decides, the code is a fallback.
    std::string resolved = IndustryByName(iname);
    const char* rule = nullptr;
    Message why;
    if (!resolved.empty()) {
      if (icode != resolved) {
        rule = "industry_by_name";
        auto it = industries_.find(icode);
        why = it == industries_.end()
                  ? Msg("quirk.industry_by_name_unknown",
                        {{"icode", icode}, {"iname", iname}, {"resolved", resolved}})
                  : Msg("quirk.industry_by_name", {{"icode", icode},
                                                   {"actual", it->second.name},
                                                   {"iname", iname},
                                                   {"resolved", resolved}});
      }
    } else if (auto it = industries_.find(icode); it != industries_.end()) {
      resolved = icode;
      if (!iname.empty()) {
        rule = "industry_by_code";
        why = Msg("quirk.industry_by_code",
                  {{"iname", iname}, {"icode", icode}, {"actual", it->second.name}});
      }
    } else if (icode.empty() && iname.empty()) {
      row.Fail("ckg_import.industry_missing");
    } else {
      row.Fail("ckg_import.unknown_industry", {{"code", icode}, {"name", iname}});
    }
    if (!resolved.empty() && industries_[resolved].level == 1) {
      row.Fail("ckg_import.level1", {{"code", resolved}});
    }
    if (!Finish(kCompanyIndustry, line, reasons)) return;
    if (rule && std::string(rule) == "industry_by_code") industry_aliases_[iname].insert(resolved);
    if (!KnownCompany(kCompanyIndustry, line, code)) return;
    if (!industries_[resolved].ok) {
      Dependent(kCompanyIndustry, line, Msg("ckg_import.bad_industry", {{"code", resolved}}));
      return;
    }
    if (rule) Quirk(rule, kCompanyIndustry, line, why, false);
    if (!members_.insert({code, resolved}).second) {
      Quirk("duplicate_relation", kCompanyIndustry, line,
            Msg("quirk.duplicate_membership", {{"code", code}, {"industry", resolved}}), true);
      return;
    }
    AddRelation(EdgeKind::kMemberOf, NodeKind::kEnterprise, code, NodeKind::kSegment,
                IndustryKey(resolved), 1.0f, "", kCompanyIndustry, line);
    Stats(kCompanyIndustry).used++;
  });
}

void CkgReader::ReadIndustryUps() {
  // An industry name this file uses but industry.json lacks resolves through company_industry.json
  // when that file pairs the name with exactly one known code (其他能源设备Ⅲ → 630306).
  auto resolve = [&](const std::string& name, std::string& via_alias) -> std::string {
    if (std::string code = IndustryByName(name); !code.empty()) return code;
    auto it = industry_aliases_.find(name);
    if (it != industry_aliases_.end() && it->second.size() == 1) {
      via_alias = *it->second.begin();
      return via_alias;
    }
    return "";
  };
  ForEachRow(kIndustryUp, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    CkgFileStats& stats = Stats(kIndustryUp);
    std::string name = TrimSpace(row.Text("industry"));
    auto ups = v.find("ups");
    const bool ups_ok = ups != v.end() && ups->is_object();
    if (!ups_ok) row.Fail("ckg_import.ups");
    const size_t entries = ups_ok ? ups->size() : 1;
    stats.records += entries;
    std::string alias, target;
    if (!name.empty()) {
      target = resolve(name, alias);
      if (target.empty()) {
        row.Fail("ckg_import.unknown_industry_name", {{"name", name}});
      } else if (industries_[target].level == 1) {
        row.Fail("ckg_import.level1", {{"code", target}});
      }
    }
    if (!Finish(kIndustryUp, line, reasons, entries)) return;
    if (!industries_[target].ok) {
      Dependent(kIndustryUp, line, Msg("ckg_import.bad_industry", {{"code", target}}), entries);
      return;
    }
    if (!alias.empty()) {
      Quirk("industry_alias", kIndustryUp, line,
            Msg("quirk.industry_alias",
                {{"name", name}, {"code", target}, {"actual", industries_[target].name}}),
            false);
    }
    struct Up {
      std::string code, name;
      double weight;
    };
    std::vector<Up> valid;
    double max_weight = 0;
    for (const auto& [raw_up, w] : ups->items()) {
      std::string up_name = TrimSpace(raw_up), up_alias;
      if (!w.is_number() || !std::isfinite(w.get<double>()) ||
          w.get<double>() < std::numeric_limits<float>::min()) {
        Bad(kIndustryUp, line,
            Msg("ckg_import.up_weight", {{"name", up_name},
                                         {"weight", Abbreviated(w.dump(), 80)},
                                         {"least", Fixed(std::numeric_limits<float>::min())}}));
        stats.bad++;
        continue;
      }
      std::string up = resolve(up_name, up_alias);
      if (up.empty()) {
        Bad(kIndustryUp, line, Msg("ckg_import.unknown_up", {{"name", up_name}}));
        stats.bad++;
        continue;
      }
      if (industries_[up].level == 1) {
        Bad(kIndustryUp, line, Msg("ckg_import.up_level1", {{"code", up}}));
        stats.bad++;
        continue;
      }
      if (!industries_[up].ok) {
        Dependent(kIndustryUp, line, Msg("ckg_import.bad_industry", {{"code", up}}));
        continue;
      }
      if (!up_alias.empty()) {
        Quirk("industry_alias", kIndustryUp, line,
              Msg("quirk.industry_alias_up",
                  {{"name", up_name}, {"code", up}, {"actual", industries_[up].name}}),
              false);
      }
      valid.push_back({up, up_name, w.get<double>()});
      max_weight = std::max(max_weight, w.get<double>());
    }
    for (const Up& u : valid) {
      if (u.weight / max_weight < std::numeric_limits<float>::min()) {
        Bad(kIndustryUp, line,
            Msg("ckg_import.up_weight_small",
                {{"name", u.name}, {"weight", Fixed(u.weight)}, {"max", Fixed(max_weight)}}));
        stats.bad++;
        continue;
      }
      if (u.code == target) {
        Quirk("self_loop", kIndustryUp, line, Msg("quirk.self_loop_industry", {{"code", target}}),
              true);
        continue;
      }
      auto [it, fresh] = supplies_.try_emplace(IndustryKey(u.code) + '\x1f' + IndustryKey(target),
                                               line);
      if (!fresh) {
        Quirk("duplicate_relation", kIndustryUp, line,
              Msg("quirk.duplicate_up",
                  {{"up", u.code}, {"code", target}, {"first", std::to_string(it->second)}}),
              true);
        continue;
      }
      // Weights are counts (1..9): scaled by the largest of the industry's upstreams, so the
      // strongest input weighs 1; the count is kept as an edge attribute.
      // industry_up is mostly noise (锂电池 ← 果蔬加工): weak industry-level evidence.
      AddRelation(EdgeKind::kSupplies, NodeKind::kSegment, IndustryKey(u.code), NodeKind::kSegment,
                  IndustryKey(target),
                  static_cast<float>(kIndustryTableReliability * u.weight / max_weight),
                  json{{"ckg_weight", u.weight}}.dump(), kIndustryUp, line);
      bundle_.relations.back().evidence = EvidenceByte(EvidenceKind::kIndustry,
                                                       SupplyRule::kIndustryTable);
      stats.used++;
    }
  });
}

void CkgReader::ReadProducts() {
  ForEachRow(kProduct, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kProduct).records++;
    std::string raw = row.Text("name", false, true);
    if (!v.contains("name")) row.Fail("ckg_import.missing", {{"field", "name"}});
    if (!Finish(kProduct, line, reasons)) return;
    std::string name = TrimSpace(raw);
    if (name != raw) {
      Quirk("name_trimmed", kProduct, line,
            Msg("quirk.name_trimmed", {{"field", "name"}, {"name", Quoted(raw)}}), false);
    }
    if (std::string why = NoiseReason(name); !why.empty()) {
      Quirk("noise_product", kProduct, line,
            Msg("quirk.noise_name", {{"name", Quoted(name)}, {"why", why}}), true);
      return;
    }
    if (auto it = products_.find(name); it != products_.end()) {
      Quirk("duplicate_product", kProduct, line,
            Msg("quirk.duplicate_product",
                {{"name", name}, {"first", std::to_string(it->second.line)}}),
            true);
      return;
    }
    std::string key = ProductKey(name);
    if (key.rfind("ckg.ph.", 0) == 0 && !hashed_keys_.emplace(key, name).second) {
      Bad(kProduct, line,
          Msg("ckg_import.product_key",
              {{"name", name}, {"other", hashed_keys_[key]}, {"key", key}}));
      Stats(kProduct).bad++;
      return;
    }
    products_[name] = {name, std::move(key), nullptr, 0, kProduct, line};
    product_order_.push_back(name);
    Stats(kProduct).used++;
  });
}

void CkgReader::ReadCompanyProducts() {
  ForEachRow(kCompanyProduct, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kCompanyProduct).records++;
    std::string code = StockCode(kCompanyProduct, row, row.Text("company_code"));
    std::string product_name = row.Text("product_name", true, true);
    std::string rel = row.Text("rel");
    if (!rel.empty() && rel != "主营产品")
      row.Fail("ckg_import.rel", {{"rel", rel}, {"want", "主营产品"}});
    std::optional<double> weight = row.Number("rel_weight");
    if (weight && *weight > 0 && *weight < std::numeric_limits<float>::min()) {
      row.Fail("ckg_import.weight_tiny",
               {{"weight", Fixed(*weight)}, {"least", Fixed(std::numeric_limits<float>::min())}});
    }
    if (!Finish(kCompanyProduct, line, reasons)) return;
    if (!KnownCompany(kCompanyProduct, line, code)) return;
    const double w = *weight;
    if (w <= 0) {
      Quirk("weight_not_positive", kCompanyProduct, line,
            Msg("quirk.weight_not_positive",
                {{"weight", Fixed(w)}, {"name", TrimSpace(product_name)}}),
            true);
      return;
    }
    if (IsAccountingLine(TrimSpace(product_name))) {
      Quirk("accounting_line", kCompanyProduct, line,
            Msg("quirk.accounting_line", {{"name", TrimSpace(product_name)}, {"weight", Fixed(w)}}),
            true);
      return;
    }
    std::optional<std::string> name = ProductName(kCompanyProduct, line, product_name,
                                                  "product_name");
    if (!name) return;
    const Product* p = ProductNamed(kCompanyProduct, line, *name, "product_name");
    if (!p) return;
    auto [it, fresh] = produces_.try_emplace(code + '\x1f' + p->key, std::pair{line, w});
    if (!fresh) {
      Quirk(
          "duplicate_relation", kCompanyProduct, line,
          it->second.second == w
              ? Msg("quirk.duplicate_produces_same", {{"code", code},
                                                      {"name", p->name},
                                                      {"first", std::to_string(it->second.first)}})
              : Msg("quirk.duplicate_produces", {{"code", code},
                                                 {"name", p->name},
                                                 {"first", std::to_string(it->second.first)},
                                                 {"weight", Fixed(it->second.second)}}),
          true);
      return;
    }
    std::string attrs;
    if (w > 1) {
      Quirk("weight_clamped", kCompanyProduct, line,
            Msg("quirk.weight_clamped", {{"weight", Fixed(w)}, {"name", p->name}}), false);
      attrs = json{{"rel_weight", w}}.dump();
    }
    AddRelation(EdgeKind::kProduces, NodeKind::kEnterprise, code, NodeKind::kSegment, p->key,
                static_cast<float>(std::min(w, 1.0)), attrs, kCompanyProduct, line);
    Stats(kCompanyProduct).used++;
  });
}

void CkgReader::ReadProductRelations() {
  ForEachRow(kProductProduct, [&](uint32_t line, const json& v) {
    std::vector<Message> reasons;
    Row row(v, reasons);
    Stats(kProductProduct).records++;
    std::string from = row.Text("from_entity", true, true), to = row.Text("to_entity", true, true),
                rel = row.Text("rel");
    const bool material = rel == "上游材料", sub = rel == "产品小类",
               downstream = rel == "下游产品";
    if (!rel.empty() && !material && !sub && !downstream) {
      row.Fail("ckg_import.rel_product", {{"rel", rel}});
    }
    if (!Finish(kProductProduct, line, reasons)) return;
    std::optional<std::string> from_name = ProductName(kProductProduct, line, from, "from_entity");
    if (!from_name) return;
    std::optional<std::string> to_name = ProductName(kProductProduct, line, to, "to_entity");
    if (!to_name) return;
    Product* a = ProductNamed(kProductProduct, line, *from_name, "from_entity");
    if (!a) return;
    Product* b = ProductNamed(kProductProduct, line, *to_name, "to_entity");
    if (!b) return;
    if (a == b) {
      Quirk("self_loop", kProductProduct, line,
            Msg("quirk.self_loop_product", {{"name", a->name}, {"rel", rel}}), true);
      return;
    }
    if (sub) {
      // to_entity is a sub-product of from_entity. The segment tree needs one parent: the first
      // row in file order wins, later ones are dropped, and none may close a cycle.
      Product& child = *b;
      if (child.parent) {
        Quirk(child.parent == a ? "duplicate_relation" : "second_parent", kProductProduct, line,
              child.parent == a
                  ? Msg("quirk.duplicate_sub", {{"name", b->name},
                                                {"parent", a->name},
                                                {"first", std::to_string(child.parent_line)}})
                  : Msg("quirk.second_parent", {{"name", b->name},
                                                {"parent", child.parent->name},
                                                {"first", std::to_string(child.parent_line)},
                                                {"dropped", a->name}}),
              true);
        return;
      }
      for (const Product* up = a; up; up = up->parent) {
        if (up == b) {
          Quirk("parent_cycle", kProductProduct, line,
                Msg("quirk.parent_cycle", {{"name", b->name}, {"parent", a->name}}), true);
          return;
        }
      }
      child.parent = a;
      child.parent_line = line;
      Stats(kProductProduct).used++;
      return;
    }
    // 上游材料: to_entity is an input of from_entity; 下游产品: to_entity is made from from_entity.
    const Product* src = material ? b : a;
    const Product* dst = material ? a : b;
    auto [it, fresh] = supplies_.try_emplace(src->key + '\x1f' + dst->key, line);
    if (!fresh) {
      Quirk("duplicate_relation", kProductProduct, line,
            Msg("quirk.duplicate_supplies",
                {{"src", src->name}, {"dst", dst->name}, {"first", std::to_string(it->second)}}),
            true);
      return;
    }
    AddRelation(EdgeKind::kSupplies, NodeKind::kSegment, src->key, NodeKind::kSegment, dst->key,
                1.0f, "", kProductProduct, line);
    bundle_.relations.back().evidence = EvidenceByte(EvidenceKind::kProduct);
    Stats(kProductProduct).used++;
  });
}

void CkgReader::AddRegions() {
  if (!gazetteer_) return;
  // Regions are shared vocabulary: those the database already holds unchanged (from the default
  // dataset, say) are left alone, so they keep their source and provenance.
  std::unordered_map<std::string, std::array<std::string, 3>>
      existing;  // code → name, level, parent
  Statement s(
      store_.db().handle(),
      "SELECT n.key, n.name, r.level, r.parent FROM nodes n JOIN regions r ON r.node_id = n.id");
  while (s.Step()) {
    existing[std::string(s.Text(0))] = {std::string(s.Text(1)), std::string(s.Text(2)),
                                        std::string(s.Text(3))};
  }
  for (const Division& d : gazetteer_->divisions()) {
    const uint16_t file = static_cast<uint16_t>(kCkgFileCount + d.file);
    if (auto it = existing.find(d.code); it != existing.end()) {
      const auto& [name, level, parent] = it->second;
      if (name == d.name && level == RegionLevelName(d.level) && parent == d.parent) {
        report_.regions_kept++;
        continue;
      }
      Quirk("region_differs", file, d.line,
            Msg("quirk.region_differs", {{"code", d.code},
                                         {"name", name},
                                         {"level", level},
                                         {"parent", parent},
                                         {"new_name", d.name},
                                         {"new_level", std::string(RegionLevelName(d.level))},
                                         {"new_parent", d.parent}}),
            false);
    }
    EntityRecord e;
    e.kind = NodeKind::kRegion;
    e.key = d.code;
    e.name = d.name;
    e.file = file;
    e.line = d.line;
    e.details = RegionRecord{d.level, d.parent};
    bundle_.entities.push_back(std::move(e));
    report_.regions++;
  }
}

void CkgReader::AddIndustries() {
  // Shenwan level 1 → tracks; levels 2 and 3 → segments, level 2 directly under its track.
  for (int level = 1; level <= 3; ++level) {
    for (auto& [code, ind] : industries_) {
      if (ind.level != level || !ind.ok) continue;
      EntityRecord e;
      e.key = IndustryKey(code);
      e.name = ind.name;
      e.file = kIndustry;
      e.line = ind.line;
      e.note = "申万 2021 level " + std::to_string(level) + " industry " + code;
      if (level == 1) {
        e.kind = NodeKind::kTrack;
        e.details = TrackRecord{};
      } else {
        const Industry& parent = industries_[ind.parent];
        if (!parent.ok) {
          ind.ok = false;
          Dependent(kIndustry, ind.line,
                    Msg("ckg_import.bad_parent", {{"code", code}, {"parent", ind.parent}}));
          continue;
        }
        std::string track = level == 2 ? ind.parent : parent.parent;
        e.kind = NodeKind::kSegment;
        e.details = SegmentRecord{IndustryKey(track), level == 2 ? "" : IndustryKey(ind.parent),
                                  Position::kMidstream, ""};
      }
      bundle_.entities.push_back(std::move(e));
      Stats(kIndustry).used++;
    }
  }
}

void CkgReader::AddProducts() {
  EntityRecord track;
  track.kind = NodeKind::kTrack;
  track.key = std::string(kProductTrack);
  track.name = "CKG 产品";
  track.file = kProduct;
  track.line = 0;
  track.note = "ChainKnowledgeGraph products (product.json), under one track";
  track.details = TrackRecord{"ChainKnowledgeGraph products"};
  bundle_.entities.push_back(std::move(track));
  for (const std::string& name : product_order_) {
    const Product& p = products_[name];
    EntityRecord e;
    e.kind = NodeKind::kSegment;
    e.key = p.key;
    e.name = p.name;
    e.file = p.file;
    e.line = p.line;
    auto pos = positions_.find(p.key);
    e.details = SegmentRecord{std::string(kProductTrack), p.parent ? p.parent->key : "",
                              pos == positions_.end() ? Position::kMidstream : pos->second, ""};
    bundle_.entities.push_back(std::move(e));
  }
}

void CkgReader::ApplyOntology() {
  std::vector<OntologyProduct> products;
  std::unordered_map<std::string, int> product_index;  // by key
  products.reserve(product_order_.size());
  for (const std::string& name : product_order_) {
    const Product& p = products_[name];
    product_index.emplace(p.key, static_cast<int>(products.size()));
    OntologyProduct& op = products.emplace_back();
    op.key = p.key;
    op.name = p.name;
  }
  for (OntologyProduct& op : products) {
    const Product& p = products_[op.name];
    if (p.parent) op.parent = product_index.at(p.parent->key);
  }
  std::vector<OntologyIndustry> industries;
  std::unordered_map<std::string, int> industry_index;  // by segment key
  for (const auto& [code, ind] : industries_) {
    if (!ind.ok) continue;
    industry_index.emplace(IndustryKey(code), static_cast<int>(industries.size()));
    industries.push_back({IndustryKey(code), ind.name, -1});
  }
  for (const auto& [code, ind] : industries_) {
    if (!ind.ok || ind.parent.empty()) continue;
    auto parent = industry_index.find(IndustryKey(ind.parent));
    if (parent != industry_index.end())
      industries[industry_index[IndustryKey(code)]].parent = parent->second;
  }
  std::vector<std::pair<int, int>> given, given_industry;
  std::unordered_map<std::string, std::vector<int>>
      member_industries;  // enterprise key → industries
  for (const RelationRecord& rel : bundle_.relations) {
    if (rel.kind != EdgeKind::kMemberOf) continue;
    auto it = industry_index.find(rel.dst.key);
    if (it != industry_index.end()) member_industries[rel.src.key].push_back(it->second);
  }
  for (const RelationRecord& rel : bundle_.relations) {
    if (rel.kind == EdgeKind::kProduces) {
      auto it = product_index.find(rel.dst.key);
      if (it == product_index.end()) continue;
      OntologyProduct& op = products[it->second];
      op.produced = true;
      op.makers++;
      auto m = member_industries.find(rel.src.key);
      if (m != member_industries.end()) {
        op.maker_industries.insert(op.maker_industries.end(), m->second.begin(), m->second.end());
      }
    } else if (rel.kind == EdgeKind::kSupplies) {
      auto a = product_index.find(rel.src.key), b = product_index.find(rel.dst.key);
      if (a != product_index.end() && b != product_index.end()) {
        given.push_back({a->second, b->second});
        continue;
      }
      auto ia = industry_index.find(rel.src.key), ib = industry_index.find(rel.dst.key);
      if (ia != industry_index.end() && ib != industry_index.end()) {
        given_industry.push_back({ia->second, ib->second});
      }
    }
  }
  OntologyResult o = BuildOntology(products, given, industries, given_industry);

  for (int c : o.detached) products_[products[c].name].parent = nullptr;
  size_t name_parents = 0;
  for (auto [c, parent] : o.name_parents) {
    const Product* up = &products_[products[parent].name];
    Product& child = products_[products[c].name];
    bool cycle = false;
    for (const Product* a = up; a && !cycle; a = a->parent) cycle = a == &child;
    if (cycle) continue;
    child.parent = up;
    name_parents++;
  }
  for (size_t i = 0; i < products.size(); ++i) {
    ChainRole role = o.names[i].role;
    positions_[products[i].key] = role == ChainRole::kMaterial || role == ChainRole::kComponent ||
                                          role == ChainRole::kEquipment
                                      ? Position::kUpstream
                                  : role == ChainRole::kService ? Position::kDownstream
                                                                : Position::kMidstream;
  }
  for (const DerivedSupply& d : o.supplies) {
    const bool src_industry = d.industry && !d.src_is_product;
    const std::string& src = src_industry ? industries[d.src].key : products[d.src].key;
    const std::string& dst = d.industry ? industries[d.dst].key : products[d.dst].key;
    uint16_t file = src_industry ? uint16_t{kIndustry} : products_[products[d.src].name].file;
    uint32_t line = src_industry ? industries_[src.substr(3)].line
                                 : products_[products[d.src].name].line;
    AddRelation(EdgeKind::kSupplies, NodeKind::kSegment, src, NodeKind::kSegment, dst, d.weight, "",
                file, line);
    bundle_.relations.back().evidence = d.evidence;
  }
  OntologyReport& rep = report_.ontology;
  for (int i = 0; i < kChainRoleCount; ++i) {
    rep.roles[std::string(ChainRoleName(static_cast<ChainRole>(i)))] = o.roles[i];
  }
  rep.derived = o.by_rule;
  rep.detached = o.detached.size();
  rep.name_parents = name_parents;
  rep.part_of_parent = o.part_of_parent.size();
  rep.learned_pairs = o.learned_pairs;
  rep.given_product = given.size();
  rep.given_industry = given_industry.size();
}

Bundle CkgReader::Read(std::vector<Problem>& problems) {
  const auto t0 = std::chrono::steady_clock::now();
  problems_ = &problems;
  bundle_.dir = dir_;
  bundle_.source = "ckg";
  bundle_.description =
      "ChainKnowledgeGraph (liuhuanyong/ChainKnowledgeGraph): A-share listed "
      "companies, Shenwan 2021 industries, products";
  for (uint16_t i = 0; i < kCkgFileCount; ++i) {
    std::string_view f = kFileNames[i];
    bundle_.files.push_back({"ckg." + std::string(f.substr(0, f.size() - 5)), std::string(f), 0});
    stats_[i] = &report_.files[std::string(f)];  // map nodes stay put
  }
  // Room enough to insert without rehashing or regrowing: about one product per 28 bytes of
  // product.json, one relation per 70 bytes of the relation files.
  auto bytes = [&](CkgFile f) {
    std::error_code error;
    auto n = std::filesystem::file_size(dir_ / std::string(kFileNames[f]), error);
    return error ? size_t{0} : static_cast<size_t>(n);
  };
  products_.reserve(bytes(kProduct) / 20);
  bundle_.entities.reserve(bytes(kProduct) / 20 + bytes(kCompany) / 100 + 4096);
  bundle_.relations.reserve((bytes(kCompanyProduct) + bytes(kProductProduct) +
                             bytes(kCompanyIndustry) + bytes(kIndustryUp)) /
                            60);
  supplies_.reserve(bytes(kProductProduct) / 60);
  produces_.reserve(bytes(kCompanyProduct) / 100);
  if (!options_.regions_dir.empty()) {
    gazetteer_ = std::make_unique<RegionGazetteer>(RegionGazetteer::Load(options_.regions_dir));
    std::vector<uint64_t> rows(gazetteer_->files().size(), 0);
    for (const Division& d : gazetteer_->divisions()) rows[d.file]++;
    for (size_t i = 0; i < gazetteer_->files().size(); ++i) {
      const auto& f = gazetteer_->files()[i];
      bundle_.files.push_back({"gbt2260." + f.stem().string(),
                               std::filesystem::absolute(f).lexically_normal().string(), rows[i]});
      fingerprint_ = Fnv1a(fingerprint_, ReadBytes(f));
    }
  }
  ReadCompanies();
  ReadIndustries();
  ReadIndustryTree();
  ReadCompanyIndustries();  // before industry_up.json: it teaches the names industry.json lacks
  ReadIndustryUps();
  ReadProducts();
  ReadCompanyProducts();
  ReadProductRelations();
  ApplyOntology();

  AddRegions();
  AddIndustries();
  AddProducts();
  for (EntityRecord& e : enterprises_) bundle_.entities.push_back(std::move(e));
  enterprises_.clear();

  for (const auto& [file, n] : suffixes_) {
    report_.quirks.push_back(
        MakeProblem(FileName(file), 0, Msg("quirk.code_suffix", {{"count", std::to_string(n)}})));
  }
  std::stable_sort(report_.quirks.begin(), report_.quirks.end(),
                   [](const Problem& a, const Problem& b) {
                     return std::tie(a.file, a.line) < std::tie(b.file, b.line);
                   });
  bundle_.fingerprint = Hex64(fingerprint_);
  bundle_.manifest_ok = true;
  report_.read_seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return std::move(bundle_);
}

// After a rejected attempt under skip_bad_rows: the rows the importer named are skipped, and so is
// everything that depends on them. Returns false when none of the problems names a row.
bool DropRows(Bundle& bundle, const std::vector<Problem>& problems, CkgReport& report) {
  std::map<std::string, uint16_t> file_index;
  for (uint16_t i = 0; i < bundle.files.size(); ++i) {
    file_index[(bundle.dir / bundle.files[i].path).lexically_normal().string()] = i;
  }
  std::set<std::pair<uint16_t, uint32_t>> rows;
  for (const Problem& p : problems) {
    report.skipped.push_back(p);
    auto it = file_index.find(p.file);
    if (it != file_index.end() && p.line > 0) rows.insert({it->second, p.line});
  }
  if (rows.empty()) return false;
  auto count_bad = [&](uint16_t file) {
    if (file >= kCkgFileCount) return;
    CkgFileStats& s = report.files[std::string(kFileNames[file])];
    if (s.used > 0) s.used--;
    s.bad++;
  };
  std::set<std::pair<NodeKind, std::string>> gone;
  auto is_gone = [&](NodeKind k, const std::string& key) {
    return !key.empty() && gone.count({k, key});
  };
  for (bool changed = true; changed;) {
    changed = false;
    std::vector<EntityRecord> kept;
    for (EntityRecord& e : bundle.entities) {
      std::string why;
      if (rows.count({e.file, e.line})) {
        why = "-";
      } else if (const auto* g = std::get_if<SegmentRecord>(&e.details)) {
        if (is_gone(NodeKind::kTrack, g->track) || is_gone(NodeKind::kSegment, g->parent)) {
          why = "skip.track_or_parent";
        }
      } else if (const auto* r = std::get_if<RegionRecord>(&e.details)) {
        if (is_gone(NodeKind::kRegion, r->parent)) why = "skip.parent_region";
      } else if (is_gone(NodeKind::kRegion, e.region)) {
        why = "skip.region";
      }
      if (why.empty()) {
        kept.push_back(std::move(e));
        continue;
      }
      if (why != "-") {
        report.skipped.push_back(MakeProblem(
            (bundle.dir / bundle.files[e.file].path).lexically_normal().string(), e.line,
            Msg("skip.entity",
                {{"kind", std::string(NodeKindName(e.kind))}, {"key", e.key}, {"why", why}})));
      }
      gone.insert({e.kind, e.key});
      count_bad(e.file);
      changed = true;
    }
    bundle.entities = std::move(kept);
  }
  std::vector<RelationRecord> kept;
  for (RelationRecord& r : bundle.relations) {
    bool direct = rows.count({r.file, r.line}) > 0;
    bool dangling = is_gone(r.src.kinds[0], r.src.key) || is_gone(r.dst.kinds[0], r.dst.key);
    if (!direct && !dangling) {
      kept.push_back(std::move(r));
      continue;
    }
    if (!direct) {
      report.skipped.push_back(
          MakeProblem((bundle.dir / bundle.files[r.file].path).lexically_normal().string(), r.line,
                      Msg("skip.relation",
                          {{"key", is_gone(r.src.kinds[0], r.src.key) ? r.src.key : r.dst.key}})));
    }
    count_bad(r.file);
  }
  bundle.relations = std::move(kept);
  return true;
}

}  // namespace

CkgReport ImportCkg(Store& store, const std::filesystem::path& dir, const CkgOptions& options) {
  if (!std::filesystem::is_directory(dir)) {
    throw Error(ErrorCode::kIo, Msg("ckg_import.not_folder", {{"path", dir.string()}}));
  }
  CkgReport report;
  std::vector<Problem> problems;
  Bundle bundle = CkgReader(store, dir, options, report).Read(problems);
  if (!options.skip_bad_rows) {
    report.import = ImportRecords(store, std::move(bundle), std::move(problems), options.import);
    return report;
  }
  report.skipped = std::move(problems);
  // The reader checks everything it can; what only the database can tell (an id another source
  // already uses for another company, say) comes back from the importer and is skipped in turn.
  for (int attempt = 0;; ++attempt) {
    report.import = ImportRecords(store, attempt < 3 ? bundle : std::move(bundle), {},
                                  options.import);
    if (report.import.accepted || attempt == 3) break;
    if (!DropRows(bundle, report.import.problems, report)) break;
  }
  std::stable_sort(report.skipped.begin(), report.skipped.end(),
                   [](const Problem& a, const Problem& b) {
                     return std::tie(a.file, a.line) < std::tie(b.file, b.line);
                   });
  return report;
}

}  // namespace chainatlas::ingest
