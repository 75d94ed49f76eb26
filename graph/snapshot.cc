#include "graph/snapshot.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <type_traits>

#include "graph/error.h"
#include "graph/huge_pages.h"
#include "graph/region_tree.h"
#include "graph/taxonomy.h"

namespace chainatlas {
namespace {

constexpr std::array<std::string_view, kEnterpriseTagCount> kTagNames = {
    "high_tech",    "specialised",    "little_giant", "listed",
    "chain_leader", "foreign_funded", "startup"};

// The lookup tables' hash (Snapshot::key_slots_ and the others): fixed, since packed tables are
// written by one process and probed by another.
uint64_t TextHash(std::string_view text, uint64_t seed) {
  constexpr uint64_t kMul = 0x9E3779B97F4A7C15ull;
  uint64_t h = (seed + 0x243F6A8885A308D3ull) ^ (text.size() * kMul);
  size_t i = 0;
  for (; i + 8 <= text.size(); i += 8) {
    uint64_t w;
    std::memcpy(&w, text.data() + i, 8);
    h = (h ^ w) * kMul;
    h ^= h >> 29;
  }
  uint64_t tail = 0;
  std::memcpy(&tail, text.data() + i, text.size() - i);
  h = (h ^ tail) * kMul;
  h ^= h >> 32;
  h *= 0xD6E8FEB86659FD93ull;
  return h ^ (h >> 32);
}
uint64_t KeyHash(NodeKind kind, std::string_view key) {
  return TextHash(key, static_cast<uint64_t>(kind) + 1);
}

// Slots for `entries` entries: a power of two, at least twice as many.
size_t KeyTableSlots(size_t entries) {
  size_t slots = 16;
  while (slots < 2 * entries) slots *= 2;
  return slots;
}

// Linear probing from hash's slot: the first slot for which stop(v) is true or that is empty.
template <typename Stop>
size_t Probe(const std::vector<VertexId>& slots, uint64_t hash, Stop stop) {
  const size_t mask = slots.size() - 1;
  size_t i = static_cast<size_t>(hash) & mask;
  while (slots[i] != kNoVertex && !stop(slots[i])) i = (i + 1) & mask;
  return i;
}

void Insert(std::vector<VertexId>& slots, uint64_t hash, VertexId v) {
  slots[Probe(slots, hash, [](VertexId) { return false; })] = v;
}

}  // namespace

std::string_view EnterpriseTagName(EnterpriseTag tag) {
  return kTagNames.at(static_cast<size_t>(tag));
}

std::optional<EnterpriseTag> ParseEnterpriseTag(std::string_view name) {
  for (size_t i = 0; i < kTagNames.size(); ++i) {
    if (kTagNames[i] == name) return static_cast<EnterpriseTag>(i);
  }
  return std::nullopt;
}

std::vector<std::string> TagNames(uint32_t bits) {
  std::vector<std::string> out;
  for (size_t i = 0; i < kTagNames.size(); ++i) {
    if (bits & (1u << i)) out.emplace_back(kTagNames[i]);
  }
  return out;
}

// ---- Snapshot ----------------------------------------------------------------------------------

Snapshot::Snapshot()
    : aliases_(kNodeKindCount), node_counts_(kNodeKindCount, 0), edge_counts_(kEdgeKindCount, 0) {}
Snapshot::~Snapshot() = default;

std::shared_ptr<const void> Snapshot::Derived(
    int slot, const std::function<std::shared_ptr<const void>()>& build) const {
  std::lock_guard<std::mutex> lock(derived_mu_);
  std::shared_ptr<const void>& d = derived_.at(static_cast<size_t>(slot));
  if (!d) d = build();
  return d;
}

std::string Snapshot::Label(VertexId v) const {
  std::string s(NodeKindName(Kind(v)));
  s += ':';
  s.append(Key(v));
  return s;
}

namespace {
template <typename T>
const T& AttributesOf(const std::vector<T>& rows, NodeKind actual, NodeKind wanted, uint32_t row,
                      VertexId v) {
  if (actual != wanted) {
    throw Error(ErrorCode::kInvalidArgument, "vertex " + std::to_string(v) + " is a " +
                                                 std::string(NodeKindName(actual)) + ", not a " +
                                                 std::string(NodeKindName(wanted)));
  }
  return rows[row];
}
}  // namespace

const EnterpriseAttributes& Snapshot::Enterprise(VertexId v) const {
  return AttributesOf(enterprises_, Kind(v), NodeKind::kEnterprise, rows_[v], v);
}
const HospitalAttributes& Snapshot::Hospital(VertexId v) const {
  return AttributesOf(hospitals_, Kind(v), NodeKind::kHospital, rows_[v], v);
}
const InstitutionAttributes& Snapshot::Institution(VertexId v) const {
  return AttributesOf(institutions_, Kind(v), NodeKind::kInstitution, rows_[v], v);
}
const PlatformAttributes& Snapshot::Platform(VertexId v) const {
  return AttributesOf(platforms_, Kind(v), NodeKind::kPlatform, rows_[v], v);
}
const SegmentAttributes& Snapshot::Segment(VertexId v) const {
  return AttributesOf(segments_, Kind(v), NodeKind::kSegment, rows_[v], v);
}
const TrackAttributes& Snapshot::Track(VertexId v) const {
  return AttributesOf(tracks_, Kind(v), NodeKind::kTrack, rows_[v], v);
}
const RegionAttributes& Snapshot::RegionInfo(VertexId v) const {
  return AttributesOf(region_rows_, Kind(v), NodeKind::kRegion, rows_[v], v);
}

VertexId Snapshot::FindKey(NodeKind kind, std::string_view key) const {
  if (!key_slots_.empty()) {
    const VertexId v = key_slots_[Probe(key_slots_, KeyHash(kind, key), [&](VertexId u) {
      return kinds_[u] == kind && keys_.Get(u) == key;
    })];
    if (v != kNoVertex) return v;
  }
  const auto& a = aliases_[static_cast<int>(kind)];
  if (auto it = a.find(std::string(key)); it != a.end()) return it->second;
  return kNoVertex;
}

VertexId Snapshot::FindUscc(std::string_view uscc) const {
  if (uscc_slots_.empty() || uscc.empty()) return kNoVertex;
  return uscc_slots_[Probe(uscc_slots_, TextHash(uscc, 0),
                           [&](VertexId u) { return enterprises_[rows_[u]].uscc == uscc; })];
}

std::vector<VertexId> Snapshot::FindName(std::string_view name) const {
  std::vector<VertexId> out;
  if (name_slots_.empty()) return out;
  const size_t mask = name_slots_.size() - 1;
  for (size_t i = static_cast<size_t>(TextHash(name, 0)) & mask; name_slots_[i] != kNoVertex;
       i = (i + 1) & mask) {
    if (names_.Get(name_slots_[i]) == name) out.push_back(name_slots_[i]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::pair<uint32_t, uint32_t> Snapshot::KindRun(const std::vector<EdgeKind>& kinds, uint32_t begin,
                                                uint32_t end, EdgeKind kind) const {
  auto first = kinds.begin() + begin, last = kinds.begin() + end;
  auto [lo, hi] = std::equal_range(first, last, kind);
  return {static_cast<uint32_t>(lo - kinds.begin()), static_cast<uint32_t>(hi - kinds.begin())};
}

Snapshot::NeighborRange Snapshot::Out(VertexId v, EdgeKind kind) const {
  const auto& rs = forward_.m_forward.m_rowstart;
  auto [b, e] = KindRun(forward_kinds_, rs[v], rs[v + 1], kind);
  return NeighborRange(this, v, false, b, e);
}

Snapshot::NeighborRange Snapshot::In(VertexId v, EdgeKind kind) const {
  const auto& rs = reverse_.m_forward.m_rowstart;
  auto [b, e] = KindRun(reverse_kinds_, rs[v], rs[v + 1], kind);
  return NeighborRange(this, v, true, b, e);
}

Snapshot::NeighborRange Snapshot::OutAll(VertexId v) const {
  const auto& rs = forward_.m_forward.m_rowstart;
  return NeighborRange(this, v, false, rs[v], rs[v + 1]);
}

Snapshot::NeighborRange Snapshot::InAll(VertexId v) const {
  const auto& rs = reverse_.m_forward.m_rowstart;
  return NeighborRange(this, v, true, rs[v], rs[v + 1]);
}

std::optional<float> Snapshot::EdgeWeight(VertexId src, EdgeKind kind, VertexId dst) const {
  const auto& rs = forward_.m_forward.m_rowstart;
  const auto& col = forward_.m_forward.m_column;
  auto [b, e] = KindRun(forward_kinds_, rs[src], rs[src + 1], kind);
  auto it = std::lower_bound(col.begin() + b, col.begin() + e, dst);
  if (it == col.begin() + e || *it != dst) return std::nullopt;
  return forward_.m_forward.m_edge_properties[it - col.begin()].weight;
}

uint8_t Snapshot::EdgeEvidence(VertexId src, EdgeKind kind, VertexId dst) const {
  const auto& rs = forward_.m_forward.m_rowstart;
  const auto& col = forward_.m_forward.m_column;
  auto [b, e] = KindRun(forward_kinds_, rs[src], rs[src + 1], kind);
  auto it = std::lower_bound(col.begin() + b, col.begin() + e, dst);
  if (it == col.begin() + e || *it != dst) return 0;
  return forward_evidence_[it - col.begin()];
}

std::array<size_t, kEvidenceKindCount> Snapshot::SupplyEvidenceCounts() const {
  std::array<size_t, kEvidenceKindCount> out{};
  for (size_t i = 0; i < forward_kinds_.size(); ++i) {
    if (forward_kinds_[i] == EdgeKind::kSupplies) {
      out[static_cast<size_t>(EvidenceKindOf(forward_evidence_[i]))]++;
    }
  }
  return out;
}

std::span<const VertexId> Snapshot::NeighborRange::Vertices() const {
  const auto& col = reverse_ ? snapshot_->reverse_.m_forward.m_column
                             : snapshot_->forward_.m_forward.m_column;
  return std::span<const VertexId>(col.data() + begin_, end_ - begin_);
}

Neighbor Snapshot::NeighborRange::At(uint32_t i) const {
  if (!reverse_) {
    return {snapshot_->forward_.m_forward.m_column[i],
            snapshot_->forward_.m_forward.m_edge_properties[i].weight,
            snapshot_->forward_evidence_[i]};
  }
  VertexId src = snapshot_->reverse_.m_forward.m_column[i];
  EdgeKind kind = snapshot_->reverse_kinds_[i];
  // The forward edge EdgeWeight(src, kind, self_) and EdgeEvidence(src, kind, self_) read.
  const uint32_t f = snapshot_->ReversePositions()[i];
  const float weight = snapshot_->forward_.m_forward.m_edge_properties[f].weight;
  if (kind != EdgeKind::kSupplies) return {src, weight};
  return {src, weight, snapshot_->forward_evidence_[f]};
}

const uint32_t* Snapshot::ReversePositions() const {
  if (const uint32_t* ready = reverse_positions_ready_.load(std::memory_order_acquire))
    return ready;
  std::call_once(reverse_positions_once_, [&] {
    const auto& rrs = reverse_.m_forward.m_rowstart;
    const auto& rcol = reverse_.m_forward.m_column;
    const auto& frs = forward_.m_forward.m_rowstart;
    const auto& fcol = forward_.m_forward.m_column;
    std::vector<uint32_t> pos(rcol.size(), 0);
    const size_t n = rrs.empty() ? 0 : rrs.size() - 1;
    for (VertexId dst = 0; dst < n; ++dst) {
      for (uint32_t i = rrs[dst]; i < rrs[dst + 1]; ++i) {
        // As EdgeWeight: the kind's run of the source's row, then the first edge to dst in it.
        const VertexId src = rcol[i];
        auto [b, e] = KindRun(forward_kinds_, frs[src], frs[src + 1], reverse_kinds_[i]);
        auto it = std::lower_bound(fcol.begin() + b, fcol.begin() + e, dst);
        pos[i] = static_cast<uint32_t>(it - fcol.begin());
      }
    }
    reverse_positions_ = std::move(pos);
    reverse_positions_ready_.store(reverse_positions_.data(), std::memory_order_release);
  });
  return reverse_positions_ready_.load(std::memory_order_acquire);
}

size_t Snapshot::ReversePositionBytes() const {
  return reverse_positions_ready_.load(std::memory_order_acquire)
             ? reverse_positions_.capacity() * sizeof(uint32_t)
             : 0;
}

size_t Snapshot::AdjacencyBytes() const {
  const auto& f = forward_.m_forward;
  const auto& r = reverse_.m_forward;
  return f.m_rowstart.size() * sizeof(uint32_t) + f.m_column.size() * sizeof(VertexId) +
         f.m_edge_properties.size() * sizeof(EdgeData) + forward_kinds_.size() +
         forward_evidence_.size() + r.m_rowstart.size() * sizeof(uint32_t) +
         r.m_column.size() * sizeof(VertexId) + reverse_kinds_.size();
}

// ---- SnapshotBuilder ---------------------------------------------------------------------------

SnapshotBuilder::SnapshotBuilder() : s_(new Snapshot()) {}
SnapshotBuilder::~SnapshotBuilder() = default;

size_t SnapshotBuilder::NumVertices() const { return s_->kinds_.size(); }

VertexId SnapshotBuilder::AddVertex(NodeKind kind, std::string_view key, std::string_view name,
                                    VertexId region, bool illustrative, uint32_t row) {
  if (s_->kinds_.size() >= (1ull << 31)) {
    throw Error(ErrorCode::kInvalidData, "graph too large: more than 2^31 vertices");
  }
  if (vertices_packed_) throw Error(ErrorCode::kInternal, "vertices added besides SetVertices");
  VertexId v = static_cast<VertexId>(s_->kinds_.size());
  // The key table grows by doubling, refilled in vertex order (its layout stays that of one
  // filled in vertex order at its size).
  std::vector<VertexId>& slots = s_->key_slots_;
  if (slots.size() < KeyTableSlots(v + 1)) {
    slots.assign(KeyTableSlots(std::max<size_t>(v + 1, slots.size())), kNoVertex);
    for (VertexId u = 0; u < v; ++u) Insert(slots, KeyHash(s_->kinds_[u], s_->keys_.Get(u)), u);
  }
  const size_t slot = Probe(slots, KeyHash(kind, key), [&](VertexId u) {
    return s_->kinds_[u] == kind && s_->keys_.Get(u) == key;
  });
  if (slots[slot] != kNoVertex) {
    throw Error(ErrorCode::kInvalidData,
                "duplicate " + std::string(NodeKindName(kind)) + " key '" + std::string(key) + "'");
  }
  slots[slot] = v;
  s_->kinds_.push_back(kind);
  s_->keys_.Add(key);
  s_->names_.Add(name);
  s_->regions_of_.push_back(region);
  s_->illustrative_.push_back(illustrative ? 1 : 0);
  s_->rows_.push_back(row);
  s_->node_counts_[static_cast<int>(kind)]++;
  return v;
}

VertexId SnapshotBuilder::FindKey(NodeKind kind, std::string_view key) const {
  const std::vector<VertexId>& slots = s_->key_slots_;
  if (slots.empty()) return kNoVertex;
  return slots[Probe(slots, KeyHash(kind, key),
                     [&](VertexId u) { return s_->kinds_[u] == kind && s_->keys_.Get(u) == key; })];
}

namespace {
// Appends attrs to its kind's rows and returns the row index.
template <typename T>
uint32_t AppendRow(std::vector<T>& rows, T attrs) {
  rows.push_back(std::move(attrs));
  return static_cast<uint32_t>(rows.size() - 1);
}
}  // namespace

VertexId SnapshotBuilder::AddRegion(std::string_view code, std::string_view name,
                                    RegionAttributes a) {
  return AddVertex(NodeKind::kRegion, code, name, kNoVertex, false, AppendRow(s_->region_rows_, a));
}
VertexId SnapshotBuilder::AddTrack(std::string_view key, std::string_view name, TrackAttributes a) {
  return AddVertex(NodeKind::kTrack, key, name, kNoVertex, false,
                   AppendRow(s_->tracks_, std::move(a)));
}
VertexId SnapshotBuilder::AddSegment(std::string_view key, std::string_view name,
                                     SegmentAttributes a) {
  return AddVertex(NodeKind::kSegment, key, name, kNoVertex, false,
                   AppendRow(s_->segments_, std::move(a)));
}
VertexId SnapshotBuilder::AddEnterprise(std::string_view key, std::string_view name,
                                        VertexId region, EnterpriseAttributes a, bool ill) {
  return AddVertex(NodeKind::kEnterprise, key, name, region, ill,
                   AppendRow(s_->enterprises_, std::move(a)));
}
VertexId SnapshotBuilder::AddHospital(std::string_view key, std::string_view name, VertexId region,
                                      HospitalAttributes a, bool ill) {
  return AddVertex(NodeKind::kHospital, key, name, region, ill,
                   AppendRow(s_->hospitals_, std::move(a)));
}
VertexId SnapshotBuilder::AddInstitution(std::string_view key, std::string_view name,
                                         VertexId region, InstitutionAttributes a, bool ill) {
  return AddVertex(NodeKind::kInstitution, key, name, region, ill,
                   AppendRow(s_->institutions_, std::move(a)));
}
VertexId SnapshotBuilder::AddPlatform(std::string_view key, std::string_view name, VertexId region,
                                      PlatformAttributes a, bool ill) {
  return AddVertex(NodeKind::kPlatform, key, name, region, ill,
                   AppendRow(s_->platforms_, std::move(a)));
}

void SnapshotBuilder::AddAlias(VertexId v, std::string_view key) {
  aliases_.emplace_back(v, std::string(key));
}

void SnapshotBuilder::AddEdge(VertexId src, EdgeKind kind, VertexId dst, float weight,
                              uint8_t evidence) {
  if (kind == EdgeKind::kPartOf) {
    throw Error(ErrorCode::kInternal, "part_of edges are derived from parents, not added");
  }
  src_.push_back(src);
  dst_.push_back(dst);
  kind_.push_back(kind);
  weight_.push_back(weight);
  evidence_.push_back(evidence);
}

void SnapshotBuilder::AddEdges(const std::vector<VertexId>& src, const std::vector<EdgeKind>& kind,
                               const std::vector<VertexId>& dst, const std::vector<float>& weight,
                               const std::vector<uint8_t>& evidence) {
  if (std::find(kind.begin(), kind.end(), EdgeKind::kPartOf) != kind.end()) {
    throw Error(ErrorCode::kInternal, "part_of edges are derived from parents, not added");
  }
  src_.insert(src_.end(), src.begin(), src.end());
  kind_.insert(kind_.end(), kind.begin(), kind.end());
  dst_.insert(dst_.end(), dst.begin(), dst.end());
  weight_.insert(weight_.end(), weight.begin(), weight.end());
  if (evidence.empty()) {
    evidence_.resize(evidence_.size() + src.size(), 0);
  } else {
    evidence_.insert(evidence_.end(), evidence.begin(), evidence.end());
  }
}

void SnapshotBuilder::ReserveVertices(size_t n) {
  if (s_->kinds_.empty() && !vertices_packed_) s_->key_slots_.assign(KeyTableSlots(n), kNoVertex);
  s_->kinds_.reserve(n);
  s_->regions_of_.reserve(n);
  s_->illustrative_.reserve(n);
  s_->rows_.reserve(n);
}

void SnapshotBuilder::ReserveEdges(size_t n) {
  src_.reserve(n);
  dst_.reserve(n);
  kind_.reserve(n);
  weight_.reserve(n);
  evidence_.reserve(n);
}

namespace {
// The target of v's derived part_of edge: a segment's parent segment or track, a region's parent
// region; kNoVertex for none.
VertexId DerivedParent(const Snapshot& s, VertexId v) {
  if (s.Kind(v) == NodeKind::kSegment) {
    const auto& a = s.Segment(v);
    VertexId parent = a.parent != kNoVertex ? a.parent : a.track;
    if (parent == kNoVertex) {
      throw Error(ErrorCode::kInvalidData, "segment '" + std::string(s.Key(v)) + "' has no track");
    }
    return parent;
  }
  if (s.Kind(v) == NodeKind::kRegion) return s.RegionInfo(v).parent;
  return kNoVertex;
}
}  // namespace

void SnapshotBuilder::SetAdjacency(AdjacencyArrays adjacency) {
  adjacency_ = std::move(adjacency);
  adjacency_counts_.clear();
}

AdjacencyView Snapshot::Adjacency() const {
  const auto& f = forward_.m_forward;
  const auto& r = reverse_.m_forward;
  return {f.m_rowstart,      f.m_column,   f.m_edge_properties, forward_kinds_,
          forward_evidence_, r.m_rowstart, r.m_column,          reverse_kinds_};
}

namespace {
Error AdjacencyMisfit(const char* why) {
  return Error(ErrorCode::kInvalidData,
               std::string("the packed adjacency does not fit the vertices: ") + why);
}
}  // namespace

void SnapshotBuilder::CheckAdjacency() {
  if (!adjacency_) throw Error(ErrorCode::kInternal, "CheckAdjacency without SetAdjacency");
  if (!adjacency_counts_.empty()) return;
  const AdjacencyArrays& a = *adjacency_;
  auto bad = AdjacencyMisfit;
  if (a.forward_rowstart.empty()) throw bad("row offsets");
  const size_t n = a.forward_rowstart.size() - 1;
  const size_t m = a.forward_column.size();
  if (a.reverse_rowstart.size() != n + 1) throw bad("row offsets");
  if (a.forward_weight.size() != m || a.forward_kind.size() != m ||
      a.forward_evidence.size() != m || a.reverse_column.size() != m ||
      a.reverse_kind.size() != m || m >= (1ull << 32) - 1) {
    throw bad("array sizes");
  }
  // Rows: offsets rise from 0 to m; within a row, (kind, neighbour) strictly increases (sorted,
  // no repeated edge); neighbours and kinds in range. Counts per kind and per column vertex.
  auto check_rows = [&](const std::vector<uint32_t>& rs, const std::vector<VertexId>& col,
                        const std::vector<EdgeKind>& kinds, std::vector<size_t>& per_kind,
                        std::vector<uint32_t>* column_degree) {
    if (rs[0] != 0 || rs[n] != m) throw bad("row offsets");
    for (size_t v = 0; v < n; ++v) {
      const uint32_t b = rs[v], e = rs[v + 1];
      if (e < b || e > m) throw bad("row offsets");
      for (uint32_t i = b; i < e; ++i) {
        const auto k = static_cast<size_t>(kinds[i]);
        if (col[i] >= n || k >= static_cast<size_t>(kEdgeKindCount)) throw bad("edge out of range");
        if (i > b &&
            !(kinds[i - 1] < kinds[i] || (kinds[i - 1] == kinds[i] && col[i - 1] < col[i])))
          throw bad("rows out of order");
        per_kind[k]++;
        if (column_degree) (*column_degree)[col[i]]++;
      }
    }
  };
  std::vector<size_t> forward_counts(kEdgeKindCount, 0), reverse_counts(kEdgeKindCount, 0);
  std::vector<uint32_t> in_degree(n, 0);
  check_rows(a.forward_rowstart, a.forward_column, a.forward_kind, forward_counts, &in_degree);
  check_rows(a.reverse_rowstart, a.reverse_column, a.reverse_kind, reverse_counts, nullptr);
  if (forward_counts != reverse_counts) throw bad("reverse edges per kind");
  for (size_t v = 0; v < n; ++v) {
    if (a.reverse_rowstart[v + 1] - a.reverse_rowstart[v] != in_degree[v]) {
      throw bad("in-degrees");
    }
  }
  adjacency_counts_ = std::move(forward_counts);
}

void SnapshotBuilder::BuildFromAdjacency(Snapshot& s) {
  if (!src_.empty()) throw Error(ErrorCode::kInternal, "edges added besides SetAdjacency");
  const size_t n = s.kinds_.size();
  if (adjacency_->forward_rowstart.size() != n + 1 ||
      adjacency_->reverse_rowstart.size() != n + 1) {
    throw AdjacencyMisfit("row offsets");
  }
  CheckAdjacency();
  AdjacencyArrays a = std::move(*adjacency_);
  adjacency_.reset();
  std::vector<size_t> forward_counts = std::move(adjacency_counts_);
  adjacency_counts_.clear();
  auto bad = AdjacencyMisfit;
  // The part_of edges are the ones the parents derive: first in their row (kind 0), one at most.
  static_assert(EdgeKind::kPartOf == static_cast<EdgeKind>(0));
  for (VertexId v = 0; v < n; ++v) {
    const VertexId parent = DerivedParent(s, v);
    const uint32_t b = a.forward_rowstart[v], e = a.forward_rowstart[v + 1];
    const uint32_t part_of = b < e && a.forward_kind[b] == EdgeKind::kPartOf
                                 ? (b + 1 < e && a.forward_kind[b + 1] == EdgeKind::kPartOf ? 2 : 1)
                                 : 0;
    if (parent == kNoVertex ? part_of != 0 : part_of != 1 || a.forward_column[b] != parent) {
      throw bad("part_of edges");
    }
  }
  s.edge_counts_ = std::move(forward_counts);
  s.forward_.m_forward.m_rowstart = std::move(a.forward_rowstart);
  s.forward_.m_forward.m_column = std::move(a.forward_column);
  s.forward_.m_forward.m_edge_properties = std::move(a.forward_weight);
  s.forward_kinds_ = std::move(a.forward_kind);
  s.forward_evidence_ = std::move(a.forward_evidence);
  s.reverse_.m_forward.m_rowstart = std::move(a.reverse_rowstart);
  s.reverse_.m_forward.m_column = std::move(a.reverse_column);
  s.reverse_kinds_ = std::move(a.reverse_kind);
}

std::shared_ptr<const Snapshot> SnapshotBuilder::Build() {
  Snapshot& s = *s_;
  if (adjacency_) {
    BuildFromAdjacency(s);
  } else {
    BuildEdges(s);
  }
  FinishVertices(s);
  std::shared_ptr<const Snapshot> out(s_.release());
  s_.reset(new Snapshot());
  return out;
}

AdjacencyArrays SnapshotBuilder::BuildAdjacency() {
  Snapshot& s = *s_;
  BuildEdges(s);
  AdjacencyArrays a;
  a.forward_rowstart = std::move(s.forward_.m_forward.m_rowstart);
  a.forward_column = std::move(s.forward_.m_forward.m_column);
  a.forward_weight = std::move(s.forward_.m_forward.m_edge_properties);
  a.forward_kind = std::move(s.forward_kinds_);
  a.forward_evidence = std::move(s.forward_evidence_);
  a.reverse_rowstart = std::move(s.reverse_.m_forward.m_rowstart);
  a.reverse_column = std::move(s.reverse_.m_forward.m_column);
  a.reverse_kind = std::move(s.reverse_kinds_);
  aliases_.clear();
  vertices_packed_ = false;
  s_.reset(new Snapshot());
  return a;
}

void SnapshotBuilder::BuildEdges(Snapshot& s) {
  const size_t n = s.kinds_.size();

  // Derived part_of edges: a segment to its parent segment or track, a region to its parent.
  // They are appended after the added edges, in vertex order.
  const size_t added = src_.size();
  for (VertexId v = 0; v < n; ++v) {
    const VertexId parent = DerivedParent(s, v);
    if (parent != kNoVertex) {
      src_.push_back(v);
      dst_.push_back(parent);
      kind_.push_back(EdgeKind::kPartOf);
      weight_.push_back(1.0f);
      evidence_.push_back(0);
    }
  }
  const size_t m = src_.size();
  if (m >= (1ull << 32) - 1) {
    throw Error(ErrorCode::kInvalidData, "graph too large: more than 2^32 edges");
  }
  for (size_t e = 0; e < m; ++e) {
    if (src_[e] >= n || dst_[e] >= n) {
      throw Error(ErrorCode::kInvalidData, "edge refers to a vertex that does not exist");
    }
  }

  // Order the edges by (src, kind, dst).
  auto less = [&](uint32_t a, uint32_t b) {
    if (src_[a] != src_[b]) return src_[a] < src_[b];
    if (kind_[a] != kind_[b]) return kind_[a] < kind_[b];
    return dst_[a] < dst_[b];
  };
  std::vector<uint32_t> order(m);
  bool added_sorted = true;
  for (size_t e = 1; e < added && added_sorted; ++e) added_sorted = less(e - 1, e);
  if (added_sorted) {
    // The store delivers edges in key order: merge in the derived part_of edges (kind 0, so
    // first in their source's run) in one sequential pass.
    size_t a = 0, d = added, i = 0;
    for (VertexId v = 0; v < n; ++v) {
      if (d < m && src_[d] == v) order[i++] = static_cast<uint32_t>(d++);
      while (a < added && src_[a] == v) order[i++] = static_cast<uint32_t>(a++);
    }
  } else {
    // Any order: a stable counting sort by source, then each source's run sorted.
    std::vector<uint32_t> next(n + 1, 0);
    for (size_t e = 0; e < m; ++e) next[src_[e] + 1]++;
    std::partial_sum(next.begin(), next.end(), next.begin());
    std::vector<uint32_t> starts(next.begin(), next.end());
    for (size_t e = 0; e < m; ++e) order[next[src_[e]]++] = static_cast<uint32_t>(e);
    for (size_t v = 0; v < n; ++v) {
      auto b = order.begin() + starts[v], e = order.begin() + starts[v + 1];
      if (!std::is_sorted(b, e, less)) std::sort(b, e, less);
    }
  }
  for (size_t i = 0; i + 1 < m; ++i) {
    if (!less(order[i], order[i + 1])) {
      throw Error(ErrorCode::kInvalidData,
                  "repeated " + std::string(EdgeKindName(kind_[order[i]])) + " edge " +
                      s.Label(src_[order[i]]) + " -> " + s.Label(dst_[order[i]]));
    }
  }

  // Forward CSR.
  {
    std::vector<std::pair<VertexId, VertexId>> pairs(m);
    std::vector<EdgeData> props(m);
    s.forward_kinds_.resize(m);
    s.forward_evidence_.resize(m);
    for (size_t i = 0; i < m; ++i) {
      uint32_t e = order[i];
      pairs[i] = {src_[e], dst_[e]};
      props[i].weight = weight_[e];
      s.forward_evidence_[i] = evidence_[e];
      s.forward_kinds_[i] = kind_[e];
      s.edge_counts_[static_cast<int>(kind_[e])]++;
    }
    s.forward_ = ForwardCsr(boost::edges_are_sorted, pairs.begin(), pairs.end(), props.begin(),
                            static_cast<VertexId>(n), static_cast<VertexId>(m));
  }
  std::vector<uint32_t>().swap(order);
  std::vector<VertexId>().swap(src_);
  std::vector<VertexId>().swap(dst_);
  std::vector<EdgeKind>().swap(kind_);
  std::vector<float>().swap(weight_);
  std::vector<uint8_t>().swap(evidence_);

  // Reverse CSR, ordered by (dst, kind, src): a counting sort by target that visits the forward
  // edges kind by kind, in source order within a kind.
  {
    const auto& col = s.forward_.m_forward.m_column;
    const auto& rs = s.forward_.m_forward.m_rowstart;
    std::vector<uint32_t> in_offsets(n + 1, 0);
    for (size_t i = 0; i < m; ++i) in_offsets[col[i] + 1]++;
    std::partial_sum(in_offsets.begin(), in_offsets.end(), in_offsets.begin());
    std::vector<std::vector<uint32_t>> by_kind(kEdgeKindCount);
    for (int k = 0; k < kEdgeKindCount; ++k) by_kind[k].reserve(s.edge_counts_[k]);
    for (size_t i = 0; i < m; ++i) {
      by_kind[static_cast<int>(s.forward_kinds_[i])].push_back(static_cast<uint32_t>(i));
    }
    std::vector<VertexId> edge_src(m);
    for (VertexId v = 0; v < n; ++v) {
      for (uint32_t i = rs[v]; i < rs[v + 1]; ++i) edge_src[i] = v;
    }
    std::vector<std::pair<VertexId, VertexId>> pairs(m);
    s.reverse_kinds_.resize(m);
    std::vector<uint32_t> next(in_offsets.begin(), in_offsets.end() - 1);
    for (int k = 0; k < kEdgeKindCount; ++k) {
      for (uint32_t i : by_kind[k]) {
        uint32_t slot = next[col[i]]++;
        pairs[slot] = {col[i], edge_src[i]};
        s.reverse_kinds_[slot] = static_cast<EdgeKind>(k);
      }
    }
    s.reverse_ = ReverseCsr(boost::edges_are_sorted, pairs.begin(), pairs.end(),
                            static_cast<VertexId>(n), static_cast<VertexId>(m));
  }
}

void SnapshotBuilder::FinishVertices(Snapshot& s) {
  const size_t n = s.kinds_.size();
  if (!vertices_packed_) {
    // The key table as filled in vertex order at the size for n keys (ReserveVertices may have
    // made it larger); the name and USCC tables likewise.
    if (s.key_slots_.size() != KeyTableSlots(n)) {
      s.key_slots_.assign(KeyTableSlots(n), kNoVertex);
      for (VertexId v = 0; v < n; ++v)
        Insert(s.key_slots_, KeyHash(s.kinds_[v], s.keys_.Get(v)), v);
    }
    s.name_slots_.assign(KeyTableSlots(n), kNoVertex);
    for (VertexId v = 0; v < n; ++v) Insert(s.name_slots_, TextHash(s.names_.Get(v), 0), v);
    size_t usccs = 0;
    for (const EnterpriseAttributes& e : s.enterprises_) usccs += e.uscc.empty() ? 0 : 1;
    s.uscc_slots_.assign(KeyTableSlots(usccs), kNoVertex);
    for (VertexId v = 0; v < n; ++v) {
      if (s.kinds_[v] != NodeKind::kEnterprise) continue;
      const std::string& uscc = s.enterprises_[s.rows_[v]].uscc;
      if (!uscc.empty()) Insert(s.uscc_slots_, TextHash(uscc, 0), v);
    }
  }
  for (auto& [v, key] : aliases_) {
    s.aliases_[static_cast<int>(s.kinds_[v])].emplace(std::move(key), v);
  }
  aliases_.clear();
  vertices_packed_ = false;

  s.region_tree_ = std::make_unique<RegionTree>(s);
  s.taxonomy_ = std::make_unique<Taxonomy>(s);
}

// ---- The packed vertex side --------------------------------------------------------------------

namespace {

constexpr uint32_t kVertexStreamMagic = 0x58564143;  // "CAVX"
constexpr uint32_t kVertexStreamVersion = 1;

class ByteWriter {
 public:
  template <typename T>
  void Put(T x) {
    static_assert(std::is_trivially_copyable_v<T>);
    const auto* p = reinterpret_cast<const uint8_t*>(&x);
    out_.insert(out_.end(), p, p + sizeof x);
  }
  template <typename T>
  void PutArray(const std::vector<T>& v) {
    static_assert(std::is_trivially_copyable_v<T>);
    Put<uint64_t>(v.size());
    const auto* p = reinterpret_cast<const uint8_t*>(v.data());
    out_.insert(out_.end(), p, p + v.size() * sizeof(T));
  }
  void PutText(std::string_view s) {
    Put<uint32_t>(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void PutList(const std::vector<std::string>& v) {
    Put<uint32_t>(static_cast<uint32_t>(v.size()));
    for (const std::string& s : v) PutText(s);
  }
  std::vector<uint8_t>& bytes() { return out_; }

 private:
  std::vector<uint8_t> out_;
};

class ByteReader {
 public:
  explicit ByteReader(std::span<const uint8_t> in) : in_(in) {}
  template <typename T>
  T Get() {
    T x;
    std::memcpy(&x, Take(sizeof x), sizeof x);
    return x;
  }
  template <typename T>
  void GetArray(std::vector<T>& v) {
    const uint64_t n = Get<uint64_t>();
    if (n > (in_.size() - at_) / sizeof(T)) Fail();
    ResizeHuge(v, n);
    std::memcpy(v.data(), Take(n * sizeof(T)), n * sizeof(T));
  }
  void GetBytes(std::string& s) {
    const uint64_t n = Get<uint64_t>();
    if (n > in_.size() - at_) Fail();
    ReserveHuge(s, n);
    s.assign(reinterpret_cast<const char*>(Take(n)), n);
  }
  void GetText(std::string& s) {
    const uint32_t n = Get<uint32_t>();
    const uint8_t* p = Take(n);
    s.assign(reinterpret_cast<const char*>(p), n);
  }
  void GetList(std::vector<std::string>& v) {
    const uint32_t n = Get<uint32_t>();
    if (n > (in_.size() - at_) / sizeof(uint32_t)) Fail();  // each text has its length
    // Grown as the texts are read, so a damaged count costs no more memory than the bytes there.
    v.clear();
    for (uint32_t i = 0; i < n; ++i) GetText(v.emplace_back());
  }
  bool AtEnd() const { return at_ == in_.size(); }
  [[noreturn]] static void Fail() {
    throw Error(ErrorCode::kInvalidData, "the packed vertices are malformed");
  }

 private:
  const uint8_t* Take(size_t n) {
    if (n > in_.size() - at_) Fail();
    const uint8_t* p = in_.data() + at_;
    at_ += n;
    return p;
  }
  std::span<const uint8_t> in_;
  size_t at_ = 0;
};

}  // namespace

std::vector<uint8_t> Snapshot::PackVertices() const {
  ByteWriter w;
  w.Put(kVertexStreamMagic);
  w.Put(kVertexStreamVersion);
  w.PutArray(kinds_);
  w.PutArray(std::vector<uint8_t>(keys_.data_.begin(), keys_.data_.end()));
  w.PutArray(keys_.ends_);
  w.PutArray(std::vector<uint8_t>(names_.data_.begin(), names_.data_.end()));
  w.PutArray(names_.ends_);
  w.PutArray(regions_of_);
  w.PutArray(illustrative_);
  w.PutArray(rows_);
  w.PutArray(node_counts_);
  w.Put<uint64_t>(enterprises_.size());
  for (const EnterpriseAttributes& a : enterprises_) {
    w.PutText(a.uscc);
    w.Put(a.founded);
    w.Put(a.above_scale);
    w.Put(a.revenue);
    w.Put(a.employees);
    w.Put(a.tags);
    w.Put(a.class2_certs);
    w.Put(a.class3_certs);
    w.Put(a.patents);
    w.Put(a.rd_ratio);
  }
  w.Put<uint64_t>(hospitals_.size());
  for (const HospitalAttributes& a : hospitals_) {
    w.PutText(a.grade);
    w.Put<uint8_t>(a.clinical_trial);
    w.Put<uint8_t>(a.demo_base);
    w.PutList(a.departments);
  }
  w.Put<uint64_t>(institutions_.size());
  for (const InstitutionAttributes& a : institutions_) {
    w.PutText(a.kind);
    w.PutList(a.key_labs);
  }
  w.Put<uint64_t>(platforms_.size());
  for (const PlatformAttributes& a : platforms_) {
    w.PutText(a.kind);
    w.PutList(a.accreditations);
  }
  w.Put<uint64_t>(segments_.size());
  for (const SegmentAttributes& a : segments_) {
    w.Put(a.track);
    w.Put(a.parent);
    w.Put(a.position);
    w.PutText(a.name_en);
  }
  w.Put<uint64_t>(tracks_.size());
  for (const TrackAttributes& a : tracks_) w.PutText(a.name_en);
  w.Put<uint64_t>(region_rows_.size());
  for (const RegionAttributes& a : region_rows_) {
    w.Put(a.level);
    w.Put(a.parent);
  }
  w.PutArray(key_slots_);
  w.PutArray(name_slots_);
  w.PutArray(uscc_slots_);
  return std::move(w.bytes());
}

namespace {
// Reads `count` rows of one kind (count from the stream, which must equal `expected`).
template <typename T, typename ReadOne>
void GetRows(ByteReader& r, std::vector<T>& rows, size_t expected, ReadOne read_one) {
  if (r.Get<uint64_t>() != expected) ByteReader::Fail();
  ResizeHuge(rows, expected);
  for (T& row : rows) read_one(row);
}

void GetColumn(ByteReader& r, std::string& data, std::vector<uint64_t>& ends, size_t n) {
  r.GetBytes(data);
  r.GetArray(ends);
  if (ends.size() != n) ByteReader::Fail();
  uint64_t last = 0;
  for (uint64_t e : ends) {
    if (e < last) ByteReader::Fail();
    last = e;
  }
  if (last != data.size()) ByteReader::Fail();
}

// A lookup table read back: its size is the one for `entries` entries, which it holds, each a
// vertex below n (of kind `only` when given).
void GetTable(ByteReader& r, std::vector<VertexId>& slots, size_t entries,
              const std::vector<NodeKind>& kinds, std::optional<NodeKind> only = std::nullopt) {
  r.GetArray(slots);
  if (slots.size() != KeyTableSlots(entries)) ByteReader::Fail();
  size_t held = 0;
  for (VertexId v : slots) {
    if (v == kNoVertex) continue;
    if (v >= kinds.size() || (only && kinds[v] != *only)) ByteReader::Fail();
    ++held;
  }
  if (held != entries) ByteReader::Fail();
}
}  // namespace

void SnapshotBuilder::SetVertices(std::span<const uint8_t> packed) {
  if (!s_->kinds_.empty() || vertices_packed_) {
    throw Error(ErrorCode::kInternal, "SetVertices on a builder that has vertices");
  }
  auto fresh = std::unique_ptr<Snapshot>(new Snapshot());
  Snapshot& s = *fresh;
  ByteReader r(packed);
  if (r.Get<uint32_t>() != kVertexStreamMagic || r.Get<uint32_t>() != kVertexStreamVersion) {
    ByteReader::Fail();
  }
  r.GetArray(s.kinds_);
  const size_t n = s.kinds_.size();
  if (n >= (1ull << 31)) ByteReader::Fail();
  GetColumn(r, s.keys_.data_, s.keys_.ends_, n);
  GetColumn(r, s.names_.data_, s.names_.ends_, n);
  r.GetArray(s.regions_of_);
  r.GetArray(s.illustrative_);
  r.GetArray(s.rows_);
  r.GetArray(s.node_counts_);
  if (s.regions_of_.size() != n || s.illustrative_.size() != n || s.rows_.size() != n ||
      s.node_counts_.size() != static_cast<size_t>(kNodeKindCount)) {
    ByteReader::Fail();
  }
  // Rows are numbered per kind in vertex order (AppendRow); regions are region vertices.
  std::vector<size_t> counts(kNodeKindCount, 0);
  for (size_t v = 0; v < n; ++v) {
    const auto k = static_cast<size_t>(s.kinds_[v]);
    if (k >= static_cast<size_t>(kNodeKindCount) || s.rows_[v] != counts[k]++) ByteReader::Fail();
    const VertexId region = s.regions_of_[v];
    if (region != kNoVertex && (region >= n || s.kinds_[region] != NodeKind::kRegion)) {
      ByteReader::Fail();
    }
  }
  if (counts != s.node_counts_) ByteReader::Fail();
  auto count = [&](NodeKind k) { return counts[static_cast<size_t>(k)]; };
  auto vertex_or_none = [&](VertexId v) {
    if (v != kNoVertex && v >= n) ByteReader::Fail();
  };
  size_t usccs = 0;
  GetRows(r, s.enterprises_, count(NodeKind::kEnterprise), [&](EnterpriseAttributes& a) {
    r.GetText(a.uscc);
    usccs += a.uscc.empty() ? 0 : 1;
    a.founded = r.Get<int32_t>();
    a.above_scale = r.Get<int8_t>();
    a.revenue = r.Get<double>();
    a.employees = r.Get<int32_t>();
    a.tags = r.Get<uint32_t>();
    a.class2_certs = r.Get<int32_t>();
    a.class3_certs = r.Get<int32_t>();
    a.patents = r.Get<int32_t>();
    a.rd_ratio = r.Get<double>();
  });
  GetRows(r, s.hospitals_, count(NodeKind::kHospital), [&](HospitalAttributes& a) {
    r.GetText(a.grade);
    a.clinical_trial = r.Get<uint8_t>() != 0;
    a.demo_base = r.Get<uint8_t>() != 0;
    r.GetList(a.departments);
  });
  GetRows(r, s.institutions_, count(NodeKind::kInstitution), [&](InstitutionAttributes& a) {
    r.GetText(a.kind);
    r.GetList(a.key_labs);
  });
  GetRows(r, s.platforms_, count(NodeKind::kPlatform), [&](PlatformAttributes& a) {
    r.GetText(a.kind);
    r.GetList(a.accreditations);
  });
  GetRows(r, s.segments_, count(NodeKind::kSegment), [&](SegmentAttributes& a) {
    a.track = r.Get<VertexId>();
    a.parent = r.Get<VertexId>();
    a.position = r.Get<Position>();
    r.GetText(a.name_en);
    vertex_or_none(a.track);
    vertex_or_none(a.parent);
    if (static_cast<int>(a.position) > static_cast<int>(Position::kDownstream)) ByteReader::Fail();
  });
  GetRows(r, s.tracks_, count(NodeKind::kTrack), [&](TrackAttributes& a) { r.GetText(a.name_en); });
  GetRows(r, s.region_rows_, count(NodeKind::kRegion), [&](RegionAttributes& a) {
    a.level = r.Get<RegionLevel>();
    a.parent = r.Get<VertexId>();
    vertex_or_none(a.parent);
    if (static_cast<int>(a.level) > static_cast<int>(RegionLevel::kPark)) ByteReader::Fail();
  });
  GetTable(r, s.key_slots_, n, s.kinds_);
  GetTable(r, s.name_slots_, n, s.kinds_);
  GetTable(r, s.uscc_slots_, usccs, s.kinds_, NodeKind::kEnterprise);
  if (!r.AtEnd()) ByteReader::Fail();
  s_ = std::move(fresh);
  vertices_packed_ = true;
}

}  // namespace chainatlas
