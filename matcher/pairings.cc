#include "matcher/pairings.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <unordered_set>

#include "graph/error.h"
#include "graph/huge_pages.h"
#include "graph/region_tree.h"
#include "matcher/local_rank.h"
#include "matcher/registry.h"
#include "matcher/topk.h"

namespace chainatlas::matcher {
namespace {

bool Cooperates(const Snapshot& s, VertexId a, VertexId b) {
  return s.EdgeWeight(a, EdgeKind::kCooperates, b).has_value() ||
         s.EdgeWeight(b, EdgeKind::kCooperates, a).has_value();
}

// A segment that matters to E, with how much, and the path from E to it.
struct Relevant {
  VertexId segment;
  double relevance;
  Path path;
  bool own;  // one E makes (not an input of one)
};

std::vector<Relevant> RelevantSegments(const Snapshot& s, VertexId e, bool with_inputs) {
  std::vector<Relevant> out;
  for (const SegmentShare& mine : SegmentsOf(s, e)) {
    double own = ShareFactor(mine.share);
    Path start{e, {{mine.via, true, mine.segment}}};
    out.push_back({mine.segment, own, start, true});
    if (!with_inputs) continue;
    for (Neighbor in : s.In(mine.segment, EdgeKind::kSupplies)) {
      Path p = start;
      p.Then(EdgeKind::kSupplies, false, in.vertex);
      out.push_back({in.vertex, 0.6 * std::clamp<double>(in.weight, 0, 1) * own, p, false});
    }
  }
  return out;
}

// The relevant segments of a query and the Collect calls made on them, so that the paths of the
// best candidates are built afterwards (the same Offer calls in the same order for each of them)
// instead of a path per offer for every candidate.
struct Offers {
  struct Call {
    EdgeKind kind;
    double factor;  // an offer's value: factor · weight · relevance
  };
  std::vector<Relevant> relevant;
  std::vector<std::vector<std::pair<VertexId, std::vector<PathStep>>>> above;
  std::vector<Call> calls;

  // Offers the paths of `best` to `found` (which records paths): per call, relevant segment and
  // segment above it, in Collect's order, the edge of each of them into that segment (a lookup).
  void Replay(const Snapshot& s, const Filters& f, const std::vector<VertexId>& best,
              Candidates& found) const {
    for (const Call& call : calls) {
      for (uint32_t i = 0; i < relevant.size(); ++i) {
        const Relevant& r = relevant[i];
        if (!PassesTrack(s, f, r.segment)) continue;
        for (const auto& entry : above[i]) {
          // Named, not a structured binding: clang 14 (the fuzz build) cannot capture one.
          const VertexId segment = entry.first;
          const auto& steps = entry.second;
          for (VertexId v : best) {
            const std::optional<float> w = s.EdgeWeight(v, call.kind, segment);
            if (!w) continue;
            const double value = call.factor * *w * r.relevance;
            if (value <= 0) continue;
            found.OfferWith(
                v, value,
                [&] {
                  Path p = r.path;
                  for (const PathStep& st : steps) p.steps.push_back(st);
                  p.Then(call.kind, false, v);
                  return p;
                },
                r.segment);
          }
        }
      }
    }
  }
};

// Offers every organisation tied by `kind` (into a relevant segment, or a segment above it) to
// `found` (fits only), with value factor · weight · relevance, and records the call in `offers`.
// A candidate keeps its largest value, so each segment's organisations are read once, with the
// largest relevance of the relevant segments it is (or is above) (the product is monotone in it).
template <typename Found>
void Collect(const Snapshot& s, Offers& offers, EdgeKind kind, double factor, const Filters& f,
             Found& found) {
  offers.calls.push_back({kind, factor});
  std::vector<std::pair<VertexId, double>> at;  // (segment, largest relevance)
  for (uint32_t i = 0; i < offers.relevant.size(); ++i) {
    const Relevant& r = offers.relevant[i];
    if (!PassesTrack(s, f, r.segment)) continue;
    for (const auto& entry : offers.above[i]) {
      const VertexId segment = entry.first;
      auto it = std::find_if(at.begin(), at.end(),
                             [&](const auto& x) { return x.first == segment; });
      if (it == at.end()) {
        at.push_back({segment, r.relevance});
      } else if (r.relevance > it->second) {
        it->second = r.relevance;
      }
    }
  }
  const ProducerIndex& ix = TopKIndex(s);
  for (const auto& [segment, relevance] : at) {
    const auto in = s.In(segment, kind);
    // The same edges in the same order, their weights read from the index's copy.
    if (const float* weights = ix.InWeights(segment, kind)) {
      const auto ids = in.Vertices();
      for (size_t i = 0; i < ids.size(); ++i) {
        const double value = factor * weights[i] * relevance;
        if (value <= 0) continue;
        found.Offer(ids[i], value);
      }
      continue;
    }
    for (Neighbor nb : in) {
      const double value = factor * nb.weight * relevance;
      if (value <= 0) continue;
      found.Offer(nb.vertex, value);
    }
  }
}

void SetRelevant(const Snapshot& s, Offers& offers, std::vector<Relevant> relevant) {
  offers.relevant = std::move(relevant);
  offers.above.clear();
  for (const Relevant& r : offers.relevant) offers.above.push_back(SegmentAndAbove(s, r.segment));
}

struct Scored {
  std::vector<Item> items;
  size_t candidates = 0;
};

// The first pass's fits: per candidate the largest value offered (what Candidates keeps when every
// offer has the same evidence, 0), in per-thread arrays indexed by vertex, cleared on the way out.
class Fits {
 public:
  explicit Fits(size_t n) {
    GrowHuge(fit_, n, kNone);
    list_.clear();
  }
  ~Fits() {
    for (VertexId v : list_) fit_[v] = kNone;
  }
  void Offer(VertexId v, double value) {  // value > 0 (Collect skips the others)
    double& f = fit_[v];
    if (f == kNone) {
      list_.push_back(v);
      f = value;
    } else if (value > f) {
      f = value;
    }
  }
  double Fit(VertexId v) const { return fit_[v]; }
  const std::vector<VertexId>& Candidates() const { return list_; }

 private:
  static constexpr double kNone = -1;
  static thread_local std::vector<double> fit_;
  static thread_local std::vector<VertexId> list_;
};
thread_local std::vector<double> Fits::fit_;
thread_local std::vector<VertexId> Fits::list_;

Scored ScoreOrganisations(const Snapshot& s, VertexId e, PairingKind kind, const Filters& f,
                          size_t top) {
  const Scorer& scorer = FindScorer(f.scorer);
  // First every candidate's fit (no paths), then scores, then items for the best only.
  Fits found(s.NumVertices());
  Offers offers;
  std::string recommender;
  switch (kind) {
    case PairingKind::kUniversity:
      recommender = "universities";
      SetRelevant(s, offers, RelevantSegments(s, e, true));
      Collect(s, offers, EdgeKind::kResearches, 1.0, f, found);
      break;
    case PairingKind::kHospital: {
      recommender = "hospitals";
      SetRelevant(s, offers, RelevantSegments(s, e, false));
      Collect(s, offers, EdgeKind::kClinicalStrength, 1.0, f, found);
      Collect(s, offers, EdgeKind::kClinicalDemand, 0.7, f, found);
      break;
    }
    case PairingKind::kPlatform:
      recommender = "platforms";
      SetRelevant(s, offers, RelevantSegments(s, e, false));
      Collect(s, offers, EdgeKind::kServes, 1.0, f, found);
      break;
    case PairingKind::kTriad: break;
  }
  Scored out;
  out.candidates = found.Candidates().size();
  std::unordered_map<VertexId, double> ppr;
  double best_ppr = 0;
  if (kind == PairingKind::kUniversity) {
    ppr = LocalPageRank(s, e);
    for (VertexId v : found.Candidates()) {
      auto it = ppr.find(v);
      if (it != ppr.end()) best_ppr = std::max(best_ppr, it->second);
    }
  }
  // The measures of candidate v (with fit `fit`), in the order ApplyScorer is given them.
  auto measures_of = [&](VertexId v, double fit, Proximity prox, std::vector<Reason>* facts) {
    double quality = Quality(s, v, facts);
    std::vector<std::pair<std::string, double>> measures = {
        {"fit", fit}, {"proximity", ProximityValue(prox)}, {"quality", quality}};
    if (kind == PairingKind::kUniversity) {
      auto it = ppr.find(v);
      measures.push_back({"graph", it != ppr.end() && best_ppr > 0 ? it->second / best_ppr : 0});
    }
    if (kind == PairingKind::kHospital) {
      measures.push_back({"trial", s.Hospital(v).clinical_trial ? 1.0 : 0.0});
    }
    return measures;
  };
  // Scores (exactly ApplyScorer's: ScoreOf over the same measures), the best `top` kept in
  // RankItems' order (every item has tier 0 and no partners here, so that order is
  // TopCandidates'). Candidates are read by a bound of their score (their fit, quality bound,
  // province, graph measure and trial registration), highest first, and reading stops when no
  // bound left can reach the `top`-th score.
  const ProducerIndex& ix = TopKIndex(s);
  auto weight = [&](std::string_view measure) { return scorer.Weight(recommender, measure); };
  const double w_fit = weight("fit"), w_prox = weight("proximity"), w_quality = weight("quality"),
               w_graph = weight("graph"), w_trial = weight("trial");
  ProximityBounds prox_bound(s, e);
  std::vector<std::pair<double, VertexId>> bounded;
  bounded.reserve(found.Candidates().size());
  for (VertexId v : found.Candidates()) {
    double bound = w_fit * std::clamp(found.Fit(v), 0.0, 1.0) + w_prox * prox_bound(ix.Block(v)) +
                   w_quality * ix.QualityBound(v) + kBoundSlack;
    if (kind == PairingKind::kUniversity) {
      auto it = ppr.find(v);
      if (it != ppr.end() && best_ppr > 0) bound += w_graph * std::min(1.0, it->second / best_ppr);
    }
    if (kind == PairingKind::kHospital && s.Hospital(v).clinical_trial) bound += w_trial;
    bounded.push_back({bound, v});
  }
  std::sort(bounded.begin(), bounded.end(),
            [](const auto& a, const auto& b) { return a.first > b.first; });
  const Better better{s};
  std::vector<std::pair<double, VertexId>> kept_top;
  std::vector<Measure> m;
  const size_t k = top ? top : std::numeric_limits<size_t>::max();
  for (const auto& [bound, v] : bounded) {
    if (kept_top.size() >= k && bound < kept_top.front().first) break;
    if (!PassesWithin(s, f, v)) continue;
    if (!f.include_known && Cooperates(s, e, v)) continue;
    const auto measures = measures_of(v, found.Fit(v), GeoProximity(s, e, v), nullptr);
    m.clear();
    for (const auto& [name, value] : measures) m.push_back({name, value});
    OfferTopK(kept_top, k, better, {ScoreOf(scorer, recommender, m.data(), m.size()), v});
  }
  std::sort(kept_top.begin(), kept_top.end(), better);
  std::vector<VertexId> best;
  for (const auto& [key, v] : kept_top) best.push_back(v);
  Candidates detailed(/*record_paths=*/true);
  offers.Replay(s, f, best, detailed);
  for (VertexId v : best) {
    const Candidate* c = detailed.Find(v);
    bool known = Cooperates(s, e, v);
    Item item;
    item.entity = v;
    item.known = known;
    TakePaths(*c, item);
    Proximity prox = GeoProximity(s, e, v);
    std::vector<Reason> facts;
    std::vector<std::pair<std::string, double>> measures = measures_of(v, c->fit, prox, &facts);
    if (kind == PairingKind::kHospital) {
      const auto& depts = s.Hospital(v).departments;
      if (!depts.empty()) {
        facts.push_back(
            Reason("pairings.departments").List("departments", {depts.begin(), depts.end()}));
      }
    }
    ApplyScorer(scorer, recommender, measures, item);
    item.why.push_back(ProximityFact(s, prox, e, v));
    for (auto& x : facts) item.why.push_back(std::move(x));
    if (known) item.why.push_back(Reason("pairings.known").Text("name", std::string(s.Name(e))));
    out.items.push_back(std::move(item));
  }
  RankItems(s, out.items, top);
  return out;
}

}  // namespace

std::string_view PairingKindName(PairingKind kind) {
  switch (kind) {
    case PairingKind::kUniversity: return "university";
    case PairingKind::kHospital: return "hospital";
    case PairingKind::kPlatform: return "platform";
    case PairingKind::kTriad: return "triad";
  }
  return "";
}

PairingKind ParsePairingKind(std::string_view name) {
  for (PairingKind k : {PairingKind::kUniversity, PairingKind::kHospital, PairingKind::kPlatform,
                        PairingKind::kTriad}) {
    if (PairingKindName(k) == name) return k;
  }
  throw Error(ErrorCode::kInvalidArgument,
              Msg("matcher.pairing_kind", {{"name", std::string(name)}}));
}

PairingsResult RecommendPairings(const Snapshot& s, VertexId e, PairingKind kind,
                                 const Filters& f) {
  const Scorer& scorer = Prepare(s, e, NodeKind::kEnterprise, "enterprise", f);
  PairingsResult result;
  result.enterprise = e;
  result.kind = kind;
  if (kind != PairingKind::kTriad) {
    Scored scored = ScoreOrganisations(s, e, kind, f, f.top);
    result.candidates = scored.candidates;
    result.items = std::move(scored.items);
    return result;
  }
  // Triads: pair the best universities with the best hospitals.
  constexpr size_t kPool = 12;
  Scored unis = ScoreOrganisations(s, e, PairingKind::kUniversity, f, kPool);
  Scored hosps = ScoreOrganisations(s, e, PairingKind::kHospital, f, kPool);
  result.candidates = unis.items.size() * hosps.items.size();
  for (const Item& u : unis.items) {
    for (const Item& h : hosps.items) {
      Item item;
      item.entity = u.entity;
      item.partners = {h.entity};
      item.known = u.known || h.known;
      item.paths = {u.paths.front(), h.paths.front()};
      item.via = u.via;
      for (VertexId v : h.via) {
        if (std::find(item.via.begin(), item.via.end(), v) == item.via.end()) item.via.push_back(v);
      }
      double tie = 0;
      Reason tie_fact;
      if (Cooperates(s, u.entity, h.entity)) {
        tie = 1;
        tie_fact = Reason("pairings.triad.cooperate")
                       .Text("university", std::string(s.Name(u.entity)))
                       .Text("hospital", std::string(s.Name(h.entity)));
      } else {
        Proximity p = GeoProximity(s, u.entity, h.entity);
        tie = p == Proximity::kSameCounty || p == Proximity::kSameCity ? 0.6
              : p == Proximity::kSameProvince                          ? 0.3
                                                                       : 0.0;
        tie_fact =
            Reason("pairings.triad.tie").Nested("reason", ProximityFact(s, p, u.entity, h.entity));
      }
      ApplyScorer(scorer, "triads", {{"university", u.score}, {"hospital", h.score}, {"tie", tie}},
                  item);
      item.why.push_back(Reason("pairings.triad.university")
                             .Text("name", std::string(s.Name(u.entity)))
                             .Real("score", u.score)
                             .Nested("reason", u.why.front()));
      item.why.push_back(Reason(s.Hospital(h.entity).clinical_trial
                                    ? "pairings.triad.hospital_trial"
                                    : "pairings.triad.hospital")
                             .Text("name", std::string(s.Name(h.entity)))
                             .Real("score", h.score)
                             .Nested("reason", h.why.front()));
      item.why.push_back(std::move(tie_fact));
      result.items.push_back(std::move(item));
    }
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
