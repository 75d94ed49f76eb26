// The binary port's server for the default (nonblocking) model: framed binary calls read and
// written by libevent loops of our own, the work done by the fair worker queue
// (server/fair_queue.h). It replaces Thrift's TNonblockingServer, which made about nine system
// calls per call even for a call answered on its I/O thread (two reads, an ioctl, three
// epoll_ctl, a notify pipe's write and read, a send).
//
// - A connection's read interest stays registered while it waits for a request. A quick call
//   (`QuickCall`) is read, processed and answered on the I/O thread: recv, process, send. Write
//   interest is registered only when a send would block (read interest is dropped meanwhile).
// - Any other call goes to the fair queue under its connection's flow; the worker processes it
//   and sends the reply itself as far as the socket takes it, then hands the connection back to
//   its I/O thread (through the loop's eventfd), which writes the rest, if any, and reads on.
// - One request of a connection is in progress at a time: from the moment a frame is whole until
//   its reply is written, nothing more is read from that connection. While a worker has it, the
//   connection's buffers and processor are the worker's; the I/O thread touches them again only
//   once the worker has handed the connection back.
// - A frame larger than Limits::kMaxFrameBytes, a call that breaks the protocol (the processor
//   throws) or a socket error closes that connection only.
// - When accept fails for want of file descriptors (or memory), accepting pauses for 100 ms: the
//   listening socket stays readable, and retrying at once would spin.
#pragma once

#include <thrift/TProcessor.h>
#include <thrift/transport/TBufferTransports.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "server/fair_queue.h"

namespace chainatlas::service {

// Whether a request, given its frame's message bytes, is quick enough to answer on the I/O thread
// (server/transport.h's QuickCalls).
using QuickCall = std::function<bool(const uint8_t* message, uint32_t size)>;

// The calls of one frame, as the server runs them (and ProcessRequests, for the fuzz targets):
// the first, then the next while the frame holds unread bytes and each call reads some (as
// Thrift's TNonblockingServer did; an empty frame is a call that breaks the protocol). Throws what
// the processor throws (the server then closes the connection).
void ProcessFrame(apache::thrift::TProcessor& processor,
                  apache::thrift::transport::TMemoryBuffer& frame,
                  const std::shared_ptr<apache::thrift::protocol::TProtocol>& in,
                  const std::shared_ptr<apache::thrift::protocol::TProtocol>& out);

class BinaryServer {
 public:
  // A quick call runs on the I/O thread only while at most this many connections are open
  // (otherwise it is queued as any other), as with the previous server (docs/service.md).
  static constexpr size_t kQuickMaxConnections = 64;

  // Binds and listens on host:port (0: any free port); throws Error when it cannot. Each
  // connection gets its processor from `processors` (TConnectionInfo: its protocols, no
  // transport) and its protocols from `protocols`. `workers` threads, `io_threads` event loops.
  BinaryServer(const std::string& host, int port,
               std::shared_ptr<apache::thrift::TProcessorFactory> processors,
               std::shared_ptr<apache::thrift::protocol::TProtocolFactory> protocols,
               size_t workers, int io_threads, QuickCall quick = nullptr);
  ~BinaryServer();
  BinaryServer(const BinaryServer&) = delete;
  BinaryServer& operator=(const BinaryServer&) = delete;

  int port() const { return port_; }
  // Runs the event loops until Stop() (the first on the calling thread).
  void Serve();
  // Ends Serve(), from any thread. Connections and unfinished replies are dropped when the server
  // is destroyed.
  void Stop();
  // From any thread: a connection accepted from now on is closed at once (SIGTERM's drain).
  void StopAccepting() { stop_accepting_ = true; }

  // Requests handed to a worker whose connection has not come back to its I/O thread.
  int busy() const { return busy_.load(); }
  size_t open_connections() const { return open_.load(); }
  size_t queued() const { return workers_.queued(); }
  size_t flows() const { return workers_.flows(); }

 private:
  struct Loop;
  struct Connection;
  enum class Sent { kAll, kBlocked, kFailed };

  static void OnAccept(int fd, short what, void* loop);
  static void OnAcceptAgain(int fd, short what, void* loop);
  static void OnRead(int fd, short what, void* connection);
  static void OnWrite(int fd, short what, void* connection);
  static void OnWake(int fd, short what, void* loop);

  void Accept(Loop& loop);
  void Serve(Connection& c);
  bool Process(Connection& c);
  static Sent Send(Connection& c);
  void Work(Connection& c);
  void Back(Loop& loop, Connection& c);
  void Close(Connection& c);
  static void Wake(Loop& loop);
  static void Reading(Connection& c, bool on);
  static void Writing(Connection& c, bool on);

  std::shared_ptr<apache::thrift::TProcessorFactory> processors_;
  std::shared_ptr<apache::thrift::protocol::TProtocolFactory> protocols_;
  QuickCall quick_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::vector<std::unique_ptr<Loop>> loops_;
  FairWorkers workers_;
  std::atomic<bool> stop_accepting_{false};
  std::atomic<int> busy_{0};
  std::atomic<size_t> open_{0};
  std::atomic<FlowId> next_flow_{0};
};

}  // namespace chainatlas::service
