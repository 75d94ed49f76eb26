// The serving graph: an immutable, typed industry-chain graph in compressed sparse rows.
//
// Vertices are numbered 0..n-1 and carry a kind, a key (unique within the kind), a name, a region
// and per-kind attribute columns. Edges are typed (EdgeKind) and weighted. Forward and reverse
// adjacency are Boost.Graph compressed_sparse_row_graph instances with 32-bit vertex and edge
// indices; within a vertex, edges are sorted by (kind, neighbour), so the neighbours of one kind
// form one contiguous run. Memory per edge: forward target (4) + weight (4) + kind (1) + evidence
// (1), reverse source (4) + kind (1) = 15 bytes, plus 8 bytes per vertex of row offsets. The weight
// of a reverse edge is looked up in the forward run of its source by binary search.
//
// A Snapshot is never modified after SnapshotBuilder::Build(), so any number of threads may read
// it without locks; a reload builds a new one and swaps a shared_ptr.
#pragma once

#include <array>
#include <atomic>
#include <boost/graph/compressed_sparse_row_graph.hpp>
#include <cmath>
#include <cstdint>
#include <functional>
#include <limits>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "graph/kinds.h"

namespace chainatlas {

using VertexId = uint32_t;
inline constexpr VertexId kNoVertex = std::numeric_limits<VertexId>::max();

struct EdgeData {
  float weight = 1.0f;
};
using ForwardCsr = boost::compressed_sparse_row_graph<
    boost::directedS, boost::no_property, EdgeData, boost::no_property, VertexId, VertexId>;
using ReverseCsr =
    boost::compressed_sparse_row_graph<boost::directedS, boost::no_property, boost::no_property,
                                       boost::no_property, VertexId, VertexId>;

// Enterprise tags, a bit each (bundle-format.md lists their names).
enum class EnterpriseTag : uint8_t {
  kHighTech = 0,     // 高新技术企业
  kSpecialised = 1,  // 专精特新
  kLittleGiant = 2,  // 专精特新小巨人
  kListed = 3,       // listed company
  kChainLeader = 4,  // declared chain leader (链主)
  kForeignFunded = 5,
  kStartup = 6,
};
inline constexpr int kEnterpriseTagCount = 7;
std::string_view EnterpriseTagName(EnterpriseTag tag);
std::optional<EnterpriseTag> ParseEnterpriseTag(std::string_view name);
std::vector<std::string> TagNames(uint32_t tag_bits);

// Unknown numbers are -1 (integers) or NaN (reals).
struct EnterpriseAttributes {
  std::string uscc;
  int32_t founded = -1;
  int8_t above_scale = -1;        // -1 unknown, 0 no, 1 yes (规上)
  double revenue = std::nan("");  // 万元 (10k CNY)
  int32_t employees = -1;
  uint32_t tags = 0;  // bit i = EnterpriseTag(i)
  int32_t class2_certs = -1;
  int32_t class3_certs = -1;
  int32_t patents = -1;
  double rd_ratio = std::nan("");
  bool HasTag(EnterpriseTag t) const { return tags & (1u << static_cast<int>(t)); }
};
struct HospitalAttributes {
  std::string grade;
  bool clinical_trial = false;
  bool demo_base = false;
  std::vector<std::string> departments;
};
struct InstitutionAttributes {
  std::string kind;  // university, institute, lab
  std::vector<std::string> key_labs;
};
struct PlatformAttributes {
  std::string kind;  // cdmo, testing, sterilisation, ...
  std::vector<std::string> accreditations;
};
struct SegmentAttributes {
  VertexId track = kNoVertex;
  VertexId parent = kNoVertex;  // kNoVertex: directly under the track
  Position position = Position::kMidstream;
  std::string name_en;
};
struct TrackAttributes {
  std::string name_en;
};
struct RegionAttributes {
  RegionLevel level = RegionLevel::kCounty;
  VertexId parent = kNoVertex;
};

struct Neighbor {
  VertexId vertex;
  float weight;
  uint8_t evidence = 0;  // supplies edges: EvidenceByte (kinds.h); 0 (curated) for other kinds
};

class RegionTree;
class Taxonomy;

// A snapshot's adjacency in its own layout (row offsets, then per edge: forward target, weight,
// kind, evidence; reverse source, kind), part_of edges included. Snapshot::Adjacency() shows it and
// SnapshotBuilder::SetAdjacency() takes it back, so that ingest/store.cc can keep it packed in the
// database and a load need not rebuild it from the edge rows.
struct AdjacencyArrays {
  std::vector<uint32_t> forward_rowstart;  // n + 1 entries
  std::vector<VertexId> forward_column;    // m entries each
  std::vector<EdgeData> forward_weight;
  std::vector<EdgeKind> forward_kind;
  std::vector<uint8_t> forward_evidence;
  std::vector<uint32_t> reverse_rowstart;  // n + 1 entries
  std::vector<VertexId> reverse_column;    // m entries each
  std::vector<EdgeKind> reverse_kind;
};
struct AdjacencyView {
  std::span<const uint32_t> forward_rowstart;
  std::span<const VertexId> forward_column;
  std::span<const EdgeData> forward_weight;
  std::span<const EdgeKind> forward_kind;
  std::span<const uint8_t> forward_evidence;
  std::span<const uint32_t> reverse_rowstart;
  std::span<const VertexId> reverse_column;
  std::span<const EdgeKind> reverse_kind;
};

class Snapshot {
 public:
  // A contiguous run of forward or reverse edges of one vertex, iterated as Neighbor values.
  class NeighborRange {
   public:
    class iterator {
     public:
      using value_type = Neighbor;
      using difference_type = std::ptrdiff_t;
      iterator(const NeighborRange* r, uint32_t i) : range_(r), index_(i) {}
      Neighbor operator*() const { return range_->At(index_); }
      iterator& operator++() {
        ++index_;
        return *this;
      }
      bool operator==(const iterator& o) const { return index_ == o.index_; }
      bool operator!=(const iterator& o) const { return index_ != o.index_; }

     private:
      const NeighborRange* range_;
      uint32_t index_;
    };
    NeighborRange(const Snapshot* s, VertexId self, bool reverse, uint32_t begin, uint32_t end)
        : snapshot_(s), self_(self), reverse_(reverse), begin_(begin), end_(end) {}
    iterator begin() const { return iterator(this, begin_); }
    iterator end() const { return iterator(this, end_); }
    size_t size() const { return end_ - begin_; }
    bool empty() const { return begin_ == end_; }
    Neighbor At(uint32_t edge_index) const;
    // The neighbour ids alone (no weight lookup, which a reverse edge pays per neighbour).
    std::span<const VertexId> Vertices() const;
    // Edge indices [first_edge, last_edge), for ForwardEdgeKind / ReverseEdgeKind.
    uint32_t first_edge() const { return begin_; }
    uint32_t last_edge() const { return end_; }

   private:
    const Snapshot* snapshot_;
    VertexId self_;
    bool reverse_;
    uint32_t begin_, end_;
  };

  ~Snapshot();
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;

  size_t NumVertices() const { return kinds_.size(); }
  size_t NumEdges() const { return forward_kinds_.size(); }
  size_t CountNodes(NodeKind kind) const { return node_counts_[static_cast<int>(kind)]; }
  size_t CountEdges(EdgeKind kind) const { return edge_counts_[static_cast<int>(kind)]; }

  NodeKind Kind(VertexId v) const { return kinds_[v]; }
  std::string_view Key(VertexId v) const { return keys_.Get(v); }
  std::string_view Name(VertexId v) const { return names_.Get(v); }
  // The region vertex an organisation sits in (kNoVertex for regions, tracks and segments).
  VertexId Region(VertexId v) const { return regions_of_[v]; }
  bool Illustrative(VertexId v) const { return illustrative_[v] != 0; }
  // "kind:key", the unambiguous way to name a vertex.
  std::string Label(VertexId v) const;

  // Per-kind attributes; each throws Error(kInvalidArgument) when v is of another kind.
  const EnterpriseAttributes& Enterprise(VertexId v) const;
  const HospitalAttributes& Hospital(VertexId v) const;
  const InstitutionAttributes& Institution(VertexId v) const;
  const PlatformAttributes& Platform(VertexId v) const;
  const SegmentAttributes& Segment(VertexId v) const;
  const TrackAttributes& Track(VertexId v) const;
  const RegionAttributes& RegionInfo(VertexId v) const;

  // Lookups; kNoVertex when absent. FindKey also follows aliases (ids merged from other sources).
  VertexId FindKey(NodeKind kind, std::string_view key) const;
  VertexId FindUscc(std::string_view uscc) const;
  std::vector<VertexId> FindName(std::string_view exact_name) const;

  // Edges of one kind out of / into v, each sorted by neighbour id.
  NeighborRange Out(VertexId v, EdgeKind kind) const;
  NeighborRange In(VertexId v, EdgeKind kind) const;
  // Every edge out of / into v, grouped by kind; EdgeKindAt tells the kind of a position.
  NeighborRange OutAll(VertexId v) const;
  NeighborRange InAll(VertexId v) const;
  EdgeKind ForwardEdgeKind(uint32_t edge_index) const { return forward_kinds_[edge_index]; }
  EdgeKind ReverseEdgeKind(uint32_t edge_index) const { return reverse_kinds_[edge_index]; }
  std::optional<float> EdgeWeight(VertexId src, EdgeKind kind, VertexId dst) const;
  // The evidence byte of an edge (EvidenceByte in kinds.h; 0 when absent or not a supplies edge).
  uint8_t EdgeEvidence(VertexId src, EdgeKind kind, VertexId dst) const;
  // How many supplies edges carry each evidence kind.
  std::array<size_t, kEvidenceKindCount> SupplyEvidenceCounts() const;

  const ForwardCsr& forward() const { return forward_; }
  const ReverseCsr& reverse() const { return reverse_; }
  const RegionTree& regions() const { return *region_tree_; }
  const Taxonomy& taxonomy() const { return *taxonomy_; }

  // The adjacency arrays as they are (for SnapshotBuilder::SetAdjacency of a later load).
  AdjacencyView Adjacency() const;
  // The vertex side (kinds, keys, names, regions, per-kind attributes and the key, name and USCC
  // lookup tables; not the aliases) as one byte stream, for SnapshotBuilder::SetVertices of a
  // later load. Two snapshots of the same vertices in the same order give the same bytes.
  std::vector<uint8_t> PackVertices() const;

  // Bytes held by the adjacency (row offsets, targets, weights, kinds; forward and reverse).
  size_t AdjacencyBytes() const;
  // Per reverse edge, the index of the forward edge EdgeWeight(src, kind, dst) reads (the first of
  // its (src, kind, dst) run), so that reading in-neighbours with their weights is a lookup, not a
  // search of the source's row per edge. Built on first use (about one search per edge, once per
  // snapshot; concurrent callers wait for it), 4 bytes per edge; ReversePositionBytes() is 0
  // until then.
  const uint32_t* ReversePositions() const;
  size_t ReversePositionBytes() const;

  // A structure another layer derives from this snapshot (the matcher's top-K producer index):
  // built by build() on the first call for `slot` (under a lock) and kept as long as the snapshot.
  static constexpr int kDerivedSlots = 2;
  std::shared_ptr<const void> Derived(
      int slot, const std::function<std::shared_ptr<const void>()>& build) const;

 private:
  friend class SnapshotBuilder;
  Snapshot();

  // Strings of one column packed into one buffer.
  class StringColumn {
   public:
    friend class SnapshotBuilder;
    friend class Snapshot;
    void Add(std::string_view s) {
      data_.append(s);
      ends_.push_back(static_cast<uint64_t>(data_.size()));
    }
    std::string_view Get(size_t i) const {
      size_t b = i == 0 ? 0 : ends_[i - 1];
      return std::string_view(data_).substr(b, ends_[i] - b);
    }

   private:
    std::string data_;
    std::vector<uint64_t> ends_;
  };

  std::pair<uint32_t, uint32_t> KindRun(const std::vector<EdgeKind>& kinds, uint32_t begin,
                                        uint32_t end, EdgeKind kind) const;

  std::vector<NodeKind> kinds_;
  StringColumn keys_;
  StringColumn names_;
  std::vector<VertexId> regions_of_;
  std::vector<uint8_t> illustrative_;
  std::vector<uint32_t> rows_;  // index into the attribute vector of the vertex's kind

  std::vector<EnterpriseAttributes> enterprises_;
  std::vector<HospitalAttributes> hospitals_;
  std::vector<InstitutionAttributes> institutions_;
  std::vector<PlatformAttributes> platforms_;
  std::vector<SegmentAttributes> segments_;
  std::vector<TrackAttributes> tracks_;
  std::vector<RegionAttributes> region_rows_;

  // Lookup tables: open addressing with linear probing over vertex ids (kNoVertex empty), a power
  // of two of slots at least twice the entries (KeyTableSlots), filled in vertex order with a
  // fixed hash (graph/snapshot.cc): their layout depends only on the vertices and their order, so
  // a packed copy loads as it is. Keys by (kind, key), names (every vertex), USCCs (enterprises
  // that have one).
  std::vector<VertexId> key_slots_, name_slots_, uscc_slots_;
  std::vector<std::unordered_map<std::string, VertexId>> aliases_;  // per NodeKind

  ForwardCsr forward_;
  ReverseCsr reverse_;
  std::vector<EdgeKind> forward_kinds_;
  std::vector<EdgeKind> reverse_kinds_;
  std::vector<uint8_t> forward_evidence_;  // per forward edge (EvidenceByte)
  std::vector<size_t> node_counts_;
  std::vector<size_t> edge_counts_;

  std::unique_ptr<RegionTree> region_tree_;
  std::unique_ptr<Taxonomy> taxonomy_;

  mutable std::once_flag reverse_positions_once_;
  mutable std::vector<uint32_t> reverse_positions_;
  mutable std::atomic<const uint32_t*> reverse_positions_ready_{nullptr};

  mutable std::mutex derived_mu_;
  mutable std::array<std::shared_ptr<const void>, kDerivedSlots> derived_;
};

// Collects vertices and edges, then builds the immutable Snapshot. Edges may be added in any
// order; the part_of edges of segments and regions are derived from their parents.
class SnapshotBuilder {
 public:
  SnapshotBuilder();
  ~SnapshotBuilder();

  VertexId AddRegion(std::string_view code, std::string_view name, RegionAttributes attrs);
  VertexId AddTrack(std::string_view key, std::string_view name, TrackAttributes attrs);
  VertexId AddSegment(std::string_view key, std::string_view name, SegmentAttributes attrs);
  VertexId AddEnterprise(std::string_view key, std::string_view name, VertexId region,
                         EnterpriseAttributes attrs, bool illustrative = false);
  VertexId AddHospital(std::string_view key, std::string_view name, VertexId region,
                       HospitalAttributes attrs, bool illustrative = false);
  VertexId AddInstitution(std::string_view key, std::string_view name, VertexId region,
                          InstitutionAttributes attrs, bool illustrative = false);
  VertexId AddPlatform(std::string_view key, std::string_view name, VertexId region,
                       PlatformAttributes attrs, bool illustrative = false);
  // Another key under which v is known (an id of a merged source).
  void AddAlias(VertexId v, std::string_view key);
  // part_of edges are derived; adding one throws. A repeated (src, kind, dst) throws at Build().
  void AddEdge(VertexId src, EdgeKind kind, VertexId dst, float weight, uint8_t evidence = 0);
  void ReserveEdges(size_t n);
  void ReserveVertices(size_t n);
  // Appends many edges at once (the four vectors have one entry per edge).
  // evidence may be empty (every edge 0, curated) or hold one byte per edge.
  void AddEdges(const std::vector<VertexId>& src, const std::vector<EdgeKind>& kind,
                const std::vector<VertexId>& dst, const std::vector<float>& weight,
                const std::vector<uint8_t>& evidence = {});

  // Instead of adding edges: the whole adjacency, as Snapshot::Adjacency() gave it for the same
  // vertices with the same parents (the derived part_of edges included). Build() checks its shape
  // (sizes, order, ranges, in-degrees, part_of edges) instead of sorting, and throws
  // Error(kInvalidData) when it does not fit the vertices. Edges added otherwise are an error.
  void SetAdjacency(AdjacencyArrays adjacency);
  // Optional, between SetAdjacency and Build(): the checks of the adjacency that need no vertices
  // (sizes, offsets, order, ranges, per-kind counts, in-degrees), throwing as Build() would;
  // Build() then checks only what depends on the vertices (their count, the part_of edges). It
  // touches the adjacency alone, so it may run on one thread while SetVertices runs on another.
  void CheckAdjacency();
  // Instead of adding vertices (to an empty builder): the vertex side as Snapshot::PackVertices()
  // gave it. Throws Error(kInvalidData) when the bytes are not such a stream (sizes, ranges, the
  // lookup tables' shape); aliases are added as usual.
  void SetVertices(std::span<const uint8_t> packed);

  VertexId FindKey(NodeKind kind, std::string_view key) const;
  size_t NumVertices() const;

  // Builds the snapshot; the builder is left empty. Throws Error(kInvalidData) on a dangling
  // parent, a repeated edge or a graph too large for 32-bit indices.
  std::shared_ptr<const Snapshot> Build();
  // What Build() would put in Snapshot::Adjacency(), without building the rest (lookups, region
  // tree): for a writer that stores it. Throws as Build(); the builder is left empty.
  AdjacencyArrays BuildAdjacency();

 private:
  VertexId AddVertex(NodeKind kind, std::string_view key, std::string_view name, VertexId region,
                     bool illustrative, uint32_t row);
  std::unique_ptr<Snapshot> s_;
  std::vector<std::pair<VertexId, std::string>> aliases_;
  bool vertices_packed_ = false;  // SetVertices: the lookup tables are there already
  std::vector<VertexId> src_, dst_;
  std::vector<EdgeKind> kind_;
  std::vector<float> weight_;
  std::vector<uint8_t> evidence_;
  std::optional<AdjacencyArrays> adjacency_;
  std::vector<size_t> adjacency_counts_;  // edges per kind, once CheckAdjacency has passed
  void BuildFromAdjacency(Snapshot& s);
  void BuildEdges(Snapshot& s);
  void FinishVertices(Snapshot& s);
};

}  // namespace chainatlas
