// The Thrift service (server/chainatlas.thrift): a handler that converts each request, calls one
// Engine function on the current state and converts the answer back; the hot-swappable state; and
// the servers (framed binary on the main port, JSON over HTTP on the optional HTTP port).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <filesystem>
#include <iosfwd>
#include <list>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

#include "server/engine.h"

namespace chainatlas::service {

// A bounded LRU map from a normalised request (the method and every option with its default
// filled in) to its answer. One per state: a reload starts with an empty one, so an answer never
// outlives the data it came from. Thread-safe.
class AnswerCache {
 public:
  explicit AnswerCache(size_t capacity) : capacity_(capacity) {}
  size_t capacity() const { return capacity_; }
  std::shared_ptr<const void> Find(const std::string& key);
  void Put(const std::string& key, std::shared_ptr<const void> answer);

 private:
  using Entry = std::pair<std::string, std::shared_ptr<const void>>;
  size_t capacity_;
  std::mutex mutex_;
  std::list<Entry> order_;  // most recently used first
  std::unordered_map<std::string, std::list<Entry>::iterator> index_;
};

// What a request reads: the state and the cache of answers computed on it.
struct Served {
  std::shared_ptr<const engine::State> state;
  std::shared_ptr<AnswerCache> cache;
};

// The state every request reads, swapped whole by a reload. Readers take a shared_ptr copy and
// finish on it, whatever a reload does meanwhile.
class StateHolder {
 public:
  StateHolder(std::filesystem::path database, size_t cache_entries);

  std::shared_ptr<const Served> Current() const { return current_.load(); }
  uint64_t generation() const { return generation_.load(); }

  struct ReloadResult {
    uint64_t generation;
    double seconds;
    std::shared_ptr<const engine::State> state;
  };
  // Builds a new state from the database beside the current one (warming its analytics) and swaps
  // it in. One reload at a time; on failure the current state stays and the error propagates.
  ReloadResult Reload();

 private:
  std::filesystem::path database_;
  size_t cache_entries_;
  std::atomic<std::shared_ptr<const Served>> current_;
  std::atomic<uint64_t> generation_{1};
  std::mutex reload_mutex_;
};

struct ServeOptions {
  std::filesystem::path database;
  std::string host = "127.0.0.1";
  int port = 9090;           // 0: any free port (printed on standard output)
  int http_port = -1;        // -1: no HTTP endpoint; 0: any free port
  int threads = 0;           // worker threads; 0: the number of cores
  std::string admin_token;   // empty: reload is refused
  std::string model = "nonblocking";  // or "threaded" (one thread per connection; for comparison)
  int io_threads = 1;        // nonblocking model: libevent threads
  size_t cache_entries = 4096;  // answers of the recommendation methods kept per state; 0: none
  std::filesystem::path web_root;  // the console's folder, served on the HTTP port (docs/console.md)
  std::string cors;  // the origin whose pages may read the HTTP port's answers; "" for none
  std::string version;
};

// Limits on what one request may make the server allocate.
struct Limits {
  static constexpr int kMaxFrameBytes = 1 << 20;        // a request frame (framed transport)
  static constexpr int kMaxMessageBytes = 1 << 20;      // TConfiguration max message size
  static constexpr int kMaxStringBytes = 64 << 10;      // one string field
  static constexpr int kMaxContainerItems = 10000;      // one list, set or map
  static constexpr size_t kMaxTextBytes = 1000;         // an entity, region, query... argument
  // Concurrent HTTP connections, a thread each (mostly waiting): enough that thousands of idle or
  // slow connections, each closed within the limits below, leave room for normal clients.
  static constexpr int kHttpClients = 4096;
  static constexpr int kHttpIdleMillis = 10000;         // an idle HTTP connection is closed after
  static constexpr int kHttpRequestMillis = 10000;      // a whole HTTP request, headers and body
  static constexpr int kDrainSeconds = 30;  // SIGTERM: the longest wait for requests received
  // The binary port's fair worker queue (server/fair_queue.h). Requests waiting per connection
  // (the nonblocking server reads no further request from a connection while one of its requests
  // is queued or running, so it never queues more than one; a connection over the cap is closed):
  static constexpr size_t kQueuedPerConnection = 4;
  // How much worker time a connection back from idle may be ahead of its fair share: enough to go
  // before the backlogged connections of a flood (an expensive request is ~0.3-4 ms of CPU).
  static constexpr int kIdleCreditMicros = 5000;
};

// Serves until SIGINT or SIGTERM (then stops accepting, answers every request already received,
// for at most Limits::kDrainSeconds, and returns 0); SIGHUP
// reloads. Prints one `listening: binary HOST:PORT` (and `listening: http HOST:PORT`) line when
// ready. Throws Error for a bad option or a database that cannot be loaded.
int Serve(const ServeOptions& options, std::ostream& log);

// Constant-time comparison of a presented token with the expected one (never equal when the
// expected one is empty).
bool TokenMatches(const std::string& expected, const std::string& presented);

// One connection's worth of requests through the service's real processor (the handler, the IDL's
// decoding, TConfiguration and the protocol limits of Limits), in memory: `requests` holds
// messages in the framed binary protocol of the main port (json = false) or in the JSON protocol
// of the HTTP port (json = true, one message), answered against `states` (no admin token: reload
// is refused). Returns the answers' bytes. A message that breaks the protocol throws Thrift's
// TProtocolException or TTransportException, as the servers see it before closing the
// connection. For the fuzz targets (fuzz/).
std::string ProcessRequests(std::shared_ptr<StateHolder> states, const std::string& requests,
                            bool json);

}  // namespace chainatlas::service
