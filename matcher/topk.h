// Top-K without scoring everything (issue 12 item 4): the static side of the partner and target
// scores, kept with the snapshot, so that a query reads producers best first and stops when no
// unread one can reach its K-th score (Fagin's threshold algorithm).
//
// For every segment, its producers (produces and member_of edges into it; one entry per
// enterprise, with its largest share) are split into blocks by the province the producer sits in
// (plus one block for producers whose region has no province and one for producers with no
// region), and within a block sorted by an upper bound of Quality() (highest first, then vertex
// id). Per block: the largest share and the largest number of segments (with those above them) a
// producer of the block makes. A query turns a block into a list with a score bound that holds
// for every producer from the cursor on: the query-dependent parts are bounded per block
// (proximity is constant within a province, except for the subject's own county, which is scored
// exactly), the static ones by the entry at the cursor.
#pragma once

#include <algorithm>

#include <cstdint>
#include <span>
#include <unordered_map>
#include <vector>

#include "graph/snapshot.h"

namespace chainatlas::matcher {

// Block keys that are not a province vertex.
inline constexpr VertexId kBlockNoProvince = kNoVertex - 1;  // a region, but none at province level
inline constexpr VertexId kBlockNoRegion = kNoVertex;        // no region

struct ProducerBlock {
  VertexId province = kBlockNoRegion;
  uint32_t begin = 0, end = 0;  // into ProducerIndex::Entry
  float max_share = 0;          // the largest share (member_of: half) in the block, rounded up
  uint32_t max_reach = 0;  // the most segments (with the segments above them) one producer makes
  float top_quality = 0;   // QualityBound of the block's first entry (its largest)
};

class ProducerIndex {
 public:
  explicit ProducerIndex(const Snapshot& s);
  std::span<const ProducerBlock> Blocks(VertexId segment) const {
    auto it = blocks_of_.find(segment);
    if (it == blocks_of_.end()) return {};
    return {blocks_.data() + it->second.first, it->second.second - it->second.first};
  }
  VertexId Entry(uint32_t i) const { return entries_[i]; }
  // Every entry of a segment (its blocks are consecutive: one run of entries).
  std::span<const VertexId> SegmentEntries(VertexId segment) const {
    const auto blocks = Blocks(segment);
    if (blocks.empty()) return {};
    return {entries_.data() + blocks.front().begin, blocks.back().end - blocks.front().begin};
  }
  // How many distinct organisations make the segment or a segment below it (ProducersOf).
  uint32_t SubtreeProducers(VertexId segment) const {
    auto it = subtree_producers_.find(segment);
    return it == subtree_producers_.end() ? 0 : it->second;
  }
  // The largest subtrees of the segment forest by producer entries, each with the union of its
  // segments' entries as a bitmap over the vertices: a query whose segments hold a whole subtree
  // (a supply target high in the tree, with everything below it) sets its bits a word at a time
  // rather than one entry at a time. Ancestors before descendants (preorder). Together at most
  // kSubtreeBitmapBytesPerEdge bytes per edge.
  struct SubtreeBitmap {
    VertexId root;
    std::vector<VertexId> segments;  // the subtree, root included, sorted
    size_t offset;                   // its first word in Words()
  };
  static constexpr double kSubtreeBitmapBytesPerEdge = 0.375;
  const std::vector<SubtreeBitmap>& SubtreeBitmaps() const { return subtree_bitmaps_; }
  // A bitmap's words: bit v of word v / 64.
  std::span<const uint64_t> Words(const SubtreeBitmap& b) const {
    return {bitmap_words_.data() + b.offset, bitmap_size_};
  }
  // The organisations whose county (the region's ancestor at county level, as GeoProximity finds
  // it) is `county`, by QualityBound, highest first (then vertex id).
  std::span<const VertexId> CountyMembers(VertexId county) const {
    auto it = county_of_.find(county);
    if (it == county_of_.end()) return {};
    return {county_members_.data() + it->second.first, it->second.second - it->second.first};
  }
  // An upper bound of Quality(v) (the float above it), for every vertex.
  double QualityBound(VertexId v) const { return vertex_[v].quality; }
  // ProvinceBlock(v), for every vertex.
  VertexId Block(VertexId v) const { return vertex_[v].block; }
  // Asks for v's QualityBound and Block ahead of use: a query that bounds tens of thousands of
  // vertices in a row (a hub's trading partners) waits on one cache miss each otherwise.
  void Prefetch(VertexId v) const { __builtin_prefetch(&vertex_[v]); }
  // The weights of v's in-edges of `kind` (researches, clinical_strength or clinical_demand), in
  // In(v, kind)'s order, copied together: pairings read every in-edge of a query's segments
  // (a university query up to 240,000 at 10M edges), and In() finds each reverse edge's weight in
  // the source's row. Null when the kind is not kept (then read In()); empty when v has none.
  const float* InWeights(VertexId v, EdgeKind kind) const {
    const int k = InWeightKind(kind);
    if (k < 0) return nullptr;
    auto it = in_weights_of_[k].find(v);
    return it == in_weights_of_[k].end() ? in_weights_.data() : in_weights_.data() + it->second;
  }
  size_t Bytes() const;
  double build_seconds = 0;

 private:
  std::unordered_map<VertexId, std::pair<uint32_t, uint32_t>> blocks_of_;
  std::vector<ProducerBlock> blocks_;
  std::vector<VertexId> entries_;
  struct VertexBound {  // read together: one cache line per vertex
    float quality;
    VertexId block;
  };
  std::vector<VertexBound> vertex_;
  std::unordered_map<VertexId, uint32_t> subtree_producers_;
  std::vector<SubtreeBitmap> subtree_bitmaps_;
  std::vector<uint64_t> bitmap_words_;
  size_t bitmap_size_ = 0;  // words per bitmap
  void BuildSubtreeBitmaps(const Snapshot& s);
  std::unordered_map<VertexId, std::pair<uint32_t, uint32_t>> county_of_;
  std::vector<VertexId> county_members_;
  static int InWeightKind(EdgeKind kind) {
    return kind == EdgeKind::kResearches         ? 0
           : kind == EdgeKind::kClinicalStrength ? 1
           : kind == EdgeKind::kClinicalDemand   ? 2
                                                 : -1;
  }
  std::unordered_map<VertexId, uint32_t> in_weights_of_[3];  // vertex → offset in in_weights_
  std::vector<float> in_weights_;
};

// The snapshot's index, built on first use (under the snapshot's lock) and kept with it.
const ProducerIndex& TopKIndex(const Snapshot& s);

// The province block of an organisation (kBlockNoProvince, kBlockNoRegion or a province vertex).
VertexId ProvinceBlock(const Snapshot& s, VertexId v);

// The largest proximity value any organisation of `block` can have relative to `subject` (an
// organisation or a region); subject_county_exact: the subject's own county is scored apart, so
// that within its province the best left is the same city.
double ProximityBound(const Snapshot& s, VertexId subject, VertexId block,
                      bool subject_county_exact);

// ProximityBound for one subject, each block's computed once (a query meets a few dozen blocks).
class ProximityBounds {
 public:
  ProximityBounds(const Snapshot& s, VertexId subject) : s_(s), subject_(subject) {}
  double operator()(VertexId block, bool subject_county_exact = false);

 private:
  const Snapshot& s_;
  VertexId subject_;
  // By subject_county_exact: open addressing on the block (a few dozen provinces), then a list
  // once the table is half full.
  struct Slot {
    VertexId block = kNoVertex;
    bool used = false;
    double value = 0;
  };
  static constexpr size_t kSlots = 128;
  Slot table_[2][kSlots];
  size_t used_[2] = {0, 0};
  std::vector<std::pair<VertexId, double>> rest_[2];
};

// Per-thread scratch: a stamp per vertex, so a query costs what it touches.
class SeenSet {
 public:
  void Reset(size_t n);
  bool Insert(VertexId v) {  // true when v was not yet in
    if (stamp_[v] == epoch_) return false;
    stamp_[v] = epoch_;
    return true;
  }
  bool Has(VertexId v) const { return stamp_[v] == epoch_; }

 private:
  std::vector<uint32_t> stamp_;
  uint32_t epoch_ = 0;
};

// Per-thread scratch: one bit per vertex, cleared per query (n / 8 bytes).
class BitSet {
 public:
  void Reset(size_t n) { words_.assign((n + 63) / 64, 0); }
  bool Insert(VertexId v) {  // true when v was not yet in
    uint64_t& w = words_[v >> 6];
    const uint64_t bit = uint64_t{1} << (v & 63);
    if (w & bit) return false;
    w |= bit;
    return true;
  }
  void Set(VertexId v) { words_[v >> 6] |= uint64_t{1} << (v & 63); }
  // Sets every bit set in `words` (as long as this set's words).
  void Or(std::span<const uint64_t> words) {
    for (size_t i = 0; i < words_.size(); ++i) words_[i] |= words[i];
  }
  void Clear(VertexId v) { words_[v >> 6] &= ~(uint64_t{1} << (v & 63)); }
  bool Has(VertexId v) const { return (words_[v >> 6] >> (v & 63)) & 1; }
  // How many bits are set.
  size_t Count() const {
    size_t n = 0;
    for (uint64_t w : words_) n += static_cast<size_t>(__builtin_popcountll(w));
    return n;
  }

 private:
  std::vector<uint64_t> words_;
};

// Threshold-algorithm lists: one per (segment, block), merged by their current bound.
struct TopKList {
  double bound0;     // the bound without the static quality term
  double quality_w;  // the weight of the quality term
  uint32_t pos, end;
  double Bound(const ProducerIndex& ix) const {
    return bound0 + quality_w * ix.QualityBound(ix.Entry(pos));
  }
};

// RankItems' (and TopCandidates') order of (key, candidate): key descending, then kind and key.
struct Better {
  const Snapshot& s;
  bool operator()(const std::pair<double, VertexId>& a,
                  const std::pair<double, VertexId>& b) const {
    if (a.first != b.first) return a.first > b.first;
    if (s.Kind(a.second) != s.Kind(b.second)) return s.Kind(a.second) < s.Kind(b.second);
    return s.Key(a.second) < s.Key(b.second);
  }
};

// Keeps the k best (score, vertex) pairs offered, in Better's order, as a heap whose front is the
// worst one kept: the score an unread candidate's bound must reach.
inline void OfferTopK(std::vector<std::pair<double, VertexId>>& top, size_t k, const Better& better,
                      std::pair<double, VertexId> item) {
  if (top.size() < k) {
    top.push_back(item);
    std::push_heap(top.begin(), top.end(), better);
  } else if (better(item, top.front())) {
    std::pop_heap(top.begin(), top.end(), better);
    top.back() = item;
    std::push_heap(top.begin(), top.end(), better);
  }
}

// Margin added to bounds against rounding (a bound summed in another order than the score).
inline constexpr double kBoundSlack = 1e-9;

// How many vertices ahead a loop over a vertex list prefetches their per-vertex data.
inline constexpr size_t kAhead = 8;

}  // namespace chainatlas::matcher
