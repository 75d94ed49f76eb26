// The HTTP port: libevent's evhttp reads and writes every connection on a few event threads (one
// per core: on a busy machine one thread's share of the CPU was what limited large answers), and
// the requests, once whole, are answered on a pool of worker threads. An idle or slow connection
// holds no thread, only its socket, so thousands of them leave normal clients answered at once.
// A connection must send a whole request (headers and body) within Limits::kHttpRequestMillis of
// being opened or of its previous answer, or it is closed: an idle keep-alive connection and a
// slow client trickling a header byte at a time are treated alike. At most
// Limits::kHttpConnections connections are kept open; above that (or when the process runs out of
// file descriptors) the ones that have waited longest for their next request are closed first.
//
// What it serves (docs/service.md, docs/console.md): Thrift's JSON protocol on POST / and
// POST /thrift, the JSON API on GET /api/v1/<command> and the console's files (server/web.h).
#pragma once

#include <memory>
#include <string>

#include "ChainAtlas.h"
#include "server/transport.h"

namespace chainatlas::service {

class HttpFront {
 public:
  // Listens on host:port (port 0: a free one) with `loops` event threads (each accepts and serves
  // its own connections); `threads` workers answer the requests. Throws Error(kIo) when the
  // address cannot be bound.
  HttpFront(const std::string& host, int port, int threads, int loops,
            std::shared_ptr<rpc::ChainAtlasIf> handler, WebSite site);
  ~HttpFront();
  HttpFront(const HttpFront&) = delete;
  HttpFront& operator=(const HttpFront&) = delete;

  int port() const;
  // Runs the event loops (the first on the calling thread) until Stop().
  void Run();
  // From any thread: accept no more connections (SIGTERM's drain).
  void StopAccepting();
  // From any thread: let the answers already handed over go out (at most 1 s), then end Run().
  void Stop();
  // Requests read whole and not yet answered (handed to the event thread for writing).
  int in_flight() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace chainatlas::service
