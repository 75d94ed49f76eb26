// The snapshot, its hierarchies and lookups, on small hand-built graphs and against a brute-force
// edge list.
#include <algorithm>
#include <catch2/catch.hpp>
#include <random>
#include <map>
#include <set>
#include <thread>
#include <tuple>

#include "graph/error.h"
#include "graph/lookup.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"

using namespace chainatlas;

namespace {

struct Small {
  std::shared_ptr<const Snapshot> s;
  VertexId zj, hz, tonglu, park, sh, pudong, endo, optics, lens, cmos, rigid, e1, e2, e3, h1;
};

// 浙江 > 杭州 > 桐庐 > park; 上海 > 浦东. Track endo: optics > lens; cmos; rigid.
// e1 (park) makes rigid; e2 (桐庐) makes lens; e3 (浦东) makes cmos and supplies e1.
Small BuildSmall() {
  SnapshotBuilder b;
  Small g;
  g.zj = b.AddRegion("330000", "浙江省", {RegionLevel::kProvince, kNoVertex});
  g.hz = b.AddRegion("330100", "杭州市", {RegionLevel::kCity, g.zj});
  g.tonglu = b.AddRegion("330122", "桐庐县", {RegionLevel::kCounty, g.hz});
  g.park = b.AddRegion("330122-P01", "产业园", {RegionLevel::kPark, g.tonglu});
  g.sh = b.AddRegion("310000", "上海市", {RegionLevel::kProvince, kNoVertex});
  g.pudong = b.AddRegion("310115", "浦东新区", {RegionLevel::kCounty, g.sh});
  g.endo = b.AddTrack("endo", "内窥镜", {"Endoscopes"});
  g.optics = b.AddSegment("endo.optics", "光学元件", {g.endo, kNoVertex, Position::kUpstream, ""});
  g.lens = b.AddSegment("endo.lens", "光学透镜", {g.endo, g.optics, Position::kUpstream, ""});
  g.cmos = b.AddSegment("endo.cmos", "CMOS", {g.endo, kNoVertex, Position::kUpstream, ""});
  g.rigid = b.AddSegment("endo.rigid", "硬镜", {g.endo, kNoVertex, Position::kMidstream, ""});
  EnterpriseAttributes a1;
  a1.uscc = "91330122MA2AB0001N";
  g.e1 = b.AddEnterprise("E1", "甲内镜", g.park, a1);
  g.e2 = b.AddEnterprise("E2", "乙光学", g.tonglu, {});
  g.e3 = b.AddEnterprise("E3", "丙芯片", g.pudong, {});
  g.h1 = b.AddHospital("H1", "桐庐医院", g.tonglu, {});
  b.AddAlias(g.e1, "X1");
  // Added out of order on purpose: the builder sorts.
  b.AddEdge(g.e3, EdgeKind::kTradesWith, g.e1, 0.5f);
  b.AddEdge(g.e1, EdgeKind::kProduces, g.rigid, 0.8f);
  b.AddEdge(g.e2, EdgeKind::kProduces, g.lens, 1.0f);
  b.AddEdge(g.e3, EdgeKind::kProduces, g.cmos, 1.0f);
  b.AddEdge(g.lens, EdgeKind::kSupplies, g.rigid, 0.9f);
  b.AddEdge(g.cmos, EdgeKind::kSupplies, g.rigid, 0.7f);
  b.AddEdge(g.h1, EdgeKind::kClinicalDemand, g.rigid, 0.6f);
  g.s = b.Build();
  return g;
}

std::vector<std::pair<VertexId, float>> Collect(Snapshot::NeighborRange r) {
  std::vector<std::pair<VertexId, float>> out;
  for (Neighbor nb : r) out.emplace_back(nb.vertex, nb.weight);
  return out;
}

}  // namespace

TEST_CASE("snapshot neighbours by kind, forward and reverse", "[graph]") {
  Small g = BuildSmall();
  const Snapshot& s = *g.s;
  CHECK(s.NumVertices() == 15);
  // 7 added edges, part_of for 4 segments and 4 non-root regions.
  CHECK(s.NumEdges() == 7 + 4 + 4);
  CHECK(s.CountEdges(EdgeKind::kPartOf) == 8);
  CHECK(s.CountNodes(NodeKind::kEnterprise) == 3);

  using P = std::vector<std::pair<VertexId, float>>;
  CHECK(Collect(s.Out(g.e3, EdgeKind::kProduces)) == P{{g.cmos, 1.0f}});
  CHECK(Collect(s.Out(g.e3, EdgeKind::kTradesWith)) == P{{g.e1, 0.5f}});
  CHECK(Collect(s.In(g.rigid, EdgeKind::kSupplies)) == P{{g.lens, 0.9f}, {g.cmos, 0.7f}});
  CHECK(Collect(s.In(g.rigid, EdgeKind::kProduces)) == P{{g.e1, 0.8f}});
  CHECK(Collect(s.In(g.rigid, EdgeKind::kClinicalDemand)) == P{{g.h1, 0.6f}});
  CHECK(Collect(s.Out(g.lens, EdgeKind::kPartOf)) == P{{g.optics, 1.0f}});
  CHECK(Collect(s.Out(g.optics, EdgeKind::kPartOf)) == P{{g.endo, 1.0f}});
  CHECK(Collect(s.In(g.tonglu, EdgeKind::kPartOf)) == P{{g.park, 1.0f}});
  CHECK(s.Out(g.e1, EdgeKind::kSupplies).empty());
  CHECK(s.EdgeWeight(g.cmos, EdgeKind::kSupplies, g.rigid) == Approx(0.7f));
  CHECK_FALSE(s.EdgeWeight(g.rigid, EdgeKind::kSupplies, g.cmos).has_value());
  CHECK(s.OutAll(g.e3).size() == 2);
}

TEST_CASE("snapshot attributes and lookups", "[graph]") {
  Small g = BuildSmall();
  const Snapshot& s = *g.s;
  CHECK(s.Label(g.e1) == "enterprise:E1");
  CHECK(s.Region(g.e1) == g.park);
  CHECK(s.Enterprise(g.e1).uscc == "91330122MA2AB0001N");
  CHECK_THROWS_AS(s.Hospital(g.e1), Error);
  CHECK(s.FindKey(NodeKind::kEnterprise, "E2") == g.e2);
  CHECK(s.FindKey(NodeKind::kEnterprise, "X1") == g.e1);  // alias
  CHECK(s.FindKey(NodeKind::kHospital, "E2") == kNoVertex);
  CHECK(s.FindUscc("91330122MA2AB0001N") == g.e1);
  CHECK(s.FindName("乙光学") == std::vector<VertexId>{g.e2});

  CHECK(ResolveEntity(s, "enterprise:E1") == g.e1);
  CHECK(ResolveEntity(s, "91330122MA2AB0001N") == g.e1);
  CHECK(ResolveEntity(s, "桐庐县") == g.tonglu);
  CHECK(ResolveEntity(s, "330122", NodeKind::kRegion) == g.tonglu);
  try {
    ResolveEntity(s, "甲内窥");
    FAIL("expected NotFound");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
    REQUIRE_FALSE(e.suggestions().empty());
    CHECK(e.suggestions()[0].rfind("enterprise:E1", 0) == 0);
  }
  auto hits = SearchEntities(s, "光学", 10);
  // Exact matches first, then shorter names: 乙光学 before 光学元件 and 光学透镜.
  CHECK(hits == std::vector<VertexId>{g.e2, g.optics, g.lens});
}

TEST_CASE("region tree: everything below, containment, levels, members", "[graph]") {
  Small g = BuildSmall();
  const RegionTree& r = g.s->regions();
  CHECK(r.forest().Roots() == std::vector<VertexId>{g.zj, g.sh});
  CHECK(r.forest().Descendants(g.zj) == std::vector<VertexId>{g.hz, g.tonglu, g.park});
  CHECK(r.Contains(g.zj, g.park));
  CHECK(r.Contains(g.tonglu, g.tonglu));
  CHECK_FALSE(r.Contains(g.park, g.tonglu));
  CHECK_FALSE(r.Contains(g.sh, g.tonglu));
  CHECK(r.Within(g.e1, g.hz));
  CHECK_FALSE(r.Within(g.e3, g.zj));
  CHECK(r.AncestorAtLevel(g.park, RegionLevel::kCity) == g.hz);
  CHECK(r.AncestorAtLevel(g.pudong, RegionLevel::kCity) == kNoVertex);
  CHECK(r.MembersWithin(g.tonglu) == std::vector<VertexId>{g.e1, g.e2, g.h1});
  CHECK(r.MembersWithin(g.sh) == std::vector<VertexId>{g.e3});
  CHECK(r.forest().Ancestors(g.park) == std::vector<VertexId>{g.tonglu, g.hz, g.zj});
}

TEST_CASE("taxonomy: tracks, segments below, supply relations", "[graph]") {
  Small g = BuildSmall();
  const Taxonomy& t = g.s->taxonomy();
  CHECK(t.Tracks() == std::vector<VertexId>{g.endo});
  CHECK(t.SegmentsBelow(g.endo) == std::vector<VertexId>{g.optics, g.lens, g.cmos, g.rigid});
  CHECK(t.SegmentsBelow(g.optics) == std::vector<VertexId>{g.lens});
  CHECK(t.TrackOf(g.lens) == g.endo);
  CHECK(t.Contains(g.optics, g.lens));
  CHECK_FALSE(t.Contains(g.lens, g.optics));
  CHECK(t.forest().Depth(g.lens) == 2);
  CHECK(t.Inputs(g.rigid).size() == 2);
  CHECK(t.Outputs(g.lens).size() == 1);
}

TEST_CASE("builder rejects repeated edges, part_of edges and parent cycles", "[graph]") {
  {
    SnapshotBuilder b;
    VertexId a = b.AddEnterprise("A", "a", kNoVertex, {});
    VertexId c = b.AddEnterprise("C", "c", kNoVertex, {});
    b.AddEdge(a, EdgeKind::kTradesWith, c, 1);
    b.AddEdge(a, EdgeKind::kTradesWith, c, 0.5);
    CHECK_THROWS_AS(b.Build(), Error);
  }
  {
    SnapshotBuilder b;
    VertexId a = b.AddEnterprise("A", "a", kNoVertex, {});
    CHECK_THROWS_AS(b.AddEdge(a, EdgeKind::kPartOf, a, 1), Error);
    CHECK_THROWS_AS(b.AddEnterprise("A", "again", kNoVertex, {}), Error);
  }
  {
    // Two regions that are each other's parent.
    SnapshotBuilder b;
    b.AddRegion("110000", "x", {RegionLevel::kProvince, 1});
    b.AddRegion("110100", "y", {RegionLevel::kCity, 0});
    CHECK_THROWS_AS(b.Build(), Error);
  }
}

TEST_CASE("CSR adjacency equals a brute-force edge list on random graphs", "[graph]") {
  std::mt19937 rng(42);
  for (int round = 0; round < 5; ++round) {
    const int n = 50 + 40 * round;
    SnapshotBuilder b;
    for (int i = 0; i < n; ++i) b.AddEnterprise("E" + std::to_string(i), "e", kNoVertex, {});
    std::set<std::tuple<VertexId, EdgeKind, VertexId>> keys;
    std::vector<std::tuple<VertexId, EdgeKind, VertexId, float>> edges;
    std::map<std::pair<VertexId, VertexId>, uint8_t> evidence_of;  // supplies edges only matter
    std::uniform_int_distribution<int> vd(0, n - 1), kd(1, kEdgeKindCount - 1);
    for (int e = 0; e < n * 6; ++e) {
      VertexId u = vd(rng), v = vd(rng);
      EdgeKind k = static_cast<EdgeKind>(kd(rng));
      if (!keys.insert({u, k, v}).second) continue;
      float w = static_cast<float>(e % 97) / 97.0f + 0.01f;
      edges.emplace_back(u, k, v, w);
      uint8_t evidence = k == EdgeKind::kSupplies
                             ? EvidenceByte(static_cast<EvidenceKind>(e % kEvidenceKindCount),
                                            static_cast<SupplyRule>(e % 9))
                             : 0;
      if (k == EdgeKind::kSupplies) evidence_of[{u, v}] = evidence;
      b.AddEdge(u, k, v, w, evidence);
    }
    auto s = b.Build();
    REQUIRE(s->NumEdges() == edges.size());
    for (VertexId v = 0; v < static_cast<VertexId>(n); ++v) {
      for (EdgeKind k : kAllEdgeKinds) {
        std::vector<std::pair<VertexId, float>> want_out, want_in;
        for (auto& [a, kk, c, w] : edges) {
          if (kk != k) continue;
          if (a == v) want_out.emplace_back(c, w);
          if (c == v) want_in.emplace_back(a, w);
        }
        std::sort(want_out.begin(), want_out.end());
        std::sort(want_in.begin(), want_in.end());
        REQUIRE(Collect(s->Out(v, k)) == want_out);
        REQUIRE(Collect(s->In(v, k)) == want_in);
      }
      // The evidence of a supplies edge, read forward, backward and by lookup.
      for (Neighbor nb : s->Out(v, EdgeKind::kSupplies)) {
        REQUIRE(nb.evidence == evidence_of.at({v, nb.vertex}));
        REQUIRE(s->EdgeEvidence(v, EdgeKind::kSupplies, nb.vertex) == nb.evidence);
      }
      for (Neighbor nb : s->In(v, EdgeKind::kSupplies)) {
        REQUIRE(nb.evidence == evidence_of.at({nb.vertex, v}));
      }
    }
    // 15 bytes per edge (evidence included) plus two row-offset arrays.
    CHECK(s->AdjacencyBytes() == 15 * edges.size() + 2 * 4 * (n + 1));
  }
}

// In-neighbours read their weights through the reverse → forward edge positions, built on first
// use: four threads read a fresh snapshot's in-edges at once, and every one must equal what
// EdgeWeight / EdgeEvidence find by searching the source's row.
TEST_CASE("reverse edge weights: built once on first use, equal to EdgeWeight, thread-safe",
          "[graph]") {
  std::mt19937 rng(7);
  for (int round = 0; round < 3; ++round) {
    const int n = 300 + 200 * round;
    SnapshotBuilder b;
    for (int i = 0; i < n; ++i) b.AddEnterprise("E" + std::to_string(i), "e", kNoVertex, {});
    std::set<std::tuple<VertexId, EdgeKind, VertexId>> keys;
    std::uniform_int_distribution<int> vd(0, n - 1), kd(1, kEdgeKindCount - 1);
    for (int e = 0; e < n * 8; ++e) {
      VertexId u = vd(rng), v = vd(rng);
      EdgeKind k = static_cast<EdgeKind>(kd(rng));
      if (!keys.insert({u, k, v}).second) continue;
      uint8_t evidence = k == EdgeKind::kSupplies
                             ? EvidenceByte(static_cast<EvidenceKind>(e % kEvidenceKindCount),
                                            static_cast<SupplyRule>(e % 9))
                             : 0;
      b.AddEdge(u, k, v, static_cast<float>(rng() % 1000) / 999.0f, evidence);
    }
    auto s = b.Build();
    CHECK(s->ReversePositionBytes() == 0);
    std::vector<size_t> mismatches(4, 0), read(4, 0);
    std::vector<std::thread> threads;
    for (size_t t = 0; t < 4; ++t) {
      threads.emplace_back([&, t] {
        for (VertexId v = 0; v < static_cast<VertexId>(n); ++v) {
          for (EdgeKind k : kAllEdgeKinds) {
            for (Neighbor nb : s->In(v, k)) {
              ++read[t];
              if (nb.weight != *s->EdgeWeight(nb.vertex, k, v) ||
                  nb.evidence != (k == EdgeKind::kSupplies ? s->EdgeEvidence(nb.vertex, k, v) : 0))
                ++mismatches[t];
            }
          }
        }
      });
    }
    for (auto& th : threads) th.join();
    for (size_t t = 0; t < 4; ++t) {
      CHECK(read[t] == s->NumEdges());
      CHECK(mismatches[t] == 0);
    }
    CHECK(s->ReversePositionBytes() == 4 * s->NumEdges());
  }
}

namespace {

// The snapshot's adjacency as arrays a builder takes (SetAdjacency), copied.
AdjacencyArrays ArraysOf(const Snapshot& s) {
  AdjacencyView a = s.Adjacency();
  AdjacencyArrays arrays;
  arrays.forward_rowstart.assign(a.forward_rowstart.begin(), a.forward_rowstart.end());
  arrays.forward_column.assign(a.forward_column.begin(), a.forward_column.end());
  arrays.forward_weight.assign(a.forward_weight.begin(), a.forward_weight.end());
  arrays.forward_kind.assign(a.forward_kind.begin(), a.forward_kind.end());
  arrays.forward_evidence.assign(a.forward_evidence.begin(), a.forward_evidence.end());
  arrays.reverse_rowstart.assign(a.reverse_rowstart.begin(), a.reverse_rowstart.end());
  arrays.reverse_column.assign(a.reverse_column.begin(), a.reverse_column.end());
  arrays.reverse_kind.assign(a.reverse_kind.begin(), a.reverse_kind.end());
  return arrays;
}

}  // namespace

TEST_CASE("packed vertices load back as the same vertex side", "[graph][packed]") {
  Small g = BuildSmall();
  const Snapshot& s = *g.s;
  const std::vector<uint8_t> packed = s.PackVertices();
  SnapshotBuilder b;
  b.SetVertices(packed);
  b.AddAlias(g.e1, "X1");
  b.SetAdjacency(ArraysOf(s));
  auto t = b.Build();
  CHECK(t->PackVertices() == packed);
  REQUIRE(t->NumVertices() == s.NumVertices());
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    CHECK(t->Kind(v) == s.Kind(v));
    CHECK(t->Key(v) == s.Key(v));
    CHECK(t->Name(v) == s.Name(v));
    CHECK(t->Region(v) == s.Region(v));
    CHECK(t->FindKey(s.Kind(v), s.Key(v)) == v);
    CHECK(t->FindName(s.Name(v)) == s.FindName(s.Name(v)));
  }
  CHECK(t->FindKey(NodeKind::kEnterprise, "X1") == g.e1);
  CHECK(t->FindUscc("91330122MA2AB0001N") == g.e1);
  CHECK(t->FindUscc("91330122MA2AB0001X") == kNoVertex);
  CHECK(t->FindKey(NodeKind::kHospital, "E1") == kNoVertex);
  CHECK(t->regions().Members(g.tonglu) == s.regions().Members(g.tonglu));

  // Anything cut short or of another version is refused (and nothing is read out of bounds).
  for (size_t cut = 0; cut < packed.size(); ++cut) {
    SnapshotBuilder c;
    CHECK_THROWS_AS(c.SetVertices(std::span<const uint8_t>(packed.data(), cut)), Error);
  }
  std::vector<uint8_t> other = packed;
  other[4] ^= 1;
  SnapshotBuilder c;
  CHECK_THROWS_AS(c.SetVertices(other), Error);
  // A vertex added besides them is an error.
  SnapshotBuilder d;
  d.SetVertices(packed);
  CHECK_THROWS_AS(d.AddEnterprise("E9", "x", kNoVertex, {}), Error);
}

TEST_CASE("the adjacency checked before Build() (CheckAdjacency) builds the same snapshot",
          "[graph][packed]") {
  Small g = BuildSmall();
  const Snapshot& s = *g.s;
  const std::vector<uint8_t> packed = s.PackVertices();
  // Checked on one thread while the vertices are unpacked on another, as a load does.
  SnapshotBuilder b;
  b.SetAdjacency(ArraysOf(s));
  std::thread unpack([&] { b.SetVertices(packed); });
  b.CheckAdjacency();
  unpack.join();
  auto t = b.Build();
  CHECK(t->PackVertices() == packed);
  REQUIRE(t->NumEdges() == s.NumEdges());
  AdjacencyView x = t->Adjacency(), y = s.Adjacency();
  CHECK(std::equal(x.forward_column.begin(), x.forward_column.end(), y.forward_column.begin()));
  CHECK(std::equal(x.reverse_column.begin(), x.reverse_column.end(), y.reverse_column.begin()));
  CHECK(std::equal(x.forward_kind.begin(), x.forward_kind.end(), y.forward_kind.begin()));
  for (EdgeKind k : kAllEdgeKinds) CHECK(t->CountEdges(k) == s.CountEdges(k));

  // Damage found by CheckAdjacency is thrown there, and again by Build() without it.
  auto damaged = [&](int what) {
    AdjacencyArrays a = ArraysOf(s);
    if (what == 0) a.reverse_kind[0] = static_cast<EdgeKind>(kEdgeKindCount);
    if (what == 1) a.reverse_rowstart.back()++;
    if (what == 2) a.forward_kind.pop_back();
    if (what == 3) a.forward_column[0] = static_cast<VertexId>(s.NumVertices());
    return a;
  };
  for (int what = 0; what < 4; ++what) {
    SnapshotBuilder c;
    c.SetAdjacency(damaged(what));
    CHECK_THROWS_AS(c.CheckAdjacency(), Error);
    SnapshotBuilder d;
    d.SetVertices(packed);
    d.SetAdjacency(damaged(what));
    CHECK_THROWS_AS(d.Build(), Error);
  }
  // Arrays of another vertex count pass CheckAdjacency's own checks but not Build()'s.
  SnapshotBuilder e;
  AdjacencyArrays more = ArraysOf(s);
  more.forward_rowstart.push_back(more.forward_rowstart.back());
  more.reverse_rowstart.push_back(more.reverse_rowstart.back());
  e.SetAdjacency(std::move(more));
  e.CheckAdjacency();
  e.SetVertices(packed);
  CHECK_THROWS_AS(e.Build(), Error);
  SnapshotBuilder f;
  CHECK_THROWS_AS(f.CheckAdjacency(), Error);
}

TEST_CASE("lookup tables depend only on the vertices and their order", "[graph][packed]") {
  // Filled as the vertices come (growing), reserved exactly, reserved too large: the same bytes.
  auto build = [](size_t reserve) {
    SnapshotBuilder b;
    if (reserve) b.ReserveVertices(reserve);
    for (int i = 0; i < 3000; ++i) {
      EnterpriseAttributes a;
      if (i % 3 == 0) a.uscc = "9133" + std::to_string(1000000 + i);
      b.AddEnterprise("E" + std::to_string(i), "name" + std::to_string(i % 700), kNoVertex, a);
    }
    return b.Build();
  };
  auto grown = build(0), exact = build(3000), large = build(100000);
  CHECK(grown->PackVertices() == exact->PackVertices());
  CHECK(large->PackVertices() == exact->PackVertices());
  for (int i = 0; i < 3000; i += 7) {
    const VertexId v = static_cast<VertexId>(i);
    CHECK(grown->FindKey(NodeKind::kEnterprise, "E" + std::to_string(i)) == v);
    CHECK(grown->FindName("name" + std::to_string(i % 700)).size() ==
          (i % 700 < 3000 % 700 ? 5u : 4u));
    if (i % 3 == 0) CHECK(grown->FindUscc("9133" + std::to_string(1000000 + i)) == v);
  }
  CHECK(grown->FindKey(NodeKind::kEnterprise, "E3000") == kNoVertex);
  CHECK(grown->FindName("name700").empty());
}
