// Finding entities the way users name them: "kind:key", a key, a USCC or an exact name; and
// substring search over names.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "graph/snapshot.h"

namespace chainatlas {

// The vertex `text` names, optionally restricted to one kind. Throws Error(kNotFound) listing
// the closest names when nothing matches, and Error(kInvalidArgument) listing the candidates
// (as "kind:key") when several entities match.
VertexId ResolveEntity(const Snapshot& snapshot, std::string_view text,
                       std::optional<NodeKind> kind = std::nullopt);

// Vertices whose name contains `text` (ASCII letters compared without case), or whose key or
// USCC equals it; exact matches first, then by name length, then id. At most `limit`.
std::vector<VertexId> SearchEntities(const Snapshot& snapshot, std::string_view text, size_t limit,
                                     std::optional<NodeKind> kind = std::nullopt);

// "kind:key name" of up to `limit` vertices whose names or keys are closest to `text` (edit
// distance over code points), for "did you mean" messages.
std::vector<std::string> ClosestEntities(const Snapshot& snapshot, std::string_view text,
                                         size_t limit, std::optional<NodeKind> kind = std::nullopt);

// How far `candidate` is from what a user typed: the edit distance over code points, at most 1
// when the candidate contains the query (endo.cmos → endo.cmos_sensor). For "did you mean".
size_t TypingDistance(std::string_view query, std::string_view candidate);

// Whether a candidate at TypingDistance d is close enough to `query` to be offered as what the
// user meant: d ≤ 1, or d ≤ a third of the query's code points.
bool CloseEnough(std::string_view query, size_t d);

}  // namespace chainatlas
