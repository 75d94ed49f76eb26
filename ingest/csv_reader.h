// Streaming CSV reading on libcsv (RFC 4180: quoted fields, doubled quotes, quoted line breaks),
// with the physical line on which each record starts, a leading UTF-8 byte-order mark removed and
// LF or CRLF line ends. Blank lines are skipped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "graph/utf8.h"

namespace chainatlas::ingest {

struct CsvRecord {
  uint32_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string> fields;
};

// Calls on_record for every record (the header included) in file order. Returns an empty string
// on success, or the reason the file's CSV structure broke (an unterminated quote, a stray quote)
// with *error_line set; records before the break have been delivered. Throws Error(kIo) when the
// file cannot be read.
std::string ReadCsv(const std::filesystem::path& path,
                    const std::function<void(const CsvRecord&)>& on_record, uint32_t* error_line);

using chainatlas::IsValidUtf8;  // graph/utf8.h

}  // namespace chainatlas::ingest
