// The messages table (graph/messages.h): errors and import problems in English and Chinese. Every
// code has both templates, every placeholder is bound to a declared parameter and every parameter
// is shown in both languages; every code the sources write is in the table; the English is the
// text the project always wrote.
#include <catch2/catch.hpp>
#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <set>
#include <sstream>

#include "graph/error.h"
#include "graph/messages.h"
#include "ingest/bundle.h"
#include "server/report.h"

using namespace chainatlas;
using json = nlohmann::json;

namespace {

std::vector<std::string> Split(std::string_view list) {
  std::vector<std::string> out;
  while (!list.empty()) {
    size_t comma = list.find(',');
    out.emplace_back(list.substr(0, comma));
    list = comma == std::string_view::npos ? std::string_view() : list.substr(comma + 1);
  }
  return out;
}

// name → spec of every placeholder of a template ("" for a plain one).
std::multimap<std::string, std::string> Placeholders(std::string_view tmpl) {
  std::multimap<std::string, std::string> out;
  static const std::regex ph(R"(\{([a-z_]+)(?::([a-z]+))?\})");
  std::string t(tmpl);
  for (auto it = std::sregex_iterator(t.begin(), t.end(), ph); it != std::sregex_iterator(); ++it) {
    out.emplace((*it)[1], (*it)[2]);
  }
  return out;
}

// Chinese: a CJK ideograph (U+4000..U+9FFF), full-width punctuation (U+FF00..) or Chinese
// quotation marks (U+201C, U+201D).
bool HasCjk(const std::string& s) {
  for (size_t i = 0; i + 2 < s.size(); ++i) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0xE4 && c <= 0xE9) return true;
    if (c == 0xEF && static_cast<unsigned char>(s[i + 1]) == 0xBC) return true;
    if (s.compare(i, 3, "\xE2\x80\x9C") == 0) return true;
  }
  return false;
}

// Parameters for a template: the nested message ({x:msg}) a template of the table without
// parameters, counts as "2", everything else a text.
MessageParams Sample(const MessageTemplate& t) {
  MessageParams params;
  auto specs = Placeholders(t.en);
  for (const std::string& name : Split(t.params)) {
    auto it = specs.find(name);
    const std::string spec = it == specs.end() ? "" : it->second;
    if (spec == "msg") {
      params.push_back({name, ""});
    } else if (spec == "s") {
      params.push_back({name, "2"});
    } else if (spec == "or") {
      params.push_back({name, "segment|enterprise"});
    } else if (spec == "term") {
      params.push_back({name, "county"});
    } else {
      params.push_back({name, "«" + name + "»"});
    }
  }
  return params;
}

}  // namespace

TEST_CASE("every message code has an English and a Chinese template with its parameters bound") {
  std::set<std::string> codes;
  const std::set<std::string> known_specs = {"", "term", "s", "msg", "or"};
  REQUIRE(MessageTemplates().size() > 100);
  for (const MessageTemplate& t : MessageTemplates()) {
    INFO(t.code);
    CHECK(codes.insert(std::string(t.code)).second);  // each code once
    CHECK(std::regex_match(std::string(t.code), std::regex(R"([a-z0-9_]+\.[a-z0-9_.]+)")));
    // Both languages, the Chinese in Chinese (a template that is only a placeholder excepted).
    CHECK(!t.zh.empty());
    CHECK((!t.en.empty() || t.code == "file.csv"));
    CHECK(HasCjk(std::string(t.zh)));
    CHECK(t.zh != t.en);
    const std::vector<std::string> declared = Split(t.params);
    const std::set<std::string> declared_set(declared.begin(), declared.end());
    CHECK(declared_set.size() == declared.size());
    auto en = Placeholders(t.en), zh = Placeholders(t.zh);
    // Every placeholder names a declared parameter with a known format.
    for (const auto* ph : {&en, &zh}) {
      for (const auto& [name, spec] : *ph) {
        INFO("{" << name << (spec.empty() ? "" : ":" + spec) << "}");
        CHECK(declared_set.count(name) == 1);
        CHECK(known_specs.count(spec) == 1);
      }
    }
    // Every declared parameter is shown in English (or belongs to a nested message), and what
    // English shows Chinese shows too (English plurals aside).
    std::set<std::string> nested_params;
    for (const auto& [name, spec] : en) {
      if (spec != "msg") continue;
      for (const MessageTemplate& inner : MessageTemplates()) {
        for (const std::string& p : Split(inner.params)) nested_params.insert(p);
      }
    }
    for (const std::string& name : declared) {
      INFO("parameter " << name);
      CHECK((en.count(name) > 0 || nested_params.count(name) > 0));
      bool shown_en = false;
      for (auto [a, b] = en.equal_range(name); a != b; ++a) shown_en = shown_en || a->second != "s";
      if (shown_en) CHECK(zh.count(name) > 0);
    }
    for (const auto& [name, spec] : zh) CHECK(spec != "s");  // no English plurals in Chinese
    // Both render with sample parameters.
    MessageParams params = Sample(t);
    const Message m = Msg(std::string(t.code), params);
    CHECK_NOTHROW(m.Render(Lang::kEn));
    CHECK_NOTHROW(m.Render(Lang::kZh));
    CHECK(m.Render(Lang::kZh).find('{') == std::string::npos);
  }
}

TEST_CASE("the sources write only codes of the messages table") {
  std::set<std::string> codes, prefixes;
  for (const MessageTemplate& t : MessageTemplates()) {
    codes.insert(std::string(t.code));
    prefixes.insert(std::string(t.code.substr(0, t.code.find('.'))));
  }
  // A string literal that looks like a code of the table (a known prefix, a dot, a name) must be
  // one: a misspelt code would throw at the moment the message is needed.
  static const std::regex literal(R"re("([a-z0-9_]+)\.([a-z0-9_.]*[a-z0-9_])")re");
  std::set<std::string> used;
  size_t files = 0;
  for (const char* dir : {"graph", "ingest", "matcher", "server"}) {
    for (const auto& entry :
         std::filesystem::directory_iterator(std::filesystem::path(SOURCE_DIR) / dir)) {
      if (entry.path().extension() != ".cc" || entry.path().filename() == "messages.cc") continue;
      if (entry.path().filename() == "reasons.cc") continue;  // the reasons' own table
      ++files;
      std::ifstream in(entry.path());
      std::stringstream text;
      text << in.rdbuf();
      const std::string s = text.str();
      for (auto it = std::sregex_iterator(s.begin(), s.end(), literal);
           it != std::sregex_iterator(); ++it) {
        const std::string prefix = (*it)[1], code = prefix + "." + std::string((*it)[2]);
        if (!prefixes.count(prefix)) continue;
        INFO(entry.path().filename().string() << ": " << code);
        CHECK(codes.count(code) == 1);
        used.insert(code);
      }
    }
  }
  CHECK(files > 20);
  // The table holds no dead rows: every code is written somewhere (or nested by a template).
  for (const std::string& code : codes) {
    bool nested = false;
    for (const MessageTemplate& t : MessageTemplates())
      nested = nested || t.en.find(code) != std::string_view::npos;
    INFO(code);
    CHECK((used.count(code) == 1 || nested));
  }
}

TEST_CASE("errors carry a code and render in either language, English as before") {
  Error e(ErrorCode::kNotFound, Msg("lookup.not_found", {{"what", "enterprise"}, {"text", "某某"}}),
          {"a", "b"});
  CHECK(std::string(e.what()) == "no enterprise '某某'");
  CHECK(e.Text(Lang::kEn) == "no enterprise '某某'");
  CHECK(e.Text(Lang::kZh) == "找不到企业“某某”");
  CHECK(e.message().code == "lookup.not_found");

  json doc = report::ErrorJson(e, Lang::kZh);
  CHECK(doc["error"]["code"] == "not found");
  CHECK(doc["error"]["message_code"] == "lookup.not_found");
  CHECK(doc["error"]["params"]["text"] == "某某");
  CHECK(doc["error"]["message"] == "找不到企业“某某”");
  CHECK(report::ErrorJson(e)["error"]["message"] == "no enterprise '某某'");

  // A text without a template stays as it is in both languages, and has no code.
  Error plain(ErrorCode::kIo, "SQLite: disk I/O error");
  CHECK(plain.Text(Lang::kZh) == "SQLite: disk I/O error");
  CHECK(!report::ErrorJson(plain, Lang::kZh)["error"].contains("message_code"));

  // Nested messages: the hint of a database that cannot be opened.
  Error db(ErrorCode::kIo, Msg("db.cannot_open", {{"path", "/x/y.db"},
                                                  {"detail", "unable to open database file"},
                                                  {"hint", "db.hint_no_folder"},
                                                  {"folder", "/x"}}));
  CHECK(std::string(db.what()) ==
        "/x/y.db: cannot open database: unable to open database file (no such folder /x)");
  CHECK(db.Text(Lang::kZh) ==
        "/x/y.db：无法打开数据库：unable to open database file（文件夹 /x 不存在）");

  CHECK(Msg("option.range", {{"option", "top"}, {"min", "1"}, {"max", "10000"}, {"value", "0"}})
            .Render(Lang::kEn) == "top must be between 1 and 10000, not 0");
}

TEST_CASE("a message with parameters that are not its template's does not render") {
  CHECK_THROWS_AS(Msg("lookup.not_found", {{"what", "enterprise"}}).Render(Lang::kEn), Error);
  CHECK_THROWS_AS(
      Msg("lookup.not_found", {{"what", "x"}, {"text", "y"}, {"extra", "z"}}).Render(Lang::kZh),
      Error);
  CHECK_THROWS_AS(Msg("no.such_code").Render(Lang::kEn), Error);
}

TEST_CASE("import problems keep their English reason and render in Chinese") {
  // The did-you-mean hints of an unknown reference and of a region written by its name.
  MessageParams ref = {{"hint", "hint.did_you_mean"},
                       {"meant", "endo.cmos"},
                       {"kinds", "segment"},
                       {"key", "endo.cmso"}};
  ingest::Problem p = ingest::MakeProblem("bundle/supplies.csv", 3, Msg("import.unknown_ref", ref));
  CHECK(p.reason == "unknown segment 'endo.cmso' (did you mean endo.cmos)");
  CHECK(p.ToString() ==
        "bundle/supplies.csv:3: unknown segment 'endo.cmso' (did you mean endo.cmos)");
  CHECK(p.code == "import.unknown_ref");
  CHECK(p.ToString(Lang::kZh) ==
        "bundle/supplies.csv:3：未知的环节“endo.cmso”（是否想写 endo.cmos）");

  MessageParams two = {{"hint", ""}, {"meant", ""}, {"kinds", "segment|enterprise"}, {"key", "x"}};
  CHECK(Msg("import.unknown_ref", two).Render(Lang::kEn) == "unknown segment or enterprise 'x'");
  CHECK(Msg("import.unknown_ref", two).Render(Lang::kZh) == "未知的环节或企业“x”");

  MessageParams region = {
      {"hint", "hint.region_name"}, {"meant", "330122"}, {"text", "桐庐县"}, {"region", "桐庐县"}};
  CHECK(Msg("import.no_region", region).Render(Lang::kEn) ==
        "region '桐庐县' does not exist (a region is written by its code; '桐庐县' is the name of "
        "330122)");
  CHECK(Msg("import.no_region", region).Render(Lang::kZh) ==
        "地区“桐庐县”不存在（地区须写代码；“桐庐县”是 330122 的名称）");

  // A problem without a code (a reason from elsewhere) is the same in both languages but for the
  // separator.
  ingest::Problem plain{"f.csv", 0, "something", {}, {}};
  CHECK(plain.ToString(Lang::kEn) == "f.csv: something");
  CHECK(plain.ToString(Lang::kZh) == "f.csv：something");
}
