// Chain leaders (链主) of a region and track, and communities of its enterprise network.
//
// Leader score (the scorer weighs the measures; balanced: pagerank 0.30, dependants 0.25, share
// 0.15, size 0.20, declared 0.10; scorers.cc):
//   pagerank    PageRank (damping 0.85, dangling rank spread uniformly, to 1e-10) on the supply
//               network — each enterprise points at the segments its segments need (weight:
//               supply weight × its share), each segment at the enterprises that make it
//               (weight: their share), each firm at its known suppliers (trades_with) — so rank
//               flows from customers to the suppliers they depend on; times maker, relative to
//               the best candidate's (PageRank × maker)
//   dependants  enterprises in the region that depend on it as a maker: they make a segment one
//               of its non-intermediary segments supplies, or buy from it (trades_with); times
//               maker, relative to the most (dependants × maker)
//   share       maker × its largest share of the local producers of one of its non-intermediary
//               segments: revenue share when every local producer of that segment reports
//               revenue, else 1 / producers
//   size        0.8 scale + 0.2 listed. scale: where at least half the candidates report revenue
//               or employees, the mean of log(1 + revenue) / log(1 + largest revenue) and
//               log(1 + employees) / log(1 + most employees) over those it reports (0 if none);
//               where the data has neither (ChainKnowledgeGraph), the proxy
//               log(1 + n) / log(1 + most), n = the distinct segments (products, industries) it
//               makes. listed: 1 when tagged listed
//   declared    1 when tagged chain_leader (链主) by its source
// maker = 1 − intermediary share: the share of its industries (member_of) that are intermediary
// segments, or of its revenue shares (produces), whichever is larger. A segment is intermediary
// (trade, distribution, logistics, supply-chain services, retail) when its name, an ancestor's or
// its track's contains 贸易, 商贸, 供应链, 物流, 仓储, 经销, 分销, 批发, 零售, 电商, 配送 or 渠道
// (Shenwan 商贸零售, 贸易Ⅲ, 物流 / 原材料供应链服务, a bundle's 经销 segments). A trader sits
// between many makers in the supply network, which is why PageRank and dependants rank it high;
// it does not lead a manufacturing chain, so a pure intermediary scores on size and declared
// only. With --track on an intermediary segment or track no candidate is discounted.
// Candidates: enterprises in the region (everywhere when none) making a segment of the track.
#pragma once

#include "matcher/analytics.h"
#include "matcher/recommend.h"

namespace chainatlas::matcher {

struct LeadersResult {
  VertexId region = kNoVertex;
  VertexId track = kNoVertex;
  size_t candidates = 0;
  std::vector<Item> items;  // via: the candidate's segments in the track
};

// filters.within is the region; filters.track the track (or segment).
LeadersResult ChainLeaders(const Analytics& a, const Filters& filters);

struct Community {
  uint32_t id = 0;
  std::vector<VertexId> members;                      // by weighted degree, largest first
  std::vector<std::pair<VertexId, size_t>> segments;  // most made inside it first
  double internal_weight = 0;                         // weight of edges inside it
};

struct ClustersResult {
  VertexId region = kNoVertex;
  size_t enterprises = 0, edges = 0;
  double modularity = 0;
  int levels = 0;
  std::vector<Community> communities;  // largest first
};

// Louvain on the undirected enterprise network of the region (everywhere when region is
// kNoVertex): known ties (trades_with, cooperates, invests; their weights) plus implied supply
// ties (a makes s, b makes u, s supplies u: weight = supply weight × both shares; membership of an
// industry segment (member_of) counts as making it at half weight; skipped for a
// segment pair with more than kMaxImpliedPairs producer pairs, which says nothing specific).
// Enterprises without any tie are left out.
inline constexpr size_t kMaxImpliedPairs = 250000;
ClustersResult Clusters(const Snapshot& s, VertexId region, uint64_t seed = 1);

}  // namespace chainatlas::matcher
