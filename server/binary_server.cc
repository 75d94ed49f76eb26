#include "server/binary_server.h"

#include <arpa/inet.h>
#include <event2/event.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <mutex>
#include <thread>
#include <unordered_set>

#include "graph/error.h"
#include "server/limits.h"

namespace chainatlas::service {

namespace at = ::apache::thrift;

namespace {

constexpr size_t kFirstReadBuffer = 1024;  // a connection's read buffer until a frame needs more

uint32_t BigEndian32(const uint8_t* p) {
  return (uint32_t{p[0]} << 24) | (uint32_t{p[1]} << 16) | (uint32_t{p[2]} << 8) | p[3];
}

}  // namespace

void ProcessFrame(at::TProcessor& processor, at::transport::TMemoryBuffer& frame,
                  const std::shared_ptr<at::protocol::TProtocol>& in,
                  const std::shared_ptr<at::protocol::TProtocol>& out) {
  for (uint32_t left = frame.available_read();;) {
    if (!processor.process(in, out, nullptr)) break;
    const uint32_t now = frame.available_read();
    if (now == 0 || now == left) break;
    left = now;
  }
}

// One event loop: its share of the connections (those it accepted), and the connections its
// workers hand back.
struct BinaryServer::Loop {
  BinaryServer* server = nullptr;
  event_base* base = nullptr;
  event* accept = nullptr;        // the listening socket, shared by the loops
  event* accept_again = nullptr;  // a timer: accepting paused while out of file descriptors
  event* wake = nullptr;          // wake_fd: connections handed back, or Stop()
  int wake_fd = -1;
  std::thread thread;
  std::mutex mutex;               // guards back and stop
  std::vector<Connection*> back;  // handed back by workers
  bool stop = false;
  std::unordered_set<Connection*> connections;  // the loop thread's only
};

// A connection. Its loop's thread owns it, except from the moment Serve hands a request to the
// workers (working) until OnWake takes it back: meanwhile its buffers, processor and `result` are
// the worker's, and the loop thread touches none of it (nor closes the socket).
struct BinaryServer::Connection {
  Loop* loop = nullptr;
  int fd = -1;
  FlowId flow = 0;
  event* read = nullptr;
  event* write = nullptr;
  bool reading = false, writing = false, working = false;
  // Bytes read: [begin, end) of buf, the first frame at begin.
  std::vector<uint8_t> buf = std::vector<uint8_t>(kFirstReadBuffer);
  size_t begin = 0, end = 0;
  // in: the frame being answered (seen in buf, not copied). out: its reply, the frame size first,
  // then the replies of the frame's calls; reply[sent, reply_size) is what is left to send.
  std::shared_ptr<at::transport::TMemoryBuffer> in, out;
  std::shared_ptr<at::protocol::TProtocol> in_protocol, out_protocol;
  std::shared_ptr<at::TProcessor> processor;
  const uint8_t* reply = nullptr;
  uint32_t reply_size = 0, sent = 0;
  Sent result = Sent::kAll;  // the worker's, for OnWake
};

BinaryServer::BinaryServer(const std::string& host, int port,
                           std::shared_ptr<at::TProcessorFactory> processors,
                           std::shared_ptr<at::protocol::TProtocolFactory> protocols,
                           size_t workers, int io_threads, QuickCall quick)
    : processors_(std::move(processors)),
      protocols_(std::move(protocols)),
      quick_(std::move(quick)),
      workers_(workers, Limits::kQueuedPerConnection,
               std::chrono::microseconds(Limits::kIdleCreditMicros)) {
  const std::string where = host + ":" + std::to_string(port);
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE | AI_ADDRCONFIG;
  addrinfo* found = nullptr;
  int gai = getaddrinfo(host.empty() ? nullptr : host.c_str(), std::to_string(port).c_str(), &hints,
                        &found);
  auto failed = [&](const std::string& detail) {
    return Error(ErrorCode::kIo, Msg("serve.binary_port", {{"where", where}, {"detail", detail}}));
  };
  if (gai != 0) throw failed(gai_strerror(gai));
  listen_fd_ = socket(found->ai_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
  int one = 1;
  bool listening = listen_fd_ >= 0 &&
                   setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one) == 0 &&
                   bind(listen_fd_, found->ai_addr, found->ai_addrlen) == 0 &&
                   listen(listen_fd_, 1024) == 0;
  const int error = errno;
  freeaddrinfo(found);
  if (!listening) {
    if (listen_fd_ >= 0) close(listen_fd_);
    throw failed(std::strerror(error));
  }
  sockaddr_storage bound{};
  socklen_t len = sizeof bound;
  getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.ss_family == AF_INET6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                                            : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);

  for (int i = 0; i < std::max(1, io_threads); ++i) {
    auto loop = std::make_unique<Loop>();
    Loop* l = loop.get();
    l->server = this;
    l->base = event_base_new();
    l->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (l->base == nullptr || l->wake_fd < 0) throw failed("no event loop");
    loops_.push_back(std::move(loop));
    l->accept = event_new(l->base, listen_fd_, EV_READ | EV_PERSIST, &OnAccept, l);
    l->accept_again = evtimer_new(l->base, &OnAcceptAgain, l);
    l->wake = event_new(l->base, l->wake_fd, EV_READ | EV_PERSIST, &OnWake, l);
    event_add(l->accept, nullptr);
    event_add(l->wake, nullptr);
  }
}

BinaryServer::~BinaryServer() {
  workers_.Stop();  // a worker still running a request hands its connection back to a stopped loop
  for (auto& l : loops_) {
    for (Connection* c : l->connections) {
      if (c->read) event_free(c->read);
      if (c->write) event_free(c->write);
      close(c->fd);
      delete c;
    }
    if (l->accept) event_free(l->accept);
    if (l->accept_again) event_free(l->accept_again);
    if (l->wake) event_free(l->wake);
    if (l->wake_fd >= 0) close(l->wake_fd);
    if (l->base) event_base_free(l->base);
  }
  close(listen_fd_);
}

void BinaryServer::Serve() {
  for (size_t i = 1; i < loops_.size(); ++i) {
    Loop* l = loops_[i].get();
    l->thread = std::thread([l] { event_base_dispatch(l->base); });
  }
  event_base_dispatch(loops_[0]->base);
  for (auto& l : loops_) {
    if (l->thread.joinable()) l->thread.join();
  }
}

void BinaryServer::Stop() {
  for (auto& l : loops_) {
    {
      std::lock_guard<std::mutex> lock(l->mutex);
      l->stop = true;
    }
    Wake(*l);
  }
}

void BinaryServer::Wake(Loop& loop) {
  const uint64_t one = 1;
  while (write(loop.wake_fd, &one, sizeof one) < 0 && errno == EINTR) {
  }
}

// ---- the loop thread ----------------------------------------------------------------------------

void BinaryServer::OnAccept(int, short, void* loop) {
  auto* l = static_cast<Loop*>(loop);
  l->server->Accept(*l);
}

void BinaryServer::OnAcceptAgain(int, short, void* loop) {
  event_add(static_cast<Loop*>(loop)->accept, nullptr);
}

void BinaryServer::Accept(Loop& loop) {
  for (;;) {
    const int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_NONBLOCK | SOCK_CLOEXEC);
    if (fd < 0) {
      if (errno == EINTR || errno == ECONNABORTED) continue;
      if (errno == EAGAIN || errno == EWOULDBLOCK) return;
      // Out of file descriptors (or memory): the listening socket stays readable, and accepting
      // again at once would spin. New connections wait in the backlog for 100 ms.
      event_del(loop.accept);
      const timeval pause{0, 100 * 1000};
      evtimer_add(loop.accept_again, &pause);
      return;
    }
    if (stop_accepting_) {
      close(fd);
      continue;
    }
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    auto* c = new Connection;
    c->loop = &loop;
    c->fd = fd;
    c->flow = next_flow_.fetch_add(1) + 1;
    c->read = event_new(loop.base, fd, EV_READ | EV_PERSIST, &OnRead, c);
    c->write = event_new(loop.base, fd, EV_WRITE | EV_PERSIST, &OnWrite, c);
    auto limits = std::make_shared<at::TConfiguration>(Limits::kMaxMessageBytes,
                                                       Limits::kMaxFrameBytes);
    c->in = std::make_shared<at::transport::TMemoryBuffer>(limits);
    c->out = std::make_shared<at::transport::TMemoryBuffer>(limits);
    c->in_protocol = protocols_->getProtocol(c->in);
    c->out_protocol = protocols_->getProtocol(c->out);
    c->processor = processors_->getProcessor(
        at::TConnectionInfo{c->in_protocol, c->out_protocol, nullptr});
    loop.connections.insert(c);
    open_.fetch_add(1);
    Reading(*c, true);
  }
}

// Reads what the socket holds, up to the end of the first whole frame (nothing more is read until
// it is answered). False: the connection is to close (closed by the peer, an error, a frame over
// the limit).
static bool ReadFrame(int fd, std::vector<uint8_t>& buf, size_t& begin, size_t& end) {
  for (;;) {
    const size_t have = end - begin;
    size_t need = 4;
    if (have >= 4) {
      const uint32_t size = BigEndian32(buf.data() + begin);
      if (size > static_cast<uint32_t>(Limits::kMaxFrameBytes)) return false;
      need = 4 + size_t{size};
      if (have >= need) return true;
    }
    if (buf.size() - begin < need) {  // the frame's start goes to the front, then it may grow
      std::memmove(buf.data(), buf.data() + begin, have);
      begin = 0;
      end = have;
      if (buf.size() < need) buf.resize(need);
    }
    const size_t room = buf.size() - end;
    const ssize_t n = recv(fd, buf.data() + end, room, 0);
    if (n > 0) {
      end += static_cast<size_t>(n);
      if (static_cast<size_t>(n) < room) return true;  // all the socket held
    } else if (n == 0) {
      return false;
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK;
    }
  }
}

void BinaryServer::OnRead(int, short, void* connection) {
  auto& c = *static_cast<Connection*>(connection);
  BinaryServer& server = *c.loop->server;
  if (!ReadFrame(c.fd, c.buf, c.begin, c.end)) {
    server.Close(c);
    return;
  }
  server.Serve(c);
}

// Answers the whole frames read, one at a time: a quick call here, anything else by a worker (and
// then nothing more until the worker hands the connection back). Then waits for more.
void BinaryServer::Serve(Connection& c) {
  for (;;) {
    const size_t have = c.end - c.begin;
    if (have < 4) break;
    const uint32_t size = BigEndian32(c.buf.data() + c.begin);
    if (size > static_cast<uint32_t>(Limits::kMaxFrameBytes)) {
      Close(c);
      return;
    }
    if (have - 4 < size) break;
    if (quick_ && open_.load() <= kQuickMaxConnections &&
        quick_(c.buf.data() + c.begin + 4, size)) {
      const Sent sent = Process(c) ? Send(c) : Sent::kFailed;
      if (sent == Sent::kFailed) {
        Close(c);
        return;
      }
      if (sent == Sent::kBlocked) {
        Reading(c, false);
        Writing(c, true);
        return;
      }
      continue;
    }
    Reading(c, false);
    c.working = true;
    busy_.fetch_add(1);
    if (!workers_.Add(c.flow, [this, &c] { Work(c); })) {  // too many queued, or stopping
      busy_.fetch_sub(1);
      c.working = false;
      Close(c);
    }
    return;
  }
  if (c.begin == c.end) {
    c.begin = c.end = 0;
    if (c.buf.size() > static_cast<size_t>(Limits::kIdleReadBufferBytes)) {
      c.buf.resize(kFirstReadBuffer);
      c.buf.shrink_to_fit();
    }
  }
  Reading(c, true);
}

// The calls of the connection's first frame, their replies made ready to send. False: a call broke
// the protocol.
bool BinaryServer::Process(Connection& c) {
  const uint32_t size = BigEndian32(c.buf.data() + c.begin);
  c.in->resetBuffer(c.buf.data() + c.begin + 4, size);
  // Each frame counts afresh against the message size limit (readEnd starts the count again): a
  // call answered from the reply cache reads no message end, and its bytes would otherwise add up
  // over the connection's life until a call failed.
  c.in->readEnd();
  c.begin += 4 + size_t{size};
  c.out->resetBuffer();
  c.out->getWritePtr(4);  // the reply's frame size, written below
  c.out->wroteBytes(4);
  try {
    ProcessFrame(*c.processor, *c.in, c.in_protocol, c.out_protocol);
  } catch (const std::exception&) {
    return false;
  }
  uint8_t* reply = nullptr;
  c.out->getBuffer(&reply, &c.reply_size);
  const uint32_t frame = c.reply_size - 4;
  reply[0] = static_cast<uint8_t>(frame >> 24);
  reply[1] = static_cast<uint8_t>(frame >> 16);
  reply[2] = static_cast<uint8_t>(frame >> 8);
  reply[3] = static_cast<uint8_t>(frame);
  c.reply = reply;
  c.sent = frame == 0 ? c.reply_size : 0;  // no reply (a oneway call): nothing to send
  return true;
}

// Sends what is left of the reply, as far as the socket takes it (from the loop thread or the
// connection's worker).
BinaryServer::Sent BinaryServer::Send(Connection& c) {
  while (c.sent < c.reply_size) {
    const ssize_t n = send(c.fd, c.reply + c.sent, c.reply_size - c.sent, MSG_NOSIGNAL);
    if (n >= 0) {
      c.sent += static_cast<uint32_t>(n);
    } else if (errno != EINTR) {
      return errno == EAGAIN || errno == EWOULDBLOCK ? Sent::kBlocked : Sent::kFailed;
    }
  }
  if (c.out->getBufferSize() > static_cast<uint32_t>(Limits::kIdleWriteBufferBytes)) {
    c.out->resetBuffer(at::transport::TMemoryBuffer::defaultSize);
  }
  return Sent::kAll;
}

void BinaryServer::OnWrite(int, short, void* connection) {
  auto& c = *static_cast<Connection*>(connection);
  BinaryServer& server = *c.loop->server;
  switch (Send(c)) {
    case Sent::kAll:
      Writing(c, false);
      server.Serve(c);
      break;
    case Sent::kBlocked: break;
    case Sent::kFailed: server.Close(c); break;
  }
}

// A worker: the connection's first frame, and its reply sent as far as the socket takes it. Then
// the connection goes back to its loop (the worker touches it no more).
void BinaryServer::Work(Connection& c) {
  c.result = Process(c) ? Send(c) : Sent::kFailed;
  Loop& loop = *c.loop;
  bool first = false;
  {
    std::lock_guard<std::mutex> lock(loop.mutex);
    first = loop.back.empty();
    loop.back.push_back(&c);
  }
  if (first) Wake(loop);
}

void BinaryServer::OnWake(int fd, short, void* loop) {
  auto& l = *static_cast<Loop*>(loop);
  uint64_t count = 0;
  while (read(fd, &count, sizeof count) < 0 && errno == EINTR) {
  }
  std::vector<Connection*> back;
  bool stop = false;
  {
    std::lock_guard<std::mutex> lock(l.mutex);
    back.swap(l.back);
    stop = l.stop;
  }
  if (stop) {
    event_base_loopbreak(l.base);
    return;
  }
  BinaryServer& server = *l.server;
  for (Connection* c : back) {
    c->working = false;
    server.busy_.fetch_sub(1);
    switch (c->result) {
      case Sent::kAll: server.Serve(*c); break;
      case Sent::kBlocked: Writing(*c, true); break;
      case Sent::kFailed: server.Close(*c); break;
    }
  }
}

void BinaryServer::Close(Connection& c) {
  event_free(c.read);
  event_free(c.write);
  close(c.fd);
  workers_.Forget(c.flow);
  open_.fetch_sub(1);
  c.loop->connections.erase(&c);
  delete &c;
}

// Registers or drops interest in one event of a connection, when that changes it.
static void Interest(event* e, bool& registered, bool on) {
  if (registered == on) return;
  registered = on;
  if (on) {
    event_add(e, nullptr);
  } else {
    event_del(e);
  }
}

void BinaryServer::Reading(Connection& c, bool on) { Interest(c.read, c.reading, on); }

void BinaryServer::Writing(Connection& c, bool on) { Interest(c.write, c.writing, on); }

}  // namespace chainatlas::service
