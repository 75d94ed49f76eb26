// Streaming CSV reading (RFC 4180: quoted fields, doubled quotes, quoted line breaks), with the
// physical line on which each record starts, a leading UTF-8 byte-order mark removed and LF or
// CRLF line ends. Blank lines are skipped. Fields are read as libcsv reads them in strict mode
// (CSV_STRICT | CSV_STRICT_FINI): spaces and tabs around an unquoted field are dropped.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "graph/utf8.h"

namespace chainatlas::ingest {

// One record. The fields are views valid only during the on_record call (into the file's text,
// or into the reader's buffers for a quoted field).
struct CsvRecord {
  uint32_t line = 0;  // 1-based line on which the record starts
  std::vector<std::string_view> fields;
};

// Calls on_record for every record (the header included) in file order. Returns an empty string
// on success, or the reason the file's CSV structure broke (an unterminated quote, a stray quote)
// with *error_line set; records before the break have been delivered. Throws Error(kIo) when the
// file cannot be read.
//
// A line without a quote character (and without a carriage return other than its line end),
// started between records, is split in place; any other line goes through libcsv.
std::string ReadCsv(const std::filesystem::path& path,
                    const std::function<void(const CsvRecord&)>& on_record, uint32_t* error_line);

// The same, every line through libcsv (the reference the split in place is tested against).
std::string ReadCsvLibcsv(const std::filesystem::path& path,
                          const std::function<void(const CsvRecord&)>& on_record,
                          uint32_t* error_line);

using chainatlas::IsValidUtf8;  // graph/utf8.h

}  // namespace chainatlas::ingest
