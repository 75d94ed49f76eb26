#include "matcher/partners.h"

#include <algorithm>
#include <array>
#include <unordered_set>
#include <map>
#include <set>

#include "graph/error.h"
#include "graph/taxonomy.h"
#include "matcher/local_rank.h"

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

}  // namespace

PartnersResult RecommendPartners(const Snapshot& s, VertexId e, PartnerRole role,
                                 const Filters& f) {
  RequireKind(s, e, NodeKind::kEnterprise, "--enterprise");
  CheckFilters(s, f);
  const Scorer& scorer = FindScorer(f.scorer);
  PartnersResult result;
  result.enterprise = e;
  result.role = role;
  result.segments = SegmentsOf(s, e);

  // First pass: every candidate's fit, no paths.
  ProducerMemo producers(s);
  Candidates found(/*record_paths=*/false);
  Gather(s, e, role, f, result.segments, producers, found);
  result.candidates = found.size();

  std::unordered_map<VertexId, double> ppr;
  if (found.size() > 0) ppr = LocalPageRank(s, e);
  const std::vector<VertexId> my_ties = Ties(s, e);
  const std::vector<VertexId> known_partners = KnownPartners(s, e, role);
  auto is_known = [&](VertexId v) {
    return std::binary_search(known_partners.begin(), known_partners.end(), v);
  };
  // The graph measure is relative to the best candidate of all, before any filter, so that a
  // filter removes candidates and never changes another candidate's score.
  std::vector<std::pair<VertexId, const Candidate*>> kept;
  double best_ppr = 0;
  for (const auto& [v, c] : found.Sorted()) {
    auto it = ppr.find(v);
    if (it != ppr.end()) best_ppr = std::max(best_ppr, it->second);
    if (!PassesWithin(s, f, v) || !c->on_track) continue;
    bool known = is_known(v);
    if (known && !f.include_known) {
      result.known_hidden++;
      continue;
    }
    kept.push_back({v, c});
  }

  const std::string recommender = role == PartnerRole::kSupplier   ? "suppliers"
                                  : role == PartnerRole::kCustomer ? "customers"
                                                                   : "peers";
  // The raw measures of candidate v; facts and shared names only when asked for (the best).
  struct Measured {
    Proximity prox;
    size_t shared;
    double domestic;
    std::array<Measure, 5> m;
  };
  auto measure = [&](VertexId v, double fit, std::vector<Reason>* facts,
                     std::vector<std::string>* shared_names) {
    Measured r;
    r.prox = GeoProximity(s, e, v);
    double quality = Quality(s, v, facts);
    auto it = ppr.find(v);
    double rank = it != ppr.end() && best_ppr > 0 ? it->second / best_ppr : 0;
    r.shared = SharedTies(s, v, my_ties, shared_names);
    double graph = 0.5 * rank + 0.5 * std::min(1.0, static_cast<double>(r.shared) / 3.0);
    r.domestic = s.Kind(v) == NodeKind::kEnterprise &&
                         s.Enterprise(v).HasTag(EnterpriseTag::kForeignFunded)
                     ? 0.0
                     : 1.0;
    Measure last = role == PartnerRole::kPeer
                       ? Measure{"overlap", WeightedJaccard(result.segments, SegmentsOf(s, v))}
                       : Measure{"fit", fit};
    r.m = {Measure{"proximity", ProximityValue(r.prox)}, Measure{"graph", graph},
           Measure{"quality", quality}, Measure{"domestic", r.domestic}, last};
    return r;
  };

  // Score every candidate, keep the best, then build their items (paths from a second pass).
  // Ranked by evidence tier, then score: industry-level evidence never outranks product-level
  // evidence (scores lie in [0, 1], so 10 per tier separates the tiers).
  std::vector<std::pair<double, VertexId>> scored;
  scored.reserve(kept.size());
  for (const auto& [v, c] : kept) {
    Measured r = measure(v, Fit(*c), nullptr, nullptr);
    const int tier = role == PartnerRole::kPeer ? 0 : c->tier;
    scored.push_back({ScoreOf(scorer, recommender, r.m.data(), r.m.size()) - 10.0 * tier, v});
  }
  std::vector<VertexId> best = TopCandidates(s, std::move(scored), f.top);
  std::unordered_set<VertexId> chosen(best.begin(), best.end());
  Candidates detailed(/*record_paths=*/true, &chosen);
  Gather(s, e, role, f, result.segments, producers, detailed);

  for (VertexId v : best) {
    const Candidate* c = detailed.Find(v);
    Item item;
    item.entity = v;
    item.known = is_known(v);
    TakePaths(*c, item);
    std::vector<Reason> quality_facts;
    std::vector<std::string> shared_names;
    Measured r = measure(v, Fit(*c), &quality_facts, &shared_names);
    item.score = ScoreOf(scorer, recommender, r.m.data(), r.m.size(), &item.components);
    if (role != PartnerRole::kPeer && c->tier < kEvidenceTierCount) {
      item.has_evidence = true;
      item.evidence = c->evidence;
      item.tier = c->tier;
      if (!item.paths.empty()) {
        Reason fact = EvidenceFact(s, item.paths.front());
        if (!fact.code.empty()) item.why.push_back(std::move(fact));
      }
      if (!IsIndustryEvidence(c->evidence) && c->industry_fit > 0) {
        item.why.push_back(
            Reason("partners.corroborated").Real("fit", kCorroboration * c->industry_fit));
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
    result.items.push_back(std::move(item));
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
