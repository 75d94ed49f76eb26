#include "matcher/topk.h"

#include <algorithm>
#include <chrono>
#include <cmath>

#include "graph/huge_pages.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"
#include "matcher/recommend.h"

namespace chainatlas::matcher {
namespace {

float RoundUp(double x) {
  float f = static_cast<float>(x);
  if (static_cast<double>(f) < x) f = std::nextafter(f, std::numeric_limits<float>::infinity());
  return f;
}

bool InDeltaProvince(const Snapshot& s, VertexId province) {
  std::string_view code = s.Key(province).substr(0, 2);
  return code == "31" || code == "32" || code == "33" || code == "34";
}

}  // namespace

VertexId ProvinceBlock(const Snapshot& s, VertexId v) {
  VertexId r = s.Kind(v) == NodeKind::kRegion ? v : s.Region(v);
  if (r == kNoVertex) return kBlockNoRegion;
  VertexId p = s.regions().AncestorAtLevel(r, RegionLevel::kProvince);
  return p == kNoVertex ? kBlockNoProvince : p;
}

double ProximityBound(const Snapshot& s, VertexId subject, VertexId block,
                      bool subject_county_exact) {
  const VertexId mine = ProvinceBlock(s, subject);
  if (mine == kBlockNoRegion || block == kBlockNoRegion) return ProximityValue(Proximity::kUnknown);
  if (block == kBlockNoProvince || mine == kBlockNoProvince) {
    // No province to tell them apart: anything up to the same county (GeoProximity compares the
    // county and city ancestors first).
    return block == kBlockNoProvince ? ProximityValue(Proximity::kSameCounty)
                                     : ProximityValue(Proximity::kElsewhere);
  }
  if (block == mine) {
    return ProximityValue(subject_county_exact ? Proximity::kSameCity : Proximity::kSameCounty);
  }
  return InDeltaProvince(s, block) && InDeltaProvince(s, mine)
             ? ProximityValue(Proximity::kDelta)
             : ProximityValue(Proximity::kElsewhere);
}

void SeenSet::Reset(size_t n) {
  GrowHuge(stamp_, n, uint32_t{0});
  if (++epoch_ == 0) {
    std::fill(stamp_.begin(), stamp_.end(), 0);
    epoch_ = 1;
  }
}

ProducerIndex::ProducerIndex(const Snapshot& s) {
  const auto t0 = std::chrono::steady_clock::now();
  const size_t n = s.NumVertices();
  vertex_.resize(n);
  for (VertexId v = 0; v < n; ++v) vertex_[v] = {RoundUp(Quality(s, v)), ProvinceBlock(s, v)};

  struct Raw {
    VertexId segment, block, vertex;
    float share;
    float quality;
  };
  std::vector<Raw> raw;
  std::vector<uint32_t> reach(n, 0);
  const Forest& tree = s.taxonomy().forest();
  std::vector<VertexId> made;
  for (VertexId v = 0; v < n; ++v) {
    auto produces = s.Out(v, EdgeKind::kProduces);
    auto member = s.Out(v, EdgeKind::kMemberOf);
    if (produces.empty() && member.empty()) continue;
    const VertexId block = vertex_[v].block;
    made.clear();
    auto add = [&](Neighbor nb, double factor) {
      double share = factor * (nb.weight > 0 ? nb.weight : 1.0);
      raw.push_back({nb.vertex, block, v, RoundUp(share), vertex_[v].quality});
      made.push_back(nb.vertex);
      if (tree.Has(nb.vertex)) {
        for (VertexId a : tree.Ancestors(nb.vertex)) made.push_back(a);
      }
    };
    for (Neighbor nb : produces) add(nb, 1.0);
    for (Neighbor nb : member) add(nb, 0.5);
    std::sort(made.begin(), made.end());
    made.erase(std::unique(made.begin(), made.end()), made.end());
    reach[v] = static_cast<uint32_t>(made.size());
    for (VertexId a : made) subtree_producers_[a]++;
  }
  std::sort(raw.begin(), raw.end(), [](const Raw& a, const Raw& b) {
    if (a.segment != b.segment) return a.segment < b.segment;
    if (a.block != b.block) return a.block < b.block;
    if (a.quality != b.quality) return a.quality > b.quality;
    if (a.vertex != b.vertex) return a.vertex < b.vertex;
    return a.share > b.share;
  });
  entries_.reserve(raw.size());
  for (size_t i = 0; i < raw.size();) {
    const VertexId seg = raw[i].segment;
    const uint32_t first_block = static_cast<uint32_t>(blocks_.size());
    while (i < raw.size() && raw[i].segment == seg) {
      ProducerBlock b;
      b.province = raw[i].block;
      b.begin = static_cast<uint32_t>(entries_.size());
      while (i < raw.size() && raw[i].segment == seg && raw[i].block == b.province) {
        const Raw& r = raw[i];
        // One entry per producer (produces and member_of of one segment: the larger share).
        if (entries_.size() == b.begin || entries_.back() != r.vertex) entries_.push_back(r.vertex);
        b.max_share = std::max(b.max_share, r.share);
        b.max_reach = std::max(b.max_reach, reach[r.vertex]);
        ++i;
      }
      b.end = static_cast<uint32_t>(entries_.size());
      b.top_quality = vertex_[entries_[b.begin]].quality;
      blocks_.push_back(b);
    }
    blocks_of_[seg] = {first_block, static_cast<uint32_t>(blocks_.size())};
  }
  entries_.shrink_to_fit();
  blocks_.shrink_to_fit();
  BuildSubtreeBitmaps(s);

  // Organisations by county, best quality bound first.
  std::vector<std::pair<VertexId, VertexId>> by_county;  // (county, vertex)
  for (VertexId v = 0; v < n; ++v) {
    if (s.Kind(v) == NodeKind::kRegion) continue;
    const VertexId r = s.Region(v);
    if (r == kNoVertex) continue;
    const VertexId county = s.regions().AncestorAtLevel(r, RegionLevel::kCounty);
    if (county != kNoVertex) by_county.push_back({county, v});
  }
  std::sort(by_county.begin(), by_county.end(), [&](const auto& a, const auto& b) {
    if (a.first != b.first) return a.first < b.first;
    if (vertex_[a.second].quality != vertex_[b.second].quality)
      return vertex_[a.second].quality > vertex_[b.second].quality;
    return a.second < b.second;
  });
  county_members_.reserve(by_county.size());
  for (size_t i = 0; i < by_county.size();) {
    const VertexId county = by_county[i].first;
    const auto first = static_cast<uint32_t>(county_members_.size());
    for (; i < by_county.size() && by_county[i].first == county; ++i) {
      county_members_.push_back(by_county[i].second);
    }
    county_of_[county] = {first, static_cast<uint32_t>(county_members_.size())};
  }
  // Pairings' in-edge weights, per vertex that has such in-edges (segments and tracks).
  for (EdgeKind kind :
       {EdgeKind::kResearches, EdgeKind::kClinicalStrength, EdgeKind::kClinicalDemand}) {
    auto& offsets = in_weights_of_[InWeightKind(kind)];
    for (VertexId v = 0; v < n; ++v) {
      const auto in = s.In(v, kind);
      if (in.empty()) continue;
      offsets[v] = static_cast<uint32_t>(in_weights_.size());
      for (Neighbor nb : in) in_weights_.push_back(nb.weight);
    }
  }
  in_weights_.shrink_to_fit();
  build_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

void ProducerIndex::BuildSubtreeBitmaps(const Snapshot& s) {
  const Forest& tree = s.taxonomy().forest();
  // Every inner segment of the forest with its subtree's entries, most first.
  std::vector<std::pair<size_t, VertexId>> inner;
  std::vector<VertexId> stack(tree.Roots().begin(), tree.Roots().end());
  while (!stack.empty()) {
    const VertexId d = stack.back();
    stack.pop_back();
    const auto& children = tree.Children(d);
    if (children.empty()) continue;
    stack.insert(stack.end(), children.begin(), children.end());
    size_t total = 0;
    for (VertexId x : tree.SelfAndDescendants(d)) total += SegmentEntries(x).size();
    inner.push_back({total, d});
  }
  std::sort(inner.begin(), inner.end(), [](const auto& a, const auto& b) {
    return a.first != b.first ? a.first > b.first : a.second < b.second;
  });
  bitmap_size_ = (s.NumVertices() + 63) / 64;
  const size_t bytes = bitmap_size_ * sizeof(uint64_t);
  // A bitmap is read whole: it is worth it only for a subtree of more entries than it has words.
  size_t count = 0;
  while (count < inner.size() && inner[count].first > bitmap_size_ &&
         (count + 1) * bytes <= kSubtreeBitmapBytesPerEdge * s.NumEdges()) {
    ++count;
  }
  inner.resize(count);
  std::sort(inner.begin(), inner.end(), [&](const auto& a, const auto& b) {
    return tree.PreorderIndex(a.second) < tree.PreorderIndex(b.second);
  });
  bitmap_words_.assign(count * bitmap_size_, 0);
  for (const auto& [total, root] : inner) {
    SubtreeBitmap b{root, tree.SelfAndDescendants(root), subtree_bitmaps_.size() * bitmap_size_};
    std::sort(b.segments.begin(), b.segments.end());
    uint64_t* words = bitmap_words_.data() + b.offset;
    for (VertexId d : b.segments) {
      for (VertexId v : SegmentEntries(d)) words[v >> 6] |= uint64_t{1} << (v & 63);
    }
    subtree_bitmaps_.push_back(std::move(b));
  }
}

size_t ProducerIndex::Bytes() const {
  size_t bitmaps = bitmap_words_.capacity() * sizeof(uint64_t);
  for (const SubtreeBitmap& b : subtree_bitmaps_) {
    bitmaps += sizeof(SubtreeBitmap) + b.segments.capacity() * sizeof(VertexId);
  }
  return bitmaps + entries_.capacity() * sizeof(VertexId) +
         blocks_.capacity() * sizeof(ProducerBlock) + vertex_.capacity() * sizeof(VertexBound) +
         blocks_of_.size() * (sizeof(VertexId) + 2 * sizeof(uint32_t) + 2 * sizeof(void*)) +
         blocks_of_.bucket_count() * sizeof(void*) +
         subtree_producers_.size() * (2 * sizeof(uint32_t) + 2 * sizeof(void*)) +
         subtree_producers_.bucket_count() * sizeof(void*) +
         county_members_.capacity() * sizeof(VertexId) +
         county_of_.size() * (sizeof(VertexId) + 2 * sizeof(uint32_t) + 2 * sizeof(void*)) +
         county_of_.bucket_count() * sizeof(void*) + in_weights_.capacity() * sizeof(float) + [&] {
           size_t b = 0;
           for (const auto& m : in_weights_of_) {
             b += m.size() * (2 * sizeof(uint32_t) + 2 * sizeof(void*)) +
                  m.bucket_count() * sizeof(void*);
           }
           return b;
         }();
}

const ProducerIndex& TopKIndex(const Snapshot& s) {
  // The pointer stays valid as long as the snapshot (the slot keeps the index).
  std::shared_ptr<const void> d = s.Derived(0, [&] {
    return std::static_pointer_cast<const void>(std::make_shared<const ProducerIndex>(s));
  });
  return *static_cast<const ProducerIndex*>(d.get());
}

double ProximityBounds::operator()(VertexId block, bool subject_county_exact) {
  const int m = subject_county_exact ? 1 : 0;
  for (size_t i = (block * 0x9E3779B1u) % kSlots;; i = (i + 1) % kSlots) {
    Slot& slot = table_[m][i];
    if (slot.used && slot.block == block) return slot.value;
    if (!slot.used) {
      for (const auto& [b, value] : rest_[m]) {
        if (b == block) return value;
      }
      const double value = ProximityBound(s_, subject_, block, subject_county_exact);
      if (used_[m] < kSlots / 2) {
        slot = {block, true, value};
        ++used_[m];
      } else {
        rest_[m].push_back({block, value});
      }
      return value;
    }
  }
}

}  // namespace chainatlas::matcher
