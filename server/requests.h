// The read commands' requests. Each holds its defaults and its Validate(): the one place where a
// default or a range is written. The CLI binds its options to these fields, the Thrift handler
// fills them from the IDL's __isset flags and the JSON API from the query string; all three then
// call the same Engine method (server/engine.h), which validates the request first, so a bad value
// gets the same message everywhere, naming the field (`top`), not a CLI flag (`--top`).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "matcher/indicators.h"
#include "matcher/recommend.h"

namespace chainatlas::engine {

// The most items a list may ask for (top, limit).
inline constexpr int64_t kMaxTop = 10000;

// Options shared by the recommendation commands (--within --track --top --scorer --include-known).
struct RecOptions {
  std::string within;  // one region, or several separated by commas
  std::string track;   // a track or a segment
  std::string scorer = std::string(matcher::kDefaultScorer);
  int64_t top = 10;  // 1..kMaxTop
  bool include_known = false;
  void Validate() const;
};

struct StatsRequest {
  std::string region;  // empty: every region
  void Validate() const {}
};

struct SearchRequest {
  std::string text;
  std::string kind;    // a node kind; empty: every kind
  int64_t limit = 20;  // 1..kMaxTop
  void Validate() const;
};

struct ShowRequest {
  std::string entity;
  void Validate() const {}
};

// chain (the panorama) and gaps (gaps_only: by priority, then tree order).
struct ChainRequest {
  std::string region;
  std::string track;   // empty: every track
  std::string status;  // gaps only; empty: every status
  bool gaps_only = false;
  void Validate() const {}
};

struct PartnersRequest {
  std::string enterprise;
  std::string role = "supplier";
  RecOptions options;
  void Validate() const { options.Validate(); }
};

struct PairingsRequest {
  std::string enterprise;
  std::string kind = "university";
  RecOptions options;
  void Validate() const { options.Validate(); }
};

struct TargetsRequest {
  std::string region;
  RecOptions options;
  void Validate() const { options.Validate(); }
};

// Any recommender of matcher/registry.h by name.
struct RecommendRequest {
  std::string recommender;  // suppliers, customers, …, leaders
  std::string subject;      // the enterprise or region; empty only where the recommender allows
  RecOptions options;
  void Validate() const { options.Validate(); }
};

struct RelatednessRequest {
  std::string level;  // empty: the region's level, else county
  std::string track;
  std::string region;  // empty: every region's row
  int64_t top = 15;    // per region, segments it lacks; 0: all; at most kMaxTop
  void Validate() const;
};

struct LeadersRequest {
  std::string region;  // empty: everywhere
  std::string track;
  std::string scorer = std::string(matcher::kDefaultScorer);
  int64_t top = 10;  // 1..kMaxTop
  void Validate() const;
};

struct ClustersRequest {
  std::string region;  // empty: everywhere
  uint64_t seed = 1;
  size_t members_shown = SIZE_MAX;  // per community
  void Validate() const {}
};

inline constexpr int64_t kMaxTargets = 1000;

struct IndicatorsRequest {
  std::string region;
  std::vector<matcher::Target> targets;  // at most kMaxTargets: known indicators, each once, finite
  void Validate() const;
};

}  // namespace chainatlas::engine
