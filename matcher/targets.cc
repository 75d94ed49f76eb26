#include "matcher/targets.h"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>
#include <map>
#include <unordered_map>

#include "graph/huge_pages.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "matcher/registry.h"
#include "matcher/topk.h"

namespace chainatlas::matcher {
namespace {

struct Fill {
  const SegmentGap* gap;
  double value;  // priority × share factor
  Producer producer;
};

}  // namespace

namespace {

// The gap segments a region's targets fill: the gaps to act on, by priority.
std::vector<const SegmentGap*> OpenGaps(const Snapshot& s, const GapAnalysis& gaps,
                                        const Filters& f) {
  std::vector<const SegmentGap*> open;
  for (const SegmentGap& g : gaps.segments) {
    if (g.status == SegmentStatus::kStrong || g.status == SegmentStatus::kAbsent) continue;
    if (!PassesTrack(s, f, g.segment)) continue;
    open.push_back(&g);
  }
  std::stable_sort(open.begin(), open.end(),
                   [](const SegmentGap* x, const SegmentGap* y) { return x->score > y->score; });
  return open;
}

// Scoring a candidate from its fills (sorted best first), shared by the exhaustive scorer and the
// top-K path.
struct TargetScoring {
  const Snapshot& s;
  VertexId region;
  const Scorer& scorer;
  // The region's members (RegionTree::MembersWithin), when the caller has marked them: then
  // "x is within the region" is a lookup for an organisation instead of two hash lookups in the
  // region forest (the same answer: an organisation is within the region exactly when it is one of
  // its members).
  const SeenSet* members = nullptr;

  bool Within(VertexId x) const {
    if (members && s.Kind(x) != NodeKind::kRegion) return members->Has(x);
    return s.regions().Within(x, region);
  }

  struct Measured {
    Proximity prox;
    std::vector<VertexId> supplied, tied;
    std::array<Measure, 5> m;
  };
  Measured Measure5(VertexId e, const std::vector<Fill>& list, std::vector<Reason>* facts) const {
    Measured r;
    double segment = std::min(1.0, list.front().value + 0.1 * static_cast<double>(list.size() - 1));
    // Ties: local enterprises it already supplies, local organisations it cooperates with or
    // invests in.
    for (VertexId c : s.Out(e, EdgeKind::kTradesWith).Vertices()) {
      if (Within(c)) r.supplied.push_back(c);
    }
    for (EdgeKind k : {EdgeKind::kCooperates, EdgeKind::kInvests}) {
      for (VertexId x : s.Out(e, k).Vertices()) {
        if (Within(x)) r.tied.push_back(x);
      }
      for (VertexId x : s.In(e, k).Vertices()) {
        if (Within(x)) r.tied.push_back(x);
      }
    }
    std::sort(r.tied.begin(), r.tied.end());
    r.tied.erase(std::unique(r.tied.begin(), r.tied.end()), r.tied.end());
    double ties = std::min(1.0, 0.6 * r.supplied.size() + 0.3 * r.tied.size());
    r.prox = GeoProximity(s, region, e);
    double strength = Quality(s, e, facts);
    double density = list.front().gap->density;
    r.m = {Measure{"segment", segment}, Measure{"strength", strength}, Measure{"ties", ties},
           Measure{"proximity", ProximityValue(r.prox)},
           Measure{"relatedness", std::isnan(density) ? 0.0 : density}};
    return r;
  }
  double Score(VertexId e, const std::vector<Fill>& list) const {
    Measured r = Measure5(e, list, nullptr);
    return ScoreOf(scorer, "targets", r.m.data(), r.m.size());
  }
  // tail(gap): the steps from the gap segment to the local firm (or hospital) that needs it.
  template <typename Tail>
  Item MakeItem(VertexId e, const std::vector<Fill>& list, Tail&& tail) const {
    std::vector<Reason> facts;
    Measured r = Measure5(e, list, &facts);
    Item item;
    item.entity = e;
    for (const Fill& fl : list) item.via.push_back(fl.gap->segment);
    item.score = ScoreOf(scorer, "targets", r.m.data(), r.m.size(), &item.components);

    // Paths: the enterprise makes the gap segment, which local firms need.
    for (const Fill& fl : list) {
      if (item.paths.size() >= Candidates::kMaxPaths) break;
      Path p{e, {}};
      p.Then(fl.producer.via, true, fl.producer.segment);
      if (fl.producer.segment != fl.gap->segment) p.Then(EdgeKind::kPartOf, true, fl.gap->segment);
      for (const PathStep& st : tail(fl.gap)) p.steps.push_back(st);
      item.paths.push_back(std::move(p));
    }
    for (const Fill& fl : list) {
      if (item.why.size() >= 3) break;
      const auto buyers = static_cast<int64_t>(fl.gap->local_buyers.size());
      const auto hospitals = static_cast<int64_t>(fl.gap->local_hospitals.size());
      Reason w(buyers && hospitals ? "targets.fills_needed_both"
               : buyers            ? "targets.fills_needed"
               : hospitals         ? "targets.fills_needed_hospitals"
                                   : "targets.fills");
      w.Text("status", std::string(SegmentStatusName(fl.gap->status)))
          .Text("segment", std::string(s.Name(fl.gap->segment)));
      if (buyers) w.Count("enterprises", buyers);
      if (hospitals) w.Count("hospitals", hospitals);
      item.why.push_back(std::move(w));
    }
    if (!r.supplied.empty()) {
      std::vector<std::string> names;
      for (size_t i = 0; i < r.supplied.size() && i < 3; ++i)
        names.emplace_back(s.Name(r.supplied[i]));
      item.why.push_back(Reason("targets.supplies_local")
                             .Count("count", static_cast<int64_t>(r.supplied.size()))
                             .List("names", std::move(names)));
    }
    if (!r.tied.empty()) {
      item.why.push_back(
          Reason("targets.tied").Count("count", static_cast<int64_t>(r.tied.size())));
    }
    item.why.push_back(ProximityFact(s, r.prox, region, e));
    for (auto& x : facts) item.why.push_back(std::move(x));
    return item;
  }
};

}  // namespace

TargetsResult RecommendTargetsExhaustive(const Analytics& a, VertexId region, const Filters& f) {
  const Snapshot& s = a.snapshot();
  const Scorer& scorer = Prepare(s, region, NodeKind::kRegion, "region", f);
  const RegionTree& rt = s.regions();
  VertexId track = f.track == kNoVertex ? kNoVertex : s.taxonomy().TrackOf(f.track);
  GapAnalysis gaps = AnalyseGaps(a, region, track);

  TargetsResult result;
  result.region = region;
  result.track = f.track;
  std::vector<const SegmentGap*> open = OpenGaps(s, gaps, f);
  for (const SegmentGap* g : open) result.gaps.push_back(g->segment);

  // Every enterprise outside the region that makes a gap segment, with each gap it fills.
  std::map<VertexId, std::vector<Fill>> fills;
  for (const SegmentGap* g : open) {
    std::map<VertexId, Producer> best;  // per enterprise, its largest share in this gap
    for (const Producer& p : ProducersOf(s, g->segment)) {
      if (rt.Within(p.enterprise, region) || !PassesWithin(s, f, p.enterprise)) continue;
      auto [it, fresh] = best.emplace(p.enterprise, p);
      if (!fresh && p.share > it->second.share) it->second = p;
    }
    for (const auto& [e, p] : best) fills[e].push_back({g, g->score * ShareFactor(p.share), p});
  }
  result.candidates = fills.size();

  // Per gap, once: the steps from the gap segment to the local firm (or hospital) that needs it.
  std::unordered_map<const SegmentGap*, std::vector<PathStep>> tails;
  for (const SegmentGap* g : open) {
    std::vector<PathStep>& tail = tails[g];
    if (!g->local_buyers.empty()) {
      VertexId buyer = g->local_buyers.front();
      // The segment the buyer makes that the gap supplies.
      for (VertexId out : s.Out(g->segment, EdgeKind::kSupplies).Vertices()) {
        bool found = false;
        for (const Producer& bp : ProducersOf(s, out)) {
          if (bp.enterprise == buyer) {
            tail.push_back({EdgeKind::kSupplies, true, out});
            if (bp.segment != out) tail.push_back({EdgeKind::kPartOf, false, bp.segment});
            tail.push_back({bp.via, false, buyer});
            found = true;
            break;
          }
        }
        if (found) break;
      }
    } else if (!g->local_hospitals.empty()) {
      tail.push_back({EdgeKind::kClinicalDemand, false, g->local_hospitals.front()});
    }
  }

  // Score every candidate, then build the items of the best.
  const TargetScoring sc{s, region, scorer};
  std::vector<std::pair<double, VertexId>> scored;
  scored.reserve(fills.size());
  for (auto& [e, list] : fills) {
    std::stable_sort(list.begin(), list.end(),
                     [](const Fill& x, const Fill& y) { return x.value > y.value; });  // best first
    scored.push_back({sc.Score(e, list), e});
  }
  for (VertexId e : TopCandidates(s, std::move(scored), f.top)) {
    result.items.push_back(
        sc.MakeItem(e, fills[e],
                    [&](const SegmentGap* g) -> const std::vector<PathStep>& { return tails[g]; }));
  }
  RankItems(s, result.items, f.top);
  return result;
}

namespace {

// The first producer entry of `segment`'s ProducersOf list (the segment, then the segments below
// it in preorder; produces before member_of) that is v's, from v's side; false when v makes
// none of them. With best_share: the first of the largest share instead.
bool FirstEntryOf(const Snapshot& s, VertexId v, VertexId segment, bool best_share, Producer& out) {
  const Forest& tree = s.taxonomy().forest();
  const bool descend = tree.Has(segment) && !tree.Children(segment).empty();
  bool found = false;
  uint32_t found_pre = 0;
  int found_kind = 0;
  for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
    for (Neighbor nb : s.Out(v, k)) {
      const VertexId d = nb.vertex;
      if (d != segment && !(descend && tree.Contains(segment, d))) continue;
      const double share = k == EdgeKind::kProduces ? (nb.weight > 0 ? nb.weight : 1.0)
                                                    : 0.5 * (nb.weight > 0 ? nb.weight : 1.0);
      const uint32_t pre = tree.Has(d) ? tree.PreorderIndex(d) : 0;
      const int kind = k == EdgeKind::kProduces ? 0 : 1;
      const bool earlier = pre < found_pre || (pre == found_pre && kind < found_kind);
      bool take;
      if (!found)
        take = true;
      else if (best_share)
        take = share > out.share || (share == out.share && earlier);
      else
        take = earlier;
      if (take) {
        out = {v, share, d, k};
        found = true;
        found_pre = pre;
        found_kind = kind;
      }
    }
  }
  return found;
}

}  // namespace

// The top K by the threshold algorithm (topk.h): the enterprises tied to the region are scored
// exactly (ties is the only query-dependent measure that can be non-zero for a few only); the
// other producers of the gap segments are read per (segment, province) best quality first, and
// reading stops when no unread producer can reach the K-th score.
TargetsResult RecommendTargets(const Analytics& a, VertexId region, const Filters& f) {
  const Snapshot& s = a.snapshot();
  const Scorer& scorer = Prepare(s, region, NodeKind::kRegion, "region", f);
  const RegionTree& rt = s.regions();
  const Forest& tree = s.taxonomy().forest();
  const ProducerIndex& ix = TopKIndex(s);
  VertexId track = f.track == kNoVertex ? kNoVertex : s.taxonomy().TrackOf(f.track);
  GapAnalysis gaps = AnalyseGaps(a, region, track);

  TargetsResult result;
  result.region = region;
  result.track = f.track;
  std::vector<const SegmentGap*> open = OpenGaps(s, gaps, f);
  for (const SegmentGap* g : open) result.gaps.push_back(g->segment);
  std::unordered_map<VertexId, uint32_t> gap_of;  // gap segment → position in open
  for (uint32_t i = 0; i < open.size(); ++i) gap_of.emplace(open[i]->segment, i);
  const bool filtered = f.within != kNoVertex || !f.within_any.empty();

  // The segments whose producers fill a gap.
  std::vector<VertexId> fill_segments;
  for (const SegmentGap* g : open) {
    fill_segments.push_back(g->segment);
    if (tree.Has(g->segment) && !tree.Children(g->segment).empty()) {
      for (VertexId d : tree.Descendants(g->segment)) fill_segments.push_back(d);
    }
  }
  std::sort(fill_segments.begin(), fill_segments.end());
  fill_segments.erase(std::unique(fill_segments.begin(), fill_segments.end()), fill_segments.end());

  // Candidates: every producer of those segments, less the region's own and those the filter
  // removes. Counted from the producer lists' ids; the region's members (and, with a filter, the
  // filter regions' members) are checked one by one.
  // The producers of a segment are its entries in the top-K index (produces and member_of, one
  // entry per producer): their bits are set without a test, then counted by words.
  thread_local BitSet bits;
  bits.Reset(s.NumVertices());
  for (VertexId d : fill_segments) {
    for (const ProducerBlock& b : ix.Blocks(d)) {
      for (uint32_t i = b.begin; i < b.end; ++i) bits.Set(ix.Entry(i));
    }
  }
  const size_t producers = bits.Count();
  const std::vector<VertexId> region_members = rt.MembersWithin(region);
  thread_local SeenSet local_members;
  local_members.Reset(s.NumVertices());
  for (VertexId v : region_members) local_members.Insert(v);
  const TargetScoring sc{s, region, scorer, &local_members};
  thread_local BitSet members;
  if (!filtered) {
    size_t local = 0;
    for (VertexId v : region_members) local += bits.Has(v);
    result.candidates = producers - local;
  } else {
    members.Reset(s.NumVertices());
    std::vector<VertexId> within = f.within_any;
    if (within.empty()) within.push_back(f.within);
    size_t n = 0;
    for (VertexId r : within) {
      for (VertexId v : rt.MembersWithin(r)) {
        if (members.Insert(v) && !bits.Insert(v) && !sc.Within(v)) ++n;
      }
    }
    result.candidates = n;
  }

  // A candidate's fills, as the exhaustive scorer builds them (open order, then best first).
  std::vector<uint32_t> hit;
  auto fills_of = [&](VertexId e, std::vector<Fill>& list) {
    list.clear();
    if (sc.Within(e) || !PassesWithin(s, f, e)) return;
    hit.clear();
    for (EdgeKind k : {EdgeKind::kProduces, EdgeKind::kMemberOf}) {
      for (VertexId d : s.Out(e, k).Vertices()) {
        auto it = gap_of.find(d);
        if (it != gap_of.end()) hit.push_back(it->second);
        if (tree.Has(d)) {
          for (VertexId up : tree.Ancestors(d)) {
            auto jt = gap_of.find(up);
            if (jt != gap_of.end()) hit.push_back(jt->second);
          }
        }
      }
    }
    std::sort(hit.begin(), hit.end());
    hit.erase(std::unique(hit.begin(), hit.end()), hit.end());
    for (uint32_t gi : hit) {
      const SegmentGap* g = open[gi];
      Producer p{};
      FirstEntryOf(s, e, g->segment, /*best_share=*/true, p);
      list.push_back({g, g->score * ShareFactor(p.share), p});
    }
    std::stable_sort(list.begin(), list.end(),
                     [](const Fill& x, const Fill& y) { return x.value > y.value; });
  };

  const Better better{s};
  const size_t k = f.top;
  std::vector<std::pair<double, VertexId>> top;
  thread_local SeenSet seen;
  seen.Reset(s.NumVertices());
  std::vector<Fill> list;
  auto consider = [&](VertexId v) {
    if (!seen.Insert(v)) return;
    fills_of(v, list);
    if (list.empty()) return;
    OfferTopK(top, k, better, {sc.Score(v, list), v});
  };
  auto weight = [&](std::string_view measure) { return scorer.Weight("targets", measure); };
  const double w_segment = weight("segment"), w_strength = weight("strength"),
               w_prox = weight("proximity"), w_rel = weight("relatedness"), w_ties = weight("ties");
  ProximityBounds prox_bound(s, region);  // per province block, computed once per block

  // The organisations tied to the region's members (trades_with into them, cooperates and invests
  // either way): ties is the measure that can be non-zero for them alone. Each is pooled with a
  // bound of its score (the best segment and relatedness parts any gap gives, its strength bound,
  // its province and its ties counted here: every trades_with edge into a member, every
  // cooperates / invests edge with one, at most what Measure5 counts) and read, best bound first,
  // along with the lists.
  double segment_rel_max = -1e300;
  for (const SegmentGap* g : open) {
    const double density = std::isnan(g->density) ? 0.0 : std::clamp(g->density, 0.0, 1.0);
    const double more = 0.1 * (static_cast<double>(open.size()) - 1);
    segment_rel_max = std::max(segment_rel_max,
                               w_segment * std::min(1.0, g->score + more) + w_rel * density);
  }
  thread_local std::vector<uint32_t> supplies_local, tied_local;
  GrowHuge(supplies_local, s.NumVertices(), uint32_t{0});
  GrowHuge(tied_local, s.NumVertices(), uint32_t{0});
  std::vector<VertexId> tied;
  auto tie = [&](VertexId v, std::vector<uint32_t>& count) {
    if (supplies_local[v] == 0 && tied_local[v] == 0) tied.push_back(v);
    ++count[v];
  };
  for (VertexId x : region_members) {
    for (VertexId v : s.In(x, EdgeKind::kTradesWith).Vertices()) tie(v, supplies_local);
    for (EdgeKind kind : {EdgeKind::kCooperates, EdgeKind::kInvests}) {
      for (VertexId v : s.Out(x, kind).Vertices()) tie(v, tied_local);
      for (VertexId v : s.In(x, kind).Vertices()) tie(v, tied_local);
    }
  }
  struct Pooled {
    double bound;
    VertexId v;
    bool operator<(const Pooled& o) const { return bound < o.bound; }
  };
  std::vector<Pooled> pool;
  pool.reserve(tied.size());
  for (VertexId v : tied) {
    const double ties = std::min(
        1.0, 0.6 * supplies_local[v] + 0.3 * static_cast<double>(tied_local[v]));
    pool.push_back({segment_rel_max + w_strength * ix.QualityBound(v) + w_ties * ties +
                        w_prox * prox_bound(ix.Block(v)) + kBoundSlack,
                    v});
    supplies_local[v] = tied_local[v] = 0;
  }
  std::make_heap(pool.begin(), pool.end());

  // The rest, with ties 0: per (segment, province) lists merged by bound, with the pool.
  struct List {
    double bound0;  // the bound without the strength of the entry at the cursor
    double bound;   // bound0 + w_strength · QualityBound(entry at pos)
    uint32_t pos, end;
    bool operator<(const List& o) const { return bound < o.bound; }
  };
  std::vector<List> lists;
  std::vector<uint32_t> covering;
  for (VertexId d : fill_segments) {
    covering.clear();
    if (auto it = gap_of.find(d); it != gap_of.end()) covering.push_back(it->second);
    if (tree.Has(d)) {
      for (VertexId up : tree.Ancestors(d)) {
        if (auto it = gap_of.find(up); it != gap_of.end()) covering.push_back(it->second);
      }
    }
    for (const ProducerBlock& b : ix.Blocks(d)) {
      const double more = 0.1 *
                          (static_cast<double>(std::min<size_t>(open.size(), b.max_reach)) - 1);
      double best = -1e300;
      for (uint32_t gi : covering) {
        const SegmentGap* g = open[gi];
        const double density = std::isnan(g->density) ? 0.0 : std::clamp(g->density, 0.0, 1.0);
        best = std::max(best,
                        w_segment * std::min(1.0, g->score * ShareFactor(b.max_share) + more) +
                            w_rel * density);
      }
      const double bound0 = best + w_prox * prox_bound(b.province) + kBoundSlack;
      lists.push_back({bound0, bound0 + w_strength * b.top_quality, b.begin, b.end});
    }
  }
  std::make_heap(lists.begin(), lists.end());
  constexpr double kNone = -std::numeric_limits<double>::infinity();
  while (!lists.empty() || !pool.empty()) {
    const double list_bound = lists.empty() ? kNone : lists.front().bound;
    const double pool_bound = pool.empty() ? kNone : pool.front().bound;
    if (top.size() >= k && std::max(list_bound, pool_bound) < top.front().first) break;
    if (pool_bound >= list_bound) {
      std::pop_heap(pool.begin(), pool.end());
      const VertexId v = pool.back().v;
      pool.pop_back();
      consider(v);
      continue;
    }
    consider(ix.Entry(lists.front().pos));
    std::pop_heap(lists.begin(), lists.end());
    if (++lists.back().pos < lists.back().end) {
      List& l = lists.back();
      l.bound = l.bound0 + w_strength * ix.QualityBound(ix.Entry(l.pos));
      std::push_heap(lists.begin(), lists.end());
    } else {
      lists.pop_back();
    }
  }

  // Items for the best: each gap's tail (its first local buyer's way in) only when a path uses it.
  std::unordered_map<const SegmentGap*, std::vector<PathStep>> tails;
  auto tail = [&](const SegmentGap* g) -> const std::vector<PathStep>& {
    auto it = tails.find(g);
    if (it != tails.end()) return it->second;
    std::vector<PathStep> steps;
    if (!g->local_buyers.empty()) {
      VertexId buyer = g->local_buyers.front();
      for (VertexId out : s.Out(g->segment, EdgeKind::kSupplies).Vertices()) {
        Producer bp;
        if (FirstEntryOf(s, buyer, out, /*best_share=*/false, bp)) {
          steps.push_back({EdgeKind::kSupplies, true, out});
          if (bp.segment != out) steps.push_back({EdgeKind::kPartOf, false, bp.segment});
          steps.push_back({bp.via, false, buyer});
          break;
        }
      }
    } else if (!g->local_hospitals.empty()) {
      steps.push_back({EdgeKind::kClinicalDemand, false, g->local_hospitals.front()});
    }
    return tails.emplace(g, std::move(steps)).first->second;
  };
  std::sort(top.begin(), top.end(), better);
  for (const auto& [key, e] : top) {
    fills_of(e, list);
    result.items.push_back(sc.MakeItem(e, list, tail));
  }
  RankItems(s, result.items, f.top);
  return result;
}

}  // namespace chainatlas::matcher
