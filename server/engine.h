// The read commands of ChainAtlas as functions of one loaded state, each taking its typed request
// (server/requests.h) and returning its typed answer (server/answers.h). The CLI and the JSON API
// render an answer with report::ToJson (server/report.h), the Thrift handler with rpc::Fill
// (server/rpc_answers.h). One implementation, three front ends.
#pragma once

#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "graph/snapshot.h"
#include "ingest/store.h"
#include "matcher/analytics.h"
#include "matcher/indicators.h"
#include "matcher/recommend.h"
#include "server/answers.h"
#include "server/requests.h"

namespace chainatlas::engine {

using json = nlohmann::json;

// What the read commands need: the snapshot with its analytics, and the store it came from (for
// provenance and edge attributes, which the snapshot does not keep). Immutable once built; a
// reload builds a new State beside the old one and swaps a shared_ptr<const State>.
class State {
 public:
  // Opens the database read-only and loads the snapshot. Throws Error(kNotFound) when the file
  // does not exist (a read command must not create an empty store), and the store's errors.
  static std::shared_ptr<const State> Load(const std::filesystem::path& database);

  const Snapshot& snapshot() const { return analytics_->snapshot(); }
  const matcher::Analytics& analytics() const { return *analytics_; }
  const std::filesystem::path& database() const { return database_; }

  // Calls f(store) with the store to itself: one SQLite connection serves one query at a time.
  template <typename F>
  auto WithStore(F&& f) const {
    std::lock_guard<std::mutex> lock(store_mutex_);
    return f(*store_);
  }

 private:
  std::filesystem::path database_;
  std::unique_ptr<ingest::Store> store_;
  std::shared_ptr<matcher::Analytics> analytics_;
  mutable std::mutex store_mutex_;
};

// Every function validates its request first (server/requests.h), then throws Error(kNotFound)
// for an entity that does not exist (with the closest matches) and Error(kInvalidArgument) for a
// malformed option. Thread-safe: any number of
// concurrent calls on one State.
class Engine {
 public:
  explicit Engine(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  const State& state() const { return *state_; }
  const Snapshot& snapshot() const { return state_->snapshot(); }

  StatsAnswer Stats(const StatsRequest& r) const;
  SearchAnswer Search(const SearchRequest& r) const;
  ShowAnswer Show(const ShowRequest& r) const;
  ChainAnswer Chain(const ChainRequest& r) const;
  PartnersAnswer Partners(const PartnersRequest& r) const;
  PairingsAnswer Pairings(const PairingsRequest& r) const;
  TargetsAnswer Targets(const TargetsRequest& r) const;
  RelatednessAnswer Relatedness(const RelatednessRequest& r) const;
  LeadersAnswer Leaders(const LeadersRequest& r) const;
  RecommendAnswer Recommend(const RecommendRequest& r) const;
  ClustersAnswer Clusters(const ClustersRequest& r) const;
  IndicatorsAnswer Indicators(const IndicatorsRequest& r) const;

 private:
  std::shared_ptr<const State> state_;
};

}  // namespace chainatlas::engine
