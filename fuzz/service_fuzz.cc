// The Thrift service's request decoding and handling (server/service.h: ProcessRequests): the
// real processor and handler, the TConfiguration and protocol limits of Limits, over the state
// loaded from the embedded default dataset (data/, built into the fuzz build's default.db).
//
// Input: the first byte's low bit picks the protocol (0: framed binary, as on the main port, up to
// 16 messages; 1: JSON, as an HTTP body, one message); the rest is what the client sent. A message
// that breaks the protocol is refused with a Thrift exception (the server closes the connection):
// expected. Any other escape, a crash or a sanitizer report is a bug.
#include <thrift/Thrift.h>

#include <cstdint>
#include <memory>
#include <string>

#include "fuzz/fuzz_common.h"
#include "ingest/default_db.h"
#include "server/service.h"

using namespace chainatlas;

namespace {
std::shared_ptr<service::StateHolder> g_states;
}

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  const std::filesystem::path db = ingest::EnsureDefaultDatabase(CHAINATLAS_DATA_DIR,
                                                                 CHAINATLAS_DEFAULT_DB);
  g_states = std::make_shared<service::StateHolder>(db, 64);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const bool json = data[0] & 1;
  const std::string requests(reinterpret_cast<const char*>(data + 1), size - 1);
  try {
    service::ProcessRequests(g_states, requests, json);
  } catch (const apache::thrift::TException&) {
    // TProtocolException / TTransportException: the connection would be closed. Expected.
  }
  return 0;
}
