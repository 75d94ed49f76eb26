#include "matcher/partners.h"

#include <algorithm>
#include <map>
#include <set>

#include "graph/error.h"
#include "graph/taxonomy.h"
#include "matcher/local_rank.h"

namespace chainatlas::matcher {
namespace {


// The organisations tied to v by a known relation (trades_with, cooperates, invests; either way).
std::set<VertexId> Ties(const Snapshot& s, VertexId v) {
  std::set<VertexId> out;
  for (EdgeKind k : {EdgeKind::kTradesWith, EdgeKind::kCooperates, EdgeKind::kInvests}) {
    for (VertexId x : s.Out(v, k).Vertices()) out.insert(x);
    for (VertexId x : s.In(v, k).Vertices()) out.insert(x);
  }
  return out;
}

bool HasEdge(const Snapshot& s, VertexId a, EdgeKind k, VertexId b) {
  return s.EdgeWeight(a, k, b).has_value();
}

bool Known(const Snapshot& s, VertexId e, VertexId c, PartnerRole role) {
  if (role == PartnerRole::kSupplier && HasEdge(s, c, EdgeKind::kTradesWith, e)) return true;
  if (role == PartnerRole::kCustomer && HasEdge(s, e, EdgeKind::kTradesWith, c)) return true;
  for (EdgeKind k : {EdgeKind::kCooperates, EdgeKind::kInvests}) {
    if (HasEdge(s, e, k, c) || HasEdge(s, c, k, e)) return true;
  }
  return false;
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
  throw Error(ErrorCode::kInvalidArgument,
              "unknown role '" + std::string(name) + "'; roles: supplier, customer, peer");
}

PartnersResult RecommendPartners(const Snapshot& s, VertexId e, PartnerRole role,
                                 const Filters& f) {
  RequireKind(s, e, NodeKind::kEnterprise, "--enterprise");
  CheckFilters(s, f);
  const Scorer& scorer = FindScorer(f.scorer);
  PartnersResult result;
  result.enterprise = e;
  result.role = role;
  result.segments = SegmentsOf(s, e);

  Candidates found;
  for (const SegmentShare& mine : result.segments) {
    double own = ShareFactor(mine.share);
    Path start{e, {{mine.via, true, mine.segment}}};
    if (role == PartnerRole::kPeer) {
      for (const Producer& p : ProducersOf(s, mine.segment)) {
        if (p.enterprise == e || !PassesTrack(s, f, p.segment)) continue;
        Path path = start;
        if (p.segment != mine.segment) path.Then(EdgeKind::kPartOf, false, p.segment);
        path.Then(p.via, false, p.enterprise);
        found.Offer(p.enterprise, own * ShareFactor(p.share), path, p.segment);
      }
      continue;
    }
    for (const auto& [seg, up] : SegmentAndAbove(s, mine.segment)) {
      Path base = start;
      for (const PathStep& st : up) base.steps.push_back(st);
      auto related = role == PartnerRole::kSupplier ? s.In(seg, EdgeKind::kSupplies)
                                                    : s.Out(seg, EdgeKind::kSupplies);
      for (Neighbor nb : related) {
        if (!PassesTrack(s, f, nb.vertex)) continue;
        double need = std::clamp<double>(nb.weight, 0, 1) * own;
        Path via = base;
        via.Then(EdgeKind::kSupplies, role == PartnerRole::kCustomer, nb.vertex);
        for (const Producer& p : ProducersOf(s, nb.vertex)) {
          if (p.enterprise == e) continue;
          Path path = via;
          if (p.segment != nb.vertex) path.Then(EdgeKind::kPartOf, false, p.segment);
          path.Then(p.via, false, p.enterprise);
          found.Offer(p.enterprise, need * ShareFactor(p.share), path, nb.vertex);
        }
      }
      if (role == PartnerRole::kCustomer && PassesTrack(s, f, seg)) {
        for (Neighbor h : s.In(seg, EdgeKind::kClinicalDemand)) {
          Path path = base;
          path.Then(EdgeKind::kClinicalDemand, false, h.vertex);
          found.Offer(h.vertex, std::clamp<double>(h.weight, 0, 1) * own, path, seg);
        }
        for (Neighbor p : s.In(seg, EdgeKind::kServes)) {
          if (!IsChannelPlatform(s, p.vertex)) continue;
          Path path = base;
          path.Then(EdgeKind::kServes, false, p.vertex);
          found.Offer(p.vertex, 0.8 * std::clamp<double>(p.weight, 0, 1) * own, path, seg);
        }
      }
    }
  }
  result.candidates = found.size();

  std::unordered_map<VertexId, double> ppr;
  if (found.size() > 0) ppr = LocalPageRank(s, e);
  std::set<VertexId> my_ties = Ties(s, e);
  std::vector<std::pair<VertexId, const Candidate*>> kept;
  double best_ppr = 0;
  for (const auto& [v, c] : found.Sorted()) {
    if (!PassesWithin(s, f, v)) continue;
    bool known = Known(s, e, v, role);
    if (known && !f.include_known) continue;
    kept.push_back({v, c});
    auto it = ppr.find(v);
    if (it != ppr.end()) best_ppr = std::max(best_ppr, it->second);
  }

  std::string recommender = role == PartnerRole::kSupplier   ? "suppliers"
                            : role == PartnerRole::kCustomer ? "customers"
                                                             : "peers";
  for (const auto& [v, c] : kept) {
    Item item;
    item.entity = v;
    item.known = Known(s, e, v, role);
    TakePaths(*c, item);
    Proximity prox = GeoProximity(s, e, v);
    std::vector<std::string> quality_facts;
    double quality = Quality(s, v, &quality_facts);
    auto it = ppr.find(v);
    double rank = it != ppr.end() && best_ppr > 0 ? it->second / best_ppr : 0;
    size_t shared = 0;
    std::string shared_names;
    for (VertexId t : Ties(s, v)) {
      if (my_ties.count(t)) {
        if (shared < 3) shared_names += (shared ? ", " : "") + std::string(s.Name(t));
        ++shared;
      }
    }
    double graph = 0.5 * rank + 0.5 * std::min(1.0, shared / 3.0);
    double domestic =
        s.Kind(v) == NodeKind::kEnterprise && s.Enterprise(v).HasTag(EnterpriseTag::kForeignFunded)
            ? 0.0
            : 1.0;
    std::vector<std::pair<std::string, double>> measures = {
        {"proximity", ProximityValue(prox)}, {"graph", graph}, {"quality", quality},
        {"domestic", domestic}};
    if (role == PartnerRole::kPeer) {
      measures.push_back({"overlap", WeightedJaccard(result.segments, SegmentsOf(s, v))});
    } else {
      measures.push_back({"fit", c->fit});
    }
    ApplyScorer(scorer, recommender, measures, item);

    item.why.push_back(ProximityFact(s, prox, e, v));
    for (auto& q : quality_facts) item.why.push_back(std::move(q));
    if (shared) {
      item.why.push_back("shares " + std::to_string(shared) + " known partner" +
                         (shared > 1 ? "s" : "") + " with " + std::string(s.Name(e)) + " (" +
                         shared_names + ")");
    }
    if (domestic == 0 && role == PartnerRole::kSupplier) item.why.push_back("foreign-funded");
    if (item.known) item.why.push_back("already a partner");
    result.items.push_back(std::move(item));
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
