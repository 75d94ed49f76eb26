#include "graph/lookup.h"

#include <algorithm>
#include <string>

#include "graph/error.h"

namespace chainatlas {
namespace {

std::string AsciiLower(std::string_view s) {
  std::string out(s);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::vector<uint32_t> CodePoints(std::string_view s) {
  std::vector<uint32_t> out;
  for (size_t i = 0; i < s.size();) {
    unsigned char c = static_cast<unsigned char>(s[i]);
    size_t len = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : 4;
    uint32_t cp = 0;
    for (size_t k = 0; k < len && i + k < s.size(); ++k)
      cp = (cp << 8) | static_cast<unsigned char>(s[i + k]);
    out.push_back(cp);
    i += len;
  }
  return out;
}

size_t EditDistance(const std::vector<uint32_t>& a, const std::vector<uint32_t>& b) {
  std::vector<size_t> row(b.size() + 1);
  for (size_t j = 0; j <= b.size(); ++j) row[j] = j;
  for (size_t i = 1; i <= a.size(); ++i) {
    size_t diag = row[0];
    row[0] = i;
    for (size_t j = 1; j <= b.size(); ++j) {
      size_t up = row[j];
      row[j] = std::min({row[j] + 1, row[j - 1] + 1, diag + (a[i - 1] == b[j - 1] ? 0 : 1)});
      diag = up;
    }
  }
  return row[b.size()];
}

bool KindOk(const Snapshot& s, VertexId v, std::optional<NodeKind> kind) {
  return !kind || s.Kind(v) == *kind;
}

}  // namespace

VertexId ResolveEntity(const Snapshot& s, std::string_view text, std::optional<NodeKind> kind) {
  std::vector<VertexId> found;
  auto add = [&](VertexId v) {
    if (v != kNoVertex && KindOk(s, v, kind) &&
        std::find(found.begin(), found.end(), v) == found.end()) {
      found.push_back(v);
    }
  };
  if (size_t colon = text.find(':'); colon != std::string_view::npos) {
    if (auto k = ParseNodeKind(text.substr(0, colon))) add(s.FindKey(*k, text.substr(colon + 1)));
  }
  if (found.empty()) {
    for (NodeKind k : kAllNodeKinds) add(s.FindKey(k, text));
    add(s.FindUscc(text));
    for (VertexId v : s.FindName(text)) add(v);
  }
  if (found.empty()) {
    // Keys and USCCs whatever their case (e0013 is E0013; kind prefixes too), when nothing
    // matches exactly: a scan, only on a miss.
    std::string_view key = text;
    std::optional<NodeKind> prefixed;
    if (size_t colon = text.find(':'); colon != std::string_view::npos) {
      if (auto k = ParseNodeKind(AsciiLower(text.substr(0, colon)))) {
        prefixed = k;
        key = text.substr(colon + 1);
      }
    }
    const std::string lower = AsciiLower(key);
    for (VertexId v = 0; v < s.NumVertices() && !lower.empty(); ++v) {
      if (prefixed && s.Kind(v) != *prefixed) continue;
      if (AsciiLower(s.Key(v)) == lower ||
          (s.Kind(v) == NodeKind::kEnterprise && AsciiLower(s.Enterprise(v).uscc) == lower)) {
        add(v);
      }
    }
  }
  if (found.size() == 1) return found[0];
  std::string what = kind ? std::string(NodeKindName(*kind)) : "entity";
  if (found.empty()) {
    throw Error(ErrorCode::kNotFound,
                Msg("lookup.not_found", {{"what", what}, {"text", std::string(text)}}),
                ClosestEntities(s, text, 5, kind));
  }
  std::vector<std::string> labels;
  for (VertexId v : found) labels.push_back(s.Label(v) + " " + std::string(s.Name(v)));
  throw Error(ErrorCode::kInvalidArgument,
              Msg("lookup.ambiguous",
                  {{"text", std::string(text)}, {"count", std::to_string(found.size())}}),
              labels);
}

std::vector<VertexId> SearchEntities(const Snapshot& s, std::string_view text, size_t limit,
                                     std::optional<NodeKind> kind) {
  const std::string needle = AsciiLower(text);
  std::vector<std::pair<std::tuple<int, size_t, VertexId>, VertexId>> hits;
  if (needle.empty()) return {};
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (!KindOk(s, v, kind)) continue;
    bool exact = s.Key(v) == text || s.Name(v) == text ||
                 (s.Kind(v) == NodeKind::kEnterprise && s.Enterprise(v).uscc == text);
    if (exact || AsciiLower(s.Name(v)).find(needle) != std::string::npos) {
      hits.push_back({{exact ? 0 : 1, s.Name(v).size(), v}, v});
    }
  }
  std::sort(hits.begin(), hits.end());
  std::vector<VertexId> out;
  for (size_t i = 0; i < hits.size() && i < limit; ++i) out.push_back(hits[i].second);
  return out;
}

std::vector<std::string> ClosestEntities(const Snapshot& s, std::string_view text, size_t limit,
                                         std::optional<NodeKind> kind) {
  std::vector<std::pair<size_t, VertexId>> scored;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (!KindOk(s, v, kind)) continue;
    scored.emplace_back(std::min(TypingDistance(text, s.Name(v)), TypingDistance(text, s.Key(v))),
                        v);
  }
  size_t k = std::min(limit, scored.size());
  std::partial_sort(scored.begin(), scored.begin() + k, scored.end());
  std::vector<std::string> out;
  for (size_t i = 0; i < k; ++i) {
    out.push_back(s.Label(scored[i].second) + " " + std::string(s.Name(scored[i].second)));
  }
  return out;
}

size_t TypingDistance(std::string_view query, std::string_view candidate) {
  // A candidate containing the query is as close as a one-character typo.
  if (!query.empty() && candidate.find(query) != std::string_view::npos) {
    return candidate.size() == query.size() ? 0 : 1;
  }
  return EditDistance(CodePoints(query), CodePoints(candidate));
}

bool CloseEnough(std::string_view query, size_t d) {
  return d <= 1 || 3 * d <= CodePoints(query).size();
}

}  // namespace chainatlas
