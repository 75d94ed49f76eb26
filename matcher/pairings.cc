#include "matcher/pairings.h"

#include <algorithm>

#include "graph/error.h"
#include "graph/region_tree.h"
#include "matcher/local_rank.h"

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

// Offers every organisation tied by `kind` (into the segment, or a segment above it) to `found`.
template <typename Fit>
void Collect(const Snapshot& s, const std::vector<Relevant>& relevant, EdgeKind kind,
             const Filters& f, Candidates& found, Fit fit) {
  for (const Relevant& r : relevant) {
    for (const auto& [seg, up] : SegmentAndAbove(s, r.segment)) {
      if (!PassesTrack(s, f, r.segment)) continue;
      for (Neighbor nb : s.In(seg, kind)) {
        double value = fit(nb.vertex, nb.weight, r);
        if (value <= 0) continue;
        Path p = r.path;
        for (const PathStep& st : up) p.steps.push_back(st);
        p.Then(kind, false, nb.vertex);
        found.Offer(nb.vertex, value, p, r.segment);
      }
    }
  }
}

struct Scored {
  std::vector<Item> items;
  size_t candidates = 0;
};

Scored ScoreOrganisations(const Snapshot& s, VertexId e, PairingKind kind, const Filters& f,
                          size_t top) {
  const Scorer& scorer = FindScorer(f.scorer);
  Candidates found;
  std::string recommender;
  switch (kind) {
    case PairingKind::kUniversity:
      recommender = "universities";
      Collect(s, RelevantSegments(s, e, true), EdgeKind::kResearches, f, found,
              [](VertexId, float w, const Relevant& r) { return w * r.relevance; });
      break;
    case PairingKind::kHospital: {
      recommender = "hospitals";
      auto own = RelevantSegments(s, e, false);
      Collect(s, own, EdgeKind::kClinicalStrength, f, found,
              [](VertexId, float w, const Relevant& r) { return w * r.relevance; });
      Collect(s, own, EdgeKind::kClinicalDemand, f, found,
              [](VertexId, float w, const Relevant& r) { return 0.7 * w * r.relevance; });
      break;
    }
    case PairingKind::kPlatform:
      recommender = "platforms";
      Collect(s, RelevantSegments(s, e, false), EdgeKind::kServes, f, found,
              [](VertexId, float w, const Relevant& r) { return w * r.relevance; });
      break;
    case PairingKind::kTriad: break;
  }
  Scored out;
  out.candidates = found.size();
  std::unordered_map<VertexId, double> ppr;
  double best_ppr = 0;
  if (kind == PairingKind::kUniversity) {
    ppr = LocalPageRank(s, e);
    for (const auto& [v, c] : found.Sorted()) {
      auto it = ppr.find(v);
      if (it != ppr.end()) best_ppr = std::max(best_ppr, it->second);
    }
  }
  for (const auto& [v, c] : found.Sorted()) {
    if (!PassesWithin(s, f, v)) continue;
    bool known = Cooperates(s, e, v);
    if (known && !f.include_known) continue;
    Item item;
    item.entity = v;
    item.known = known;
    TakePaths(*c, item);
    Proximity prox = GeoProximity(s, e, v);
    std::vector<Reason> facts;
    double quality = Quality(s, v, &facts);
    std::vector<std::pair<std::string, double>> measures = {
        {"fit", c->fit}, {"proximity", ProximityValue(prox)}, {"quality", quality}};
    if (kind == PairingKind::kUniversity) {
      auto it = ppr.find(v);
      measures.push_back({"graph", it != ppr.end() && best_ppr > 0 ? it->second / best_ppr : 0});
    }
    if (kind == PairingKind::kHospital) {
      measures.push_back({"trial", s.Hospital(v).clinical_trial ? 1.0 : 0.0});
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
  RequireKind(s, e, NodeKind::kEnterprise, "--enterprise");
  CheckFilters(s, f);
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
  const Scorer& scorer = FindScorer(f.scorer);
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
