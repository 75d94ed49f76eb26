// Transport hardening: the Thrift configuration and protocol limits of both ports, the framed
// transport of the threaded binary port, the binary port's processors (which count the requests in
// progress, for SIGTERM's drain, and keep replies), Thrift's JSON protocol over one HTTP body (the
// HTTP port itself: server/http_front.h), and the `listening:` line.
#pragma once

#include <thrift/TConfiguration.h>
#include <thrift/TProcessor.h>
#include <thrift/protocol/TProtocol.h>
#include <thrift/server/TServer.h>
#include <thrift/transport/TBufferTransports.h>

#include <filesystem>
#include <functional>
#include <iosfwd>
#include <memory>
#include <string>

#include "ChainAtlas.h"
#include "server/state.h"

namespace chainatlas::service {

// TConfiguration with the message and frame limits of Limits.
std::shared_ptr<apache::thrift::TConfiguration> Configuration();
// The binary protocol with the string and container limits of Limits, strict both ways.
std::shared_ptr<apache::thrift::protocol::TProtocolFactory> BinaryProtocolFactory();

// What the HTTP port serves besides the Thrift JSON protocol (server/web.h): the API and the
// console's files.
struct WebSite {
  std::shared_ptr<StateHolder> states;
  std::filesystem::path root;  // the console's folder
  std::string cors;            // the one origin whose pages may read the answers; "" for none
};

class InFlight;  // the count of requests in progress (transport.cc)

// The binary port's processors (both models). Counts the requests in progress, from the moment a
// request's method is read to the moment its answer is written (or the call fails). A request that
// breaks the protocol (a bad size, a truncated message) makes the processor throw: the server then
// closes that connection only.
class BinaryProcessorFactory : public apache::thrift::TProcessorFactory {
 public:
  // states: the replies of the cached methods are kept in its answer cache (nullptr: none kept).
  BinaryProcessorFactory(std::shared_ptr<rpc::ChainAtlasIf> handler,
                         std::shared_ptr<StateHolder> states);
  std::shared_ptr<apache::thrift::TProcessor> getProcessor(
      const apache::thrift::TConnectionInfo& info) override;
  int in_flight() const;

 private:
  std::shared_ptr<rpc::ChainAtlasIf> handler_;
  std::shared_ptr<StateHolder> states_;
  std::shared_ptr<InFlight> in_flight_;
};

// `inner` behind the binary port's reply cache (transport.cc), keeping replies in the answer cache
// of `states` (for ProcessRequests, which feeds it frames as the nonblocking server does).
std::shared_ptr<apache::thrift::TProcessor> WithReplyCache(
    std::shared_ptr<apache::thrift::TProcessor> inner, std::shared_ptr<StateHolder> states);

// The binary port's calls answered in microseconds, which the nonblocking server runs on its I/O
// thread instead of queueing them for a worker (server/binary_server.h): given a whole frame's
// message bytes, true for health, and for a call whose reply the port keeps (`states`' answer
// cache, as WithReplyCache) and holds for exactly these argument bytes on the current state. Only a
// guess made before the call runs: if the reply is evicted in between, the call is computed there.
std::function<bool(const uint8_t*, uint32_t)> QuickCalls(std::shared_ptr<StateHolder> states);

// One message in Thrift's JSON protocol (an HTTP request's body) through `processor`, in memory,
// with the limits of Configuration(). Returns the answer's bytes. A message that breaks the
// protocol throws TProtocolException or TTransportException.
std::string ProcessJson(apache::thrift::TProcessor& processor, const std::string& request);

// Thrift 0.17's TFramedTransport counts the bytes read against the message size limit over the
// whole connection, not per message: a long-lived connection dies after max-message-size bytes.
// This one starts the count again after each message.
class MessageFramedTransport : public apache::thrift::transport::TFramedTransport {
 public:
  using TFramedTransport::TFramedTransport;
  // A message never runs past its frame: a truncated message inside a complete frame would
  // otherwise wait for another frame, holding its thread for as long as the client likes.
  uint32_t readSlow(uint8_t* buf, uint32_t len) override;
  uint32_t readEnd() override;

 private:
  bool in_message_ = false;
};

class FramedTransportFactory : public apache::thrift::transport::TTransportFactory {
 public:
  std::shared_ptr<apache::thrift::transport::TTransport> getTransport(
      std::shared_ptr<apache::thrift::transport::TTransport> t) override;
};

// Prints `listening: WHAT HOST:PORT`, each line whole, under one lock.
void AnnounceListening(std::ostream& out, const std::string& what, const std::string& host,
                       int port);

// Prints the `listening:` line once the server has bound its port. The binary and HTTP servers
// start on two threads: each line is written whole, under one lock, so the two never interleave
// (a garbled line left a caller waiting for it, and the threaded model's test hanging).
class ReadyAnnouncer : public apache::thrift::server::TServerEventHandler {
 public:
  ReadyAnnouncer(std::ostream& out, std::string what, std::string host, std::function<int()> port)
      : out_(out), what_(std::move(what)), host_(std::move(host)), port_(std::move(port)) {}
  void preServe() override;

 private:
  std::ostream& out_;
  std::string what_, host_;
  std::function<int()> port_;
};

// Raises the soft limit on open files to the hard one (thousands of idle HTTP connections).
void RaiseFileLimit();

}  // namespace chainatlas::service
