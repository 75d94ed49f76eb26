// Node and edge kinds of the industry-chain graph, with their stable names. The numeric values are
// stored in the database: append new kinds at the end, never renumber.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace chainatlas {

enum class NodeKind : uint8_t {
  kRegion = 0,       // province, city, county or park (GB/T 2260)
  kTrack = 1,        // a product track (赛道): the root of a segment tree
  kSegment = 2,      // a chain segment (产业链环节)
  kEnterprise = 3,   // 企业
  kHospital = 4,     // 医院
  kInstitution = 5,  // university, research institute or lab (高校/科研院所)
  kPlatform = 6,     // service platform: CDMO, testing lab, incubator, fund, ...
};
inline constexpr int kNodeKindCount = 7;

enum class EdgeKind : uint8_t {
  kPartOf = 0,            // segment → parent segment or track; region → parent region
  kSupplies = 1,          // segment → segment: the source is an input of the target
  kProduces = 2,          // enterprise → segment, weight = share of output
  kTradesWith = 3,        // enterprise → enterprise, a known supply tie (supplier → customer)
  kResearches = 4,        // institution → segment, weight = strength
  kClinicalDemand = 5,    // hospital → segment, weight = how much the hospital uses it
  kClinicalStrength = 6,  // hospital → segment, weight = ability to validate it clinically
  kServes = 7,            // platform → segment
  kCooperates = 8,        // organisation → organisation, a known 产学研医 tie
  kInvests = 9,           // investor → investee, weight = equity share
  kMemberOf = 10,         // enterprise → segment: classified in an industry (e.g. Shenwan), not
                          // a product it makes; weight = confidence
};
inline constexpr int kEdgeKindCount = 11;

enum class Position : uint8_t { kUpstream = 0, kMidstream = 1, kDownstream = 2 };
enum class RegionLevel : uint8_t { kProvince = 0, kCity = 1, kCounty = 2, kPark = 3 };

std::string_view NodeKindName(NodeKind kind);
std::string_view EdgeKindName(EdgeKind kind);
std::string_view PositionName(Position position);
std::string_view RegionLevelName(RegionLevel level);

std::optional<NodeKind> ParseNodeKind(std::string_view name);
std::optional<EdgeKind> ParseEdgeKind(std::string_view name);
std::optional<Position> ParsePosition(std::string_view name);
std::optional<RegionLevel> ParseRegionLevel(std::string_view name);

// True for the kinds that are organisations (may cooperate, invest, be merged across sources).
bool IsOrganisation(NodeKind kind);

inline constexpr std::array<NodeKind, kNodeKindCount> kAllNodeKinds = {
    NodeKind::kRegion,     NodeKind::kTrack,    NodeKind::kSegment,     NodeKind::kEnterprise,
    NodeKind::kHospital,   NodeKind::kInstitution, NodeKind::kPlatform};
inline constexpr std::array<EdgeKind, kEdgeKindCount> kAllEdgeKinds = {
    EdgeKind::kPartOf,         EdgeKind::kSupplies,         EdgeKind::kProduces,
    EdgeKind::kTradesWith,     EdgeKind::kResearches,       EdgeKind::kClinicalDemand,
    EdgeKind::kClinicalStrength, EdgeKind::kServes,         EdgeKind::kCooperates,
    EdgeKind::kInvests,        EdgeKind::kMemberOf};

}  // namespace chainatlas
