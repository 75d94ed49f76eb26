// An import's answer: the JSON report of `chainatlas import --json` and the text a terminal gets,
// for bundles and for ChainKnowledgeGraph.
#pragma once

#include <filesystem>
#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ingest/ckg.h"
#include "ingest/importer.h"

namespace chainatlas::report {

using json = nlohmann::json;

json ProblemsJson(const std::vector<ingest::Problem>& problems);
// The part of an import's answer that bundles and ckg share.
json ImportJson(const ingest::ImportReport& r, const std::filesystem::path& path);
json CkgJson(const ingest::CkgReport& r, const std::filesystem::path& path);

// Text: the rejection (err) or the summary with merges (out). Returns the exit code (0 or 1).
int PrintImport(std::ostream& out, std::ostream& err, const ingest::ImportReport& r,
                const std::filesystem::path& path, const std::string& rejected_hint);
// The ChainKnowledgeGraph read (files, quirks, regions, ontology), then PrintImport.
int PrintCkg(std::ostream& out, std::ostream& err, const ingest::CkgReport& r,
             const std::filesystem::path& path, bool all_quirks);

}  // namespace chainatlas::report
