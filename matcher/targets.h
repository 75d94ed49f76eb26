// Investment-attraction targets for a region (the third recommendation, second half): for the
// gap segments (missing, weak, extension; gaps.h), the enterprises outside the region that make
// them, ranked by fit. An enterprise that fills several gaps is one item listing them all.
//
// Raw measures (the scorer weighs them; scorers.cc):
//   segment      best gap filled: the gap's priority × (0.5 + 0.5·share), + 0.1 for each further
//                gap filled (capped at 1)
//   strength     Quality() in recommend.h (tags, scale, certificates, patents)
//   ties         existing ties to the region: min(1, 0.6 × local enterprises it already supplies
//                (trades_with) + 0.3 × local organisations it cooperates with or invests in)
//   proximity    of the enterprise to the region (same city 0.8, province 0.6, Delta 0.4, …)
//   relatedness  the region's relatedness density in the best gap segment
#pragma once

#include "matcher/gaps.h"

namespace chainatlas::matcher {

struct TargetsResult {
  VertexId region = kNoVertex;
  VertexId track = kNoVertex;
  std::vector<VertexId> gaps;  // the gap segments considered, by priority
  size_t candidates = 0;
  std::vector<Item> items;  // via: the gap segments the enterprise fills, best first
};

// filters.within (or within_any) keeps the candidates in those regions (e.g. 上海/江苏/杭州 as a
// plan names them; targets are outside the region anyway); filters.track restricts the gap
// segments. A filter removes candidates and changes no other candidate's score.
// By the threshold algorithm (topk.h): the same result as RecommendTargetsExhaustive without
// scoring every candidate.
TargetsResult RecommendTargets(const Analytics& a, VertexId region, const Filters& filters);
// Scores every candidate: the oracle of the test of the top-K path.
TargetsResult RecommendTargetsExhaustive(const Analytics& a, VertexId region,
                                         const Filters& filters);

}  // namespace chainatlas::matcher
