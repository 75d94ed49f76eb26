#include "ingest/csv_reader.h"

#include <csv.h>

#include <fstream>
#include <sstream>

#include "graph/error.h"

namespace chainatlas::ingest {
namespace {

struct ParseState {
  CsvRecord record;
  size_t fields = 0;  // of the record being read; record.fields keeps its strings for the next
  bool between_records = true;
  uint32_t start_line = 0;
  const std::function<void(const CsvRecord&)>* on_record = nullptr;
};

void OnField(void* s, size_t len, void* data) {
  auto* st = static_cast<ParseState*>(data);
  auto& f = st->record.fields;
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
  auto& f = st->record.fields;
  if (f.size() > st->fields) f.resize(st->fields);
  st->fields = 0;
  const bool blank = f.empty() || (f.size() == 1 && f[0].empty());
  if (!blank) {
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

}  // namespace

std::string ReadCsv(const std::filesystem::path& path,
                    const std::function<void(const CsvRecord&)>& on_record, uint32_t* error_line) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Error(ErrorCode::kIo, Msg("io.cannot_read", {{"path", path.string()}}));
  std::string text;
  {
    std::error_code ec;
    const auto size = std::filesystem::file_size(path, ec);
    if (!ec) text.reserve(static_cast<size_t>(size));
    char buf[1 << 16];
    while (in) {
      in.read(buf, sizeof buf);
      text.append(buf, static_cast<size_t>(in.gcount()));
    }
  }
  if (in.bad()) throw Error(ErrorCode::kIo, Msg("io.read_failed", {{"path", path.string()}}));
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

}  // namespace chainatlas::ingest
