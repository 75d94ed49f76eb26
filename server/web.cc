#include "server/web.h"

#include <event2/http.h>
#include <event2/keyvalq_struct.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <ctime>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <set>
#include <sstream>

#include "graph/error.h"
#include "graph/utf8.h"
#include "server/export.h"
#include "server/reasons.h"
#include "server/report.h"

namespace chainatlas::service {
namespace {

using json = nlohmann::json;

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}
[[noreturn]] void Invalid(const char* code, MessageParams params) {
  throw Error(ErrorCode::kInvalidArgument, Msg(code, std::move(params)));
}

// The options of one API call: each read at most once; whatever is left unread is an unknown
// option, named in the error with the ones the command takes.
class Options {
 public:
  Options(const std::map<std::string, std::string>& given, size_t max_text)
      : given_(given), max_text_(max_text) {}

  std::string Text(const std::string& name, std::string fallback = "") {
    known_.insert(name);
    auto it = given_.find(name);
    if (it == given_.end()) return fallback;
    if (it->second.size() > max_text_) {
      Invalid("api.too_long", {{"name", name}, {"max", std::to_string(max_text_)}});
    }
    return it->second;
  }
  std::string Required(const std::string& name) {
    if (!given_.count(name)) Invalid("api.required", {{"name", name}});
    return Text(name);
  }
  // An integer; its range is the request's to check (server/requests.h).
  template <typename Int>
  Int Integer(const std::string& name, Int fallback) {
    known_.insert(name);
    auto it = given_.find(name);
    if (it == given_.end()) return fallback;
    Int v = 0;
    const std::string& s = it->second;
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || end != s.data() + s.size() || s.empty()) {
      Invalid("api.not_integer", {{"name", name}, {"value", s.substr(0, 40)}});
    }
    return v;
  }
  bool Flag(const std::string& name) {
    known_.insert(name);
    auto it = given_.find(name);
    if (it == given_.end()) return false;
    if (it->second == "" || it->second == "1" || it->second == "true") return true;
    if (it->second == "0" || it->second == "false") return false;
    Invalid("api.not_flag", {{"name", name}, {"value", it->second.substr(0, 40)}});
  }
  engine::RecOptions Rec() {
    engine::RecOptions o;
    o.within = Text("within");
    o.track = Text("track");
    o.top = Integer("top", o.top);
    o.scorer = Text("scorer", o.scorer);
    o.include_known = Flag("include_known");
    return o;
  }
  // After the call has read its options: any other is a mistake the caller should hear about.
  void CheckNoneLeft(const std::string& command) const {
    for (const auto& [name, value] : given_) {
      if (known_.count(name)) continue;
      std::string list;
      for (const auto& k : known_) list += (list.empty() ? "" : ", ") + k;
      if (list.empty())
        Invalid("api.unknown_option_none", {{"name", name.substr(0, 40)}, {"command", command}});
      Invalid("api.unknown_option",
              {{"name", name.substr(0, 40)}, {"command", command}, {"list", list}});
    }
  }

 private:
  const std::map<std::string, std::string>& given_;
  size_t max_text_;
  std::set<std::string> known_;
};

using Call = std::function<json(const engine::Engine&, Options&)>;

// The read commands with the CLI's option names and defaults (server/main.cc).
const std::vector<std::pair<std::string, Call>>& Calls() {
  static const std::vector<std::pair<std::string, Call>> calls = {
      {"stats",
       [](const engine::Engine& e, Options& o) {
         engine::StatsRequest r;
         r.region = o.Text("region");
         return report::ToJson(e.snapshot(), e.Stats(r));
       }},
      {"search",
       [](const engine::Engine& e, Options& o) {
         engine::SearchRequest r;
         r.text = o.Required("text");
         r.kind = o.Text("kind");
         r.limit = o.Integer("limit", r.limit);
         return report::ToJson(e.snapshot(), e.Search(r));
       }},
      {"show",
       [](const engine::Engine& e, Options& o) {
         o.Flag("all");  // the text output's option; the document always holds every relation
         engine::ShowRequest r;
         r.entity = o.Required("id");
         return report::ToJson(e.snapshot(), e.Show(r));
       }},
      {"chain",
       [](const engine::Engine& e, Options& o) {
         engine::ChainRequest r;
         r.region = o.Required("region");
         r.track = o.Text("track");
         return report::ToJson(e.snapshot(), e.Chain(r));
       }},
      {"gaps",
       [](const engine::Engine& e, Options& o) {
         engine::ChainRequest r;
         r.gaps_only = true;
         r.region = o.Required("region");
         r.track = o.Text("track");
         r.status = o.Text("status");
         return report::ToJson(e.snapshot(), e.Chain(r));
       }},
      {"partners",
       [](const engine::Engine& e, Options& o) {
         engine::PartnersRequest r;
         r.enterprise = o.Required("enterprise");
         r.role = o.Text("role", r.role);
         r.options = o.Rec();
         return report::ToJson(e.snapshot(), e.Partners(r));
       }},
      {"pairings",
       [](const engine::Engine& e, Options& o) {
         engine::PairingsRequest r;
         r.enterprise = o.Required("enterprise");
         r.kind = o.Text("kind", r.kind);
         r.options = o.Rec();
         return report::ToJson(e.snapshot(), e.Pairings(r));
       }},
      {"targets",
       [](const engine::Engine& e, Options& o) {
         engine::TargetsRequest r;
         r.region = o.Required("region");
         r.options = o.Rec();
         return report::ToJson(e.snapshot(), e.Targets(r));
       }},
      {"relatedness",
       [](const engine::Engine& e, Options& o) {
         engine::RelatednessRequest r;
         r.level = o.Text("level");
         r.track = o.Text("track");
         r.region = o.Text("region");
         r.top = o.Integer("top", r.top);
         return report::ToJson(e.snapshot(), e.Relatedness(r));
       }},
      {"leaders",
       [](const engine::Engine& e, Options& o) {
         engine::LeadersRequest r;
         r.region = o.Text("region");
         r.track = o.Text("track");
         r.top = o.Integer("top", r.top);
         r.scorer = o.Text("scorer", r.scorer);
         return report::ToJson(e.snapshot(), e.Leaders(r));
       }},
      {"recommend",
       [](const engine::Engine& e, Options& o) {
         engine::RecommendRequest r;
         r.recommender = o.Required("with");
         r.subject = o.Text("subject");
         r.options = o.Rec();
         return report::ToJson(e.snapshot(), e.Recommend(r));
       }},
      {"clusters",
       [](const engine::Engine& e, Options& o) {
         engine::ClustersRequest r;
         r.region = o.Text("region");
         r.seed = o.Integer("seed", r.seed);
         return report::ToJson(e.snapshot(), e.Clusters(r));
       }},
      {"indicators",
       [](const engine::Engine& e, Options& o) {
         // The CLI reads a targets file; the API reads no files, so it answers without targets.
         engine::IndicatorsRequest r;
         r.region = o.Required("region");
         return report::ToJson(e.snapshot(), e.Indicators(r));
       }},
  };
  return calls;
}

std::string Dump(const json& j) {
  return j.dump(2, ' ', false, json::error_handler_t::replace) + "\n";
}

const std::map<std::string, std::string>& ContentTypes() {
  static const std::map<std::string, std::string> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json; charset=utf-8"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".csv", "text/csv; charset=utf-8"}};
  return types;
}

constexpr uintmax_t kMaxStaticBytes = 16u << 20;
// An exported table's answer: the largest (relatedness of every county, top=0) is well below.
constexpr size_t kMaxExportBytes = 16u << 20;

WebAnswer NotFoundFile(const std::string& path) {
  return {
      404, "application/json; charset=utf-8",
      Dump(report::ErrorJson(Error(ErrorCode::kNotFound, "no such file: " + path.substr(0, 200))))};
}

// The embedded default bundle's source (data/manifest.json): its firms are invented. The console
// (web/js/app.js, ILLUSTRATIVE_SOURCES) shows its notice on the same rule.
constexpr const char* kIllustrativeSource = "zhejiang-medical-devices";

// Exports over HTTP: the Content-Disposition of the table the CLI's --format writes (a name made
// here, of letters, digits, '-', '.' and '_', and its UTF-8 form percent-encoded: nothing from the
// request reaches the header unescaped).
std::string Attachment(const std::string& command,
                       const std::map<std::string, std::string>& options,
                       const std::string& format) {
  std::string stem = command;
  for (const char* k : {"region", "enterprise", "track", "role", "kind", "level", "status"}) {
    auto it = options.find(k);
    if (it != options.end() && !it->second.empty()) stem += "-" + it->second.substr(0, 60);
  }
  std::string ascii, encoded;
  for (unsigned char ch : stem) {
    if (ch < 0x80 && (std::isalnum(ch) || ch == '-' || ch == '.' || ch == '_')) {
      ascii += static_cast<char>(ch);
      encoded += static_cast<char>(ch);
      continue;
    }
    if (ascii.empty() || ascii.back() != '_') ascii += '_';  // one for a run (a Chinese name)
    static const char* hex = "0123456789ABCDEF";
    encoded += '%';
    encoded += hex[ch >> 4];
    encoded += hex[ch & 15];
  }
  return "attachment; filename=\"" + ascii + "." + format + "\"; filename*=UTF-8''" + encoded +
         "." + format;
}

// The provenance rows above an exported table: where the data came from (the provenance of the
// region or enterprise asked about), when and how it was exported, and the illustrative-data
// notice the CLI's export writes for the default dataset.
std::vector<std::string> ExportProvenance(const engine::Engine& engine, const std::string& command,
                                          const std::map<std::string, std::string>& options) {
  std::vector<std::string> rows;
  json shown;
  for (const char* k : {"region", "enterprise"}) {
    auto it = options.find(k);
    if (it == options.end() || it->second.empty()) continue;
    try {
      engine::ShowRequest r;
      r.entity = std::string(k) == "region" && it->second.find(':') == std::string::npos
                     ? "region:" + it->second
                     : it->second;
      shown = report::ToJson(engine.snapshot(), engine.Show(r));
    } catch (const Error&) {
      // A region named by name rather than code: the data's file name below.
    }
    break;
  }
  const json p = shown.is_object() ? shown.value("provenance", json()) : json();
  std::string source;
  if (p.is_object()) {
    source = p.value("source", "");
    rows.push_back("数据 (data): " + source + ", 导入 (imported) " + p.value("imported_at", "") +
                   ", #" + std::to_string(p.value("import", 0)));
  } else {
    rows.push_back("数据 (data): " + engine.state().database().filename().string());
  }
  std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::string request = "/api/v1/" + command;
  char sep = '?';
  for (const auto& [k, v] : options) {
    request += sep + k + "=" + v;
    sep = '&';
  }
  rows.push_back(std::string("导出 (exported): ") + when + ", chainatlas API");
  rows.push_back("请求 (request): " + request.substr(0, 1000));
  bool illustrative = source == kIllustrativeSource ||
                      (shown.is_object() && shown["node"].value("illustrative", false));
  if (illustrative || (!p.is_object() && engine.state().database().filename() == "default.db")) {
    rows.push_back(
        "示例数据：默认数据集中的企业为虚构 (illustrative data: the default dataset's firms are "
        "invented)");
  }
  return rows;
}

}  // namespace

const std::vector<std::string>& ApiCommands() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> out;
    for (const auto& [name, call] : Calls()) out.push_back(name);
    return out;
  }();
  return names;
}

std::map<std::string, std::string> ParseQuery(const std::string& query) {
  std::map<std::string, std::string> out;
  if (query.empty()) return out;
  if (query.find('\0') != std::string::npos || query.find("%00") != std::string::npos) {
    Invalid("the query holds a NUL character");
  }
  evkeyvalq pairs;
  pairs.tqh_first = nullptr;  // TAILQ_INIT
  pairs.tqh_last = &pairs.tqh_first;
  if (evhttp_parse_query_str(query.c_str(), &pairs) != 0) {
    evhttp_clear_headers(&pairs);
    Invalid("malformed query string");
  }
  std::string repeated;
  bool utf8 = true;
  for (evkeyval* kv = pairs.tqh_first; kv; kv = kv->next.tqe_next) {
    std::string key = kv->key, value = kv->value ? kv->value : "";
    utf8 = utf8 && IsValidUtf8(key) && IsValidUtf8(value);
    if (!out.emplace(std::move(key), std::move(value)).second) repeated = kv->key;
  }
  evhttp_clear_headers(&pairs);
  if (!utf8) Invalid("the query is not valid UTF-8 once decoded");
  if (!repeated.empty() && IsValidUtf8(repeated)) {
    Invalid("option '" + repeated.substr(0, 40) + "' given twice");
  }
  return out;
}

std::pair<std::string, std::string> SplitTarget(const std::string& target) {
  size_t q = target.find('?');
  std::string raw = target.substr(0, q);
  std::string query = q == std::string::npos ? "" : target.substr(q + 1);
  size_t n = 0;
  char* decoded = evhttp_uridecode(raw.c_str(), 0, &n);
  if (!decoded) Invalid("malformed path");
  std::string path(decoded, n);
  std::free(decoded);
  if (path.find('\0') != std::string::npos) Invalid("the path holds a NUL character");
  if (!IsValidUtf8(path)) Invalid("the path is not valid UTF-8 once decoded");
  return {path, query};
}

WebAnswer ApiAnswer(const engine::Engine& engine, const std::string& command,
                    const std::map<std::string, std::string>& options, size_t max_text) {
  Lang error_lang = Lang::kEn;  // the language of an error's message: lang= once it is read
  try {
    for (const auto& [name, call] : Calls()) {
      if (name != command) continue;
      Options o(options, max_text);
      // lang=zh|en (default en), as the CLI's --lang: the language of the reasons (why) and of
      // the errors' messages.
      const std::string lang = o.Text("lang", "en");
      if (lang != "zh" && lang != "en") Invalid("api.lang", {{"value", lang.substr(0, 40)}});
      error_lang = lang == "zh" ? Lang::kZh : Lang::kEn;
      // format=json (default), or csv|xlsx: the document's table as the CLI's --format writes it.
      const std::string format = o.Text("format", "json");
      if (format != "json" && format != "csv" && format != "xlsx") {
        Invalid("api.format", {{"value", format.substr(0, 40)}});
      }
      if (format != "json" && !report::Exportable(command)) {
        Invalid("api.no_table", {{"format", format}, {"command", command}});
      }
      json j = call(engine, o);
      o.CheckNoneLeft(command);
      report::LocaliseReasons(j, lang == "zh" ? report::Lang::kZh : report::Lang::kEn);
      if (format == "json") return {200, "application/json; charset=utf-8", Dump(j)};
      std::string bytes = report::TableBytes(report::TableOf(command, j),
                                             ExportProvenance(engine, command, options), format);
      if (bytes.size() > kMaxExportBytes) {
        Invalid("api.table_too_large", {{"format", format},
                                        {"size", std::to_string(bytes.size() >> 20)},
                                        {"max", std::to_string(kMaxExportBytes >> 20)}});
      }
      const char* type = format == "xlsx"
                             ? "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
                             : "text/csv; charset=utf-8";
      return {200, type, std::move(bytes), Attachment(command, options, format)};
    }
    std::string list;
    for (const auto& name : ApiCommands()) list += (list.empty() ? "" : ", ") + name;
    throw Error(ErrorCode::kNotFound,
                "unknown command '" + command.substr(0, 40) + "'; commands: " + list);
  } catch (const Error& e) {
    int status = e.code() == ErrorCode::kInvalidArgument ? 400
                 : e.code() == ErrorCode::kNotFound      ? 404
                                                         : 500;
    return {status, "application/json; charset=utf-8", Dump(report::ErrorJson(e, error_lang))};
  } catch (const std::exception& e) {
    return {500, "application/json; charset=utf-8",
            Dump(report::ErrorJson(
                Error(ErrorCode::kInternal, std::string("internal error: ") + e.what())))};
  }
}

WebAnswer StaticAnswer(const std::filesystem::path& web_root, const std::string& path) {
  namespace fs = std::filesystem;
  std::error_code ec;
  fs::path root = fs::weakly_canonical(web_root, ec);
  if (ec) return NotFoundFile(path);
  fs::path file;
  if (path == "/" || path.empty()) {
    file = root / "index.html";
  } else if (path == "/vendor/echarts.min.js") {
    file = root.parent_path() / "node_modules" / "echarts" / "dist" / "echarts.min.js";
  } else {
    fs::path rel = fs::path(path.substr(1)).lexically_normal();
    if (path[0] != '/' || rel.empty() || rel.is_absolute() || *rel.begin() == "..") {
      return NotFoundFile(path);
    }
    file = root / rel;
    // Inside the folder once links are followed.
    fs::path real = fs::weakly_canonical(file, ec);
    if (ec) return NotFoundFile(path);
    auto [end, unused] = std::mismatch(root.begin(), root.end(), real.begin(), real.end());
    if (end != root.end()) return NotFoundFile(path);
    file = real;
  }
  auto type = ContentTypes().find(file.extension().string());
  if (type == ContentTypes().end() || !fs::is_regular_file(file, ec)) return NotFoundFile(path);
  uintmax_t size = fs::file_size(file, ec);
  if (ec || size > kMaxStaticBytes) return NotFoundFile(path);
  std::ifstream in(file, std::ios::binary);
  std::ostringstream body;
  body << in.rdbuf();
  if (!in && !in.eof()) return NotFoundFile(path);
  return {200, type->second, body.str()};
}

}  // namespace chainatlas::service
