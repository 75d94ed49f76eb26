// Limits on what one request may make the server allocate or hold: the Thrift handler, the
// transports and the servers all read them from here.
#pragma once

#include <cstddef>

namespace chainatlas::service {

// Limits on what one request may make the server allocate.
struct Limits {
  static constexpr int kMaxFrameBytes = 1 << 20;    // a request frame (framed transport)
  static constexpr int kMaxMessageBytes = 1 << 20;  // TConfiguration max message size
  static constexpr int kMaxStringBytes = 64 << 10;  // one string field
  static constexpr int kMaxContainerItems = 10000;  // one list, set or map
  static constexpr size_t kMaxTextBytes = 1000;     // an entity, region, query... argument
  // Concurrent HTTP connections, a thread each (mostly waiting): enough that thousands of idle or
  // slow connections, each closed within the limits below, leave room for normal clients.
  static constexpr int kHttpClients = 4096;
  static constexpr int kHttpIdleMillis = 10000;     // an idle HTTP connection is closed after
  static constexpr int kHttpRequestMillis = 10000;  // a whole HTTP request, headers and body
  static constexpr int kDrainSeconds = 30;  // SIGTERM: the longest wait for requests received
  // The binary port's fair worker queue (server/fair_queue.h). Requests waiting per connection
  // (the nonblocking server reads no further request from a connection while one of its requests
  // is queued or running, so it never queues more than one; a connection over the cap is closed):
  static constexpr size_t kQueuedPerConnection = 4;
  // How much worker time a connection back from idle may be ahead of its fair share: enough to go
  // before the backlogged connections of a flood (an expensive request is ~0.3-4 ms of CPU).
  static constexpr int kIdleCreditMicros = 5000;
};

}  // namespace chainatlas::service
