#include "server/service.h"

#include <pthread.h>
#include <signal.h>

#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/TServerSocket.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <thread>

#include "graph/error.h"
#include "server/binary_server.h"
#include "server/handler.h"
#include "server/http_front.h"
#include "server/limits.h"
#include "server/transport.h"

namespace chainatlas::service {

namespace at = ::apache::thrift;

int Serve(const ServeOptions& o, std::ostream& log) {
  if (o.model != "nonblocking" && o.model != "threaded") {
    throw Error(ErrorCode::kInvalidArgument, "--model must be nonblocking or threaded");
  }
  int threads = o.threads > 0 ? o.threads
                              : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  RaiseFileLimit();
  auto states = std::make_shared<StateHolder>(o.database, o.cache_entries);
  auto handler = MakeHandler(states, o.admin_token, o.version, log);
  // The nonblocking model's frames arrive whole in memory, where the reply cache reads them.
  auto processors = std::make_shared<BinaryProcessorFactory>(
      handler, o.cache_entries > 0 ? states : nullptr);

  // Signals go to one thread that waits for them; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  // The HTTP port binds first: a port it cannot have fails the whole service before it starts.
  // (After the mask: its threads inherit it.)
  std::unique_ptr<HttpFront> http;
  if (o.http_port >= 0) {
    const int loops = static_cast<int>(std::clamp(std::thread::hardware_concurrency(), 1u, 8u));
    http = std::make_unique<HttpFront>(o.host, o.http_port, threads, loops, handler,
                                       WebSite{states, o.web_root, o.cors});
  }

  std::unique_ptr<BinaryServer> nonblocking;
  std::shared_ptr<at::server::TServer> threaded;
  if (o.model == "nonblocking") {
    // Our own event loops read and write every connection (server/binary_server.h): a quick call
    // is answered on the loop's thread, any other goes to the worker pool. An idle or slow
    // connection holds no worker, so no client waits for another's connection. The pool's queue
    // is fair across connections (server/fair_queue.h): a connection that has used less worker
    // time goes before one that has used more, so a flood of expensive requests on some
    // connections does not queue ahead of a cheap request on another.
    nonblocking = std::make_unique<BinaryServer>(
        o.host, o.port, processors, BinaryProtocolFactory(), static_cast<size_t>(threads),
        o.io_threads, QuickCalls(o.cache_entries > 0 ? states : nullptr));
  } else {
    auto socket = std::make_shared<at::transport::TServerSocket>(o.host, o.port);
    auto server = std::make_shared<at::server::TThreadedServer>(
        processors, socket, std::make_shared<FramedTransportFactory>(), BinaryProtocolFactory());
    server->setServerEventHandler(std::make_shared<ReadyAnnouncer>(
        std::cout, "binary", o.host, [socket] { return socket->getPort(); }));
    threaded = server;
  }

  std::thread http_thread;
  if (http) {
    http_thread = std::thread([&http, &o] {
      AnnounceListening(std::cout, "http", o.host, http->port());
      http->Run();
    });
  }

  std::atomic<bool> stopping{false};
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        try {
          auto r = states->Reload();
          log << "reloaded on SIGHUP: generation " << r.generation << " (" << r.seconds << " s)"
              << std::endl;
        } catch (const std::exception& e) {
          log << "reload on SIGHUP failed, the current data stays: " << e.what() << std::endl;
        }
        continue;
      }
      stopping = true;
      log << "stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
      // Stop accepting, then answer every request already received (queued or running) and let
      // the answers go out: until no request has been in progress for kQuiet, for at most
      // Limits::kDrainSeconds. Then close the idle connections.
      // (The threaded binary server keeps accepting while it drains: ending its accept() closes
      // the pipe that interrupts its connections, which would drop the requests in progress.)
      if (http) http->StopAccepting();
      if (nonblocking) nonblocking->StopAccepting();  // a connection accepted now is closed
      auto busy = [&] {
        return processors->in_flight() + (nonblocking ? nonblocking->busy() : 0) +
               (http ? http->in_flight() : 0);
      };
      const auto deadline = std::chrono::steady_clock::now() +
                            std::chrono::seconds(Limits::kDrainSeconds);
      constexpr auto kQuiet = std::chrono::milliseconds(50);
      auto quiet_since = std::chrono::steady_clock::now();
      for (;;) {
        auto now = std::chrono::steady_clock::now();
        if (busy() > 0) quiet_since = now;
        if (now - quiet_since >= kQuiet) break;
        if (now >= deadline) {
          log << "stopping: " << busy() << " requests still in progress after "
              << Limits::kDrainSeconds << " s are dropped" << std::endl;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      if (nonblocking) {
        nonblocking->Stop();
      } else {
        threaded->stop();
      }
      if (http) http->Stop();  // its answers go out, then its loop ends
      return;
    }
  });

  int rc = 0;
  try {
    if (nonblocking) {
      AnnounceListening(std::cout, "binary", o.host, nonblocking->port());
      nonblocking->Serve();
    } else {
      threaded->serve();
    }
  } catch (const std::exception& e) {
    log << "chainatlas serve: " << e.what() << std::endl;
    rc = 1;
  }
  if (!stopping) kill(getpid(), SIGTERM);  // serve() failed: let the signal thread finish
  signal_thread.join();
  if (http_thread.joinable()) http_thread.join();
  http.reset();
  nonblocking.reset();  // requests in flight finish before we return
  log << "stopped" << std::endl;
  return rc;
}

// ---- in memory (fuzzing) ------------------------------------------------------------------------

std::string ProcessRequests(std::shared_ptr<StateHolder> states, const std::string& requests,
                            bool json) {
  static std::ostream discard(nullptr);  // the handler's log: nothing to say without reloads
  auto handler = MakeHandler(states, "", "fuzz", discard);
  auto processor = std::make_shared<rpc::ChainAtlasProcessor>(handler);
  if (json) return ProcessJson(*processor, requests);
  // As the nonblocking server does (server/binary_server.h): each frame whole in a memory buffer,
  // through the reply cache.
  auto cached = WithReplyCache(processor, states);
  auto output = std::make_shared<at::transport::TMemoryBuffer>(Configuration());
  auto out = BinaryProtocolFactory()->getProtocol(output);
  size_t at = 0;
  for (int i = 0; i < 16 && at + 4 <= requests.size(); ++i) {
    const auto* p = reinterpret_cast<const uint8_t*>(requests.data() + at);
    const uint32_t size = (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) |
                          uint32_t{p[3]};
    if (size > static_cast<uint32_t>(Limits::kMaxFrameBytes) || size > requests.size() - at - 4) {
      throw at::transport::TTransportException(at::transport::TTransportException::CORRUPTED_DATA,
                                               "bad frame size");
    }
    auto frame = std::make_shared<at::transport::TMemoryBuffer>(
        const_cast<uint8_t*>(p + 4), size, at::transport::TMemoryBuffer::OBSERVE, Configuration());
    auto in = BinaryProtocolFactory()->getProtocol(frame);
    ProcessFrame(*cached, *frame, in, out);
    at += 4 + size;
  }
  return output->getBufferAsString();
}

}  // namespace chainatlas::service
