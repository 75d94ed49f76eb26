#include "ingest/store.h"

#include <cstring>
#include <exception>
#include <thread>
#include <unordered_map>

#include "graph/error.h"
#include "graph/huge_pages.h"
#include "graph/kinds.h"
#include "ingest/sqlite_db.h"
#include "ingest/text.h"

namespace chainatlas::ingest {
namespace {

// Triggers that drop the packed adjacency (table `adjacency`) on any write that may change the
// graph, by whatever program makes it: every insert, update and delete of nodes, edges, regions
// (parents) and segments (tracks, parents). Store::BeginGraphWrites drops them for a bulk write
// and EndGraphWrites restores them (kAdjacencyGuards) with a fresh packed adjacency.
#define CHAINATLAS_ADJACENCY_GUARD(table, event, tag)                          \
  "CREATE TRIGGER adjacency_stale_" table "_" tag " AFTER " event " ON " table \
  " BEGIN DELETE FROM adjacency; END;\n"
#define CHAINATLAS_ADJACENCY_GUARDS(table)           \
  CHAINATLAS_ADJACENCY_GUARD(table, "INSERT", "ins") \
  CHAINATLAS_ADJACENCY_GUARD(table, "UPDATE", "upd") \
  CHAINATLAS_ADJACENCY_GUARD(table, "DELETE", "del")
#define CHAINATLAS_ALL_ADJACENCY_GUARDS \
  CHAINATLAS_ADJACENCY_GUARDS("nodes")  \
  CHAINATLAS_ADJACENCY_GUARDS("edges")  \
  CHAINATLAS_ADJACENCY_GUARDS("regions") CHAINATLAS_ADJACENCY_GUARDS("segments")
// Since packed format 2 the copy holds the vertex side too: the per-kind attribute tables are
// guarded as well (aliases are read from their rows by every load). Migration 2 → 3 creates the
// first four tables' triggers; every import (EndGraphWrites) creates all of them.
constexpr const char* kAdjacencyGuards =
    CHAINATLAS_ALL_ADJACENCY_GUARDS CHAINATLAS_ADJACENCY_GUARDS("tracks")
        CHAINATLAS_ADJACENCY_GUARDS("enterprises") CHAINATLAS_ADJACENCY_GUARDS("hospitals")
            CHAINATLAS_ADJACENCY_GUARDS("institutions") CHAINATLAS_ADJACENCY_GUARDS("platforms");
constexpr const char* kGuardedTables[] = {"nodes",     "edges",        "regions",
                                          "segments",  "tracks",       "enterprises",
                                          "hospitals", "institutions", "platforms"};
constexpr const char* kGuardTags[] = {"ins", "upd", "del"};

// Migrations[i] takes the schema from version i to i + 1. Append, never edit a released step.
const char* const kMigrations[] = {
    R"sql(
CREATE TABLE meta(key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE imports(
  id INTEGER PRIMARY KEY,
  source TEXT NOT NULL,
  path TEXT NOT NULL,
  started_at TEXT NOT NULL,
  finished_at TEXT NOT NULL,
  fingerprint TEXT NOT NULL,
  nodes_inserted INTEGER NOT NULL, nodes_updated INTEGER NOT NULL, nodes_unchanged INTEGER NOT NULL,
  edges_inserted INTEGER NOT NULL, edges_updated INTEGER NOT NULL, edges_unchanged INTEGER NOT NULL,
  merged INTEGER NOT NULL);
CREATE TABLE import_files(
  id INTEGER PRIMARY KEY,
  import_id INTEGER NOT NULL REFERENCES imports(id),
  kind TEXT NOT NULL,
  path TEXT NOT NULL,
  rows INTEGER NOT NULL);
CREATE TABLE nodes(
  id INTEGER PRIMARY KEY,
  kind INTEGER NOT NULL,
  key TEXT NOT NULL,
  name TEXT NOT NULL,
  norm_name TEXT NOT NULL,
  region TEXT,
  illustrative INTEGER NOT NULL DEFAULT 0,
  note TEXT,
  source TEXT NOT NULL,
  prov_file INTEGER NOT NULL REFERENCES import_files(id),
  prov_line INTEGER NOT NULL,
  UNIQUE(kind, key));
CREATE INDEX nodes_norm_name ON nodes(norm_name);
CREATE TABLE regions(node_id INTEGER PRIMARY KEY REFERENCES nodes(id), level TEXT NOT NULL,
                     parent TEXT);
CREATE TABLE tracks(node_id INTEGER PRIMARY KEY REFERENCES nodes(id), name_en TEXT);
CREATE TABLE segments(node_id INTEGER PRIMARY KEY REFERENCES nodes(id), track TEXT NOT NULL,
                      parent TEXT, position TEXT NOT NULL, name_en TEXT);
CREATE TABLE enterprises(
  node_id INTEGER PRIMARY KEY REFERENCES nodes(id),
  uscc TEXT, founded INTEGER, above_scale INTEGER, revenue REAL, employees INTEGER, tags TEXT,
  class2_certs INTEGER, class3_certs INTEGER, patents INTEGER, rd_ratio REAL);
CREATE UNIQUE INDEX enterprises_uscc ON enterprises(uscc) WHERE uscc IS NOT NULL;
CREATE TABLE hospitals(node_id INTEGER PRIMARY KEY REFERENCES nodes(id), grade TEXT,
                       clinical_trial INTEGER NOT NULL, demo_base INTEGER NOT NULL,
                       departments TEXT);
CREATE TABLE institutions(node_id INTEGER PRIMARY KEY REFERENCES nodes(id), kind TEXT NOT NULL,
                          key_labs TEXT);
CREATE TABLE platforms(node_id INTEGER PRIMARY KEY REFERENCES nodes(id), kind TEXT NOT NULL,
                       accreditations TEXT);
CREATE TABLE aliases(
  kind INTEGER NOT NULL,
  key TEXT NOT NULL,
  node_id INTEGER NOT NULL REFERENCES nodes(id),
  source TEXT NOT NULL,
  matched_by TEXT NOT NULL,
  prov_file INTEGER NOT NULL REFERENCES import_files(id),
  prov_line INTEGER NOT NULL,
  PRIMARY KEY(kind, key)) WITHOUT ROWID;
CREATE TABLE edges(
  src INTEGER NOT NULL,
  kind INTEGER NOT NULL,
  dst INTEGER NOT NULL,
  weight REAL NOT NULL,
  attrs TEXT,
  prov_file INTEGER NOT NULL,
  prov_line INTEGER NOT NULL,
  PRIMARY KEY(src, kind, dst)) WITHOUT ROWID;
)sql",
    // 1 → 2: the evidence of a supplies relation (EvidenceByte in graph/kinds.h; 0 = curated).
    // Supplies imported from ChainKnowledgeGraph before are marked for what they are: 上游材料 /
    // 下游产品 product-level (1), industry_up the industry table (4 | 6 << 3 = 52); a re-import
    // adds the ontology's relations and the table's weights.
    R"sql(
ALTER TABLE edges ADD COLUMN evidence INTEGER NOT NULL DEFAULT 0;
UPDATE edges SET evidence = 1 WHERE kind = 1 AND prov_file IN
  (SELECT id FROM import_files WHERE kind = 'ckg.product_product');
UPDATE edges SET evidence = 52 WHERE kind = 1 AND prov_file IN
  (SELECT id FROM import_files WHERE kind = 'ckg.industry_up');
)sql",
    // 2 → 3: the packed adjacency (Store::WritePackedAdjacency): part 0 a header, parts 1.. the
    // snapshot's adjacency arrays in chunks; empty until the next import writes it, and emptied
    // by the triggers on any other write to the graph's tables.
    "CREATE TABLE adjacency(part INTEGER PRIMARY KEY, data BLOB NOT "
    "NULL);\n" CHAINATLAS_ALL_ADJACENCY_GUARDS,
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == Store::kSchemaVersion);
static_assert(EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kIndustryTable) == 52,
              "migration 1 → 2 writes this byte");

}  // namespace

Store::Store(const std::filesystem::path& path, bool read_only)
    : db_(std::make_unique<Database>(path, read_only)) {
  db_->Exec("PRAGMA foreign_keys = ON");
  if (read_only) {
    int v = SchemaVersion();
    if (v > kSchemaVersion) {
      throw Error(ErrorCode::kInvalidData,
                  Msg("db.schema_newer", {{"path", path.string()},
                                          {"version", std::to_string(v)},
                                          {"ours", std::to_string(kSchemaVersion)}}));
    }
    if (v < kMinReadableSchemaVersion) {
      throw Error(ErrorCode::kInvalidData,
                  Msg("db.schema_older", {{"path", path.string()},
                                          {"version", std::to_string(v)},
                                          {"ours", std::to_string(kSchemaVersion)}}));
    }
  } else {
    Migrate();
  }
}

Store::~Store() = default;

int Store::SchemaVersion() { return static_cast<int>(db_->QueryInt("PRAGMA user_version")); }

void Store::Migrate() {
  int v = SchemaVersion();
  if (v > kSchemaVersion) {
    throw Error(ErrorCode::kInvalidData,
                Msg("db.schema_newer_import", {{"path", db_->path().string()},
                                               {"version", std::to_string(v)},
                                               {"ours", std::to_string(kSchemaVersion)}}));
  }
  // Each step re-reads the version under the write lock: another process may have migrated the
  // same file meanwhile (two first imports into one new database at once).
  while (v < kSchemaVersion) {
    Transaction tx(*db_);
    v = SchemaVersion();
    if (v >= kSchemaVersion) break;
    db_->Exec(kMigrations[v]);
    db_->Exec("PRAGMA user_version = " + std::to_string(v + 1));
    tx.Commit();
    ++v;
  }
}

std::optional<std::string> Store::Meta(const std::string& key) {
  Statement s(db_->handle(), "SELECT value FROM meta WHERE key = ?");
  s.Bind(1, key);
  if (!s.Step()) return std::nullopt;
  return std::string(s.Text(0));
}

void Store::SetMeta(const std::string& key, const std::string& value) {
  Statement s(db_->handle(),
              "INSERT INTO meta(key, value) VALUES(?, ?) "
              "ON CONFLICT(key) DO UPDATE SET value = excluded.value");
  s.Bind(1, key).Bind(2, value).Run();
}

namespace {

// One thread's share of the edge table: the rows with src in [lo, hi), in key order.
struct EdgeChunk {
  std::vector<VertexId> src, dst;
  std::vector<EdgeKind> kind;
  std::vector<float> weight;
  std::vector<uint8_t> evidence;
  std::string error;
};

// Scans on `handle` when given (a writer inside its transaction), else on a connection of its own.
template <typename VertexOf>
void ScanEdges(const std::filesystem::path& path, sqlite3* handle, int64_t lo, int64_t hi,
               VertexOf vertex, EdgeChunk& out) {
  try {
    std::optional<Database> own;
    if (!handle) handle = own.emplace(path, /*read_only=*/true).handle();
    Statement s(handle,
                "SELECT src, kind, dst, weight, evidence FROM edges WHERE src >= ? AND src < ?");
    s.Bind(1, lo).Bind(2, hi);
    int64_t last_src = -1;
    VertexId src_vertex = kNoVertex;
    while (s.Step()) {
      int64_t src = s.Int(0);
      if (src != last_src) {
        src_vertex = vertex(src);
        last_src = src;
      }
      VertexId dst_vertex = vertex(s.Int(2));
      if (src_vertex == kNoVertex || dst_vertex == kNoVertex) {
        out.error = path.string() + ": edge " + std::to_string(src) + " -> " +
                    std::to_string(s.Int(2)) + " refers to a missing node";
        return;
      }
      out.src.push_back(src_vertex);
      out.dst.push_back(dst_vertex);
      out.kind.push_back(static_cast<EdgeKind>(s.Int(1)));
      out.weight.push_back(static_cast<float>(s.Real(3)));
      out.evidence.push_back(static_cast<uint8_t>(s.Int(4)));
    }
  } catch (const std::exception& e) {
    out.error = e.what();
  }
}

}  // namespace

template <typename VertexOf>
void Store::ReadEdges(SnapshotBuilder& builder, VertexOf vertex, int64_t max_id) {
  // Two connections scan the two halves of the src range at once (one SQLite connection scans at
  // about 5M rows/s here); halves are split at the median src so each gets about half the rows.
  const int64_t total = db_->QueryInt("SELECT count(*) FROM edges");
  builder.ReserveEdges(static_cast<size_t>(total) + static_cast<size_t>(max_id));
  int64_t split = max_id + 1;
  if (total > 1024) {
    Statement mid(db_->handle(), "SELECT src FROM edges LIMIT 1 OFFSET ?");
    mid.Bind(1, total / 2);
    if (mid.Step()) split = mid.Int(0);
  }
  std::vector<EdgeChunk> chunks(2);
  std::thread second;
  // Inside a transaction (a writer building the packed adjacency) other connections would not see
  // its writes: one scan on this connection.
  if (!sqlite3_get_autocommit(db_->handle())) {
    ScanEdges(db_->path(), db_->handle(), 0, max_id + 1, vertex, chunks[0]);
    split = max_id + 1;
  } else if (split <= max_id) {
    second = std::thread(
        [&] { ScanEdges(db_->path(), nullptr, split, max_id + 1, vertex, chunks[1]); });
  }
  if (sqlite3_get_autocommit(db_->handle())) {
    ScanEdges(db_->path(), nullptr, 0, split, vertex, chunks[0]);
  }
  if (second.joinable()) second.join();
  for (EdgeChunk& c : chunks) {
    if (!c.error.empty()) throw Error(ErrorCode::kInvalidData, c.error);
    builder.AddEdges(c.src, c.kind, c.dst, c.weight, c.evidence);
  }
}

namespace {

// The packed snapshot (table `adjacency`). Part 0 is a PackedHeader; parts 1.. hold one byte
// stream cut into chunks of kChunkBytes (the last shorter): the snapshot's forward row offsets,
// targets, weights, kinds, evidence, then its reverse row offsets, sources and kinds, each array
// as it is in memory; then its vertex side (Snapshot::PackVertices) and the node id of each
// vertex (int64). The header ties it to the stored nodes (their count and largest id) and
// carries a checksum of the stream; LoadSnapshot uses it only when every field agrees.
// Format 1 (the adjacency alone) is no longer read: such a database loads by the rows until its
// next import.
constexpr char kPackedMagic[8] = {'C', 'A', 'A', 'D', 'J', 'A', 'C', 'Y'};
constexpr uint32_t kPackedFormat = 2;
constexpr uint32_t kByteOrderMark = 0x01020304;
constexpr uint64_t kChunkBytes = 32ull << 20;

struct PackedHeader {
  char magic[8];
  uint32_t byte_order;  // kByteOrderMark as the writer's memory held it
  uint32_t format;      // kPackedFormat
  uint64_t vertices, edges;
  uint64_t nodes;       // rows of `nodes` when written
  int64_t max_node_id;  // their largest id
  uint64_t stream_bytes, chunk_bytes, parts;
  uint64_t checksum;      // StreamHash of the stream
  uint64_t vertex_bytes;  // of the PackVertices segment
};
static_assert(sizeof(PackedHeader) == 88);

// A 64-bit hash of a byte range, four words at a time in four lanes (a few GB/s).
uint64_t HashBytes(const uint8_t* p, size_t n, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h[4] = {seed ^ 0x243F6A8885A308D3ull, seed ^ 0x13198A2E03707344ull,
                   seed ^ 0xA4093822299F31D0ull, seed ^ 0x082EFA98EC4E6C89ull};
  size_t i = 0;
  for (; i + 32 <= n; i += 32) {
    for (int l = 0; l < 4; ++l) {
      uint64_t w;
      std::memcpy(&w, p + i + 8 * l, 8);
      h[l] = (h[l] ^ w) * kMul;
      h[l] ^= h[l] >> 31;
    }
  }
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h[0] = (h[0] ^ w) * kMul;
    h[0] ^= h[0] >> 31;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, p + i, n - i);
  uint64_t out = (h[0] ^ (h[1] * 3) ^ (h[2] * 5) ^ (h[3] * 7) ^ tail ^ n) * kMul;
  return out ^ (out >> 29);
}

// One array of the stream: where it is in memory and how many bytes.
struct Segment {
  uint8_t* data;
  uint64_t bytes;
};
// A piece of the stream within one segment and one part.
struct Piece {
  size_t segment;
  uint64_t segment_offset, part, part_offset, bytes;
};
std::vector<Piece> Pieces(const std::vector<Segment>& segments, uint64_t chunk_bytes) {
  std::vector<Piece> out;
  uint64_t pos = 0;
  for (size_t s = 0; s < segments.size(); ++s) {
    for (uint64_t off = 0; off < segments[s].bytes;) {
      const uint64_t part = pos / chunk_bytes, part_offset = pos % chunk_bytes;
      const uint64_t take = std::min(segments[s].bytes - off, chunk_bytes - part_offset);
      out.push_back({s, off, part + 1, part_offset, take});
      off += take;
      pos += take;
    }
  }
  return out;
}
uint64_t StreamHash(const std::vector<Segment>& segments, const std::vector<Piece>& pieces) {
  uint64_t h = 0;
  for (const Piece& p : pieces) {
    h = HashBytes(segments[p.segment].data + p.segment_offset, p.bytes, h);
  }
  return h;
}

template <typename T>
Segment SegmentOf(std::vector<T>& v) {
  return {reinterpret_cast<uint8_t*>(v.data()), v.size() * sizeof(T)};
}
// For writing only: the stream is read from these, never written to.
template <typename T>
Segment SegmentOf(std::span<const T> v) {
  return {reinterpret_cast<uint8_t*>(const_cast<T*>(v.data())), v.size_bytes()};
}

// The stream's segments, in order, over AdjacencyArrays (to read into) or an AdjacencyView (to
// write from).
template <typename Adjacency>
std::vector<Segment> SegmentsOf(Adjacency& a, std::vector<uint8_t>& vertices,
                                std::vector<int64_t>& node_ids) {
  return {SegmentOf(a.forward_rowstart), SegmentOf(a.forward_column),
          SegmentOf(a.forward_weight),   SegmentOf(a.forward_kind),
          SegmentOf(a.forward_evidence), SegmentOf(a.reverse_rowstart),
          SegmentOf(a.reverse_column),   SegmentOf(a.reverse_kind),
          SegmentOf(vertices),           SegmentOf(node_ids)};
}

bool TableExists(sqlite3* h, const char* name) {
  Statement s(h, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?");
  s.Bind(1, std::string_view(name));
  return s.Step();
}

// Rows of a per-kind table in node-id order, looked up by a cursor as the nodes are visited in
// node-id order (no hash map of a million attribute rows).
template <typename T>
class KindRows {
 public:
  void Add(int64_t id, T row) { rows_.emplace_back(id, std::move(row)); }
  // The row of node `id`, or nullptr; ids must be asked in increasing order.
  T* Find(int64_t id) {
    while (next_ < rows_.size() && rows_[next_].first < id) ++next_;
    return next_ < rows_.size() && rows_[next_].first == id ? &rows_[next_].second : nullptr;
  }
  // The row moved out, or a default one when there is none.
  T Take(int64_t id) {
    T* row = Find(id);
    return row ? std::move(*row) : T{};
  }

 private:
  std::vector<std::pair<int64_t, T>> rows_;
  size_t next_ = 0;
};

}  // namespace

bool Store::HasPackedAdjacency() {
  if (!TableExists(db_->handle(), "adjacency")) return false;
  return db_->QueryInt("SELECT count(*) FROM adjacency WHERE part = 0") > 0;
}

std::shared_ptr<const Snapshot> Store::LoadPacked() {
  last_load_packed_ = false;
  sqlite3* h = db_->handle();
  if (!TableExists(h, "adjacency")) return nullptr;
  PackedHeader head{};
  {
    Statement s(h, "SELECT data FROM adjacency WHERE part = 0");
    if (!s.Step() || sqlite3_column_bytes(s.handle(), 0) != sizeof head) return nullptr;
    std::memcpy(&head, sqlite3_column_blob(s.handle(), 0), sizeof head);
  }
  // The nodes are the ones it was written for (the triggers empty the table on any other write;
  // this is a cheap second guard).
  const int64_t max_id = db_->QueryInt("SELECT coalesce(max(id), 0) FROM nodes");
  const uint64_t n = head.vertices, m = head.edges;
  if (std::memcmp(head.magic, kPackedMagic, sizeof head.magic) != 0 ||
      head.byte_order != kByteOrderMark || head.format != kPackedFormat || head.nodes != n ||
      head.max_node_id != max_id || n >= (1ull << 31) || head.chunk_bytes == 0 ||
      m >= (1ull << 32) - 1 || head.vertex_bytes > (1ull << 40) ||
      head.stream_bytes !=
          2 * 4 * (n + 1) + m * (4 + 4 + 1 + 1 + 4 + 1) + head.vertex_bytes + 8 * n ||
      head.parts != (head.stream_bytes + head.chunk_bytes - 1) / head.chunk_bytes) {
    return nullptr;
  }
  {
    // Every part there with the size the header implies.
    Statement s(h, "SELECT part, length(data) FROM adjacency WHERE part > 0 ORDER BY part");
    uint64_t part = 0;
    while (s.Step()) {
      ++part;
      const uint64_t want = std::min(head.chunk_bytes,
                                     head.stream_bytes - (part - 1) * head.chunk_bytes);
      if (part > head.parts || static_cast<uint64_t>(s.Int(0)) != part ||
          static_cast<uint64_t>(s.Int(1)) != want) {
        return nullptr;
      }
    }
    if (part != head.parts) return nullptr;
  }
  // The arrays in memory advised for huge pages (graph/huge_pages.h): first touching a few
  // hundred MB 4 KiB at a time was the larger part of a load.
  AdjacencyArrays a;
  ResizeHuge(a.forward_rowstart, n + 1);
  ResizeHuge(a.forward_column, m);
  ResizeHuge(a.forward_weight, m);
  ResizeHuge(a.forward_kind, m);
  ResizeHuge(a.forward_evidence, m);
  ResizeHuge(a.reverse_rowstart, n + 1);
  ResizeHuge(a.reverse_column, m);
  ResizeHuge(a.reverse_kind, m);
  std::vector<uint8_t> vertices;
  ResizeHuge(vertices, head.vertex_bytes);
  std::vector<int64_t> node_ids;
  ResizeHuge(node_ids, n);
  const std::vector<Segment> segments = SegmentsOf(a, vertices, node_ids);
  const std::vector<Piece> pieces = Pieces(segments, head.chunk_bytes);
  // Read straight into the arrays.
  sqlite3_blob* blob = nullptr;
  uint64_t open_part = 0;
  bool ok = true;
  for (const Piece& p : pieces) {
    if (p.part != open_part) {
      int rc = blob ? sqlite3_blob_reopen(blob, static_cast<sqlite3_int64>(p.part))
                    : sqlite3_blob_open(h, "main", "adjacency", "data",
                                        static_cast<sqlite3_int64>(p.part), 0, &blob);
      if (rc != SQLITE_OK) {
        ok = false;
        break;
      }
      open_part = p.part;
    }
    if (sqlite3_blob_read(blob, segments[p.segment].data + p.segment_offset,
                          static_cast<int>(p.bytes),
                          static_cast<int>(p.part_offset)) != SQLITE_OK) {
      ok = false;
      break;
    }
  }
  sqlite3_blob_close(blob);
  if (!ok) return nullptr;

  // Two threads: this one checks the stream (checksum, node ids), reads the aliases and checks
  // the adjacency's shape (SnapshotBuilder::CheckAdjacency), while the other unpacks the vertex
  // side (SetVertices, which checks its bytes as it goes and touches nothing else). What either
  // finds is reported in the order of a single thread: checksum and node ids (nullptr), then the
  // vertices' error, then the adjacency's.
  SnapshotBuilder builder;
  std::exception_ptr vertices_error;
  std::thread unpack([&] {
    try {
      builder.SetVertices(vertices);
    } catch (...) {
      vertices_error = std::current_exception();
    }
  });
  struct Join {
    std::thread& t;
    ~Join() {
      if (t.joinable()) t.join();
    }
  } join{unpack};
  bool fits = StreamHash(segments, pieces) == head.checksum;
  for (size_t i = 1; fits && i < node_ids.size(); ++i) fits = node_ids[i] > node_ids[i - 1];
  if (n > 0 && (node_ids[0] < 0 || node_ids.back() != max_id)) fits = false;
  std::vector<std::pair<VertexId, std::string>> aliases;
  std::exception_ptr adjacency_error;
  if (fits) {
    Statement s(h, "SELECT node_id, key FROM aliases");
    while (s.Step()) {
      auto it = std::lower_bound(node_ids.begin(), node_ids.end(), s.Int(0));
      if (it != node_ids.end() && *it == s.Int(0)) {
        aliases.emplace_back(static_cast<VertexId>(it - node_ids.begin()), s.Text(1));
      }
    }
    builder.SetAdjacency(std::move(a));
    try {
      builder.CheckAdjacency();
    } catch (const Error&) {
      adjacency_error = std::current_exception();
    }
  }
  unpack.join();
  if (!fits) return nullptr;
  if (vertices_error) std::rethrow_exception(vertices_error);
  if (adjacency_error) std::rethrow_exception(adjacency_error);
  std::vector<uint8_t>().swap(vertices);
  for (auto& [v, key] : aliases) builder.AddAlias(v, key);
  std::shared_ptr<const Snapshot> out = builder.Build();
  last_load_packed_ = true;
  return out;
}

void Store::WritePacked(const Snapshot& snapshot, std::vector<int64_t>& node_ids) {
  sqlite3* h = db_->handle();
  db_->Exec("DELETE FROM adjacency");
  std::vector<uint8_t> vertices = snapshot.PackVertices();
  const AdjacencyView adjacency = snapshot.Adjacency();
  const std::vector<Segment> segments = SegmentsOf(adjacency, vertices, node_ids);
  const std::vector<Piece> pieces = Pieces(segments, kChunkBytes);
  PackedHeader head{};
  std::memcpy(head.magic, kPackedMagic, sizeof head.magic);
  head.byte_order = kByteOrderMark;
  head.format = kPackedFormat;
  head.vertices = adjacency.forward_rowstart.size() - 1;
  head.edges = adjacency.forward_column.size();
  head.nodes = node_ids.size();
  head.max_node_id = node_ids.empty() ? 0 : node_ids.back();
  for (const Segment& sg : segments) head.stream_bytes += sg.bytes;
  head.chunk_bytes = kChunkBytes;
  head.parts = (head.stream_bytes + kChunkBytes - 1) / kChunkBytes;
  head.checksum = StreamHash(segments, pieces);
  head.vertex_bytes = vertices.size();
  Statement insert(h, "INSERT INTO adjacency(part, data) VALUES(?, ?)");
  insert.Bind(1, int64_t{0}).BindBlob(2, &head, sizeof head).Run();
  // Each part straight from the arrays, never through a copy: a part that is one piece of one
  // array is bound as it is; a part of several pieces is inserted as zeros of its size and the
  // pieces written into it in place.
  for (size_t first = 0; first < pieces.size();) {
    const uint64_t part = pieces[first].part;
    size_t last = first;
    uint64_t bytes = 0;
    while (last < pieces.size() && pieces[last].part == part) bytes += pieces[last++].bytes;
    insert.Bind(1, static_cast<int64_t>(part));
    if (last - first == 1) {
      const Piece& p = pieces[first];
      insert.BindBlob(2, segments[p.segment].data + p.segment_offset, p.bytes).Run();
    } else {
      if (sqlite3_bind_zeroblob64(insert.handle(), 2, bytes) != SQLITE_OK) {
        throw Error(ErrorCode::kIo, std::string("SQLite: bind: ") + sqlite3_errmsg(h));
      }
      insert.Run();
      sqlite3_blob* blob = nullptr;
      int rc = sqlite3_blob_open(h, "main", "adjacency", "data", static_cast<sqlite3_int64>(part),
                                 1, &blob);
      for (size_t i = first; rc == SQLITE_OK && i < last; ++i) {
        const Piece& p = pieces[i];
        rc = sqlite3_blob_write(blob, segments[p.segment].data + p.segment_offset,
                                static_cast<int>(p.bytes), static_cast<int>(p.part_offset));
      }
      const std::string why = rc == SQLITE_OK ? "" : sqlite3_errmsg(h);
      sqlite3_blob_close(blob);
      if (rc != SQLITE_OK) throw Error(ErrorCode::kIo, "SQLite: packed write: " + why);
    }
    first = last;
  }
}

void Store::BeginGraphWrites() {
  for (const char* table : kGuardedTables) {
    for (const char* tag : kGuardTags) {
      db_->Exec(std::string("DROP TRIGGER IF EXISTS adjacency_stale_") + table + "_" + tag);
    }
  }
  // A table dropped by hand comes back (the triggers write to it).
  db_->Exec("CREATE TABLE IF NOT EXISTS adjacency(part INTEGER PRIMARY KEY, data BLOB NOT NULL)");
  db_->Exec("DELETE FROM adjacency");
}

void Store::EndGraphWrites(const EdgeRows* all_edges, const std::function<KnownSnapshot()>* known) {
  // A graph that does not load (too large, say) gets no packed adjacency: loads read the rows
  // and report what is wrong.
  try {
    std::vector<int64_t> node_ids;
    std::shared_ptr<const Snapshot> snapshot;
    if (known) {
      KnownSnapshot k = (*known)();
      if (k.snapshot && KnownFits(k.node_ids)) {
        snapshot = std::move(k.snapshot);
        node_ids = std::move(k.node_ids);
      }
    }
    last_load_packed_ = false;
    if (!snapshot) snapshot = Load(all_edges, &node_ids);
    WritePacked(*snapshot, node_ids);
  } catch (const Error&) {
    db_->Exec("DELETE FROM adjacency");
  }
  db_->Exec(kAdjacencyGuards);
}

Store::KnownSnapshot Store::BuildKnown(const EdgeRows& e, const VertexSource& known_vertices) {
  KnownSnapshot out;
  SnapshotBuilder builder;
  std::vector<int64_t>& node_ids = out.node_ids;
  if (!known_vertices(builder, node_ids)) return {};
  // As Load: node ids rise with the vertices; edges mapped to vertices.
  const size_t n = node_ids.size();
  for (size_t i = 1; i < n; ++i) {
    if (node_ids[i] <= node_ids[i - 1]) return {};
  }
  if (n > 0 && node_ids[0] < 0) return {};
  const int64_t max_id = n == 0 ? 0 : node_ids.back();
  std::vector<VertexId> vertex_of(static_cast<size_t>(max_id) + 1, kNoVertex);
  for (size_t i = 0; i < n; ++i) vertex_of[node_ids[i]] = static_cast<VertexId>(i);
  auto vertex = [&](int64_t id) {
    return id >= 0 && id <= max_id ? vertex_of[static_cast<size_t>(id)] : kNoVertex;
  };
  std::vector<VertexId> src, dst;
  src.reserve(e.src.size());
  dst.reserve(e.dst.size());
  AdviseHugePages(src.data(), src.capacity() * sizeof(VertexId));
  AdviseHugePages(dst.data(), dst.capacity() * sizeof(VertexId));
  src.resize(e.src.size());
  dst.resize(e.dst.size());
  for (size_t i = 0; i < src.size(); ++i) {
    src[i] = vertex(e.src[i]);
    dst[i] = vertex(e.dst[i]);
    // A missing node: the rows decide (Load reports it).
    if (src[i] == kNoVertex || dst[i] == kNoVertex) return {};
  }
  builder.ReserveEdges(src.size() + n);
  builder.AddEdges(src, e.kind, dst, e.weight, e.evidence);
  out.snapshot = builder.Build();
  return out;
}

bool Store::KnownFits(const std::vector<int64_t>& node_ids) {
  // Every stored node and no other, and no aliases (a known snapshot has none): a cheap guard,
  // the writer said it knows them all.
  const int64_t n = static_cast<int64_t>(node_ids.size());
  Statement s(db_->handle(), "SELECT count(*), coalesce(max(id), 0) FROM nodes");
  if (!s.Step() || s.Int(0) != n || s.Int(1) != (n == 0 ? 0 : node_ids.back())) return false;
  return db_->QueryInt("SELECT count(*) FROM aliases") == 0;
}

std::shared_ptr<const Snapshot> Store::LoadSnapshot(LoadPath path) {
  if (path == LoadPath::kRows) return Load();
  if (path == LoadPath::kPacked) {
    if (auto s = LoadPacked()) return s;
    throw Error(ErrorCode::kInvalidData,
                db_->path().string() + ": no packed snapshot that fits the stored nodes");
  }
  if (HasPackedAdjacency()) {
    try {
      if (auto s = LoadPacked()) return s;
    } catch (const Error&) {
      // Stale or damaged: the rows below.
    }
  }
  return Load();
}

std::shared_ptr<const Snapshot> Store::Load(const EdgeRows* known_edges,
                                            std::vector<int64_t>* node_ids) {
  last_load_packed_ = false;
  sqlite3* h = db_->handle();
  // Vertices in node-id order, so that the store's (src, kind, dst) edge order is the snapshot's.
  // Names (most longer than a short string holds) are kept in one buffer.
  struct Node {
    int64_t id;
    NodeKind kind;
    std::string key, region;
    uint64_t name_begin;
    uint32_t name_size;
    bool illustrative;
  };
  std::vector<Node> nodes;
  std::string names;
  {
    nodes.reserve(static_cast<size_t>(db_->QueryInt("SELECT max(id) FROM nodes")));
    Statement s(h, "SELECT id, kind, key, name, region, illustrative FROM nodes ORDER BY id");
    while (s.Step()) {
      const std::string_view name = s.Text(3);
      nodes.push_back({s.Int(0), static_cast<NodeKind>(s.Int(1)), std::string(s.Text(2)),
                       std::string(s.Text(4)), names.size(), static_cast<uint32_t>(name.size()),
                       s.Int(5) != 0});
      names.append(name);
    }
  }
  auto name_of = [&names](const Node& n) {
    return std::string_view(names).substr(n.name_begin, n.name_size);
  };
  // Node ids are INTEGER PRIMARY KEYs, dense in practice: a vector maps them to vertices.
  const int64_t max_id = nodes.empty() ? 0 : nodes.back().id;
  std::vector<VertexId> vertex_of(static_cast<size_t>(max_id) + 1, kNoVertex);
  for (size_t i = 0; i < nodes.size(); ++i) vertex_of[nodes[i].id] = static_cast<VertexId>(i);
  auto vertex = [&](int64_t id) {
    return id >= 0 && id <= max_id ? vertex_of[static_cast<size_t>(id)] : kNoVertex;
  };

  // Per-kind columns, keyed by node id.
  // Per-kind columns in node-id order (the tables' keys), walked alongside `nodes`.
  KindRows<std::pair<RegionLevel, std::string>> regions;
  KindRows<std::string> tracks;
  struct Seg {
    std::string track, parent;
    Position position;
    std::string name_en;
  };
  KindRows<Seg> segments;
  KindRows<EnterpriseAttributes> enterprises;
  KindRows<HospitalAttributes> hospitals;
  KindRows<InstitutionAttributes> institutions;
  KindRows<PlatformAttributes> platforms;
  {
    Statement s(h, "SELECT node_id, level, parent FROM regions ORDER BY node_id");
    while (s.Step()) {
      regions.Add(s.Int(0), {ParseRegionLevel(s.Text(1)).value_or(RegionLevel::kCounty),
                             std::string(s.Text(2))});
    }
  }
  {
    Statement s(h, "SELECT node_id, name_en FROM tracks ORDER BY node_id");
    while (s.Step()) tracks.Add(s.Int(0), std::string(s.Text(1)));
  }
  {
    Statement s(h,
                "SELECT node_id, track, parent, position, name_en FROM segments ORDER BY node_id");
    while (s.Step()) {
      segments.Add(s.Int(0), {std::string(s.Text(1)), std::string(s.Text(2)),
                              ParsePosition(s.Text(3)).value_or(Position::kMidstream),
                              std::string(s.Text(4))});
    }
  }
  {
    Statement s(h,
                "SELECT node_id, uscc, founded, above_scale, revenue, employees, tags, "
                "class2_certs, class3_certs, patents, rd_ratio FROM enterprises ORDER BY node_id");
    while (s.Step()) {
      EnterpriseAttributes a;
      a.uscc = std::string(s.Text(1));
      if (!s.IsNull(2)) a.founded = static_cast<int32_t>(s.Int(2));
      if (!s.IsNull(3)) a.above_scale = static_cast<int8_t>(s.Int(3));
      if (!s.IsNull(4)) a.revenue = s.Real(4);
      if (!s.IsNull(5)) a.employees = static_cast<int32_t>(s.Int(5));
      for (const auto& t : SplitList(s.Text(6))) {
        if (auto tag = ParseEnterpriseTag(t)) a.tags |= 1u << static_cast<int>(*tag);
      }
      if (!s.IsNull(7)) a.class2_certs = static_cast<int32_t>(s.Int(7));
      if (!s.IsNull(8)) a.class3_certs = static_cast<int32_t>(s.Int(8));
      if (!s.IsNull(9)) a.patents = static_cast<int32_t>(s.Int(9));
      if (!s.IsNull(10)) a.rd_ratio = s.Real(10);
      enterprises.Add(s.Int(0), std::move(a));
    }
  }
  {
    Statement s(h,
                "SELECT node_id, grade, clinical_trial, demo_base, departments FROM hospitals "
                "ORDER BY node_id");
    while (s.Step()) {
      hospitals.Add(s.Int(0),
                    {std::string(s.Text(1)), s.Int(2) != 0, s.Int(3) != 0, SplitList(s.Text(4))});
    }
  }
  {
    Statement s(h, "SELECT node_id, kind, key_labs FROM institutions ORDER BY node_id");
    while (s.Step()) institutions.Add(s.Int(0), {std::string(s.Text(1)), SplitList(s.Text(2))});
  }
  {
    Statement s(h, "SELECT node_id, kind, accreditations FROM platforms ORDER BY node_id");
    while (s.Step()) platforms.Add(s.Int(0), {std::string(s.Text(1)), SplitList(s.Text(2))});
  }

  // Vertex ids are positions in `nodes`. Keys of other nodes are resolved by kind and key.
  std::unordered_map<std::string, VertexId> region_vertex, track_vertex, segment_vertex;
  for (size_t i = 0; i < nodes.size(); ++i) {
    if (nodes[i].kind == NodeKind::kRegion) region_vertex[nodes[i].key] = static_cast<VertexId>(i);
    if (nodes[i].kind == NodeKind::kTrack) track_vertex[nodes[i].key] = static_cast<VertexId>(i);
    if (nodes[i].kind == NodeKind::kSegment)
      segment_vertex[nodes[i].key] = static_cast<VertexId>(i);
  }
  auto lookup = [&](const std::unordered_map<std::string, VertexId>& m, const std::string& key,
                    const Node& n, const char* what) -> VertexId {
    if (key.empty()) return kNoVertex;
    auto it = m.find(key);
    if (it == m.end()) {
      throw Error(ErrorCode::kInvalidData,
                  Msg("db.missing_ref", {{"path", db_->path().string()},
                                         {"kind", std::string(NodeKindName(n.kind))},
                                         {"key", n.key},
                                         {"what", what},
                                         {"ref", key}}));
    }
    return it->second;
  };

  SnapshotBuilder builder;
  builder.ReserveVertices(nodes.size());
  for (const Node& n : nodes) {
    VertexId region = lookup(region_vertex, n.region, n, "region");
    auto missing = [&]() {
      return Error(ErrorCode::kInvalidData,
                   Msg("db.no_attributes", {{"path", db_->path().string()},
                                            {"kind", std::string(NodeKindName(n.kind))},
                                            {"key", n.key}}));
    };
    switch (n.kind) {
      case NodeKind::kRegion: {
        auto* it = regions.Find(n.id);
        if (!it) throw missing();
        builder.AddRegion(n.key, name_of(n),
                          {it->first, lookup(region_vertex, it->second, n, "region")});
        break;
      }
      case NodeKind::kTrack: builder.AddTrack(n.key, name_of(n), {tracks.Take(n.id)}); break;
      case NodeKind::kSegment: {
        auto* it = segments.Find(n.id);
        if (!it) throw missing();
        const Seg& sg = *it;
        builder.AddSegment(
            n.key, name_of(n),
            {lookup(track_vertex, sg.track, n, "track"),
             lookup(segment_vertex, sg.parent, n, "segment"), sg.position, sg.name_en});
        break;
      }
      case NodeKind::kEnterprise:
        builder.AddEnterprise(n.key, name_of(n), region, enterprises.Take(n.id), n.illustrative);
        break;
      case NodeKind::kHospital:
        builder.AddHospital(n.key, name_of(n), region, hospitals.Take(n.id), n.illustrative);
        break;
      case NodeKind::kInstitution:
        builder.AddInstitution(n.key, name_of(n), region, institutions.Take(n.id), n.illustrative);
        break;
      case NodeKind::kPlatform:
        builder.AddPlatform(n.key, name_of(n), region, platforms.Take(n.id), n.illustrative);
        break;
    }
  }
  {
    Statement s(h, "SELECT node_id, key FROM aliases");
    while (s.Step()) {
      if (VertexId v = vertex(s.Int(0)); v != kNoVertex) builder.AddAlias(v, s.Text(1));
    }
  }
  if (known_edges) {
    const EdgeRows& e = *known_edges;
    std::vector<VertexId> src(e.src.size()), dst(e.dst.size());
    for (size_t i = 0; i < src.size(); ++i) {
      src[i] = vertex(e.src[i]);
      dst[i] = vertex(e.dst[i]);
      if (src[i] == kNoVertex || dst[i] == kNoVertex) {
        throw Error(ErrorCode::kInvalidData,
                    db_->path().string() + ": edge " + std::to_string(e.src[i]) + " -> " +
                        std::to_string(e.dst[i]) + " refers to a missing node");
      }
    }
    builder.ReserveEdges(src.size() + nodes.size());
    builder.AddEdges(src, e.kind, dst, e.weight, e.evidence);
  } else {
    ReadEdges(builder, vertex, max_id);
  }
  if (node_ids) {
    node_ids->resize(nodes.size());
    for (size_t i = 0; i < nodes.size(); ++i) (*node_ids)[i] = nodes[i].id;
  }
  return builder.Build();
}

namespace {
std::optional<Provenance> ReadProvenance(sqlite3* h, int64_t file_id, int64_t line) {
  Statement s(h,
              "SELECT i.id, i.source, f.path, i.finished_at FROM import_files f "
              "JOIN imports i ON i.id = f.import_id WHERE f.id = ?");
  s.Bind(1, file_id);
  if (!s.Step()) return std::nullopt;
  return Provenance{s.Int(0), std::string(s.Text(1)), std::string(s.Text(2)), line,
                    std::string(s.Text(3))};
}
}  // namespace

std::optional<Provenance> Store::NodeProvenance(NodeKind kind, const std::string& key) {
  Statement s(db_->handle(), "SELECT prov_file, prov_line FROM nodes WHERE kind = ? AND key = ?");
  s.Bind(1, static_cast<int64_t>(kind)).Bind(2, key);
  if (!s.Step()) return std::nullopt;
  return ReadProvenance(db_->handle(), s.Int(0), s.Int(1));
}

std::string Store::NodeNote(NodeKind kind, const std::string& key) {
  Statement s(db_->handle(), "SELECT note FROM nodes WHERE kind = ? AND key = ?");
  s.Bind(1, static_cast<int64_t>(kind)).Bind(2, key);
  if (!s.Step() || s.IsNull(0)) return "";
  return std::string(s.Text(0));
}

namespace {
const char* kEdgeByKeys =
    "SELECT e.prov_file, e.prov_line, e.attrs FROM edges e "
    "JOIN nodes a ON a.id = e.src JOIN nodes b ON b.id = e.dst "
    "WHERE a.kind = ? AND a.key = ? AND e.kind = ? AND b.kind = ? AND b.key = ?";
}

std::optional<Provenance> Store::EdgeProvenance(NodeKind sk, const std::string& skey, EdgeKind k,
                                                NodeKind dk, const std::string& dkey) {
  Statement s(db_->handle(), kEdgeByKeys);
  s.Bind(1, static_cast<int64_t>(sk)).Bind(2, skey).Bind(3, static_cast<int64_t>(k));
  s.Bind(4, static_cast<int64_t>(dk)).Bind(5, dkey);
  if (!s.Step()) return std::nullopt;
  return ReadProvenance(db_->handle(), s.Int(0), s.Int(1));
}

std::string Store::EdgeAttributes(NodeKind sk, const std::string& skey, EdgeKind k, NodeKind dk,
                                  const std::string& dkey) {
  Statement s(db_->handle(), kEdgeByKeys);
  s.Bind(1, static_cast<int64_t>(sk)).Bind(2, skey).Bind(3, static_cast<int64_t>(k));
  s.Bind(4, static_cast<int64_t>(dk)).Bind(5, dkey);
  if (!s.Step()) return "";
  return std::string(s.Text(2));
}

std::vector<ImportLogEntry> Store::Imports() {
  std::vector<ImportLogEntry> out;
  Statement s(db_->handle(),
              "SELECT id, source, path, started_at, finished_at, fingerprint, nodes_inserted, "
              "nodes_updated, nodes_unchanged, edges_inserted, edges_updated, edges_unchanged, "
              "merged FROM imports ORDER BY id");
  while (s.Step()) {
    out.push_back({s.Int(0), std::string(s.Text(1)), std::string(s.Text(2)), std::string(s.Text(3)),
                   std::string(s.Text(4)), std::string(s.Text(5)), s.Int(6), s.Int(7), s.Int(8),
                   s.Int(9), s.Int(10), s.Int(11), s.Int(12)});
  }
  return out;
}

}  // namespace chainatlas::ingest
