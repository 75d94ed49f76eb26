#include "server/http_front.h"

#include <sys/eventfd.h>
#include <sys/resource.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/socket.h>
#include <fcntl.h>
#include <unistd.h>

#include <event2/buffer.h>
#include <event2/bufferevent.h>
#include <event2/event.h>
#include <event2/http.h>
#include <event2/keyvalq_struct.h>
#include <event2/listener.h>
#include <event2/util.h>
#include <thrift/concurrency/FunctionRunner.h>
#include <thrift/concurrency/ThreadFactory.h>
#include <thrift/concurrency/ThreadManager.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_map>
#include <utility>
#include <vector>

#include "graph/error.h"
#include "server/limits.h"
#include "server/report.h"
#include "server/web.h"

namespace chainatlas::service {

namespace at = ::apache::thrift;
using json = nlohmann::json;
using Clock = std::chrono::steady_clock;

namespace {

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 503: return "Service Unavailable";
    default: return "Internal Server Error";
  }
}

const char* MethodName(evhttp_cmd_type type) {
  switch (type) {
    case EVHTTP_REQ_GET: return "GET";
    case EVHTTP_REQ_POST: return "POST";
    case EVHTTP_REQ_HEAD: return "HEAD";
    case EVHTTP_REQ_PUT: return "PUT";
    case EVHTTP_REQ_DELETE: return "DELETE";
    case EVHTTP_REQ_OPTIONS: return "OPTIONS";
    case EVHTTP_REQ_TRACE: return "TRACE";
    case EVHTTP_REQ_CONNECT: return "CONNECT";
    case EVHTTP_REQ_PATCH: return "PATCH";
  }
  return "?";
}

struct Reply {
  int status = 200;
  std::string type = "text/plain; charset=utf-8";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  bool close = false;  // end the connection after this answer
};

// One request, as the worker sees it (copied off the event thread).
struct Request {
  std::string method, target, body;
};

bool IsThriftCall(const Request& r) {
  std::string path = r.target.substr(0, r.target.find('?'));
  return r.method == "POST" && (path == "/" || path == "/thrift");
}

// A request that is not a Thrift call: the API, the console's files, OPTIONS and the refusals.
Reply AnswerWeb(const WebSite& site, const Request& r) {
  Reply reply;
  if (r.method == "OPTIONS") {
    if (site.cors.empty()) {
      reply.status = 405;
      reply.body =
          "未开启跨域请求（serve --cors ORIGIN）\ncross-origin requests are off (serve --cors "
          "ORIGIN)\n";
      reply.headers = {{"Allow", "GET, HEAD, POST"}};
    } else {
      reply.status = 204;
      reply.headers = {{"Access-Control-Allow-Methods", "GET, HEAD, POST, OPTIONS"},
                       {"Access-Control-Allow-Headers", "Content-Type"}};
    }
    return reply;
  }
  if (r.method != "GET" && r.method != "HEAD") {
    bool post = r.method == "POST";
    reply.status = post ? 404 : 405;
    reply.body = post ? "Thrift 调用请发往 POST /thrift\nThrift calls go to POST /thrift\n"
                      : "只接受 GET、HEAD 和 POST\nonly GET, HEAD and POST\n";
    if (!post) reply.headers = {{"Allow", "GET, HEAD, POST"}};
    return reply;
  }
  WebAnswer a;
  try {
    auto [path, query] = SplitTarget(r.target);
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
    a.content_type = "application/json; charset=utf-8";
    a.body = report::ErrorJson(e).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
    a.disposition.clear();
  }
  reply.status = a.status;
  reply.type = std::move(a.content_type);
  reply.body = std::move(a.body);
  if (!a.disposition.empty()) reply.headers.emplace_back("Content-Disposition", a.disposition);
  return reply;
}

// What every event loop shares: the site, the processor, the workers, the count in flight.
struct Shared {
  WebSite site;
  std::shared_ptr<at::TProcessor> processor;
  std::shared_ptr<at::concurrency::ThreadManager> workers;
  std::atomic<int> in_flight{0};
  size_t max_connections = Limits::kHttpConnections;  // per loop
};

// One event thread: its evhttp on a copy of the listening socket, its connections, and the
// answers the workers hand back to it.
struct Loop {
  Shared* shared = nullptr;
  // A connection, known from the moment evhttp asks for its bufferevent (NewConnection). The
  // registry holds a reference on the bufferevent, so that the pointer stays valid (and unique)
  // after evhttp frees it: evhttp's free clears its callbacks, which is how the sweep tells.
  struct Conn {
    Clock::time_point since;  // opened, or its last answer handed over
    bool busy = false;        // a request of it is with the workers
    bool closing = false;     // shut down by the sweep; evhttp frees it on the next event
    bool no_delay = false;    // TCP_NODELAY set
  };
  struct Done {
    evhttp_request* req;
    bufferevent* bev;
    bool head;
    Reply reply;
  };

  event_base* base = nullptr;
  evhttp* http = nullptr;
  evconnlistener* listener = nullptr;  // evhttp's, on this loop's copy of the listening socket
  event* notify = nullptr;             // workers → event thread: answers ready, or a stop
  event* sweep = nullptr;   // deadlines, the connection cap, collecting freed connections
  event* resume = nullptr;  // accepting again after running out of file descriptors
  int wake_fd = -1;         // the eventfd behind `notify`
  std::unordered_map<bufferevent*, Conn> conns;  // event thread only

  std::mutex lock;  // guards the three below (workers and Stop() write them)
  std::vector<Done> done;
  bool stop_accepting = false, stop = false;

  // Event thread only.
  bool accepting = true, stopping = false;
  Clock::time_point stop_deadline;

  // After the workers have stopped (HttpFront::Impl): no answer comes back to a freed loop.
  ~Loop() {
    if (http) evhttp_free(http);  // every connection, the requests still held, the listener
    for (auto& [bev, conn] : conns) bufferevent_decref(bev);
    for (event* e : {notify, sweep, resume}) {
      if (e) event_free(e);
    }
    if (base) event_base_free(base);
    if (wake_fd >= 0) close(wake_fd);
  }

  void Wake() {
    uint64_t one = 1;
    ssize_t ignored = write(wake_fd, &one, sizeof one);
    (void)ignored;  // the counter cannot overflow in practice; a failure only delays the wake
  }

  static bufferevent* NewConnection(event_base* base, void* arg) {
    auto* self = static_cast<Loop*>(arg);
    bufferevent* bev = bufferevent_socket_new(base, -1, BEV_OPT_CLOSE_ON_FREE);
    if (bev == nullptr) return nullptr;  // evhttp makes its own; this one escapes the deadline
    // libevent writes at most 16 KiB per turn of the loop by default: an answer of a few hundred
    // KiB (a region's gaps) then took a dozen turns, behind every other connection's each time.
    bufferevent_set_max_single_write(bev, 1 << 20);
    bufferevent_incref(bev);
    self->conns[bev] = Conn{Clock::now()};
    return bev;
  }

  static void OnRequest(evhttp_request* req, void* arg) {
    auto* self = static_cast<Loop*>(arg);
    evhttp_connection* evcon = evhttp_request_get_connection(req);
    bufferevent* bev = evcon ? evhttp_connection_get_bufferevent(evcon) : nullptr;
    auto conn = self->conns.find(bev);
    if (conn != self->conns.end()) {
      conn->second.busy = true;
      if (!conn->second.no_delay) {
        // An answer goes out in several writes (headers, then a body of up to megabytes): with
        // Nagle's algorithm the last one waited for the client's delayed ACK, 40 ms a call.
        int one = 1;
        setsockopt(bufferevent_getfd(bev), IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
        conn->second.no_delay = true;
      }
    }
    Request r;
    r.method = MethodName(evhttp_request_get_command(req));
    const char* uri = evhttp_request_get_uri(req);
    r.target = uri ? uri : "";
    evbuffer* in = evhttp_request_get_input_buffer(req);
    r.body.resize(evbuffer_get_length(in));
    if (!r.body.empty()) evbuffer_remove(in, r.body.data(), r.body.size());
    bool head = r.method == "HEAD";
    self->shared->in_flight.fetch_add(1);
    try {
      self->shared->workers->add(
          at::concurrency::FunctionRunner::create([self, req, bev, head, r = std::move(r)] {
            Reply reply = self->Answer(r);
            {
              std::lock_guard<std::mutex> hold(self->lock);
              self->done.push_back(Done{req, bev, head, std::move(reply)});
            }
            self->Wake();
          }));
    } catch (const std::exception&) {  // the pool is stopping, or out of memory
      Reply busy{
          503, "text/plain; charset=utf-8", "服务正在停止\nthe service is stopping\n", {}, true};
      self->Send(Done{req, bev, head, std::move(busy)});
    }
  }

  // On a worker.
  Reply Answer(const Request& r) {
    Reply reply;
    try {
      if (IsThriftCall(r)) {
        reply.type = "application/x-thrift";
        reply.body = ProcessJson(*shared->processor, r.body);
      } else {
        reply = AnswerWeb(shared->site, r);
      }
    } catch (const at::TException& e) {
      // A request that breaks Thrift's JSON protocol ends its connection, as on the binary port.
      reply = Reply{400,
                    "text/plain; charset=utf-8",
                    std::string("Thrift 请求无效\nbad Thrift request: ") + e.what() + "\n",
                    {},
                    true};
    } catch (const std::exception& e) {
      reply = Reply{500,
                    "text/plain; charset=utf-8",
                    std::string("内部错误\ninternal error: ") + e.what() + "\n",
                    {},
                    true};
    }
    if (!shared->site.cors.empty()) {
      reply.headers.emplace_back("Access-Control-Allow-Origin", shared->site.cors);
      reply.headers.emplace_back("Vary", "Origin");
    }
    return reply;
  }

  // On the event thread: hands an answer to evhttp, which writes it (or frees the request when
  // its connection is gone).
  void Send(Done d) {
    evkeyvalq* out = evhttp_request_get_output_headers(d.req);
    evhttp_add_header(out, "Server", "chainatlas");
    evhttp_add_header(out, "Content-Type", d.reply.type.c_str());
    evhttp_add_header(out, "X-Content-Type-Options", "nosniff");
    evhttp_add_header(out, "Cache-Control", "no-cache");
    for (const auto& [k, v] : d.reply.headers) evhttp_add_header(out, k.c_str(), v.c_str());
    if (d.reply.close) evhttp_add_header(out, "Connection", "close");
    if (d.head) {
      // evhttp writes no body and no length for HEAD: the length is GET's.
      evhttp_add_header(out, "Content-Length", std::to_string(d.reply.body.size()).c_str());
    } else if (!d.reply.body.empty()) {
      evbuffer_add(evhttp_request_get_output_buffer(d.req), d.reply.body.data(),
                   d.reply.body.size());
    }
    evhttp_send_reply(d.req, d.reply.status, Reason(d.reply.status), nullptr);
    shared->in_flight.fetch_sub(1);
    auto conn = conns.find(d.bev);
    if (conn != conns.end()) {
      conn->second.busy = false;
      conn->second.since = Clock::now();
    }
  }

  static void OnNotify(evutil_socket_t fd, short, void* arg) {
    auto* self = static_cast<Loop*>(arg);
    uint64_t count;
    ssize_t ignored = read(fd, &count, sizeof count);
    (void)ignored;
    std::vector<Done> ready;
    bool stop_accepting, stop;
    {
      std::lock_guard<std::mutex> hold(self->lock);
      ready.swap(self->done);
      stop_accepting = self->stop_accepting;
      stop = self->stop;
    }
    for (auto& d : ready) self->Send(std::move(d));
    if (stop_accepting && self->accepting) {
      evconnlistener_disable(self->listener);
      self->accepting = false;
    }
    if (stop && !self->stopping) {
      self->stopping = true;
      self->stop_deadline = Clock::now() + std::chrono::seconds(1);
    }
    self->MaybeFinish();
  }

  // Stopping: ends the loop once every answer handed over has been written (or after 1 s).
  void MaybeFinish() {
    if (!stopping) return;
    bool written = true;
    for (auto& [bev, conn] : conns) {
      if (conn.busy || (!Freed(bev) && evbuffer_get_length(bufferevent_get_output(bev)) > 0)) {
        written = false;
        break;
      }
    }
    if (written || Clock::now() >= stop_deadline) event_base_loopbreak(base);
  }

  static bool Freed(bufferevent* bev) {
    bufferevent_data_cb readcb, writecb;
    bufferevent_event_cb eventcb;
    void* arg;
    bufferevent_getcb(bev, &readcb, &writecb, &eventcb, &arg);
    return eventcb == nullptr;  // evhttp always sets its error callback while it owns one
  }

  // Ends a connection: evhttp sees it end on its next read or write and frees it.
  static void Close(bufferevent* bev, Conn& conn) {
    evutil_socket_t fd = bufferevent_getfd(bev);
    if (fd >= 0) shutdown(fd, SHUT_RDWR);
    conn.closing = true;
  }

  // Closes the `n` connections that have waited longest for their next request.
  void Evict(size_t n) {
    std::vector<std::pair<Clock::time_point, bufferevent*>> idle;
    for (auto& [bev, conn] : conns) {
      if (!conn.busy && !conn.closing && !Freed(bev)) idle.emplace_back(conn.since, bev);
    }
    n = std::min(n, idle.size());
    std::partial_sort(idle.begin(), idle.begin() + static_cast<std::ptrdiff_t>(n), idle.end());
    for (size_t i = 0; i < n; ++i) Close(idle[i].second, conns[idle[i].second]);
  }

  static void OnSweep(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Loop*>(arg);
    auto now = Clock::now();
    const auto deadline = std::chrono::milliseconds(Limits::kHttpRequestMillis);
    size_t live = 0;
    for (auto it = self->conns.begin(); it != self->conns.end();) {
      auto& [bev, conn] = *it;
      if (Freed(bev)) {
        if (!conn.busy) {  // a busy one's answer still names it: collected after Send
          bufferevent_decref(bev);
          it = self->conns.erase(it);
          continue;
        }
      } else if (!conn.closing) {
        if (!conn.busy && now - conn.since > deadline) {
          Close(bev, conn);
        } else {
          ++live;
        }
      }
      ++it;
    }
    if (live > self->shared->max_connections) self->Evict(live - self->shared->max_connections);
    self->MaybeFinish();
  }

  // Out of file descriptors: close the longest-waiting connections and pause accepting briefly.
  // The listener's callbacks get evhttp's pointer (evhttp_bind_listener sets it), not this one:
  // Run() names the front its thread serves.
  static thread_local Loop* running;

  static void OnAcceptError(evconnlistener* listener, void*) {
    Loop* self = running;
    if (self == nullptr) return;
    int err = EVUTIL_SOCKET_ERROR();
    if (err == EMFILE || err == ENFILE || err == ENOBUFS || err == ENOMEM) {
      self->Evict(16);
      evconnlistener_disable(listener);
      timeval pause{0, 50 * 1000};
      event_add(self->resume, &pause);
    }
  }

  static void OnResume(evutil_socket_t, short, void* arg) {
    auto* self = static_cast<Loop*>(arg);
    if (self->accepting) evconnlistener_enable(self->listener);
  }
};

thread_local Loop* Loop::running = nullptr;

}  // namespace

struct HttpFront::Impl {
  Shared shared;
  std::vector<std::unique_ptr<Loop>> loops;
  int bound_port = 0;
  ~Impl() {
    // The running requests finish; their answers are dropped with the loops.
    if (shared.workers) shared.workers->stop();
    loops.clear();
  }
};

HttpFront::HttpFront(const std::string& host, int port, int threads, int loops,
                     std::shared_ptr<rpc::ChainAtlasIf> handler, WebSite site)
    : impl_(std::make_unique<Impl>()) {
  Shared& shared = impl_->shared;
  shared.site = std::move(site);
  shared.processor = std::make_shared<rpc::ChainAtlasProcessor>(std::move(handler));
  const std::string where = host + ":" + std::to_string(port);
  auto fail = [&](const std::string& what) {
    throw Error(ErrorCode::kIo, Msg("serve.http_port", {{"where", where}, {"detail", what}}));
  };
  loops = std::max(1, loops);
  // Half the open-file limit (the rest is the binary port's and the database's), shared by the
  // loops.
  size_t max_connections = Limits::kHttpConnections;
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur != RLIM_INFINITY) {
    max_connections = std::min<size_t>(max_connections, static_cast<size_t>(rl.rlim_cur) / 2);
  }
  shared.max_connections = std::max<size_t>(32, max_connections / static_cast<size_t>(loops));

  // The listening socket; each loop's evhttp accepts on a copy of it (the kernel hands each new
  // connection to one of them).
  evutil_addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = EVUTIL_AI_PASSIVE | EVUTIL_AI_ADDRCONFIG;
  evutil_addrinfo* found = nullptr;
  int gai = evutil_getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(),
                               &hints, &found);
  if (gai != 0) fail(evutil_gai_strerror(gai));
  int fd = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool listening = fd >= 0 && setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
                   bind(fd, found->ai_addr, found->ai_addrlen) == 0 && listen(fd, 1024) == 0;
  int bind_error = errno;
  evutil_freeaddrinfo(found);
  if (!listening) {
    if (fd >= 0) close(fd);
    fail(std::strerror(bind_error));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  impl_->bound_port = ntohs(bound.ss_family == AF_INET6
                                ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

  for (int i = 0; i < loops; ++i) {
    impl_->loops.push_back(std::make_unique<Loop>());
    Loop& m = *impl_->loops.back();
    m.shared = &shared;
    m.base = event_base_new();
    if (m.base == nullptr) fail("cannot start libevent");
    m.http = evhttp_new(m.base);
    if (m.http == nullptr) fail("cannot start evhttp");
    // Every method reaches OnRequest, which refuses the ones it does not serve with 405 and Allow.
    evhttp_set_allowed_methods(m.http, EVHTTP_REQ_GET | EVHTTP_REQ_POST | EVHTTP_REQ_HEAD |
                                           EVHTTP_REQ_PUT | EVHTTP_REQ_DELETE | EVHTTP_REQ_OPTIONS |
                                           EVHTTP_REQ_TRACE | EVHTTP_REQ_CONNECT |
                                           EVHTTP_REQ_PATCH);
    // The request line and headers, and the body: each within the message limit (a 1 MiB query
    // is refused by the API's own text limit, with its error document).
    evhttp_set_max_headers_size(m.http, Limits::kMaxMessageBytes + (64 << 10));
    evhttp_set_max_body_size(m.http, Limits::kMaxMessageBytes);
    // evhttp's own limit is per read and write; the whole-request deadline is the sweep's.
    evhttp_set_timeout(m.http, 2 * Limits::kHttpRequestMillis / 1000);
    evhttp_set_bevcb(m.http, &Loop::NewConnection, &m);
    evhttp_set_gencb(m.http, &Loop::OnRequest, &m);
    int copy = fcntl(fd, F_DUPFD_CLOEXEC, 0);
    evhttp_bound_socket* accepting = copy < 0 ? nullptr
                                              : evhttp_accept_socket_with_handle(m.http, copy);
    if (accepting == nullptr) {
      if (copy >= 0) close(copy);
      close(fd);
      fail("cannot accept with evhttp");
    }
    m.listener = evhttp_bound_socket_get_listener(accepting);
    evconnlistener_set_error_cb(m.listener, &Loop::OnAcceptError);

    m.wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (m.wake_fd < 0) {
      close(fd);
      fail(std::strerror(errno));
    }
    m.notify = event_new(m.base, m.wake_fd, EV_READ | EV_PERSIST, &Loop::OnNotify, &m);
    m.sweep = event_new(m.base, -1, EV_PERSIST, &Loop::OnSweep, &m);
    m.resume = evtimer_new(m.base, &Loop::OnResume, &m);
    timeval every{0, 100 * 1000};
    if (!m.notify || !m.sweep || !m.resume || event_add(m.notify, nullptr) != 0 ||
        event_add(m.sweep, &every) != 0) {
      close(fd);
      fail("cannot start libevent's events");
    }
  }
  close(fd);  // the loops hold their copies

  shared.workers = at::concurrency::ThreadManager::newSimpleThreadManager(std::max(1, threads));
  shared.workers->threadFactory(std::make_shared<at::concurrency::ThreadFactory>());
  shared.workers->start();
}

HttpFront::~HttpFront() = default;

int HttpFront::port() const { return impl_->bound_port; }

void HttpFront::Run() {
  auto run = [](Loop* loop) {
    Loop::running = loop;
    event_base_dispatch(loop->base);
    Loop::running = nullptr;
  };
  std::vector<std::thread> others;
  for (size_t i = 1; i < impl_->loops.size(); ++i) others.emplace_back(run, impl_->loops[i].get());
  run(impl_->loops[0].get());
  for (auto& t : others) t.join();
}

void HttpFront::StopAccepting() {
  for (auto& loop : impl_->loops) {
    {
      std::lock_guard<std::mutex> hold(loop->lock);
      loop->stop_accepting = true;
    }
    loop->Wake();
  }
}

void HttpFront::Stop() {
  for (auto& loop : impl_->loops) {
    {
      std::lock_guard<std::mutex> hold(loop->lock);
      loop->stop_accepting = loop->stop = true;
    }
    loop->Wake();
  }
}

int HttpFront::in_flight() const { return impl_->shared.in_flight.load(); }

}  // namespace chainatlas::service
