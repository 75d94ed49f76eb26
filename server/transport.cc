#include "server/transport.h"

#include <sys/resource.h>
#include <sys/socket.h>

#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/transport/THttpServer.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TVirtualTransport.h>

#include <atomic>
#include <chrono>
#include <mutex>
#include <ostream>
#include <sstream>

#include "graph/error.h"
#include "server/limits.h"
#include "server/report.h"
#include "server/web.h"

namespace chainatlas::service {

namespace at = ::apache::thrift;
using json = nlohmann::json;

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

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Internal Server Error";
  }
}

// THttpServer (Thrift's HTTP transport: its request parser, limits and keep-alive) that also
// answers requests other than a Thrift call: it reads the request line itself, so that a GET or an
// OPTIONS is not refused, and answers them with Answer(). Thrift answers carry no
// Access-Control-Allow-Origin unless --cors names an origin.
class WebHttpServer : public at::transport::THttpServer {
 public:
  WebHttpServer(std::shared_ptr<at::transport::TTransport> t, std::shared_ptr<at::TConfiguration> c,
                std::string cors)
      : THttpServer(std::move(t), std::move(c)), cors_(std::move(cors)) {}

  // Waits for the next request and reads its line, headers and body. True for a Thrift call
  // (POST / or POST /thrift), whose body the processor reads next; false for any other request,
  // which Answer() must answer.
  bool NextIsThrift() {
    method_.clear();
    target_.clear();
    readBuffer_.resetBuffer();
    readMoreData();
    std::string path = target_.substr(0, target_.find('?'));
    return method_ == "POST" && (path == "/" || path == "/thrift");
  }
  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  const std::string& cors() const { return cors_; }

  void Answer(int status, const std::string& type, const std::string& body,
              const std::string& extra_headers = "") {
    std::ostringstream h;
    h << "HTTP/1.1 " << status << " " << Reason(status) << "\r\n"
      << "Date: " << getTimeRFC1123() << "\r\n"
      << "Server: chainatlas\r\n"
      << "Content-Type: " << type << "\r\n"
      << "Content-Length: " << (method_ == "HEAD" ? 0 : body.size()) << "\r\n"
      << "X-Content-Type-Options: nosniff\r\n"
      << "Cache-Control: no-cache\r\n"
      << Cors() << extra_headers << "Connection: Keep-Alive\r\n\r\n";
    std::string head = h.str();
    transport_->write(reinterpret_cast<const uint8_t*>(head.data()),
                      static_cast<uint32_t>(head.size()));
    if (method_ != "HEAD" && !body.empty()) {
      transport_->write(reinterpret_cast<const uint8_t*>(body.data()),
                        static_cast<uint32_t>(body.size()));
    }
    transport_->flush();
  }

 protected:
  bool parseStatusLine(char* status) override {
    std::istringstream line(status);
    std::string version;
    line >> method_ >> target_ >> version;
    if (method_.empty() || target_.empty() || version.rfind("HTTP/", 0) != 0) {
      throw at::transport::TTransportException(std::string("Bad request line: ") +
                                               std::string(status).substr(0, 80));
    }
    return true;
  }
  std::string getHeader(uint32_t len) override {
    std::ostringstream h;
    h << "HTTP/1.1 200 OK\r\n"
      << "Date: " << getTimeRFC1123() << "\r\n"
      << "Server: chainatlas\r\n"
      << Cors() << "Content-Type: application/x-thrift\r\n"
      << "Content-Length: " << len << "\r\n"
      << "Connection: Keep-Alive\r\n\r\n";
    return h.str();
  }

 private:
  std::string Cors() const {
    return cors_.empty() ? "" : "Access-Control-Allow-Origin: " + cors_ + "\r\nVary: Origin\r\n";
  }
  std::string cors_, method_, target_;
};

// Answers a request that is not a Thrift call.
void AnswerWeb(const WebSite& site, WebHttpServer& http) {
  const std::string& method = http.method();
  if (method == "OPTIONS") {
    if (http.cors().empty()) {
      http.Answer(405, "text/plain; charset=utf-8",
                  "未开启跨域请求（serve --cors ORIGIN）\ncross-origin requests are off (serve "
                  "--cors ORIGIN)\n",
                  "Allow: GET, HEAD, POST\r\n");
    } else {
      http.Answer(204, "text/plain; charset=utf-8", "",
                  "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS\r\n"
                  "Access-Control-Allow-Headers: Content-Type\r\n");
    }
    return;
  }
  if (method != "GET" && method != "HEAD") {
    bool post = method == "POST";
    http.Answer(post ? 404 : 405, "text/plain; charset=utf-8",
                post ? "Thrift 调用请发往 POST /thrift\nThrift calls go to POST /thrift\n"
                     : "只接受 GET、HEAD 和 POST\nonly GET, HEAD and POST\n",
                post ? "" : "Allow: GET, HEAD, POST\r\n");
    return;
  }
  WebAnswer a;
  try {
    auto [path, query] = SplitTarget(http.target());
    if (path.rfind("/api/v1/", 0) == 0) {
      // Answers up to 256 KiB are kept in the state's cache (--cache), keyed by the command and
      // its options in order: a reload starts an empty one.
      auto served = site.states->Current();
      auto options = ParseQuery(query);
      std::string key = "api " + path;
      for (const auto& [k, v] : options) key += "\n" + k + "=" + v;
      if (auto hit = served->cache->Find(key)) {
        a = *std::static_pointer_cast<const WebAnswer>(hit);
      } else {
        engine::Engine e(served->state);
        a = ApiAnswer(e, path.substr(8), options, Limits::kMaxTextBytes);
        // Small answers only: the cache counts entries, not bytes.
        if (a.status == 200 && a.body.size() <= (256u << 10)) {
          served->cache->Put(key, std::make_shared<const WebAnswer>(a));
        }
      }
    } else {
      a = StaticAnswer(site.root, path);
    }
  } catch (const Error& e) {
    a.status = 400;
    a.body = report::ErrorJson(e).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  http.Answer(a.status, a.content_type, a.body,
              a.disposition.empty() ? "" : "Content-Disposition: " + a.disposition + "\r\n");
}

class ClosingProcessor : public at::TProcessor {
 public:
  ClosingProcessor(std::shared_ptr<at::TProcessor> inner,
                   std::shared_ptr<at::transport::TTransport> t, const WebSite* site,
                   InFlight* in_flight)
      : inner_(std::move(inner)), transport_(std::move(t)), site_(site), in_flight_(in_flight) {}

  bool process(std::shared_ptr<at::protocol::TProtocol> in,
               std::shared_ptr<at::protocol::TProtocol> out, void* context) override {
    try {
      // On the HTTP port, a request that is not a Thrift call is the web side's.
      auto http = std::dynamic_pointer_cast<WebHttpServer>(in->getTransport());
      if (http && site_ && !http->NextIsThrift()) {
        in_flight_->Enter();
        try {
          AnswerWeb(*site_, *http);
        } catch (...) {
          in_flight_->Leave();
          throw;
        }
        in_flight_->Leave();
        return true;
      }
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
  const WebSite* site_;
  InFlight* in_flight_;
};

// Bounds what one HTTP request may send and how long it may take: THttpServer grows its buffer for
// a header line or a body as long as bytes come, and a socket timeout only bounds each read (a
// client sending a byte every few seconds would hold its thread forever). Counts the bytes read
// since the last answer went out (THttpServer flushes once per answer) and ends the connection
// beyond the limit; from a request's first byte, the whole request (headers and body) must arrive
// within Limits::kHttpRequestMillis, or the connection is closed.
class BoundedReadTransport : public at::transport::TVirtualTransport<BoundedReadTransport> {
 public:
  BoundedReadTransport(std::shared_ptr<at::transport::TTransport> inner, uint32_t limit)
      : inner_(std::move(inner)),
        socket_(std::dynamic_pointer_cast<at::transport::TSocket>(inner_)),
        limit_(limit) {}
  bool isOpen() const override { return inner_->isOpen(); }
  bool peek() override { return inner_->peek(); }
  void open() override { inner_->open(); }
  void close() override { inner_->close(); }
  uint32_t read(uint8_t* buf, uint32_t len) {
    if (read_ >= limit_) {
      throw at::transport::TTransportException(at::transport::TTransportException::CORRUPTED_DATA,
                                               "HTTP request larger than the limit");
    }
    if (read_ > 0 && socket_) {
      // Inside a request: wait no longer than what is left of its deadline.
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline_ - std::chrono::steady_clock::now())
                      .count();
      if (left <= 0) {
        throw at::transport::TTransportException(at::transport::TTransportException::TIMED_OUT,
                                                 "HTTP request not complete within " +
                                                     std::to_string(Limits::kHttpRequestMillis) +
                                                     " ms");
      }
      socket_->setRecvTimeout(static_cast<int>(std::min<long long>(left, Limits::kHttpIdleMillis)));
    }
    uint32_t got = inner_->read(buf, std::min(len, limit_ - read_));
    if (read_ == 0 && got > 0) {
      deadline_ = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(Limits::kHttpRequestMillis);
    }
    read_ += got;
    return got;
  }
  void write(const uint8_t* buf, uint32_t len) { inner_->write(buf, len); }
  void flush() override {
    read_ = 0;  // the answer went out: the next read waits (idle) for the next request
    if (socket_) socket_->setRecvTimeout(Limits::kHttpIdleMillis);
    inner_->flush();
  }

 private:
  std::shared_ptr<at::transport::TTransport> inner_;
  std::shared_ptr<at::transport::TSocket> socket_;
  uint32_t limit_;
  uint32_t read_ = 0;
  std::chrono::steady_clock::time_point deadline_;
};

}  // namespace

ClosingProcessorFactory::ClosingProcessorFactory(std::shared_ptr<rpc::ChainAtlasIf> handler,
                                                 WebSite site)
    : handler_(std::move(handler)),
      in_flight_(std::make_shared<InFlight>()),
      site_(std::move(site)) {}

std::shared_ptr<at::TProcessor> ClosingProcessorFactory::getProcessor(
    const at::TConnectionInfo& info) {
  auto processor = std::make_shared<rpc::ChainAtlasProcessor>(handler_);
  processor->setEventHandler(in_flight_);
  return std::make_shared<ClosingProcessor>(std::move(processor), info.transport, &site_,
                                            in_flight_.get());
}

int ClosingProcessorFactory::in_flight() const { return in_flight_->count(); }

std::shared_ptr<at::transport::TTransport> HttpTransportFactory::getTransport(
    std::shared_ptr<at::transport::TTransport> t) {
  return std::make_shared<WebHttpServer>(
      std::make_shared<BoundedReadTransport>(t, Limits::kMaxMessageBytes + (64 << 10)),
      Configuration(), cors_);
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

void ReadyAnnouncer::preServe() {
  const std::string line = "listening: " + what_ + " " + host_ + ":" + std::to_string(port_()) +
                           "\n";
  static std::mutex lock;
  std::lock_guard<std::mutex> hold(lock);
  out_ << line << std::flush;
}

void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace chainatlas::service
