// The read commands' answers: typed, built from matcher types by the Engine (server/engine.h),
// rendered in one place each: as the CLI's and the JSON API's document (report::ToJson,
// server/report.h) and as the Thrift IDL's structs (server/rpc_answers.h). An answer refers to
// vertices of the snapshot it came from; render it while that snapshot is alive.
#pragma once

#include <array>
#include <cstddef>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "graph/kinds.h"
#include "ingest/store.h"
#include "matcher/gaps.h"
#include "matcher/indicators.h"
#include "matcher/leaders.h"
#include "matcher/pairings.h"
#include "matcher/partners.h"
#include "matcher/registry.h"
#include "matcher/relatedness.h"
#include "matcher/targets.h"

namespace chainatlas::engine {

struct StatsAnswer {
  struct RegionRow {
    VertexId region = kNoVertex;
    size_t enterprise = 0, hospital = 0, institution = 0, platform = 0;
  };
  struct TrackRow {
    VertexId track = kNoVertex;
    size_t segments = 0, enterprises = 0, produces = 0, member_of = 0;
  };
  std::array<size_t, kNodeKindCount> nodes{};
  std::array<size_t, kEdgeKindCount> edges{};
  std::array<size_t, kEvidenceKindCount> supplies_by_evidence{};
  size_t vertices = 0, edge_total = 0, adjacency_bytes = 0;
  std::vector<RegionRow> regions;  // the focus and its children, or every region with organisations
  std::vector<TrackRow> tracks;
  VertexId focus = kNoVertex;                        // the region asked for
  std::optional<size_t> enterprises_without_region;  // without a focus only
};

struct SearchAnswer {
  std::string query;
  std::vector<VertexId> results;
};

struct ShowAnswer {
  struct Relation {
    EdgeKind kind = EdgeKind::kPartOf;
    VertexId other = kNoVertex;  // the target of an out-relation, the source of an in-relation
    double weight = 0;
    nlohmann::json attributes;  // the edge's stored attributes; null when none
  };
  VertexId node = kNoVertex;
  std::string note;
  std::optional<ingest::Provenance> provenance;
  std::vector<VertexId> region_path;  // the node's region, then its ancestors; empty: no region
  std::vector<Relation> out, in;
};

// chain and gaps: the segments in tree order (chain) or by priority (gaps).
using ChainAnswer = matcher::GapAnalysis;

// A recommender's result with the scorer that ranked it.
template <typename Result>
struct Ranked {
  Result result;
  std::string scorer;
};
using PartnersAnswer = Ranked<matcher::PartnersResult>;
using PairingsAnswer = Ranked<matcher::PairingsResult>;
using TargetsAnswer = Ranked<matcher::TargetsResult>;
using LeadersAnswer = Ranked<matcher::LeadersResult>;
struct RecommendAnswer {
  matcher::Recommendation result;
  std::string scorer;
  std::string recommender;
};

struct RelatednessAnswer {
  struct Cell {
    VertexId segment = kNoVertex;
    double activity = 0, rca = 0, m = 0, density = 0;
    double opportunity_gain = 0;  // NaN when undefined
  };
  struct Row {
    VertexId region = kNoVertex;
    double diversity = 0, eci = 0;  // eci NaN when undefined
    std::vector<Cell> cells;        // held segments first, then the others by density
  };
  std::shared_ptr<const matcher::RelatednessTable> table;  // level, track, segments, ubiquity, pci
  std::vector<Row> rows;
};

struct ClustersAnswer {
  matcher::ClustersResult result;
  size_t members_shown = SIZE_MAX;  // per community
  static constexpr size_t kSegmentsShown = 5;
  std::span<const VertexId> Members(const matcher::Community& c) const {
    return {c.members.data(), std::min(members_shown, c.members.size())};
  }
  static std::span<const std::pair<VertexId, size_t>> Segments(const matcher::Community& c) {
    return {c.segments.data(), std::min(kSegmentsShown, c.segments.size())};
  }
};

using IndicatorsAnswer = matcher::IndicatorsResult;

}  // namespace chainatlas::engine
