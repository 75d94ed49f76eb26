#include "ingest/csv_reader.h"

#include <csv.h>

#include <cstring>
#include <fstream>

#include "graph/huge_pages.h"
#include "graph/error.h"
#include "ingest/text.h"

namespace chainatlas::ingest {
namespace {

// libcsv's parser state between records (ROW_NOT_BEGUN in libcsv.c): no field begun.
constexpr int kLibcsvRowNotBegun = 0;

struct ParseState {
  CsvRecord record;
  std::vector<std::string> owned;  // libcsv's fields; kept (with their capacity) for the next
  size_t fields = 0;               // of the record being read
  bool between_records = true;
  uint32_t start_line = 0;
  const std::function<void(const CsvRecord&)>* on_record = nullptr;
};

void OnField(void* s, size_t len, void* data) {
  auto* st = static_cast<ParseState*>(data);
  auto& f = st->owned;
  if (st->fields < f.size()) {
    f[st->fields].assign(static_cast<const char*>(s), len);
  } else {
    f.emplace_back(static_cast<const char*>(s), len);
  }
  ++st->fields;
}

void OnRecordEnd(int, void* data) {
  auto* st = static_cast<ParseState*>(data);
  st->between_records = true;
  const size_t n = st->fields;
  st->fields = 0;
  const bool blank = n == 0 || (n == 1 && st->owned[0].empty());
  if (!blank) {
    st->record.fields.assign(st->owned.begin(), st->owned.begin() + static_cast<ptrdiff_t>(n));
    st->record.line = st->start_line;
    (*st->on_record)(st->record);
  }
}

bool IsBlank(std::string_view chunk) {
  for (char c : chunk) {
    if (c != '\n' && c != '\r' && c != ' ' && c != '\t') return false;
  }
  return true;
}

bool IsSpace(char c) { return c == ' ' || c == '\t'; }

// A line without quotes, started between records, as libcsv reads it: the line end (LF, CR LF,
// or CR) ends the record, fields are split at commas, spaces and tabs around each are dropped.
// False (nothing delivered) when the line holds a quote or a carriage return elsewhere: libcsv
// reads it then.
bool SplitPlainLine(std::string_view chunk, ParseState& st, uint32_t line) {
  std::string_view body = chunk;
  if (!body.empty() && body.back() == '\n') body.remove_suffix(1);
  if (!body.empty() && body.back() == '\r') body.remove_suffix(1);
  if (std::memchr(body.data(), '"', body.size()) || std::memchr(body.data(), '\r', body.size())) {
    return false;
  }
  auto& fields = st.record.fields;
  fields.clear();
  size_t start = 0;
  while (true) {
    const void* comma = std::memchr(body.data() + start, ',', body.size() - start);
    const size_t end = comma ? static_cast<size_t>(static_cast<const char*>(comma) - body.data())
                             : body.size();
    size_t b = start, e = end;
    while (b < e && IsSpace(body[b])) ++b;
    while (e > b && IsSpace(body[e - 1])) --e;
    fields.emplace_back(body.data() + b, e - b);
    if (!comma) break;
    start = end + 1;
  }
  // A line of spaces alone is blank (IsBlank said so before; here for safety).
  if (fields.size() == 1 && fields[0].empty()) return true;
  st.record.line = line;
  (*st.on_record)(st.record);
  return true;
}

std::string ReadText(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, Msg("io.cannot_read", {{"path", path.string()}}));
  std::string text;
  std::error_code ec;
  const auto size = std::filesystem::file_size(path, ec);
  if (!ec && size > 0) {
    // One read into place; a file that changes size meanwhile is read on below.
    text.reserve(static_cast<size_t>(size));
    AdviseHugePages(text.data(), text.capacity());
    text.resize(static_cast<size_t>(size));
    in.read(text.data(), static_cast<std::streamsize>(size));
    text.resize(static_cast<size_t>(in.gcount()));
  }
  char buf[1 << 16];
  while (in) {
    in.read(buf, sizeof buf);
    text.append(buf, static_cast<size_t>(in.gcount()));
  }
  if (in.bad()) throw Error(ErrorCode::kIo, Msg("io.read_failed", {{"path", path.string()}}));
  return text;
}

std::string Read(const std::filesystem::path& path,
                 const std::function<void(const CsvRecord&)>& on_record, uint32_t* error_line,
                 bool split_plain_lines) {
  const std::string text = ReadText(path);
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
    const void* nl = std::memchr(text.data() + pos, '\n', text.size() - pos);
    size_t end = nl ? static_cast<size_t>(static_cast<const char*>(nl) - text.data()) + 1
                    : text.size();
    std::string_view chunk(text.data() + pos, end - pos);
    ++line;
    if (split_plain_lines && parser.pstate == kLibcsvRowNotBegun && parser.entry_pos == 0 &&
        st.between_records) {
      if (IsBlank(chunk) || SplitPlainLine(chunk, st, line)) {
        pos = end;
        continue;
      }
    }
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

}  // namespace

std::string ReadCsv(const std::filesystem::path& path,
                    const std::function<void(const CsvRecord&)>& on_record, uint32_t* error_line) {
  return Read(path, on_record, error_line, true);
}

std::string ReadCsvLibcsv(const std::filesystem::path& path,
                          const std::function<void(const CsvRecord&)>& on_record,
                          uint32_t* error_line) {
  return Read(path, on_record, error_line, false);
}

}  // namespace chainatlas::ingest
