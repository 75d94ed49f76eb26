// The Thrift handler (server/chainatlas.thrift): converts each request, calls one Engine function
// on the current state (or takes the answer from the state's cache) and converts the answer back
// into the IDL's structs. Every error becomes the IDL's exception; the handler never throws
// anything else.
#pragma once

#include <array>
#include <iosfwd>
#include <memory>
#include <string>
#include <string_view>

#include "ChainAtlas.h"
#include "server/state.h"

namespace chainatlas::service {

// The methods whose answers the handler caches per state. The handler names a cached method only
// through this table (its key starts with the name), and the binary port keeps whole replies for
// exactly these methods (server/transport.cc): adding a cached method is one row here.
enum class CachedMethod { kPartners, kPairings, kTargets, kLeaders, kRecommend };
inline constexpr std::array<std::string_view, 5> kCachedMethodNames = {
    "partners", "pairings", "targets", "leaders", "recommend"};
constexpr std::string_view Name(CachedMethod m) {
  return kCachedMethodNames[static_cast<size_t>(m)];
}
bool IsCachedMethod(std::string_view method);

// The handler behind both ports. `admin_token` guards reload (empty: reload is refused); `log`
// receives the reload lines.
std::shared_ptr<rpc::ChainAtlasIf> MakeHandler(std::shared_ptr<StateHolder> states,
                                               std::string admin_token, std::string version,
                                               std::ostream& log);

// Constant-time comparison of a presented token with the expected one (never equal when the
// expected one is empty).
bool TokenMatches(const std::string& expected, const std::string& presented);

}  // namespace chainatlas::service
