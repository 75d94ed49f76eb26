#include "graph/kinds.h"

#include "graph/error.h"

namespace chainatlas {
namespace {

constexpr std::array<std::string_view, kNodeKindCount> kNodeKindNames = {
    "region", "track", "segment", "enterprise", "hospital", "institution", "platform"};
constexpr std::array<std::string_view, kEdgeKindCount> kEdgeKindNames = {
    "part_of",           "supplies", "produces",   "trades_with", "researches", "clinical_demand",
    "clinical_strength", "serves",   "cooperates", "invests",     "member_of"};
constexpr std::array<std::string_view, kEvidenceKindCount> kEvidenceKindNames = {
    "curated", "product", "inferred", "learned", "industry"};
constexpr std::array<std::string_view, 10> kSupplyRuleNames = {"",
                                                               "material_name",
                                                               "component_name",
                                                               "equipment_name",
                                                               "part_of_parent",
                                                               "learned_heads",
                                                               "industry_table",
                                                               "sector_parts",
                                                               "sector_products",
                                                               "same_industry"};
constexpr std::array<std::string_view, 3> kPositionNames = {"upstream", "midstream", "downstream"};
constexpr std::array<std::string_view, 4> kRegionLevelNames = {"province", "city", "county",
                                                               "park"};

template <typename Enum, size_t N>
std::optional<Enum> ParseName(const std::array<std::string_view, N>& names, std::string_view name) {
  for (size_t i = 0; i < N; ++i) {
    if (names[i] == name) return static_cast<Enum>(i);
  }
  return std::nullopt;
}

}  // namespace

const char* ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid argument";
    case ErrorCode::kNotFound: return "not found";
    case ErrorCode::kInvalidData: return "invalid data";
    case ErrorCode::kIo: return "i/o error";
    case ErrorCode::kInternal: return "internal error";
  }
  return "error";
}

std::string_view EvidenceKindName(EvidenceKind kind) {
  return kEvidenceKindNames.at(static_cast<size_t>(kind));
}
std::optional<EvidenceKind> ParseEvidenceKind(std::string_view name) {
  return ParseName<EvidenceKind>(kEvidenceKindNames, name);
}
std::string_view EvidenceLevelName(uint8_t evidence) {
  switch (EvidenceKindOf(evidence)) {
    case EvidenceKind::kLearned: return "learned";
    case EvidenceKind::kIndustry: return "industry";
    default: return "product";
  }
}

std::string_view SupplyRuleName(SupplyRule rule) {
  return kSupplyRuleNames.at(static_cast<size_t>(rule));
}

std::string_view NodeKindName(NodeKind kind) {
  return kNodeKindNames.at(static_cast<size_t>(kind));
}
std::string_view EdgeKindName(EdgeKind kind) {
  return kEdgeKindNames.at(static_cast<size_t>(kind));
}
std::string_view PositionName(Position p) { return kPositionNames.at(static_cast<size_t>(p)); }
std::string_view RegionLevelName(RegionLevel l) {
  return kRegionLevelNames.at(static_cast<size_t>(l));
}

std::optional<NodeKind> ParseNodeKind(std::string_view n) {
  return ParseName<NodeKind>(kNodeKindNames, n);
}
std::optional<EdgeKind> ParseEdgeKind(std::string_view n) {
  return ParseName<EdgeKind>(kEdgeKindNames, n);
}
std::optional<Position> ParsePosition(std::string_view n) {
  return ParseName<Position>(kPositionNames, n);
}
std::optional<RegionLevel> ParseRegionLevel(std::string_view n) {
  return ParseName<RegionLevel>(kRegionLevelNames, n);
}

bool IsOrganisation(NodeKind kind) {
  return kind == NodeKind::kEnterprise || kind == NodeKind::kHospital ||
         kind == NodeKind::kInstitution || kind == NodeKind::kPlatform;
}

}  // namespace chainatlas
