// A fair worker queue for the nonblocking binary port (issue 13). Thrift's ThreadManager runs
// tasks first in, first out, so under a flood every request, however cheap, waits behind every
// expensive request already queued. Here each connection is a flow with its own queue, and the
// next task to run is the oldest task of the flow that has used the least worker time: a
// start-time fair queue whose costs are the worker CPU time each task really took.
#pragma once

#include <thrift/concurrency/Thread.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <thread>
#include <tuple>
#include <unordered_map>
#include <vector>

namespace chainatlas::service {

// A connection, as the scheduler knows it. 0 is the flow of tasks whose connection is unknown.
using FlowId = uint64_t;

// The scheduling itself, without threads (FairWorkers locks it): per-flow queues, served
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

// The binary port's worker threads (server/binary_server.h), taking tasks in FairQueue order: each
// task is queued under the connection it came from, and a worker charges the CPU time the task
// took to that connection.
class FairWorkers {
 public:
  // Starts `threads` workers.
  FairWorkers(size_t threads, size_t max_queued_per_flow, FairQueue::Nanos idle_credit);
  ~FairWorkers() { Stop(); }
  // Queues a task of `flow`; false (nothing queued) when the flow already has the most it may
  // queue, or the workers are stopped. The task must not throw.
  bool Add(FlowId flow, std::function<void()> task);
  // The flow's connection closed: its state goes once its tasks are done.
  void Forget(FlowId flow);
  // The tasks running finish; the queued ones are dropped. Returns once every worker has ended.
  void Stop();
  size_t queued() const;
  size_t flows() const;

 private:
  void Work();
  mutable std::mutex mutex_;
  std::condition_variable wake_;
  FairQueue queue_;
  bool stopping_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace chainatlas::service
