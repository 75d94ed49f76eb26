// Reading an import bundle (docs/bundle-format.md): the manifest, then every CSV file, checked row
// by row. Checks that need only the bundle happen here (columns, types, ranges, vocabularies,
// USCC check characters, duplicate keys); checks against the database happen in the importer.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <filesystem>
#include <future>
#include <initializer_list>
#include <stdexcept>
#include <set>
#include <string>
#include <variant>
#include <vector>

#include "graph/kinds.h"
#include "graph/messages.h"
#include "graph/snapshot.h"

namespace chainatlas::ingest {

// One rejected row (or file), reported as `file:line: reason`.
struct Problem {
  std::string file;
  uint32_t line = 0;   // 0: the file as a whole
  std::string reason;  // in English
  // The reason's code and parameters (graph/messages.h); empty for a reason without a template.
  std::string code;
  MessageParams params;
  // The reason in the language (without a code: `reason` as it is).
  std::string Reason(Lang lang) const;
  std::string ToString(Lang lang = Lang::kEn) const;
};

// A problem whose reason is a message of the table: `reason` is its English.
Problem MakeProblem(std::string file, uint32_t line, Message reason);

struct RegionRecord {
  RegionLevel level = RegionLevel::kCounty;
  std::string parent;  // parent region code, empty for a province
};
struct TrackRecord {
  std::string name_en;
};
struct SegmentRecord {
  std::string track;
  std::string parent;  // parent segment id, empty: directly under the track
  Position position = Position::kMidstream;
  std::string name_en;
};

// An entity row. `details` holds the kind-specific columns.
struct EntityRecord {
  NodeKind kind = NodeKind::kEnterprise;
  std::string key;
  std::string name;
  std::string region;  // region code (organisations)
  std::string note;
  bool illustrative = false;
  uint16_t file = 0;  // index into Bundle::files
  uint32_t line = 0;
  std::variant<RegionRecord, TrackRecord, SegmentRecord, EnterpriseAttributes, HospitalAttributes,
               InstitutionAttributes, PlatformAttributes>
      details;
};

// The kinds a reference may name, held inline (no allocation per relation row).
class KindList {
 public:
  KindList() = default;
  KindList(std::initializer_list<NodeKind> kinds) {
    for (NodeKind k : kinds) push_back(k);
  }
  KindList(const std::vector<NodeKind>& kinds) {  // NOLINT: as a vector converts
    for (NodeKind k : kinds) push_back(k);
  }
  void push_back(NodeKind k) {
    if (size_ == kinds_.size()) throw std::length_error("KindList: more kinds than there are");
    kinds_[size_++] = k;
  }
  const NodeKind* begin() const { return kinds_.data(); }
  const NodeKind* end() const { return kinds_.data() + size_; }
  size_t size() const { return size_; }
  bool empty() const { return size_ == 0; }
  NodeKind operator[](size_t i) const { return kinds_[i]; }
  bool operator==(const KindList& o) const {
    return size_ == o.size_ && std::equal(begin(), end(), o.begin());
  }

 private:
  std::array<NodeKind, kNodeKindCount> kinds_{};
  uint8_t size_ = 0;
};

// A reference to an entity: a kind (resolved from the column or a `kind:` prefix) and a key.
// `kinds` lists the kinds the column accepts when no prefix fixed it.
struct Reference {
  KindList kinds;
  std::string key;
};

struct RelationRecord {
  EdgeKind kind = EdgeKind::kProduces;
  Reference src, dst;
  float weight = 1.0f;
  std::string attrs;  // a JSON object of extra columns (e.g. {"department": "..."}), or empty
  uint16_t file = 0;
  uint32_t line = 0;
  uint8_t evidence = 0;  // supplies: EvidenceByte (graph/kinds.h); 0 = curated
};

struct BundleFile {
  std::string kind;  // the manifest's file kind: "regions", "produces", ...
  std::string path;  // as given in the manifest, relative to the bundle
  uint64_t rows = 0;
};

struct Bundle {
  std::filesystem::path dir;
  std::string source;
  std::string description;
  std::vector<BundleFile> files;
  std::vector<EntityRecord> entities;
  std::vector<RelationRecord> relations;
  std::string fingerprint;   // FNV-1a 64 of the manifest and every file, hex
  bool manifest_ok = false;  // false: no file was read, so cross-file checks make no sense
  // "kind:id" of entity rows rejected on their own, so references to them are not reported again.
  std::set<std::string> rejected_ids;
};

// Reads and checks the bundle at `path` (a folder holding manifest.json, or the manifest itself).
// Every problem found is appended to `problems`; the records of bad rows are left out. Throws
// Error(kIo) when the manifest cannot be read at all.
Bundle ReadBundle(const std::filesystem::path& path, std::vector<Problem>& problems);

// ReadBundle in two steps, so that the entity records can be used while the relation files are
// still being read: the constructor reads the manifest and the entity files (and finds the entity
// duplicates) while a second thread reads the relation files; Finish() computes the fingerprint
// and waits for that thread. Until then the relation records, the relation files' row counts
// (BundleFile::rows) and the fingerprint are incomplete, and the first two are being written.
// Throws as ReadBundle.
class BundleReader {
 public:
  explicit BundleReader(const std::filesystem::path& path);
  ~BundleReader();  // waits for the second thread
  BundleReader(const BundleReader&) = delete;
  BundleReader& operator=(const BundleReader&) = delete;

  Bundle& bundle() { return bundle_; }
  // No problem in the manifest, the entity files or their duplicates.
  bool EntitiesClean() const;
  // Waits for the relation files; then every problem, in ReadBundle's order. Call once.
  std::vector<Problem> Finish();

 private:
  struct Job;
  Bundle bundle_;
  std::vector<Problem> problems_;  // the manifest's
  std::vector<Job> jobs_;
  std::vector<Problem> duplicates_;
  std::set<std::string> relations_rejected_;
  // The manifest and its files, once it was read without a problem: the fingerprint's input.
  std::vector<std::filesystem::path> fingerprinted_;
  std::future<void> relations_;  // last: destroyed (waited for) before what it writes
};

// FNV-1a 64 (hex) of the manifest and every file it names: what identifies a bundle's content.
// Throws Error(kIo) when the manifest cannot be read.
std::string BundleFingerprint(const std::filesystem::path& path);

// The file kinds a manifest may name, in the order they are read.
const std::vector<std::string>& BundleFileKinds();

}  // namespace chainatlas::ingest
