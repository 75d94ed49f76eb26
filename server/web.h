// The web side of the HTTP port (docs/console.md): the read-only JSON API at
// /api/v1/<command>?<option>=<value>&…, which answers exactly the document the CLI prints with
// --json (the same engine call, the CLI's option names without the leading --), and the console's
// static files under the web folder. No HTTP here: the service's transport parses the request
// (Thrift's THttpServer) and writes the answer this builds.
#pragma once

#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "server/engine.h"

namespace chainatlas::service {

struct WebAnswer {
  WebAnswer() = default;
  WebAnswer(int s, std::string type, std::string b, std::string d = "")
      : status(s), content_type(std::move(type)), body(std::move(b)), disposition(std::move(d)) {}
  int status = 200;  // 200, 400, 404, 405, 500
  std::string content_type = "application/json; charset=utf-8";
  std::string body;
  std::string disposition;  // Content-Disposition for a download (exports), or empty
};

// The query of a request target, decoded (%XX and +), in order. Throws Error(kInvalidArgument)
// for a malformed query or a repeated option.
std::map<std::string, std::string> ParseQuery(const std::string& query);

// GET /api/v1/<command>: `command` is what follows /api/v1/. Errors are the CLI's error document
// ({"error": {code, message, suggestions}}) with 400 for a bad argument, 404 for an entity or
// command that does not exist and 500 otherwise. `max_text` bounds every text option.
// `format=csv|xlsx` (json by default) on the commands with a table (report::Exportable) answers
// the table the CLI's `--format csv|xlsx --output FILE` writes (server/export.h), with provenance
// rows naming the data, the export time and the request; the content_type then also carries a
// Content-Disposition line (attachment; filename="gaps-330122-endo.xlsx"), as the service writes
// content_type as the Content-Type header line. `lang` sets the reasons' language in both.
WebAnswer ApiAnswer(const engine::Engine& engine, const std::string& command,
                    const std::map<std::string, std::string>& options, size_t max_text);

// A console file: `/` is index.html; `/vendor/echarts.min.js` is ECharts from the npm folder
// beside the web folder (node_modules/echarts/dist); anything else a regular file inside
// `web_root` with a known type. 404 for anything else, including a path that leaves the folder.
WebAnswer StaticAnswer(const std::filesystem::path& web_root, const std::string& path);

// Splits a request target into its decoded path and its raw query ("" when none). Throws
// Error(kInvalidArgument) for a path that does not decode.
std::pair<std::string, std::string> SplitTarget(const std::string& target);

// The commands the API answers, in the CLI's order.
const std::vector<std::string>& ApiCommands();

}  // namespace chainatlas::service
