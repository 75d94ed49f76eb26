// Industry-academia-medicine (产学研医) pairings for an enterprise (the second recommendation).
//
// The segments that matter to E: those it makes (relevance 0.5 + 0.5·share) and, for research,
// their inputs (relevance 0.6 × supply weight × the same factor: a technical problem often sits in
// a component); a segment above one of these counts as covering it.
//
// university: institutions researching those segments. fit = strength × relevance.
// hospital:   hospitals with clinical strength in E's own segments (they can validate) or
//             clinical demand for them (they use them). fit = max(strength, 0.7·demand) ×
//             relevance; trial = 1 for a registered clinical-trial institution (these come first
//             under every scorer's weights), quality = grade.
// platform:   platforms serving E's own segments. fit = weight × relevance.
// triad:      (E, university, hospital) from the best universities and hospitals: components
//             university and hospital (their own scores) and tie (1 when the two already
//             cooperate, else 0.6 same city, 0.3 same province, 0).
// Every kind also measures proximity to E; universities graph (personalised PageRank from E, as
// for partners). Known partners (cooperates either way) are left out unless include_known.
#pragma once

#include "matcher/recommend.h"

namespace chainatlas::matcher {

enum class PairingKind { kUniversity, kHospital, kPlatform, kTriad };
std::string_view PairingKindName(PairingKind kind);  // university, hospital, platform, triad
PairingKind ParsePairingKind(std::string_view name);

struct PairingsResult {
  VertexId enterprise = kNoVertex;
  PairingKind kind = PairingKind::kUniversity;
  size_t candidates = 0;
  std::vector<Item> items;  // triads: entity = university, partners = {hospital}
};

PairingsResult RecommendPairings(const Snapshot& s, VertexId enterprise, PairingKind kind,
                                 const Filters& filters);

}  // namespace chainatlas::matcher
