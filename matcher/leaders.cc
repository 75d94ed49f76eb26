#include "matcher/leaders.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>
#include <string_view>
#include <unordered_map>

#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "kernels/louvain.h"
#include "matcher/registry.h"

namespace chainatlas::matcher {
namespace {

bool InRegion(const Snapshot& s, VertexId region, VertexId v) {
  return region == kNoVertex || s.regions().Within(v, region);
}

// A segment is an intermediary's (trade, distribution, logistics, supply-chain services, retail)
// when its name, an ancestor's or its track's holds one of these cues (leaders.h).
constexpr std::string_view kIntermediaryCues[] = {"贸易", "商贸", "供应链", "物流", "仓储", "经销",
                                                  "分销", "批发", "零售",   "电商", "配送", "渠道"};

bool HasIntermediaryCue(std::string_view name) {
  for (std::string_view cue : kIntermediaryCues) {
    if (name.find(cue) != std::string_view::npos) return true;
  }
  return false;
}

class IntermediarySegments {
 public:
  explicit IntermediarySegments(const Snapshot& s) : s_(s) {}
  bool operator()(VertexId seg) {
    auto it = memo_.find(seg);
    if (it != memo_.end()) return it->second;
    bool yes = HasIntermediaryCue(s_.Name(seg));
    if (!yes && s_.Kind(seg) == NodeKind::kSegment) {
      VertexId track = s_.Segment(seg).track;
      if (track != kNoVertex && HasIntermediaryCue(s_.Name(track))) yes = true;
      VertexId parent = s_.Segment(seg).parent;
      if (!yes && parent != kNoVertex && parent != seg) yes = (*this)(parent);
    }
    memo_[seg] = yes;
    return yes;
  }

 private:
  const Snapshot& s_;
  std::unordered_map<VertexId, bool> memo_;
};

// log(1 + x) / log(1 + best), in [0, 1]; 0 where x is unknown or not positive.
double LogRelative(double x, double best) {
  if (!(x > 0) || !(best > 0)) return 0;
  return std::min(1.0, std::log1p(x) / std::log1p(best));
}

}  // namespace

LeadersResult ChainLeaders(const Analytics& a, const Filters& f) {
  const Snapshot& s = a.snapshot();
  const Scorer& scorer = Prepare(s, kNoVertex, NodeKind::kRegion, "region", f);
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
    double maker = 1;    // 1 − its intermediary share
    size_t breadth = 0;  // distinct segments it makes (any track)
  };
  IntermediarySegments intermediary(s);
  // Leaders of a trade or logistics track itself are intermediaries by definition: no discount.
  const bool intermediary_track = f.track != kNoVertex && intermediary(f.track);
  std::vector<Candidate> cands;
  std::vector<VertexId> pool;
  if (f.within != kNoVertex) {
    pool = s.regions().MembersWithin(f.within);
  } else {
    for (VertexId v = 0; v < s.NumVertices(); ++v) pool.push_back(v);
  }
  for (VertexId e : pool) {
    if (s.Kind(e) != NodeKind::kEnterprise) continue;
    Candidate c{e, {}, 0, 0, kNoVertex, {}, 1, 0};
    // Intermediary share: of its industries (member_of) where it has any, of what it makes
    // (weighted by revenue share) otherwise; the larger where it has both.
    double made_share = 0, made_intermediary = 0, industries = 0, industry_intermediary = 0;
    std::vector<VertexId> made;
    for (const SegmentShare& x : SegmentsOf(s, e)) {
      if (PassesTrack(s, f, x.segment)) c.segments.push_back(x.segment);
      made.push_back(x.segment);
      const bool middle = !intermediary_track && intermediary(x.segment);
      if (x.via == EdgeKind::kMemberOf) {
        industries += 1;
        industry_intermediary += middle ? 1 : 0;
      } else {
        made_share += x.share;
        made_intermediary += middle ? x.share : 0;
      }
    }
    if (c.segments.empty()) continue;
    c.maker = 1.0 - std::max(industries > 0 ? industry_intermediary / industries : 0.0,
                             made_share > 0 ? made_intermediary / made_share : 0.0);
    std::sort(made.begin(), made.end());
    c.breadth = static_cast<size_t>(std::unique(made.begin(), made.end()) - made.begin());
    std::sort(c.segments.begin(), c.segments.end());
    c.segments.erase(std::unique(c.segments.begin(), c.segments.end()), c.segments.end());
    std::set<VertexId> deps;
    for (VertexId seg : c.segments) {
      if (!intermediary_track && intermediary(seg)) continue;  // not as a maker
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
        if (std::isnan(r) || r <= 0)
          all_known = false;
        else
          total += r;
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
  // Size: revenue and employees where most candidates report them, else the proxy (breadth).
  size_t reporting = 0;
  double best_revenue = 0, best_employees = 0, best_effective_rank = 0, best_effective_deps = 0;
  size_t most_made = 0;
  for (const Candidate& c : cands) {
    const EnterpriseAttributes& attr = s.Enterprise(c.e);
    bool has_revenue = attr.revenue > 0, has_employees = attr.employees > 0;
    if (has_revenue || has_employees) ++reporting;
    if (has_revenue) best_revenue = std::max(best_revenue, attr.revenue);
    if (has_employees) best_employees = std::max(best_employees, double(attr.employees));
    best_effective_rank = std::max(best_effective_rank, c.maker * rank[c.e]);
    best_effective_deps = std::max(best_effective_deps, c.maker * double(c.dependants));
    most_made = std::max(most_made, c.breadth);
  }
  const bool by_report = 2 * reporting >= cands.size();
  for (const Candidate& c : cands) {
    Item item;
    item.entity = c.e;
    item.via = c.segments;
    const EnterpriseAttributes& attr = s.Enterprise(c.e);
    bool declared = attr.HasTag(EnterpriseTag::kChainLeader);
    bool listed = attr.HasTag(EnterpriseTag::kListed);
    double scale = 0;
    Reason size_fact;
    if (by_report) {
      double sum = 0;
      int known = 0;
      if (attr.revenue > 0) sum += LogRelative(attr.revenue, best_revenue), ++known;
      if (attr.employees > 0) sum += LogRelative(attr.employees, best_employees), ++known;
      scale = known ? sum / known : 0.0;
      size_fact = known
                      ? Reason(listed ? "leaders.size_listed" : "leaders.size").Real("value", scale)
                      : Reason(listed ? "leaders.size_unknown_listed" : "leaders.size_unknown");
    } else {
      scale = LogRelative(double(c.breadth), double(most_made));
      size_fact = Reason(listed ? "leaders.size_proxy_listed" : "leaders.size_proxy")
                      .Real("value", scale)
                      .Count("count", static_cast<int64_t>(c.breadth));
    }
    double size = 0.8 * scale + 0.2 * (listed ? 1.0 : 0.0);
    ApplyScorer(
        scorer, "leaders",
        {{"pagerank", best_effective_rank > 0 ? c.maker * rank[c.e] / best_effective_rank : 0},
         {"dependants",
          best_effective_deps > 0 ? c.maker * double(c.dependants) / best_effective_deps : 0},
         {"share", c.maker * c.share},
         {"size", size},
         {"declared", declared ? 1.0 : 0.0}},
        item);
    item.why.push_back(Reason("leaders.pagerank").Real("value", rank[c.e]));
    const bool local = f.within != kNoVertex;
    if (c.dependants) {
      std::vector<std::string> names;
      for (VertexId d : c.dependant_sample) names.emplace_back(s.Name(d));
      if (c.dependants > 3) names.emplace_back("…");
      item.why.push_back(Reason(local ? "leaders.dependants_local" : "leaders.dependants")
                             .Count("count", static_cast<int64_t>(c.dependants))
                             .List("names", std::move(names)));
    }
    if (c.share_segment != kNoVertex) {
      item.why.push_back(Reason(local ? "leaders.share_local" : "leaders.share")
                             .Real("share", c.share)
                             .Text("segment", std::string(s.Name(c.share_segment))));
    }
    item.why.push_back(std::move(size_fact));
    if (c.maker < 0.995) {
      item.why.push_back(
          Reason("leaders.intermediary").Real("share", 1 - c.maker).Real("weight", c.maker));
    }
    if (declared) item.why.push_back(Reason("leaders.declared"));
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
          if (index.count(p.vertex))
            out.push_back({p.vertex, scale * (p.weight > 0 ? p.weight : 1.0)});
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
  kernels::WeightedCsr compact = kernels::Symmetrised(
      kernels::BuildCsr(static_cast<uint32_t>(kept.size()), src, dst, w));
  r.enterprises = kept.size();
  r.edges = compact.NumEdges() / 2;
  if (kept.empty()) return r;
  kernels::LouvainOptions lo;
  lo.seed = seed;
  kernels::LouvainResult lr = kernels::Louvain(compact, lo);
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
    std::stable_sort(m.begin(), m.end(),
                     [&](uint32_t x, uint32_t y) { return degree[x] > degree[y]; });
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
