// A fair worker queue for the nonblocking binary port (issue 13). Thrift's ThreadManager runs
// tasks first in, first out, so under a flood every request, however cheap, waits behind every
// expensive request already queued. Here each connection is a flow with its own queue, and the
// next task to run is the oldest task of the flow that has used the least worker time: a
// start-time fair queue whose costs are the worker CPU time each task really took.
#pragma once

#include <thrift/concurrency/ThreadManager.h>
#include <thrift/transport/TNonblockingServerSocket.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <tuple>
#include <unordered_map>

namespace chainatlas::service {

// A connection, as the scheduler knows it. 0 is the flow of tasks whose connection is unknown.
using FlowId = uint64_t;

// The scheduling itself, without threads (FairThreadManager locks it): per-flow queues, served
// in order of virtual time.
//
// - A flow's virtual time is the worker time it has used (Done charges each task's cost).
// - The next task is the oldest of the flow with the least virtual time; the clock V is the
//   virtual time of the last flow served (it never goes back).
// - A known flow coming back from idle starts at max(its own, V - idle_credit): a connection that
//   has used less than the busy ones goes ahead of them (by at most idle_credit of worker time),
//   one that has used more waits for them to catch up.
// - A flow seen for the first time starts at V, with no credit, and moves V on by the mean cost
//   of a task divided by the number of flows waiting: connections opened one after another (one
//   request each) cannot hold the clock still and starve a connection that stays.
// - Ties go to the flow that queued first; a flow with several tasks queued is served one task at
//   a time, in order, and goes back behind flows of equal virtual time.
// - At most max_queued_per_flow tasks wait per flow: Push refuses more.
class FairQueue {
 public:
  using Task = std::shared_ptr<apache::thrift::concurrency::Runnable>;
  using Nanos = std::chrono::nanoseconds;
  struct Item {
    FlowId flow = 0;
    Task task;
  };

  FairQueue(size_t max_queued_per_flow, Nanos idle_credit)
      : max_queued_per_flow_(max_queued_per_flow), idle_credit_(idle_credit.count()) {}

  // Queues a task of `flow`; false (nothing queued) when the flow already has the most it may.
  bool Push(FlowId flow, Task task);
  // The next task to run, taken off the queue (the caller runs it, then calls Done); nullopt when
  // nothing is queued.
  std::optional<Item> Pop();
  // A task of `flow` that Pop returned has finished, having used `cost` of worker time.
  void Done(FlowId flow, Nanos cost);
  // Takes a queued task off the queue without running it; false if it is not queued.
  bool Remove(const Task& task);
  // The flow's connection closed: its state goes once its tasks are done.
  void Forget(FlowId flow);

  size_t queued() const { return queued_; }
  size_t running() const { return running_; }
  size_t flows() const { return flows_.size(); }  // flows remembered (open connections)

 private:
  using Key = std::tuple<int64_t, uint64_t, FlowId>;  // virtual time, arrival order, flow
  struct Flow {
    int64_t vtime = 0;
    std::deque<Task> tasks;
    int running = 0;
    bool closed = false;
    Key key;  // its place in ready_ while tasks is not empty
  };
  void Ready(FlowId id, Flow& f);
  void Idle(std::unordered_map<FlowId, Flow>::iterator it);

  size_t max_queued_per_flow_;
  int64_t idle_credit_;
  int64_t vnow_ = 0;       // V
  int64_t mean_cost_ = 0;  // of the tasks done lately (an exponential average)
  uint64_t arrivals_ = 0;  // orders ties
  size_t queued_ = 0, running_ = 0;
  std::unordered_map<FlowId, Flow> flows_;
  std::set<Key> ready_;  // the flows with tasks queued, next first
};

// A ThreadManager for TNonblockingServer that runs tasks in FairQueue order. The threads are
// Thrift's own (a simple ThreadManager inside): add() queues the task in the fair queue under the
// connection it came from and hands the inner pool one dispatch task, which, when a worker takes
// it, runs whichever queued task is next in fairness, and charges its CPU time to its flow.
//
// The connection of a task: TNonblockingServer reads a request's last bytes and queues its task in
// one call on its I/O thread, so the flow of a task is the connection whose socket that thread read
// last (FairServerSocket's sockets note it). Tasks with no noted flow share flow 0.
class FairThreadManager : public apache::thrift::concurrency::ThreadManager {
 public:
  FairThreadManager(size_t workers, size_t max_queued_per_flow, FairQueue::Nanos idle_credit);

  // The flow of the next task added from this thread (what FairServerSocket's sockets call on each
  // read), and whether that task is quick: add() runs a quick task at once on the calling (I/O)
  // thread, not queued and not charged, and a task that is not through the fair queue. add() takes
  // both and resets them.
  static void SetFlowOfNextTask(FlowId flow, bool quick = false);
  // A connection opened (its flow) and closed (Forget): the count of open connections.
  FlowId NewFlow() {
    open_.fetch_add(1);
    return next_flow_.fetch_add(1) + 1;
  }
  void Forget(FlowId flow);

  // A quick task runs on the I/O thread only while at most this many connections are open
  // (otherwise it is queued as any other). Every task done tells its I/O thread so through the
  // server's notification socket, and a connection has one task at a time, so at most that many
  // notices wait there. A quick task's notice is written by the I/O thread itself, which must never
  // find that socket full: it would wait for itself. 64 notices of 8 bytes take about 64 KiB of
  // socket buffer with the kernel's overhead per message; below kQuickMinSocketBuffer (the
  // system's default, net.core.wmem_default, read once) quick tasks are never run in place.
  static constexpr size_t kQuickMaxConnections = 64;
  static constexpr size_t kQuickMinSocketBuffer = 128 * 1024;
  bool QuickAllowed() const { return quick_ok_ && open_.load() <= kQuickMaxConnections; }
  size_t open_connections() const { return open_.load(); }
  size_t flows() const;

  void start() override { inner_->start(); }
  void stop() override { inner_->stop(); }
  STATE state() const override { return inner_->state(); }
  std::shared_ptr<apache::thrift::concurrency::ThreadFactory> threadFactory() const override {
    return inner_->threadFactory();
  }
  void threadFactory(std::shared_ptr<apache::thrift::concurrency::ThreadFactory> value) override {
    inner_->threadFactory(std::move(value));
  }
  void addWorker(size_t value = 1) override { inner_->addWorker(value); }
  void removeWorker(size_t value = 1) override { inner_->removeWorker(value); }
  size_t idleWorkerCount() const override { return inner_->idleWorkerCount(); }
  size_t workerCount() const override { return inner_->workerCount(); }
  size_t pendingTaskCount() const override;
  size_t totalTaskCount() const override;
  size_t pendingTaskCountMax() const override { return 0; }  // per flow only
  size_t expiredTaskCount() const override { return 0; }
  // Throws IllegalStateException (TNonblockingServer then closes the connection) when the pool is
  // not running or the connection already has max_queued_per_flow tasks waiting. Tasks do not
  // expire here (TNonblockingServer's task expiry is left at 0).
  void add(std::shared_ptr<apache::thrift::concurrency::Runnable> task, int64_t timeout = 0LL,
           int64_t expiration = 0LL) override;
  void remove(std::shared_ptr<apache::thrift::concurrency::Runnable> task) override;
  std::shared_ptr<apache::thrift::concurrency::Runnable> removeNextPending() override;
  void removeExpiredTasks() override {}
  void setExpireCallback(ExpireCallback) override {}

 private:
  struct Shared {
    Shared(size_t max_queued_per_flow, FairQueue::Nanos idle_credit)
        : queue(max_queued_per_flow, idle_credit) {}
    mutable std::mutex mutex;
    FairQueue queue;
  };
  class Dispatch;
  std::shared_ptr<Shared> shared_;
  std::shared_ptr<apache::thrift::concurrency::ThreadManager> inner_;
  std::atomic<FlowId> next_flow_{0};
  std::atomic<size_t> open_{0};  // connections open (NewFlow, not yet Forget)
  bool quick_ok_ = false;        // the default socket buffer holds kQuickMaxConnections notices
};

// Whether a request, given its message's bytes as one read returned them whole, is quick enough to
// answer on the I/O thread (server/transport.h's QuickCalls).
using QuickCall = std::function<bool(const uint8_t* message, uint32_t size)>;

// The binary port's listening socket: every accepted connection gets a flow of `workers`; its
// socket notes that flow on each read and forgets it on close. A read that returns all it was
// asked for is offered to `quick` (TNonblockingServer reads a frame's size, then asks for exactly
// its message): a quick request then runs on the I/O thread that read it. A misjudged guess (a
// read that is not a message's start) only changes where the request runs, not its answer.
class FairServerSocket : public apache::thrift::transport::TNonblockingServerSocket {
 public:
  FairServerSocket(const std::string& host, int port, std::shared_ptr<FairThreadManager> workers,
                   QuickCall quick = nullptr)
      : TNonblockingServerSocket(host, port),
        workers_(std::move(workers)),
        quick_(std::move(quick)) {}

 protected:
  std::shared_ptr<apache::thrift::transport::TSocket> createSocket(THRIFT_SOCKET client) override;

 private:
  std::shared_ptr<FairThreadManager> workers_;
  QuickCall quick_;
};

}  // namespace chainatlas::service
