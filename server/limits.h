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
  // A binary-port connection keeps buffers up to these sizes between requests (larger ones are
  // given back after each answer): a 100-item answer (~92 KB) reuses its buffer instead of
  // growing one from 1 KB by doubling (seven copies and fresh pages) for every call.
  static constexpr int kIdleReadBufferBytes = 64 << 10;
  static constexpr int kIdleWriteBufferBytes = 256 << 10;
  // Open HTTP connections (at most half the open-file limit): above it, the connections that
  // have waited longest for their next request are closed (server/http_front.h).
  static constexpr size_t kHttpConnections = 10000;
  // An HTTP connection must send a whole request (headers and body) within this of being opened
  // or of its previous answer, or it is closed: idle and slow connections alike.
  static constexpr int kHttpRequestMillis = 10000;
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
