#include "matcher/leaders.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "matcher/louvain.h"

namespace chainatlas::matcher {
namespace {

bool InRegion(const Snapshot& s, VertexId region, VertexId v) {
  return region == kNoVertex || s.regions().Within(v, region);
}

std::string Fixed2(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.2f", v);
  return buf;
}

}  // namespace

LeadersResult ChainLeaders(const Analytics& a, const Filters& f) {
  const Snapshot& s = a.snapshot();
  CheckFilters(s, f);
  const Scorer& scorer = FindScorer(f.scorer);
  LeadersResult result;
  result.region = f.within;
  result.track = f.track;

  struct Candidate {
    VertexId e;
    std::vector<VertexId> segments;
    size_t dependants = 0;
    double share = 0;
    VertexId share_segment = kNoVertex;
    std::vector<VertexId> dependant_sample;
  };
  std::vector<Candidate> cands;
  std::vector<VertexId> pool;
  if (f.within != kNoVertex) {
    pool = s.regions().MembersWithin(f.within);
  } else {
    for (VertexId v = 0; v < s.NumVertices(); ++v) pool.push_back(v);
  }
  for (VertexId e : pool) {
    if (s.Kind(e) != NodeKind::kEnterprise) continue;
    Candidate c{e, {}, 0, 0, kNoVertex, {}};
    for (const SegmentShare& x : SegmentsOf(s, e)) {
      if (PassesTrack(s, f, x.segment)) c.segments.push_back(x.segment);
    }
    if (c.segments.empty()) continue;
    std::sort(c.segments.begin(), c.segments.end());
    c.segments.erase(std::unique(c.segments.begin(), c.segments.end()), c.segments.end());
    std::set<VertexId> deps;
    for (VertexId seg : c.segments) {
      for (VertexId out : s.Out(seg, EdgeKind::kSupplies).Vertices()) {
        for (const Producer& p : ProducersOf(s, out)) {
          if (p.enterprise != e && InRegion(s, f.within, p.enterprise)) deps.insert(p.enterprise);
        }
      }
      // Its share of the local producers of this segment.
      std::vector<VertexId> local;
      for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
        for (VertexId p : s.In(seg, k).Vertices()) {
          if (InRegion(s, f.within, p)) local.push_back(p);
        }
      }
      std::sort(local.begin(), local.end());
      local.erase(std::unique(local.begin(), local.end()), local.end());
      if (local.empty()) continue;
      double total = 0;
      bool all_known = true;
      for (VertexId p : local) {
        double r = s.Enterprise(p).revenue;
        if (std::isnan(r) || r <= 0) all_known = false;
        else total += r;
      }
      double share = all_known && total > 0 ? s.Enterprise(e).revenue / total
                                            : 1.0 / static_cast<double>(local.size());
      if (share > c.share) {
        c.share = share;
        c.share_segment = seg;
      }
    }
    for (VertexId cust : s.Out(e, EdgeKind::kTradesWith).Vertices()) {
      if (InRegion(s, f.within, cust)) deps.insert(cust);
    }
    c.dependants = deps.size();
    for (VertexId d : deps) {
      if (c.dependant_sample.size() >= 3) break;
      c.dependant_sample.push_back(d);
    }
    cands.push_back(std::move(c));
  }
  result.candidates = cands.size();
  if (cands.empty()) return result;

  const std::vector<double>& rank = a.SupplyRank();
  double best_rank = 0;
  size_t most_deps = 0;
  for (const Candidate& c : cands) {
    best_rank = std::max(best_rank, rank[c.e]);
    most_deps = std::max(most_deps, c.dependants);
  }
  for (const Candidate& c : cands) {
    Item item;
    item.entity = c.e;
    item.via = c.segments;
    bool declared = s.Enterprise(c.e).HasTag(EnterpriseTag::kChainLeader);
    ApplyScorer(scorer, "leaders",
                {{"pagerank", best_rank > 0 ? rank[c.e] / best_rank : 0},
                 {"dependants", most_deps ? static_cast<double>(c.dependants) / most_deps : 0},
                 {"share", c.share},
                 {"declared", declared ? 1.0 : 0.0}},
                item);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.3g", rank[c.e]);
    item.why.push_back(std::string("supply-network PageRank ") + buf);
    if (c.dependants) {
      std::string names;
      for (size_t i = 0; i < c.dependant_sample.size(); ++i) {
        names += (i ? ", " : "") + std::string(s.Name(c.dependant_sample[i]));
      }
      item.why.push_back(std::to_string(c.dependants) + " enterprise" +
                         (c.dependants > 1 ? "s" : "") +
                         (f.within != kNoVertex ? " in the region" : "") + " depend on it (" +
                         names + (c.dependants > 3 ? ", …" : "") + ")");
    }
    if (c.share_segment != kNoVertex) {
      item.why.push_back("share " + Fixed2(c.share) + " of the " +
                         (f.within != kNoVertex ? std::string("local ") : std::string()) +
                         "producers of " + std::string(s.Name(c.share_segment)));
    }
    if (declared) item.why.push_back("declared chain leader (链主)");
    result.items.push_back(std::move(item));
  }
  RankItems(s, result.items, f.top);
  return result;
}

ClustersResult Clusters(const Snapshot& s, VertexId region, uint64_t seed) {
  ClustersResult r;
  r.region = region;
  // Compact ids for the enterprises of the region.
  std::vector<VertexId> members;
  std::unordered_map<VertexId, uint32_t> index;
  for (VertexId v = 0; v < s.NumVertices(); ++v) {
    if (s.Kind(v) == NodeKind::kEnterprise && InRegion(s, region, v)) {
      index[v] = static_cast<uint32_t>(members.size());
      members.push_back(v);
    }
  }
  std::vector<uint32_t> src, dst;
  std::vector<float> w;
  auto add = [&](VertexId a, VertexId b, double weight) {
    auto ia = index.find(a), ib = index.find(b);
    if (ia == index.end() || ib == index.end() || a == b || weight <= 0) return;
    src.push_back(ia->second);
    dst.push_back(ib->second);
    w.push_back(static_cast<float>(weight));
  };
  for (VertexId a : members) {
    for (EdgeKind k : {EdgeKind::kTradesWith, EdgeKind::kCooperates, EdgeKind::kInvests}) {
      for (Neighbor nb : s.Out(a, k)) add(a, nb.vertex, nb.weight);
    }
  }
  // Implied supply ties, segment pair by segment pair.
  for (VertexId seg = 0; seg < s.NumVertices(); ++seg) {
    if (s.Kind(seg) != NodeKind::kSegment) continue;
    auto makers = [&](VertexId x) {
      std::vector<std::pair<VertexId, double>> out;
      // Makers, and members of an industry segment at half weight (as SegmentsOf counts them).
      for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
        const double scale = k == EdgeKind::kMemberOf ? 0.5 : 1.0;
        for (Neighbor p : s.In(x, k)) {
          if (index.count(p.vertex)) out.push_back({p.vertex, scale * (p.weight > 0 ? p.weight : 1.0)});
        }
      }
      return out;
    };
    auto from = makers(seg);
    if (from.empty()) continue;
    for (Neighbor out : s.Out(seg, EdgeKind::kSupplies)) {
      auto to = makers(out.vertex);
      if (to.empty() || from.size() * to.size() > kMaxImpliedPairs) continue;
      for (const auto& [a, sa] : from) {
        for (const auto& [b, sb] : to) add(a, b, out.weight * sa * sb);
      }
    }
  }
  // Leave out enterprises without any tie, then number the rest densely.
  std::vector<char> tied(members.size(), 0);
  for (size_t i = 0; i < src.size(); ++i) tied[src[i]] = tied[dst[i]] = 1;
  std::vector<uint32_t> keep_index(members.size(), UINT32_MAX);
  std::vector<VertexId> kept;
  for (uint32_t i = 0; i < members.size(); ++i) {
    if (tied[i]) {
      keep_index[i] = static_cast<uint32_t>(kept.size());
      kept.push_back(members[i]);
    }
  }
  for (size_t i = 0; i < src.size(); ++i) {
    src[i] = keep_index[src[i]];
    dst[i] = keep_index[dst[i]];
  }
  WeightedCsr compact = Symmetrised(BuildCsr(static_cast<uint32_t>(kept.size()), src, dst, w));
  r.enterprises = kept.size();
  r.edges = compact.NumEdges() / 2;
  if (kept.empty()) return r;
  LouvainOptions lo;
  lo.seed = seed;
  LouvainResult lr = Louvain(compact, lo);
  r.modularity = lr.modularity;
  r.levels = lr.levels;
  std::vector<Community> comms(lr.communities);
  std::vector<double> degree(kept.size(), 0);
  for (uint32_t u = 0; u < compact.n; ++u) {
    for (uint32_t k = compact.offsets[u]; k < compact.offsets[u + 1]; ++k) {
      degree[u] += compact.weights[k];
      if (lr.community[u] == lr.community[compact.targets[k]]) {
        comms[lr.community[u]].internal_weight += compact.weights[k] / 2;
      }
    }
  }
  for (uint32_t u = 0; u < kept.size(); ++u) comms[lr.community[u]].members.push_back(u);
  for (uint32_t c = 0; c < comms.size(); ++c) {
    comms[c].id = c;
    auto& m = comms[c].members;
    std::stable_sort(m.begin(), m.end(), [&](uint32_t x, uint32_t y) { return degree[x] > degree[y]; });
    std::map<VertexId, size_t> segs;
    for (uint32_t& x : m) {
      x = kept[x];
      for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
        for (VertexId seg : s.Out(x, k).Vertices()) segs[seg]++;
      }
    }
    comms[c].segments.assign(segs.begin(), segs.end());
    std::stable_sort(comms[c].segments.begin(), comms[c].segments.end(),
                     [](const auto& x, const auto& y) { return x.second > y.second; });
  }
  std::stable_sort(comms.begin(), comms.end(), [](const Community& x, const Community& y) {
    return x.members.size() > y.members.size();
  });
  r.communities = std::move(comms);
  return r;
}

}  // namespace chainatlas::matcher
