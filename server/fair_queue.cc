#include "server/fair_queue.h"

#include <thrift/concurrency/Exception.h>
#include <thrift/transport/TSocket.h>

#include <time.h>

#include <algorithm>
#include <fstream>
#include <string>

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

bool FairQueue::Remove(const Task& task) {
  for (auto it = flows_.begin(); it != flows_.end(); ++it) {
    Flow& f = it->second;
    auto t = std::find(f.tasks.begin(), f.tasks.end(), task);
    if (t == f.tasks.end()) continue;
    f.tasks.erase(t);  // the flow keeps its place, which does not depend on which task is first
    --queued_;
    if (f.tasks.empty()) {
      ready_.erase(f.key);
      if (f.running == 0) Idle(it);
    }
    return true;
  }
  return false;
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

// ---- FairThreadManager --------------------------------------------------------------------------

namespace {

thread_local FlowId t_flow_of_next_task = 0;
thread_local bool t_next_task_quick = false;

int64_t ThreadCpuNanos() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<int64_t>(ts.tv_sec) * 1000000000 + ts.tv_nsec;
}

}  // namespace

// One per task added: runs the task that is next in fairness when a worker takes it.
class FairThreadManager::Dispatch : public at::concurrency::Runnable {
 public:
  explicit Dispatch(std::shared_ptr<Shared> shared) : shared_(std::move(shared)) {}
  void run() override {
    std::optional<FairQueue::Item> item;
    {
      std::lock_guard<std::mutex> lock(shared_->mutex);
      item = shared_->queue.Pop();
    }
    if (!item) return;  // taken off the queue by remove() or removeNextPending()
    struct Charge {
      Shared& shared;
      FlowId flow;
      int64_t start = ThreadCpuNanos();
      ~Charge() {
        auto cost = FairQueue::Nanos(ThreadCpuNanos() - start);
        std::lock_guard<std::mutex> lock(shared.mutex);
        shared.queue.Done(flow, cost);
      }
    } charge{*shared_, item->flow};
    item->task->run();
  }

 private:
  std::shared_ptr<Shared> shared_;
};

FairThreadManager::FairThreadManager(size_t workers, size_t max_queued_per_flow,
                                     FairQueue::Nanos idle_credit)
    : shared_(std::make_shared<Shared>(max_queued_per_flow, idle_credit)),
      inner_(at::concurrency::ThreadManager::newSimpleThreadManager(workers)) {
  std::ifstream wmem("/proc/sys/net/core/wmem_default");
  size_t bytes = 0;
  quick_ok_ = (wmem >> bytes) && bytes >= kQuickMinSocketBuffer;
}

void FairThreadManager::SetFlowOfNextTask(FlowId flow, bool quick) {
  t_flow_of_next_task = flow;
  t_next_task_quick = quick;
}

void FairThreadManager::Forget(FlowId flow) {
  open_.fetch_sub(1);
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->queue.Forget(flow);
}

size_t FairThreadManager::flows() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->queue.flows();
}

size_t FairThreadManager::pendingTaskCount() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->queue.queued();
}

size_t FairThreadManager::totalTaskCount() const {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  return shared_->queue.queued() + shared_->queue.running();
}

void FairThreadManager::add(std::shared_ptr<at::concurrency::Runnable> task, int64_t, int64_t) {
  FlowId flow = t_flow_of_next_task;
  const bool quick = t_next_task_quick;
  t_flow_of_next_task = 0;
  t_next_task_quick = false;
  if (inner_->state() != STARTED) {
    throw at::concurrency::IllegalStateException("FairThreadManager::add: the pool is not running");
  }
  if (quick && QuickAllowed()) {
    // Two thread hand-offs (to a worker, and back through the server's notify pipe) cost more
    // than the request itself. The task still answers through the notify pipe, to this thread.
    try {
      task->run();
    } catch (const std::exception&) {
      // Task::run throws only when its notify pipe failed, after closing its connection.
    }
    return;
  }
  {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    if (!shared_->queue.Push(flow, task)) {
      throw at::concurrency::IllegalStateException(
          "FairThreadManager::add: too many requests queued on one connection");
    }
  }
  try {
    inner_->add(std::make_shared<Dispatch>(shared_));
  } catch (...) {
    std::lock_guard<std::mutex> lock(shared_->mutex);
    shared_->queue.Remove(task);
    throw;
  }
}

void FairThreadManager::remove(std::shared_ptr<at::concurrency::Runnable> task) {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  shared_->queue.Remove(task);
}

std::shared_ptr<at::concurrency::Runnable> FairThreadManager::removeNextPending() {
  std::lock_guard<std::mutex> lock(shared_->mutex);
  auto item = shared_->queue.Pop();
  if (!item) return nullptr;
  shared_->queue.Done(item->flow, FairQueue::Nanos(0));
  return item->task;
}

// ---- FairServerSocket ---------------------------------------------------------------------------

namespace {

// A connection of the binary port: notes its flow on every read (the read that completes a request
// is followed, on the same I/O thread, by the add() of its task) and forgets it on close.
class FairSocket : public at::transport::TSocket {
 public:
  FairSocket(THRIFT_SOCKET fd, std::shared_ptr<FairThreadManager> workers, QuickCall quick)
      : TSocket(fd),
        workers_(std::move(workers)),
        quick_(std::move(quick)),
        flow_(workers_->NewFlow()) {}
  ~FairSocket() override { Release(); }
  uint32_t read(uint8_t* buf, uint32_t len) override {
    FairThreadManager::SetFlowOfNextTask(flow_);
    const uint32_t got = TSocket::read(buf, len);
    if (quick_ && got == len && quick_(buf, got)) FairThreadManager::SetFlowOfNextTask(flow_, true);
    return got;
  }
  void close() override {
    TSocket::close();
    Release();
  }

 private:
  void Release() {
    if (flow_ != 0) workers_->Forget(flow_);
    flow_ = 0;
  }
  std::shared_ptr<FairThreadManager> workers_;
  QuickCall quick_;
  FlowId flow_;
};

}  // namespace

std::shared_ptr<at::transport::TSocket> FairServerSocket::createSocket(THRIFT_SOCKET client) {
  return std::make_shared<FairSocket>(client, workers_, quick_);
}

}  // namespace chainatlas::service
