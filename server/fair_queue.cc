#include "server/fair_queue.h"

#include <thrift/concurrency/FunctionRunner.h>

#include <time.h>

#include <algorithm>

namespace chainatlas::service {

namespace at = ::apache::thrift;

// ---- FairQueue ----------------------------------------------------------------------------------

void FairQueue::Ready(FlowId id, Flow& f) {
  f.key = Key{f.vtime, ++arrivals_, id};
  ready_.insert(f.key);
}

void FairQueue::Idle(std::unordered_map<FlowId, Flow>::iterator it) {
  if (it->second.closed) flows_.erase(it);  // its connection is gone
}

bool FairQueue::Push(FlowId id, Task task) {
  auto [it, fresh] = flows_.try_emplace(id);
  Flow& f = it->second;
  if (f.tasks.size() >= max_queued_per_flow_) {
    if (fresh) flows_.erase(it);
    return false;
  }
  if (f.tasks.empty()) {
    if (fresh) {
      // A new connection starts at the clock, with no credit, and moves the clock on by its share
      // of a mean task: connections opened one after another cannot hold it still.
      f.vtime = vnow_;
      vnow_ += mean_cost_ / static_cast<int64_t>(ready_.size() + 1);
    } else {
      // Back from idle: what it has used, or as much credit as it may have.
      f.vtime = std::max(f.vtime, vnow_ - idle_credit_);
    }
    Ready(id, f);
  }
  f.tasks.push_back(std::move(task));
  ++queued_;
  return true;
}

std::optional<FairQueue::Item> FairQueue::Pop() {
  if (ready_.empty()) return std::nullopt;
  Key key = *ready_.begin();
  ready_.erase(ready_.begin());
  vnow_ = std::max(vnow_, std::get<0>(key));
  FlowId id = std::get<2>(key);
  Flow& f = flows_.at(id);
  Item item{id, std::move(f.tasks.front())};
  f.tasks.pop_front();
  --queued_;
  ++f.running;
  ++running_;
  if (!f.tasks.empty()) Ready(id, f);  // its next task goes behind flows of equal virtual time
  return item;
}

void FairQueue::Done(FlowId id, Nanos cost) {
  auto it = flows_.find(id);
  if (it == flows_.end() || it->second.running == 0) return;
  Flow& f = it->second;
  int64_t c = std::max<int64_t>(0, cost.count());
  f.vtime += c;
  mean_cost_ += (c - mean_cost_) / 16;
  if (!f.tasks.empty()) {
    ready_.erase(f.key);
    f.key = Key{f.vtime, std::get<1>(f.key), id};
    ready_.insert(f.key);
  }
  --f.running;
  --running_;
  if (f.running == 0 && f.tasks.empty()) Idle(it);
}

void FairQueue::Forget(FlowId id) {
  auto it = flows_.find(id);
  if (it == flows_.end()) return;
  if (it->second.running == 0 && it->second.tasks.empty()) {
    flows_.erase(it);
  } else {
    it->second.closed = true;
  }
}

// ---- FairWorkers --------------------------------------------------------------------------------

namespace {

int64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

FairWorkers::FairWorkers(size_t threads, size_t max_queued_per_flow, FairQueue::Nanos idle_credit)
    : queue_(max_queued_per_flow, idle_credit) {
  for (size_t i = 0; i < std::max<size_t>(1, threads); ++i)
    threads_.emplace_back([this] { Work(); });
}

bool FairWorkers::Add(FlowId flow, std::function<void()> task) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    if (stopping_ || !queue_.Push(flow, at::concurrency::FunctionRunner::create(std::move(task)))) {
      return false;
    }
  }
  wake_.notify_one();
  return true;
}

void FairWorkers::Work() {
  std::unique_lock<std::mutex> lock(mutex_);
  for (;;) {
    wake_.wait(lock, [this] { return stopping_ || queue_.queued() > 0; });
    if (stopping_) return;
    auto item = queue_.Pop();
    lock.unlock();
    const int64_t start = ThreadCpuNanos();
    item->task->run();
    const auto cost = FairQueue::Nanos(ThreadCpuNanos() - start);
    lock.lock();
    queue_.Done(item->flow, cost);
  }
}

void FairWorkers::Forget(FlowId flow) {
  std::lock_guard<std::mutex> lock(mutex_);
  queue_.Forget(flow);
}

void FairWorkers::Stop() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  wake_.notify_all();
  for (auto& t : threads_) {
    if (t.joinable()) t.join();
  }
}

size_t FairWorkers::queued() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.queued();
}

size_t FairWorkers::flows() const {
  std::lock_guard<std::mutex> lock(mutex_);
  return queue_.flows();
}

}  // namespace chainatlas::service
