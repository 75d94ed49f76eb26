// Supply-chain partners for an enterprise (the first of the three recommendations).
//
// suppliers: enterprises that make a segment E's segments need (an input over a supplies relation
//            of a segment E makes, or of a segment above it), or a segment below that input;
// customers: enterprises that make a segment E's segments feed, hospitals with clinical demand for
//            E's segments, and sales / CSO platforms serving them;
// peers:     enterprises that make the same segments.
//
// Raw measures (the scorer weighs them; scorers.cc):
//   fit       best path: supply weight × (0.5 + 0.5·E's share) × (0.5 + 0.5·candidate's share);
//             hospitals: clinical demand × (0.5 + 0.5·E's share); member_of counts half a share
//   overlap   (peers) weighted Jaccard of the two enterprises' segment shares
//   proximity county 1, city 0.8, province 0.6, Yangtze River Delta 0.4, elsewhere 0.15
//   graph     ½ · personalised PageRank from E (local push, local_rank.h) relative to the best
//             candidate + ½ · min(1, shared partners / 3) (organisations tied to both by
//             trades_with, cooperates or invests)
//   quality   Quality() in recommend.h
//   domestic  (suppliers) 1 unless the candidate is foreign-funded: domestic substitution
// Known partners (trades_with for suppliers and customers, cooperates or invests for any role)
// are left out unless include_known.
#pragma once

#include "matcher/recommend.h"

namespace chainatlas::matcher {

enum class PartnerRole { kSupplier, kCustomer, kPeer };
std::string_view PartnerRoleName(PartnerRole role);  // supplier, customer, peer
// Throws Error(kInvalidArgument) listing the roles.
PartnerRole ParsePartnerRole(std::string_view name);

struct PartnersResult {
  VertexId enterprise = kNoVertex;
  PartnerRole role = PartnerRole::kSupplier;
  std::vector<SegmentShare> segments;  // what E makes, the start of every path
  size_t candidates = 0;               // considered before filters and top-K
  size_t known_hidden = 0;             // known partners that passed the filters, left out
  size_t scored = 0;  // candidates scored exactly (the exhaustive scorer scores every one)
  std::vector<Item> items;
};

// Suppliers and customers by the threshold algorithm (topk.h): the same result as
// RecommendPartnersExhaustive without scoring every candidate.
PartnersResult RecommendPartners(const Snapshot& s, VertexId enterprise, PartnerRole role,
                                 const Filters& filters);
// The largest county whose organisations RecommendPartners reads as a stream of their own (best
// quality bound first); a larger county is bounded through its province's lists instead. The
// answer is the same either way: tests lower it to check that on small graphs.
inline constexpr size_t kCountyStreamMax = 10000;
PartnersResult RecommendPartners(const Snapshot& s, VertexId enterprise, PartnerRole role,
                                 const Filters& filters, size_t county_stream_max);
// Scores every candidate: the oracle of the test of the top-K path (and the path for peers).
PartnersResult RecommendPartnersExhaustive(const Snapshot& s, VertexId enterprise, PartnerRole role,
                                           const Filters& filters);

}  // namespace chainatlas::matcher
