// Chain gaps of a region (缺链 / 弱链 / 强链 / 延链; the third recommendation, first half).
//
// For every segment of the track (or of every track), with producers counted with the segments
// below it:
//   local producers   enterprises in the region (or below) that make it
//   local demand      local enterprises making a segment it supplies (buyers) and local hospitals
//                     with clinical demand for it
//   location quotient (local producers of it / local producer–segment pairs) /
//                     (all producers of it / all producer–segment pairs)
//   density           relatedness density ω of the region in it (relatedness.h), at the region's
//                     level and for its track; NaN for a park or a segment nobody makes
// Status:
//   missing    local demand, no local producer
//   weak       local producers, but fewer than 2 or a location quotient below 1
//   strong     at least 2 local producers and a location quotient of at least 1
//   extension  no local producer and no local demand, but a local segment supplies it (延链
//              downstream) or its density is at least 0.25 (capability relatedness)
//   absent     none of these: not a gap to act on
// Listing: every segment of the track in tree order, except in a track of more than
// kMaxTrackSegmentsListed segments (ChainKnowledgeGraph's 95,000 products): there an absent segment
// is listed only as the ancestor of a listed one, and the others are counted in
// absent_not_listed (and in count[absent]). Completeness and priorities count every segment.
// Priority (the score of a gap; 0 for strong and absent) = 0.45 demand (local demand relative to
// the most demanded segment here) + 0.20 relatedness (density) + 0.15 dependence (segments it
// supplies, relative to the most) + 0.20 scarcity (1 for missing and extension, 1 / (1 + local
// producers) for weak).
#pragma once

#include <string>
#include <vector>

#include "matcher/analytics.h"
#include "matcher/recommend.h"

namespace chainatlas::matcher {

enum class SegmentStatus : uint8_t { kMissing, kWeak, kStrong, kExtension, kAbsent };
std::string_view SegmentStatusName(SegmentStatus status);
// 缺链, 弱链, 强链, 延链, 未涉及: the status in Chinese (the plans' words).
std::string_view SegmentStatusNameZh(SegmentStatus status);
// Either name, English or Chinese.
SegmentStatus ParseSegmentStatus(std::string_view name);

struct SegmentGap {
  VertexId segment = kNoVertex;
  VertexId track = kNoVertex;
  int depth = 0;  // 1: directly under the track
  SegmentStatus status = SegmentStatus::kAbsent;
  std::vector<VertexId> local_producers;
  size_t producers_elsewhere = 0;
  std::vector<VertexId> local_buyers;     // local enterprises that need it
  std::vector<VertexId> local_hospitals;  // local hospitals that use it
  std::vector<VertexId>
      local_suppliers_of;  // local segments it is fed by a supply from (extension)
  double location_quotient = 0;
  double density = 0;  // NaN when undefined
  double score = 0;    // priority
  std::vector<Component> components;
  std::vector<Reason> why;
};

struct GapAnalysis {
  VertexId region = kNoVertex;
  VertexId track = kNoVertex;        // kNoVertex: every track
  std::vector<SegmentGap> segments;  // tree order (track by track); see Listing above
  size_t absent_not_listed = 0;
  size_t count[5] = {0, 0, 0, 0, 0};  // per status
  // Share of segments with local demand or production that have a local producer, plain and
  // weighted by 1 + the number of segments each supplies.
  double completeness = 1, weighted_completeness = 1;
};

inline constexpr size_t kMaxTrackSegmentsListed = 2000;

// Throws Error(kInvalidArgument) when region is not a region or track not a track.
GapAnalysis AnalyseGaps(const Analytics& a, VertexId region, VertexId track);

}  // namespace chainatlas::matcher
