// chainatlas: the command line. Parses options, opens the store, calls one engine function per
// command and prints the result as text or as exactly one JSON document (--json). Errors are
// translated here, once.
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <cmath>
#include <ctime>
#include <fstream>
#include <functional>
#include <iomanip>
#include <iostream>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <sstream>

#include "graph/error.h"
#include "graph/lookup.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "ingest/ckg.h"
#include "ingest/default_db.h"
#include "ingest/export.h"
#include "ingest/importer.h"
#include "ingest/store.h"
#include "matcher/analytics.h"
#include "server/engine.h"
#include "server/export.h"
#include "server/reasons.h"
#include "server/import_report.h"
#include "server/report.h"
#include "server/service.h"

namespace ca = chainatlas;
namespace ingest = chainatlas::ingest;
using json = nlohmann::json;

namespace {

struct Common {
  std::string db;
  bool json = false;
  std::string format, output;  // table exports: csv or xlsx, to this file
  std::string command, line;   // the subcommand and the whole command line (provenance)
  bool zh = false;             // --lang zh: the text, the reasons (why) and the errors in Chinese
  ca::Lang lang() const { return zh ? ca::Lang::kZh : ca::Lang::kEn; }
};

// The language: --lang, else the locale (LC_ALL, then LC_MESSAGES, then LANG): zh_* is Chinese.
bool ChineseByDefault() {
  for (const char* var : {"LC_ALL", "LC_MESSAGES", "LANG"}) {
    const char* v = std::getenv(var);
    if (v && *v) return std::string(v).rfind("zh", 0) == 0;
  }
  return false;
}

// The language asked for: `lang` when --lang was read, else --lang on the command line (before
// or without a successful parse), else the locale.
ca::Lang AskedLanguage(int argc, char** argv, std::string lang) {
  for (int i = 1; i + 1 < argc && lang.empty(); ++i) {
    if (std::string(argv[i]) == "--lang") lang = argv[i + 1];
  }
  for (int i = 1; i < argc && lang.empty(); ++i) {
    if (std::string(argv[i]).rfind("--lang=", 0) == 0) lang = std::string(argv[i]).substr(7);
  }
  return lang == "zh" || (lang != "en" && ChineseByDefault()) ? ca::Lang::kZh : ca::Lang::kEn;
}

std::filesystem::path DatabasePath(const Common& c) {
  if (!c.db.empty()) return c.db;
  const char* data = std::getenv("CHAINATLAS_DATA_DIR");
  const char* db = std::getenv("CHAINATLAS_DEFAULT_DB");
  return ingest::EnsureDefaultDatabase(data ? data : CHAINATLAS_DATA_DIR,
                                       db ? db : CHAINATLAS_DEFAULT_DB);
}

// Read commands open an existing database; a missing file is an error, not a new empty store.
std::unique_ptr<ingest::Store> OpenForReading(const Common& c) {
  std::filesystem::path path = DatabasePath(c);
  if (!std::filesystem::exists(path)) {
    throw ca::Error(ca::ErrorCode::kNotFound,
                    ca::Msg("db.no_such_database", {{"path", path.string()}}));
  }
  return std::make_unique<ingest::Store>(path, /*read_only=*/true);
}

// Text from input (a quoted cell, a file name) may hold bytes that are not UTF-8: they are written
// as U+FFFD rather than failing the whole document.
void PrintJson(const json& j) {
  std::cout << j.dump(2, ' ', false, json::error_handler_t::replace) << "\n";
}

// An import's JSON report. The import is over (committed or rejected) when this runs: a failure
// to write the report is said on stderr and does not change the exit code, which tells what
// happened to the database.
int PrintImportJson(const std::function<json()>& report, bool accepted, ca::Lang lang) {
  try {
    PrintJson(report());
  } catch (const std::exception& e) {
    std::cerr << "chainatlas: "
              << ca::Msg("import.report_unwritable",
                         {{"state", accepted ? "committed" : "rejected"}, {"detail", e.what()}})
                     .Render(lang)
              << "\n";
  }
  return accepted ? 0 : 1;
}

// ---- import ------------------------------------------------------------------------------------

struct ImportArgs {
  std::string path;
  std::string format = "bundle";  // bundle or ckg
  std::string regions_dir;        // ckg: GB/T 2260 tables
  bool skip_bad_rows = false;     // ckg: import the good rows, list the bad ones
  bool quirks = false;            // ckg: list every quirk (default: counts and 3 examples each)
};

int RunImport(const Common& c, const ImportArgs& a) {
  if (a.format != "ckg" && (!a.regions_dir.empty() || a.skip_bad_rows || a.quirks)) {
    throw ca::Error(ca::ErrorCode::kInvalidArgument, ca::Msg("import.ckg_only"));
  }
  if (c.db.empty()) {
    // The default database is rebuilt from data/ whenever data/ changes: an import into it would
    // be lost without a word.
    throw ca::Error(ca::ErrorCode::kInvalidArgument, ca::Msg("import.needs_db"));
  }
  std::filesystem::path path(c.db);
  // A rejected or failed import into a database that did not exist leaves no file behind.
  struct NewDatabase {
    std::filesystem::path path;
    bool created;
    bool keep = false;
    ~NewDatabase() {
      if (!created || keep) return;
      std::error_code ignored;
      for (const char* suffix : {"", "-wal", "-shm", "-journal"}) {
        std::filesystem::remove(path.string() + suffix, ignored);
      }
    }
  } fresh{path, !std::filesystem::exists(path)};
  ingest::Store store(path);
  ingest::ImportOptions options;
  const bool show_progress = !c.json && isatty(STDERR_FILENO);
  if (show_progress) {
    options.progress = [zh = c.zh](std::string_view stage, uint64_t done, uint64_t total) {
      // Stages: "entities", "relations" (writing), "read company.json" (ckg, reading).
      const bool reading = stage.rfind("read ", 0) == 0;
      if (zh) {
        std::cerr << (reading ? "\r  读取 " + std::string(stage.substr(5))
                              : "\r  写入" + ca::TermText(stage, ca::Lang::kZh))
                  << "：";
      } else {
        std::cerr << "\r  writing " << stage << ": ";
      }
      std::cerr << done << " / " << total << "   " << (done == total ? "\n" : "") << std::flush;
    };
  }
  if (a.format == "ckg") {
    ingest::CkgOptions ckg;
    ckg.regions_dir = a.regions_dir;
    ckg.skip_bad_rows = a.skip_bad_rows;
    ckg.import = options;
    ingest::CkgReport r = ingest::ImportCkg(store, a.path, ckg);
    fresh.keep = r.import.accepted;
    if (c.json) {
      return PrintImportJson([&] { return ca::report::CkgJson(r, path, c.lang()); },
                             r.import.accepted, c.lang());
    }
    return ca::report::PrintCkg(std::cout, std::cerr, r, path, a.quirks, c.lang());
  }
  ingest::ImportReport r = ingest::ImportBundle(store, a.path, options);
  fresh.keep = r.accepted;
  if (c.json)
    return PrintImportJson([&] { return ca::report::ImportJson(r, path, c.lang()); }, r.accepted,
                           c.lang());
  return ca::report::PrintImport(std::cout, std::cerr, r, path, "", c.lang());
}

// ---- stats -------------------------------------------------------------------------------------

// The read commands run on the engine (server/engine.h), the same code the Thrift service calls;
// this file only renders its JSON as text.
ca::engine::Engine OpenEngine(const Common& c) {
  return ca::engine::Engine(ca::engine::State::Load(DatabasePath(c)));
}

// Writes the document's main table to --output (server/export.h), with where it came from.
int ExportTable(const Common& c, const json& j) {
  namespace rep = ca::report;
  rep::Table table = rep::TableOf(c.command, j);
  std::time_t now = std::time(nullptr);
  char when[32];
  std::strftime(when, sizeof when, "%Y-%m-%d %H:%M UTC", std::gmtime(&now));
  std::vector<std::string> provenance = {
      "数据 (data): " + DatabasePath(c).string(),
      std::string("导出 (exported): ") + when + ", chainatlas " + CHAINATLAS_VERSION,
      "命令 (command): " + c.line};
  if (c.db.empty()) {
    provenance.push_back(
        "示例数据：默认数据集中的企业为虚构 (illustrative data: the default dataset's firms are "
        "invented)");
  }
  rep::WriteTable(table, provenance, c.format, c.output);
  std::cout << ca::Msg("export.wrote_table", {{"rows", std::to_string(table.rows.size())},
                                              {"title", table.title},
                                              {"path", c.output}})
                   .Render(c.lang())
            << "\n";
  return 0;
}

// The engine's answer to req, as its document.
template <typename Request, typename Answer>
json Ask(const Common& c, Answer (ca::engine::Engine::*method)(const Request&) const,
         const Request& req) {
  ca::engine::Engine engine = OpenEngine(c);
  return ca::report::ToJson(engine.snapshot(), (engine.*method)(req));
}

// Prints the document (or exports its table) with its reasons (`why`) in the chosen language.
int Emit(const Common& c, json& j, const std::function<void()>& text) {
  ca::report::LocaliseReasons(j, c.lang());
  if (!c.format.empty()) return ExportTable(c, j);
  if (c.json) {
    PrintJson(j);
  } else {
    text();
  }
  return 0;
}

void PrintPage(const Common& c, const json& j, ca::report::ItemsPage page) {
  ca::report::PrintRecommendation(std::cout, j, page, c.lang());
}

int RunStats(const Common& c, const ca::engine::StatsRequest& req) {
  ca::engine::Engine engine = OpenEngine(c);
  json j = ca::report::ToJson(engine.snapshot(), engine.Stats(req));
  return Emit(c, j, [&] { ca::report::PrintStats(std::cout, engine.snapshot(), j, c.lang()); });
}

// ---- show --------------------------------------------------------------------------------------

int RunShow(const Common& c, const ca::engine::ShowRequest& req, bool all) {
  json j = Ask(c, &ca::engine::Engine::Show, req);
  return Emit(c, j, [&] { ca::report::PrintShow(std::cout, j, all, c.lang()); });
}

// ---- search ------------------------------------------------------------------------------------

int RunSearch(const Common& c, const ca::engine::SearchRequest& req) {
  ca::engine::Engine engine = OpenEngine(c);
  json j = ca::report::ToJson(engine.snapshot(), engine.Search(req));
  return Emit(c, j, [&] {
    const ca::Snapshot& s = engine.snapshot();
    if (j["results"].empty())
      std::cout << ca::Msg("search.no_match", {{"text", req.text}}).Render(c.lang()) << "\n";
    for (const json& node : j["results"]) {
      std::cout << std::left << std::setw(28) << node["id"].get<std::string>() << " "
                << node["name"].get<std::string>();
      if (node.contains("region")) {
        ca::VertexId r = ca::ResolveEntity(s, "region:" + node["region"].get<std::string>(),
                                           ca::NodeKind::kRegion);
        std::cout << "  (" << s.Name(r) << ")";
      }
      std::cout << "\n";
    }
  });
}

// ---- export ------------------------------------------------------------------------------------

int RunExport(const Common& c, const std::string& format, const std::string& out_path) {
  auto store = OpenForReading(c);
  auto snap = store->LoadSnapshot();
  std::ofstream file;
  std::ostream* out = &std::cout;
  if (out_path != "-") {
    file.open(out_path, std::ios::binary);
    if (!file)
      throw ca::Error(ca::ErrorCode::kIo, ca::Msg("io.cannot_write", {{"path", out_path}}));
    out = &file;
  }
  if (format == "json") {
    ingest::WriteNodeLinkJson(*snap, *out, "chainatlas");
  } else {
    ingest::WriteGraphml(*snap, *out, "chainatlas");
  }
  out->flush();
  if (!*out) throw ca::Error(ca::ErrorCode::kIo, ca::Msg("io.write_failed", {{"path", out_path}}));
  if (out_path != "-") {
    std::cerr << ca::Msg("export.wrote_graph", {{"nodes", std::to_string(snap->NumVertices())},
                                                {"edges", std::to_string(snap->NumEdges())},
                                                {"path", out_path},
                                                {"format", format}})
                     .Render(c.lang())
              << "\n";
  }
  return 0;
}

// ---- analytics and recommendations --------------------------------------------------------------

using RecOptions = ca::engine::RecOptions;

// `T(en, zh)` picks the description in the language of --help.
template <typename Text>
void AddRecOptions(CLI::App* cmd, RecOptions& o, const Text& T, bool within = true) {
  if (within)
    cmd->add_option("--within", o.within,
                    T("only candidates in this region or below (several: comma-separated, e.g. "
                      "上海市,江苏省,杭州市)",
                      "只看这一地区及其下级的候选（多个地区用逗号分隔，如 上海市,江苏省,杭州市）"));
  cmd->add_option("--track", o.track,
                  T("only through segments of this track or segment (and below)",
                    "只经过这一赛道或环节（及其下级）"));
  cmd->add_option("--top", o.top,
                  T("at most this many items (1..10000)", "最多这么多条（1..10000）"));
  cmd->add_option("--scorer", o.scorer,
                  T("named weights: balanced (default), nearby, quality",
                    "权重方案：balanced（均衡，默认）、nearby（就近）、quality（质量）"));
  cmd->add_flag(
      "--include-known", o.include_known,
      T("also list partners already tied (marked known)", "也列出已有关系的伙伴（标为已知）"));
}

int RunPartners(const Common& c, const ca::engine::PartnersRequest& req) {
  json j = Ask(c, &ca::engine::Engine::Partners, req);
  return Emit(c, j, [&] { PrintPage(c, j, ca::report::ItemsPage::kPartners); });
}

int RunPairings(const Common& c, const ca::engine::PairingsRequest& req) {
  json j = Ask(c, &ca::engine::Engine::Pairings, req);
  return Emit(c, j, [&] { PrintPage(c, j, ca::report::ItemsPage::kPairings); });
}

int RunChain(const Common& c, const ca::engine::ChainRequest& req) {
  json j = Ask(c, &ca::engine::Engine::Chain, req);
  return Emit(c, j, [&] {
    ca::report::PrintGaps(std::cout, j, !req.gaps_only, !req.status.empty(), c.zh);
  });
}

int RunTargets(const Common& c, const ca::engine::TargetsRequest& req) {
  json j = Ask(c, &ca::engine::Engine::Targets, req);
  return Emit(c, j, [&] { PrintPage(c, j, ca::report::ItemsPage::kTargets); });
}

int RunRelatedness(const Common& c, const ca::engine::RelatednessRequest& req) {
  json j = Ask(c, &ca::engine::Engine::Relatedness, req);
  return Emit(c, j, [&] { ca::report::PrintRelatedness(std::cout, j, c.lang()); });
}

int RunLeaders(const Common& c, const ca::engine::LeadersRequest& req) {
  json j = Ask(c, &ca::engine::Engine::Leaders, req);
  return Emit(c, j, [&] { PrintPage(c, j, ca::report::ItemsPage::kLeaders); });
}

int RunRecommend(const Common& c, const ca::engine::RecommendRequest& req, bool list) {
  if (list) {
    json j = ca::report::RecommendersJson();
    if (c.json) {
      PrintJson(j);
      return 0;
    }
    ca::report::PrintRecommenders(std::cout, j, c.lang());
    return 0;
  }
  if (req.recommender.empty()) {
    throw ca::Error(ca::ErrorCode::kInvalidArgument, ca::Msg("api.required", {{"name", "with"}}));
  }
  json j = Ask(c, &ca::engine::Engine::Recommend, req);
  return Emit(c, j, [&] { PrintPage(c, j, ca::report::ItemsPage::kRecommend); });
}

int RunClusters(const Common& c, ca::engine::ClustersRequest req) {
  req.members_shown = c.json ? SIZE_MAX : 6;
  json j = Ask(c, &ca::engine::Engine::Clusters, req);
  return Emit(c, j, [&] { ca::report::PrintClusters(std::cout, j, c.lang()); });
}

int RunIndicators(const Common& c, ca::engine::IndicatorsRequest req,
                  const std::string& targets_file) {
  if (!targets_file.empty()) req.targets = ca::matcher::ReadTargets(targets_file);
  json j = Ask(c, &ca::engine::Engine::Indicators, req);
  return Emit(c, j, [&] { ca::report::PrintIndicators(std::cout, j, c.lang()); });
}

// ---- serve -------------------------------------------------------------------------------------

int RunServe(const Common& c, ca::service::ServeOptions o, const std::string& token_file) {
  if (!token_file.empty()) {
    std::ifstream in(token_file, std::ios::binary);
    if (!in)
      throw ca::Error(ca::ErrorCode::kIo,
                      ca::Msg("serve.token_unreadable", {{"path", token_file}}));
    std::getline(in, o.admin_token);
    while (!o.admin_token.empty() &&
           std::isspace(static_cast<unsigned char>(o.admin_token.back()))) {
      o.admin_token.pop_back();
    }
    if (o.admin_token.empty()) {
      throw ca::Error(ca::ErrorCode::kInvalidArgument,
                      ca::Msg("serve.token_empty", {{"path", token_file}}));
    }
  }
  o.database = DatabasePath(c);
  o.version = CHAINATLAS_VERSION;
  return ca::service::Serve(o, std::cerr);
}

// A usage error of CLI11 as a message of the table: its common kinds by their words, the others
// as a detail quoted in a sentence. The English is CLI11's text exactly.
ca::Message UsageMessage(const std::string& what) {
  static const std::vector<std::pair<std::regex, std::pair<const char*, std::vector<const char*>>>>
      kinds = [] {
        std::vector<std::pair<std::regex, std::pair<const char*, std::vector<const char*>>>> k;
        auto add = [&](const char* re, const char* code, std::vector<const char*> names) {
          k.push_back({std::regex(re), {code, std::move(names)}});
        };
        add(R"(^(\S+) is required$)", "usage.required", {"option"});
        add(R"(^(\S+) requires (\S+)$)", "usage.requires", {"option", "other"});
        add(R"(^(\S+): Value (.*) not in range (\S+) to (\S+)$)", "usage.range",
            {"option", "value", "min", "max"});
        add(R"(^(\S+): (.*) not in (\{.*\})$)", "usage.not_in", {"option", "value", "set"});
        add(R"(^The following argument was not expected: (.*)$)", "usage.unexpected_one", {"args"});
        add(R"(^The following arguments were not expected: (.*)$)", "usage.unexpected", {"args"});
        add(R"(^A subcommand is required$)", "usage.subcommand", {});
        return k;
      }();
  for (const auto& [re, kind] : kinds) {
    std::smatch m;
    if (!std::regex_match(what, m, re)) continue;
    ca::MessageParams params;
    for (size_t i = 0; i < kind.second.size(); ++i)
      params.push_back({kind.second[i], m[i + 1].str()});
    ca::Message message = ca::Msg(kind.first, std::move(params));
    if (message.Render(ca::Lang::kEn) == what) return message;
  }
  return ca::Msg("usage.cli", {{"detail", what}});
}

int ExitCodeFor(ca::ErrorCode code) {
  switch (code) {
    case ca::ErrorCode::kInvalidArgument: return 2;
    case ca::ErrorCode::kNotFound: return 3;
    case ca::ErrorCode::kInvalidData: return 4;
    case ca::ErrorCode::kIo: return 5;
    case ca::ErrorCode::kInternal: return 70;
  }
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  // --help speaks the language of the rest (--lang on the line, else the locale): read before
  // the options are declared, since their descriptions are.
  const bool zh_help = AskedLanguage(argc, argv, "") == ca::Lang::kZh;
  auto T = [zh_help](const char* en, const char* zh) { return std::string(zh_help ? zh : en); };
  CLI::App app{T("ChainAtlas: industry-chain graph and matchmaking engine",
                 "ChainAtlas：产业链图谱与招商对接引擎")};
  if (zh_help) {
    auto f = app.get_formatter();
    f->label("Usage", "用法");
    f->label("OPTIONS", "选项");
    f->label("SUBCOMMAND", "子命令");
    f->label("SUBCOMMANDS", "子命令");
    f->label("REQUIRED", "必填");
    f->label("Needs", "需要");
    f->label("Excludes", "不可同用");
    f->label("Positionals", "位置参数");
    f->label("Env", "环境变量");
    app.option_defaults()->group("选项");
  }
  app.set_help_flag("-h,--help", T("print this help and exit", "显示本帮助并退出"));
  app.set_version_flag("--version", std::string("chainatlas ") + CHAINATLAS_VERSION,
                       T("print the version and exit", "显示版本号并退出"));
  app.require_subcommand(1);
  app.fallthrough();  // --lang after the subcommand too
  Common common;
  std::string lang;
  app.add_option(
         "--lang", lang,
         T("zh or en: the text output, the reasons (why, text and --json), error messages, "
           "import problems and --help in Chinese or English (default: from LC_ALL / LANG, "
           "zh_* → zh)",
           "zh 或 en：文本输出、推荐理由（why，文本与 --json）、错误信息、导入问题和 --help "
           "使用中文或英文（默认取自 LC_ALL / LANG，zh_* 为中文）"))
      ->check(CLI::IsMember({"zh", "en"}));
  auto add_sub = [&](const char* name, const std::string& description) {
    CLI::App* cmd = app.add_subcommand(name, description);
    if (zh_help) {
      cmd->group("子命令");
      cmd->option_defaults()->group("选项");
      cmd->set_help_flag("-h,--help", T("print this help and exit", "显示本帮助并退出"));
    }
    return cmd;
  };
  auto add_common = [&](CLI::App* cmd, bool json_flag = true) {
    cmd->add_option(
        "--db", common.db,
        cmd->get_name() == "import"
            ? T("SQLite database to import into (required: the default database is rebuilt from "
                "data/)",
                "导入到的 SQLite 数据库（必填：默认数据库由 data/ 重建）")
            : T("SQLite database (default: the embedded default database, built from data/ on "
                "first use)",
                "SQLite 数据库（默认：内置默认数据库，首次使用时由 data/ 生成）"));
    if (json_flag)
      cmd->add_flag("--json", common.json,
                    T("print exactly one JSON document", "只输出一个 JSON 文档"));
  };
  // Table exports (gaps, chain, targets, partners, pairings, leaders, indicators, relatedness).
  auto add_export = [&](CLI::App* cmd) {
    auto* format = cmd->add_option(
                          "--format", common.format,
                          T("write the table to --output instead of printing: csv (UTF-8) or xlsx",
                            "把表格写入 --output 而不打印：csv（UTF-8）或 xlsx"))
                       ->check(CLI::IsMember({"csv", "xlsx"}));
    auto* output = cmd->add_option("--output", common.output,
                                   T("the file --format writes", "--format 写入的文件"));
    format->needs(output);
    output->needs(format);
  };

  ImportArgs import_args;
  auto* import = add_sub("import", T("import a bundle (docs/bundle-format.md) or "
                                     "ChainKnowledgeGraph (docs/ckg-import.md), all or nothing",
                                     "导入数据包（docs/bundle-format.md）或 ChainKnowledgeGraph"
                                     "（docs/ckg-import.md），全部成功或全部不变"));
  add_common(import);
  import
      ->add_option("PATH", import_args.path,
                   T("bundle folder or its manifest.json; with --format ckg, the folder of the "
                     "eight JSON-lines files",
                     "数据包文件夹或其 manifest.json；--format ckg 时为八个 JSON-lines 文件所在的"
                     "文件夹"))
      ->required();
  import
      ->add_option("--format", import_args.format,
                   T("bundle (default) or ckg", "bundle（默认，数据包）或 ckg"))
      ->check(CLI::IsMember({"bundle", "ckg"}));
  import
      ->add_option("--regions", import_args.regions_dir,
                   T("ckg: folder of GB/T 2260 tables (provinces.csv, cities.csv, areas.csv) to "
                     "place companies by name",
                     "ckg：GB/T 2260 行政区划表所在文件夹（provinces.csv、cities.csv、areas.csv），"
                     "按企业名称推断所在地"))
      ->check(CLI::ExistingDirectory);
  import->add_flag("--skip-bad-rows", import_args.skip_bad_rows,
                   T("ckg: import the good rows and list the bad ones (default: any bad row "
                     "rejects the import)",
                     "ckg：导入正确的行并列出错误的行（默认：任何错误行都会拒绝整个导入）"));
  import->add_flag("--quirks", import_args.quirks,
                   T("ckg: list every quirk handled (default: counts and 3 examples each)",
                     "ckg：列出处理过的每一处数据瑕疵（默认：每类计数并举 3 例）"));

  const std::string region_help = T("region (code, id or exact name)",
                                    "地区（代码、编号或完整名称）");
  const std::string track_help = T("track id or name (default: every track)",
                                   "赛道编号或名称（默认：全部赛道）");
  auto* stats = add_sub("stats", T("counts per node and edge kind, per region and per track",
                                   "按节点与关系类型、地区和赛道统计数量"));
  add_common(stats);
  ca::engine::StatsRequest stats_req;
  stats->add_option(
      "--region", stats_req.region,
      T("focus on one region (code, id or exact name)", "只看一个地区（代码、编号或完整名称）"));

  ca::engine::ShowRequest show_req;
  bool all = false;
  auto* show = add_sub("show", T("one entity with its attributes, provenance and relations",
                                 "查看一个实体的属性、来源和关系"));
  add_common(show);
  show->add_option(
          "ID", show_req.entity,
          T("kind:key, key, USCC or exact name", "类型:编号、编号、统一社会信用代码或完整名称"))
      ->required();
  show->add_flag("--all", all,
                 T("list every relation (text output shows 15 per kind)",
                   "列出全部关系（文本输出每类显示 15 条）"));

  ca::engine::SearchRequest search_req;
  auto* search = add_sub("search", T("find entities by name substring, key or USCC",
                                     "按名称片段、编号或统一社会信用代码查找实体"));
  add_common(search);
  search
      ->add_option("TEXT", search_req.text,
                   T("part of a name, a key or a USCC", "名称的一部分、编号或统一社会信用代码"))
      ->required();
  search->add_option("--kind", search_req.kind, T("only this node kind", "只查这一类节点"))
      ->check(CLI::IsMember(
          {"region", "track", "segment", "enterprise", "hospital", "institution", "platform"}));
  search->add_option("--limit", search_req.limit,
                     T("at most this many results (1..10000)", "最多返回这么多条结果（1..10000）"));

  std::string format = "json", out_path;
  auto* exp = add_sub("export", T("write the graph as NetworkX node-link JSON or GraphML",
                                  "把图谱导出为 NetworkX node-link JSON 或 GraphML"));
  add_common(exp, false);
  exp->add_option("--format", format,
                  T("json (NetworkX node-link) or graphml", "json（NetworkX node-link）或 graphml"))
      ->check(CLI::IsMember({"json", "graphml"}));
  exp->add_option("OUT", out_path,
                  T("output file, - for standard output", "输出文件，- 表示标准输出"))
      ->required();

  ca::engine::ChainRequest chain_req, gaps_req;
  gaps_req.gaps_only = true;
  auto* chain = add_sub(
      "chain", T("chain panorama of a region: the segment tree with local makers, local demand "
                 "and status",
                 "地区产业链全景：环节树及本地生产企业、本地需求和链条状态"));
  add_common(chain);
  add_export(chain);
  chain->add_option("--region", chain_req.region, region_help)->required();
  chain->add_option("--track", chain_req.track, track_help);

  auto* gaps = add_sub(
      "gaps", T("chain gaps of a region: missing, weak, extension (and strong) segments with "
                "evidence",
                "地区产业链缺口：缺链、弱链、延链（及强链）环节及其依据"));
  add_common(gaps);
  add_export(gaps);
  gaps->add_option("--region", gaps_req.region, region_help)->required();
  gaps->add_option("--track", gaps_req.track, track_help);
  gaps->add_option("--status", gaps_req.status,
                   T("only this status: missing (缺链), weak (弱链), strong (强链), extension "
                     "(延链), absent (未涉及)",
                     "只看这一状态：缺链（missing）、弱链（weak）、强链（strong）、延链"
                     "（extension）、未涉及（absent）"));

  ca::engine::PartnersRequest partners_req;
  ca::engine::PairingsRequest pairings_req;
  ca::engine::TargetsRequest targets_req;
  const std::string enterprise_help = T("enterprise id, USCC or exact name",
                                        "企业编号、统一社会信用代码或完整名称");
  auto* partners = add_sub("partners",
                           T("supply-chain partners for an enterprise: suppliers, customers, peers",
                             "为企业推荐供应链伙伴：供应商、客户、同行"));
  add_common(partners);
  add_export(partners);
  partners->add_option("--enterprise", partners_req.enterprise, enterprise_help)->required();
  partners->add_option("--role", partners_req.role,
                       T("supplier (default), customer or peer",
                         "supplier（供应商，默认）、customer（客户）或 peer（同行）"));
  AddRecOptions(partners, partners_req.options, T);

  auto* pairings = add_sub(
      "pairings",
      T("产学研医 pairings for an enterprise: universities, hospitals, platforms, triads",
        "为企业推荐产学研医对接：高校、医院、服务平台、高校+医院"));
  add_common(pairings);
  add_export(pairings);
  pairings->add_option("--enterprise", pairings_req.enterprise, enterprise_help)->required();
  pairings->add_option("--kind", pairings_req.kind,
                       T("university (default), hospital, platform or triad",
                         "university（高校，默认）、hospital（医院）、platform（服务平台）或 triad"
                         "（高校+医院）"));
  AddRecOptions(pairings, pairings_req.options, T);

  auto* targets = add_sub(
      "targets", T("investment-attraction targets for a region: who makes its gap segments "
                   "elsewhere",
                   "地区招商目标：外地哪些企业生产本地缺口环节"));
  add_common(targets);
  add_export(targets);
  targets->add_option("--region", targets_req.region, region_help)->required();
  AddRecOptions(targets, targets_req.options, T);

  ca::engine::RelatednessRequest relatedness_req;
  auto* relatedness = add_sub(
      "relatedness", T("RCA, proximity, density, distance, PCI/ECI and opportunity gain of "
                       "regions x segments",
                       "地区 × 环节的显性比较优势（RCA）、邻近度、密度、距离、PCI/ECI 和机会收益"));
  add_common(relatedness);
  add_export(relatedness);
  relatedness->add_option("--level", relatedness_req.level,
                          T("county, city or province (default: the --region's level, else "
                            "county)",
                            "county（区县）、city（地市）或 province（省）（默认：--region 的"
                            "层级，否则区县）"));
  relatedness->add_option("--track", relatedness_req.track,
                          T("only the segments of this track", "只看这一赛道的环节"));
  relatedness->add_option("--region", relatedness_req.region,
                          T("only this region's row", "只看这一地区的一行"));
  relatedness->add_option(
      "--top", relatedness_req.top,
      T("per region, at most this many segments it lacks (0: all; at most 10000)",
        "每个地区最多列出这么多个缺少的环节（0：全部；最多 10000）"));

  const std::string region_filter_help = T("only enterprises in this region (default: everywhere)",
                                           "只看这一地区的企业（默认：全部地区）");
  auto* leaders = add_sub(
      "leaders", T("chain leaders (链主): supply-network PageRank, local dependants, segment share",
                   "链主企业：供应网络 PageRank、本地依附企业、环节份额"));
  add_common(leaders);
  add_export(leaders);
  ca::engine::LeadersRequest leaders_req;
  leaders->add_option("--region", leaders_req.region, region_filter_help);
  leaders->add_option(
      "--track", leaders_req.track,
      T("only through segments of this track or segment", "只经过这一赛道或环节（及其下级）"));
  leaders->add_option("--top", leaders_req.top,
                      T("at most this many (1..10000)", "最多这么多个（1..10000）"));
  leaders->add_option("--scorer", leaders_req.scorer,
                      T("named weights: balanced (default), nearby, quality",
                        "权重方案：balanced（均衡，默认）、nearby（就近）、quality（质量）"));

  ca::engine::RecommendRequest recommend_req;
  bool list_recommenders = false;
  auto* recommend = add_sub(
      "recommend", T("any recommender by name (--list shows them: suppliers, universities, "
                     "targets, leaders, ...)",
                     "按名称调用任一推荐器（--list 列出全部：suppliers、universities、targets、"
                     "leaders 等）"));
  add_common(recommend);
  auto* with = recommend->add_option("--with", recommend_req.recommender,
                                     T("the recommender (see --list)", "推荐器名称（见 --list）"));
  recommend->add_option("--subject", recommend_req.subject,
                        T("the enterprise or region it recommends for (id, key or name)",
                          "为之推荐的企业或地区（编号、代码或名称）"));
  recommend
      ->add_flag("--list", list_recommenders,
                 T("list the recommenders with their measures", "列出推荐器及其度量"))
      ->excludes(with);
  AddRecOptions(recommend, recommend_req.options, T);

  ca::engine::ClustersRequest clusters_req;
  auto* clusters = add_sub("clusters",
                           T("Louvain communities of the enterprise network, with modularity",
                             "企业网络的 Louvain 社区划分及模块度"));
  add_common(clusters);
  clusters->add_option("--region", clusters_req.region, region_filter_help);
  clusters->add_option("--seed", clusters_req.seed,
                       T("the visiting order's seed (same seed, same answer)",
                         "访问顺序的随机种子（种子相同，结果相同）"));

  std::string targets_file;
  auto* indicators = add_sub("indicators",
                             T("plan indicators of a region against targets from a file",
                               "地区规划指标与文件中目标值的对比"));
  add_common(indicators);
  add_export(indicators);
  ca::engine::IndicatorsRequest indicators_req;
  indicators->add_option("--region", indicators_req.region, region_help)->required();
  indicators->add_option("--targets", targets_file,
                         T("CSV indicator,target[,note] (data/targets/ has examples)",
                           "CSV：indicator,target[,note]（示例见 data/targets/）"));

  ca::service::ServeOptions serve_options;
  std::string token_file;
  auto* serve = add_sub("serve",
                        T("serve the read commands over Thrift: framed binary, and JSON over HTTP "
                          "(docs/service.md)",
                          "以 Thrift 服务提供各查询命令：分帧二进制协议，以及 HTTP 上的 JSON"
                          "（docs/service.md）"));
  add_common(serve, false);
  serve->add_option("--host", serve_options.host,
                    T("address to listen on (default 127.0.0.1: loopback only)",
                      "监听地址（默认 127.0.0.1：仅本机）"));
  serve
      ->add_option("--port", serve_options.port,
                   T("binary protocol, framed transport (default 9090; 0: any free port)",
                     "二进制协议、分帧传输的端口（默认 9090；0：任一空闲端口）"))
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option("--http-port", serve_options.http_port,
                   T("HTTP on this port: the console at /, the JSON API at /api/v1/, Thrift's "
                     "JSON protocol at POST /thrift (default: none; 0: any free port)",
                     "HTTP 端口：/ 为控制台，/api/v1/ 为 JSON 接口，POST /thrift 为 Thrift JSON "
                     "协议（默认：不开启；0：任一空闲端口）"))
      ->check(CLI::Range(0, 65535));
  serve
      ->add_option(
          "--threads", serve_options.threads,
          T("worker threads (default: the number of cores)", "工作线程数（默认：CPU 核数）"))
      ->check(CLI::Range(1, 256));
  serve->add_option("--admin-token-file", token_file,
                    T("file holding the token reload requires (without it, reload is refused)",
                      "存放 reload 所需令牌的文件（没有它则拒绝 reload）"));
  serve
      ->add_option(
          "--model", serve_options.model,
          T("server model: nonblocking (default) or threaded (for comparison)",
            "服务器模型：nonblocking（非阻塞，默认）或 threaded（每连接一线程，用于对比）"))
      ->check(CLI::IsMember({"nonblocking", "threaded"}));
  serve
      ->add_option("--io-threads", serve_options.io_threads,
                   T("nonblocking model: network (libevent) threads (default 1)",
                     "非阻塞模型：网络（libevent）线程数（默认 1）"))
      ->check(CLI::Range(1, 64));
  serve
      ->add_option("--cache", serve_options.cache_entries,
                   T("answers of partners, pairings, targets and leaders kept per loaded state "
                     "(default 4096; 0: no cache)",
                     "每份已加载数据缓存的 partners、pairings、targets 和 leaders 答案数"
                     "（默认 4096；0：不缓存）"))
      ->check(CLI::Range(0, 1000000));
  const char* web_env = std::getenv("CHAINATLAS_WEB_DIR");
  serve_options.web_root = web_env ? web_env : CHAINATLAS_WEB_DIR;
  serve->add_option("--web", serve_options.web_root,
                    T("the console's folder, served at / on the HTTP port (default: the source "
                      "tree's web/)",
                      "控制台文件夹，在 HTTP 端口的 / 提供（默认：源码树中的 web/）"));
  serve->add_option("--cors", serve_options.cors,
                    T("let pages from this origin (e.g. https://example.org) read the HTTP port's "
                      "answers (default: none)",
                      "允许来自该源（如 https://example.org）的网页读取 HTTP 端口的答案"
                      "（默认：不允许）"));

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // --help and --version are not errors. A usage error is rc 2, and with --json it is the
    // error document like any other error.
    if (e.get_exit_code() == 0) return app.exit(e);
    bool json_asked = false;
    for (int i = 1; i < argc; ++i) json_asked = json_asked || std::string(argv[i]) == "--json";
    const ca::Lang usage_lang = AskedLanguage(argc, argv, lang);
    // CLI11's words in Chinese for its common kinds of error; any other is quoted in a sentence.
    const ca::Error usage(ca::ErrorCode::kInvalidArgument, UsageMessage(e.what()));
    if (json_asked) {
      PrintJson(ca::report::ErrorJson(usage, usage_lang));
    } else if (usage_lang == ca::Lang::kEn) {
      app.exit(e);
    } else {
      std::cerr << usage.Text(usage_lang) << "\n"
                << ca::Msg("usage.help").Render(usage_lang) << "\n";
    }
    return 2;
  }
  for (const CLI::App* sub : app.get_subcommands()) common.command = sub->get_name();
  common.zh = lang.empty() ? ChineseByDefault() : lang == "zh";
  common.line = "chainatlas";
  for (int i = 1; i < argc; ++i) common.line += std::string(" ") + argv[i];
  try {
    if (*import) return RunImport(common, import_args);
    if (*stats) return RunStats(common, stats_req);
    if (*show) return RunShow(common, show_req, all);
    if (*search) return RunSearch(common, search_req);
    if (*exp) return RunExport(common, format, out_path);
    if (*chain) return RunChain(common, chain_req);
    if (*gaps) return RunChain(common, gaps_req);
    if (*partners) return RunPartners(common, partners_req);
    if (*pairings) return RunPairings(common, pairings_req);
    if (*targets) return RunTargets(common, targets_req);
    if (*relatedness) return RunRelatedness(common, relatedness_req);
    if (*leaders) return RunLeaders(common, leaders_req);
    if (*recommend) return RunRecommend(common, recommend_req, list_recommenders);
    if (*clusters) return RunClusters(common, clusters_req);
    if (*indicators) return RunIndicators(common, indicators_req, targets_file);
    if (*serve) return RunServe(common, serve_options, token_file);
  } catch (const ca::Error& e) {
    // A message that cannot be rendered (a bug in the table) is said in English, not lost.
    std::string text;
    try {
      text = e.Text(common.lang());
    } catch (const std::exception&) {
      text = e.what();
    }
    if (common.json) {
      json doc = ca::report::ErrorJson(e);
      doc["error"]["message"] = text;
      PrintJson(doc);
    } else {
      std::cerr << "chainatlas: " << text << "\n";
      if (!e.suggestions().empty()) {
        std::cerr << ca::Msg(e.code() == ca::ErrorCode::kNotFound ? "error.closest"
                                                                  : "error.candidates")
                         .Render(common.lang())
                  << "\n";
        for (const auto& s : e.suggestions()) std::cerr << "  " << s << "\n";
      }
    }
    return ExitCodeFor(e.code());
  } catch (const std::exception& e) {
    std::cerr << "chainatlas: "
              << ca::Msg("error.internal", {{"detail", e.what()}}).Render(common.lang()) << "\n";
    return 70;
  }
  return 0;
}
