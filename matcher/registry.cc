#include "matcher/registry.h"

#include <string>

#include "graph/error.h"
#include "graph/messages.h"
#include "matcher/leaders.h"
#include "matcher/pairings.h"
#include "matcher/partners.h"
#include "matcher/targets.h"

namespace chainatlas::matcher {
namespace {

template <typename Result>
Recommendation Generic(VertexId subject, Result r) {
  return {subject, r.candidates, std::move(r.items)};
}

auto Partners(PartnerRole role) {
  return [role](const Analytics& a, VertexId e, const Filters& f) {
    return Generic(e, RecommendPartners(a.snapshot(), e, role, f));
  };
}

auto Pairings(PairingKind kind) {
  return [kind](const Analytics& a, VertexId e, const Filters& f) {
    return Generic(e, RecommendPairings(a.snapshot(), e, kind, f));
  };
}

}  // namespace

const std::vector<Recommender>& Recommenders() {
  using K = NodeKind;
  static const std::vector<Recommender> table = {
      {"suppliers",
       "partners",
       "supplier",
       K::kEnterprise,
       false,
       {"fit", "proximity", "graph", "quality", "domestic"},
       Partners(PartnerRole::kSupplier)},
      {"customers",
       "partners",
       "customer",
       K::kEnterprise,
       false,
       {"fit", "proximity", "graph", "quality"},
       Partners(PartnerRole::kCustomer)},
      {"peers",
       "partners",
       "peer",
       K::kEnterprise,
       false,
       {"overlap", "proximity", "graph", "quality"},
       Partners(PartnerRole::kPeer)},
      {"universities",
       "pairings",
       "university",
       K::kEnterprise,
       false,
       {"fit", "proximity", "quality", "graph"},
       Pairings(PairingKind::kUniversity)},
      {"hospitals",
       "pairings",
       "hospital",
       K::kEnterprise,
       false,
       {"fit", "trial", "quality", "proximity"},
       Pairings(PairingKind::kHospital)},
      {"platforms",
       "pairings",
       "platform",
       K::kEnterprise,
       false,
       {"fit", "proximity", "quality"},
       Pairings(PairingKind::kPlatform)},
      {"triads",
       "pairings",
       "triad",
       K::kEnterprise,
       false,
       {"university", "hospital", "tie"},
       Pairings(PairingKind::kTriad)},
      {"targets",
       "targets",
       "",
       K::kRegion,
       false,
       {"segment", "strength", "ties", "proximity", "relatedness"},
       [](const Analytics& a, VertexId region, const Filters& f) {
         return Generic(region, RecommendTargets(a, region, f));
       }},
      {"leaders",
       "leaders",
       "",
       K::kRegion,
       true,
       {"pagerank", "dependants", "share", "size", "declared"},
       [](const Analytics& a, VertexId region, const Filters& f) {
         Filters within = f;
         within.within = region;
         within.within_any.clear();
         return Generic(region, ChainLeaders(a, within));
       }},
      {"gaps",
       "gaps",
       "",
       K::kRegion,
       false,
       {"demand", "relatedness", "dependence", "scarcity"},
       nullptr},
  };
  return table;
}

const Recommender& FindRecommender(std::string_view name) {
  std::vector<std::string> names;
  for (const Recommender& r : Recommenders()) {
    if (!r.run) continue;
    if (r.name == name) return r;
    names.emplace_back(r.name);
  }
  std::string list;
  for (const auto& n : names) list += (list.empty() ? "" : ", ") + n;
  throw Error(ErrorCode::kNotFound,
              Msg("matcher.no_recommender", {{"name", std::string(name)}, {"list", list}}), names);
}

const Scorer& Prepare(const Snapshot& s, VertexId subject, NodeKind kind, std::string_view field,
                      const Filters& f) {
  if (subject != kNoVertex) RequireKind(s, subject, kind, field);
  CheckFilters(s, f);
  return FindScorer(f.scorer);
}

}  // namespace chainatlas::matcher
