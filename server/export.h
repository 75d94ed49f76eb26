// Tables for officers (issue 11, exports): the main table of a read command's JSON document as
// CSV (UTF-8 with a byte-order mark, so that Excel opens Chinese right) or XLSX (libxlsxwriter),
// with Chinese column labels (English in brackets) and provenance rows above the header.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>
#include <variant>
#include <vector>

namespace chainatlas::report {

using Cell = std::variant<std::monostate, double, std::string>;

struct Table {
  std::string title;                 // the sheet's name: 缺链 gaps, 招商目标 targets, ...
  std::vector<std::string> columns;  // "评分 (score)"
  std::vector<std::vector<Cell>> rows;
};

// The commands that export a table: gaps, chain, targets, partners, pairings, leaders, indicators,
// relatedness.
bool Exportable(const std::string& command);
// The command's main table. Throws Error(kInvalidArgument) for a command without one.
Table TableOf(const std::string& command, const nlohmann::json& doc);

// Writes the table with the provenance lines above it. "csv" or "xlsx"; throws Error(kIo) when
// the file cannot be written (nothing is left behind) and Error(kInvalidArgument) for another
// format.
void WriteTable(const Table& table, const std::vector<std::string>& provenance,
                const std::string& format, const std::filesystem::path& file);

// The bytes WriteTable writes for the table, for an answer over HTTP (the API's format=csv|xlsx):
// written to a private temporary file, read back and removed. Same errors as WriteTable.
std::string TableBytes(const Table& table, const std::vector<std::string>& provenance,
                       const std::string& format);

}  // namespace chainatlas::report
