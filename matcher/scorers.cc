// The named scorers. Each gives, for every recommender, the weight of each raw measure; the
// weights of one recommender add up to 1, so every score lies in [0, 1]. The measures are defined
// where they are computed (partners.cc, pairings.cc, targets.cc, leaders.cc). To add a scorer,
// append an entry here (or build the Scorer in a file of its own and append it).
#include "matcher/recommend.h"

namespace chainatlas::matcher {

const std::vector<Scorer>& Scorers() {
  static const std::vector<Scorer> scorers = {
      {"balanced",
       "the default: segment fit first, then proximity, graph ties and quality",
       {{"suppliers", {{"fit", 0.40}, {"proximity", 0.20}, {"graph", 0.15}, {"quality", 0.15},
                       {"domestic", 0.10}}},
        {"customers", {{"fit", 0.45}, {"proximity", 0.20}, {"graph", 0.15}, {"quality", 0.20}}},
        {"peers", {{"overlap", 0.45}, {"proximity", 0.25}, {"graph", 0.15}, {"quality", 0.15}}},
        {"universities", {{"fit", 0.50}, {"proximity", 0.20}, {"quality", 0.20}, {"graph", 0.10}}},
        {"hospitals", {{"fit", 0.45}, {"trial", 0.20}, {"quality", 0.15}, {"proximity", 0.20}}},
        {"platforms", {{"fit", 0.50}, {"proximity", 0.30}, {"quality", 0.20}}},
        {"triads", {{"university", 0.40}, {"hospital", 0.40}, {"tie", 0.20}}},
        {"targets", {{"segment", 0.30}, {"strength", 0.25}, {"ties", 0.25}, {"proximity", 0.10},
                     {"relatedness", 0.10}}},
        {"leaders", {{"pagerank", 0.30}, {"dependants", 0.25}, {"share", 0.15}, {"size", 0.20},
                     {"declared", 0.10}}}}},
      {"nearby",
       "for officers and firms that want partners close by: proximity weighs twice as much",
       {{"suppliers", {{"fit", 0.30}, {"proximity", 0.40}, {"graph", 0.10}, {"quality", 0.10},
                       {"domestic", 0.10}}},
        {"customers", {{"fit", 0.35}, {"proximity", 0.40}, {"graph", 0.10}, {"quality", 0.15}}},
        {"peers", {{"overlap", 0.35}, {"proximity", 0.45}, {"graph", 0.10}, {"quality", 0.10}}},
        {"universities", {{"fit", 0.40}, {"proximity", 0.40}, {"quality", 0.15}, {"graph", 0.05}}},
        {"hospitals", {{"fit", 0.35}, {"trial", 0.15}, {"quality", 0.10}, {"proximity", 0.40}}},
        {"platforms", {{"fit", 0.35}, {"proximity", 0.50}, {"quality", 0.15}}},
        {"triads", {{"university", 0.35}, {"hospital", 0.35}, {"tie", 0.30}}},
        {"targets", {{"segment", 0.25}, {"strength", 0.15}, {"ties", 0.25}, {"proximity", 0.25},
                     {"relatedness", 0.10}}},
        {"leaders", {{"pagerank", 0.25}, {"dependants", 0.35}, {"share", 0.10}, {"size", 0.20},
                     {"declared", 0.10}}}}},
      {"quality",
       "strength first: tags, certificates, grade and accreditations weigh most",
       {{"suppliers", {{"fit", 0.35}, {"proximity", 0.10}, {"graph", 0.10}, {"quality", 0.35},
                       {"domestic", 0.10}}},
        {"customers", {{"fit", 0.40}, {"proximity", 0.10}, {"graph", 0.10}, {"quality", 0.40}}},
        {"peers", {{"overlap", 0.40}, {"proximity", 0.10}, {"graph", 0.10}, {"quality", 0.40}}},
        {"universities", {{"fit", 0.40}, {"proximity", 0.10}, {"quality", 0.45}, {"graph", 0.05}}},
        {"hospitals", {{"fit", 0.35}, {"trial", 0.25}, {"quality", 0.30}, {"proximity", 0.10}}},
        {"platforms", {{"fit", 0.40}, {"proximity", 0.15}, {"quality", 0.45}}},
        {"triads", {{"university", 0.45}, {"hospital", 0.45}, {"tie", 0.10}}},
        {"targets", {{"segment", 0.25}, {"strength", 0.45}, {"ties", 0.15}, {"proximity", 0.05},
                     {"relatedness", 0.10}}},
        {"leaders", {{"pagerank", 0.35}, {"dependants", 0.15}, {"share", 0.15}, {"size", 0.25},
                     {"declared", 0.10}}}}},
  };
  return scorers;
}

}  // namespace chainatlas::matcher
