// An import's answer: the JSON report of `chainatlas import --json` and the text a terminal gets,
// for bundles and for ChainKnowledgeGraph.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "graph/messages.h"
#include "ingest/ckg.h"
#include "ingest/importer.h"

namespace chainatlas::report {

using json = nlohmann::json;

// Each problem: file, line, its reason's code and parameters ("code", "params"; a reason without a
// template has the code null) and the reason and the whole `file:line: reason` in `lang`.
json ProblemsJson(const std::vector<ingest::Problem>& problems, Lang lang = Lang::kEn);
// The part of an import's answer that bundles and ckg share.
json ImportJson(const ingest::ImportReport& r, const std::filesystem::path& path,
                Lang lang = Lang::kEn);
json CkgJson(const ingest::CkgReport& r, const std::filesystem::path& path, Lang lang = Lang::kEn);

// Text: the rejection (err) or the summary with merges (out), in `lang`. Returns the exit code
// (0 or 1). rejected_hint: a message code (graph/messages.h) said after a rejection, or "".
int PrintImport(std::ostream& out, std::ostream& err, const ingest::ImportReport& r,
                const std::filesystem::path& path, const std::string& rejected_hint,
                Lang lang = Lang::kEn);
// The ChainKnowledgeGraph read (files, quirks, regions, ontology), then PrintImport.
int PrintCkg(std::ostream& out, std::ostream& err, const ingest::CkgReport& r,
             const std::filesystem::path& path, bool all_quirks, Lang lang = Lang::kEn);

}  // namespace chainatlas::report
