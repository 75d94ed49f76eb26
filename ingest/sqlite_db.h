// A thin RAII layer over the SQLite C API: a connection and prepared statements that throw
// Error(kIo) with the database's message.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <filesystem>
#include <optional>
#include <string>
#include <string_view>

namespace chainatlas::ingest {

class Statement {
 public:
  Statement(sqlite3* db, std::string_view sql);
  ~Statement();
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;

  Statement& Bind(int i, int64_t v);
  Statement& Bind(int i, double v);
  Statement& Bind(int i, std::string_view v);
  Statement& BindNull(int i);
  // Binds NULL when the optional is empty.
  Statement& BindOpt(int i, std::optional<int64_t> v);
  Statement& BindOpt(int i, std::optional<double> v);
  Statement& BindText(int i, std::string_view v);  // NULL when empty
  // Text bound without a copy: the bytes must stay as they are until the statement is reset or
  // rebound.
  Statement& BindStatic(int i, std::string_view v);
  // The bytes must stay as they are until the statement is reset or rebound.
  Statement& BindBlob(int i, const void* data, size_t bytes);
  sqlite3_stmt* handle() const { return stmt_; }

  // Steps once: true when a row is ready, false when done. Throws on error.
  bool Step();
  // Steps to completion and resets for the next use. Bindings stay: rebind every parameter.
  void Run();
  void Reset();

  int64_t Int(int col) const { return sqlite3_column_int64(stmt_, col); }
  double Real(int col) const { return sqlite3_column_double(stmt_, col); }
  bool IsNull(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  std::string_view Text(int col) const;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_ = nullptr;
};

class Database {
 public:
  Database(const std::filesystem::path& path, bool read_only);
  ~Database();
  Database(const Database&) = delete;
  Database& operator=(const Database&) = delete;

  sqlite3* handle() const { return db_; }
  const std::filesystem::path& path() const { return path_; }
  void Exec(std::string_view sql);
  int64_t QueryInt(std::string_view sql);

 private:
  sqlite3* db_ = nullptr;
  std::filesystem::path path_;
};

// BEGIN IMMEDIATE ... COMMIT, rolled back unless Commit() was called.
class Transaction {
 public:
  explicit Transaction(Database& db);
  ~Transaction();
  void Commit();

 private:
  Database& db_;
  bool open_ = true;
};

}  // namespace chainatlas::ingest
