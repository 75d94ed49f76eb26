#include "ingest/bundle.h"

#include <algorithm>
#include <charconv>
#include <chrono>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <future>
#include <limits>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <sstream>
#include <unordered_map>

#include "graph/huge_pages.h"
#include "graph/error.h"
#include "ingest/csv_reader.h"
#include "ingest/text.h"

namespace chainatlas::ingest {

std::string Problem::Reason(Lang lang) const {
  return code.empty() || lang == Lang::kEn ? reason : Msg(code, params).Render(lang);
}

std::string Problem::ToString(Lang lang) const {
  const std::string sep = lang == Lang::kZh ? "：" : ": ";
  if (line == 0) return file + sep + Reason(lang);
  return file + ":" + std::to_string(line) + sep + Reason(lang);
}

Problem MakeProblem(std::string file, uint32_t line, Message reason) {
  Problem p{std::move(file), line, reason.Render(Lang::kEn), std::move(reason.code),
            std::move(reason.params)};
  return p;
}

namespace {

using json = nlohmann::json;

const std::set<std::string> kHospitalGrades = {"三级甲等", "三级乙等", "三级", "二级甲等",
                                               "二级乙等", "二级",     "一级", "其他"};
const std::set<std::string> kInstitutionKinds = {"university", "institute", "lab"};
const std::set<std::string> kPlatformKinds = {
    "incubator",     "cdmo",         "cro",       "cmo",   "cso",  "testing",
    "sterilisation", "registration", "machining", "sales", "fund", "park"};
const std::vector<NodeKind> kOrganisationKinds = {NodeKind::kEnterprise, NodeKind::kHospital,
                                                  NodeKind::kInstitution, NodeKind::kPlatform};

int CurrentYear() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  return tm.tm_year + 1900;
}

// The columns of a file: header name → field index, found by a short scan (a file has at most
// 15 columns) instead of hashing a std::string per lookup.
class Columns {
 public:
  // False when the name is there already.
  bool Add(std::string name, size_t index) {
    if (Find(name) != kAbsent) return false;
    names_.push_back(std::move(name));
    index_.push_back(index);
    return true;
  }
  size_t size() const { return names_.size(); }
  bool Has(std::string_view name) const { return Find(name) != kAbsent; }
  static constexpr size_t kAbsent = static_cast<size_t>(-1);
  size_t Find(std::string_view name) const {
    for (size_t i = 0; i < names_.size(); ++i) {
      if (names_[i] == name) return index_[i];
    }
    return kAbsent;
  }

 private:
  std::vector<std::string> names_;
  std::vector<size_t> index_;
};

// Reads the named columns of one record; every problem is recorded and makes the row bad.
class RowReader {
 public:
  RowReader(const Columns& columns, const CsvRecord& record, const std::string& file,
            std::vector<Problem>& problems)
      : columns_(columns), record_(record), file_(file), problems_(problems) {}

  bool ok() const { return ok_; }
  uint32_t line() const { return record_.line; }
  void Fail(const char* code, MessageParams params = {}) {
    problems_.push_back(MakeProblem(file_, record_.line, Msg(code, std::move(params))));
    ok_ = false;
  }

  // The raw text of a column; empty when the column is absent or the field empty. A view into
  // the record: valid while the record is.
  std::string_view Raw(std::string_view column) const {
    const size_t i = columns_.Find(column);
    return i == Columns::kAbsent ? std::string_view() : record_.fields[i];
  }

  std::string_view Text(std::string_view column, bool required) {
    std::string_view v = Raw(column);
    if (v.empty() && required) Fail("row.required", {{"column", std::string(column)}});
    return v;
  }

  std::string_view Id(std::string_view column) {
    std::string_view v = Text(column, true);
    if (!v.empty()) CheckId(column, v);
    return v;
  }

  void CheckId(std::string_view column, std::string_view v) {
    if (v.size() > 128) {
      Fail("row.id_long", {{"column", std::string(column)}, {"value", Abbreviated(v, 20)}});
    }
    if (v.find(':') != std::string_view::npos) {
      Fail("row.id_colon", {{"column", std::string(column)}, {"value", std::string(v)}});
    }
    if (v.front() == ' ' || v.back() == ' ') {
      Fail("row.id_spaces", {{"column", std::string(column)}, {"value", std::string(v)}});
    }
  }

  std::optional<int64_t> Int(std::string_view column, int64_t lo, int64_t hi) {
    std::string_view v = Raw(column);
    if (v.empty()) return std::nullopt;
    int64_t x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec != std::errc() || p != v.data() + v.size()) {
      Fail("row.not_integer", {{"column", std::string(column)}, {"value", std::string(v)}});
      return std::nullopt;
    }
    if (x < lo || x > hi) {
      Fail("row.out_of_range",
           {{"column", std::string(column)},
            {"value", std::string(v)},
            {"range", "[" + std::to_string(lo) + ", " + std::to_string(hi) + "]"}});
      return std::nullopt;
    }
    return x;
  }

  // A weight in [0, 1] (or (0, 1] when zero_open), stored as a float: a positive weight below
  // the smallest normal float would be stored as 0 or lose its precision, and is rejected.
  std::optional<double> Weight(std::string_view column, bool zero_open) {
    std::optional<double> x = Real(column, 0, 1, zero_open);
    if (x && *x > 0 && *x < std::numeric_limits<float>::min()) {
      std::ostringstream least;
      least << std::numeric_limits<float>::min();
      Fail("row.weight_tiny", {{"column", std::string(column)},
                               {"value", std::string(Raw(column))},
                               {"least", least.str()}});
      return std::nullopt;
    }
    return x;
  }

  // A real number in [lo, hi] (or (lo, hi] when lo_open).
  std::optional<double> Real(std::string_view column, double lo, double hi, bool lo_open) {
    std::string_view v = Raw(column);
    if (v.empty()) return std::nullopt;
    double x = 0;
    auto [p, ec] = std::from_chars(v.data(), v.data() + v.size(), x);
    if (ec == std::errc::result_out_of_range && p == v.data() + v.size()) {
      Fail("row.not_finite", {{"column", std::string(column)}, {"value", std::string(v)}});
      return std::nullopt;
    }
    if (ec != std::errc() || p != v.data() + v.size() || !std::isfinite(x)) {
      Fail("row.not_number", {{"column", std::string(column)}, {"value", std::string(v)}});
      return std::nullopt;
    }
    if ((lo_open ? x <= lo : x < lo) || x > hi) {
      std::ostringstream range;
      range << (lo_open ? "(" : "[") << lo << ", " << hi << "]";
      Fail("row.out_of_range",
           {{"column", std::string(column)}, {"value", std::string(v)}, {"range", range.str()}});
      return std::nullopt;
    }
    return x;
  }

  bool Bool(std::string_view column) {
    std::string_view v = Raw(column);
    if (v.empty() || v == "0") return false;
    if (v == "1") return true;
    Fail("row.not_bool", {{"column", std::string(column)}, {"value", std::string(v)}});
    return false;
  }

  std::string Choice(std::string_view column, const std::set<std::string>& allowed, bool required) {
    std::string v(Text(column, required));
    if (!v.empty() && !allowed.count(v)) {
      std::string list;
      for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
      Fail("row.not_one_of", {{"column", std::string(column)}, {"value", v}, {"list", list}});
    }
    return v;
  }

  std::vector<std::string> List(std::string_view column) {
    std::vector<std::string> out;
    std::string_view v = Raw(column);
    size_t start = 0;
    while (start <= v.size() && !v.empty()) {
      size_t end = v.find(';', start);
      if (end == std::string_view::npos) end = v.size();
      std::string_view item = v.substr(start, end - start);
      while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
      while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
      if (!item.empty()) out.emplace_back(item);
      start = end + 1;
    }
    return out;
  }

  // A reference to an entity of one of `kinds`: `kind:id` or a plain id.
  Reference Ref(std::string_view column, const std::vector<NodeKind>& kinds) {
    Reference ref;
    std::string_view v = Text(column, true);
    if (v.empty()) return ref;
    size_t colon = v.find(':');
    if (colon != std::string_view::npos) {
      auto kind = ParseNodeKind(v.substr(0, colon));
      if (!kind || std::find(kinds.begin(), kinds.end(), *kind) == kinds.end()) {
        std::string names;
        for (NodeKind k : kinds)
          names += (names.empty() ? "" : ", ") + std::string(NodeKindName(k));
        Fail("row.ref_prefix",
             {{"column", std::string(column)}, {"value", std::string(v)}, {"kinds", names}});
        return ref;
      }
      ref.kinds = {*kind};
      ref.key = v.substr(colon + 1);
    } else {
      ref.kinds = kinds;
      ref.key = v;  // not empty: the check below holds
    }
    if (ref.key.empty())
      Fail("row.ref_empty", {{"column", std::string(column)}, {"value", std::string(v)}});
    return ref;
  }

 private:
  const Columns& columns_;
  const CsvRecord& record_;
  const std::string& file_;
  std::vector<Problem>& problems_;
  bool ok_ = true;
};

struct FileSpec {
  std::string kind;
  std::vector<std::string> required;
  std::vector<std::string> optional;
  std::function<void(RowReader&, uint16_t file, Bundle&)> parse;
};

EntityRecord CommonEntity(RowReader& r, NodeKind kind, uint16_t file, bool located) {
  EntityRecord e;
  e.kind = kind;
  e.key = r.Id(kind == NodeKind::kRegion ? "code" : "id");
  e.name = r.Text("name", true);
  if (located) e.region = r.Text("region", true);
  e.note = r.Raw("note");
  e.illustrative = r.Bool("illustrative");
  e.file = file;
  e.line = r.line();
  return e;
}

bool IsDigits(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

void ParseRegion(RowReader& r, uint16_t file, Bundle& b) {
  EntityRecord e = CommonEntity(r, NodeKind::kRegion, file, false);
  RegionRecord d;
  std::string_view level = r.Text("level", true);
  if (auto l = ParseRegionLevel(level)) {
    d.level = *l;
  } else if (!level.empty()) {
    r.Fail("region.level", {{"value", std::string(level)}});
  }
  d.parent = r.Raw("parent");
  const std::string& code = e.key;
  if (!code.empty()) {
    bool admin_code = code.size() == 6 && IsDigits(code);
    bool park_code = code.size() > 7 && IsDigits(code.substr(0, 6)) && code[6] == '-';
    if (d.level == RegionLevel::kPark ? !park_code : !admin_code) {
      r.Fail(d.level == RegionLevel::kPark ? "region.park_code" : "region.admin_code",
             {{"code", code}});
    } else if (d.level == RegionLevel::kProvince && code.substr(2) != "0000") {
      r.Fail("region.province_code", {{"code", code}});
    }
    if (d.level == RegionLevel::kProvince && !d.parent.empty()) {
      r.Fail("region.province_parent");
    } else if (d.level != RegionLevel::kProvince && d.parent.empty()) {
      r.Fail("region.parent_required");
    } else if (!d.parent.empty() && d.parent.substr(0, 2) != code.substr(0, 2)) {
      r.Fail("region.other_province", {{"code", code}, {"parent", d.parent}});
    }
  }
  e.details = d;
  if (r.ok()) b.entities.push_back(std::move(e));
}

void ParseTrack(RowReader& r, uint16_t file, Bundle& b) {
  EntityRecord e = CommonEntity(r, NodeKind::kTrack, file, false);
  e.details = TrackRecord{std::string(r.Raw("name_en"))};
  if (r.ok()) b.entities.push_back(std::move(e));
}

void ParseSegment(RowReader& r, uint16_t file, Bundle& b) {
  EntityRecord e = CommonEntity(r, NodeKind::kSegment, file, false);
  SegmentRecord d;
  d.track = r.Text("track", true);
  d.parent = r.Raw("parent");
  d.name_en = r.Raw("name_en");
  std::string_view position = r.Text("position", true);
  if (auto p = ParsePosition(position)) {
    d.position = *p;
  } else if (!position.empty()) {
    r.Fail("segment.position", {{"value", std::string(position)}});
  }
  if (!d.parent.empty() && d.parent == e.key) r.Fail("segment.own_parent", {{"id", e.key}});
  e.details = d;
  if (r.ok()) b.entities.push_back(std::move(e));
}

void ParseEnterprise(RowReader& r, uint16_t file, Bundle& b) {
  static const int kYear = CurrentYear();
  EntityRecord e = CommonEntity(r, NodeKind::kEnterprise, file, true);
  EnterpriseAttributes a;
  a.uscc = r.Raw("uscc");
  if (!a.uscc.empty()) {
    std::string why = UsccProblem(a.uscc);
    if (!why.empty()) r.Fail("enterprise.uscc", {{"uscc", a.uscc}, {"detail", why}});
  }
  if (auto v = r.Int("founded", 1900, kYear)) a.founded = static_cast<int32_t>(*v);
  if (!r.Raw("above_scale").empty()) a.above_scale = r.Bool("above_scale") ? 1 : 0;
  if (auto v = r.Real("revenue", 0, 1e12, false)) a.revenue = *v;
  if (auto v = r.Int("employees", 0, 10'000'000)) a.employees = static_cast<int32_t>(*v);
  if (auto v = r.Int("class2_certs", 0, 1'000'000)) a.class2_certs = static_cast<int32_t>(*v);
  if (auto v = r.Int("class3_certs", 0, 1'000'000)) a.class3_certs = static_cast<int32_t>(*v);
  if (auto v = r.Int("patents", 0, 10'000'000)) a.patents = static_cast<int32_t>(*v);
  if (auto v = r.Real("rd_ratio", 0, 1, false)) a.rd_ratio = *v;
  for (const std::string& tag : r.List("tags")) {
    if (auto t = ParseEnterpriseTag(tag)) {
      a.tags |= 1u << static_cast<int>(*t);
    } else {
      r.Fail("enterprise.tag", {{"tag", tag}});
    }
  }
  e.details = std::move(a);
  if (r.ok()) b.entities.push_back(std::move(e));
}

void ParseHospital(RowReader& r, uint16_t file, Bundle& b) {
  EntityRecord e = CommonEntity(r, NodeKind::kHospital, file, true);
  HospitalAttributes a;
  a.grade = r.Choice("grade", kHospitalGrades, false);
  a.clinical_trial = r.Bool("clinical_trial");
  a.demo_base = r.Bool("demo_base");
  a.departments = r.List("departments");
  e.details = std::move(a);
  if (r.ok()) b.entities.push_back(std::move(e));
}

// Institutions and platforms: a kind from a vocabulary and a list column.
template <typename Attributes>
void ParseKindAndList(RowReader& r, uint16_t file, Bundle& b, NodeKind node_kind,
                      const std::set<std::string>& kinds, std::string_view list_column) {
  EntityRecord e = CommonEntity(r, node_kind, file, true);
  Attributes a;
  a.kind = r.Choice("kind", kinds, true);
  std::vector<std::string> list = r.List(list_column);
  if constexpr (std::is_same_v<Attributes, InstitutionAttributes>) {
    a.key_labs = std::move(list);
  } else {
    a.accreditations = std::move(list);
  }
  e.details = std::move(a);
  if (r.ok()) b.entities.push_back(std::move(e));
}

void ParseInstitution(RowReader& r, uint16_t file, Bundle& b) {
  ParseKindAndList<InstitutionAttributes>(r, file, b, NodeKind::kInstitution, kInstitutionKinds,
                                          "key_labs");
}

void ParsePlatform(RowReader& r, uint16_t file, Bundle& b) {
  ParseKindAndList<PlatformAttributes>(r, file, b, NodeKind::kPlatform, kPlatformKinds,
                                       "accreditations");
}

// A relation file with one weight column in (0, 1] (default 1).
FileSpec SimpleRelation(const std::string& file_kind, EdgeKind kind, const std::string& src_col,
                        std::vector<NodeKind> src_kinds, const std::string& dst_col,
                        std::vector<NodeKind> dst_kinds, const std::string& weight_col,
                        std::vector<std::string> extra = {}) {
  std::vector<std::string> optional = {weight_col};
  optional.insert(optional.end(), extra.begin(), extra.end());
  return {file_kind, {src_col, dst_col}, optional, [=](RowReader& r, uint16_t file, Bundle& b) {
            RelationRecord rel;
            rel.kind = kind;
            rel.src = r.Ref(src_col, src_kinds);
            rel.dst = r.Ref(dst_col, dst_kinds);
            rel.weight = static_cast<float>(r.Weight(weight_col, true).value_or(1.0));
            if (!extra.empty()) {
              json attrs = json::object();
              for (const auto& col : extra) {
                if (!r.Raw(col).empty()) attrs[col] = std::string(r.Raw(col));
              }
              if (!attrs.empty()) rel.attrs = attrs.dump();
            }
            rel.file = file;
            rel.line = r.line();
            if (r.ok()) b.relations.push_back(std::move(rel));
          }};
}

void ParseClinical(RowReader& r, uint16_t file, Bundle& b) {
  Reference hospital = r.Ref("hospital", {NodeKind::kHospital});
  Reference segment = r.Ref("segment", {NodeKind::kSegment});
  double demand = r.Weight("demand", false).value_or(0);
  double strength = r.Weight("strength", false).value_or(0);
  if (r.ok() && demand <= 0 && strength <= 0) r.Fail("clinical.no_weight");
  if (!r.ok()) return;
  std::string attrs;
  if (!r.Raw("department").empty())
    attrs = json{{"department", std::string(r.Raw("department"))}}.dump();
  for (auto [kind, w] : {std::pair{EdgeKind::kClinicalDemand, demand},
                         std::pair{EdgeKind::kClinicalStrength, strength}}) {
    if (w <= 0) continue;
    b.relations.push_back({kind, hospital, segment, static_cast<float>(w), attrs, file, r.line()});
  }
}

const std::vector<FileSpec>& Specs() {
  const std::vector<std::string> kEntityExtra = {"illustrative", "note"};
  auto with = [&](std::vector<std::string> cols) {
    cols.insert(cols.end(), kEntityExtra.begin(), kEntityExtra.end());
    return cols;
  };
  using K = NodeKind;
  static const std::vector<FileSpec> specs = {
      {"regions", {"code", "name", "level"}, with({"parent"}), ParseRegion},
      {"tracks", {"id", "name"}, with({"name_en"}), ParseTrack},
      {"segments", {"id", "track", "name", "position"}, with({"parent", "name_en"}), ParseSegment},
      {"enterprises",
       {"id", "name", "region"},
       with({"uscc", "founded", "above_scale", "revenue", "employees", "tags", "class2_certs",
             "class3_certs", "patents", "rd_ratio"}),
       ParseEnterprise},
      {"hospitals",
       {"id", "name", "region"},
       with({"grade", "clinical_trial", "demo_base", "departments"}),
       ParseHospital},
      {"institutions", {"id", "name", "region", "kind"}, with({"key_labs"}), ParseInstitution},
      {"platforms", {"id", "name", "region", "kind"}, with({"accreditations"}), ParsePlatform},
      SimpleRelation("produces", EdgeKind::kProduces, "enterprise", {K::kEnterprise}, "segment",
                     {K::kSegment}, "share"),
      SimpleRelation("supplies", EdgeKind::kSupplies, "from", {K::kSegment}, "to", {K::kSegment},
                     "weight"),
      SimpleRelation("trades_with", EdgeKind::kTradesWith, "supplier", {K::kEnterprise}, "customer",
                     {K::kEnterprise}, "weight"),
      SimpleRelation("researches", EdgeKind::kResearches, "institution", {K::kInstitution},
                     "segment", {K::kSegment}, "strength"),
      {"clinical", {"hospital", "segment"}, {"department", "demand", "strength"}, ParseClinical},
      SimpleRelation("serves", EdgeKind::kServes, "platform", {K::kPlatform}, "segment",
                     {K::kSegment}, "weight"),
      SimpleRelation("cooperates", EdgeKind::kCooperates, "from", kOrganisationKinds, "to",
                     kOrganisationKinds, "weight", {"kind"}),
      SimpleRelation("invests", EdgeKind::kInvests, "investor", {K::kEnterprise, K::kPlatform},
                     "investee", {K::kEnterprise}, "share"),
      SimpleRelation("member_of", EdgeKind::kMemberOf, "enterprise", {K::kEnterprise}, "segment",
                     {K::kSegment}, "weight"),
  };
  return specs;
}

std::string Fnv1aHex(const std::vector<std::filesystem::path>& files) {
  uint64_t h = 1469598103934665603ull;
  char buf[1 << 16];
  for (const auto& f : files) {
    std::ifstream in(f, std::ios::binary);
    while (in.read(buf, sizeof buf) || in.gcount() > 0) {
      for (std::streamsize i = 0; i < in.gcount(); ++i) {
        h ^= static_cast<unsigned char>(buf[i]);
        h *= 1099511628211ull;
      }
    }
  }
  char out[17];
  std::snprintf(out, sizeof out, "%016llx", static_cast<unsigned long long>(h));
  return out;
}

// Lines in a file (0 when it cannot be read: ReadFile reports that).
size_t CountLines(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  // A block of at most 1 MiB, no larger than the file: a fresh zeroed megabyte per file was most
  // of a small import's time.
  std::error_code ec;
  const uintmax_t size = std::filesystem::file_size(path, ec);
  std::vector<char> buf(
      ec ? size_t{1} << 20
         : static_cast<size_t>(std::clamp<uintmax_t>(size, 1, uintmax_t{1} << 20)));
  size_t n = 0;
  while (in) {
    in.read(buf.data(), static_cast<std::streamsize>(buf.size()));
    n += static_cast<size_t>(std::count(buf.data(), buf.data() + in.gcount(), '\n'));
  }
  return n + 1;
}

// Reads one file's records into `bundle` (an entity file's into `entities`, a relation file's into
// `relations`; nothing else of it) and the ids of its rejected entity rows into `rejected`;
// returns its data rows. An entity file and a relation file may be read at once.
uint64_t ReadFile(const FileSpec& spec, const std::filesystem::path& path, const std::string& shown,
                  uint16_t file_index, Bundle& bundle, std::set<std::string>& rejected,
                  std::vector<Problem>& problems) {
  Columns columns;
  bool header_ok = false;
  bool have_header = false;
  uint64_t rows = 0;
  std::vector<std::string> header;
  // Printable ASCII throughout (most relation rows): valid UTF-8 without control characters.
  auto plain = [](const CsvRecord& rec) {
    for (std::string_view f : rec.fields) {
      for (char c : f) {
        if (static_cast<unsigned char>(static_cast<unsigned char>(c) - 0x20) >= 0x5F) return false;
      }
    }
    return true;
  };
  auto on_record = [&](const CsvRecord& rec) {
    const bool is_plain = plain(rec);
    for (const auto& f : rec.fields) {
      if (is_plain) break;
      if (!IsValidUtf8(f)) {
        problems.push_back(MakeProblem(shown, rec.line, Msg("file.not_utf8")));
        return;
      }
    }
    // Control characters (C0 and DEL, NUL included) are not text; a note may hold line breaks
    // and tabs.
    for (size_t i = 0; i < rec.fields.size() && !is_plain; ++i) {
      const bool note = have_header && i < header.size() && header[i] == "note";
      for (char c : rec.fields[i]) {
        const auto u = static_cast<unsigned char>(c);
        if ((u >= 0x20 && u != 0x7F) || (note && (c == '\n' || c == '\r' || c == '\t'))) continue;
        char code[8];
        std::snprintf(code, sizeof code, "\\x%02x", u);
        problems.push_back(MakeProblem(
            shown, rec.line,
            i < header.size()
                ? Msg("file.control_column", {{"column", header[i]}, {"char", code}})
                : Msg("file.control_field", {{"field", std::to_string(i + 1)}, {"char", code}})));
        return;
      }
    }
    if (!have_header) {
      have_header = true;
      header_ok = true;
      header.assign(rec.fields.begin(), rec.fields.end());
      for (size_t i = 0; i < rec.fields.size(); ++i) {
        const std::string& name = header[i];
        bool known = std::count(spec.required.begin(), spec.required.end(), name) ||
                     std::count(spec.optional.begin(), spec.optional.end(), name);
        if (!known) {
          problems.push_back(
              MakeProblem(shown, rec.line, Msg("file.unknown_column", {{"column", name}})));
          header_ok = false;
        } else if (!columns.Add(name, i)) {
          problems.push_back(
              MakeProblem(shown, rec.line, Msg("file.column_twice", {{"column", name}})));
          header_ok = false;
        }
      }
      for (const auto& req : spec.required) {
        if (!columns.Has(req)) {
          problems.push_back(
              MakeProblem(shown, rec.line, Msg("file.column_missing", {{"column", req}})));
          header_ok = false;
        }
      }
      return;
    }
    if (!header_ok) return;
    ++rows;
    if (rec.fields.size() != columns.size()) {
      problems.push_back(
          MakeProblem(shown, rec.line,
                      Msg("file.field_count", {{"fields", std::to_string(rec.fields.size())},
                                               {"header", std::to_string(columns.size())}})));
      return;
    }
    RowReader reader(columns, rec, shown, problems);
    spec.parse(reader, file_index, bundle);
    const std::string_view id = reader.Raw(spec.kind == "regions" ? "code" : "id");
    if (!reader.ok() && !id.empty() && spec.kind.back() == 's') {
      rejected.insert(spec.kind.substr(0, spec.kind.size() - 1) + ":" + std::string(id));
    }
  };
  uint32_t error_line = 0;
  std::string error = ReadCsv(path, on_record, &error_line);
  if (!error.empty())
    problems.push_back(MakeProblem(shown, error_line, Msg("file.csv", {{"detail", error}})));
  if (!have_header) problems.push_back(MakeProblem(shown, 0, Msg("file.empty")));
  return rows;
}

// The manifest's text. Throws Error(kIo) when it cannot be read, or is not a regular file (a
// FIFO or a device would block or never end).
std::string ReadManifestText(const std::filesystem::path& manifest_path) {
  auto why = [&](std::string detail) {
    return Msg("bundle.cannot_open_manifest",
               {{"path", manifest_path.string()}, {"detail", std::move(detail)}});
  };
  std::error_code error;
  const auto status = std::filesystem::status(manifest_path, error);
  if (error) throw Error(ErrorCode::kIo, why(": " + error.message()));
  if (!std::filesystem::is_regular_file(status)) {
    throw Error(ErrorCode::kIo, why(": not a regular file"));
  }
  std::ifstream in(manifest_path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, why(""));
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad())
    throw Error(ErrorCode::kIo, Msg("io.read_failed", {{"path", manifest_path.string()}}));
  return text;
}

// The file a manifest names, when it follows the rules of docs/bundle-format.md: a relative path
// without `..`, resolving (symbolic links followed) to a regular file inside the bundle's folder.
// Otherwise nullopt, with the reason in *why.
// *why is the reason's code (graph/messages.h), *detail its parameter.
std::optional<std::filesystem::path> ConfinedFile(const std::filesystem::path& dir,
                                                  const std::string& rel, std::string* why,
                                                  std::string* detail) {
  const std::filesystem::path p(rel);
  if (rel.empty() || p.has_root_name() || p.has_root_directory()) {
    *why = "file.not_relative";
    return std::nullopt;
  }
  for (const auto& part : p) {
    if (part == "..") {
      *why = "file.dotdot";
      return std::nullopt;
    }
  }
  std::error_code error;
  const std::filesystem::path root = std::filesystem::canonical(dir, error);
  if (error) {
    *why = "file.folder_unresolved";
    *detail = error.message();
    return std::nullopt;
  }
  const std::filesystem::path file = std::filesystem::canonical(dir / p, error);
  if (error) {
    *why = error == std::errc::no_such_file_or_directory ? "file.missing" : "file.unreadable";
    *detail = error.message();
    return std::nullopt;
  }
  if (std::mismatch(root.begin(), root.end(), file.begin(), file.end()).first != root.end()) {
    *why = "file.outside";
    *detail = file.string();
    return std::nullopt;
  }
  if (!std::filesystem::is_regular_file(file, error)) {
    *why = "file.not_regular";
    return std::nullopt;
  }
  return file;
}

std::filesystem::path ManifestPath(const std::filesystem::path& path) {
  std::error_code error;
  return std::filesystem::is_directory(path, error) ? path / "manifest.json" : path;
}

}  // namespace

const std::vector<std::string>& BundleFileKinds() {
  static const std::vector<std::string> kinds = [] {
    std::vector<std::string> k;
    for (const auto& s : Specs()) k.push_back(s.kind);
    return k;
  }();
  return kinds;
}

std::string BundleFingerprint(const std::filesystem::path& path) {
  const std::filesystem::path manifest_path = ManifestPath(path);
  const std::string text = ReadManifestText(manifest_path);
  std::vector<std::filesystem::path> hashed = {manifest_path};
  json manifest = JsonNestingProblem(text).empty() ? json::parse(text, nullptr, false) : json();
  if (manifest.is_object() && manifest.contains("files") && manifest["files"].is_object()) {
    for (const FileSpec& spec : Specs()) {
      const json& files = manifest["files"];
      std::string why, detail;
      if (files.contains(spec.kind) && files[spec.kind].is_string()) {
        // Only files the rules allow: never a device or a FIFO, which would not end.
        auto file = ConfinedFile(manifest_path.parent_path(), files[spec.kind], &why, &detail);
        if (file) hashed.push_back(*file);
      }
    }
  }
  return Fnv1aHex(hashed);
}

// Duplicate ids within the bundle, and duplicate credit codes: a problem per repeat.
std::vector<Problem> DuplicateEntities(const Bundle& bundle) {
  std::vector<Problem> problems;
  std::map<std::pair<NodeKind, std::string>, const EntityRecord*> seen;
  std::unordered_map<std::string, const EntityRecord*> usccs;
  auto shown = [&](const EntityRecord& e) {
    return (bundle.dir / bundle.files[e.file].path).lexically_normal().string();
  };
  for (const EntityRecord& e : bundle.entities) {
    auto [it, fresh] = seen.emplace(std::pair{e.kind, e.key}, &e);
    if (!fresh) {
      problems.push_back(
          MakeProblem(shown(e), e.line,
                      Msg("bundle.duplicate_id", {{"kind", std::string(NodeKindName(e.kind))},
                                                  {"id", e.key},
                                                  {"first", std::to_string(it->second->line)}})));
    }
    if (const auto* a = std::get_if<EnterpriseAttributes>(&e.details); a && !a->uscc.empty()) {
      auto [u, ufresh] = usccs.emplace(a->uscc, &e);
      if (!ufresh) {
        problems.push_back(
            MakeProblem(shown(e), e.line,
                        Msg("bundle.duplicate_uscc", {{"uscc", a->uscc},
                                                      {"first", std::to_string(u->second->line)},
                                                      {"id", u->second->key}})));
      }
    }
  }
  return problems;
}

// The files to read, in the order of Specs(); a file the rules refuse is a problem in its place.
struct BundleReader::Job {
  const FileSpec* spec = nullptr;  // null: a file the rules refuse
  std::filesystem::path file;
  std::string shown;
  uint16_t index = 0;  // into bundle.files
  size_t lines = 0;
  bool entities = false;
  std::vector<Problem> problems;
};

BundleReader::BundleReader(const std::filesystem::path& path) {
  Bundle& bundle = bundle_;
  std::vector<Problem>& problems = problems_;
  std::vector<Job>& jobs = jobs_;
  const std::filesystem::path manifest_path = ManifestPath(path);
  bundle.dir = manifest_path.parent_path();
  const std::string manifest_name = manifest_path.string();
  const std::string text = ReadManifestText(manifest_path);
  if (std::string why = JsonNestingProblem(text); !why.empty()) {
    problems.push_back(MakeProblem(manifest_name, 0, Msg("manifest.json", {{"detail", why}})));
    return;
  }
  json manifest;
  try {
    manifest = json::parse(text);
  } catch (const json::exception& e) {
    // Invalid UTF-8 in the manifest comes back quoted in the message: escaped.
    problems.push_back(MakeProblem(
        manifest_name, 0, Msg("manifest.json", {{"detail", EscapeInvalidUtf8(e.what())}})));
    return;
  }
  auto fail = [&](const char* code, MessageParams params = {}) {
    problems.push_back(MakeProblem(manifest_name, 0, Msg(code, std::move(params))));
  };
  if (!manifest.is_object()) {
    fail("manifest.not_object");
    return;
  }
  if (manifest.value("format", "") != "chainatlas-bundle") {
    fail("manifest.format");
  }
  if (!manifest.contains("version") || !manifest["version"].is_number_integer() ||
      manifest["version"].get<int>() != 1) {
    fail("manifest.version");
  }
  auto has_control = [](const std::string& v) {
    return std::any_of(v.begin(), v.end(),
                       [](char c) { return static_cast<unsigned char>(c) < 0x20 || c == 0x7F; });
  };
  if (!manifest.contains("source") || !manifest["source"].is_string() ||
      manifest["source"].get<std::string>().empty()) {
    fail("manifest.source");
  } else if (has_control(manifest["source"].get<std::string>())) {
    fail("manifest.source_control");
  } else {
    bundle.source = manifest["source"];
  }
  if (manifest.contains("description") && manifest["description"].is_string()) {
    bundle.description = manifest["description"];
  }
  if (!manifest.contains("files") || !manifest["files"].is_object()) {
    fail("manifest.files");
    return;
  }
  for (auto& [kind, value] : manifest["files"].items()) {
    if (std::find(BundleFileKinds().begin(), BundleFileKinds().end(), kind) ==
        BundleFileKinds().end()) {
      fail("manifest.unknown_kind", {{"kind", kind}});
    } else if (!value.is_string()) {
      fail("manifest.kind_path", {{"kind", kind}});
    }
  }
  if (!problems.empty()) return;
  bundle.manifest_ok = true;

  static const std::set<std::string> kEntityFiles = {
      "regions", "tracks", "segments", "enterprises", "hospitals", "institutions", "platforms"};
  for (const FileSpec& spec : Specs()) {
    if (!manifest["files"].contains(spec.kind)) continue;
    std::string rel = manifest["files"][spec.kind];
    Job job;
    job.spec = &spec;
    job.shown = (bundle.dir / rel).lexically_normal().string();
    std::string why, detail;
    std::optional<std::filesystem::path> file = ConfinedFile(bundle.dir, rel, &why, &detail);
    if (!file) {
      job.problems.push_back(MakeProblem(
          job.shown, 0,
          Msg("manifest.file", {{"kind", spec.kind}, {"why", why}, {"detail", detail}})));
      job.spec = nullptr;
      jobs.push_back(std::move(job));
      continue;
    }
    bundle.files.push_back({spec.kind, rel, 0});
    job.file = *file;
    job.index = static_cast<uint16_t>(bundle.files.size() - 1);
    job.lines = CountLines(job.file);
    job.entities = kEntityFiles.count(spec.kind) > 0;
    jobs.push_back(std::move(job));
  }
  // Room for every record at once (a line count of each file): growing the vectors by doubling
  // would move every record several times and touch fresh memory each time.
  {
    size_t entities = 0, relations = 0;
    for (const Job& j : jobs) {
      if (j.entities) {
        entities += j.lines;
      } else {
        // A clinical row holds two relations: demand and strength.
        relations += j.spec && j.spec->kind == "clinical" ? 2 * j.lines : j.lines;
      }
    }
    bundle.entities.reserve(entities);
    bundle.relations.reserve(relations);
    // Filled once, front to back: huge pages where the system allows them on request (a page
    // fault per 2 MiB instead of per 4 KiB; faults are most of the cost of fresh memory).
    AdviseHugePages(bundle.entities.data(), bundle.entities.capacity() * sizeof(EntityRecord));
    AdviseHugePages(bundle.relations.data(), bundle.relations.capacity() * sizeof(RelationRecord));
  }

  // Two readers: the relation files on a second thread, and on this one the entity files and
  // their duplicate checks. They share no vector; records and problems keep the order of a
  // one-thread read. The fingerprint (which reads every file once more) waits for Finish().
  auto read = [this](bool entities, std::set<std::string>& rejected) {
    for (Job& j : jobs_) {
      if (j.spec && j.entities == entities) {
        bundle_.files[j.index].rows = ReadFile(*j.spec, j.file, j.shown, j.index, bundle_, rejected,
                                               j.problems);
      }
    }
  };
  relations_ = std::async(std::launch::async, [this, read] { read(false, relations_rejected_); });
  // (Should this thread throw, the future's destructor waits for the second reader first.)
  read(true, bundle.rejected_ids);
  duplicates_ = DuplicateEntities(bundle);
  // What BundleFingerprint hashes: the manifest, then every file the rules allow, in Specs() order.
  fingerprinted_ = {manifest_path};
  for (const Job& j : jobs_) {
    if (j.spec) fingerprinted_.push_back(j.file);
  }
}

BundleReader::~BundleReader() {
  if (relations_.valid()) relations_.wait();
}

bool BundleReader::EntitiesClean() const {
  if (!problems_.empty() || !duplicates_.empty()) return false;
  // A relation file's problems are not read (the second thread may be adding to them); a file the
  // rules refuse is known at once.
  return std::all_of(jobs_.begin(), jobs_.end(),
                     [](const Job& j) { return (j.spec && !j.entities) || j.problems.empty(); });
}

std::vector<Problem> BundleReader::Finish() {
  // While the second thread may still be reading (the caller has planned the entities by now).
  if (!fingerprinted_.empty()) bundle_.fingerprint = Fnv1aHex(fingerprinted_);
  if (relations_.valid()) relations_.get();
  bundle_.rejected_ids.merge(relations_rejected_);
  std::vector<Problem> problems = std::move(problems_);
  for (Job& j : jobs_) {
    problems.insert(problems.end(), std::make_move_iterator(j.problems.begin()),
                    std::make_move_iterator(j.problems.end()));
  }
  problems.insert(problems.end(), std::make_move_iterator(duplicates_.begin()),
                  std::make_move_iterator(duplicates_.end()));
  return problems;
}

Bundle ReadBundle(const std::filesystem::path& path, std::vector<Problem>& problems) {
  BundleReader reader(path);
  std::vector<Problem> found = reader.Finish();
  problems.insert(problems.end(), std::make_move_iterator(found.begin()),
                  std::make_move_iterator(found.end()));
  return std::move(reader.bundle());
}

}  // namespace chainatlas::ingest
