#include "matcher/local_rank.h"

#include <deque>

namespace chainatlas::matcher {
namespace {

// Calls f(neighbour) for every relation of v except part_of, in both directions.
template <typename F>
void ForEachNeighbor(const Snapshot& s, VertexId v, F&& f) {
  auto out = s.OutAll(v);
  auto out_ids = out.Vertices();
  for (uint32_t i = 0; i < out_ids.size(); ++i) {
    if (s.ForwardEdgeKind(out.first_edge() + i) != EdgeKind::kPartOf) f(out_ids[i]);
  }
  auto in = s.InAll(v);
  auto in_ids = in.Vertices();
  for (uint32_t i = 0; i < in_ids.size(); ++i) {
    if (s.ReverseEdgeKind(in.first_edge() + i) != EdgeKind::kPartOf) f(in_ids[i]);
  }
}

size_t Degree(const Snapshot& s, VertexId v) {
  return s.OutAll(v).size() + s.InAll(v).size() - s.Out(v, EdgeKind::kPartOf).size() -
         s.In(v, EdgeKind::kPartOf).size();
}

}  // namespace

std::unordered_map<VertexId, double> LocalPageRank(const Snapshot& s, VertexId seed,
                                                   const LocalRankOptions& o) {
  std::unordered_map<VertexId, double> p, r;
  std::unordered_map<VertexId, size_t> degree;
  auto deg = [&](VertexId v) {
    auto it = degree.find(v);
    if (it != degree.end()) return it->second;
    return degree.emplace(v, Degree(s, v)).first->second;
  };
  std::deque<VertexId> queue;
  std::unordered_map<VertexId, bool> queued;
  r[seed] = 1.0;
  queue.push_back(seed);
  queued[seed] = true;
  while (!queue.empty()) {
    VertexId u = queue.front();
    queue.pop_front();
    queued[u] = false;
    double ru = r[u];
    size_t du = deg(u);
    if (du == 0) {  // an isolated seed keeps its mass
      p[u] += ru;
      r[u] = 0;
      continue;
    }
    if (ru < o.epsilon * static_cast<double>(du)) continue;
    p[u] += o.alpha * ru;
    r[u] = 0;
    double share = (1.0 - o.alpha) * ru / static_cast<double>(du);
    ForEachNeighbor(s, u, [&](VertexId v) {
      double& rv = r[v];
      rv += share;
      if (!queued[v] && rv >= o.epsilon * static_cast<double>(deg(v))) {
        queued[v] = true;
        queue.push_back(v);
      }
    });
  }
  return p;
}

}  // namespace chainatlas::matcher
