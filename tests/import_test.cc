// The store and the importer: all-or-nothing imports, idempotent re-imports, merges across
// sources, cross-file rules, snapshots loaded from the store, migrations, the default dataset.
#include <catch2/catch.hpp>
#include <cmath>
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

TEST_CASE("a rejected import leaves the database exactly as it was", "[import]") {
  TempDir dir;
  auto bundle = CopyFixture("small", dir);
  Store store(dir / "t.db");
  REQUIRE(ImportBundle(store, std::string(FIXTURES_DIR) + "/small").accepted);
  const std::string before = Dump(store);
  // One good new row in one file, one broken row in another.
  WriteText(bundle / "tracks.csv", ReadText(bundle / "tracks.csv") + "ivd,体外诊断,IVD\n");
  WriteText(bundle / "produces.csv", ReadText(bundle / "produces.csv") + "E2,endo.nowhere,0.5\n");
  ImportReport r = ImportBundle(store, bundle);
  CHECK_FALSE(r.accepted);
  CHECK(Has(Reasons(r), "produces.csv:9", "unknown segment 'endo.nowhere'"));
  CHECK(Dump(store) == before);
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
