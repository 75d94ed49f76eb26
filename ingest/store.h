// The SQLite store: a versioned schema (PRAGMA user_version, migrated forward on open) holding
// every entity kind, every relation kind with its weight, and the provenance of each row (the
// import and file it came from, and the line in that file).
#pragma once

#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "graph/snapshot.h"

namespace chainatlas::ingest {

class Database;  // ingest/sqlite_db.h: kept out of this header so callers need no sqlite3.h

struct Provenance {
  int64_t import_id = 0;
  std::string source;
  std::string file;
  int64_t line = 0;
  std::string imported_at;  // UTC, ISO 8601
};

struct ImportLogEntry {
  int64_t id = 0;
  std::string source, path, started_at, finished_at, fingerprint;
  int64_t nodes_inserted = 0, nodes_updated = 0, nodes_unchanged = 0;
  int64_t edges_inserted = 0, edges_updated = 0, edges_unchanged = 0, merged = 0;
};

class Store {
 public:
  static constexpr int kSchemaVersion = 2;

  // Opens the database at path. Read-write opens create it if needed and migrate it to
  // kSchemaVersion; read-only opens require the current version. Throws Error(kIo) when it cannot
  // be opened and Error(kInvalidData) when it was written by a newer ChainAtlas.
  explicit Store(const std::filesystem::path& path, bool read_only = false);

  ~Store();
  Database& db() { return *db_; }
  int SchemaVersion();
  std::optional<std::string> Meta(const std::string& key);
  void SetMeta(const std::string& key, const std::string& value);

  // Builds the in-memory serving graph from everything stored.
  std::shared_ptr<const Snapshot> LoadSnapshot();

  // Where a node (by kind and key) and an edge came from; nullopt when absent.
  std::optional<Provenance> NodeProvenance(NodeKind kind, const std::string& key);
  // The node's free-text note (empty when it has none or does not exist).
  std::string NodeNote(NodeKind kind, const std::string& key);
  std::optional<Provenance> EdgeProvenance(NodeKind src_kind, const std::string& src_key,
                                           EdgeKind kind, NodeKind dst_kind,
                                           const std::string& dst_key);
  // The extra attributes of an edge (JSON object text, "" when none).
  std::string EdgeAttributes(NodeKind src_kind, const std::string& src_key, EdgeKind kind,
                             NodeKind dst_kind, const std::string& dst_key);
  std::vector<ImportLogEntry> Imports();

 private:
  void Migrate();
  template <typename VertexOf>
  void ReadEdges(SnapshotBuilder& builder, VertexOf vertex, int64_t max_id);
  std::unique_ptr<Database> db_;
};

}  // namespace chainatlas::ingest
