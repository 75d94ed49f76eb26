// The SQLite store: a versioned schema (PRAGMA user_version, migrated forward on open) holding
// every entity kind, every relation kind with its weight, and the provenance of each row (the
// import and file it came from, and the line in that file).
#pragma once

#include <filesystem>
#include <functional>
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
  static constexpr int kSchemaVersion = 3;
  // Read-only opens accept this version and later: version 2 lacks only the packed adjacency.
  static constexpr int kMinReadableSchemaVersion = 2;

  // Opens the database at path. Read-write opens create it if needed and migrate it to
  // kSchemaVersion; read-only opens require kMinReadableSchemaVersion..kSchemaVersion. Throws
  // Error(kIo) when it cannot be opened and Error(kInvalidData) when it was written by a newer
  // ChainAtlas.
  explicit Store(const std::filesystem::path& path, bool read_only = false);

  ~Store();
  Database& db() { return *db_; }
  int SchemaVersion();
  std::optional<std::string> Meta(const std::string& key);
  void SetMeta(const std::string& key, const std::string& value);

  // Builds the in-memory serving graph from everything stored. The adjacency and the vertex side
  // (all but the aliases) come from the packed copy the last import wrote (table `adjacency`)
  // when it is there and fits the stored nodes (kAuto), else from the rows; kRows always reads
  // the rows, kPacked requires the packed copy (Error(kInvalidData) when it is missing or does
  // not fit).
  enum class LoadPath { kAuto, kRows, kPacked };
  std::shared_ptr<const Snapshot> LoadSnapshot(LoadPath path = LoadPath::kAuto);
  // Whether the last LoadSnapshot took its adjacency and vertices from the packed copy.
  bool LastLoadPacked() const { return last_load_packed_; }

  // Writers of nodes, edges, regions or segments call BeginGraphWrites() inside their transaction
  // before writing and EndGraphWrites() after: the first drops the packed adjacency and the
  // triggers that drop it on any other write (so that bulk writes do not fire them), the second
  // builds the snapshot of what is now stored, writes its packed adjacency and restores the
  // triggers. Both belong to the caller's transaction, so a rollback undoes them too.
  // all_edges: every row of `edges` as the writer knows it (node ids, in (src, kind, dst) order),
  // when it knows them all (an import into an empty table), so that the table need not be read.
  struct EdgeRows {
    std::vector<int64_t> src, dst;
    std::vector<EdgeKind> kind;
    std::vector<float> weight;
    std::vector<uint8_t> evidence;
  };
  //
  // When the writer knows every stored node too (an import into an empty store), it can build
  // the snapshot itself with BuildKnown, on another thread while it writes the rows, and hand it
  // over as `known` (called once): it is used when it fits the stored nodes (their count and
  // largest id, no aliases); otherwise the rows are read.
  // A VertexSource adds every node to the builder in node-id order exactly as a load from the
  // rows would (the same keys, names, regions, attributes after their round trip through the
  // columns), fills each vertex's node id and returns true; false when it cannot.
  using VertexSource =
      std::function<bool(SnapshotBuilder& builder, std::vector<int64_t>& node_ids)>;
  struct KnownSnapshot {
    std::shared_ptr<const Snapshot> snapshot;  // null: declined (the rows are read)
    std::vector<int64_t> node_ids;
  };
  // No database access: safe on another thread. Throws as Load would on a graph that does not
  // build (Error(kInvalidData)).
  static KnownSnapshot BuildKnown(const EdgeRows& all_edges, const VertexSource& vertices);
  void BeginGraphWrites();
  void EndGraphWrites(const EdgeRows* all_edges = nullptr,
                      const std::function<KnownSnapshot()>* known = nullptr);
  // Whether the database holds a packed adjacency (written by an import, not dropped since).
  bool HasPackedAdjacency();

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
  // The snapshot from the rows; node_ids, when given, gets the node id of each vertex.
  std::shared_ptr<const Snapshot> Load(const EdgeRows* known_edges = nullptr,
                                       std::vector<int64_t>* node_ids = nullptr);
  // Whether a known snapshot's nodes are the stored ones (EndGraphWrites).
  bool KnownFits(const std::vector<int64_t>& node_ids);
  // The snapshot from the packed copy, or nullptr when there is none that fits the stored nodes;
  // throws Error(kInvalidData) when its contents do not fit together.
  std::shared_ptr<const Snapshot> LoadPacked();
  void WritePacked(const Snapshot& snapshot, std::vector<int64_t>& node_ids);
  std::unique_ptr<Database> db_;
  bool last_load_packed_ = false;
};

}  // namespace chainatlas::ingest
