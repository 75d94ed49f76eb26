#include "ingest/store.h"

#include <thread>
#include <unordered_map>

#include "graph/error.h"
#include "graph/kinds.h"
#include "ingest/sqlite_db.h"

namespace chainatlas::ingest {
namespace {

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
};
constexpr int kMigrationCount = sizeof(kMigrations) / sizeof(kMigrations[0]);
static_assert(kMigrationCount == Store::kSchemaVersion);
static_assert(EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kIndustryTable) == 52,
              "migration 1 → 2 writes this byte");

std::vector<std::string> SplitList(std::string_view s) {
  std::vector<std::string> out;
  size_t start = 0;
  while (!s.empty() && start <= s.size()) {
    size_t end = s.find(';', start);
    if (end == std::string_view::npos) end = s.size();
    if (end > start) out.emplace_back(s.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

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
    if (v != kSchemaVersion) {
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

template <typename VertexOf>
void ScanEdges(const std::filesystem::path& path, int64_t lo, int64_t hi, VertexOf vertex,
               EdgeChunk& out) {
  try {
    Database db(path, /*read_only=*/true);
    Statement s(db.handle(),
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
  if (split <= max_id) {
    second = std::thread([&] { ScanEdges(db_->path(), split, max_id + 1, vertex, chunks[1]); });
  }
  ScanEdges(db_->path(), 0, split, vertex, chunks[0]);
  if (second.joinable()) second.join();
  for (EdgeChunk& c : chunks) {
    if (!c.error.empty()) throw Error(ErrorCode::kInvalidData, c.error);
    builder.AddEdges(c.src, c.kind, c.dst, c.weight, c.evidence);
  }
}

std::shared_ptr<const Snapshot> Store::LoadSnapshot() {
  sqlite3* h = db_->handle();
  // Vertices in node-id order, so that the store's (src, kind, dst) edge order is the snapshot's.
  struct Node {
    int64_t id;
    NodeKind kind;
    std::string key, name, region;
    bool illustrative;
  };
  std::vector<Node> nodes;
  {
    Statement s(h, "SELECT id, kind, key, name, region, illustrative FROM nodes ORDER BY id");
    while (s.Step()) {
      nodes.push_back({s.Int(0), static_cast<NodeKind>(s.Int(1)), std::string(s.Text(2)),
                       std::string(s.Text(3)), std::string(s.Text(4)), s.Int(5) != 0});
    }
  }
  // Node ids are INTEGER PRIMARY KEYs, dense in practice: a vector maps them to vertices.
  const int64_t max_id = nodes.empty() ? 0 : nodes.back().id;
  std::vector<VertexId> vertex_of(static_cast<size_t>(max_id) + 1, kNoVertex);
  for (size_t i = 0; i < nodes.size(); ++i) vertex_of[nodes[i].id] = static_cast<VertexId>(i);
  auto vertex = [&](int64_t id) {
    return id >= 0 && id <= max_id ? vertex_of[static_cast<size_t>(id)] : kNoVertex;
  };

  // Per-kind columns, keyed by node id.
  std::unordered_map<int64_t, std::pair<RegionLevel, std::string>> regions;
  std::unordered_map<int64_t, std::string> tracks;
  struct Seg {
    std::string track, parent;
    Position position;
    std::string name_en;
  };
  std::unordered_map<int64_t, Seg> segments;
  std::unordered_map<int64_t, EnterpriseAttributes> enterprises;
  std::unordered_map<int64_t, HospitalAttributes> hospitals;
  std::unordered_map<int64_t, InstitutionAttributes> institutions;
  std::unordered_map<int64_t, PlatformAttributes> platforms;
  {
    Statement s(h, "SELECT node_id, level, parent FROM regions");
    while (s.Step()) {
      regions[s.Int(0)] = {ParseRegionLevel(s.Text(1)).value_or(RegionLevel::kCounty),
                           std::string(s.Text(2))};
    }
  }
  {
    Statement s(h, "SELECT node_id, name_en FROM tracks");
    while (s.Step()) tracks[s.Int(0)] = std::string(s.Text(1));
  }
  {
    Statement s(h, "SELECT node_id, track, parent, position, name_en FROM segments");
    while (s.Step()) {
      segments[s.Int(0)] = {std::string(s.Text(1)), std::string(s.Text(2)),
                            ParsePosition(s.Text(3)).value_or(Position::kMidstream),
                            std::string(s.Text(4))};
    }
  }
  {
    Statement s(h,
                "SELECT node_id, uscc, founded, above_scale, revenue, employees, tags, "
                "class2_certs, class3_certs, patents, rd_ratio FROM enterprises");
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
      enterprises[s.Int(0)] = std::move(a);
    }
  }
  {
    Statement s(h, "SELECT node_id, grade, clinical_trial, demo_base, departments FROM hospitals");
    while (s.Step()) {
      hospitals[s.Int(0)] = {std::string(s.Text(1)), s.Int(2) != 0, s.Int(3) != 0,
                             SplitList(s.Text(4))};
    }
  }
  {
    Statement s(h, "SELECT node_id, kind, key_labs FROM institutions");
    while (s.Step()) institutions[s.Int(0)] = {std::string(s.Text(1)), SplitList(s.Text(2))};
  }
  {
    Statement s(h, "SELECT node_id, kind, accreditations FROM platforms");
    while (s.Step()) platforms[s.Int(0)] = {std::string(s.Text(1)), SplitList(s.Text(2))};
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
        auto it = regions.find(n.id);
        if (it == regions.end()) throw missing();
        builder.AddRegion(
            n.key, n.name,
            {it->second.first, lookup(region_vertex, it->second.second, n, "region")});
        break;
      }
      case NodeKind::kTrack: builder.AddTrack(n.key, n.name, {tracks[n.id]}); break;
      case NodeKind::kSegment: {
        auto it = segments.find(n.id);
        if (it == segments.end()) throw missing();
        const Seg& sg = it->second;
        builder.AddSegment(
            n.key, n.name,
            {lookup(track_vertex, sg.track, n, "track"),
             lookup(segment_vertex, sg.parent, n, "segment"), sg.position, sg.name_en});
        break;
      }
      case NodeKind::kEnterprise:
        builder.AddEnterprise(n.key, n.name, region, std::move(enterprises[n.id]), n.illustrative);
        break;
      case NodeKind::kHospital:
        builder.AddHospital(n.key, n.name, region, std::move(hospitals[n.id]), n.illustrative);
        break;
      case NodeKind::kInstitution:
        builder.AddInstitution(n.key, n.name, region, std::move(institutions[n.id]),
                               n.illustrative);
        break;
      case NodeKind::kPlatform:
        builder.AddPlatform(n.key, n.name, region, std::move(platforms[n.id]), n.illustrative);
        break;
    }
  }
  {
    Statement s(h, "SELECT node_id, key FROM aliases");
    while (s.Step()) {
      if (VertexId v = vertex(s.Int(0)); v != kNoVertex) builder.AddAlias(v, s.Text(1));
    }
  }
  ReadEdges(builder, vertex, max_id);
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
