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

// Where a supply relation comes from, strongest first. The matcher ranks by its tier
// (EvidenceTier below): product-level evidence (curated, product, inferred) always ranks above
// industry-level evidence. The byte stored with a supplies edge is EvidenceByte(kind, rule): the
// kind in the low three bits, the rule (SupplyRule) above them.
enum class EvidenceKind : uint8_t {
  kCurated = 0,   // a bundle's supplies.csv: written by a person
  kProduct = 1,   // a product-level relation of the source (e.g. CKG 上游材料 / 下游产品)
  kInferred = 2,  // inferred from the two names by a rule (X材料 supplies X)
  kLearned = 3,   // learned from the source's product-level relations (head associations)
  kIndustry = 4,  // industry-level only (weak): an industry supplies an industry
};
inline constexpr int kEvidenceKindCount = 5;
// The rule behind a derived relation; kNone for given relations.
enum class SupplyRule : uint8_t {
  kNone = 0,
  kMaterialName = 1,    // inferred: "X材料" (a material named for X) supplies X and X's kinds
  kComponentName = 2,   // inferred: "X零部件" (a component named for X) supplies X
  kEquipmentName = 3,   // inferred: "X设备" (equipment for making X) supplies X
  kPartOfParent = 4,    // inferred: a sub-product named as a part of its parent supplies it
  kLearnedHeads = 5,    // learned: inputs headed like this one feed outputs headed like that
  kIndustryTable = 6,   // industry: the source's industry-to-industry table
  kSectorParts = 7,     // industry: a parts/materials/equipment industry supplies the end-product
                        // industries of its own sector (taxonomy rule)
  kSectorProducts = 8,  // industry: a product mostly made by one parts industry's firms supplies
                        // that industry's end-product industries
  kSameIndustry = 9,    // industry: two firms of one leaf industry that make no product in common
                        // (found by the partner recommender, never stored; direction unknown)
};
inline constexpr uint8_t EvidenceByte(EvidenceKind kind, SupplyRule rule = SupplyRule::kNone) {
  return static_cast<uint8_t>(static_cast<uint8_t>(kind) | (static_cast<uint8_t>(rule) << 3));
}
inline constexpr EvidenceKind EvidenceKindOf(uint8_t byte) {
  return static_cast<EvidenceKind>(byte & 7);
}
inline constexpr SupplyRule SupplyRuleOf(uint8_t byte) {
  return static_cast<SupplyRule>(byte >> 3);
}
// The rank tier of a relation's evidence, best first. Recommenders rank by tier before score:
//   0  given or name-inferred product-level relations (curated, product, inferred);
//   1  generalisations: learned head associations, and the taxonomy's sector rules;
//   2  the same leaf industry, with no product in common (direction unknown);
//   3  the source's industry table (mostly noise).
// So industry-level evidence never outranks product-level evidence (tier 0). Learned and sector
// rules share a tier: each generalises from a class (a product head, a sector) rather than from
// the product itself, and measured on real relations neither is the better (bench/RESULTS.md).
inline constexpr int kEvidenceTierCount = 4;
inline constexpr int EvidenceTier(uint8_t evidence) {
  switch (static_cast<EvidenceKind>(evidence & 7)) {
    case EvidenceKind::kLearned: return 1;
    case EvidenceKind::kIndustry:
      switch (static_cast<SupplyRule>(evidence >> 3)) {
        case SupplyRule::kIndustryTable: return 3;
        case SupplyRule::kSameIndustry: return 2;
        default: return 1;
      }
    default: return 0;
  }
}
// Whether evidence is industry-level (kind industry) rather than product-level.
inline constexpr bool IsIndustryEvidence(uint8_t evidence) {
  return static_cast<EvidenceKind>(evidence & 7) == EvidenceKind::kIndustry;
}
// Whether evidence is the sector rule's (industry-level agreement that corroborates a
// product-level or learned fit).
inline constexpr bool IsSectorEvidence(uint8_t evidence) {
  return IsIndustryEvidence(evidence) && EvidenceTier(evidence) == 1;
}
// "product" (curated, product, inferred), "learned" or "industry": the evidence's level in JSON.
std::string_view EvidenceLevelName(uint8_t evidence);
std::string_view EvidenceKindName(
    EvidenceKind kind);  // curated, product, inferred, learned, industry
std::optional<EvidenceKind> ParseEvidenceKind(std::string_view name);
std::string_view SupplyRuleName(SupplyRule rule);  // material_name, ..., "" for kNone

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
    NodeKind::kRegion,   NodeKind::kTrack,       NodeKind::kSegment, NodeKind::kEnterprise,
    NodeKind::kHospital, NodeKind::kInstitution, NodeKind::kPlatform};
inline constexpr std::array<EdgeKind, kEdgeKindCount> kAllEdgeKinds = {
    EdgeKind::kPartOf,           EdgeKind::kSupplies,   EdgeKind::kProduces,
    EdgeKind::kTradesWith,       EdgeKind::kResearches, EdgeKind::kClinicalDemand,
    EdgeKind::kClinicalStrength, EdgeKind::kServes,     EdgeKind::kCooperates,
    EdgeKind::kInvests,          EdgeKind::kMemberOf};

}  // namespace chainatlas
