// A chain ontology for free-text product vocabularies (docs/ontology.md).
//
// Real sources name products in free text (ChainKnowledgeGraph: 95k names such as 动力电池系统,
// 锂离子电池材料, BOPP平膜) with few explicit supply relations, a sub-product hierarchy that is
// not a taxonomy (柴油机 under 柴油) and an industry table that is mostly noise. The ontology reads
// the names and derives the supply relations the data lacks, each with its evidence:
//
//   names     NFKC with case folding, white space removed; segmented into words by ICU's
//             dictionary-based word BreakIterator; generic tails (业务, 产品, 销售, ...) dropped;
//             head = the last word; role (material, component, equipment, service, final
//             product) and stem from the role cue the name ends with (锂电池材料: material, stem
//             锂电池).
//   inferred  a material, component or equipment named for X supplies the products named X,
//             ending in X or holding X (at most kMaxInferredPerSource, the closest names first);
//             a sub-product named as a part of its parent (锂电池正极材料 under 锂电池) supplies
//             the parent instead of sitting under it.
//   hierarchy a sub-product stays under its parent only when its name specialises the parent's
//             (ends with it at a word boundary, or shares its head); otherwise the link is
//             dropped as "related". A product without a parent goes under the product its name
//             specialises (汽车制造业 → 汽车, 汽车玻璃 → 玻璃), unless that parent is generic.
//   learned   from the given product-level relations: how often an input headed h_in feeds an
//             output headed h_out; pairs seen at least kMinLearnedSupport times with confidence
//             c(h_in, h_out) / c(h_out) ≥ kMinLearnedConfidence and ≥ kMinLearnedLift × h_in's
//             share of all inputs are applied to produced products
//             the data does not link (at most kMaxLearnedPerTarget inputs per product).
//   sector    an industry whose name or whose ancestor's name is a parts, materials or
//             special-equipment class (汽车零部件, 电池化学品, 锂电专用设备) supplies the
//             end-product industries of the nearest ancestor that has any (industry-level
//             evidence); a product made by at least kMinSectorMakers firms, most of them in one
//             such parts industry, supplies the same end-product industries (industry-level
//             evidence).
//
// No rule names a company, a product or a region: the cues are the generic words of
// docs/ontology.md.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "graph/kinds.h"

namespace chainatlas::ingest {

enum class ChainRole : uint8_t { kFinal, kMaterial, kComponent, kEquipment, kService };
inline constexpr int kChainRoleCount = 5;
std::string_view ChainRoleName(ChainRole role);  // final, material, component, equipment, service

struct ProductName {
  std::string normalized;          // NFKC + case folding, white space removed
  std::vector<std::string> words;  // ICU word segmentation of the core (generic tails dropped)
  std::string core;                // the name without generic tails (覆铜板业务 → 覆铜板)
  std::string head;                // the last word of the core (two when the last is one character)
  std::string stem;  // the core without its role cue (锂电池材料 → 锂电池); "" if none
  ChainRole role = ChainRole::kFinal;
};
// Pure: the same name always gives the same analysis.
ProductName AnalyseProductName(std::string_view name);

inline constexpr size_t kMaxInferredPerSource = 40;
inline constexpr size_t kMaxLearnedPerTarget = 12;
inline constexpr size_t kMinLearnedSupport = 3;
inline constexpr double kMinLearnedConfidence = 0.04;
inline constexpr double kMinLearnedLift = 4.0;
inline constexpr size_t kMinSectorMakers = 2;
inline constexpr size_t kMaxNameChildren = 300;
// Whether a product also goes under the longest ending of its name that names a product (汽车玻璃
// → 玻璃). Off: measured in bench/RESULTS.md (Quality), it pulls in far-fetched producers (太阳能
// 电池组件 → 电池组件 → a "component" of 储能电池) and lowers precision and held-out recall.
inline constexpr bool kNameSuffixParents = false;

// Reliability of each kind of evidence: the weight a derived relation carries (given relations
// keep their own weights, industry tables are scaled by kIndustryTableReliability).
inline constexpr float kInferredReliability = 0.7f;
inline constexpr float kLearnedReliability = 0.5f;
inline constexpr float kSectorReliability = 0.4f;
inline constexpr float kIndustryTableReliability = 0.15f;

struct OntologyProduct {
  std::string key, name;
  int parent = -1;                    // index of the 产品小类 parent, or -1
  bool produced = false;              // some enterprise makes it
  size_t makers = 0;                  // how many enterprises make it
  std::vector<int> maker_industries;  // the industries its makers belong to, one per membership
};
struct OntologyIndustry {
  std::string key, name;
  int parent = -1;  // index, or -1 for a root
};
struct DerivedSupply {
  int src = -1, dst = -1;  // indices into the products (or industries, for sector rules)
  bool industry = false;   // true: dst is an industry (and src too unless src_is_product)
  uint8_t evidence = 0;    // EvidenceByte
  float weight = 0;
  bool src_is_product = false;
};

struct OntologyResult {
  std::vector<ProductName> names;  // one per product
  std::vector<DerivedSupply> supplies;
  std::vector<int> detached;  // products whose parent link contradicts the names
  // (child, parent): products placed under the product their name specialises (no parent before,
  // or a dropped one). The caller must refuse a link that would close a cycle.
  std::vector<std::pair<int, int>> name_parents;
  std::vector<int> part_of_parent;  // ... of which the ones that become a supply of the parent
  std::array<size_t, kChainRoleCount> roles{};  // products per role
  std::map<std::string, size_t> by_rule;        // derived relations per SupplyRule name
  size_t learned_pairs = 0;                     // head associations learned
};

// `given` are the source's product-level relations (src supplies dst, product indices) and
// `given_industry` its industry-level ones; derived relations never repeat a given one or each
// other, and never link a product to itself. Deterministic for the same input.
OntologyResult BuildOntology(const std::vector<OntologyProduct>& products,
                             const std::vector<std::pair<int, int>>& given,
                             const std::vector<OntologyIndustry>& industries,
                             const std::vector<std::pair<int, int>>& given_industry);

}  // namespace chainatlas::ingest
