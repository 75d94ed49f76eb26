#include "matcher/local_rank.h"

#include <deque>
#include <memory>
#include <vector>

#include "graph/huge_pages.h"

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

// Per-thread dense scratch, sized to the largest snapshot seen, its scores and flags left zero
// after each call (only the touched entries are reset), so a query costs what it touches, not the
// graph's size. One cell per vertex: a push reads and writes a neighbour's residual, degree and
// flags together, in one cache line. The degrees are the snapshot's push degrees, copied in once
// per snapshot and thread (a push then never reads the degree table: one cache miss fewer for
// every vertex it touches).
struct Cell {
  double p = 0, r = 0;
  uint32_t degree = 0;
  uint32_t state = 0;  // kTouched | kQueued
};
constexpr uint32_t kTouched = 1, kQueued = 2;
struct Scratch {
  std::vector<Cell> cells;
  std::vector<VertexId> touched;
  std::weak_ptr<const void> degrees_of;  // the degree table the cells' degrees were copied from
  void Fit(const std::shared_ptr<const std::vector<uint32_t>>& degrees) {
    const bool same = !degrees_of.expired() && !degrees_of.owner_before(degrees) &&
                      !degrees.owner_before(degrees_of);
    if (same) return;
    GrowHuge(cells, degrees->size());
    for (size_t v = 0; v < degrees->size(); ++v) cells[v].degree = (*degrees)[v];
    degrees_of = degrees;
  }
};

// The push degree table of s (PushDegrees), shared with the snapshot's slot.
std::shared_ptr<const std::vector<uint32_t>> DegreeTable(const Snapshot& s) {
  std::shared_ptr<const void> d = s.Derived(kPushDegreeSlot, [&] {
    auto table = std::make_shared<std::vector<uint32_t>>(s.NumVertices());
    for (VertexId v = 0; v < s.NumVertices(); ++v) {
      (*table)[v] = static_cast<uint32_t>(Degree(s, v));
    }
    return std::static_pointer_cast<const void>(
        std::shared_ptr<const std::vector<uint32_t>>(std::move(table)));
  });
  return std::static_pointer_cast<const std::vector<uint32_t>>(d);
}

}  // namespace

const std::vector<uint32_t>& PushDegrees(const Snapshot& s) {
  // The reference stays valid as long as the snapshot (its slot keeps the table).
  return *DegreeTable(s);
}

std::unordered_map<VertexId, double> LocalPageRank(const Snapshot& s, VertexId seed,
                                                   const LocalRankOptions& o) {
  thread_local Scratch w;
  w.Fit(DegreeTable(s));
  w.touched.clear();
  auto touch = [&](VertexId v) -> Cell& {
    Cell& c = w.cells[v];
    if (!(c.state & kTouched)) {
      c.state = kTouched;
      w.touched.push_back(v);
    }
    return c;
  };
  std::deque<VertexId> queue;
  {
    Cell& c = touch(seed);
    c.r = 1.0;
    c.state |= kQueued;
  }
  queue.push_back(seed);
  while (!queue.empty()) {
    VertexId u = queue.front();
    queue.pop_front();
    Cell& cu = touch(u);
    cu.state &= ~kQueued;
    const double ru = cu.r;
    const double du = static_cast<double>(cu.degree);
    if (du == 0) {  // an isolated seed keeps its mass
      cu.p += ru;
      cu.r = 0;
      continue;
    }
    if (ru < o.epsilon * du) continue;
    cu.p += o.alpha * ru;
    cu.r = 0;
    const double share = (1.0 - o.alpha) * ru / du;
    ForEachNeighbor(s, u, [&](VertexId v) {
      Cell& cv = touch(v);
      const double dv = static_cast<double>(cv.degree);
      cv.r += share;
      if (!(cv.state & kQueued) && cv.r >= o.epsilon * dv) {
        cv.state |= kQueued;
        queue.push_back(v);
      }
    });
  }
  // Reserved for the pushed vertices only: a push touches many more (every neighbour of a hub),
  // and a table sized for those would be megabytes to allocate and clear.
  size_t pushed = 0;
  for (VertexId v : w.touched) pushed += w.cells[v].p > 0;
  std::unordered_map<VertexId, double> scores;
  scores.reserve(pushed);
  for (VertexId v : w.touched) {
    Cell& c = w.cells[v];
    if (c.p > 0) scores.emplace(v, c.p);
    c.p = c.r = 0;
    c.state = 0;
  }
  return scores;
}

}  // namespace chainatlas::matcher
