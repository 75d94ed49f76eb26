#include "matcher/partners.h"

#include <algorithm>
#include <array>
#include <limits>
#include <unordered_set>
#include <map>
#include <set>

#include "graph/error.h"
#include "graph/huge_pages.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "matcher/local_rank.h"
#include "matcher/registry.h"
#include "matcher/topk.h"

namespace chainatlas::matcher {
namespace {

// The organisations tied to v by a known relation (trades_with, cooperates, invests; either way),
// sorted and unique.
std::vector<VertexId> Ties(const Snapshot& s, VertexId v) {
  std::vector<VertexId> out;
  for (EdgeKind k : {EdgeKind::kTradesWith, EdgeKind::kCooperates, EdgeKind::kInvests}) {
    for (VertexId x : s.Out(v, k).Vertices()) out.push_back(x);
    for (VertexId x : s.In(v, k).Vertices()) out.push_back(x);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

// The known partners v shares with `mine` (sorted): how many, and the names of the first three.
// Allocation-free unless there is a shared partner: it runs for every candidate.
size_t SharedTies(const Snapshot& s, VertexId v, const std::vector<VertexId>& mine,
                  std::vector<std::string>* names) {
  if (mine.empty()) return 0;
  std::vector<VertexId> hits;
  for (EdgeKind k : {EdgeKind::kTradesWith, EdgeKind::kCooperates, EdgeKind::kInvests}) {
    for (VertexId x : s.Out(v, k).Vertices()) {
      if (std::binary_search(mine.begin(), mine.end(), x)) hits.push_back(x);
    }
    for (VertexId x : s.In(v, k).Vertices()) {
      if (std::binary_search(mine.begin(), mine.end(), x)) hits.push_back(x);
    }
  }
  std::sort(hits.begin(), hits.end());
  hits.erase(std::unique(hits.begin(), hits.end()), hits.end());
  if (names) {
    for (size_t i = 0; i < hits.size() && i < 3; ++i) names->emplace_back(s.Name(hits[i]));
  }
  return hits.size();
}

// The organisations e already works with: its known trading partners (trades_with, either way),
// and whoever it cooperates with or invests in (either way). Sorted and unique.
std::vector<VertexId> KnownPartners(const Snapshot& s, VertexId e, PartnerRole role) {
  std::vector<VertexId> out;
  // A known trading partner is known whichever way the goods go: a firm E buys from is not a "new"
  // customer of E either.
  (void)role;
  for (EdgeKind k : {EdgeKind::kTradesWith, EdgeKind::kCooperates, EdgeKind::kInvests}) {
    for (VertexId x : s.Out(e, k).Vertices()) out.push_back(x);
    for (VertexId x : s.In(e, k).Vertices()) out.push_back(x);
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool IsChannelPlatform(const Snapshot& s, VertexId v) {
  const std::string& kind = s.Platform(v).kind;
  return kind == "sales" || kind == "cso";
}

double WeightedJaccard(const std::vector<SegmentShare>& a, const std::vector<SegmentShare>& b) {
  std::map<VertexId, std::pair<double, double>> m;
  for (const auto& x : a) m[x.segment].first = std::max(m[x.segment].first, x.share);
  for (const auto& x : b) m[x.segment].second = std::max(m[x.segment].second, x.share);
  double num = 0, den = 0;
  for (const auto& [seg, w] : m) {
    num += std::min(w.first, w.second);
    den += std::max(w.first, w.second);
  }
  return den > 0 ? num / den : 0;
}

}  // namespace

std::string_view PartnerRoleName(PartnerRole role) {
  switch (role) {
    case PartnerRole::kSupplier: return "supplier";
    case PartnerRole::kCustomer: return "customer";
    case PartnerRole::kPeer: return "peer";
  }
  return "";
}

PartnerRole ParsePartnerRole(std::string_view name) {
  for (PartnerRole r : {PartnerRole::kSupplier, PartnerRole::kCustomer, PartnerRole::kPeer}) {
    if (PartnerRoleName(r) == name) return r;
  }
  throw Error(ErrorCode::kInvalidArgument, Msg("matcher.role", {{"name", std::string(name)}}));
}

namespace {

// Every candidate met along a path from e's segments, with its fit (and, when `found` records
// them, its paths).
// ProducersOf, once per segment and query (both passes meet the same segments, often repeatedly).
class ProducerMemo {
 public:
  explicit ProducerMemo(const Snapshot& s) : s_(s) {}
  const std::vector<Producer>& Of(VertexId segment) {
    auto it = memo_.find(segment);
    if (it == memo_.end()) it = memo_.emplace(segment, ProducersOf(s_, segment)).first;
    return it->second;
  }

 private:
  const Snapshot& s_;
  std::unordered_map<VertexId, std::vector<Producer>> memo_;
};

// How much the candidate's share of the matched segment counts. A curated relation keeps
// ShareFactor; a derived one (product-level from a source, inferred, learned, industry) is only as
// good as the candidate's commitment to the product: 0.25 + 0.75·share, so a side line counts a
// quarter.
double CandidateShareFactor(uint8_t evidence, double share) {
  if (evidence == 0) return ShareFactor(share);
  return 0.25 + 0.75 * std::clamp(share, 0.0, 1.0);
}

// Two firms of one leaf industry with no product in common: industry-level, direction unknown.
constexpr uint8_t kSameIndustry = EvidenceByte(EvidenceKind::kIndustry, SupplyRule::kSameIndustry);
constexpr double kSameIndustryReliability = 0.3;

void Gather(const Snapshot& s, VertexId e, PartnerRole role, const Filters& f,
            const std::vector<SegmentShare>& segments, ProducerMemo& producers, Candidates& found) {
  // What E makes itself: a path that reaches one of these is a peer relation, not a supply.
  std::vector<VertexId> own_segments;
  for (const SegmentShare& mine : segments) own_segments.push_back(mine.segment);
  std::sort(own_segments.begin(), own_segments.end());
  auto makes = [&](VertexId seg) {
    return std::binary_search(own_segments.begin(), own_segments.end(), seg);
  };
  for (const SegmentShare& mine : segments) {
    double own = ShareFactor(mine.share);
    Path start{e, {{mine.via, true, mine.segment}}};
    if (role == PartnerRole::kPeer) {
      for (const Producer& p : producers.Of(mine.segment)) {
        if (p.enterprise == e || !PassesTrack(s, f, p.segment)) continue;
        found.OfferWith(
            p.enterprise, own * ShareFactor(p.share),
            [&] {
              Path path = start;
              if (p.segment != mine.segment) path.Then(EdgeKind::kPartOf, false, p.segment);
              path.Then(p.via, false, p.enterprise);
              return path;
            },
            p.segment);
      }
      continue;
    }
    for (const auto& [seg, up] : SegmentAndAbove(s, mine.segment)) {
      Path base = start;
      for (const PathStep& st : up) base.steps.push_back(st);
      auto related = role == PartnerRole::kSupplier ? s.In(seg, EdgeKind::kSupplies)
                                                    : s.Out(seg, EdgeKind::kSupplies);
      for (Neighbor nb : related) {
        if (makes(nb.vertex)) continue;
        // The track filter removes candidates afterwards; it never changes a fit.
        const bool on_track = PassesTrack(s, f, nb.vertex);
        double need = std::clamp<double>(nb.weight, 0, 1) * own;
        for (const Producer& p : producers.Of(nb.vertex)) {
          if (p.enterprise == e || makes(p.segment)) continue;
          found.OfferWith(
              p.enterprise, need * CandidateShareFactor(nb.evidence, p.share),
              [&] {
                Path path = base;
                path.Then(EdgeKind::kSupplies, role == PartnerRole::kCustomer, nb.vertex,
                          nb.evidence);
                if (p.segment != nb.vertex) path.Then(EdgeKind::kPartOf, false, p.segment);
                path.Then(p.via, false, p.enterprise);
                return path;
              },
              nb.vertex, nb.evidence, on_track);
        }
      }
      if (role == PartnerRole::kCustomer) {
        const bool on_track = PassesTrack(s, f, seg);
        for (Neighbor h : s.In(seg, EdgeKind::kClinicalDemand)) {
          found.OfferWith(
              h.vertex, std::clamp<double>(h.weight, 0, 1) * own,
              [&] {
                Path path = base;
                path.Then(EdgeKind::kClinicalDemand, false, h.vertex);
                return path;
              },
              seg, 0, on_track);
        }
        for (Neighbor p : s.In(seg, EdgeKind::kServes)) {
          if (!IsChannelPlatform(s, p.vertex)) continue;
          found.OfferWith(
              p.vertex, 0.8 * std::clamp<double>(p.weight, 0, 1) * own,
              [&] {
                Path path = base;
                path.Then(EdgeKind::kServes, false, p.vertex);
                return path;
              },
              seg, 0, on_track);
        }
      }
    }
    // The same leaf industry: firms classed with E that make none of E's products. Which way the
    // goods go is unknown, so they are offered both as suppliers and as customers, below every
    // product-level, learned and sector-rule candidate (EvidenceTier).
    const Forest& tree = s.taxonomy().forest();
    if (mine.via == EdgeKind::kMemberOf &&
        (!tree.Has(mine.segment) || tree.Children(mine.segment).empty())) {
      const bool on_track = PassesTrack(s, f, mine.segment);
      for (Neighbor nb : s.In(mine.segment, EdgeKind::kMemberOf)) {
        if (nb.vertex == e || s.Kind(nb.vertex) != NodeKind::kEnterprise) continue;
        const auto made = s.Out(nb.vertex, EdgeKind::kProduces).Vertices();
        if (std::any_of(made.begin(), made.end(), makes)) continue;
        double share = nb.weight > 0 ? nb.weight : 1.0;
        found.OfferWith(
            nb.vertex, kSameIndustryReliability * own * CandidateShareFactor(kSameIndustry, share),
            [&] {
              Path path = start;
              path.Then(EdgeKind::kMemberOf, false, nb.vertex, kSameIndustry);
              return path;
            },
            mine.segment, kSameIndustry, on_track);
      }
    }
  }
}

// A product-level or learned fit gains kCorroboration × the sector-rule fit when the candidate is
// also a sector-rule partner: two independent kinds of evidence agree (measured in
// bench/RESULTS.md). Industry-only candidates keep their industry-level fit. The fit is capped
// at 1.
constexpr double kCorroboration = 2.0;
double Fit(const Candidate& c) {
  return !IsIndustryEvidence(c.evidence) ? std::min(1.0, c.fit + kCorroboration * c.industry_fit)
                                         : c.fit;
}

// The domestic measure: 0 for a foreign-funded enterprise, else 1 (domestic substitution).
double Domestic(const Snapshot& s, VertexId v) {
  return s.Kind(v) == NodeKind::kEnterprise && s.Enterprise(v).HasTag(EnterpriseTag::kForeignFunded)
             ? 0.0
             : 1.0;
}

}  // namespace

namespace {

const char* RecommenderName(PartnerRole role) {
  return role == PartnerRole::kSupplier   ? "suppliers"
         : role == PartnerRole::kCustomer ? "customers"
                                          : "peers";
}

// What scoring a candidate needs besides its fit, shared by the exhaustive scorer and the top-K
// path so that both give the same numbers.
struct Scoring {
  const Snapshot& s;
  VertexId e;
  PartnerRole role;
  const Scorer& scorer;
  std::string recommender;
  const std::vector<SegmentShare>& segments;
  std::unordered_map<VertexId, double> ppr;
  double best_ppr = 0;
  std::vector<VertexId> my_ties;
  std::vector<VertexId> known_partners;
  // When set: per vertex, how many of my_ties it is tied to (SharedTies' count, counted from the
  // ties' side), so that ranking a hub does not search its ties.
  struct TieCount {
    uint32_t count = 0;
    VertexId last = kNoVertex;  // the last tie that counted it (a tie counts a vertex once)
  };
  const TieCount* shared_counts = nullptr;

  Scoring(const Snapshot& snap, VertexId subject, PartnerRole r, const Scorer& sc,
          const std::vector<SegmentShare>& segs)
      : s(snap),
        e(subject),
        role(r),
        scorer(sc),
        recommender(RecommenderName(r)),
        segments(segs),
        my_ties(Ties(snap, subject)),
        known_partners(KnownPartners(snap, subject, r)) {}

  bool IsKnown(VertexId v) const {
    return std::binary_search(known_partners.begin(), known_partners.end(), v);
  }
  // The raw measures of candidate v; facts and shared names only when asked for (the best).
  struct Measured {
    Proximity prox;
    size_t shared;
    double domestic;
    std::array<Measure, 5> m;
  };
  Measured Measure5(VertexId v, double fit, std::vector<Reason>* facts,
                    std::vector<std::string>* shared_names) const {
    Measured r;
    r.prox = GeoProximity(s, e, v);
    double quality = Quality(s, v, facts);
    auto it = ppr.find(v);
    double rank = it != ppr.end() && best_ppr > 0 ? it->second / best_ppr : 0;
    r.shared = shared_counts && !shared_names ? shared_counts[v].count
                                              : SharedTies(s, v, my_ties, shared_names);
    double graph = 0.5 * rank + 0.5 * std::min(1.0, static_cast<double>(r.shared) / 3.0);
    r.domestic = Domestic(s, v);
    Measure last = role == PartnerRole::kPeer
                       ? Measure{"overlap", WeightedJaccard(segments, SegmentsOf(s, v))}
                       : Measure{"fit", fit};
    r.m = {Measure{"proximity", ProximityValue(r.prox)}, Measure{"graph", graph},
           Measure{"quality", quality}, Measure{"domestic", r.domestic}, last};
    return r;
  }
  // The ranking key: ranked by evidence tier, then score: industry-level evidence never outranks
  // product-level evidence (scores lie in [0, 1], so 10 per tier separates the tiers).
  double Key(VertexId v, const Candidate& c) const {
    Measured r = Measure5(v, Fit(c), nullptr, nullptr);
    const int tier = role == PartnerRole::kPeer ? 0 : c.tier;
    return ScoreOf(scorer, recommender, r.m.data(), r.m.size()) - 10.0 * tier;
  }
  Item MakeItem(VertexId v, const Candidate& c) const {
    Item item;
    item.entity = v;
    item.known = IsKnown(v);
    TakePaths(c, item);
    std::vector<Reason> quality_facts;
    std::vector<std::string> shared_names;
    Measured r = Measure5(v, Fit(c), &quality_facts, &shared_names);
    item.score = ScoreOf(scorer, recommender, r.m.data(), r.m.size(), &item.components);
    if (role != PartnerRole::kPeer && c.tier < kEvidenceTierCount) {
      item.has_evidence = true;
      item.evidence = c.evidence;
      item.tier = c.tier;
      if (!item.paths.empty()) {
        Reason fact = EvidenceFact(s, item.paths.front());
        if (!fact.code.empty()) item.why.push_back(std::move(fact));
      }
      if (!IsIndustryEvidence(c.evidence) && c.industry_fit > 0) {
        item.why.push_back(
            Reason("partners.corroborated").Real("fit", kCorroboration * c.industry_fit));
      }
    }

    item.why.push_back(ProximityFact(s, r.prox, e, v));
    for (auto& q : quality_facts) item.why.push_back(std::move(q));
    if (r.shared) {
      item.why.push_back(Reason("partners.shared")
                             .Count("count", static_cast<int64_t>(r.shared))
                             .Text("name", std::string(s.Name(e)))
                             .List("names", std::move(shared_names)));
    }
    if (r.domestic == 0 && role == PartnerRole::kSupplier)
      item.why.push_back(Reason("partners.foreign_funded"));
    if (item.known) item.why.push_back(Reason("partners.known"));
    return item;
  }
};

}  // namespace

PartnersResult RecommendPartnersExhaustive(const Snapshot& s, VertexId e, PartnerRole role,
                                           const Filters& f) {
  const Scorer& scorer = Prepare(s, e, NodeKind::kEnterprise, "enterprise", f);
  PartnersResult result;
  result.enterprise = e;
  result.role = role;
  result.segments = SegmentsOf(s, e);

  // First pass: every candidate's fit, no paths.
  ProducerMemo producers(s);
  Candidates found(/*record_paths=*/false);
  Gather(s, e, role, f, result.segments, producers, found);
  result.candidates = found.size();
  result.scored = found.size();

  Scoring sc(s, e, role, scorer, result.segments);
  if (found.size() > 0) sc.ppr = LocalPageRank(s, e);
  // The graph measure is relative to the best candidate of all, before any filter, so that a
  // filter removes candidates and never changes another candidate's score.
  std::vector<std::pair<VertexId, const Candidate*>> kept;
  for (const auto& [v, c] : found.Sorted()) {
    auto it = sc.ppr.find(v);
    if (it != sc.ppr.end()) sc.best_ppr = std::max(sc.best_ppr, it->second);
    if (!PassesWithin(s, f, v) || !c->on_track) continue;
    bool known = sc.IsKnown(v);
    if (known && !f.include_known) {
      result.known_hidden++;
      continue;
    }
    kept.push_back({v, c});
  }

  // Score every candidate, keep the best, then build their items (paths from a second pass).
  std::vector<std::pair<double, VertexId>> scored;
  scored.reserve(kept.size());
  for (const auto& [v, c] : kept) scored.push_back({sc.Key(v, *c), v});
  std::vector<VertexId> best = TopCandidates(s, std::move(scored), f.top);
  std::unordered_set<VertexId> chosen(best.begin(), best.end());
  Candidates detailed(/*record_paths=*/true, &chosen);
  Gather(s, e, role, f, result.segments, producers, detailed);

  for (VertexId v : best) result.items.push_back(sc.MakeItem(v, *detailed.Find(v)));
  RankItems(s, result.items, f.top);
  return result;
}

namespace {

// The offers Gather makes to one candidate, replayed from the candidate's side: its segments (and
// the segments above them) looked up among the query's sources, sorted into Gather's order and
// offered the same way, so that fit, tier, evidence and paths come out as Gather's.
class Replayer {
 public:
  enum Type : uint8_t { kProducer, kClinical, kServes, kSameIndustryType };
  struct Source {
    Type type;
    uint32_t mine, up;  // segments[mine], SegmentAndAbove(...)[up]
    VertexId target;    // nb (producer), seg (clinical, serves), mine's segment (same industry)
    double need;        // producer: clamp(weight) · own; the others: own
    uint8_t evidence;
    bool on_track;
  };

  Replayer(const Snapshot& s, VertexId e, PartnerRole role, const Filters& f,
           const std::vector<SegmentShare>& segments)
      : s_(s), e_(e), role_(role), segments_(segments), tree_(s.taxonomy().forest()) {
    for (const SegmentShare& mine : segments) own_.push_back(mine.segment);
    std::sort(own_.begin(), own_.end());
    for (uint32_t i = 0; i < segments.size(); ++i) {
      const SegmentShare& mine = segments[i];
      const double own = ShareFactor(mine.share);
      above_.push_back(SegmentAndAbove(s, mine.segment));
      for (uint32_t j = 0; j < above_.back().size(); ++j) {
        const VertexId seg = above_.back()[j].first;
        auto related = role == PartnerRole::kSupplier ? s.In(seg, EdgeKind::kSupplies)
                                                      : s.Out(seg, EdgeKind::kSupplies);
        for (Neighbor nb : related) {
          if (Makes(nb.vertex)) continue;
          Add(producer_, {kProducer, i, j, nb.vertex, std::clamp<double>(nb.weight, 0, 1) * own,
                          nb.evidence, PassesTrack(s, f, nb.vertex)});
        }
        if (role == PartnerRole::kCustomer) {
          const bool on_track = PassesTrack(s, f, seg);
          Add(clinical_, {kClinical, i, j, seg, own, 0, on_track});
          Add(serves_, {kServes, i, j, seg, own, 0, on_track});
        }
      }
      if (mine.via == EdgeKind::kMemberOf &&
          (!tree_.Has(mine.segment) || tree_.Children(mine.segment).empty())) {
        Add(same_, {kSameIndustryType, i, 0, mine.segment, own, kSameIndustry,
                    PassesTrack(s, f, mine.segment)});
      }
    }
    producer_segments_ = ComputeProducerSegments();
    for (VertexId d : producer_segments_) {
      Covering& c = covering_[d];
      const bool in_tree = tree_.Has(d);
      c.pre = in_tree ? tree_.PreorderIndex(d) : 0;
      auto visit = [&](VertexId a) {
        auto it = producer_.find(a);
        if (it != producer_.end())
          c.sources.insert(c.sources.end(), it->second.begin(), it->second.end());
      };
      visit(d);
      if (in_tree) {
        for (VertexId a : tree_.Ancestors(d)) visit(a);
      }
    }
  }

  bool Makes(VertexId seg) const { return std::binary_search(own_.begin(), own_.end(), seg); }
  // Per segment whose producers Gather reads (ProducerSegments()): its preorder index and the
  // producer sources that reach it (its own, then those of the segments above it).
  struct Covering {
    uint32_t pre;
    std::vector<uint32_t> sources;
  };
  const Covering* CoveringOf(VertexId d) const {
    auto it = covering_.find(d);
    return it == covering_.end() ? nullptr : &it->second;
  }
  const std::vector<Source>& sources() const { return sources_; }
  // The producer sources whose target is seg.
  const std::vector<uint32_t>* ProducerSources(VertexId seg) const {
    auto it = producer_.find(seg);
    return it == producer_.end() ? nullptr : &it->second;
  }

  // The segments whose producers Gather reads (the targets and the segments below them), less
  // the segments E makes; sorted. Computed once, by the constructor.
  const std::vector<VertexId>& ProducerSegments() const { return producer_segments_; }

 private:
  std::vector<VertexId> ComputeProducerSegments() const {
    std::vector<VertexId> out;
    for (const auto& [nb, list] : producer_) {
      out.push_back(nb);
      if (tree_.Has(nb) && !tree_.Children(nb).empty()) {
        for (VertexId d : tree_.Descendants(nb)) out.push_back(d);
      }
    }
    std::sort(out.begin(), out.end());
    out.erase(std::unique(out.begin(), out.end()), out.end());
    out.erase(std::remove_if(out.begin(), out.end(), [&](VertexId d) { return Makes(d); }),
              out.end());
    return out;
  }

 public:
  // Calls f(v) once for every candidate that is not a producer (hospitals, channel platforms,
  // firms of the same industry). `met` (reset by the caller) takes whoever is met, so that an
  // organisation met once per segment (a hospital demands dozens) is tested once.
  template <typename F>
  void ForEachOther(SeenSet& met, F&& f) const {
    for (const auto& [seg, list] : clinical_) {
      for (VertexId v : s_.In(seg, EdgeKind::kClinicalDemand).Vertices()) {
        if (met.Insert(v)) f(v);
      }
    }
    for (const auto& [seg, list] : serves_) {
      for (VertexId v : s_.In(seg, EdgeKind::kServes).Vertices()) {
        if (met.Insert(v) && IsChannelPlatform(s_, v)) f(v);
      }
    }
    for (const auto& [seg, list] : same_) {
      for (VertexId v : s_.In(seg, EdgeKind::kMemberOf).Vertices()) {
        if (v != e_ && met.Insert(v) && s_.Kind(v) == NodeKind::kEnterprise &&
            !MakesOwnProduct(v)) {
          f(v);
        }
      }
    }
  }

  // How many distinct candidates Gather meets: the producers of the segments it reads (their
  // entries in the top-K index: produces and member_of, one entry per producer) but E, and the
  // others. Bits are set without a test and counted by words. E is an enterprise, so the others
  // (hospitals, channel platforms, other firms of its industry) never include it.
  // A subtree all of whose segments are read comes from the index's bitmap of it, when it has
  // one (the outermost such subtree).
  size_t Count(const ProducerIndex& ix, BitSet& bits, const std::vector<VertexId>& others) const {
    bits.Reset(s_.NumVertices());
    const std::vector<VertexId>& read = ProducerSegments();
    auto is_read = [&](VertexId d) { return std::binary_search(read.begin(), read.end(), d); };
    thread_local std::vector<VertexId> covered;  // sorted
    covered.clear();
    for (const ProducerIndex::SubtreeBitmap& b : ix.SubtreeBitmaps()) {
      // Preorder: an outer subtree comes first and covers its root.
      if (std::binary_search(covered.begin(), covered.end(), b.root) ||
          !std::all_of(b.segments.begin(), b.segments.end(), is_read)) {
        continue;
      }
      bits.Or(ix.Words(b));
      const size_t mid = covered.size();
      covered.insert(covered.end(), b.segments.begin(), b.segments.end());
      std::inplace_merge(covered.begin(), covered.begin() + mid, covered.end());
    }
    for (VertexId d : read) {
      if (std::binary_search(covered.begin(), covered.end(), d)) continue;
      for (VertexId v : ix.SegmentEntries(d)) bits.Set(v);
    }
    bits.Clear(e_);
    for (VertexId v : others) bits.Set(v);
    return bits.Count();
  }

  // An upper bound of the fit part of v's key (w_fit · Fit clamped, less 10 per tier) over the
  // producer offers Replay would make it, as the lists bound a block (every sector-rule path's
  // corroboration at most `sector`); -inf when it has none. +inf when v may have other offers
  // (hospitals, platforms, firms of the same industry): not bounded here.
  double FitBound(VertexId v, double w_fit, double sector) const {
    if (s_.Kind(v) != NodeKind::kEnterprise || !same_.empty()) {
      return std::numeric_limits<double>::infinity();
    }
    double best = -std::numeric_limits<double>::infinity();
    if (v == e_) return best;
    for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
      const double factor = k == EdgeKind::kProduces ? 1.0 : 0.5;
      for (Neighbor nb : s_.Out(v, k)) {
        const Covering* c = CoveringOf(nb.vertex);
        if (!c) continue;
        const double share = factor * (nb.weight > 0 ? nb.weight : 1.0);
        for (uint32_t ord : c->sources) {
          const Source& src = sources_[ord];
          double fit = src.need * CandidateShareFactor(src.evidence, share);
          if (!IsIndustryEvidence(src.evidence)) fit += kCorroboration * sector;
          best = std::max(best,
                          w_fit * std::clamp(fit, 0.0, 1.0) - 10.0 * EvidenceTier(src.evidence));
        }
      }
    }
    return best;
  }

  // Offers v every path Gather offers it, in Gather's order; false when there is none.
  bool Replay(VertexId v, Candidates& out) const {
    struct Offer {
      uint32_t ord, pre;
      uint8_t kind;  // produces 0, member_of 1
      double fit;
      VertexId segment;  // producers: the segment v makes
    };
    thread_local std::vector<Offer> offers;
    offers.clear();
    if (v != e_) {
      for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
        const double factor = k == EdgeKind::kProduces ? 1.0 : 0.5;
        for (Neighbor nb : s_.Out(v, k)) {
          const VertexId d = nb.vertex;
          // A segment E makes is none of ProducerSegments(); any other segment with a source at
          // it or above it is one of them.
          const Covering* c = CoveringOf(d);
          if (!c) continue;
          const double share = k == EdgeKind::kProduces
                                   ? (nb.weight > 0 ? nb.weight : 1.0)
                                   : factor * (nb.weight > 0 ? nb.weight : 1.0);
          for (uint32_t ord : c->sources) {
            const Source& src = sources_[ord];
            offers.push_back({ord, c->pre, static_cast<uint8_t>(k == EdgeKind::kProduces ? 0 : 1),
                              src.need * CandidateShareFactor(src.evidence, share), d});
          }
        }
      }
    }
    if (!clinical_.empty()) {
      for (Neighbor nb : s_.Out(v, EdgeKind::kClinicalDemand)) {
        auto it = clinical_.find(nb.vertex);
        if (it == clinical_.end()) continue;
        for (uint32_t ord : it->second) {
          offers.push_back(
              {ord, 0, 0, std::clamp<double>(nb.weight, 0, 1) * sources_[ord].need, kNoVertex});
        }
      }
    }
    if (!serves_.empty() && s_.Kind(v) == NodeKind::kPlatform && IsChannelPlatform(s_, v)) {
      for (Neighbor nb : s_.Out(v, EdgeKind::kServes)) {
        auto it = serves_.find(nb.vertex);
        if (it == serves_.end()) continue;
        for (uint32_t ord : it->second) {
          offers.push_back({ord, 0, 0,
                            0.8 * std::clamp<double>(nb.weight, 0, 1) * sources_[ord].need,
                            kNoVertex});
        }
      }
    }
    if (!same_.empty() && v != e_ && s_.Kind(v) == NodeKind::kEnterprise) {
      int makes_own = -1;
      for (Neighbor nb : s_.Out(v, EdgeKind::kMemberOf)) {
        auto it = same_.find(nb.vertex);
        if (it == same_.end()) continue;
        if (makes_own < 0) makes_own = MakesOwnProduct(v) ? 1 : 0;
        if (makes_own) break;
        const double share = nb.weight > 0 ? nb.weight : 1.0;
        for (uint32_t ord : it->second) {
          offers.push_back({ord, 0, 0,
                            kSameIndustryReliability * sources_[ord].need *
                                CandidateShareFactor(kSameIndustry, share),
                            kNoVertex});
        }
      }
    }
    if (offers.empty()) return false;
    std::sort(offers.begin(), offers.end(), [](const Offer& a, const Offer& b) {
      if (a.ord != b.ord) return a.ord < b.ord;
      if (a.pre != b.pre) return a.pre < b.pre;
      return a.kind < b.kind;
    });
    for (const Offer& o : offers) {
      const Source& src = sources_[o.ord];
      out.OfferWith(
          v, o.fit,
          [&] {
            const SegmentShare& mine = segments_[src.mine];
            Path path{e_, {{mine.via, true, mine.segment}}};
            if (src.type == kSameIndustryType) {
              path.Then(EdgeKind::kMemberOf, false, v, kSameIndustry);
              return path;
            }
            for (const PathStep& st : above_[src.mine][src.up].second) path.steps.push_back(st);
            switch (src.type) {
              case kProducer:
                path.Then(EdgeKind::kSupplies, role_ == PartnerRole::kCustomer, src.target,
                          src.evidence);
                if (o.segment != src.target) path.Then(EdgeKind::kPartOf, false, o.segment);
                path.Then(o.kind == 0 ? EdgeKind::kProduces : EdgeKind::kMemberOf, false, v);
                break;
              case kClinical: path.Then(EdgeKind::kClinicalDemand, false, v); break;
              case kServes: path.Then(EdgeKind::kServes, false, v); break;
              case kSameIndustryType: break;
            }
            return path;
          },
          src.target, src.evidence, src.on_track);
    }
    return true;
  }

 private:
  void Add(std::unordered_map<VertexId, std::vector<uint32_t>>& by_target, Source src) {
    by_target[src.target].push_back(static_cast<uint32_t>(sources_.size()));
    sources_.push_back(src);
  }
  bool MakesOwnProduct(VertexId v) const {
    const auto made = s_.Out(v, EdgeKind::kProduces).Vertices();
    return std::any_of(made.begin(), made.end(), [&](VertexId seg) { return Makes(seg); });
  }

  const Snapshot& s_;
  VertexId e_;
  PartnerRole role_;
  const std::vector<SegmentShare>& segments_;
  const Forest& tree_;
  std::vector<VertexId> own_;
  std::vector<std::vector<std::pair<VertexId, std::vector<PathStep>>>> above_;
  std::vector<Source> sources_;
  std::unordered_map<VertexId, std::vector<uint32_t>> producer_, clinical_, serves_, same_;
  std::unordered_map<VertexId, Covering> covering_;
  std::vector<VertexId> producer_segments_;
};

}  // namespace

// Suppliers and customers: the top K by the threshold algorithm (topk.h). Every candidate the
// query-dependent parts reach (personalised PageRank, shared ties), the subject's county, the
// known partners, hospitals, platforms and firms of the same industry are scored exactly; the
// other producers are read per (segment, province) best quality first, and reading stops when
// no unread producer can reach the K-th key. Peers are scored exhaustively.
PartnersResult RecommendPartners(const Snapshot& s, VertexId e, PartnerRole role,
                                 const Filters& f) {
  return RecommendPartners(s, e, role, f, kCountyStreamMax);
}

PartnersResult RecommendPartners(const Snapshot& s, VertexId e, PartnerRole role, const Filters& f,
                                 size_t county_stream_max) {
  if (role == PartnerRole::kPeer) return RecommendPartnersExhaustive(s, e, role, f);
  const Scorer& scorer = Prepare(s, e, NodeKind::kEnterprise, "enterprise", f);
  PartnersResult result;
  result.enterprise = e;
  result.role = role;
  result.segments = SegmentsOf(s, e);
  const ProducerIndex& ix = TopKIndex(s);
  const Replayer rp(s, e, role, f, result.segments);

  // Hospitals, channel platforms and firms of the same industry, each once.
  thread_local SeenSet seen;
  seen.Reset(s.NumVertices());
  std::vector<VertexId> others;
  rp.ForEachOther(seen, [&](VertexId v) { others.push_back(v); });
  thread_local BitSet bits;
  result.candidates = rp.Count(ix, bits, others);
  if (result.candidates == 0) return result;

  Scoring sc(s, e, role, scorer, result.segments);
  sc.ppr = LocalPageRank(s, e);
  // The graph measure's denominator: the largest PageRank of a candidate (highest first, the first
  // that is one).
  {
    std::vector<std::pair<double, VertexId>> by_rank;
    by_rank.reserve(sc.ppr.size());
    for (const auto& [v, p] : sc.ppr) by_rank.push_back({p, v});
    std::make_heap(by_rank.begin(), by_rank.end());
    while (!by_rank.empty()) {
      std::pop_heap(by_rank.begin(), by_rank.end());
      const auto [p, v] = by_rank.back();
      by_rank.pop_back();
      Candidates one(/*record_paths=*/false);
      if (rp.Replay(v, one)) {
        sc.best_ppr = p;
        break;
      }
    }
  }

  // The best K so far: a heap whose front is the worst of them.
  const Better better{s};
  const size_t k = f.top;
  std::vector<std::pair<double, VertexId>> top;
  seen.Reset(s.NumVertices());
  // Scores one candidate exactly and keeps it when it is among the best K.
  auto score = [&](VertexId v) {
    result.scored++;
    Candidates one(/*record_paths=*/false);
    if (!rp.Replay(v, one)) return;
    const Candidate& c = *one.Find(v);
    if (!PassesWithin(s, f, v) || !c.on_track) return;
    if (sc.IsKnown(v) && !f.include_known) {
      result.known_hidden++;
      return;
    }
    OfferTopK(top, k, better, {sc.Key(v, c), v});
  };
  auto consider = [&](VertexId v) {
    if (seen.Insert(v)) score(v);
  };

  // The known partners exactly (known_hidden counts them all). Left out, with no track filter,
  // they need no score: a known partner is hidden when it is a candidate (its bit) in the regions.
  for (VertexId v : sc.known_partners) {
    if (f.include_known || f.track != kNoVertex) {
      consider(v);
    } else if (seen.Insert(v) && bits.Has(v) && PassesWithin(s, f, v)) {
      result.known_hidden++;
    }
  }

  const double w_fit = scorer.Weight(sc.recommender, "fit");
  const double w_prox = scorer.Weight(sc.recommender, "proximity");
  const double w_quality = scorer.Weight(sc.recommender, "quality");
  const double w_domestic = scorer.Weight(sc.recommender, "domestic");
  const double w_graph = scorer.Weight(sc.recommender, "graph");
  double sector = 0;  // the most a sector-rule path can add to a fit (corroboration)
  for (const auto& src : rp.sources()) {
    if (src.type == Replayer::kProducer && IsSectorEvidence(src.evidence))
      sector = std::max(sector, src.need);
  }
  // The best fit part any source gives (with corroboration and the tier's −10).
  double fit_max = -1e300;
  for (const auto& src : rp.sources()) {
    double fit = src.need;
    if (!IsIndustryEvidence(src.evidence)) fit += kCorroboration * sector;
    const int tier = src.type == Replayer::kProducer || src.type == Replayer::kSameIndustryType
                         ? EvidenceTier(src.evidence)
                         : 0;
    fit_max = std::max(fit_max, w_fit * std::clamp(fit, 0.0, 1.0) - 10.0 * tier);
  }

  // The subject's county is bounded apart (proximity 1): its organisations, best quality bound
  // first, are a stream of their own below, unless the county is large. The stream reads every
  // organisation of the county (producers of any segment, and not) down to the K-th key with the
  // best fit any source gives; for a county of tens of thousands that is thousands of reads. Then
  // the lists of the subject's province are bounded with the same county's proximity instead
  // (each by its own segment's fit), and there is no county stream. Either way every candidate's
  // bound holds, so the answer is the same.
  bool county_exact = false;
  std::span<const VertexId> county_members;
  if (VertexId r = s.Region(e); r != kNoVertex) {
    if (VertexId county = s.regions().AncestorAtLevel(r, RegionLevel::kCounty);
        county != kNoVertex) {
      county_members = ix.CountyMembers(county);
      county_exact = county_members.size() <= county_stream_max;
      if (!county_exact) county_members = {};
    }
  }
  // ProximityBound(s, e, block, county apart or not) per province block, computed once per block.
  ProximityBounds prox_bound(s, e);

  // The pool: candidates scored apart from the lists, each with a bound of its key (the best fit
  // any source gives, its quality, its province and its graph measure), read best bound first
  // along with the lists. Whoever the PageRank push reaches (graph: its rank and shared ties),
  // the organisations tied to E's own ties (shared ties: the graph measure's other half; a hub's
  // trading partners can be many), hospitals, channel platforms, firms of the same industry, and
  // the subject's county (same county). A vertex may be pooled more than once (seen skips the
  // rest).
  // A pooled vertex's bound is its block's (stage 0), then its own fit bound with the rest its
  // block's (stage 1), then its own in every measure (stage 2: refine below).
  struct Pooled {
    double bound;
    double graph;  // the graph measure's part of the bound (w_graph · its bound)
    double fit;    // stages 1 and 2: its own fit bound (Replayer::FitBound)
    VertexId v;
    uint8_t stage;
    bool operator<(const Pooled& o) const { return bound < o.bound; }
  };
  std::vector<Pooled> pool;
  pool.reserve(sc.ppr.size() + others.size());
  const double base = fit_max + w_domestic + kBoundSlack;
  auto static_bound = [&](VertexId v) {
    return base + w_quality * ix.QualityBound(v) + w_prox * prox_bound(ix.Block(v));
  };
  // One cell per vertex (count and last tie together: one cache line per visit).
  thread_local std::vector<Scoring::TieCount> shared;
  GrowHuge(shared, s.NumVertices());
  std::vector<VertexId> tied;
  // The counts stay set while the query scores (Scoring::shared_counts) and are cleared on the
  // way out, however it ends.
  struct Clear {
    std::vector<VertexId>& tied;
    ~Clear() {
      for (VertexId v : tied) shared[v] = Scoring::TieCount{};
    }
  } clear{tied};
  thread_local std::vector<VertexId> picked;
  for (VertexId x : sc.my_ties) {
    for (EdgeKind kind : {EdgeKind::kTradesWith, EdgeKind::kCooperates, EdgeKind::kInvests}) {
      for (bool out : {true, false}) {
        // Only candidates are scored or pooled: the others' counts are never read. Those are
        // picked out first without a branch (a third of a customer query's ties are candidates:
        // a branch on it mispredicts every other vertex).
        const auto vs = (out ? s.Out(x, kind) : s.In(x, kind)).Vertices();
        picked.resize(vs.size());
        size_t k = 0;
        for (VertexId v : vs) {
          picked[k] = v;
          k += bits.Has(v);
        }
        for (size_t i = 0; i < k; ++i) {
          const VertexId v = picked[i];
          Scoring::TieCount& c = shared[v];
          if (c.last == x) continue;
          c.last = x;
          if (c.count++ == 0) tied.push_back(v);
        }
      }
    }
  }
  auto tie_part = [&](VertexId v) {
    return 0.5 * std::min(1.0, static_cast<double>(shared[v].count) / 3.0);
  };
  sc.shared_counts = shared.data();
  // Only candidates are pooled: the bits Count set are exactly Gather's candidates.
  for (const auto& [v, p] : sc.ppr) {
    if (!bits.Has(v)) continue;
    const double rank = sc.best_ppr > 0 ? std::min(1.0, p / sc.best_ppr) : 0;
    const double graph = w_graph * (0.5 * rank + tie_part(v));
    pool.push_back({static_bound(v) + graph, graph, 0, v, 0});
  }
  for (size_t i = 0; i < tied.size(); ++i) {
    if (i + kAhead < tied.size()) {
      ix.Prefetch(tied[i + kAhead]);
      __builtin_prefetch(&shared[tied[i + kAhead]]);
    }
    const VertexId v = tied[i];
    const double graph = w_graph * tie_part(v);
    pool.push_back({static_bound(v) + graph, graph, 0, v, 0});
  }
  for (size_t i = 0; i < others.size(); ++i) {
    if (i + kAhead < others.size()) ix.Prefetch(others[i + kAhead]);
    pool.push_back({static_bound(others[i]), 0, 0, others[i], 0});
  }
  std::make_heap(pool.begin(), pool.end());
  // The county's stream: bound base + same county + quality bound of the member at the cursor.
  const double county_base = base + w_prox * ProximityValue(Proximity::kSameCounty);
  size_t county_pos = 0;

  // The rest: per (segment, province) lists of producers, merged by bound with the pool.
  struct List {
    double fit_part;  // the fit part of bound0 (the block's best)
    double bound0;    // the bound without the quality of the entry at the cursor
    double bound;     // bound0 + w_quality · QualityBound(entry at pos)
    uint32_t pos, end;
    bool operator<(const List& o) const { return bound < o.bound; }
  };
  std::vector<List> lists;
  for (VertexId d : rp.ProducerSegments()) {
    const std::vector<uint32_t>& covering = rp.CoveringOf(d)->sources;
    for (const ProducerBlock& b : ix.Blocks(d)) {
      double fit_part = -1e300;
      for (uint32_t ord : covering) {
        const auto& src = rp.sources()[ord];
        double fit = src.need * CandidateShareFactor(src.evidence, b.max_share);
        if (!IsIndustryEvidence(src.evidence)) fit += kCorroboration * sector;
        fit_part = std::max(fit_part,
                            w_fit * std::clamp(fit, 0.0, 1.0) - 10.0 * EvidenceTier(src.evidence));
      }
      const double bound0 = fit_part + w_domestic + w_prox * prox_bound(b.province, county_exact) +
                            kBoundSlack;
      lists.push_back({fit_part, bound0, bound0 + w_quality * b.top_quality, b.begin, b.end});
    }
  }
  std::make_heap(lists.begin(), lists.end());
  auto full = [&] { return top.size() >= k; };
  // Back into the pool when the bound can still reach the K-th key.
  auto repool = [&](const Pooled& p) {
    if (full() && p.bound < top.front().first) return;
    pool.push_back(p);
    std::push_heap(pool.begin(), pool.end());
  };
  // Stage 1, a vertex read with a bound `rest` + the fit part it assumed: its own fit bound
  // instead (a few lookups); scored at once when it has no such bound. `graph`: the graph
  // measure's part of `rest` (0 for an organisation the push and E's ties did not reach).
  auto refine = [&](VertexId v, double rest, double graph) {
    const double fit = rp.FitBound(v, w_fit, sector);
    if (fit == std::numeric_limits<double>::infinity()) {
      consider(v);
      return;
    }
    if (fit == -std::numeric_limits<double>::infinity()) return;
    repool({rest + fit, graph, fit, v, 1});
  };
  // Stage 2, a vertex whose stage-1 bound is the best left: its own proximity, domestic measure
  // and quality bound instead of its block's (exact but for the quality's rounding; cheaper than
  // scoring it, and most of a province's organisations are farther than its best).
  auto own = [&](const Pooled& p) {
    repool({p.fit + w_quality * ix.QualityBound(p.v) +
                w_prox * ProximityValue(GeoProximity(s, e, p.v)) + w_domestic * Domestic(s, p.v) +
                p.graph + kBoundSlack,
            p.graph, p.fit, p.v, 2});
  };
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  while (true) {
    const double list_bound = lists.empty() ? kNone : lists.front().bound;
    const double pool_bound = pool.empty() ? kNone : pool.front().bound;
    const double county_bound = county_pos < county_members.size()
                                    ? county_base +
                                          w_quality * ix.QualityBound(county_members[county_pos])
                                    : kNone;
    const double best = std::max({list_bound, pool_bound, county_bound});
    if (best == kNone || (full() && best < top.front().first)) break;
    if (pool_bound == best) {
      std::pop_heap(pool.begin(), pool.end());
      const Pooled p = pool.back();
      pool.pop_back();
      if (seen.Has(p.v)) continue;
      if (p.stage == 2) {
        consider(p.v);
      } else if (p.stage == 1) {
        own(p);
      } else {
        refine(p.v, p.bound - fit_max, p.graph);
      }
    } else if (county_bound == best) {
      const VertexId v = county_members[county_pos++];
      if (bits.Has(v) && !seen.Has(v)) refine(v, county_bound - fit_max, 0);
    } else {
      std::pop_heap(lists.begin(), lists.end());
      List& l = lists.back();
      const VertexId v = ix.Entry(l.pos);
      if (!seen.Has(v)) refine(v, l.bound - l.fit_part, 0);
      if (++l.pos < l.end) {
        // Its bound only went down: back into place.
        l.bound = l.bound0 + w_quality * ix.QualityBound(ix.Entry(l.pos));
        std::push_heap(lists.begin(), lists.end());
      } else {
        lists.pop_back();
      }
    }
  }
  std::sort(top.begin(), top.end(), better);
  for (const auto& [key, v] : top) {
    Candidates detailed(/*record_paths=*/true);
    rp.Replay(v, detailed);
    result.items.push_back(sc.MakeItem(v, *detailed.Find(v)));
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
