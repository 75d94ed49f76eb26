// The read commands of ChainAtlas as functions of one loaded state, returning exactly the JSON
// document the CLI prints with --json. The CLI renders it (as JSON or text); the Thrift handler
// converts it to the IDL's structs. One implementation, two front ends.
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

// Options shared by the recommendation commands (--within --track --top --scorer --include-known).
struct RecOptions {
  std::string within, track, scorer = std::string(matcher::kDefaultScorer);
  size_t top = 10;
  bool include_known = false;
};

// Every function throws Error(kNotFound) for an entity that does not exist (with the closest
// matches) and Error(kInvalidArgument) for a malformed option. Thread-safe: any number of
// concurrent calls on one State.
class Engine {
 public:
  explicit Engine(std::shared_ptr<const State> state) : state_(std::move(state)) {}
  const State& state() const { return *state_; }
  const Snapshot& snapshot() const { return state_->snapshot(); }

  json Stats(const std::string& region) const;
  // limit 1..10000; kind empty for every kind.
  json Search(const std::string& text, const std::string& kind, size_t limit) const;
  json Show(const std::string& entity) const;
  // gaps_only: the gap view (by priority, then tree order); status empty for every status.
  json Chain(const std::string& region, const std::string& track, bool gaps_only,
             const std::string& status) const;
  json Partners(const std::string& enterprise, const std::string& role, const RecOptions& o) const;
  json Pairings(const std::string& enterprise, const std::string& kind, const RecOptions& o) const;
  json Targets(const std::string& region, const RecOptions& o) const;
  // top: segments each region lacks, 0 for all, at most 10000.
  json Relatedness(const std::string& level, const std::string& track, const std::string& region,
                   size_t top) const;
  json Leaders(const std::string& region, const RecOptions& o) const;
  json Clusters(const std::string& region, uint64_t seed, size_t members_shown) const;
  json Indicators(const std::string& region, const std::vector<matcher::Target>& targets) const;

 private:
  std::shared_ptr<const State> state_;
};

}  // namespace chainatlas::engine
