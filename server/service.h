// The service (server/chainatlas.thrift) and its servers: the framed binary protocol on the main
// port, JSON over HTTP (Thrift's JSON protocol, the console and the JSON API) on the optional HTTP
// port, the fair worker queue, reloads on SIGHUP and a drain on SIGTERM. The pieces: the state
// (server/state.h), the handler (server/handler.h), the transports (server/transport.h) and the
// limits (server/limits.h).
#pragma once

#include <filesystem>
#include <iosfwd>
#include <memory>
#include <string>

#include "server/limits.h"
#include "server/state.h"

namespace chainatlas::service {

struct ServeOptions {
  std::filesystem::path database;
  std::string host = "127.0.0.1";
  int port = 9090;                    // 0: any free port (printed on standard output)
  int http_port = -1;                 // -1: no HTTP endpoint; 0: any free port
  int threads = 0;                    // worker threads; 0: the number of cores
  std::string admin_token;            // empty: reload is refused
  std::string model = "nonblocking";  // or "threaded" (one thread per connection; for comparison)
  int io_threads = 1;                 // nonblocking model: libevent threads
  size_t cache_entries = 4096;  // answers of the recommendation methods kept per state; 0: none
  std::filesystem::path
      web_root;      // the console's folder, served on the HTTP port (docs/console.md)
  std::string cors;  // the origin whose pages may read the HTTP port's answers; "" for none
  std::string version;
};

// Serves until SIGINT or SIGTERM (then stops accepting, answers every request already received,
// for at most Limits::kDrainSeconds, and returns 0); SIGHUP
// reloads. Prints one `listening: binary HOST:PORT` (and `listening: http HOST:PORT`) line when
// ready. Throws Error for a bad option or a database that cannot be loaded.
int Serve(const ServeOptions& options, std::ostream& log);

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
