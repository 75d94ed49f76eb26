#include "server/state.h"

#include <chrono>

namespace chainatlas::service {

std::shared_ptr<const void> AnswerCache::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void AnswerCache::Put(const std::string& key, std::shared_ptr<const void> answer) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (index_.count(key)) return;
  order_.emplace_front(key, std::move(answer));
  index_[key] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

StateHolder::StateHolder(std::filesystem::path database, size_t cache_entries)
    : database_(std::move(database)), cache_entries_(cache_entries) {
  current_.store(std::make_shared<const Served>(
      Served{engine::State::Load(database_), std::make_shared<AnswerCache>(cache_entries_)}));
}

StateHolder::ReloadResult StateHolder::Reload() {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const engine::State> next = engine::State::Load(database_);
  next->analytics().SupplyRank();  // warm: the first leaders query after the swap stays fast
  current_.store(
      std::make_shared<const Served>(Served{next, std::make_shared<AnswerCache>(cache_entries_)}));
  uint64_t generation = ++generation_;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {generation, seconds, next};
}

}  // namespace chainatlas::service
