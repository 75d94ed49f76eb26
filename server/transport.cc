#include "server/transport.h"

#include <sys/resource.h>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TJSONProtocol.h>

#include <atomic>
#include <mutex>
#include <ostream>

#include "graph/error.h"
#include "server/handler.h"
#include "server/limits.h"

namespace chainatlas::service {

namespace at = ::apache::thrift;

std::shared_ptr<at::TConfiguration> Configuration() {
  return std::make_shared<at::TConfiguration>(Limits::kMaxMessageBytes, Limits::kMaxFrameBytes);
}

std::shared_ptr<at::protocol::TProtocolFactory> BinaryProtocolFactory() {
  return std::make_shared<at::protocol::TBinaryProtocolFactory>(
      Limits::kMaxStringBytes, Limits::kMaxContainerItems, /*strict_read=*/true,
      /*strict_write=*/true);
}

// Counts the requests in progress (BinaryProcessorFactory). SIGTERM waits for it to reach zero.
class InFlight : public at::TProcessorEventHandler {
 public:
  void* getContext(const char*, void*) override {
    count_.fetch_add(1);
    return nullptr;
  }
  void freeContext(void*, const char*) override { count_.fetch_sub(1); }
  int count() const { return count_.load(); }
  void Enter() { count_.fetch_add(1); }  // a web request (no Thrift processor)
  void Leave() { count_.fetch_sub(1); }

 private:
  std::atomic<int> count_{0};
};

namespace {

// The binary protocol's (strict) message header at p: version and type, name, sequence id.
struct Header {
  int type = 0;
  std::string_view name;
  uint32_t seqid_at = 0;  // where the sequence id starts
  uint32_t size = 0;      // the header's bytes
};

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

bool ParseHeader(const uint8_t* p, uint32_t len, Header* h) {
  if (len < 12 || p[0] != 0x80 || p[1] != 0x01) return false;  // strict, version 1
  h->type = p[3];
  const uint32_t name = BigEndian32(p + 4);
  if (name > len - 12) return false;
  h->name = std::string_view(reinterpret_cast<const char*>(p + 8), name);
  h->seqid_at = 8 + name;
  h->size = h->seqid_at + 4;
  return true;
}

// The key of a call's kept reply: its method and its argument bytes.
std::string ReplyKey(const uint8_t* call, uint32_t len, const Header& h) {
  std::string key = "reply\x1f";
  key.append(h.name).push_back('\x1f');
  key.append(reinterpret_cast<const char*>(call + h.size), len - h.size);
  return key;
}

// The binary port's cache of whole replies, in front of the processor. A call of a method whose
// answers the handler caches (kCachedMethodNames, server/handler.h), sent before with
// the same argument bytes on the same state, is answered with the bytes of the earlier reply under
// its own sequence id: no copy of the cached answer, no serialisation. The replies live in the
// state's answer cache (server/state.h), so a reload starts without them. Only successful replies
// are kept, and only when the frame held exactly the one call.
class ReplyCachingProcessor : public at::TProcessor {
 public:
  ReplyCachingProcessor(std::shared_ptr<at::TProcessor> inner, std::shared_ptr<StateHolder> states,
                        std::shared_ptr<InFlight> in_flight)
      : inner_(std::move(inner)), states_(std::move(states)), in_flight_(std::move(in_flight)) {}

  bool process(std::shared_ptr<at::protocol::TProtocol> in,
               std::shared_ptr<at::protocol::TProtocol> out, void* context) override {
    auto* ib = dynamic_cast<at::transport::TMemoryBuffer*>(in->getTransport().get());
    auto* ob = dynamic_cast<at::transport::TMemoryBuffer*>(out->getTransport().get());
    uint32_t len = ib ? ib->available_read() : 0;
    const uint8_t* call = len ? ib->borrow(nullptr, &len) : nullptr;
    Header h;
    if (!ob || !call || !ParseHeader(call, len, &h) || h.type != at::protocol::T_CALL ||
        !IsCachedMethod(h.name)) {
      return inner_->process(in, out, context);
    }
    const std::string key = ReplyKey(call, len, h);
    const std::string name(h.name);
    const auto seqid = static_cast<int32_t>(BigEndian32(call + h.seqid_at));
    std::shared_ptr<const Served> served = states_->Current();
    if (auto hit = served->cache->Find(key)) {
      in_flight_->Enter();
      const auto& body = *static_cast<const std::string*>(hit.get());
      ib->consume(len);
      out->writeMessageBegin(name, at::protocol::T_REPLY, seqid);
      ob->write(reinterpret_cast<const uint8_t*>(body.data()), static_cast<uint32_t>(body.size()));
      out->writeMessageEnd();
      ob->writeEnd();
      ob->flush();
      in_flight_->Leave();
      return true;
    }
    uint8_t* buf = nullptr;
    uint32_t before = 0, after = 0;
    ob->getBuffer(&buf, &before);
    const bool ok = inner_->process(in, out, context);
    ob->getBuffer(&buf, &after);
    // Kept: a reply to this call whose result is the success field (id 0, a struct), when the
    // frame held nothing else.
    const uint8_t* reply = buf + before;
    const uint32_t size = after - before;
    Header r;
    if (ok && ib->available_read() == 0 && after > before && ParseHeader(reply, size, &r) &&
        r.type == at::protocol::T_REPLY && r.name == name && size > r.size + 3 &&
        reply[r.size] == at::protocol::T_STRUCT && reply[r.size + 1] == 0 &&
        reply[r.size + 2] == 0) {
      served->cache->Put(key, std::make_shared<const std::string>(
                                  reinterpret_cast<const char*>(reply + r.size), size - r.size));
    }
    return ok;
  }

 private:
  std::shared_ptr<at::TProcessor> inner_;
  std::shared_ptr<StateHolder> states_;
  std::shared_ptr<InFlight> in_flight_;
};

}  // namespace

BinaryProcessorFactory::BinaryProcessorFactory(std::shared_ptr<rpc::ChainAtlasIf> handler,
                                               std::shared_ptr<StateHolder> states)
    : handler_(std::move(handler)),
      states_(std::move(states)),
      in_flight_(std::make_shared<InFlight>()) {}

std::shared_ptr<at::TProcessor> BinaryProcessorFactory::getProcessor(const at::TConnectionInfo&) {
  auto processor = std::make_shared<rpc::ChainAtlasProcessor>(handler_);
  processor->setEventHandler(in_flight_);
  std::shared_ptr<at::TProcessor> inner = processor;
  if (states_) inner = std::make_shared<ReplyCachingProcessor>(inner, states_, in_flight_);
  return inner;
}

std::function<bool(const uint8_t*, uint32_t)> QuickCalls(std::shared_ptr<StateHolder> states) {
  return [states = std::move(states)](const uint8_t* call, uint32_t len) {
    Header h;
    if (!ParseHeader(call, len, &h) || h.type != at::protocol::T_CALL) return false;
    if (h.name == "health") return true;
    return states && IsCachedMethod(h.name) &&
           states->Current()->cache->Find(ReplyKey(call, len, h)) != nullptr;
  };
}

std::shared_ptr<at::TProcessor> WithReplyCache(std::shared_ptr<at::TProcessor> inner,
                                               std::shared_ptr<StateHolder> states) {
  return std::make_shared<ReplyCachingProcessor>(std::move(inner), std::move(states),
                                                 std::make_shared<InFlight>());
}

int BinaryProcessorFactory::in_flight() const { return in_flight_->count(); }

std::string ProcessJson(at::TProcessor& processor, const std::string& request) {
  auto input = std::make_shared<at::transport::TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(const_cast<char*>(request.data())),
      static_cast<uint32_t>(request.size()), at::transport::TMemoryBuffer::OBSERVE,
      Configuration());
  auto output = std::make_shared<at::transport::TMemoryBuffer>(Configuration());
  auto in = std::make_shared<at::protocol::TJSONProtocol>(input);
  auto out = std::make_shared<at::protocol::TJSONProtocol>(output);
  processor.process(in, out, nullptr);
  return output->getBufferAsString();
}

uint32_t MessageFramedTransport::readSlow(uint8_t* buf, uint32_t len) {
  if (in_message_ && static_cast<uint32_t>(rBound_ - rBase_) < len) {
    throw at::transport::TTransportException(at::transport::TTransportException::CORRUPTED_DATA,
                                             "a message longer than its frame");
  }
  in_message_ = true;
  return TFramedTransport::readSlow(buf, len);
}

uint32_t MessageFramedTransport::readEnd() {
  in_message_ = false;
  uint32_t bytes = TFramedTransport::readEnd();
  resetConsumedMessageSize();
  return bytes;
}

std::shared_ptr<at::transport::TTransport> FramedTransportFactory::getTransport(
    std::shared_ptr<at::transport::TTransport> t) {
  return std::make_shared<MessageFramedTransport>(t, Configuration());
}

void AnnounceListening(std::ostream& out, const std::string& what, const std::string& host,
                       int port) {
  const std::string line = "listening: " + what + " " + host + ":" + std::to_string(port) + "\n";
  static std::mutex lock;
  std::lock_guard<std::mutex> hold(lock);
  out << line << std::flush;
}

void ReadyAnnouncer::preServe() { AnnounceListening(out_, what_, host_, port_()); }

void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace chainatlas::service
