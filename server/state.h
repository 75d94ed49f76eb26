// The state every request reads: the loaded data (engine::State) with its cache of answers,
// swapped whole by a reload.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/engine.h"

namespace chainatlas::service {

// A bounded LRU map from a normalised request (the method and every option with its default
// filled in) to its answer. One per state: a reload starts with an empty one, so an answer never
// outlives the data it came from. Thread-safe.
class AnswerCache {
 public:
  explicit AnswerCache(size_t capacity) : capacity_(capacity) {}
  size_t capacity() const { return capacity_; }
  std::shared_ptr<const void> Find(const std::string& key);
  void Put(const std::string& key, std::shared_ptr<const void> answer);

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const void>>;
  size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// What a request reads: the state and the cache of answers computed on it.
struct Served {
  std::shared_ptr<const engine::State> state;
  std::shared_ptr<AnswerCache> cache;
};

// The state every request reads, swapped whole by a reload. Readers take a shared_ptr copy and
// finish on it, whatever a reload does meanwhile.
class StateHolder {
 public:
  StateHolder(std::filesystem::path database, size_t cache_entries);

  std::shared_ptr<const Served> Current() const { return current_.load(); }
  uint64_t generation() const { return generation_.load(); }

  struct ReloadResult {
    uint64_t generation;
    double seconds;
    std::shared_ptr<const engine::State> state;
  };
  // Builds a new state from the database beside the current one (warming its analytics) and swaps
  // it in. One reload at a time; on failure the current state stays and the error propagates.
  ReloadResult Reload();

 private:
  std::filesystem::path database_;
  size_t cache_entries_;
  std::atomic<std::shared_ptr<const Served>> current_;
  std::atomic<uint64_t> generation_{1};
  std::mutex reload_mutex_;
};

}  // namespace chainatlas::service
