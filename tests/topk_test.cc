// The top-K paths (threshold algorithm, matcher/topk.h) against the exhaustive scorers, their
// oracle: on randomly generated graphs of two sizes (fixed seeds), for many subjects, the items
// (ids, order, scores to 1e-12, and their paths, components and reasons), the candidate counts
// and the known partners left out must be the same. Ties rank by kind, then key (RankItems).
#include <catch2/catch.hpp>
#include <cmath>
#include <random>
#include <set>
#include <string>

#include "graph/region_tree.h"
#include "matcher/analytics.h"
#include "matcher/partners.h"
#include "matcher/targets.h"

using namespace chainatlas;
using namespace chainatlas::matcher;

namespace {

struct Shape {
  int provinces, cities, counties;  // cities per province, counties per city
  int tracks, segments;             // segments per track
  int enterprises, hospitals, platforms;
  int supplies, trades, coops;
  int hubs = 0;  // enterprises at one end of half the trades (the first `hubs` enterprises)
};

// A random chain: provinces (two in the Yangtze River Delta), cities and counties; tracks with
// segment trees; supplies between segments with every evidence kind; enterprises that produce
// segments and are members of leaf industries; hospitals with clinical demand; sales, cso and
// other platforms; trades, cooperation and investment. Weights are drawn from a few values so
// that scores tie.
std::shared_ptr<const Snapshot> Generate(const Shape& shape, uint32_t seed) {
  std::mt19937 rng(seed);
  auto pick = [&](size_t n) { return static_cast<size_t>(rng() % n); };
  auto chance = [&](double p) { return std::uniform_real_distribution<double>(0, 1)(rng) < p; };
  static const float kWeights[] = {0.0f, 0.25f, 0.5f, 0.8f, 1.0f, 0.333f};
  auto weight = [&] { return kWeights[pick(6)]; };

  SnapshotBuilder b;
  std::vector<VertexId> regions, counties;
  static const char* kProvinceCodes[] = {"31", "32", "44", "11", "51", "62"};
  for (int p = 0; p < shape.provinces; ++p) {
    std::string pc = std::string(kProvinceCodes[p % 6]) + "0000";
    VertexId pv = b.AddRegion(pc, "P" + pc, {RegionLevel::kProvince, kNoVertex});
    regions.push_back(pv);
    for (int c = 0; c < shape.cities; ++c) {
      std::string cc = pc.substr(0, 2) + std::to_string(10 + c) + "00";
      VertexId cv = b.AddRegion(cc, "C" + cc, {RegionLevel::kCity, pv});
      regions.push_back(cv);
      for (int k = 0; k < shape.counties; ++k) {
        std::string kc = cc.substr(0, 4) + std::to_string(10 + k);
        VertexId kv = b.AddRegion(kc, "K" + kc, {RegionLevel::kCounty, cv});
        regions.push_back(kv);
        counties.push_back(kv);
      }
    }
  }
  auto place = [&]() -> VertexId {
    if (chance(0.03)) return kNoVertex;  // region unknown
    if (chance(0.15)) return regions[pick(regions.size())];
    return counties[pick(counties.size())];
  };

  std::vector<VertexId> segments, leaves;
  for (int t = 0; t < shape.tracks; ++t) {
    VertexId tv = b.AddTrack("T" + std::to_string(t), "track" + std::to_string(t), {});
    std::vector<VertexId> mine;
    for (int i = 0; i < shape.segments; ++i) {
      SegmentAttributes a;
      a.track = tv;
      a.parent = mine.empty() || chance(0.3) ? kNoVertex : mine[pick(mine.size())];
      a.position = static_cast<Position>(pick(3));
      VertexId sv = b.AddSegment("S" + std::to_string(t) + "_" + std::to_string(i),
                                 "seg" + std::to_string(t) + "_" + std::to_string(i), a);
      mine.push_back(sv);
      segments.push_back(sv);
    }
  }
  // Leaves: segments nobody names as parent (computed after the fact from the builder's view is
  // not possible, so member_of goes to any segment; the recommenders treat non-leaves apart).
  leaves = segments;

  static const uint8_t kEvidence[] = {
      0,
      0,
      0,
      EvidenceByte(EvidenceKind::kProduct),
      EvidenceByte(EvidenceKind::kInferred, SupplyRule::kMaterialName),
      EvidenceByte(EvidenceKind::kLearned, SupplyRule::kLearnedHeads),
      EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kSectorParts),
      EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kSectorProducts),
      EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kIndustryTable)};
  std::set<std::pair<VertexId, VertexId>> seen;
  for (int i = 0; i < shape.supplies; ++i) {
    VertexId a = segments[pick(segments.size())], c = segments[pick(segments.size())];
    if (a == c || !seen.insert({a, c}).second) continue;
    b.AddEdge(a, EdgeKind::kSupplies, c, weight(), kEvidence[pick(9)]);
  }

  std::vector<VertexId> orgs;
  for (int i = 0; i < shape.enterprises; ++i) {
    EnterpriseAttributes a;
    a.above_scale = static_cast<int8_t>(pick(3)) - 1;
    for (int t = 0; t < kEnterpriseTagCount; ++t) {
      if (chance(0.12)) a.tags |= 1u << t;
    }
    a.class3_certs = chance(0.5) ? static_cast<int32_t>(pick(4)) : -1;
    a.class2_certs = chance(0.5) ? static_cast<int32_t>(pick(6)) : -1;
    a.patents = chance(0.5) ? static_cast<int32_t>(pick(40)) : -1;
    VertexId v = b.AddEnterprise("E" + std::to_string(i), "ent" + std::to_string(i), place(), a);
    orgs.push_back(v);
    std::set<VertexId> made;
    const size_t k = 1 + pick(chance(0.2) ? 6 : 3);
    for (size_t j = 0; j < k; ++j) {
      VertexId sv = segments[pick(segments.size())];
      if (made.insert(sv).second) b.AddEdge(v, EdgeKind::kProduces, sv, k == 1 ? 0.0f : weight());
    }
    if (chance(0.3)) {
      VertexId sv = leaves[pick(leaves.size())];
      b.AddEdge(v, EdgeKind::kMemberOf, sv, chance(0.5) ? 0.0f : weight());
    }
  }
  for (int i = 0; i < shape.hospitals; ++i) {
    HospitalAttributes a;
    static const char* kGrades[] = {"三级甲等", "三级乙等", "二级甲等", ""};
    a.grade = kGrades[pick(4)];
    a.clinical_trial = chance(0.3);
    VertexId v = b.AddHospital("H" + std::to_string(i), "hosp" + std::to_string(i), place(), a);
    orgs.push_back(v);
    std::set<VertexId> used;
    for (int j = 0; j < 3; ++j) {
      VertexId sv = segments[pick(segments.size())];
      if (used.insert(sv).second) b.AddEdge(v, EdgeKind::kClinicalDemand, sv, weight());
    }
  }
  for (int i = 0; i < shape.platforms; ++i) {
    PlatformAttributes a;
    static const char* kKinds[] = {"sales", "cso", "testing", "cdmo"};
    a.kind = kKinds[pick(4)];
    if (chance(0.3)) a.accreditations = {"CMA"};
    VertexId v = b.AddPlatform("P" + std::to_string(i), "plat" + std::to_string(i), place(), a);
    orgs.push_back(v);
    std::set<VertexId> used;
    for (int j = 0; j < 3; ++j) {
      VertexId sv = segments[pick(segments.size())];
      if (used.insert(sv).second) b.AddEdge(v, EdgeKind::kServes, sv, weight());
    }
  }
  auto ties = [&](EdgeKind kind, int n, bool enterprises_only) {
    std::set<std::pair<VertexId, VertexId>> done;
    for (int i = 0; i < n; ++i) {
      const size_t range = enterprises_only ? static_cast<size_t>(shape.enterprises) : orgs.size();
      VertexId a = orgs[pick(range)], c = orgs[pick(range)];
      if (kind == EdgeKind::kTradesWith && shape.hubs > 0 && chance(0.5)) {
        a = orgs[pick(static_cast<size_t>(shape.hubs))];
      }
      if (a == c || !done.insert({a, c}).second) continue;
      b.AddEdge(a, kind, c, weight());
    }
  };
  ties(EdgeKind::kTradesWith, shape.trades, true);
  ties(EdgeKind::kCooperates, shape.coops, false);
  ties(EdgeKind::kInvests, shape.coops / 2, true);
  return b.Build();
}

void SameItems(const Snapshot& s, const std::vector<Item>& fast, const std::vector<Item>& oracle) {
  REQUIRE(fast.size() == oracle.size());
  for (size_t i = 0; i < fast.size(); ++i) {
    INFO("item " << i << ": " << s.Label(fast[i].entity) << " vs " << s.Label(oracle[i].entity));
    REQUIRE(fast[i].entity == oracle[i].entity);
    REQUIRE(std::abs(fast[i].score - oracle[i].score) <= 1e-12);
    CHECK(fast[i].tier == oracle[i].tier);
    CHECK(fast[i].evidence == oracle[i].evidence);
    CHECK(fast[i].known == oracle[i].known);
    CHECK(fast[i].via == oracle[i].via);
    REQUIRE(fast[i].components.size() == oracle[i].components.size());
    for (size_t c = 0; c < fast[i].components.size(); ++c) {
      CHECK(fast[i].components[c].name == oracle[i].components[c].name);
      CHECK(std::abs(fast[i].components[c].points - oracle[i].components[c].points) <= 1e-12);
    }
    REQUIRE(fast[i].paths.size() == oracle[i].paths.size());
    for (size_t p = 0; p < fast[i].paths.size(); ++p) {
      CHECK(RenderPath(s, fast[i].paths[p]) == RenderPath(s, oracle[i].paths[p]));
    }
    REQUIRE(fast[i].why.size() == oracle[i].why.size());
    for (size_t w = 0; w < fast[i].why.size(); ++w)
      CHECK(fast[i].why[w].code == oracle[i].why[w].code);
  }
}

const Shape kSmall{3, 2, 3, 2, 8, 300, 12, 10, 60, 400, 100};
const Shape kLarger{5, 3, 4, 3, 15, 3000, 60, 40, 300, 5000, 1200};
// Few trades and cooperation ties: the personalised PageRank reaches few candidates, so most of an
// answer comes from the threshold lists and their bounds, not from the exactly scored pool.
const Shape kSparse{5, 3, 4, 3, 15, 3000, 60, 40, 300, 200, 40};

std::vector<Filters> FilterSets(const Snapshot& s, std::mt19937& rng) {
  std::vector<Filters> out;
  Filters plain;
  plain.top = 10;
  out.push_back(plain);
  Filters one = plain;
  one.top = 1;
  out.push_back(one);
  Filters many = plain;
  many.top = 40;
  many.include_known = true;
  out.push_back(many);
  for (const char* scorer : {"nearby", "quality"}) {
    Filters f = plain;
    f.scorer = scorer;
    out.push_back(f);
  }
  // A region filter and a track filter.
  std::vector<VertexId> regions, tracks;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (s.Kind(v) == NodeKind::kRegion) regions.push_back(v);
    if (s.Kind(v) == NodeKind::kTrack) tracks.push_back(v);
  }
  Filters within = plain;
  within.within = regions[rng() % regions.size()];
  out.push_back(within);
  Filters track = plain;
  track.track = tracks[rng() % tracks.size()];
  out.push_back(track);
  return out;
}

std::vector<VertexId> Enterprises(const Snapshot& s) {
  std::vector<VertexId> out;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (s.Kind(v) == NodeKind::kEnterprise) out.push_back(v);
  }
  return out;
}

// county_stream_max: RecommendPartners' largest county read as a stream (0: every county is
// bounded through its province's lists, the path of the large counties of 10M-edge data).
void CheckPartners(const Shape& shape, uint32_t seed, int subjects,
                   size_t county_stream_max = kCountyStreamMax) {
  auto snap = Generate(shape, seed);
  const Snapshot& s = *snap;
  std::mt19937 rng(seed * 7 + 1);
  const std::vector<VertexId> enterprises = Enterprises(s);
  const std::vector<Filters> filters = FilterSets(s, rng);
  for (int i = 0; i < subjects; ++i) {
    VertexId e = enterprises[rng() % enterprises.size()];
    for (PartnerRole role : {PartnerRole::kSupplier, PartnerRole::kCustomer}) {
      for (size_t fi = 0; fi < filters.size(); ++fi) {
        INFO("seed " << seed << ", " << s.Label(e) << ", " << PartnerRoleName(role) << ", filters "
                     << fi);
        PartnersResult fast = RecommendPartners(s, e, role, filters[fi], county_stream_max);
        PartnersResult oracle = RecommendPartnersExhaustive(s, e, role, filters[fi]);
        CHECK(fast.candidates == oracle.candidates);
        CHECK(fast.known_hidden == oracle.known_hidden);
        SameItems(s, fast.items, oracle.items);
      }
    }
  }
}

}  // namespace

TEST_CASE("top-K partners equal the exhaustive scorer on small random graphs", "[topk]") {
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) CheckPartners(kSmall, seed, 40);
}

TEST_CASE("top-K partners equal the exhaustive scorer on larger random graphs", "[topk]") {
  for (uint32_t seed : {11u, 12u}) CheckPartners(kLarger, seed, 60);
}

TEST_CASE("top-K partners equal the exhaustive scorer on sparsely tied random graphs", "[topk]") {
  for (uint32_t seed : {21u, 22u}) CheckPartners(kSparse, seed, 60);
}

// Many producers per segment and few ties: the K-th key is high and most candidates' bounds fall
// below it, so the lists stop early. Both the equality and the pruning are checked: a bound that is
// too low shows as a wrong answer only where the lists stop before their end.
const Shape kDeep{6, 6, 10, 1, 4, 30000, 60, 40, 40, 300, 60};

TEST_CASE("top-K partners prune on deep lists and still equal the exhaustive scorer", "[topk]") {
  for (size_t county_stream_max : {kCountyStreamMax, size_t{0}}) {
    for (uint32_t seed : {31u, 32u}) {
      auto snap = Generate(kDeep, seed);
      const Snapshot& s = *snap;
      std::mt19937 rng(seed * 3 + 7);
      const std::vector<VertexId> enterprises = Enterprises(s);
      size_t scored = 0, candidates = 0;
      for (int i = 0; i < 30; ++i) {
        VertexId e = enterprises[rng() % enterprises.size()];
        for (PartnerRole role : {PartnerRole::kSupplier, PartnerRole::kCustomer}) {
          for (size_t fi = 0; fi < 4; ++fi) {
            Filters f;
            f.top = fi == 0 ? 1 : fi == 3 ? 40 : 10;
            if (fi == 2) f.scorer = "nearby";  // proximity weighs twice as much
            INFO("seed " << seed << ", " << s.Label(e) << ", " << PartnerRoleName(role)
                         << ", filters " << fi << ", county stream max " << county_stream_max);
            PartnersResult fast = RecommendPartners(s, e, role, f, county_stream_max);
            PartnersResult oracle = RecommendPartnersExhaustive(s, e, role, f);
            CHECK(fast.candidates == oracle.candidates);
            CHECK(fast.known_hidden == oracle.known_hidden);
            SameItems(s, fast.items, oracle.items);
            scored += fast.scored;
            candidates += fast.candidates;
          }
        }
      }
      // The lists stopped early: far fewer candidates scored than there are.
      INFO("seed " << seed << ": scored " << scored << " of " << candidates);
      CHECK(scored * 5 < candidates);
    }
  }
}

// Deep lists, and hubs that trade with thousands: a subject tied to a hub shares ties with
// thousands of organisations the personalised PageRank does not reach, so their graph measure
// (shared ties) lifts them above their lists' bounds and they must be pooled apart.
const Shape kHubs{6, 6, 10, 1, 4, 30000, 60, 40, 40, 50000, 60, 2};

TEST_CASE("top-K partners equal the exhaustive scorer around hubs", "[topk]") {
  for (uint32_t seed : {41u, 42u}) {
    auto snap = Generate(kHubs, seed);
    const Snapshot& s = *snap;
    std::mt19937 rng(seed * 5 + 3);
    // Subjects that trade with a hub (the hubs are the first enterprises).
    std::vector<VertexId> subjects;
    const std::vector<VertexId> enterprises = Enterprises(s);
    for (int h = 0; h < kHubs.hubs; ++h) {
      for (EdgeKind kind : {EdgeKind::kTradesWith}) {
        for (VertexId v : s.Out(enterprises[h], kind).Vertices()) {
          if (s.Kind(v) == NodeKind::kEnterprise) subjects.push_back(v);
        }
      }
    }
    REQUIRE(subjects.size() > 1000);
    for (int i = 0; i < 40; ++i) {
      const VertexId e = subjects[rng() % subjects.size()];
      for (PartnerRole role : {PartnerRole::kSupplier, PartnerRole::kCustomer}) {
        for (size_t fi = 0; fi < 3; ++fi) {
          Filters f;
          f.top = fi == 0 ? 1 : fi == 2 ? 40 : 10;
          INFO("seed " << seed << ", " << s.Label(e) << ", " << PartnerRoleName(role)
                       << ", filters " << fi);
          PartnersResult fast = RecommendPartners(s, e, role, f);
          PartnersResult oracle = RecommendPartnersExhaustive(s, e, role, f);
          CHECK(fast.candidates == oracle.candidates);
          CHECK(fast.known_hidden == oracle.known_hidden);
          SameItems(s, fast.items, oracle.items);
        }
      }
    }
  }
}

TEST_CASE("top-K partners equal the exhaustive scorer with no county read as a stream", "[topk]") {
  for (uint32_t seed : {1u, 2u, 3u}) CheckPartners(kSmall, seed, 40, 0);
  CheckPartners(kLarger, 11u, 40, 0);
  CheckPartners(kSparse, 21u, 60, 0);
}

namespace {

void CheckTargets(const Shape& shape, uint32_t seed, int subjects) {
  auto snap = Generate(shape, seed);
  const Snapshot& s = *snap;
  Analytics a(snap);
  std::mt19937 rng(seed * 13 + 5);
  std::vector<VertexId> regions;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (s.Kind(v) == NodeKind::kRegion) regions.push_back(v);
  }
  const std::vector<Filters> filters = FilterSets(s, rng);
  for (int i = 0; i < subjects; ++i) {
    VertexId r = regions[rng() % regions.size()];
    for (size_t fi = 0; fi < filters.size(); ++fi) {
      INFO("seed " << seed << ", " << s.Label(r) << ", filters " << fi);
      TargetsResult fast = RecommendTargets(a, r, filters[fi]);
      TargetsResult oracle = RecommendTargetsExhaustive(a, r, filters[fi]);
      CHECK(fast.candidates == oracle.candidates);
      CHECK(fast.gaps == oracle.gaps);
      SameItems(s, fast.items, oracle.items);
    }
  }
}

}  // namespace

TEST_CASE("top-K targets equal the exhaustive scorer on small random graphs", "[topk]") {
  for (uint32_t seed : {1u, 2u, 3u, 4u, 5u, 6u}) CheckTargets(kSmall, seed, 20);
}

TEST_CASE("top-K targets equal the exhaustive scorer on larger random graphs", "[topk]") {
  for (uint32_t seed : {11u, 12u}) CheckTargets(kLarger, seed, 30);
}
