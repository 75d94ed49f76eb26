#include "matcher/local_rank.h"

#include <deque>
#include <vector>

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

// Per-thread dense scratch, sized to the largest snapshot seen and left all-zero after each call
// (only the touched entries are reset), so a query costs what it touches, not the graph's size.
struct Scratch {
  std::vector<double> p, r;
  std::vector<uint32_t> degree;  // 0: not computed yet; else degree + 1
  std::vector<char> queued;
  std::vector<VertexId> touched;
  void Fit(size_t n) {
    if (p.size() >= n) return;
    p.resize(n, 0);
    r.resize(n, 0);
    degree.resize(n, 0);
    queued.resize(n, 0);
  }
};

}  // namespace

std::unordered_map<VertexId, double> LocalPageRank(const Snapshot& s, VertexId seed,
                                                   const LocalRankOptions& o) {
  thread_local Scratch w;
  w.Fit(s.NumVertices());
  w.touched.clear();
  auto touch = [&](VertexId v) {
    if (w.degree[v] == 0) {
      w.degree[v] = static_cast<uint32_t>(Degree(s, v)) + 1;
      w.touched.push_back(v);
    }
    return static_cast<double>(w.degree[v] - 1);
  };
  std::deque<VertexId> queue;
  touch(seed);
  w.r[seed] = 1.0;
  queue.push_back(seed);
  w.queued[seed] = 1;
  while (!queue.empty()) {
    VertexId u = queue.front();
    queue.pop_front();
    w.queued[u] = 0;
    const double ru = w.r[u];
    const double du = touch(u);
    if (du == 0) {  // an isolated seed keeps its mass
      w.p[u] += ru;
      w.r[u] = 0;
      continue;
    }
    if (ru < o.epsilon * du) continue;
    w.p[u] += o.alpha * ru;
    w.r[u] = 0;
    const double share = (1.0 - o.alpha) * ru / du;
    ForEachNeighbor(s, u, [&](VertexId v) {
      const double dv = touch(v);
      double& rv = w.r[v];
      rv += share;
      if (!w.queued[v] && rv >= o.epsilon * dv) {
        w.queued[v] = 1;
        queue.push_back(v);
      }
    });
  }
  std::unordered_map<VertexId, double> scores;
  scores.reserve(w.touched.size());
  for (VertexId v : w.touched) {
    if (w.p[v] > 0) scores.emplace(v, w.p[v]);
    w.p[v] = w.r[v] = 0;
    w.degree[v] = 0;
    w.queued[v] = 0;
  }
  return scores;
}

}  // namespace chainatlas::matcher
