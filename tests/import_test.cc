// The store and the importer: all-or-nothing imports, idempotent re-imports, merges across
// sources, cross-file rules, snapshots loaded from the store, migrations, the default dataset.
#include <catch2/catch.hpp>
#include <cmath>
#include <cstring>
#include <random>
#include <set>

#include "graph/error.h"
#include "graph/lookup.h"
#include "graph/region_tree.h"
#include "ingest/default_db.h"
#include "ingest/importer.h"
#include "ingest/sqlite_db.h"
#include "test_util.h"

using namespace chainatlas;
using namespace chainatlas::ingest;
using chainatlas::testing::CopyFixture;
using chainatlas::testing::ReadText;
using chainatlas::testing::TempDir;
using chainatlas::testing::WriteText;

namespace {

// Every row of every data table, in key order: what "the database is unchanged" compares.
std::string Dump(Store& store, bool with_import_log = true) {
  std::vector<std::string> tables = {"nodes",       "regions",   "tracks",       "segments",
                                     "enterprises", "hospitals", "institutions", "platforms",
                                     "aliases",     "edges",     "meta"};
  if (with_import_log) {
    tables.push_back("imports");
    tables.push_back("import_files");
  }
  std::string out;
  auto row = [](void* data, int n, char** values, char**) {
    auto* o = static_cast<std::string*>(data);
    for (int i = 0; i < n; ++i) *o += std::string(values[i] ? values[i] : "NULL") + "|";
    *o += "\n";
    return 0;
  };
  for (const auto& t : tables) {
    out += "#" + t + "\n";
    std::string sql = "SELECT * FROM " + t + " ORDER BY 1, 2";
    REQUIRE(sqlite3_exec(store.db().handle(), sql.c_str(), row, &out, nullptr) == SQLITE_OK);
  }
  return out;
}

std::vector<std::string> Reasons(const ImportReport& r) {
  return chainatlas::testing::ShortProblems(r.problems);
}

bool Has(const std::vector<std::string>& v, const std::string& prefix, const std::string& words) {
  return chainatlas::testing::HasProblem(v, prefix, words);
}

}  // namespace

TEST_CASE("the small fixture imports, and snapshot and provenance come from the store",
          "[import]") {
  TempDir dir;
  Store store(dir / "t.db");
  CHECK(store.SchemaVersion() == Store::kSchemaVersion);
  ImportReport r = ImportBundle(store, std::string(FIXTURES_DIR) + "/small");
  for (const auto& p : r.problems) UNSCOPED_INFO(p.ToString());
  REQUIRE(r.accepted);
  CHECK(r.nodes_inserted == 24);
  CHECK(r.edges_inserted == 20);
  CHECK(r.relation_rows == 20);
  auto s = store.LoadSnapshot();
  CHECK(s->NumVertices() == 24);
  CHECK(s->CountEdges(EdgeKind::kPartOf) == 6 + 5);  // 6 non-root regions, 5 segments
  VertexId e1 = ResolveEntity(*s, "enterprise:E1");
  VertexId rigid = ResolveEntity(*s, "segment:endo.rigid");
  CHECK(s->EdgeWeight(e1, EdgeKind::kProduces, rigid) == Approx(0.8f));
  CHECK(s->Enterprise(e1).tags == 0b11u);  // high_tech, specialised
  CHECK(s->Enterprise(e1).revenue == Approx(52000));
  CHECK(std::isnan(s->Enterprise(ResolveEntity(*s, "E4")).revenue));
  CHECK(s->Hospital(ResolveEntity(*s, "H2")).departments ==
        std::vector<std::string>{"普外科", "\"肝胆\"外科"});
  CHECK(s->regions().Within(e1, ResolveEntity(*s, "region:330100")));
  CHECK(s->In(rigid, EdgeKind::kClinicalStrength).size() == 1);
  CHECK(s->In(rigid, EdgeKind::kClinicalDemand).size() == 2);

  auto prov = store.NodeProvenance(NodeKind::kEnterprise, "E4");
  REQUIRE(prov.has_value());
  CHECK(prov->source == "test-small");
  CHECK(prov->file == "enterprises.csv");
  CHECK(prov->line == 5);
  CHECK(prov->import_id == r.import_id);
  auto eprov = store.EdgeProvenance(NodeKind::kHospital, "H2", EdgeKind::kClinicalStrength,
                                    NodeKind::kSegment, "endo.rigid");
  REQUIRE(eprov.has_value());
  CHECK(eprov->file == "clinical.csv");
  CHECK(eprov->line == 3);
  CHECK(store.EdgeAttributes(NodeKind::kHospital, "H1", EdgeKind::kClinicalDemand,
                             NodeKind::kSegment, "endo.rigid") == R"({"department":"普外科"})");
}

TEST_CASE("re-importing the same bundle changes nothing", "[import]") {
  TempDir dir;
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  std::string before = Dump(store, false);
  ImportReport again = ImportBundle(store, std::string(FIXTURES_DIR) + "/small");
  REQUIRE(again.accepted);
  CHECK(again.nodes_inserted == 0);
  CHECK(again.nodes_updated == 0);
  CHECK(again.nodes_unchanged == 24);
  CHECK(again.edges_inserted == 0);
  CHECK(again.edges_updated == 0);
  CHECK(again.edges_unchanged == 20);
  CHECK(Dump(store, false) == before);
  CHECK(store.Imports().size() == 2);
}

TEST_CASE("a changed row is updated in place, with its new provenance", "[import]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, bundle).accepted);
  WriteText(bundle / "supplies.csv", "from,to,weight\nendo.lens,endo.rigid,0.5\n");
  ImportReport r = ImportBundle(store, bundle);
  REQUIRE(r.accepted);
  CHECK(r.edges_updated == 1);
  CHECK(r.edges_unchanged == 17);
  auto s = store.LoadSnapshot();
  CHECK(s->EdgeWeight(ResolveEntity(*s, "endo.lens"), EdgeKind::kSupplies,
                      ResolveEntity(*s, "endo.rigid")) == Approx(0.5f));
  // Rows absent from the new bundle stay: an import upserts, it never deletes.
  CHECK(s->CountEdges(EdgeKind::kSupplies) == 3);
}

namespace {

// Imports the small fixture into `store`, then its copy at `bundle` with a new track and the given
// rows appended (file, text), which must be rejected: the database is as it was and the report
// counts nothing written (the track's row is written while the relation files are read and
// resolved, then rolled back).
ImportReport RejectedAfterEntityRows(Store& store, const std::filesystem::path& bundle,
                                     const std::vector<std::pair<std::string, std::string>>& rows) {
  REQUIRE(ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  const std::string before = Dump(store);
  WriteText(bundle / "tracks.csv", ReadText(bundle / "tracks.csv") + "ivd,体外诊断,IVD\n");
  for (const auto& [file, text] : rows) WriteText(bundle / file, ReadText(bundle / file) + text);
  ImportReport r = ImportBundle(store, bundle);
  CHECK_FALSE(r.accepted);
  CHECK(Dump(store) == before);
  CHECK(r.import_id == 0);
  CHECK(r.nodes_inserted == 0);
  CHECK(r.nodes_updated == 0);
  CHECK(r.nodes_unchanged == 0);
  return r;
}

}  // namespace

TEST_CASE("a rejected import leaves the database exactly as it was", "[import]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  Store store(dir / "t.db");
  // One good new row in one file, one broken row in another, found while resolving.
  ImportReport r = RejectedAfterEntityRows(store, bundle,
                                           {{"produces.csv", "E2,endo.nowhere,0.5\n"}});
  CHECK(Has(Reasons(r), "produces.csv:9", "unknown segment 'endo.nowhere'"));
}

// The entity files are checked and their rows written while the relation files are still being
// read: bad relation rows found by the reader roll them back, and are reported in their place.
TEST_CASE("a bad relation row rejects an import whose entity rows were already written",
          "[import]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  Store store(dir / "t.db");
  ImportReport r = RejectedAfterEntityRows(
      store, bundle, {{"produces.csv", "E2,endo.lens,abc\n"}, {"supplies.csv", "endo.lens\n"}});
  REQUIRE(r.problems.size() == 2);
  CHECK(Has(Reasons(r), "produces.csv:9", "share 'abc' is not a number"));
  CHECK(r.problems[0].file.find("produces.csv") != std::string::npos);
  CHECK(r.problems[1].file.find("supplies.csv") != std::string::npos);
  // The report names every file with its rows, as read.
  for (const BundleFile& f : r.files) {
    if (f.kind == "produces") CHECK(f.rows == 8);
  }
  // Mended, it is accepted, and the import log has each file's rows (written after the relation
  // files were read).
  WriteText(bundle / "produces.csv",
            ReadText(std::string(FIXTURES_DIR) + "/small/produces.csv") + "E2,endo.rigid,0.5\n");
  WriteText(bundle / "supplies.csv", ReadText(std::string(FIXTURES_DIR) + "/small/supplies.csv"));
  REQUIRE(ImportBundle(store, bundle).accepted);
  CHECK(store.db().QueryInt("SELECT rows FROM import_files WHERE kind = 'produces' AND "
                            "import_id = (SELECT max(id) FROM imports)") == 8);
  CHECK(store.db().QueryInt("SELECT rows FROM import_files WHERE kind = 'tracks' AND "
                            "import_id = (SELECT max(id) FROM imports)") == 2);
}

// Relations are sorted by key to find repeated ones (the first row leads) and to be written in
// key order: by a counting sort on the source when the ids are dense (all trades among the
// fixture's firms, shuffled), by comparison when they are spread (a few trades among 200 more
// firms). Either way the repeat is reported against its first row, and the mended bundle gives
// the same edges.
TEST_CASE("repeated relations are found in any row order, with dense or spread ids", "[import]") {
  std::mt19937 rng(20240601);
  for (const bool spread : {false, true}) {
    CAPTURE(spread);
    TempDir dir;
    auto bundle = CopyFixture("small", dir);
    std::vector<std::pair<std::string, std::string>> trades;
    if (spread) {
      std::string firms = ReadText(bundle / "enterprises.csv");
      for (int i = 100; i < 300; ++i) firms += "E" + std::to_string(i) + ",n,330122,,,,,,,,,,,,\n";
      WriteText(bundle / "enterprises.csv", firms);
      trades = {{"E299", "E1"}, {"E1", "E299"}, {"E150", "E2"}, {"E2", "E150"}};
    } else {
      for (int a = 1; a <= 6; ++a) {
        for (int b = 1; b <= 6; ++b) {
          if (a != b) trades.push_back({"E" + std::to_string(a), "E" + std::to_string(b)});
        }
      }
      std::shuffle(trades.begin(), trades.end(), rng);
    }
    // The second row again at the end, after other trades of its supplier: lines 3 and n + 2.
    const auto& again = trades[1];
    std::string rows = "supplier,customer,weight\n", repeated = rows;
    for (size_t i = 0; i < trades.size(); ++i) {
      rows += trades[i].first + "," + trades[i].second + ",0.5\n";
      repeated += trades[i].first + "," + trades[i].second + ",0.5\n";
    }
    repeated += again.first + "," + again.second + ",0.9\n";
    WriteText(bundle / "trades_with.csv", repeated);
    Store store(dir / "t.db");
    const std::string before = Dump(store);
    ImportReport r = ImportBundle(store, bundle);
    CHECK_FALSE(r.accepted);
    REQUIRE(r.problems.size() == 1);
    CHECK(Has(Reasons(r), "trades_with.csv:" + std::to_string(trades.size() + 2),
              "duplicate trades_with relation '" + again.first + "' -> '" + again.second +
                  "' (first at"));
    CHECK(Reasons(r)[0].find("trades_with.csv:3)") != std::string::npos);
    CHECK(Dump(store) == before);
    WriteText(bundle / "trades_with.csv", rows);
    r = ImportBundle(store, bundle);
    REQUIRE(r.accepted);
    CHECK(store.db().QueryInt("SELECT count(*) FROM edges WHERE kind = " +
                              std::to_string(static_cast<int>(EdgeKind::kTradesWith))) ==
          static_cast<int64_t>(trades.size()));
    for (const auto& [a, b] : trades) {
      CHECK(store.db().QueryInt(
                "SELECT count(*) FROM edges JOIN nodes s ON s.id = src JOIN nodes d ON d.id = dst "
                "WHERE s.key = '" +
                a + "' AND d.key = '" + b + "' AND edges.kind = " +
                std::to_string(static_cast<int>(EdgeKind::kTradesWith))) == 1);
    }
    // The fingerprint is computed while the relation files are read, and logged with the counts.
    CHECK(r.fingerprint == BundleFingerprint(bundle));
    Statement logged(store.db().handle(),
                     "SELECT fingerprint FROM imports WHERE id = " + std::to_string(r.import_id));
    REQUIRE(logged.Step());
    CHECK(std::string(logged.Text(0)) == r.fingerprint);
  }
}

// A first import builds the name index after the rows (it drops it before them): a rejected one
// leaves the schema as it was, an accepted one leaves the same index.
TEST_CASE("a first import keeps the name index, accepted or rejected", "[import]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  Store store(dir / "t.db");
  auto schema = [&] {
    std::string out;
    // Tables and indexes (an import adds the adjacency triggers of the attribute tables).
    Statement q(store.db().handle(),
                "SELECT type, name, sql FROM sqlite_master WHERE type IN ('table', 'index') "
                "ORDER BY name");
    while (q.Step()) {
      out += std::string(q.Text(0)) + " " + std::string(q.Text(1)) + " " + std::string(q.Text(2));
      out += "\n";
    }
    return out;
  };
  auto index_used = [&] {
    Statement q(store.db().handle(),
                "EXPLAIN QUERY PLAN SELECT id FROM nodes WHERE norm_name = 'x'");
    std::string plan;
    while (q.Step()) plan += std::string(q.Text(3));
    return plan;
  };
  const std::string empty = schema();
  REQUIRE(empty.find("index nodes_norm_name") != std::string::npos);
  WriteText(bundle / "produces.csv", ReadText(bundle / "produces.csv") + "E2,endo.nowhere,0.5\n");
  ImportReport rejected = ImportBundle(store, bundle);
  CHECK_FALSE(rejected.accepted);
  CHECK(schema() == empty);
  CHECK(store.db().QueryInt("SELECT count(*) FROM nodes") == 0);
  REQUIRE(ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  CHECK(schema() == empty);
  CHECK(index_used().find("nodes_norm_name") != std::string::npos);
  Statement check(store.db().handle(), "PRAGMA integrity_check");
  REQUIRE(check.Step());
  CHECK(check.Text(0) == "ok");
}

TEST_CASE("cross-file rules against the bundle and the database", "[import]") {
  auto problems = [](const std::string& file, const std::string& content, bool append) {
    TempDir dir;
    auto bundle = CopyFixture("small", dir);
    WriteText(bundle / file, append ? ReadText(bundle / file) + content : content);
    Store store(dir / "t.db");
    ImportReport r = ImportBundle(store, bundle);
    CHECK_FALSE(r.accepted);
    return Reasons(r);
  };
  CHECK(Has(problems("regions.csv", "330199,x,county,339900\n", true), "regions.csv:10",
            "parent region '339900' does not exist"));
  CHECK(Has(problems("regions.csv", "330123,x,city,330100\n", true), "regions.csv:10",
            "a city cannot sit under the city '330100'"));
  CHECK(Has(problems("regions.csv", "330122-P02,x,park,330100\n", true), "regions.csv:10",
            "a park cannot sit under the city"));
  CHECK(Has(problems("enterprises.csv", "E9,n,339999,,,,,,,,,,,,\n", true), "enterprises.csv:8",
            "region '339999' does not exist"));
  // Did you mean: a close key of the reference's kind, a region written by its name
  // (issue 11 item 5).
  CHECK(Has(problems("produces.csv", "E2,endo.cmoss,0.5\n", true), "produces.csv:9",
            "unknown segment 'endo.cmoss' (did you mean endo.cmos)"));
  CHECK(Has(
      problems("enterprises.csv", "E9,n,桐庐县,,,,,,,,,,,,\n", true), "enterprises.csv:8",
      "region '桐庐县' does not exist (a region is written by its code; '桐庐县' is the name of "
      "330122)"));
  CHECK(Has(problems("enterprises.csv", "E9,n,33012,,,,,,,,,,,,\n", true), "enterprises.csv:8",
            "region '33012' does not exist (did you mean 330122"));
  CHECK(Has(problems("segments.csv", "s9,ivd,,x,upstream,\n", true), "segments.csv:7",
            "track 'ivd' does not exist"));
  CHECK(Has(problems("segments.csv", "s9,endo,missing,x,upstream,\n", true), "segments.csv:7",
            "parent segment 'missing' does not exist"));
  {
    auto ps = problems("segments.csv",
                       "id,track,parent,name,position\na,endo,b,x,upstream\nb,endo,a,y,upstream\n",
                       false);
    CHECK(Has(ps, "segments.csv:2", "parent cycle"));
    CHECK(Has(ps, "segments.csv:3", "parent cycle"));
  }
  {
    TempDir dir;
    auto bundle = CopyFixture("small", dir);
    WriteText(bundle / "tracks.csv", ReadText(bundle / "tracks.csv") + "ivd,体外诊断,IVD\n");
    WriteText(bundle / "segments.csv",
              ReadText(bundle / "segments.csv") + "ivd.x,ivd,endo.optics,x,upstream,\n");
    Store store(dir / "t.db");
    CHECK(Has(Reasons(ImportBundle(store, bundle)), "segments.csv:7",
              "belongs to track 'endo', not 'ivd'"));
  }
  CHECK(Has(problems("produces.csv", "E404,endo.lens,0.5\n", true), "produces.csv:9",
            "unknown enterprise 'E404'"));
  CHECK(Has(problems("trades_with.csv", "E1,E1,0.5\n", true), "trades_with.csv:4", "to itself"));
  CHECK(Has(problems("produces.csv", "E2,endo.lens,0.5\n", true), "produces.csv:9",
            "duplicate produces relation 'E2' -> 'endo.lens' (first at"));
  // A plain id held by two organisation kinds is ambiguous where a column accepts both.
  {
    TempDir dir;
    auto bundle = CopyFixture("small", dir);
    WriteText(bundle / "platforms.csv",
              ReadText(bundle / "platforms.csv") + "E3,同名平台,330122,fund,,1\n");
    WriteText(bundle / "invests.csv", "investor,investee,share\nE3,E1,0.2\n");
    Store store(dir / "t.db");
    CHECK(Has(Reasons(ImportBundle(store, bundle)), "invests.csv:2",
              "id 'E3' is ambiguous (enterprise or platform): write it as kind:id"));
  }
}

TEST_CASE("a second source merges by USCC and by name within a region", "[import][merge]") {
  TempDir dir;
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  ImportReport r = ImportBundle(store, std::string(FIXTURES_DIR) + "/second");
  for (const auto& p : r.problems) UNSCOPED_INFO(p.ToString());
  REQUIRE(r.accepted);
  // X1 by USCC into E1, X3 by normalised name into E2 (杭州市 contains 桐庐县).
  REQUIRE(r.merges.size() == 2);
  CHECK(r.merges[0].key == "X1");
  CHECK(r.merges[0].merged_into == "enterprise:E1");
  CHECK(r.merges[0].matched_by == "uscc");
  CHECK(r.merges[1].key == "X3");
  CHECK(r.merges[1].merged_into == "enterprise:E2");
  CHECK(r.merges[1].matched_by == "name");
  // X4 matches both E5 and E6 (桐庐示例戊医疗 after suffixes): reported, kept apart.
  REQUIRE(r.ambiguous.size() == 1);
  CHECK(r.ambiguous[0].key == "X4");
  CHECK(r.ambiguous[0].candidates.size() == 2);
  CHECK(r.nodes_inserted == 3);  // X2, X4, X5

  auto s = store.LoadSnapshot();
  CHECK(s->CountNodes(NodeKind::kEnterprise) == 9);
  VertexId e1 = ResolveEntity(*s, "enterprise:E1");
  VertexId e2 = ResolveEntity(*s, "enterprise:E2");
  CHECK(s->FindKey(NodeKind::kEnterprise, "X1") == e1);
  CHECK(s->FindKey(NodeKind::kEnterprise, "X3") == e2);
  // A merge fills what was missing and keeps what was there.
  CHECK(s->Enterprise(e2).employees == 55);
  CHECK(s->Enterprise(e2).founded == 2015);
  CHECK(s->Enterprise(e1).employees == 320);
  CHECK(s->Name(e1) == "桐庐示例甲内镜有限公司");
  // Relations of the second source land on the merged nodes.
  VertexId x5 = ResolveEntity(*s, "enterprise:X5");
  CHECK(s->EdgeWeight(x5, EdgeKind::kTradesWith, e2) == Approx(0.4f));
  CHECK(s->EdgeWeight(e1, EdgeKind::kProduces, ResolveEntity(*s, "segment:endo.dist")) ==
        Approx(0.3f));

  // Importing the second source again finds the aliases and changes nothing.
  std::string before = Dump(store, false);
  ImportReport again = ImportBundle(store, std::string(FIXTURES_DIR) + "/second");
  REQUIRE(again.accepted);
  CHECK(again.nodes_inserted == 0);
  CHECK(again.nodes_updated == 0);
  CHECK(again.edges_updated == 0);
  CHECK(Dump(store, false) == before);
}

TEST_CASE("an organisation id taken by another source under another name is refused",
          "[import][merge]") {
  TempDir dir;
  auto bundle = CopyFixture("second", dir);
  WriteText(bundle / "enterprises.csv", "id,name,region\nE3,完全不同的公司,330122\n");
  WriteText(bundle / "produces.csv", "enterprise,segment\n");
  WriteText(bundle / "trades_with.csv", "supplier,customer\n");
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  ImportReport r = ImportBundle(store, bundle);
  CHECK_FALSE(r.accepted);
  CHECK(Has(Reasons(r), "enterprises.csv:2", "already names '上海示例丙芯片股份有限公司'"));
}

TEST_CASE("schema versions: new databases are current, newer ones are refused", "[store]") {
  TempDir dir;
  { Store store(dir / "t.db"); }
  {
    Database db(dir / "t.db", false);
    CHECK(db.QueryInt("PRAGMA user_version") == Store::kSchemaVersion);
    db.Exec("PRAGMA user_version = 99");
  }
  try {
    Store store(dir / "t.db");
    FAIL("a newer schema must be refused");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidData);
    CHECK(std::string(e.what()).find("newer") != std::string::npos);
  }
  CHECK_THROWS_AS(Store(dir / "missing-dir" / "x.db"), Error);
}

TEST_CASE("the embedded default dataset imports cleanly and is rebuilt only when it changes",
          "[import][default]") {
  TempDir dir;
  auto db = EnsureDefaultDatabase(DATA_DIR, dir / "default.db");
  auto mtime = std::filesystem::last_write_time(db);
  Store store(db, true);
  auto s = store.LoadSnapshot();
  for (NodeKind k : kAllNodeKinds) {
    INFO(NodeKindName(k));
    CHECK(s->CountNodes(k) > 0);
  }
  CHECK(s->CountNodes(NodeKind::kEnterprise) >= 300);
  CHECK(s->CountNodes(NodeKind::kSegment) >= 80);
  CHECK(s->CountNodes(NodeKind::kHospital) >= 30);
  CHECK(s->CountNodes(NodeKind::kInstitution) >= 20);
  CHECK(s->CountNodes(NodeKind::kPlatform) >= 30);
  // Enterprises in at least 15 counties.
  std::set<VertexId> counties;
  for (VertexId v = 0; v < s->NumVertices(); ++v) {
    if (s->Kind(v) != NodeKind::kEnterprise) continue;
    VertexId c = s->regions().AncestorAtLevel(s->Region(v), RegionLevel::kCounty);
    if (c != kNoVertex) counties.insert(c);
  }
  CHECK(counties.size() >= 15);
  // Every Zhejiang county under its city.
  VertexId zj = ResolveEntity(*s, "region:330000");
  CHECK(s->regions().forest().Children(zj).size() == 11);
  CHECK(EnsureDefaultDatabase(DATA_DIR, dir / "default.db") == db);
  CHECK(std::filesystem::last_write_time(db) == mtime);
}

TEST_CASE("one run reports bad rows of every kind, not only the first", "[import]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  // A row bad on its own, a row bad against other files, and a reference to the first one.
  WriteText(bundle / "enterprises.csv",
            ReadText(bundle / "enterprises.csv") +
                "E8,n,330122,,1800,,,,,,,,,,\nE9,n,339999,,,,,,,,,,,,\n");
  WriteText(bundle / "produces.csv",
            ReadText(bundle / "produces.csv") + "E2,endo.lens,1.7\nE8,endo.lens,0.5\n");
  Store store(dir / "t.db");
  auto ps = Reasons(ImportBundle(store, bundle));
  INFO(Catch::Detail::stringify(ps));
  CHECK(ps.size() == 3);
  CHECK(Has(ps, "enterprises.csv:8", "founded 1800"));
  CHECK(Has(ps, "enterprises.csv:9", "region '339999' does not exist"));
  CHECK(Has(ps, "produces.csv:9", "share 1.7"));
}

TEST_CASE("a snapshot holds exactly the store's edges (two-connection scan)", "[import][default]") {
  TempDir dir;
  auto db = EnsureDefaultDatabase(DATA_DIR, dir / "default.db");
  Store store(db, true);
  auto s = store.LoadSnapshot();
  int64_t rows = 0;
  Statement q(store.db().handle(),
              "SELECT a.kind, a.key, e.kind, b.kind, b.key, e.weight FROM edges e "
              "JOIN nodes a ON a.id = e.src JOIN nodes b ON b.id = e.dst");
  while (q.Step()) {
    ++rows;
    VertexId a = s->FindKey(static_cast<NodeKind>(q.Int(0)), q.Text(1));
    VertexId b = s->FindKey(static_cast<NodeKind>(q.Int(3)), q.Text(4));
    REQUIRE(a != kNoVertex);
    REQUIRE(b != kNoVertex);
    auto w = s->EdgeWeight(a, static_cast<EdgeKind>(q.Int(2)), b);
    REQUIRE(w.has_value());
    REQUIRE(*w == Approx(q.Real(5)));
  }
  REQUIRE(rows > 1024);  // large enough for the scan to be split across two connections
  CHECK(static_cast<int64_t>(s->NumEdges() - s->CountEdges(EdgeKind::kPartOf)) == rows);
}

namespace {

// Two snapshots are the same graph: vertices (kind, key, name, region, illustrative, per-kind
// parents), every adjacency array (forward targets, weights, kinds, evidence; reverse sources,
// kinds; row offsets) and the edge counts per kind.
void RequireSameSnapshot(const Snapshot& a, const Snapshot& b) {
  REQUIRE(a.NumVertices() == b.NumVertices());
  REQUIRE(a.NumEdges() == b.NumEdges());
  for (VertexId v = 0; v < a.NumVertices(); ++v) {
    REQUIRE(a.Kind(v) == b.Kind(v));
    REQUIRE(a.Key(v) == b.Key(v));
    REQUIRE(a.Name(v) == b.Name(v));
    REQUIRE(a.Region(v) == b.Region(v));
    REQUIRE(a.Illustrative(v) == b.Illustrative(v));
    if (a.Kind(v) == NodeKind::kSegment) {
      REQUIRE(a.Segment(v).parent == b.Segment(v).parent);
      REQUIRE(a.Segment(v).track == b.Segment(v).track);
    }
    if (a.Kind(v) == NodeKind::kRegion) REQUIRE(a.RegionInfo(v).parent == b.RegionInfo(v).parent);
    auto out_a = a.OutAll(v), out_b = b.OutAll(v);
    REQUIRE(out_a.size() == out_b.size());
    for (uint32_t i = out_a.first_edge(), j = out_b.first_edge(); i < out_a.last_edge(); ++i, ++j) {
      REQUIRE(a.ForwardEdgeKind(i) == b.ForwardEdgeKind(j));
      REQUIRE(out_a.At(i).vertex == out_b.At(j).vertex);
      REQUIRE(out_a.At(i).weight == out_b.At(j).weight);
      REQUIRE(out_a.At(i).evidence == out_b.At(j).evidence);
    }
    auto in_a = a.InAll(v), in_b = b.InAll(v);
    REQUIRE(in_a.size() == in_b.size());
    for (uint32_t i = in_a.first_edge(), j = in_b.first_edge(); i < in_a.last_edge(); ++i, ++j) {
      REQUIRE(a.ReverseEdgeKind(i) == b.ReverseEdgeKind(j));
      REQUIRE(in_a.At(i).vertex == in_b.At(j).vertex);
      REQUIRE(in_a.At(i).weight == in_b.At(j).weight);
    }
  }
  for (int k = 0; k < kEdgeKindCount; ++k) {
    REQUIRE(a.CountEdges(static_cast<EdgeKind>(k)) == b.CountEdges(static_cast<EdgeKind>(k)));
  }
  AdjacencyView x = a.Adjacency(), y = b.Adjacency();
  auto same = [](auto p, auto q) {
    return p.size() == q.size() && std::memcmp(p.data(), q.data(), p.size_bytes()) == 0;
  };
  CHECK(same(x.forward_rowstart, y.forward_rowstart));
  CHECK(same(x.forward_column, y.forward_column));
  CHECK(same(x.forward_weight, y.forward_weight));
  CHECK(same(x.forward_kind, y.forward_kind));
  CHECK(same(x.forward_evidence, y.forward_evidence));
  CHECK(same(x.reverse_rowstart, y.reverse_rowstart));
  CHECK(same(x.reverse_column, y.reverse_column));
  CHECK(same(x.reverse_kind, y.reverse_kind));
  // The vertex side array by array (kinds, keys, names, regions, per-kind rows and attributes,
  // the key, name and USCC lookup tables), as the packed copy holds it.
  CHECK(a.PackVertices() == b.PackVertices());
  // Lookups (the tables) and aliases answer alike.
  for (VertexId v = 0; v < a.NumVertices(); v += 1 + a.NumVertices() / 200) {
    REQUIRE(a.FindKey(a.Kind(v), a.Key(v)) == v);
    REQUIRE(b.FindKey(b.Kind(v), b.Key(v)) == v);
    REQUIRE(a.FindName(a.Name(v)) == b.FindName(b.Name(v)));
    if (a.Kind(v) == NodeKind::kEnterprise) {
      REQUIRE(a.Enterprise(v).uscc == b.Enterprise(v).uscc);
      REQUIRE(a.Enterprise(v).tags == b.Enterprise(v).tags);
      if (!a.Enterprise(v).uscc.empty()) REQUIRE(a.FindUscc(a.Enterprise(v).uscc) == v);
      REQUIRE(b.FindUscc(b.Enterprise(v).uscc) == a.FindUscc(a.Enterprise(v).uscc));
    }
  }
}

// The small fixture plus `extra` generated enterprises (seeded) with produces, trades_with and
// cooperates relations of random weights among them and the fixture's segments.
std::filesystem::path GeneratedBundle(const TempDir& dir, int extra, unsigned seed) {
  static int made = 0;
  auto bundle = dir / ("generated" + std::to_string(++made));
  std::filesystem::copy(std::filesystem::path(FIXTURES_DIR) / "small", bundle,
                        std::filesystem::copy_options::recursive);
  std::mt19937 rng(seed);
  const char* segments[] = {"endo.optics", "endo.lens", "endo.cmos", "endo.rigid", "endo.dist"};
  const char* regions[] = {"330122", "330100", "330122-P01"};
  std::string ents = ReadText(bundle / "enterprises.csv");
  std::string produces = ReadText(bundle / "produces.csv");
  std::string trades = ReadText(bundle / "trades_with.csv");
  std::string coop = ReadText(bundle / "cooperates.csv");
  auto weight = [&] { return std::to_string(1 + rng() % 100) + "e-2"; };
  std::set<std::pair<int, int>> traded, cooperated;
  for (int i = 0; i < extra; ++i) {
    const std::string id = std::string("G").append(std::to_string(i));
    ents += id + ",生成企业" + std::to_string(i) + "有限公司," + regions[rng() % 3] +
            ",,,,,,,,,,,1,\n";
    std::set<int> made;
    for (int k = 0; k < 1 + static_cast<int>(rng() % 3); ++k) {
      int s = static_cast<int>(rng() % 5);
      if (made.insert(s).second) produces += id + "," + segments[s] + "," + weight() + "\n";
    }
    for (int k = 0; k < 4 && i > 0; ++k) {
      int j = static_cast<int>(rng() % i);
      if (traded.insert({i, j}).second)
        trades += id + ",G" + std::to_string(j) + "," + weight() + "\n";
      int c = static_cast<int>(rng() % i);
      if (c != i && cooperated.insert({std::min(i, c), std::max(i, c)}).second) {
        coop += id + ",G" + std::to_string(c) + ",supply_chain," + weight() + "\n";
      }
    }
  }
  WriteText(bundle / "enterprises.csv", ents);
  WriteText(bundle / "produces.csv", produces);
  WriteText(bundle / "trades_with.csv", trades);
  WriteText(bundle / "cooperates.csv", coop);
  return bundle;
}

}  // namespace

TEST_CASE("the packed adjacency loads the same snapshot as the edge rows (default dataset)",
          "[import][packed][default]") {
  TempDir dir;
  auto db = EnsureDefaultDatabase(DATA_DIR, dir / "default.db");
  Store store(db, true);
  REQUIRE(store.HasPackedAdjacency());
  auto packed = store.LoadSnapshot(Store::LoadPath::kPacked);
  CHECK(store.LastLoadPacked());
  auto rows = store.LoadSnapshot(Store::LoadPath::kRows);
  CHECK_FALSE(store.LastLoadPacked());
  RequireSameSnapshot(*packed, *rows);
  auto automatic = store.LoadSnapshot();
  CHECK(store.LastLoadPacked());
  RequireSameSnapshot(*automatic, *rows);
}

TEST_CASE("the packed adjacency follows every import and is dropped by any other write",
          "[import][packed]") {
  TempDir dir;
  Store store(dir / "t.db");
  CHECK_FALSE(store.HasPackedAdjacency());
  ImportReport r = ImportBundle(store, GeneratedBundle(dir, 1500, 7));
  for (const auto& p : r.problems) UNSCOPED_INFO(p.ToString());
  REQUIRE(r.accepted);
  REQUIRE(r.edges_inserted > 5000);
  REQUIRE(store.HasPackedAdjacency());
  auto check_same = [&] {
    auto packed = store.LoadSnapshot(Store::LoadPath::kPacked);
    auto rows = store.LoadSnapshot(Store::LoadPath::kRows);
    RequireSameSnapshot(*packed, *rows);
  };
  check_same();

  // A second import into the same database (another generation of the same source: weights and
  // relations change, enterprises are added) rewrites it.
  TempDir dir2;
  r = ImportBundle(store, GeneratedBundle(dir2, 1800, 8));
  for (const auto& p : r.problems) UNSCOPED_INFO(p.ToString());
  REQUIRE(r.accepted);
  REQUIRE(r.edges_updated > 0);
  REQUIRE(store.HasPackedAdjacency());
  check_same();

  // A rejected import leaves it as it was.
  auto bad = CopyFixture("small", dir2);
  WriteText(bad / "produces.csv", ReadText(bad / "produces.csv") + "E2,endo.nothing,0.5\n");
  REQUIRE_FALSE(ImportBundle(store, bad).accepted);
  REQUIRE(store.HasPackedAdjacency());
  check_same();

  // Writes by any other program drop it (triggers), and loads fall back to the rows.
  const char* writes[] = {
      "UPDATE edges SET weight = 0.125 WHERE (src, kind, dst) = (SELECT src, kind, dst FROM edges "
      "LIMIT 1)",
      "DELETE FROM edges WHERE kind = 2 AND src = (SELECT min(src) FROM edges WHERE kind = 2)",
      "UPDATE segments SET parent = NULL WHERE parent IS NOT NULL",
      "UPDATE regions SET parent = NULL WHERE node_id = (SELECT max(node_id) FROM regions)",
      // The vertex side: names, per-kind attributes.
      "UPDATE nodes SET name = name || '2' WHERE id = (SELECT max(id) FROM nodes)",
      "UPDATE enterprises SET revenue = 12.5 WHERE node_id = (SELECT min(node_id) FROM "
      "enterprises)",
      "UPDATE tracks SET name_en = 'renamed'",
      "UPDATE hospitals SET grade = '二级'",
      "UPDATE institutions SET key_labs = 'a;b'",
      "UPDATE platforms SET accreditations = 'x'",
  };
  for (const char* write : writes) {
    INFO(write);
    ImportBundle(store, GeneratedBundle(dir2, 1800, 8));  // packed again
    REQUIRE(store.HasPackedAdjacency());
    store.db().Exec(write);
    CHECK_FALSE(store.HasPackedAdjacency());
    auto automatic = store.LoadSnapshot();
    CHECK_FALSE(store.LastLoadPacked());
    RequireSameSnapshot(*automatic, *store.LoadSnapshot(Store::LoadPath::kRows));
    CHECK_THROWS_AS(store.LoadSnapshot(Store::LoadPath::kPacked), Error);
  }
}

TEST_CASE("a packed adjacency that does not fit is not used", "[import][packed]") {
  TempDir dir;
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, GeneratedBundle(dir, 300, 11)).accepted);
  auto rows = store.LoadSnapshot(Store::LoadPath::kRows);
  // Damage one byte of a chunk (the checksum), or cut a chunk short, behind the triggers' back.
  const char* damages[] = {
      "UPDATE adjacency SET data = substr(data, 1, 100) || x'ff' || substr(data, 102) "
      "WHERE part = 1",
      "UPDATE adjacency SET data = substr(data, 1, length(data) - 1) WHERE part = 1",
      "DELETE FROM adjacency WHERE part = 1",
      // The end of the stream (the vertex side and node ids).
      "UPDATE adjacency SET data = substr(data, 1, length(data) - 50) || x'ff' || "
      "substr(data, length(data) - 48) WHERE part = 1",
      // A copy of format 1 (the adjacency alone) or of another format.
      "UPDATE adjacency SET data = substr(data, 1, 12) || x'01000000' || substr(data, 17) "
      "WHERE part = 0",
      "UPDATE adjacency SET data = substr(data, 1, 12) || x'03000000' || substr(data, 17) "
      "WHERE part = 0",
  };
  for (const char* damage : damages) {
    INFO(damage);
    REQUIRE(ImportBundle(store, GeneratedBundle(dir, 300, 11)).accepted);
    REQUIRE(store.LoadSnapshot() != nullptr);
    REQUIRE(store.LastLoadPacked());
    store.db().Exec(damage);
    auto automatic = store.LoadSnapshot();
    CHECK_FALSE(store.LastLoadPacked());
    RequireSameSnapshot(*automatic, *rows);
  }
  // A table dropped by hand (the triggers with it gone too) comes back with the next import.
  store.db().Exec("DROP TABLE adjacency");
  for (const char* table : {"nodes", "edges", "regions", "segments", "tracks", "enterprises",
                            "hospitals", "institutions", "platforms"}) {
    for (const char* tag : {"ins", "upd", "del"}) {
      store.db().Exec(std::string("DROP TRIGGER adjacency_stale_") + table + "_" + tag);
    }
  }
  REQUIRE(ImportBundle(store, GeneratedBundle(dir, 300, 11)).accepted);
  REQUIRE(store.HasPackedAdjacency());
  RequireSameSnapshot(*store.LoadSnapshot(Store::LoadPath::kPacked), *rows);
  // A version 2 database (no packed adjacency) still opens read-only and loads by the rows.
  store.db().Exec("DROP TABLE adjacency");
  store.db().Exec("PRAGMA user_version = 2");
  Store old(dir / "t.db", true);
  CHECK_FALSE(old.HasPackedAdjacency());
  RequireSameSnapshot(*old.LoadSnapshot(), *rows);
}
