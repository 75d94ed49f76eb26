// The binary port's fair worker queue (server/fair_queue.h, issue 13). Every check here counts
// positions or runs a simulated clock; none depends on how fast the machine is. Each of the
// ordering checks fails with a first-in-first-out queue.
#include "server/fair_queue.h"

#include "server/binary_server.h"

#include <catch2/catch.hpp>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TSocket.h>

#include <time.h>

#include <algorithm>
#include <condition_variable>
#include <future>
#include <thread>
#include <map>
#include <memory>
#include <vector>

namespace {

using chainatlas::service::BinaryServer;
using chainatlas::service::FairQueue;
using chainatlas::service::FairWorkers;
using chainatlas::service::FlowId;
using std::chrono::microseconds;
using std::chrono::milliseconds;
namespace tc = ::apache::thrift::concurrency;

// A task that only says which connection it came from.
struct Tagged : tc::Runnable {
  explicit Tagged(FlowId f) : flow(f) {}
  void run() override {}
  FlowId flow;
};
FlowId TagOf(const FairQueue::Item& item) {
  return std::static_pointer_cast<Tagged>(item.task)->flow;
}

TEST_CASE("fair queue: one task of B goes before the 999 queued after A's first", "[fair_queue]") {
  FairQueue q(1000, milliseconds(5));
  for (int i = 0; i < 1000; ++i) REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
  REQUIRE(q.Push(2, std::make_shared<Tagged>(2)));
  REQUIRE(q.queued() == 1001);
  std::vector<FlowId> order;
  while (auto item = q.Pop()) order.push_back(TagOf(*item));  // no task finishes meanwhile
  REQUIRE(order.size() == 1001);
  auto b = std::find(order.begin(), order.end(), FlowId(2)) - order.begin();
  CHECK(b <= 1);  // FIFO: 1000
}

TEST_CASE("fair queue: a cheap connection goes ahead of a busy one, every time", "[fair_queue]") {
  // A has used 50 ms of worker time and keeps 10 tasks queued; B sends one cheap task at a time.
  FairQueue q(100, milliseconds(5));
  for (int i = 0; i < 50; ++i) {
    REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
    auto item = q.Pop();
    REQUIRE(item);
    q.Done(item->flow, milliseconds(1));
  }
  for (int i = 0; i < 10; ++i) REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
  for (int round = 0; round < 20; ++round) {
    REQUIRE(q.Push(2, std::make_shared<Tagged>(2)));
    auto first = q.Pop();
    REQUIRE(first);
    CHECK(TagOf(*first) == 2);  // FIFO: after A's 10
    q.Done(first->flow, microseconds(10));
    auto a = q.Pop();
    REQUIRE(a);
    REQUIRE(TagOf(*a) == 1);
    q.Done(a->flow, milliseconds(1));
    REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
  }
}

TEST_CASE("fair queue: backlogged connections share the worker time, not the task count",
          "[fair_queue]") {
  // A's tasks cost 1 ms, B's 3 ms; both always have work queued; one worker.
  FairQueue q(1000, milliseconds(5));
  for (int i = 0; i < 400; ++i) {
    REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
    REQUIRE(q.Push(2, std::make_shared<Tagged>(2)));
  }
  std::map<FlowId, int64_t> used;
  for (int i = 0; i < 400; ++i) {
    auto item = q.Pop();
    REQUIRE(item);
    auto cost = milliseconds(item->flow == 1 ? 1 : 3);
    used[item->flow] += cost.count();
    q.Done(item->flow, cost);
  }
  CHECK(std::abs(used[1] - used[2]) <= 3);  // ms; FIFO (alternating): 1 : 3
}

TEST_CASE("fair queue: at most N tasks wait per connection", "[fair_queue]") {
  FairQueue q(4, milliseconds(5));
  for (int i = 0; i < 4; ++i) REQUIRE(q.Push(7, std::make_shared<Tagged>(7)));
  CHECK_FALSE(q.Push(7, std::make_shared<Tagged>(7)));
  CHECK(q.Push(8, std::make_shared<Tagged>(8)));  // another connection is not affected
  auto item = q.Pop();
  REQUIRE(item);
  CHECK(q.Push(7, std::make_shared<Tagged>(7)));  // one left the queue: room for one
  CHECK(q.queued() == 5);
}

TEST_CASE("fair queue: a closed connection's state goes when its tasks are done", "[fair_queue]") {
  FairQueue q(4, milliseconds(5));
  auto t1 = std::make_shared<Tagged>(1);
  REQUIRE(q.Push(1, t1));
  REQUIRE(q.Push(2, std::make_shared<Tagged>(2)));
  CHECK(q.queued() == 2);
  auto item = q.Pop();
  REQUIRE(item);
  REQUIRE(item->task == t1);
  q.Forget(1);  // closed while its task runs: remembered until it is done
  CHECK(q.flows() == 2);
  q.Done(1, microseconds(100));
  CHECK(q.flows() == 1);
  auto other = q.Pop();
  REQUIRE(other);
  q.Done(other->flow, microseconds(100));
  q.Forget(2);
  CHECK(q.flows() == 0);
  CHECK(q.queued() == 0);
  CHECK(q.running() == 0);
  CHECK_FALSE(q.Pop());
}

TEST_CASE("fair queue: a new connection per request does not starve a long-lived one",
          "[fair_queue]") {
  // L always has a task queued; 8 short-lived connections at a time each send one request and
  // close. All tasks cost 1 ms; one worker. Fair: L gets about 1 in 9.
  FairQueue q(4, milliseconds(5));
  FlowId next = 100;
  REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
  for (int i = 0; i < 8; ++i, ++next) REQUIRE(q.Push(next, std::make_shared<Tagged>(next)));
  int long_lived = 0;
  for (int i = 0; i < 900; ++i) {
    auto item = q.Pop();
    REQUIRE(item);
    q.Done(item->flow, milliseconds(1));
    if (item->flow == 1) {
      ++long_lived;
      REQUIRE(q.Push(1, std::make_shared<Tagged>(1)));
    } else {
      q.Forget(item->flow);
      REQUIRE(q.Push(next, std::make_shared<Tagged>(next)));
      ++next;
    }
  }
  CHECK(long_lived >= 80);
  CHECK(q.flows() == 9);
}

// The flood of bench/flood_bench.sh on a simulated clock: 2 workers; 32 connections each send a
// request costing 640 µs, and the next 100 µs after its answer; from 50 ms on, one normal
// connection sends requests costing 5 µs, the next 20 µs after each answer. Returns the longest
// time (µs) a normal request waited for a worker from 60 ms on (a new connection's first request
// takes its turn behind the flood), and the fewest requests any flooding connection got served.
struct Flood {
  int64_t max_wait_us = 0;
  int normal_served = 0;
  int min_flood_served = 0;
};
Flood SimulateFlood(bool one_queue_for_all) {
  constexpr FlowId kNormal = 100;
  constexpr int kFlooders = 32;
  FairQueue q(64, milliseconds(5));
  auto cost = [](FlowId f) { return f == kNormal ? 5 : 640; };
  auto gap = [](FlowId f) { return f == kNormal ? 20 : 100; };
  std::multimap<int64_t, FlowId> arrivals;  // µs → connection
  for (FlowId f = 1; f <= kFlooders; ++f) arrivals.emplace(0, f);
  arrivals.emplace(50000, kNormal);
  std::map<FlowId, int64_t> queued_at;
  std::map<FlowId, int> served;
  struct Worker {
    bool busy = false;
    int64_t until = 0;
    FlowId queue_flow = 0, flow = 0;
  } workers[2];
  Flood out;
  for (int64_t now = 0; now < 200000;) {
    int64_t next = arrivals.empty() ? INT64_MAX : arrivals.begin()->first;
    for (auto& w : workers) {
      if (w.busy) next = std::min(next, w.until);
    }
    now = next;
    for (auto& w : workers) {
      if (w.busy && w.until == now) {
        q.Done(w.queue_flow, microseconds(cost(w.flow)));
        w.busy = false;
        arrivals.emplace(now + gap(w.flow), w.flow);
      }
    }
    while (!arrivals.empty() && arrivals.begin()->first == now) {
      FlowId f = arrivals.begin()->second;
      arrivals.erase(arrivals.begin());
      queued_at[f] = now;
      REQUIRE(q.Push(one_queue_for_all ? 0 : f, std::make_shared<Tagged>(f)));
    }
    for (auto& w : workers) {
      if (w.busy) continue;
      auto item = q.Pop();
      if (!item) break;
      FlowId f = TagOf(*item);
      if (f == kNormal && now >= 60000)
        out.max_wait_us = std::max(out.max_wait_us, now - queued_at[f]);
      ++served[f];
      w = Worker{true, now + cost(f), item->flow, f};
    }
  }
  out.normal_served = served[kNormal];
  out.min_flood_served = INT32_MAX;
  for (FlowId f = 1; f <= kFlooders; ++f)
    out.min_flood_served = std::min(out.min_flood_served, served[f]);
  return out;
}

TEST_CASE("fair queue: under a simulated flood a normal request waits at most one request's time",
          "[fair_queue]") {
  Flood fair = SimulateFlood(false);
  CHECK(fair.max_wait_us <= 640);      // the next worker to free up takes it
  CHECK(fair.normal_served > 200);     // one per flood request's time: 150 ms / 645 µs ≈ 232
  CHECK(fair.min_flood_served >= 15);  // the flood is served too: 2 × 200 ms / 640 µs / 32 ≈ 19
  // The same with one queue for everyone (what Thrift's first-in-first-out queue does): the
  // normal request waits behind the whole flood.
  Flood fifo = SimulateFlood(true);
  CHECK(fifo.max_wait_us > 5000);
  CHECK(fifo.normal_served < 30);
}

TEST_CASE("fair workers: B's task runs before A's 1000, on real threads", "[fair_queue]") {
  FairWorkers workers(1, 1000, milliseconds(5));
  std::mutex mutex;
  std::condition_variable all_ran;
  std::vector<FlowId> order;
  auto record = [&](FlowId f) {
    return [&, f] {
      std::lock_guard<std::mutex> lock(mutex);
      order.push_back(f);
      if (order.size() == 1001) all_ran.notify_one();
    };
  };
  // Hold the one worker until everything is queued.
  std::promise<void> started, release;
  auto released = release.get_future().share();
  REQUIRE(workers.Add(9, [&] {
    started.set_value();
    released.wait();
  }));
  started.get_future().wait();
  for (int i = 0; i < 1000; ++i) REQUIRE(workers.Add(1, record(1)));
  REQUIRE(workers.Add(2, record(2)));
  CHECK(workers.queued() == 1001);
  CHECK_FALSE(workers.Add(1, record(1)));  // a full connection: refused (the server closes it)
  release.set_value();
  {
    std::unique_lock<std::mutex> lock(mutex);
    all_ran.wait(lock, [&] { return order.size() == 1001; });
  }
  workers.Stop();
  REQUIRE(order.size() == 1001);
  auto b = std::find(order.begin(), order.end(), FlowId(2)) - order.begin();
  CHECK(b <= 1);  // FIFO: 1000
  CHECK(workers.queued() == 0);
  CHECK(workers.flows() == 3);             // 1, 2 and 9: no connection closed them
  CHECK_FALSE(workers.Add(1, record(1)));  // stopped
}

// The same through the binary port's server (server/binary_server.h) on a loopback port, so that
// the connection of each task is the one it came from: connection A has used 10 ms of worker CPU;
// while the one worker is held, A queues a request, then a new connection B queues one. B's runs
// first.
namespace ap = ::apache::thrift::protocol;
namespace at = ::apache::thrift::transport;

class ScriptProcessor : public ::apache::thrift::TProcessor {
 public:
  bool process(std::shared_ptr<ap::TProtocol> in, std::shared_ptr<ap::TProtocol> out,
               void*) override {
    std::string name;
    ap::TMessageType type;
    int32_t seqid = 0;
    in->readMessageBegin(name, type, seqid);
    in->skip(ap::T_STRUCT);
    in->readMessageEnd();
    in->getTransport()->readEnd();
    if (name == "block") {
      started.set_value();
      released.wait();
    } else if (name == "spin") {  // 2 ms of this thread's CPU time
      auto cpu = [] {
        timespec ts{};
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
        return ts.tv_sec * 1000000000LL + ts.tv_nsec;
      };
      for (auto start = cpu(); cpu() - start < 2000000;) {
      }
    } else {
      std::lock_guard<std::mutex> lock(mutex);
      order.push_back(name);
    }
    out->writeMessageBegin(name, ap::T_REPLY, seqid);
    out->writeStructBegin("Answer");
    out->writeFieldStop();
    out->writeStructEnd();
    out->writeMessageEnd();
    out->getTransport()->writeEnd();
    out->getTransport()->flush();
    return true;
  }
  std::promise<void> started;
  std::shared_future<void> released;
  std::mutex mutex;
  std::vector<std::string> order;
};

struct Client {
  explicit Client(int port)
      : socket(std::make_shared<at::TSocket>("127.0.0.1", port)),
        framed(std::make_shared<at::TFramedTransport>(socket)),
        protocol(framed) {
    framed->open();
  }
  void Send(const std::string& name) {
    protocol.writeMessageBegin(name, ap::T_CALL, 1);
    protocol.writeStructBegin("Request");
    protocol.writeFieldStop();
    protocol.writeStructEnd();
    protocol.writeMessageEnd();
    framed->writeEnd();
    framed->flush();
  }
  void Receive() {
    std::string name;
    ap::TMessageType type;
    int32_t seqid = 0;
    protocol.readMessageBegin(name, type, seqid);
    protocol.skip(ap::T_STRUCT);
    protocol.readMessageEnd();
    framed->readEnd();
  }
  std::shared_ptr<at::TSocket> socket;
  std::shared_ptr<at::TFramedTransport> framed;
  ap::TBinaryProtocol protocol;
};

// The binary port's server on a loopback port with one fair worker and a ScriptProcessor, serving
// on its own thread until Stop().
struct LoopbackServer {
  explicit LoopbackServer(chainatlas::service::QuickCall quick = nullptr)
      : processor(std::make_shared<ScriptProcessor>()) {
    processor->released = release.get_future().share();
    server = std::make_unique<BinaryServer>(
        "127.0.0.1", 0, std::make_shared<::apache::thrift::TSingletonProcessorFactory>(processor),
        std::make_shared<ap::TBinaryProtocolFactory>(), 1, 1, std::move(quick));
    serving = std::thread([this] { server->Serve(); });
    port = server->port();
  }
  void Queued(size_t n) {  // waits (no time limit: ctest's) until n tasks are queued
    while (server->queued() != n) std::this_thread::sleep_for(milliseconds(1));
  }
  void Stop() {
    server->Stop();
    serving.join();
  }
  std::shared_ptr<ScriptProcessor> processor;
  std::promise<void> release;
  std::unique_ptr<BinaryServer> server;
  std::thread serving;
  int port = 0;
};

TEST_CASE("binary server: a new connection goes before a busy one", "[fair_queue]") {
  LoopbackServer l;
  auto& processor = l.processor;
  int port = l.port;

  Client a(port), x(port), b(port);
  for (int i = 0; i < 5; ++i) {
    a.Send("spin");
    a.Receive();
  }
  x.Send("block");
  processor->started.get_future().wait();
  a.Send("a");
  l.Queued(1);
  b.Send("b");
  l.Queued(2);
  l.release.set_value();
  x.Receive();
  a.Receive();
  b.Receive();
  CHECK(processor->order == std::vector<std::string>{"b", "a"});  // FIFO: a, b
  CHECK(l.server->flows() == 3);
  a.socket->close();  // the server forgets each flow once it sees its connection close
  x.socket->close();
  b.socket->close();
  while (l.server->open_connections() != 0) std::this_thread::sleep_for(milliseconds(1));
  CHECK(l.server->flows() == 0);
  l.Stop();
}

TEST_CASE("binary server: a quick request is answered on the I/O thread while the worker is held",
          "[fair_queue]") {
  // Quick: a strict binary call named "quick" (the predicate sees the message's bytes).
  LoopbackServer l([](const uint8_t* m, uint32_t size) {
    const std::string name = "quick";
    return size >= 8 + name.size() && m[0] == 0x80 && m[1] == 0x01 && m[3] == ap::T_CALL &&
           m[7] == name.size() && std::string(reinterpret_cast<const char*>(m + 8), 5) == name;
  });
  Client x(l.port), q(l.port), c(l.port);
  x.Send("block");
  l.processor->started.get_future().wait();  // the one worker is held from now on
  q.socket->setRecvTimeout(10000);           // a queued "quick" would wait for the release: fail
  for (int i = 0; i < 3; ++i) {
    q.Send("quick");
    CHECK_NOTHROW(q.Receive());
  }
  CHECK(l.server->queued() == 0);
  c.Send("c");  // not quick: waits for the worker
  l.Queued(1);
  // With more than kQuickMaxConnections open, a quick request is queued as any other.
  std::vector<std::unique_ptr<Client>> crowd;
  while (crowd.size() + 3 <= BinaryServer::kQuickMaxConnections) {
    crowd.push_back(std::make_unique<Client>(l.port));
  }
  while (l.server->open_connections() <= BinaryServer::kQuickMaxConnections) {
    std::this_thread::sleep_for(milliseconds(1));
  }
  q.Send("quick");
  l.Queued(2);
  l.release.set_value();
  x.Receive();
  c.Receive();
  q.Receive();
  l.Stop();
  CHECK(l.processor->order == std::vector<std::string>{"quick", "quick", "quick", "c", "quick"});
}

}  // namespace
