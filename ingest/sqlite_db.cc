#include "ingest/sqlite_db.h"

#include <unistd.h>

#include "graph/error.h"

namespace chainatlas::ingest {
namespace {

[[noreturn]] void Fail(sqlite3* db, std::string_view what) {
  throw Error(ErrorCode::kIo, "SQLite: " + std::string(what) + ": " + sqlite3_errmsg(db));
}

// A writer killed in the middle of a commit leaves a hot rollback journal next to the database.
// The next connection to read the file must roll it back first, which a read-only connection
// cannot do ("attempt to write a readonly database"): when a journal is there, a short read-write
// connection reads the schema, which makes SQLite roll back a hot journal (a journal still in use
// by a live writer is not hot and is left alone). Errors are ignored: the read-only open that
// follows reports them (no write permission, say).
void RollBackHotJournal(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path journal = path;
  journal += "-journal";
  if (!std::filesystem::exists(journal, ec)) return;
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_NOMUTEX, nullptr) ==
      SQLITE_OK) {
    sqlite3_busy_timeout(db, 10000);
    sqlite3_exec(db, "SELECT count(*) FROM sqlite_master", nullptr, nullptr, nullptr);
  }
  sqlite3_close(db);
}

}  // namespace

Statement::Statement(sqlite3* db, std::string_view sql) : db_(db) {
  if (sqlite3_prepare_v2(db, sql.data(), static_cast<int>(sql.size()), &stmt_, nullptr) !=
      SQLITE_OK) {
    Fail(db, "prepare '" + std::string(sql.substr(0, 60)) + "'");
  }
}

Statement::~Statement() { sqlite3_finalize(stmt_); }

Statement& Statement::Bind(int i, int64_t v) {
  if (sqlite3_bind_int64(stmt_, i, v) != SQLITE_OK) Fail(db_, "bind");
  return *this;
}
Statement& Statement::Bind(int i, double v) {
  if (sqlite3_bind_double(stmt_, i, v) != SQLITE_OK) Fail(db_, "bind");
  return *this;
}
Statement& Statement::Bind(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT) !=
      SQLITE_OK) {
    Fail(db_, "bind");
  }
  return *this;
}
Statement& Statement::BindStatic(int i, std::string_view v) {
  if (sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC) !=
      SQLITE_OK) {
    Fail(db_, "bind");
  }
  return *this;
}
Statement& Statement::BindBlob(int i, const void* data, size_t bytes) {
  if (sqlite3_bind_blob64(stmt_, i, data, bytes, SQLITE_STATIC) != SQLITE_OK) Fail(db_, "bind");
  return *this;
}
Statement& Statement::BindNull(int i) {
  if (sqlite3_bind_null(stmt_, i) != SQLITE_OK) Fail(db_, "bind");
  return *this;
}
Statement& Statement::BindOpt(int i, std::optional<int64_t> v) {
  return v ? Bind(i, *v) : BindNull(i);
}
Statement& Statement::BindOpt(int i, std::optional<double> v) {
  return v ? Bind(i, *v) : BindNull(i);
}
Statement& Statement::BindText(int i, std::string_view v) {
  return v.empty() ? BindNull(i) : Bind(i, v);
}

bool Statement::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) return false;
  Fail(db_, "step");
}

void Statement::Run() {
  while (Step()) {
  }
  Reset();
}

void Statement::Reset() { sqlite3_reset(stmt_); }

std::string_view Statement::Text(int col) const {
  const unsigned char* p = sqlite3_column_text(stmt_, col);
  if (!p) return {};
  return std::string_view(reinterpret_cast<const char*>(p),
                          static_cast<size_t>(sqlite3_column_bytes(stmt_, col)));
}

Database::Database(const std::filesystem::path& path, bool read_only) : path_(path) {
  // No memory statistics: with them every SQLite allocation takes a process-wide mutex (a tenth
  // of a snapshot load's time). Only possible before SQLite initialises; later calls are refused
  // (SQLITE_MISUSE), which leaves the default.
  static const bool configured = [] {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    return true;
  }();
  (void)configured;
  if (read_only) RollBackHotJournal(path);
  int flags = read_only ? SQLITE_OPEN_READONLY : (SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE);
  if (sqlite3_open_v2(path.c_str(), &db_, flags | SQLITE_OPEN_NOMUTEX, nullptr) != SQLITE_OK) {
    std::string msg = db_ ? sqlite3_errmsg(db_) : "out of memory";
    sqlite3_close(db_);
    db_ = nullptr;
    // The likely cause, in words: SQLite says only "unable to open database file".
    std::error_code ec;
    std::filesystem::path folder = path.parent_path().empty() ? "." : path.parent_path();
    std::string hint;
    if (!std::filesystem::is_directory(folder, ec)) {
      hint = "db.hint_no_folder";
    } else if (std::filesystem::exists(path, ec)
                   ? access(path.c_str(), read_only ? R_OK : R_OK | W_OK) != 0
                   : access(folder.c_str(), W_OK | X_OK) != 0) {
      hint = std::filesystem::exists(path, ec)
                 ? (read_only ? "db.hint_no_read" : "db.hint_no_write")
                 : "db.hint_no_create";
    }
    throw Error(ErrorCode::kIo, Msg("db.cannot_open", {{"path", path.string()},
                                                       {"detail", msg},
                                                       {"hint", hint},
                                                       {"folder", folder.string()}}));
  }
  sqlite3_busy_timeout(db_, 10000);
  // Larger page cache and memory-mapped reads: loads and imports touch the whole file.
  sqlite3_exec(db_, "PRAGMA cache_size = -65536; PRAGMA mmap_size = 1073741824", nullptr, nullptr,
               nullptr);
}

Database::~Database() { sqlite3_close(db_); }

void Database::Exec(std::string_view sql) {
  char* err = nullptr;
  if (sqlite3_exec(db_, std::string(sql).c_str(), nullptr, nullptr, &err) != SQLITE_OK) {
    std::string msg = err ? err : "unknown error";
    sqlite3_free(err);
    throw Error(ErrorCode::kIo, path_.string() + ": SQLite: " + msg);
  }
}

int64_t Database::QueryInt(std::string_view sql) {
  Statement s(db_, sql);
  return s.Step() ? s.Int(0) : 0;
}

Transaction::Transaction(Database& db) : db_(db) { db_.Exec("BEGIN IMMEDIATE"); }

Transaction::~Transaction() {
  if (open_) {
    try {
      db_.Exec("ROLLBACK");
    } catch (...) {
    }
  }
}

void Transaction::Commit() {
  db_.Exec("COMMIT");
  open_ = false;
}

}  // namespace chainatlas::ingest
