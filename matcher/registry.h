// The recommenders, one row each: the name their weights have in every scorer (scorers.cc), the
// raw measures they compute (each weighed by every scorer), what they recommend for, and their
// entry point as one generic call. The scorer test (tests/matcher_test.cc) iterates this table
// (every scorer × recommender × measure), the `recommend` command of every front end answers any
// row by name, and `chainatlas recommenders` lists it. Adding a recommender: CONTRIBUTING.md.
#pragma once

#include <functional>
#include <string_view>
#include <vector>

#include "matcher/analytics.h"
#include "matcher/recommend.h"

namespace chainatlas::matcher {

// What any recommender answers: the subject, how many candidates it considered, and its items.
struct Recommendation {
  VertexId subject = kNoVertex;
  size_t candidates = 0;
  std::vector<Item> items;
};

struct Recommender {
  std::string_view name;     // the key of its weights in every scorer ("suppliers")
  std::string_view command;  // the dedicated command that answers it too ("partners")
  std::string_view variant;  // its option there (role or kind: "supplier"); "" when none
  NodeKind subject;          // what it recommends for (an enterprise, a region)
  bool subject_optional;     // may run without a subject (leaders: everywhere)
  std::vector<std::string_view> measures;  // its raw measures, in [0, 1]
  // Runs it. Empty for a weighing that ranks no items (gaps: the segments' priority, answered by
  // the chain and gaps commands).
  std::function<Recommendation(const Analytics&, VertexId subject, const Filters&)> run;
};

const std::vector<Recommender>& Recommenders();
// Throws Error(kNotFound) listing the names when `name` is no recommender of items.
const Recommender& FindRecommender(std::string_view name);

// The opening checks every recommender makes: the subject is a `kind` (`field` names it in the
// message), the filters name a region and a track or segment, top is in range and the scorer
// exists. Returns the scorer. A subject of kNoVertex is not checked.
const Scorer& Prepare(const Snapshot& s, VertexId subject, NodeKind kind, std::string_view field,
                      const Filters& f);

}  // namespace chainatlas::matcher
