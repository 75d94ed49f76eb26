// The Thrift handler (server/chainatlas.thrift): converts each request, calls one Engine function
// on the current state (or takes the answer from the state's cache) and converts the answer back
// into the IDL's structs. Every error becomes the IDL's exception; the handler never throws
// anything else.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "ChainAtlas.h"
#include "server/state.h"

namespace chainatlas::service {

// The handler behind both ports. `admin_token` guards reload (empty: reload is refused); `log`
// receives the reload lines.
std::shared_ptr<rpc::ChainAtlasIf> MakeHandler(std::shared_ptr<StateHolder> states,
                                               std::string admin_token, std::string version,
                                               std::ostream& log);

// Constant-time comparison of a presented token with the expected one (never equal when the
// expected one is empty).
bool TokenMatches(const std::string& expected, const std::string& presented);

}  // namespace chainatlas::service
