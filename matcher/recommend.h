// What every recommendation is made of: a ranked item with its score, the named components that add
// up to it, the graph paths that produced it and the facts that weighed, in words a person can
// check; plus the shared measures (geographic proximity, quality) and the named scorers.
#pragma once

#include <algorithm>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "graph/snapshot.h"
#include "matcher/reason.h"

namespace chainatlas::matcher {

// One step of a path: from the previous vertex along an edge of `kind` to `vertex`; `forward`
// tells whether the edge points that way (A —produces→ S) or the other (S ←produces— B).
struct PathStep {
  EdgeKind kind = EdgeKind::kPartOf;
  bool forward = true;
  VertexId vertex = kNoVertex;
  uint8_t evidence = 0;  // supplies steps: the edge's EvidenceByte
};
struct Path {
  VertexId start = kNoVertex;
  std::vector<PathStep> steps;
  Path& Then(EdgeKind kind, bool forward, VertexId v, uint8_t evidence = 0) {
    steps.push_back({kind, forward, v, evidence});
    return *this;
  }
};
// `A —produces→ 电子内窥镜 —supplies→ ... ←produces— B`, with vertex names; a supplies step that
// is not curated names its evidence (`—needs[inferred]→`).
std::string RenderPath(const Snapshot& s, const Path& path);
// The evidence of the first supplies step of a path, as a reason a person can check
// (`evidence.material_name`: "inferred: 锂电池材料 is a material for 锂电池 (name rule)",
// `evidence.same_industry`: "industry-level only (weak): ..."). No code (empty) when the path has
// no supplies step.
Reason EvidenceFact(const Snapshot& s, const Path& path);

// A named part of a score: points = weight × value, and the points of all components add up to
// the item's score. `value` is the raw measure in [0, 1].
struct Component {
  std::string name;
  double weight = 0;
  double value = 0;
  double points = 0;
};

struct Item {
  VertexId entity = kNoVertex;
  double score = 0;
  std::vector<Component> components;
  std::vector<Path> paths;  // the best few paths that produced the item
  std::vector<Reason> why;  // the facts that weighed
  bool known = false;       // already a partner (listed only when asked for)
  // Supply recommendations: the evidence of the best path (EvidenceByte) and its tier; items rank
  // by tier first (product-level before industry-level), then by score.
  bool has_evidence = false;
  uint8_t evidence = 0;
  int tier = 0;
  std::vector<VertexId> via;       // the segments (or other entities) it matched through
  std::vector<VertexId> partners;  // triads: the other members (university, hospital)
};

// Sorts by tier (ascending), score (descending), then by key, and keeps the first `top` (0: all).
void RankItems(const Snapshot& s, std::vector<Item>& items, size_t top);

// ---- Scorers: named weight sets. A recommender computes raw measures in [0, 1] under fixed
// names; the scorer chosen by name turns them into components. A new scorer is one entry in
// scorers.cc (or a file of its own that registers a Scorer).
struct Scorer {
  std::string name;
  std::string description;
  // (recommender, measure) → weight; a measure without a weight counts 0.
  std::vector<std::pair<std::string, std::vector<std::pair<std::string, double>>>> weights;
  // The weights of one recommender (throws kInternal when the scorer has none for it).
  const std::vector<std::pair<std::string, double>>& For(std::string_view recommender) const;
  // The weight of one measure for `recommender` (0 when it has none).
  double Weight(std::string_view recommender, std::string_view measure) const;
};
const std::vector<Scorer>& Scorers();
// Throws Error(kNotFound) listing the scorers when `name` is none of them.
const Scorer& FindScorer(std::string_view name);
inline constexpr std::string_view kDefaultScorer = "balanced";

// Fills item.components and item.score from raw measures by the scorer's weights for
// `recommender`. Every weighted measure must be present in `measures`.
void ApplyScorer(const Scorer& scorer, std::string_view recommender,
                 const std::vector<std::pair<std::string, double>>& measures, Item& item);
// The same score without building components (for ranking many candidates before building the
// items of the best): exactly the value ApplyScorer gives for the same measures.
using Measure = std::pair<std::string_view, double>;
double ScoreOf(const Scorer& scorer, std::string_view recommender, const Measure* measures,
               size_t count, std::vector<Component>* components = nullptr);

// The `top` best of (score, candidate) pairs, in RankItems' order (score, then kind and key):
// recommenders score every candidate cheaply, then build full items for these only.
std::vector<VertexId> TopCandidates(const Snapshot& s,
                                    std::vector<std::pair<double, VertexId>> scored, size_t top);

// ---- Shared measures.

// Where b sits relative to a: same county, city, province, the Yangtze River Delta (Shanghai,
// Jiangsu, Zhejiang, Anhui), elsewhere in the country, or unknown (either region unknown).
enum class Proximity : uint8_t {
  kSameCounty,
  kSameCity,
  kSameProvince,
  kDelta,
  kElsewhere,
  kUnknown
};
Proximity GeoProximity(const Snapshot& s, VertexId a, VertexId b);
// 1.0, 0.8, 0.6, 0.4, 0.15, 0.1.
double ProximityValue(Proximity p);
std::string_view ProximityName(Proximity p);  // "same county", ...
// The fact as a reason: `proximity.same_city` with the region 杭州市 ("same city (杭州市)").
Reason ProximityFact(const Snapshot& s, Proximity p, VertexId a, VertexId b);

// Quality of an organisation in [0, 1] and the facts behind it. Enterprises: tags (little giant
// 0.35, specialised 0.25, chain leader 0.25, high-tech 0.2, listed 0.2), above designated size
// 0.15, class III certificates min(0.3, 0.1·log2(1+n)), class II min(0.15, 0.05·log2(1+n)),
// patents min(0.15, 0.03·log2(1+n)); capped at 1. Hospitals: grade (三级甲等 1, 三级 0.8, 二级
// 0.5, other 0.3) plus clinical-trial registration; institutions: 0.5 + 0.1 per key lab;
// platforms: 0.5 + 0.15 per accreditation; each capped at 1.
double Quality(const Snapshot& s, VertexId v, std::vector<Reason>* facts = nullptr);

// The segments an enterprise makes, with how much: produces edges (weight = share, 1 when
// unknown) and, at half weight, member_of industries.
struct SegmentShare {
  VertexId segment;
  double share;
  EdgeKind via;  // produces or member_of
};
std::vector<SegmentShare> SegmentsOf(const Snapshot& s, VertexId enterprise);
// The enterprises that make `segment` or any segment below it: (enterprise, share, the segment it
// makes, edge kind).
struct Producer {
  VertexId enterprise;
  double share;
  VertexId segment;
  EdgeKind via;
};
std::vector<Producer> ProducersOf(const Snapshot& s, VertexId segment);

// Candidates met along paths: the best fit of each, its best few paths and the segments it was
// matched through. Iterate with Sorted() for a deterministic order.
struct Candidate {
  double fit = 0;  // the best fit within the best tier (product-level before industry-level)
  int tier = kEvidenceTierCount;  // the best evidence tier met (EvidenceTier in graph/kinds.h)
  uint8_t evidence = 0;           // the evidence of that best fit
  bool on_track = false;          // some path passes the track filter
  double industry_fit = 0;        // the best fit of a sector-rule path (corroboration)
  std::vector<std::pair<double, Path>> paths;  // best first (fit − 10·tier), at most kMaxPaths
  std::vector<VertexId> via;                   // sorted, unique
};
class Candidates {
 public:
  static constexpr size_t kMaxPaths = 3;
  // record_paths false: fits only (no segments; make_path is never called);
  // only: consider these candidates alone (a second pass that builds the paths of the best).
  explicit Candidates(bool record_paths = true, const std::unordered_set<VertexId>* only = nullptr)
      : record_paths_(record_paths), only_(only) {}
  // make_path() builds the path; it is called only when the path is kept.
  // evidence: of the supply relation the path crosses (0: curated or none); on_track: whether
  // the path passes the track filter (recommenders that filter candidates afterwards).
  template <typename MakePath>
  void OfferWith(VertexId candidate, double fit, MakePath&& make_path, VertexId via,
                 uint8_t evidence = 0, bool on_track = true);
  void Offer(VertexId candidate, double fit, const Path& path, VertexId via) {
    OfferWith(
        candidate, fit, [&] { return path; }, via);
  }
  bool Has(VertexId v) const { return map_.count(v) != 0; }
  size_t size() const { return map_.size(); }
  const Candidate* Find(VertexId v) const {
    auto it = map_.find(v);
    return it == map_.end() ? nullptr : &it->second;
  }
  std::vector<std::pair<VertexId, const Candidate*>> Sorted() const;

 private:
  bool record_paths_;
  const std::unordered_set<VertexId>* only_;
  std::unordered_map<VertexId, Candidate> map_;
};

template <typename MakePath>
void Candidates::OfferWith(VertexId candidate, double fit, MakePath&& make_path, VertexId via,
                           uint8_t evidence, bool on_track) {
  if (only_ && !only_->count(candidate)) return;
  Candidate& c = map_[candidate];
  const int tier = EvidenceTier(evidence);
  // Within a tier, product-level (learned) evidence comes before industry-level (sector) evidence.
  const bool industry = IsIndustryEvidence(evidence);
  if (tier < c.tier ||
      (tier == c.tier && (industry != IsIndustryEvidence(c.evidence) ? !industry : fit > c.fit))) {
    c.tier = tier;
    c.fit = fit;
    c.evidence = evidence;
  }
  c.on_track = c.on_track || on_track;
  if (IsSectorEvidence(evidence)) c.industry_fit = std::max(c.industry_fit, fit);
  if (!record_paths_) return;  // the first pass ranks by fit alone: no segments, no paths
  auto pos = std::lower_bound(c.via.begin(), c.via.end(), via);
  if (pos == c.via.end() || *pos != via) c.via.insert(pos, via);
  // Paths in rank order: a better tier first, then a higher fit (fits lie in [0, 1]).
  const double key = fit - 10.0 * tier;
  auto at = std::find_if(c.paths.begin(), c.paths.end(),
                         [&](const auto& p) { return p.first < key; });
  if (static_cast<size_t>(at - c.paths.begin()) >= kMaxPaths) return;
  c.paths.insert(at, {key, make_path()});
  if (c.paths.size() > kMaxPaths) c.paths.pop_back();
}
// Copies a candidate's paths and segments into an item.
void TakePaths(const Candidate& c, Item& item);

// 0.5 + 0.5·share: how much a share (clamped to [0, 1]) counts in a fit.
inline double ShareFactor(double share) {
  return 0.5 + 0.5 * (share < 0 ? 0 : share > 1 ? 1 : share);
}

// The segment and the segments (and track) above it, each with the part_of steps from the segment
// up to it; the segment itself first, with no steps.
std::vector<std::pair<VertexId, std::vector<PathStep>>> SegmentAndAbove(const Snapshot& s,
                                                                        VertexId segment);

// Checks that v is an entity of `kind`; throws Error(kInvalidArgument) naming what it is instead.
void RequireKind(const Snapshot& s, VertexId v, NodeKind kind, std::string_view role);

// Options every recommender accepts.
struct Filters {
  VertexId within = kNoVertex;       // candidates in this region or below
  std::vector<VertexId> within_any;  // or, when not empty: in any of these regions or below
  VertexId track = kNoVertex;  // matched through a segment of this track (or segment) or below
  size_t top = 20;
  bool include_known = false;  // list partners already tied to the subject (marked known)
  std::string scorer = std::string(kDefaultScorer);
};
// Throws Error(kInvalidArgument) when within is not a region, track is not a track or segment,
// or top is 0 or above 10,000.
void CheckFilters(const Snapshot& s, const Filters& f);
bool PassesWithin(const Snapshot& s, const Filters& f, VertexId candidate);
bool PassesTrack(const Snapshot& s, const Filters& f, VertexId segment);

}  // namespace chainatlas::matcher
