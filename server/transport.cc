#include "server/transport.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TJSONProtocol.h>
#include <thrift/transport/TSocket.h>

#include <atomic>
#include <mutex>
#include <ostream>

#include "graph/error.h"
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

// Counts the requests in progress (ClosingProcessorFactory). SIGTERM waits for it to reach zero.
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

class ClosingProcessor : public at::TProcessor {
 public:
  ClosingProcessor(std::shared_ptr<at::TProcessor> inner,
                   std::shared_ptr<at::transport::TTransport> t)
      : inner_(std::move(inner)), transport_(std::move(t)) {}

  bool process(std::shared_ptr<at::protocol::TProtocol> in,
               std::shared_ptr<at::protocol::TProtocol> out, void* context) override {
    try {
      return inner_->process(in, out, context);
    } catch (const at::protocol::TProtocolException&) {
      Shutdown();
      throw;
    } catch (const at::transport::TTransportException&) {
      Shutdown();
      throw;
    }
  }

 private:
  void Shutdown() {
    if (auto socket = std::dynamic_pointer_cast<at::transport::TSocket>(transport_)) {
      ::shutdown(socket->getSocketFD(), SHUT_RDWR);
    }
  }
  std::shared_ptr<at::TProcessor> inner_;
  std::shared_ptr<at::transport::TTransport> transport_;
};

}  // namespace

ClosingProcessorFactory::ClosingProcessorFactory(std::shared_ptr<rpc::ChainAtlasIf> handler)
    : handler_(std::move(handler)), in_flight_(std::make_shared<InFlight>()) {}

std::shared_ptr<at::TProcessor> ClosingProcessorFactory::getProcessor(
    const at::TConnectionInfo& info) {
  auto processor = std::make_shared<rpc::ChainAtlasProcessor>(handler_);
  processor->setEventHandler(in_flight_);
  return std::make_shared<ClosingProcessor>(std::move(processor), info.transport);
}

int ClosingProcessorFactory::in_flight() const { return in_flight_->count(); }

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
