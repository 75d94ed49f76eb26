// Chain leaders (链主) of a region and track, and communities of its enterprise network.
//
// Leader score (the scorer weighs the measures; balanced: 0.4 / 0.3 / 0.2 / 0.1):
//   pagerank    PageRank (damping 0.85, dangling rank spread uniformly, to 1e-10) on the supply
//               network — each enterprise points at the segments its segments need (weight:
//               supply weight × its share), each segment at the enterprises that make it
//               (weight: their share), each firm at its known suppliers (trades_with) — so rank
//               flows from customers to the suppliers they depend on; relative to the best
//               candidate
//   dependants  enterprises in the region that depend on it: they make a segment one of its
//               segments supplies, or buy from it (trades_with); relative to the most
//   share       its largest share of the local producers of one of its segments: revenue share
//               when every local producer of that segment reports revenue, else 1 / producers
//   declared    1 when tagged chain_leader (链主) by its source
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
  std::vector<VertexId> members;        // by weighted degree, largest first
  std::vector<std::pair<VertexId, size_t>> segments;  // most made inside it first
  double internal_weight = 0;           // weight of edges inside it
};

struct ClustersResult {
  VertexId region = kNoVertex;
  size_t enterprises = 0, edges = 0;
  double modularity = 0;
  int levels = 0;
  std::vector<Community> communities;   // largest first
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
