// Building, transposing and symmetrising compressed sparse rows (see csr.h).
#include "kernels/csr.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>
#include <thread>
#include <utility>

#include "graph/error.h"

namespace chainatlas::kernels {
namespace {

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// Offsets from per-vertex counts (counts[v] becomes the start of row v; returns n + 1 offsets).
std::vector<uint32_t> OffsetsFromCounts(const std::vector<uint32_t>& counts) {
  std::vector<uint32_t> offsets(counts.size() + 1);
  uint32_t sum = 0;
  for (size_t v = 0; v < counts.size(); ++v) {
    offsets[v] = sum;
    sum += counts[v];
  }
  offsets[counts.size()] = sum;
  return offsets;
}

}  // namespace

WeightedCsr BuildCsr(uint32_t n, const std::vector<uint32_t>& src, const std::vector<uint32_t>& dst,
                     const std::vector<float>& weight) {
  if (src.size() != dst.size()) {
    Invalid("BuildCsr: " + std::to_string(src.size()) + " sources but " +
            std::to_string(dst.size()) + " targets");
  }
  if (!weight.empty() && weight.size() != src.size()) {
    Invalid("BuildCsr: " + std::to_string(weight.size()) + " weights for " +
            std::to_string(src.size()) + " edges");
  }
  if (src.size() >= std::numeric_limits<uint32_t>::max()) {
    Invalid("BuildCsr: too many edges (" + std::to_string(src.size()) + ")");
  }
  const size_t m = src.size();
  for (size_t i = 0; i < m; ++i) {
    if (src[i] >= n || dst[i] >= n) {
      Invalid("BuildCsr: edge " + std::to_string(i) + " (" + std::to_string(src[i]) + " -> " +
              std::to_string(dst[i]) + ") has a vertex id >= n = " + std::to_string(n));
    }
    if (!weight.empty() && !(std::isfinite(weight[i]) && weight[i] >= 0)) {
      Invalid("BuildCsr: edge " + std::to_string(i) + " has weight " + std::to_string(weight[i]) +
              " (weights must be finite and >= 0)");
    }
  }

  // Counting sort by source keeps the input order within each row, so the rows come out sorted
  // (and duplicates summed) in an order that depends on the input only.
  std::vector<uint32_t> counts(n, 0);
  for (uint32_t s : src) counts[s]++;
  std::vector<uint32_t> start = OffsetsFromCounts(counts);
  std::vector<uint32_t> row_target(m);
  std::vector<float> row_weight(m);
  {
    std::vector<uint32_t> next(start.begin(), start.end() - 1);
    for (size_t i = 0; i < m; ++i) {
      uint32_t at = next[src[i]]++;
      row_target[at] = dst[i];
      row_weight[at] = weight.empty() ? 1.0f : weight[i];
    }
  }

  WeightedCsr g;
  g.n = n;
  g.offsets.assign(size_t{n} + 1, 0);
  g.targets.reserve(m);
  g.weights.reserve(m);
  std::vector<std::pair<uint32_t, float>> row;
  for (uint32_t v = 0; v < n; ++v) {
    const uint32_t begin = start[v], end = start[v + 1];
    bool strictly_sorted = true;
    for (uint32_t e = begin + 1; e < end && strictly_sorted; ++e) {
      strictly_sorted = row_target[e - 1] < row_target[e];
    }
    if (strictly_sorted) {
      g.targets.insert(g.targets.end(), row_target.begin() + begin, row_target.begin() + end);
      g.weights.insert(g.weights.end(), row_weight.begin() + begin, row_weight.begin() + end);
    } else {
      row.clear();
      for (uint32_t e = begin; e < end; ++e) row.emplace_back(row_target[e], row_weight[e]);
      std::stable_sort(row.begin(), row.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t i = 0; i < row.size();) {
        size_t j = i;
        double sum = 0;  // summed in input order, in double, then rounded once
        for (; j < row.size() && row[j].first == row[i].first; ++j) sum += row[j].second;
        g.targets.push_back(row[i].first);
        g.weights.push_back(static_cast<float>(sum));
        i = j;
      }
    }
    g.offsets[v + 1] = static_cast<uint32_t>(g.targets.size());
  }
  g.targets.shrink_to_fit();
  g.weights.shrink_to_fit();
  return g;
}

WeightedCsr Transposed(const WeightedCsr& g) {
  CheckCsr(g, "Transposed");
  std::vector<uint32_t> counts(g.n, 0);
  for (uint32_t t : g.targets) counts[t]++;
  WeightedCsr t;
  t.n = g.n;
  t.offsets = OffsetsFromCounts(counts);
  t.targets.resize(g.NumEdges());
  t.weights.resize(g.NumEdges());
  std::vector<uint32_t> next(t.offsets.begin(), t.offsets.end() - 1);
  for (uint32_t u = 0; u < g.n; ++u) {
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      uint32_t at = next[g.targets[e]]++;
      t.targets[at] = u;  // u ascends, so every row comes out sorted
      t.weights[at] = g.weights[e];
    }
  }
  return t;
}

WeightedCsr Symmetrised(const WeightedCsr& g) {
  const WeightedCsr r = Transposed(g);
  WeightedCsr s;
  s.n = g.n;
  s.offsets.assign(size_t{g.n} + 1, 0);
  s.targets.reserve(2 * g.NumEdges());
  s.weights.reserve(2 * g.NumEdges());
  // Row u is the sorted merge of u's out-row and in-row; a target in both gets the sum. A
  // self-loop is in both, so its weight doubles.
  for (uint32_t u = 0; u < g.n; ++u) {
    uint32_t a = g.offsets[u], a_end = g.offsets[u + 1];
    uint32_t b = r.offsets[u], b_end = r.offsets[u + 1];
    while (a < a_end || b < b_end) {
      if (b == b_end || (a < a_end && g.targets[a] < r.targets[b])) {
        s.targets.push_back(g.targets[a]);
        s.weights.push_back(g.weights[a++]);
      } else if (a == a_end || r.targets[b] < g.targets[a]) {
        s.targets.push_back(r.targets[b]);
        s.weights.push_back(r.weights[b++]);
      } else {
        s.targets.push_back(g.targets[a]);
        s.weights.push_back(static_cast<float>(double{g.weights[a++]} + double{r.weights[b++]}));
      }
    }
    s.offsets[u + 1] = static_cast<uint32_t>(s.targets.size());
  }
  s.targets.shrink_to_fit();
  s.weights.shrink_to_fit();
  return s;
}

void CheckCsr(const WeightedCsr& g, const char* who) {
  const std::string name(who);
  if (g.offsets.size() != size_t{g.n} + 1) {
    Invalid(name + ": the graph has " + std::to_string(g.offsets.size()) + " offsets for " +
            std::to_string(g.n) + " vertices (needs n + 1)");
  }
  if (g.offsets.front() != 0 || g.offsets.back() != g.targets.size()) {
    Invalid(name + ": offsets must run from 0 to the number of edges");
  }
  if (g.weights.size() != g.targets.size()) {
    Invalid(name + ": " + std::to_string(g.weights.size()) + " weights for " +
            std::to_string(g.targets.size()) + " edges");
  }
  for (uint32_t v = 0; v < g.n; ++v) {
    if (g.offsets[v] > g.offsets[v + 1]) Invalid(name + ": offsets decrease");
  }
  for (uint32_t t : g.targets) {
    if (t >= g.n) Invalid(name + ": edge target " + std::to_string(t) + " >= n");
  }
}

bool IsSymmetric(const WeightedCsr& g) {
  if (g.offsets.size() != size_t{g.n} + 1) return false;
  // Visiting u in ascending order, the edges (u, v) must meet row v's entries in order, since
  // rows are sorted: next[v] is the first entry of row v not yet matched.
  std::vector<uint32_t> next(g.offsets.begin(), g.offsets.end() - 1);
  for (uint32_t u = 0; u < g.n; ++u) {
    for (uint32_t e = g.offsets[u]; e < g.offsets[u + 1]; ++e) {
      const uint32_t v = g.targets[e];
      const uint32_t at = next[v]++;
      if (at >= g.offsets[v + 1] || g.targets[at] != u || g.weights[at] != g.weights[e]) {
        return false;
      }
    }
  }
  return true;
}

int ResolveThreads(int requested) {
  if (requested > 0) return requested;
  return std::max(1u, std::thread::hardware_concurrency());
}

std::vector<uint32_t> PartitionByEdges(const WeightedCsr& g, int parts) {
  parts = std::max(parts, 1);
  // Work before vertex v is v + offsets[v], non-decreasing in v: cut where it crosses each
  // multiple of total / parts.
  const double total = static_cast<double>(g.n) +
                       static_cast<double>(g.offsets.empty() ? 0 : g.offsets.back());
  std::vector<uint32_t> bounds{0};
  for (int i = 1; i < parts; ++i) {
    const double goal = total * i / parts;
    uint32_t lo = bounds.back(), hi = g.n;
    while (lo < hi) {
      uint32_t mid = lo + (hi - lo) / 2;
      if (static_cast<double>(mid) + g.offsets[mid] < goal) {
        lo = mid + 1;
      } else {
        hi = mid;
      }
    }
    if (lo > bounds.back() && lo < g.n) bounds.push_back(lo);
  }
  if (g.n > 0 || bounds.size() == 1) bounds.push_back(g.n);
  return bounds;
}

}  // namespace chainatlas::kernels
