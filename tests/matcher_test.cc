// The recommenders and analytics on tests/fixtures/chain, a hand-built endoscope chain whose right
// answers are worked out here by hand.
//
// Tonglu (330122) makes rigid endoscopes (T1 0.8 + electronic 0.2, T2) and lenses (T3). Rigid
// scopes need lenses (0.9), CMOS sensors (0.8) and light sources (0.6); electronic scopes need
// CMOS (0.9); both feed distribution. CMOS is made in Pudong (S1, which already supplies T1 and
// T2), Nanshan (S2, listed little giant) and Wuzhong (S3); light sources only in Xihu (L1).
#include <catch2/catch.hpp>
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "graph/error.h"
#include "graph/lookup.h"
#include "graph/region_tree.h"
#include "ingest/importer.h"
#include "matcher/analytics.h"
#include "matcher/gaps.h"
#include "matcher/indicators.h"
#include "matcher/leaders.h"
#include "matcher/local_rank.h"
#include "kernels/pagerank.h"
#include "matcher/pairings.h"
#include "matcher/partners.h"
#include "matcher/registry.h"
#include "matcher/targets.h"
#include "test_util.h"

using namespace chainatlas;
using namespace chainatlas::matcher;
using namespace chainatlas::kernels;

namespace {

std::shared_ptr<const Snapshot> ChainFixture() {
  static std::shared_ptr<const Snapshot> snap = [] {
    testing::TempDir dir;
    ingest::Store store(dir / "chain.db");
    auto report = ingest::ImportBundle(store, std::string(FIXTURES_DIR) + "/chain");
    if (!report.accepted) {
      for (const auto& p : report.problems) UNSCOPED_INFO(p.ToString());
    }
    REQUIRE(report.accepted);
    return store.LoadSnapshot();
  }();
  return snap;
}

VertexId V(const Snapshot& s, const std::string& label) { return ResolveEntity(s, label); }

std::vector<std::string> Keys(const Snapshot& s, const std::vector<Item>& items) {
  std::vector<std::string> out;
  for (const auto& i : items) out.emplace_back(s.Key(i.entity));
  return out;
}

const SegmentGap& GapOf(const Snapshot& s, const GapAnalysis& g, const std::string& seg) {
  VertexId v = V(s, "segment:" + seg);
  for (const auto& sg : g.segments) {
    if (sg.segment == v) return sg;
  }
  FAIL("segment " << seg << " missing from the analysis");
  return g.segments.front();
}

double ComponentValue(const Item& item, const std::string& name) {
  for (const auto& c : item.components) {
    if (c.name == name) return c.value;
  }
  FAIL("no component " << name);
  return 0;
}

void CheckScoreIsSumOfComponents(const std::vector<Item>& items) {
  for (const auto& item : items) {
    double sum = 0;
    for (const auto& c : item.components) {
      CHECK(c.points == Approx(c.weight * c.value));
      sum += c.points;
    }
    CHECK(item.score == Approx(sum));
  }
}

}  // namespace

TEST_CASE("gaps: Tonglu lacks CMOS sensors and light sources, holds rigid scopes",
          "[matcher][gaps]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Analytics a(snap);
  GapAnalysis g = AnalyseGaps(a, V(s, "region:330122"), V(s, "track:endo"));
  REQUIRE(g.segments.size() == 7);

  const SegmentGap& cmos = GapOf(s, g, "endo.cmos");
  CHECK(cmos.status == SegmentStatus::kMissing);
  CHECK(cmos.local_producers.empty());
  CHECK(cmos.producers_elsewhere == 3);
  CHECK(cmos.local_buyers == std::vector<VertexId>{V(s, "T1"), V(s, "T2")});
  CHECK(GapOf(s, g, "endo.light").status == SegmentStatus::kMissing);
  // One local lens maker: weak, though its location quotient is (1/4) / (1/10) = 2.5.
  const SegmentGap& lens = GapOf(s, g, "endo.lens");
  CHECK(lens.status == SegmentStatus::kWeak);
  CHECK(lens.location_quotient == Approx(2.5));
  CHECK(GapOf(s, g, "endo.optics").status == SegmentStatus::kWeak);  // through its child lens
  // Two rigid makers out of three anywhere: LQ (2/4) / (3/10) = 5/3, strong; H1 uses them.
  const SegmentGap& rigid = GapOf(s, g, "endo.rigid");
  CHECK(rigid.status == SegmentStatus::kStrong);
  CHECK(rigid.location_quotient == Approx(5.0 / 3.0));
  CHECK(rigid.local_hospitals == std::vector<VertexId>{V(s, "H1")});
  CHECK(rigid.score == 0);
  CHECK(GapOf(s, g, "endo.flex").status == SegmentStatus::kWeak);
  // Distribution: nobody local needs or makes it, but local rigid and electronic scopes feed it.
  const SegmentGap& dist = GapOf(s, g, "endo.dist");
  CHECK(dist.status == SegmentStatus::kExtension);
  CHECK(dist.local_suppliers_of.size() == 2);
  // CMOS outranks light sources: same demand (T1, T2), but CMOS feeds two segments, light one.
  CHECK(cmos.score > GapOf(s, g, "endo.light").score);
  // Six segments are demanded or made locally; four have a local maker.
  CHECK(g.completeness == Approx(4.0 / 6.0));
  CHECK(g.count[static_cast<int>(SegmentStatus::kMissing)] == 2);
  CHECK(g.count[static_cast<int>(SegmentStatus::kWeak)] == 3);
}

TEST_CASE("targets: the CMOS maker that already supplies Tonglu comes first",
          "[matcher][targets]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Analytics a(snap);
  Filters f;
  f.top = 20;
  TargetsResult r = RecommendTargets(a, V(s, "region:330122"), f);
  REQUIRE(!r.items.empty());
  CHECK(s.Key(r.items[0].entity) == "S1");
  CHECK(r.items[0].via.front() == V(s, "segment:endo.cmos"));
  CHECK(ComponentValue(r.items[0], "ties") == Approx(1.0));  // supplies T1 and T2: min(1, 1.2)
  auto keys = Keys(s, r.items);
  auto pos = [&](const std::string& k) {
    return std::find(keys.begin(), keys.end(), k) - keys.begin();
  };
  CHECK(pos("S1") < pos("S2"));
  CHECK(pos("S2") < static_cast<long>(keys.size()));
  // Nobody from Tonglu itself.
  for (const auto& k : keys) CHECK(k.substr(0, 1) != "T");
  CheckScoreIsSumOfComponents(r.items);
  // Restricted to the light-source segment, only L1 remains.
  f.track = V(s, "segment:endo.light");
  TargetsResult light = RecommendTargets(a, V(s, "region:330122"), f);
  CHECK(Keys(s, light.items) == std::vector<std::string>{"L1"});
}

TEST_CASE("partners: suppliers, customers and peers of T1", "[matcher][partners]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  VertexId t1 = V(s, "T1");
  Filters f;
  PartnersResult sup = RecommendPartners(s, t1, PartnerRole::kSupplier, f);
  // Lens (T3), CMOS (S1 known, S2, S3), light (L1): five candidates, S1 left out as known.
  CHECK(sup.candidates == 5);
  auto keys = Keys(s, sup.items);
  std::sort(keys.begin(), keys.end());
  CHECK(keys == std::vector<std::string>{"L1", "S2", "S3", "T3"});
  // T3: the best fit (0.9 × (0.5 + 0.5·0.8) × 1 = 0.81) and in the same county.
  CHECK(s.Key(sup.items[0].entity) == "T3");
  CHECK(ComponentValue(sup.items[0], "fit") == Approx(0.81));
  CHECK(ComponentValue(sup.items[0], "proximity") == Approx(1.0));
  CHECK(RenderPath(s, sup.items[0].paths[0]) ==
        "桐庐示例一号内镜 —produces→ 硬管内窥镜 ←needs— 光学透镜 ←produces— 桐庐示例透镜");
  CheckScoreIsSumOfComponents(sup.items);

  f.include_known = true;
  PartnersResult with_known = RecommendPartners(s, t1, PartnerRole::kSupplier, f);
  CHECK(with_known.items.size() == 5);
  bool s1_known = false;
  for (const auto& i : with_known.items) {
    if (s.Key(i.entity) == "S1") s1_known = i.known;
  }
  CHECK(s1_known);
  f.include_known = false;

  PartnersResult cust = RecommendPartners(s, t1, PartnerRole::kCustomer, f);
  auto ckeys = Keys(s, cust.items);
  std::sort(ckeys.begin(), ckeys.end());
  // The distributor, the two hospitals using rigid scopes, the sales platform (not the test lab).
  CHECK(ckeys == std::vector<std::string>{"D1", "H1", "H2", "PS"});

  PartnersResult peers = RecommendPartners(s, t1, PartnerRole::kPeer, f);
  CHECK(Keys(s, peers.items) == std::vector<std::string>{"T2", "P1"});
  // Weighted Jaccard: min(0.8, 1) / (1 + 0.2) = 2/3 for both; T2 wins on proximity.
  CHECK(ComponentValue(peers.items[0], "overlap") == Approx(2.0 / 3.0));

  // Filters: within Shenzhen only S2 is a supplier; through the light-source track only L1.
  f.within = V(s, "region:440300");
  CHECK(Keys(s, RecommendPartners(s, t1, PartnerRole::kSupplier, f).items) ==
        std::vector<std::string>{"S2"});
  f.within = kNoVertex;
  f.track = V(s, "segment:endo.light");
  CHECK(Keys(s, RecommendPartners(s, t1, PartnerRole::kSupplier, f).items) ==
        std::vector<std::string>{"L1"});
}

TEST_CASE("partners: the same question gives the same answer", "[matcher][partners]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Filters f;
  auto a = RecommendPartners(s, V(s, "T2"), PartnerRole::kSupplier, f);
  auto b = RecommendPartners(s, V(s, "T2"), PartnerRole::kSupplier, f);
  REQUIRE(a.items.size() == b.items.size());
  for (size_t i = 0; i < a.items.size(); ++i) {
    CHECK(a.items[i].entity == b.items[i].entity);
    CHECK(a.items[i].score == b.items[i].score);
  }
}

TEST_CASE("partners: bad requests are clear errors", "[matcher][partners]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Filters f;
  CHECK_THROWS_AS(RecommendPartners(s, V(s, "H1"), PartnerRole::kSupplier, f), Error);
  f.top = 0;
  CHECK_THROWS_AS(RecommendPartners(s, V(s, "T1"), PartnerRole::kSupplier, f), Error);
  f.top = 5;
  f.scorer = "no-such-scorer";
  try {
    RecommendPartners(s, V(s, "T1"), PartnerRole::kSupplier, f);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kNotFound);
    CHECK(e.suggestions().size() == Scorers().size());
  }
  CHECK_THROWS_AS(ParsePartnerRole("buyer"), Error);
}

TEST_CASE("scorers: every scorer's weights add up to 1 for every recommender", "[matcher]") {
  for (const Scorer& sc : Scorers()) {
    for (const auto& [rec, weights] : sc.weights) {
      double sum = 0;
      for (const auto& [m, w] : weights) sum += w;
      INFO(sc.name << " / " << rec);
      CHECK(sum == Approx(1.0));
    }
  }
}

// The registry's measures, as a sorted list of names.
std::vector<std::string> Sorted(const std::vector<std::string_view>& names) {
  std::vector<std::string> out(names.begin(), names.end());
  std::sort(out.begin(), out.end());
  return out;
}

TEST_CASE("registry: every scorer weighs exactly every recommender's measures", "[matcher]") {
  std::set<std::string> names;
  for (const Recommender& r : Recommenders()) {
    CHECK(names.insert(std::string(r.name)).second);  // each name once
    CHECK(!r.measures.empty());
  }
  for (const Scorer& sc : Scorers()) {
    std::set<std::string> weighed;
    for (const auto& [rec, weights] : sc.weights) {
      INFO(sc.name << " / " << rec);
      weighed.insert(rec);
      std::vector<std::string> measures;
      for (const auto& [m, w] : weights) {
        measures.push_back(m);
        CHECK(w > 0);
      }
      std::sort(measures.begin(), measures.end());
      CHECK(names.count(rec) == 1);  // no weights for a recommender the registry lacks
      for (const Recommender& r : Recommenders()) {
        if (r.name == rec) CHECK(measures == Sorted(r.measures));
      }
    }
    CHECK(weighed == names);  // weights for every recommender
  }
  CHECK_THROWS_AS(FindRecommender("gaps"), Error);  // ranks segments, not items
  CHECK(FindRecommender("suppliers").command == "partners");
}

TEST_CASE("registry: every recommender under every scorer scores its measures",
          "[matcher][scorers]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Analytics a(snap);
  // Subjects of the chain fixture with answers for every recommender.
  auto subject = [&](const Recommender& r) {
    if (r.subject == NodeKind::kEnterprise) return V(s, "T1");
    return V(s, r.name == "leaders" ? "region:330000" : "region:330122");
  };
  size_t checked = 0;
  for (const Recommender& r : Recommenders()) {
    for (const Scorer& sc : Scorers()) {
      INFO(r.name << " / " << sc.name);
      std::vector<std::vector<Component>> rows;
      if (r.run) {
        Filters f;
        f.scorer = sc.name;
        f.top = 50;
        Recommendation rec = r.run(a, subject(r), f);
        REQUIRE(!rec.items.empty());
        CHECK(rec.candidates >= rec.items.size());
        for (size_t i = 0; i + 1 < rec.items.size(); ++i) {
          if (!rec.items[i].has_evidence) CHECK(rec.items[i].score >= rec.items[i + 1].score);
        }
        for (const Item& item : rec.items) rows.push_back(item.components);
      } else {
        // gaps: the priority of the segments to fill (strong and absent ones are not weighed),
        // the same weights in every scorer for now.
        for (const auto& g : AnalyseGaps(a, subject(r), kNoVertex).segments) {
          if (!g.components.empty()) rows.push_back(g.components);
        }
        REQUIRE(!rows.empty());
      }
      for (const auto& components : rows) {
        std::vector<std::string_view> names;
        double weights = 0;
        for (const Component& c : components) {
          names.push_back(c.name);
          weights += c.weight;
          CHECK(c.points == Approx(c.weight * c.value).margin(1e-12));
          CHECK(c.value >= 0);
          CHECK(c.value <= 1 + 1e-12);
        }
        CHECK(Sorted(names) == Sorted(r.measures));
        CHECK(weights == Approx(1.0));
        ++checked;
      }
    }
  }
  CHECK(checked > 100);
}

TEST_CASE("registry: the generic call answers as the recommender's own", "[matcher]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Analytics a(snap);
  Filters f;
  VertexId t1 = V(s, "T1");
  auto own = RecommendPartners(s, t1, PartnerRole::kCustomer, f);
  auto generic = FindRecommender("customers").run(a, t1, f);
  CHECK(generic.subject == t1);
  CHECK(generic.candidates == own.candidates);
  CHECK(Keys(s, generic.items) == Keys(s, own.items));
  // The opening checks are shared: a region is no enterprise, and the message names the field.
  try {
    FindRecommender("universities").run(a, V(s, "region:330122"), f);
    FAIL("expected an error");
  } catch (const Error& e) {
    CHECK(e.code() == ErrorCode::kInvalidArgument);
    CHECK(std::string(e.what()).rfind("enterprise must be", 0) == 0);
  }
}

TEST_CASE("pairings: universities, hospitals, platforms and triads for T1", "[matcher][pairings]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  VertexId t1 = V(s, "T1");
  Filters f;
  // U1 already cooperates with T1: left out; U2 researches lenses, an input of rigid scopes.
  CHECK(Keys(s, RecommendPairings(s, t1, PairingKind::kUniversity, f).items) ==
        std::vector<std::string>{"U2"});
  f.include_known = true;
  auto unis = RecommendPairings(s, t1, PairingKind::kUniversity, f);
  CHECK(Keys(s, unis.items) == std::vector<std::string>{"U1", "U2"});
  CHECK(unis.items[0].known);
  // U1's best path: research on rigid scopes (0.5 × 0.9); U2's: lenses, 0.9 × 0.6 × 0.9 × 0.9.
  CHECK(ComponentValue(unis.items[0], "fit") == Approx(0.45));
  CHECK(ComponentValue(unis.items[1], "fit") == Approx(0.4374));

  auto hosp = RecommendPairings(s, t1, PairingKind::kHospital, f);
  // H2 validates (strength 0.95) and runs clinical trials; H1 uses them, next door; H3 validates
  // (0.5) in another city.
  CHECK(Keys(s, hosp.items) == std::vector<std::string>{"H2", "H1", "H3"});
  CHECK(ComponentValue(hosp.items[0], "trial") == 1.0);

  CHECK(Keys(s, RecommendPairings(s, t1, PairingKind::kPlatform, f).items) ==
        std::vector<std::string>{"PT", "PS"});

  auto triads = RecommendPairings(s, t1, PairingKind::kTriad, f);
  REQUIRE(!triads.items.empty());
  CHECK(s.Key(triads.items[0].entity) == "U1");
  CHECK(s.Key(triads.items[0].partners.at(0)) == "H2");  // they already cooperate
  CHECK(ComponentValue(triads.items[0], "tie") == 1.0);
  CheckScoreIsSumOfComponents(triads.items);
}

TEST_CASE("leaders: the lens maker the rigid makers depend on", "[matcher][leaders]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Analytics a(snap);
  Filters f;
  f.within = V(s, "region:330122");
  LeadersResult r = ChainLeaders(a, f);
  CHECK(r.candidates == 3);
  REQUIRE(r.items.size() == 3);
  for (const auto& item : r.items) {
    if (s.Key(item.entity) == "T3") {
      CHECK(ComponentValue(item, "dependants") == 1.0);  // T1 and T2
      CHECK(ComponentValue(item, "share") == 1.0);       // the only local lens maker
    }
    if (s.Key(item.entity) == "T2") {
      CHECK(ComponentValue(item, "share") == Approx(8000.0 / 60000.0));  // revenue share of rigid
    }
  }
  // The supply-network PageRank is a distribution.
  double sum = 0;
  for (double x : a.SupplyRank()) sum += x;
  CHECK(sum == Approx(1.0).epsilon(1e-9));
}

TEST_CASE("leaders: size from revenue, and a distributor is no chain leader",
          "[matcher][leaders]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  Analytics a(snap);
  Filters f;
  f.within = V(s, "region:330000");  // Zhejiang: T1–T3 (桐庐), L1 (西湖), D1 (越城, distribution)
  LeadersResult r = ChainLeaders(a, f);
  REQUIRE(r.candidates == 5);
  CheckScoreIsSumOfComponents(r.items);
  for (const auto& item : r.items) {
    if (s.Key(item.entity) == "T1") {
      // Four of five candidates report revenue: size = 0.8 × log-scaled revenue (T1 is the
      // largest, 52,000) + 0.2 × listed (no).
      CHECK(ComponentValue(item, "size") == Approx(0.8));
    }
    if (s.Key(item.entity) == "D1") {
      // 经销 (distribution) is an intermediary segment: its place in the supply network does not
      // make it a chain leader, and it reports no revenue.
      CHECK(ComponentValue(item, "pagerank") == 0);
      CHECK(ComponentValue(item, "dependants") == 0);
      CHECK(ComponentValue(item, "share") == 0);
      CHECK(ComponentValue(item, "size") == 0);
    }
  }
  CHECK(s.Key(r.items.back().entity) == "D1");
  // Leaders of a distribution segment itself are ranked as the makers of any other segment.
  f.track = V(s, "segment:endo.dist");
  LeadersResult d = ChainLeaders(a, f);
  REQUIRE(d.items.size() == 1);
  CHECK(ComponentValue(d.items[0], "share") == 1.0);
}

TEST_CASE("clusters: deterministic Louvain with its modularity", "[matcher][clusters]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  ClustersResult a = Clusters(s, kNoVertex, 7), b = Clusters(s, kNoVertex, 7);
  CHECK(a.enterprises == 9);  // every enterprise has an implied supply tie
  CHECK(a.modularity == b.modularity);
  REQUIRE(a.communities.size() == b.communities.size());
  for (size_t i = 0; i < a.communities.size(); ++i)
    CHECK(a.communities[i].members == b.communities[i].members);
  CHECK(a.modularity > -0.5);
  CHECK(a.modularity <= 1.0);
  size_t members = 0;
  for (const auto& c : a.communities) members += c.members.size();
  CHECK(members == a.enterprises);
}

TEST_CASE("indicators: counted by hand for Tonglu", "[matcher][indicators]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  IndicatorsResult r = ComputeIndicators(s, V(s, "region:330122"),
                                         {{"patents", 110, ""}, {"enterprises", 6, ""}});
  auto get = [&](const std::string& n) {
    for (const auto& i : r.indicators) {
      if (i.name == n) return i;
    }
    FAIL("no indicator " << n);
    return r.indicators[0];
  };
  CHECK(get("enterprises").value == 3);
  CHECK(get("enterprises").progress() == Approx(0.5));
  CHECK(get("above_scale_enterprises").value == 1);
  CHECK(get("above_scale_revenue").value == 52000);
  CHECK(get("enterprises_over_100m").value == 1);  // T1 (52000 万元); T2 8000, T3 3000
  CHECK(get("enterprises_over_100m").unit == "家");
  CHECK(get("employees").value == 0);  // no employees column in this fixture
  CHECK(get("employees").reported == 0);
  CHECK(get("employees").population == 3);
  CHECK(get("above_scale_revenue").unit == "万元");
  CHECK(get("class2_certificates").value == 15);
  CHECK(get("class2_certificates").reported == 2);  // T3 reports none
  CHECK(get("patents").value == 55);
  CHECK(get("patents").progress() == Approx(0.5));
  CHECK(get("cooperation_ties").value == 1);  // T1 with Zhejiang University
  CHECK(get("hospitals").value == 1);
  CHECK(get("platforms").value == 1);
}

TEST_CASE("indicators: a bad targets file names the line", "[matcher][indicators]") {
  testing::TempDir dir;
  auto write = [&](const std::string& text) {
    std::ofstream(dir / "t.csv") << text;
    return dir / "t.csv";
  };
  CHECK(ReadTargets(write("indicator,target\npatents,10\n# comment\n\nenterprises,3,note\n"))
            .size() == 2);
  auto message = [&](const std::string& text) {
    try {
      ReadTargets(write(text));
    } catch (const Error& e) {
      return std::string(e.what());
    }
    return std::string("no error");
  };
  CHECK_THAT(message("indicator,target\npatents,ten\n"), Catch::Contains("t.csv:2: target 'ten'"));
  CHECK_THAT(message("indicator,target\npatent,1\n"),
             Catch::Contains("t.csv:2: unknown indicator 'patent'"));
  CHECK_THAT(message("indicator,target\npatents,1\npatents,2\n"),
             Catch::Contains("t.csv:3: indicator 'patents' given twice"));
  CHECK_THAT(message("name,value\n"), Catch::Contains("t.csv:1: the header"));
  // Found by fuzzing (docs/fuzzing.md): a line that is not UTF-8 was accepted (a note's bytes went
  // to the output as given); a NUL byte inside a number was read as the number's end.
  CHECK_THAT(message("indicator,target,note\npatents,1,\"a \xC3\"\n"),
             Catch::Contains("t.csv:2: not valid UTF-8"));
  CHECK_THAT(message("indicator,target\npatent\xFF,1\n"),
             Catch::Contains("t.csv:2: not valid UTF-8"));
  CHECK_THAT(message(std::string("indicator,target\npatents,1\0x\n", 29)),
             Catch::Contains("t.csv:2: target"));
}

TEST_CASE("relatedness table: activity counted per county", "[matcher][relatedness]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  RelatednessTable t = BuildRelatedness(s, RegionLevel::kCounty, V(s, "track:endo"));
  CHECK(t.regions.size() == 6);   // the counties with a producer
  CHECK(t.segments.size() == 6);  // every segment with a direct producer (not optics)
  long tonglu = t.RowOf(V(s, "region:330122"));
  REQUIRE(tonglu >= 0);
  CHECK(t.Activity(tonglu, t.ColOf(V(s, "segment:endo.rigid"))) == 2);
  CHECK(t.Activity(tonglu, t.ColOf(V(s, "segment:endo.cmos"))) == 0);
  CHECK(t.ColOf(V(s, "segment:endo.optics")) == -1);
  // City level: Hangzhou holds Tonglu and Xihu.
  RelatednessTable c = BuildRelatedness(s, RegionLevel::kCity, kNoVertex);
  long hz = c.RowOf(V(s, "region:330100"));
  REQUIRE(hz >= 0);
  CHECK(c.Activity(hz, c.ColOf(V(s, "segment:endo.light"))) == 1);
  CHECK(c.Activity(hz, c.ColOf(V(s, "segment:endo.rigid"))) == 2);
}

TEST_CASE("local PageRank matches the exact personalised PageRank", "[matcher][pagerank]") {
  auto snap = ChainFixture();
  const Snapshot& s = *snap;
  // The exact answer: PageRank with restart 0.15 to the seed on the same undirected, unweighted
  // graph (every relation but part_of, both ways).
  std::vector<uint32_t> src, dst;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    for (EdgeKind k : kAllEdgeKinds) {
      if (k == EdgeKind::kPartOf) continue;
      for (VertexId w : s.Out(v, k).Vertices()) {
        src.push_back(v), dst.push_back(w);
        src.push_back(w), dst.push_back(v);
      }
    }
  }
  WeightedCsr g = BuildCsr(static_cast<uint32_t>(s.NumVertices()), src, dst);
  // Parallel edges of different kinds are merged with summed weights by BuildCsr; the walk treats
  // them as separate edges, which is the same transition probability.
  VertexId seed = V(s, "T1");
  PageRankOptions o;
  o.personalization.assign(s.NumVertices(), 0.0);
  o.personalization[seed] = 1.0;
  o.tolerance = 1e-13;
  std::vector<double> exact = PageRank(g, o).scores;
  LocalRankOptions lo;
  lo.epsilon = 1e-7;
  auto approx = LocalPageRank(s, seed, lo);
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    double got = approx.count(v) ? approx.at(v) : 0.0;
    double degree = g.offsets[v + 1] - g.offsets[v];
    INFO(s.Label(v));
    CHECK(std::abs(got - exact[v]) <= 1e-7 * std::max(1.0, degree) * 10);
  }
  // Deterministic.
  CHECK(LocalPageRank(s, seed, lo) == approx);
}

TEST_CASE("local PageRank takes each snapshot's degrees, however the snapshots alternate",
          "[matcher][pagerank]") {
  // The push keeps a snapshot's degrees in its per-thread cells: a query on another snapshot (or
  // on a reloaded copy of the same data) must not run on the previous one's.
  testing::TempDir dir;
  auto load = [&](const std::string& fixture, const std::string& db) {
    ingest::Store store(dir / db);
    REQUIRE(ingest::ImportBundle(store, std::string(FIXTURES_DIR) + "/" + fixture).accepted);
    return store.LoadSnapshot();
  };
  auto chain = ChainFixture();
  auto small = load("small", "small.db");
  const VertexId a = V(*chain, "T1");
  // The small graph's most connected vertex.
  const auto& degrees = PushDegrees(*small);
  const auto b = static_cast<VertexId>(std::max_element(degrees.begin(), degrees.end()) -
                                       degrees.begin());
  REQUIRE(small->NumVertices() != chain->NumVertices());
  const auto first_a = LocalPageRank(*chain, a);
  const auto first_b = LocalPageRank(*small, b);
  REQUIRE(first_a.size() > 1);
  REQUIRE(first_b.size() > 1);
  for (int round = 0; round < 3; ++round) {
    CHECK(LocalPageRank(*chain, a) == first_a);
    CHECK(LocalPageRank(*small, b) == first_b);
  }
  // A new snapshot of the same data (a reload): new degree tables, the same answers.
  auto chain_again = load("chain", "chain.db");
  CHECK(LocalPageRank(*chain_again, V(*chain_again, "T1")) == first_a);
  CHECK(LocalPageRank(*small, b) == first_b);
}
