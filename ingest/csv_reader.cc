#include "ingest/csv_reader.h"

#include <csv.h>

#include <fstream>
#include <sstream>

#include "graph/error.h"

namespace chainatlas::ingest {
namespace {

struct ParseState {
  CsvRecord record;
  bool between_records = true;
  uint32_t start_line = 0;
  const std::function<void(const CsvRecord&)>* on_record = nullptr;
};

void OnField(void* s, size_t len, void* data) {
  auto* st = static_cast<ParseState*>(data);
  st->record.fields.emplace_back(static_cast<const char*>(s), len);
}

void OnRecordEnd(int, void* data) {
  auto* st = static_cast<ParseState*>(data);
  st->between_records = true;
  auto& f = st->record.fields;
  const bool blank = f.empty() || (f.size() == 1 && f[0].empty());
  if (!blank) {
    st->record.line = st->start_line;
    (*st->on_record)(st->record);
  }
  f.clear();
}

bool IsBlank(std::string_view chunk) {
  for (char c : chunk) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') return false;
  }
  return true;
}

}  // namespace

std::string ReadCsv(const std::filesystem::path& path,
                    const std::function<void(const CsvRecord&)>& on_record,
                    uint32_t* error_line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, path.string() + ": cannot open for reading");
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw Error(ErrorCode::kIo, path.string() + ": read failed");
  size_t pos = text.compare(0, 3, "\xEF\xBB\xBF") == 0 ? 3 : 0;

  csv_parser parser;
  if (csv_init(&parser, CSV_STRICT | CSV_STRICT_FINI) != 0) {
    throw Error(ErrorCode::kInternal, "libcsv: initialisation failed");
  }
  ParseState st;
  st.on_record = &on_record;
  uint32_t line = 0;
  std::string error;
  // Feeding one physical line at a time lets us know the line on which every record starts.
  while (pos < text.size()) {
    size_t nl = text.find('\n', pos);
    size_t end = nl == std::string::npos ? text.size() : nl + 1;
    std::string_view chunk(text.data() + pos, end - pos);
    ++line;
    if (st.between_records && !IsBlank(chunk)) {
      st.between_records = false;
      st.start_line = line;
    }
    if (csv_parse(&parser, chunk.data(), chunk.size(), OnField, OnRecordEnd, &st) != chunk.size()) {
      error = csv_strerror(csv_error(&parser));
      *error_line = st.between_records ? line : st.start_line;
      break;
    }
    pos = end;
  }
  if (error.empty() && csv_fini(&parser, OnField, OnRecordEnd, &st) != 0) {
    error = csv_strerror(csv_error(&parser));
    *error_line = st.start_line;
  }
  csv_free(&parser);
  if (!error.empty()) error = "malformed CSV: " + error;
  return error;
}

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  const size_t n = s.size();
  while (i < n) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len;
    uint32_t cp;
    if (c < 0x80) {
      ++i;
      continue;
    } else if ((c & 0xE0) == 0xC0) {
      len = 2;
      cp = c & 0x1F;
    } else if ((c & 0xF0) == 0xE0) {
      len = 3;
      cp = c & 0x0F;
    } else if ((c & 0xF8) == 0xF0) {
      len = 4;
      cp = c & 0x07;
    } else {
      return false;
    }
    if (i + len > n) return false;
    for (size_t k = 1; k < len; ++k) {
      unsigned char cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3F);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((len == 2 && cp < 0x80) || (len == 3 && cp < 0x800) || (len == 4 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += len;
  }
  return true;
}

}  // namespace chainatlas::ingest
