#include "server/requests.h"

#include <algorithm>
#include <cmath>
#include <set>

#include "graph/error.h"

namespace chainatlas::engine {
namespace {

void CheckRange(const char* field, int64_t value, int64_t lo, int64_t hi) {
  if (value < lo || value > hi) {
    throw Error(ErrorCode::kInvalidArgument,
                Msg("option.range", {{"option", field},
                                     {"min", std::to_string(lo)},
                                     {"max", std::to_string(hi)},
                                     {"value", std::to_string(value)}}));
  }
}

}  // namespace

void RecOptions::Validate() const { CheckRange("top", top, 1, kMaxTop); }

void SearchRequest::Validate() const { CheckRange("limit", limit, 1, kMaxTop); }

void RelatednessRequest::Validate() const { CheckRange("top", top, 0, kMaxTop); }

void LeadersRequest::Validate() const { CheckRange("top", top, 1, kMaxTop); }

void IndicatorsRequest::Validate() const {
  // A targets file is checked as it is read (matcher::ReadTargets); these are the same rules for
  // targets from elsewhere (the service).
  CheckRange("targets", static_cast<int64_t>(targets.size()), 0, kMaxTargets);
  const auto& names = matcher::IndicatorNames();
  std::set<std::string> seen;
  for (const auto& t : targets) {
    if (std::find(names.begin(), names.end(), t.indicator) == names.end()) {
      throw Error(ErrorCode::kInvalidArgument,
                  Msg("engine.unknown_indicator", {{"indicator", t.indicator}}), names);
    }
    if (!seen.insert(t.indicator).second) {
      throw Error(ErrorCode::kInvalidArgument, Msg("plan.twice", {{"indicator", t.indicator}}));
    }
    if (!std::isfinite(t.target)) {
      throw Error(ErrorCode::kInvalidArgument,
                  Msg("engine.target_nan", {{"indicator", t.indicator}}));
    }
  }
}

}  // namespace chainatlas::engine
