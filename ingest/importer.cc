#include "ingest/importer.h"

#include <algorithm>
#include <chrono>
#include <future>
#include <cmath>
#include <ctime>
#include <map>
#include <optional>
#include <set>
#include <unordered_map>
#include <variant>

#include "graph/huge_pages.h"
#include "graph/error.h"
#include "graph/lookup.h"
#include "ingest/sqlite_db.h"
#include "ingest/text.h"

namespace chainatlas::ingest {
namespace {

// A column value; text as a view of the record (or of a scratch string) it comes from, bound
// without a copy.
using SqlValue = std::variant<std::monostate, int64_t, double, std::string_view>;

std::string KindKey(NodeKind kind, std::string_view key) {
  std::string k(1, static_cast<char>('0' + static_cast<int>(kind)));
  k += ':';
  k.append(key);
  return k;
}

// (kind, key) → node id, for resolving references: open addressing, a slot per entry holding its
// whole hash, kind and id, and the key's place in a copy of all keys packed together. A lookup
// reads one slot (which Prefetch can ask for ahead) and compares with the packed copy, rather
// than following the slot to an entry and the entry to a key held in a record far away.
class RefTable {
 public:
  explicit RefTable(size_t entries) {
    size_t n = 16;
    while (n < 2 * entries) n *= 2;
    slots_.assign(n, Slot{});
  }
  // Adds (kind, key) → id; when it is there already, replaces its id if `overwrite`.
  void Put(NodeKind kind, std::string_view key, int64_t id, bool overwrite) {
    const uint64_t h = Hash(kind, key);
    Slot& slot = slots_[Find(kind, key, h)];
    if (slot.used) {
      if (overwrite) slot.id = id;
      return;
    }
    if ((used_ + 1) * 2 > slots_.size()) Grow();
    Slot& free = slots_[Find(kind, key, h)];
    free = {h, id, keys_.size(), key.size(), kind, true};
    keys_.append(key);
    ++used_;
  }
  // The id, or 0 when absent.
  int64_t Get(NodeKind kind, std::string_view key) const {
    const Slot& slot = slots_[Find(kind, key, Hash(kind, key))];
    return slot.used ? slot.id : 0;
  }
  // Asks for the slot where a lookup of (kind, key) starts.
  void Prefetch(NodeKind kind, std::string_view key) const {
    __builtin_prefetch(&slots_[Hash(kind, key) & (slots_.size() - 1)]);
  }

 private:
  struct Slot {
    uint64_t hash = 0;
    int64_t id = 0;
    size_t offset = 0, size = 0;  // the key in keys_
    NodeKind kind = NodeKind::kRegion;
    bool used = false;
  };
  static uint64_t Hash(NodeKind kind, std::string_view key) {
    uint64_t h = std::hash<std::string_view>{}(key) ^
                 ((static_cast<uint64_t>(kind) + 1) * 0x9E3779B97F4A7C15ull);
    h *= 0xD6E8FEB86659FD93ull;
    return h ^ (h >> 29);
  }
  size_t Find(NodeKind kind, std::string_view key, uint64_t h) const {
    const size_t mask = slots_.size() - 1;
    for (size_t i = static_cast<size_t>(h) & mask;; i = (i + 1) & mask) {
      const Slot& s = slots_[i];
      if (!s.used) return i;
      if (s.hash == h && s.kind == kind && std::string_view(keys_).substr(s.offset, s.size) == key)
        return i;
    }
  }
  void Grow() {
    std::vector<Slot> old(slots_.size() * 2);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (const Slot& s : old) {
      if (!s.used) continue;
      size_t i = static_cast<size_t>(s.hash) & mask;
      while (slots_[i].used) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<Slot> slots_;
  std::string keys_;
  size_t used_ = 0;
};

std::string NowUtc() {
  std::time_t t = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

SqlValue OptInt(int64_t v) { return v < 0 ? SqlValue{} : SqlValue{v}; }
SqlValue OptReal(double v) { return std::isnan(v) ? SqlValue{} : SqlValue{v}; }
SqlValue OptText(std::string_view s) { return s.empty() ? SqlValue{} : SqlValue{s}; }

// The kind-specific table of an entity and its column values.
struct KindColumns {
  const char* table;
  std::vector<const char*> columns;
};

KindColumns ColumnsOf(NodeKind kind) {
  switch (kind) {
    case NodeKind::kRegion: return {"regions", {"level", "parent"}};
    case NodeKind::kTrack: return {"tracks", {"name_en"}};
    case NodeKind::kSegment: return {"segments", {"track", "parent", "position", "name_en"}};
    case NodeKind::kEnterprise:
      return {"enterprises",
              {"uscc", "founded", "above_scale", "revenue", "employees", "tags", "class2_certs",
               "class3_certs", "patents", "rd_ratio"}};
    case NodeKind::kHospital:
      return {"hospitals", {"grade", "clinical_trial", "demo_base", "departments"}};
    case NodeKind::kInstitution: return {"institutions", {"kind", "key_labs"}};
    case NodeKind::kPlatform: return {"platforms", {"kind", "accreditations"}};
  }
  throw Error(ErrorCode::kInternal, "no table for node kind");
}

// `scratch` holds a joined list column; it must outlive the values.
std::vector<SqlValue> ValuesOf(const EntityRecord& e, std::string& scratch) {
  struct Visitor {
    std::string& scratch;
    SqlValue Joined(std::string joined) {
      scratch = std::move(joined);
      return OptText(scratch);
    }
    std::vector<SqlValue> operator()(const RegionRecord& r) {
      return {RegionLevelName(r.level), OptText(r.parent)};
    }
    std::vector<SqlValue> operator()(const TrackRecord& t) { return {OptText(t.name_en)}; }
    std::vector<SqlValue> operator()(const SegmentRecord& s) {
      return {std::string_view(s.track), OptText(s.parent), PositionName(s.position),
              OptText(s.name_en)};
    }
    std::vector<SqlValue> operator()(const EnterpriseAttributes& a) {
      return {OptText(a.uscc),        OptInt(a.founded),      OptInt(a.above_scale),
              OptReal(a.revenue),     OptInt(a.employees),    Joined(JoinList(TagNames(a.tags))),
              OptInt(a.class2_certs), OptInt(a.class3_certs), OptInt(a.patents),
              OptReal(a.rd_ratio)};
    }
    std::vector<SqlValue> operator()(const HospitalAttributes& h) {
      return {OptText(h.grade), int64_t{h.clinical_trial}, int64_t{h.demo_base},
              Joined(JoinList(h.departments))};
    }
    std::vector<SqlValue> operator()(const InstitutionAttributes& i) {
      return {std::string_view(i.kind), Joined(JoinList(i.key_labs))};
    }
    std::vector<SqlValue> operator()(const PlatformAttributes& p) {
      return {std::string_view(p.kind), Joined(JoinList(p.accreditations))};
    }
  };
  return std::visit(Visitor{scratch}, e.details);
}

void BindValue(Statement& s, int i, const SqlValue& v) {
  if (std::holds_alternative<int64_t>(v))
    s.Bind(i, std::get<int64_t>(v));
  else if (std::holds_alternative<double>(v))
    s.Bind(i, std::get<double>(v));
  else if (const auto* t = std::get_if<std::string_view>(&v))
    s.BindStatic(i, *t);
  else
    s.BindNull(i);
}

// Statements for one table, made from its column list: insert, replace-if-different and
// fill-if-missing. Parameters ?1..?n are the columns, ?(n+1) the row id.
struct TableStatements {
  Statement insert, replace, fill;
  size_t n;
  static std::string Insert(const std::string& table, const std::string& id_col,
                            const std::vector<const char*>& cols) {
    std::string names = id_col, params = "?" + std::to_string(cols.size() + 1);
    for (size_t i = 0; i < cols.size(); ++i) {
      names += std::string(", ") + cols[i];
      params += ", ?" + std::to_string(i + 1);
    }
    return "INSERT INTO " + table + "(" + names + ") VALUES(" + params + ")";
  }
  static std::string Update(const std::string& table, const std::string& id_col,
                            const std::vector<const char*>& cols, bool fill) {
    std::string set, differs;
    for (size_t i = 0; i < cols.size(); ++i) {
      std::string c = cols[i], p = "?" + std::to_string(i + 1);
      set += (i ? ", " : "") + c + " = " + (fill ? "COALESCE(" + c + ", " + p + ")" : p);
      differs += std::string(i ? " OR " : "") +
                 (fill ? "(" + c + " IS NULL AND " + p + " IS NOT NULL)" : c + " IS NOT " + p);
    }
    return "UPDATE " + table + " SET " + set + " WHERE " + id_col + " = ?" +
           std::to_string(cols.size() + 1) + " AND (" + differs + ")";
  }
  TableStatements(sqlite3* db, const std::string& table, const std::string& id_col,
                  const std::vector<const char*>& insert_cols,
                  const std::vector<const char*>& replace_cols,
                  const std::vector<const char*>& fill_cols)
      : insert(db, Insert(table, id_col, insert_cols)),
        replace(db, Update(table, id_col, replace_cols, false)),
        fill(db, Update(table, id_col, fill_cols, true)),
        n(insert_cols.size()) {}
};

struct ExistingNode {
  int64_t id;
  NodeKind kind;
  std::string key, name, norm_name, region, source, uscc;
};

enum class Plan { kInsert, kReplace, kFill };
struct EntityPlan {
  Plan plan = Plan::kInsert;
  int64_t node_id = 0;  // existing node (replace, fill) or the new one's (NumberNewEntities)
  bool alias = false;   // the bundle's id becomes an alias of node_id
  std::string matched_by;
};

class Importer {
 public:
  Importer(Store& store, Bundle& bundle, ImportReport& report, const ImportOptions& options)
      : store_(store),
        db_(store.db().handle()),
        bundle_(bundle),
        report_(report),
        options_(options) {}

  void LoadCatalog();
  void PlanEntities();
  // A new entity's node id is the one SQLite would give it (one more than the largest so far, in
  // bundle order), set before anything is written: the relations resolve to final ids while the
  // entity rows are written, which set these ids explicitly.
  void NumberNewEntities();
  void CheckHierarchies();
  void ResolveRelations();
  // The writes, in one transaction the caller commits: the entity rows (which need only the plans
  // and their ids, so they may be written while the relation files are read and ResolveRelations
  // runs on another thread: the two share no state but the plans, which neither changes, and of
  // the bundle's files only their names), then the files' row counts, the relation rows and the
  // packed copy.
  void WriteEntities();
  void WriteRelations();
  // Store::VertexSource for an import into an empty store: every node is a bundle entity.
  bool AddVertices(SnapshotBuilder& builder, std::vector<int64_t>& node_ids) const;

 private:
  std::string FileName(uint16_t file) const {
    return (bundle_.dir / bundle_.files[file].path).lexically_normal().string();
  }
  void Fail(uint16_t file, uint32_t line, const char* code, MessageParams params) {
    report_.problems.push_back(MakeProblem(FileName(file), line, Msg(code, std::move(params))));
  }
  bool RegionCompatible(const std::string& a, const std::string& b) const;
  std::vector<std::string> RegionChain(const std::string& code) const;
  void Progress(const char* stage, uint64_t done, uint64_t total) const {
    if (options_.progress && (done % 16384 == 0 || done == total)) {
      options_.progress(stage, done, total);
    }
  }

  // " (did you mean …?)": the keys of the reference's kinds closest to it, for an unknown
  // reference. Bounded: after kMaxSuggested unknown references no more are computed. The hint's
  // parameters: "hint" (its code, empty for none) and "meant".
  MessageParams DidYouMean(const Reference& ref,
                           const std::unordered_map<std::string, int64_t>& ids_by_key) {
    if (suggested_++ >= kMaxSuggested) return Meant("", "");
    std::vector<std::pair<size_t, std::string_view>> best;
    for (const auto& [kk, id] : ids_by_key) {
      (void)id;
      if (kk.size() < 2 || kk[1] != ':') continue;
      NodeKind k = static_cast<NodeKind>(kk[0] - '0');
      if (std::find(ref.kinds.begin(), ref.kinds.end(), k) == ref.kinds.end()) continue;
      std::string_view key = std::string_view(kk).substr(2);
      size_t d = TypingDistance(ref.key, key);
      if (CloseEnough(ref.key, d)) best.push_back({d, key});
    }
    return Meant("hint.did_you_mean", MeantList(best));
  }
  // " (it is the name of 330122: write the code)": a region written by its name, or a code
  // close to a real one. Parameters as DidYouMean's, and "text" for a name.
  MessageParams RegionMeant(const std::string& text) {
    if (suggested_++ >= kMaxSuggested) return Meant("", "");
    if (region_names_.empty()) {
      for (const ExistingNode& x : existing_) {
        if (x.kind == NodeKind::kRegion) region_names_.emplace(x.name, x.key);
      }
      for (const EntityRecord& e : bundle_.entities) {
        if (e.kind == NodeKind::kRegion) region_names_.emplace(e.name, e.key);
      }
    }
    std::vector<std::pair<size_t, std::string_view>> named;
    auto [lo, hi] = region_names_.equal_range(text);
    for (auto it = lo; it != hi; ++it) {
      // The database and the bundle may both hold the region: each code once.
      bool seen = false;
      for (const auto& n : named) seen = seen || n.second == it->second;
      if (!seen) named.push_back({0, it->second});
    }
    if (!named.empty()) {
      MessageParams m = Meant("hint.region_name", MeantList(named));
      m.push_back({"text", text});
      return m;
    }
    std::vector<std::pair<size_t, std::string_view>> close;
    for (const auto& [code, info] : regions_) {
      (void)info;
      size_t d = TypingDistance(text, code);
      if (CloseEnough(text, d)) close.push_back({d, code});
    }
    return Meant("hint.did_you_mean", MeantList(close));
  }
  static MessageParams Meant(std::string code, std::string list) {
    if (list.empty()) code.clear();
    return {{"hint", std::move(code)}, {"meant", std::move(list)}};
  }
  static std::string MeantList(std::vector<std::pair<size_t, std::string_view>>& found) {
    if (found.empty()) return "";
    std::sort(found.begin(), found.end());
    std::string out;
    for (size_t i = 0; i < found.size() && i < 3; ++i) {
      out += (i ? ", " : "") + std::string(found[i].second);
    }
    return out + (found.size() > 3 ? ", …" : "");
  }
  static constexpr size_t kMaxSuggested = 20;
  size_t suggested_ = 0;
  std::unordered_multimap<std::string, std::string> region_names_;  // name → code, on demand

  Store& store_;
  sqlite3* db_;
  Bundle& bundle_;
  ImportReport& report_;
  const ImportOptions& options_;

  std::vector<ExistingNode> existing_;
  std::unordered_map<int64_t, size_t> by_id_;
  std::unordered_map<std::string, size_t> by_key_;      // KindKey → existing_
  std::unordered_map<std::string, int64_t> alias_ids_;  // KindKey → node id
  std::unordered_map<std::string, size_t> by_uscc_;
  std::unordered_map<std::string, std::vector<size_t>> by_norm_;  // enterprises
  std::unordered_map<std::string, std::pair<RegionLevel, std::string>>
      regions_;  // code → level, parent
  std::unordered_map<std::string, std::pair<std::string, std::string>>
      segments_;  // key → track, parent
  std::set<std::string> tracks_;

  std::unordered_map<std::string, size_t> bundle_index_;  // KindKey → bundle entity
  std::vector<EntityPlan> plans_;
  std::vector<std::string> norm_names_;
  std::string started_;            // when the writes began (imports.started_at)
  std::vector<int64_t> file_ids_;  // import_files ids, by Bundle::files index

  // A relation row with what its edge row needs besides the attributes (so that writing the
  // rows in key order does not visit the records at random).
  struct ResolvedEdge {
    int64_t src, dst;
    EdgeKind kind;
    uint8_t evidence;
    uint16_t file;
    float weight;
    uint32_t relation;
    uint32_t line;
  };
  std::vector<ResolvedEdge> edges_;
  static void SortByKey(std::vector<ResolvedEdge>& edges);
};

// Sorts edges by (src, kind, dst, relation). Source ids are row ids, dense from the smallest:
// a counting sort by source (stable, so each source's edges stay in row order), then each
// source's few edges by the rest, instead of a comparison sort of them all (about half the time
// at 1M edges). When the sources span more than twice as many ids as there are edges (a few
// edges into a large store), a comparison sort is the cheaper.
void Importer::SortByKey(std::vector<ResolvedEdge>& edges) {
  auto less = [](const ResolvedEdge& a, const ResolvedEdge& b) {
    return std::tie(a.src, a.kind, a.dst, a.relation) < std::tie(b.src, b.kind, b.dst, b.relation);
  };
  if (edges.size() < 2) return;
  const auto [lo, hi] = std::minmax_element(
      edges.begin(), edges.end(),
      [](const ResolvedEdge& a, const ResolvedEdge& b) { return a.src < b.src; });
  const uint64_t range = static_cast<uint64_t>(hi->src) - static_cast<uint64_t>(lo->src) + 1;
  if (range > 2 * static_cast<uint64_t>(edges.size())) {
    std::sort(edges.begin(), edges.end(), less);
    return;
  }
  const int64_t first = lo->src;
  std::vector<uint32_t> end(range + 1, 0);  // end[k + 1]: edges of sources first..first + k
  for (const ResolvedEdge& e : edges) ++end[static_cast<size_t>(e.src - first) + 1];
  for (size_t k = 1; k <= range; ++k) end[k] += end[k - 1];
  std::vector<ResolvedEdge> sorted;
  ReserveHuge(sorted, edges.size());
  sorted.resize(edges.size());
  for (const ResolvedEdge& e : edges) sorted[end[static_cast<size_t>(e.src - first)]++] = e;
  // Now end[k] is where source first + k's edges end, and end[k - 1] where they begin.
  for (size_t k = 0, begin = 0; k < range; begin = end[k++]) {
    if (end[k] - begin > 1) std::sort(sorted.begin() + begin, sorted.begin() + end[k], less);
  }
  edges.swap(sorted);
}

void Importer::LoadCatalog() {
  Statement s(db_,
              "SELECT n.id, n.kind, n.key, n.name, n.norm_name, n.region, n.source, e.uscc "
              "FROM nodes n LEFT JOIN enterprises e ON e.node_id = n.id");
  while (s.Step()) {
    ExistingNode x{s.Int(0),
                   static_cast<NodeKind>(s.Int(1)),
                   std::string(s.Text(2)),
                   std::string(s.Text(3)),
                   std::string(s.Text(4)),
                   std::string(s.Text(5)),
                   std::string(s.Text(6)),
                   std::string(s.Text(7))};
    size_t i = existing_.size();
    by_id_[x.id] = i;
    by_key_[KindKey(x.kind, x.key)] = i;
    if (!x.uscc.empty()) by_uscc_[x.uscc] = i;
    if (x.kind == NodeKind::kEnterprise) by_norm_[x.norm_name].push_back(i);
    if (x.kind == NodeKind::kTrack) tracks_.insert(x.key);
    existing_.push_back(std::move(x));
  }
  Statement a(db_, "SELECT kind, key, node_id FROM aliases");
  while (a.Step()) alias_ids_[KindKey(static_cast<NodeKind>(a.Int(0)), a.Text(1))] = a.Int(2);
  Statement r(db_,
              "SELECT n.key, r.level, r.parent FROM regions r JOIN nodes n ON n.id = r.node_id");
  while (r.Step()) {
    regions_[std::string(r.Text(0))] = {ParseRegionLevel(r.Text(1)).value_or(RegionLevel::kCounty),
                                        std::string(r.Text(2))};
  }
  Statement g(db_,
              "SELECT n.key, g.track, g.parent FROM segments g JOIN nodes n ON n.id = g.node_id");
  while (g.Step())
    segments_[std::string(g.Text(0))] = {std::string(g.Text(1)), std::string(g.Text(2))};

  // The bundle's own hierarchy rows override what is stored.
  for (size_t i = 0; i < bundle_.entities.size(); ++i) {
    const EntityRecord& e = bundle_.entities[i];
    bundle_index_[KindKey(e.kind, e.key)] = i;
    if (const auto* r = std::get_if<RegionRecord>(&e.details))
      regions_[e.key] = {r->level, r->parent};
    if (const auto* g = std::get_if<SegmentRecord>(&e.details))
      segments_[e.key] = {g->track, g->parent};
    if (e.kind == NodeKind::kTrack) tracks_.insert(e.key);
  }
}

std::vector<std::string> Importer::RegionChain(const std::string& code) const {
  std::vector<std::string> chain;
  std::string c = code;
  while (!c.empty() && chain.size() < 16) {
    chain.push_back(c);
    auto it = regions_.find(c);
    if (it == regions_.end()) break;
    c = it->second.second;
  }
  return chain;
}

bool Importer::RegionCompatible(const std::string& a, const std::string& b) const {
  if (a.empty() || b.empty()) return false;
  auto ca = RegionChain(a), cb = RegionChain(b);
  return std::count(ca.begin(), ca.end(), b) || std::count(cb.begin(), cb.end(), a);
}

void Importer::NumberNewEntities() {
  int64_t next = store_.db().QueryInt("SELECT coalesce(max(id), 0) + 1 FROM nodes");
  for (EntityPlan& p : plans_) {
    if (p.plan == Plan::kInsert) p.node_id = next++;
  }
}

void Importer::PlanEntities() {
  plans_.resize(bundle_.entities.size());
  norm_names_.resize(bundle_.entities.size());
  std::unordered_map<int64_t, size_t> claimed;  // existing node → bundle entity merged into it
  for (size_t i = 0; i < bundle_.entities.size(); ++i) {
    const EntityRecord& e = bundle_.entities[i];
    EntityPlan& plan = plans_[i];
    norm_names_[i] = NormaliseName(e.name);
    const auto* ent = std::get_if<EnterpriseAttributes>(&e.details);
    const std::string uscc = ent ? ent->uscc : "";

    if (auto it = by_key_.find(KindKey(e.kind, e.key)); it != by_key_.end()) {
      const ExistingNode& x = existing_[it->second];
      plan.node_id = x.id;
      if (IsOrganisation(e.kind) && x.source != bundle_.source) {
        bool same = x.norm_name == norm_names_[i] || (!uscc.empty() && uscc == x.uscc);
        if (!same) {
          Fail(e.file, e.line, "import.id_taken",
               {{"kind", std::string(NodeKindName(e.kind))},
                {"id", e.key},
                {"name", x.name},
                {"source", x.source}});
          continue;
        }
        plan.plan = Plan::kFill;
        plan.matched_by = "id";
      } else {
        plan.plan = Plan::kReplace;
      }
      if (!uscc.empty()) {
        auto u = by_uscc_.find(uscc);
        if (u != by_uscc_.end() && existing_[u->second].id != x.id) {
          Fail(e.file, e.line, "import.uscc_taken",
               {{"uscc", uscc}, {"id", existing_[u->second].key}});
        }
      }
      continue;
    }
    if (auto it = alias_ids_.find(KindKey(e.kind, e.key)); it != alias_ids_.end()) {
      plan.plan = Plan::kFill;
      plan.node_id = it->second;
      plan.matched_by = "id";
      continue;
    }
    if (e.kind != NodeKind::kEnterprise) continue;  // a new entity

    // A new enterprise: merge by credit code, then by normalised name within a region.
    if (!uscc.empty()) {
      if (auto u = by_uscc_.find(uscc); u != by_uscc_.end()) {
        const ExistingNode& x = existing_[u->second];
        if (x.source == bundle_.source) {
          Fail(e.file, e.line, "import.uscc_taken_same_source", {{"uscc", uscc}, {"id", x.key}});
          continue;
        }
        plan = {Plan::kFill, x.id, true, "uscc"};
        claimed[x.id] = i;
        continue;
      }
    }
    std::vector<size_t> candidates;
    if (auto n = by_norm_.find(norm_names_[i]); n != by_norm_.end()) {
      for (size_t c : n->second) {
        const ExistingNode& x = existing_[c];
        if (x.source == bundle_.source) continue;
        if (!uscc.empty() && !x.uscc.empty() && x.uscc != uscc) continue;
        if (!RegionCompatible(e.region, x.region)) continue;
        candidates.push_back(c);
      }
    }
    if (candidates.size() == 1 && !claimed.count(existing_[candidates[0]].id)) {
      plan = {Plan::kFill, existing_[candidates[0]].id, true, "name"};
      claimed[plan.node_id] = i;
    } else if (!candidates.empty()) {
      AmbiguousMerge amb{FileName(e.file), e.line, e.key, {}};
      for (size_t c : candidates) {
        const ExistingNode& x = existing_[c];
        std::string why = claimed.count(x.id) ? ", already matched by id '" +
                                                    bundle_.entities[claimed[x.id]].key + "'"
                                              : "";
        amb.candidates.push_back("enterprise:" + x.key + " " + x.name + " (" + x.region + why +
                                 ")");
      }
      report_.ambiguous.push_back(std::move(amb));
    }
  }
}

void Importer::CheckHierarchies() {
  for (const EntityRecord& e : bundle_.entities) {
    if (const auto* r = std::get_if<RegionRecord>(&e.details)) {
      if (r->parent.empty()) continue;
      auto p = regions_.find(r->parent);
      if (p == regions_.end()) {
        Fail(e.file, e.line, "import.no_parent_region", {{"parent", r->parent}});
        continue;
      }
      RegionLevel pl = p->second.first;
      bool ok = (r->level == RegionLevel::kCity && pl == RegionLevel::kProvince) ||
                (r->level == RegionLevel::kCounty &&
                 (pl == RegionLevel::kCity || pl == RegionLevel::kProvince)) ||
                (r->level == RegionLevel::kPark && pl == RegionLevel::kCounty);
      if (!ok) {
        Fail(e.file, e.line, "import.region_under",
             {{"level", std::string(RegionLevelName(r->level))},
              {"parent_level", std::string(RegionLevelName(pl))},
              {"parent", r->parent}});
      }
    } else if (const auto* g = std::get_if<SegmentRecord>(&e.details)) {
      if (!tracks_.count(g->track)) {
        Fail(e.file, e.line, "import.no_track", {{"track", g->track}});
        continue;
      }
      if (!g->parent.empty()) {
        auto p = segments_.find(g->parent);
        if (p == segments_.end()) {
          Fail(e.file, e.line, "import.no_parent_segment", {{"parent", g->parent}});
          continue;
        }
        if (p->second.first != g->track) {
          Fail(e.file, e.line, "import.parent_other_track",
               {{"parent", g->parent}, {"its_track", p->second.first}, {"track", g->track}});
          continue;
        }
      }
      // Walk up; coming back to the start means a cycle.
      std::string cur = g->parent;
      for (size_t steps = 0; !cur.empty(); ++steps) {
        if (cur == e.key || steps > segments_.size()) {
          Fail(e.file, e.line, "import.segment_cycle", {{"id", e.key}});
          break;
        }
        auto p = segments_.find(cur);
        cur = p == segments_.end() ? "" : p->second.second;
      }
    } else if (IsOrganisation(e.kind)) {
      // An enterprise may be unplaced (ckg.h: a company whose name names no region). CSV bundles
      // never get here without a region: ReadBundle requires the column.
      const bool unplaced = e.kind == NodeKind::kEnterprise && e.region.empty();
      if (!unplaced && !regions_.count(e.region)) {
        MessageParams params = RegionMeant(e.region);
        params.push_back({"region", e.region});
        Fail(e.file, e.line, "import.no_region", std::move(params));
      }
    }
  }
}

void Importer::ResolveRelations() {
  // One map from "kind:key" to node id for everything a reference can name: stored keys, aliases
  // and the bundle's own entities (which win). Relation files are grouped by source, so the last
  // resolution of each side is remembered too.
  // The map is built only for suggestions (DidYouMean walks it), on the first unknown reference;
  // references are resolved by a table of the same contents keyed by string views.
  std::unordered_map<std::string, int64_t> ids_by_key;
  bool ids_by_key_built = false;
  auto full_map = [&]() -> const std::unordered_map<std::string, int64_t>& {
    if (ids_by_key_built) return ids_by_key;
    ids_by_key_built = true;
    ids_by_key.reserve(existing_.size() + alias_ids_.size() + bundle_index_.size());
    for (const auto& [kk, i] : by_key_) ids_by_key.emplace(kk, existing_[i].id);
    for (const auto& [kk, id] : alias_ids_) ids_by_key.emplace(kk, id);
    for (const auto& [kk, i] : bundle_index_) {
      ids_by_key[kk] = plans_[i].node_id;
    }
    return ids_by_key;
  };
  // The same precedence: the bundle's entities (the last row of a repeated key), then stored
  // keys, then aliases.
  RefTable ids(bundle_.entities.size() + existing_.size() + alias_ids_.size());
  for (size_t i = 0; i < bundle_.entities.size(); ++i) {
    const EntityRecord& e = bundle_.entities[i];
    ids.Put(e.kind, e.key, plans_[i].node_id, /*overwrite=*/true);
  }
  for (const ExistingNode& x : existing_) ids.Put(x.kind, x.key, x.id, /*overwrite=*/false);
  for (const auto& [kk, id] : alias_ids_) {
    // KindKey: the kind's digit, ':', the key.
    ids.Put(static_cast<NodeKind>(kk[0] - '0'), std::string_view(kk).substr(2), id,
            /*overwrite=*/false);
  }
  auto resolve = [&](NodeKind kind, const std::string& key) -> int64_t {
    return ids.Get(kind, key);
  };
  struct LastRef {
    const Reference* ref = nullptr;
    int64_t id = 0;
  } last[2];

  edges_.reserve(bundle_.relations.size());
  AdviseHugePages(edges_.data(), edges_.capacity() * sizeof(ResolvedEdge));
  // The table is larger than the caches: each relation asks for its slots a few relations ahead.
  constexpr size_t kAhead = 8;
  auto prefetch = [&](size_t i) {
    if (i >= bundle_.relations.size()) return;
    const RelationRecord& r = bundle_.relations[i];
    for (const Reference* ref : {&r.src, &r.dst}) {
      for (NodeKind k : ref->kinds) ids.Prefetch(k, ref->key);
    }
  };
  for (size_t i = 0; i < kAhead; ++i) prefetch(i);
  for (size_t i = 0; i < bundle_.relations.size(); ++i) {
    prefetch(i + kAhead);
    const RelationRecord& r = bundle_.relations[i];
    int64_t ids[2] = {0, 0};
    bool ok = true;
    const Reference* refs[2] = {&r.src, &r.dst};
    for (int side = 0; side < 2; ++side) {
      const Reference& ref = *refs[side];
      if (last[side].ref && last[side].ref->key == ref.key && last[side].ref->kinds == ref.kinds) {
        ids[side] = last[side].id;
        continue;
      }
      int found = 0;
      NodeKind first_found = NodeKind::kRegion;
      for (NodeKind k : ref.kinds) {
        if (int64_t id = resolve(k, ref.key)) {
          if (found++ == 0) first_found = k;
          ids[side] = id;
        }
      }
      if (found == 1) {
        last[side] = {&ref, ids[side]};
        continue;
      }
      ok = false;
      std::string kinds;  // "segment|enterprise": {kinds:or}
      for (NodeKind k : ref.kinds) {
        if (!kinds.empty()) kinds += '|';
        kinds += NodeKindName(k);
      }
      if (found == 0) {
        bool rejected = false;
        for (NodeKind k : ref.kinds) {
          rejected |= bundle_.rejected_ids.count(std::string(NodeKindName(k)) + ":" + ref.key) > 0;
        }
        // A reference to a row rejected on its own is not a second problem of this row.
        if (!rejected) {
          MessageParams params = DidYouMean(ref, full_map());
          params.push_back({"kinds", kinds});
          params.push_back({"key", ref.key});
          Fail(r.file, r.line, "import.unknown_ref", std::move(params));
        }
      } else {
        Fail(r.file, r.line, "import.ambiguous_ref",
             {{"key", ref.key},
              {"kinds", kinds},
              {"example", std::string(NodeKindName(first_found)) + ":" + ref.key}});
      }
    }
    if (!ok) continue;
    if (ids[0] == ids[1]) {
      Fail(r.file, r.line, "import.self_loop",
           {{"kind", std::string(EdgeKindName(r.kind))}, {"key", r.src.key}});
      continue;
    }
    edges_.push_back(
        {ids[0], ids[1], r.kind, r.evidence, r.file, r.weight, static_cast<uint32_t>(i), r.line});
  }

  // Repeated keys: sort by key (then by row, so the first occurrence leads) and compare
  // neighbours. The ids are final (NumberNewEntities): WriteRelations writes in this order.
  SortByKey(edges_);
  size_t kept = 0;
  for (size_t i = 0; i < edges_.size(); ++i) {
    const ResolvedEdge& e = edges_[i];
    if (kept > 0 && edges_[kept - 1].src == e.src && edges_[kept - 1].kind == e.kind &&
        edges_[kept - 1].dst == e.dst) {
      const RelationRecord& r = bundle_.relations[e.relation];
      const RelationRecord& first = bundle_.relations[edges_[kept - 1].relation];
      Fail(r.file, r.line, "import.duplicate_relation",
           {{"kind", std::string(EdgeKindName(r.kind))},
            {"src", r.src.key},
            {"dst", r.dst.key},
            {"first", FileName(first.file) + ":" + std::to_string(first.line)}});
      continue;
    }
    edges_[kept++] = e;
  }
  edges_.resize(kept);
  // Problems are reported in file order whatever the sort did.
  std::stable_sort(report_.problems.begin(), report_.problems.end(),
                   [](const Problem& a, const Problem& b) {
                     return std::tie(a.file, a.line) < std::tie(b.file, b.line);
                   });
}

void Importer::WriteEntities() {
  started_ = NowUtc();
  store_.BeginGraphWrites();
  {
    Statement s(db_,
                "INSERT INTO imports(source, path, started_at, finished_at, fingerprint, "
                "nodes_inserted, nodes_updated, nodes_unchanged, edges_inserted, edges_updated, "
                "edges_unchanged, merged) VALUES(?, ?, ?, ?, '', 0, 0, 0, 0, 0, 0, 0)");
    // The fingerprint comes with the counts (WriteRelations): the reader may be computing it.
    s.Bind(1, bundle_.source).Bind(2, std::filesystem::absolute(bundle_.dir).string());
    s.Bind(3, started_).Bind(4, started_).Run();
    report_.import_id = sqlite3_last_insert_rowid(db_);
  }
  {
    // Their row counts come with the relation rows (WriteRelations): a relation file may still be
    // being read.
    Statement s(db_, "INSERT INTO import_files(import_id, kind, path, rows) VALUES(?, ?, ?, 0)");
    for (const BundleFile& f : bundle_.files) {
      s.Bind(1, report_.import_id).Bind(2, f.kind).Bind(3, f.path).Run();
      file_ids_.push_back(sqlite3_last_insert_rowid(db_));
    }
  }

  // Into an empty nodes table the name index is built once, after the rows (a sort), rather than
  // by a random insert per row. The index's own statement recreates it, in the same transaction.
  std::string name_index;
  if (existing_.empty()) {
    Statement q(db_,
                "SELECT sql FROM sqlite_master WHERE type = 'index' AND name = 'nodes_norm_name'");
    if (q.Step()) name_index = std::string(q.Text(0));
  }
  if (!name_index.empty()) store_.db().Exec("DROP INDEX nodes_norm_name");

  // Entities.
  TableStatements nodes(db_, "nodes", "id",
                        {"kind", "key", "name", "norm_name", "region", "illustrative", "note",
                         "source", "prov_file", "prov_line"},
                        {"name", "norm_name", "region", "illustrative", "note", "source"},
                        {"region", "note"});
  Statement touch(db_, "UPDATE nodes SET prov_file = ?, prov_line = ? WHERE id = ?");
  Statement alias(db_,
                  "INSERT OR IGNORE INTO aliases(kind, key, node_id, source, matched_by, "
                  "prov_file, prov_line) VALUES(?, ?, ?, ?, ?, ?, ?)");
  std::map<NodeKind, std::unique_ptr<TableStatements>> kind_tables;
  for (NodeKind k : kAllNodeKinds) {
    KindColumns kc = ColumnsOf(k);
    kind_tables[k] = std::make_unique<TableStatements>(db_, kc.table, "node_id", kc.columns,
                                                       kc.columns, kc.columns);
  }
  const size_t n_entities = bundle_.entities.size();
  for (size_t i = 0; i < n_entities; ++i) {
    Progress("entities", i + 1, n_entities);
    const EntityRecord& e = bundle_.entities[i];
    EntityPlan& plan = plans_[i];
    const int64_t file_id = file_ids_[e.file];
    std::vector<SqlValue> common = {
        e.name,          norm_names_[i], OptText(e.region), int64_t{e.illustrative},
        OptText(e.note), bundle_.source};
    std::string scratch;
    std::vector<SqlValue> own = ValuesOf(e, scratch);
    TableStatements& kt = *kind_tables[e.kind];
    if (plan.plan == Plan::kInsert) {
      std::vector<SqlValue> all = {int64_t{static_cast<int>(e.kind)}, std::string_view(e.key)};
      all.insert(all.end(), common.begin(), common.end());
      all.push_back(file_id);
      all.push_back(int64_t{e.line});
      for (size_t c = 0; c < all.size(); ++c)
        BindValue(nodes.insert, static_cast<int>(c + 1), all[c]);
      nodes.insert.Bind(static_cast<int>(all.size() + 1), plan.node_id).Run();
      for (size_t c = 0; c < own.size(); ++c) BindValue(kt.insert, static_cast<int>(c + 1), own[c]);
      kt.insert.Bind(static_cast<int>(own.size() + 1), plan.node_id).Run();
      report_.nodes_inserted++;
      continue;
    }
    const bool fill = plan.plan == Plan::kFill;
    Statement& ns = fill ? nodes.fill : nodes.replace;
    std::vector<SqlValue> node_values = fill ? std::vector<SqlValue>{common[2], common[4]} : common;
    for (size_t c = 0; c < node_values.size(); ++c)
      BindValue(ns, static_cast<int>(c + 1), node_values[c]);
    ns.Bind(static_cast<int>(node_values.size() + 1), plan.node_id).Run();
    int changed = sqlite3_changes(db_);
    Statement& ks = fill ? kt.fill : kt.replace;
    for (size_t c = 0; c < own.size(); ++c) BindValue(ks, static_cast<int>(c + 1), own[c]);
    ks.Bind(static_cast<int>(own.size() + 1), plan.node_id).Run();
    changed += sqlite3_changes(db_);
    if (changed) {
      touch.Bind(1, file_id).Bind(2, int64_t{e.line}).Bind(3, plan.node_id).Run();
      report_.nodes_updated++;
    } else {
      report_.nodes_unchanged++;
    }
    if (plan.alias) {
      alias.Bind(1, int64_t{static_cast<int>(e.kind)}).Bind(2, e.key).Bind(3, plan.node_id);
      alias.Bind(4, bundle_.source).Bind(5, plan.matched_by).Bind(6, file_id);
      alias.Bind(7, int64_t{e.line}).Run();
    }
    if (fill) {
      const ExistingNode& x = existing_[by_id_.at(plan.node_id)];
      report_.merges.push_back({FileName(e.file), e.line, e.key,
                                std::string(NodeKindName(x.kind)) + ":" + x.key, plan.matched_by});
    }
  }
  if (!name_index.empty()) store_.db().Exec(name_index);
}

void Importer::WriteRelations() {
  Database& db = store_.db();
  {
    Statement s(db_, "UPDATE import_files SET rows = ? WHERE id = ?");
    for (size_t i = 0; i < bundle_.files.size(); ++i) {
      s.Bind(1, static_cast<int64_t>(bundle_.files[i].rows)).Bind(2, file_ids_[i]).Run();
    }
  }
  // Relations, in primary-key order (ResolveRelations left edges_ so, with the final ids) so
  // that the B-tree is appended to rather than split at random.
  const int64_t before = db.QueryInt("SELECT count(*) FROM edges");
  // Into an empty table the rows are exactly edges_: the packed adjacency is built from them.
  std::optional<Store::EdgeRows> all_edges;
  if (before == 0) {
    Store::EdgeRows& rows = all_edges.emplace();
    const size_t m = edges_.size();
    // Reserved, advised for huge pages, then filled (resize would touch them first).
    rows.src.reserve(m);
    rows.dst.reserve(m);
    rows.kind.reserve(m);
    rows.weight.reserve(m);
    rows.evidence.reserve(m);
    AdviseHugePages(rows.src.data(), m * sizeof(int64_t));
    AdviseHugePages(rows.dst.data(), m * sizeof(int64_t));
    AdviseHugePages(rows.weight.data(), m * sizeof(float));
    rows.src.resize(m);
    rows.dst.resize(m);
    rows.kind.resize(m);
    rows.weight.resize(m);
    rows.evidence.resize(m);
    for (size_t i = 0; i < m; ++i) {
      const ResolvedEdge& e = edges_[i];
      rows.src[i] = e.src;
      rows.dst[i] = e.dst;
      rows.kind[i] = e.kind;
      // As the store hands it back: a double of the float, read as a float.
      rows.weight[i] = static_cast<float>(static_cast<double>(e.weight));
      rows.evidence[i] = e.evidence;
    }
  }
  // Into an empty store (no nodes, no aliases before) the nodes are exactly the bundle's
  // entities: the snapshot is built from them and the edges on another thread while the rows
  // are written (Store::EndGraphWrites checks it against the rows' counts).
  Store::VertexSource vertices;
  std::future<Store::KnownSnapshot> known;
  if (all_edges && existing_.empty() && alias_ids_.empty()) {
    vertices = [this](SnapshotBuilder& b, std::vector<int64_t>& ids) {
      return AddVertices(b, ids);
    };
    known = std::async(std::launch::async, [&] { return Store::BuildKnown(*all_edges, vertices); });
  }
  int64_t changed = 0;
  {
    // Into an empty table (a first import) every row is new: a plain insert is faster, and
    // kBatch rows go in one statement (one statement's overhead per batch, not per row).
    const char* kColumns =
        "INSERT INTO edges(src, kind, dst, weight, attrs, prov_file, prov_line, evidence) VALUES";
    const char* kRow = "(?, ?, ?, ?, ?, ?, ?, ?)";
    constexpr size_t kBatch = 32;
    std::string batch_sql = kColumns;
    for (size_t i = 0; i < kBatch; ++i) batch_sql += std::string(i ? ", " : " ") + kRow;
    std::optional<Statement> batch;
    if (before == 0) batch.emplace(db_, batch_sql);
    Statement s(db_, before == 0
                         ? std::string(kColumns) + " " + kRow
                         : std::string(kColumns) + " " + kRow +
                               " ON CONFLICT(src, kind, dst) DO UPDATE SET "
                               "weight = excluded.weight, attrs = excluded.attrs, "
                               "prov_file = excluded.prov_file, prov_line = excluded.prov_line, "
                               "evidence = excluded.evidence "
                               "WHERE weight IS NOT excluded.weight OR attrs IS NOT excluded.attrs "
                               "OR evidence IS NOT excluded.evidence");
    // Binds row e at parameters base+1..base+8. The attributes stay put until the statement is
    // reset: bound without a copy.
    auto bind_row = [&](sqlite3_stmt* h, int base, const ResolvedEdge& e) {
      const std::string& attrs = bundle_.relations[e.relation].attrs;
      int rc = sqlite3_bind_int64(h, base + 1, e.src);
      rc |= sqlite3_bind_int64(h, base + 2, static_cast<int>(e.kind));
      rc |= sqlite3_bind_int64(h, base + 3, e.dst);
      rc |= sqlite3_bind_double(h, base + 4, static_cast<double>(e.weight));
      rc |= attrs.empty() ? sqlite3_bind_null(h, base + 5)
                          : sqlite3_bind_text(h, base + 5, attrs.data(),
                                              static_cast<int>(attrs.size()), SQLITE_STATIC);
      rc |= sqlite3_bind_int64(h, base + 6, file_ids_[e.file]);
      rc |= sqlite3_bind_int64(h, base + 7, e.line);
      rc |= sqlite3_bind_int64(h, base + 8, e.evidence);
      if (rc != SQLITE_OK) {
        throw Error(ErrorCode::kIo, std::string("SQLite: bind: ") + sqlite3_errmsg(db_));
      }
    };
    const size_t m = edges_.size();
    size_t i = 0;
    if (batch) {
      for (; i + kBatch <= m; i += kBatch) {
        Progress("relations", i + kBatch, m);
        for (size_t j = 0; j < kBatch; ++j) {
          bind_row(batch->handle(), static_cast<int>(8 * j), edges_[i + j]);
        }
        batch->Run();
        changed += sqlite3_changes(db_);
      }
    }
    for (; i < m; ++i) {
      Progress("relations", i + 1, m);
      bind_row(s.handle(), 0, edges_[i]);
      s.Run();
      changed += sqlite3_changes(db_);
    }
  }
  // Into an empty table every row was a plain insert: the count is known without a scan.
  const int64_t after = before == 0 ? changed : db.QueryInt("SELECT count(*) FROM edges");
  report_.edges_inserted = after - before;
  report_.edges_updated = changed - report_.edges_inserted;
  report_.edges_unchanged = static_cast<int64_t>(edges_.size()) - changed;
  {
    Statement s(db_,
                "UPDATE imports SET finished_at = ?, nodes_inserted = ?, nodes_updated = ?, "
                "nodes_unchanged = ?, edges_inserted = ?, edges_updated = ?, edges_unchanged = ?, "
                "merged = ?, fingerprint = ? WHERE id = ?");
    s.Bind(1, NowUtc()).Bind(2, report_.nodes_inserted).Bind(3, report_.nodes_updated);
    s.Bind(4, report_.nodes_unchanged).Bind(5, report_.edges_inserted);
    s.Bind(6, report_.edges_updated).Bind(7, report_.edges_unchanged);
    s.Bind(8, static_cast<int64_t>(report_.merges.size())).Bind(9, bundle_.fingerprint);
    s.Bind(10, report_.import_id).Run();
  }
  std::function<Store::KnownSnapshot()> take_known = [&] { return known.get(); };
  store_.EndGraphWrites(all_edges ? &*all_edges : nullptr, known.valid() ? &take_known : nullptr);
}

namespace {
// A list as the store gives it back.
std::vector<std::string> RoundTripList(const std::vector<std::string>& list) {
  return SplitList(JoinList(list));
}
}  // namespace

bool Importer::AddVertices(SnapshotBuilder& builder, std::vector<int64_t>& node_ids) const {
  const size_t n = bundle_.entities.size();
  for (size_t i = 0; i < n; ++i) {
    if (plans_[i].plan != Plan::kInsert || plans_[i].node_id <= 0 ||
        (i > 0 && plans_[i].node_id <= plans_[i - 1].node_id)) {
      return false;
    }
  }
  // Keys of regions, tracks and segments → vertex (vertex i is entity i).
  std::unordered_map<std::string_view, VertexId> region_v, track_v, segment_v;
  for (size_t i = 0; i < n; ++i) {
    const EntityRecord& e = bundle_.entities[i];
    if (e.kind == NodeKind::kRegion) region_v[e.key] = static_cast<VertexId>(i);
    if (e.kind == NodeKind::kTrack) track_v[e.key] = static_cast<VertexId>(i);
    if (e.kind == NodeKind::kSegment) segment_v[e.key] = static_cast<VertexId>(i);
  }
  // A reference as Load resolves it: empty is none; one that names no such node fails the load
  // (and the rows are read instead, to fail the same way).
  auto lookup = [](const std::unordered_map<std::string_view, VertexId>& m, std::string_view key,
                   VertexId* out) {
    if (key.empty()) {
      *out = kNoVertex;
      return true;
    }
    auto it = m.find(key);
    if (it == m.end()) return false;
    *out = it->second;
    return true;
  };
  // Integers and reals as the columns give them back: a negative integer is written as NULL, a
  // NaN real too; NULL reads as the default.
  auto opt_int = [](int32_t v, int32_t absent) { return v < 0 ? absent : v; };
  // A real with no fraction is stored as an integer: -0 comes back as 0.
  auto opt_real = [](double v, double absent) { return std::isnan(v) ? absent : v == 0 ? 0.0 : v; };
  builder.ReserveVertices(n);
  node_ids.resize(n);
  for (size_t i = 0; i < n; ++i) {
    const EntityRecord& e = bundle_.entities[i];
    node_ids[i] = plans_[i].node_id;
    VertexId region = kNoVertex;
    if (!lookup(region_v, e.region, &region)) return false;
    switch (e.kind) {
      case NodeKind::kRegion: {
        const auto* r = std::get_if<RegionRecord>(&e.details);
        VertexId parent = kNoVertex;
        if (!r || !lookup(region_v, r->parent, &parent)) return false;
        builder.AddRegion(e.key, e.name, {r->level, parent});
        break;
      }
      case NodeKind::kTrack: {
        const auto* t = std::get_if<TrackRecord>(&e.details);
        if (!t) return false;
        builder.AddTrack(e.key, e.name, {t->name_en});
        break;
      }
      case NodeKind::kSegment: {
        const auto* g = std::get_if<SegmentRecord>(&e.details);
        VertexId track = kNoVertex, parent = kNoVertex;
        if (!g || !lookup(track_v, g->track, &track) || !lookup(segment_v, g->parent, &parent)) {
          return false;
        }
        builder.AddSegment(e.key, e.name, {track, parent, g->position, g->name_en});
        break;
      }
      case NodeKind::kEnterprise: {
        const auto* a = std::get_if<EnterpriseAttributes>(&e.details);
        if (!a) return false;
        const EnterpriseAttributes none;
        EnterpriseAttributes x;
        x.uscc = a->uscc;
        x.founded = opt_int(a->founded, none.founded);
        x.above_scale = a->above_scale < 0 ? none.above_scale : a->above_scale;
        x.revenue = opt_real(a->revenue, none.revenue);
        x.employees = opt_int(a->employees, none.employees);
        if (a->tags != 0) {
          for (const std::string& t : RoundTripList(TagNames(a->tags))) {
            if (auto tag = ParseEnterpriseTag(t)) x.tags |= 1u << static_cast<int>(*tag);
          }
        }
        x.class2_certs = opt_int(a->class2_certs, none.class2_certs);
        x.class3_certs = opt_int(a->class3_certs, none.class3_certs);
        x.patents = opt_int(a->patents, none.patents);
        x.rd_ratio = opt_real(a->rd_ratio, none.rd_ratio);
        builder.AddEnterprise(e.key, e.name, region, std::move(x), e.illustrative);
        break;
      }
      case NodeKind::kHospital: {
        const auto* a = std::get_if<HospitalAttributes>(&e.details);
        if (!a) return false;
        builder.AddHospital(
            e.key, e.name, region,
            {a->grade, a->clinical_trial, a->demo_base, RoundTripList(a->departments)},
            e.illustrative);
        break;
      }
      case NodeKind::kInstitution: {
        const auto* a = std::get_if<InstitutionAttributes>(&e.details);
        if (!a) return false;
        builder.AddInstitution(e.key, e.name, region, {a->kind, RoundTripList(a->key_labs)},
                               e.illustrative);
        break;
      }
      case NodeKind::kPlatform: {
        const auto* a = std::get_if<PlatformAttributes>(&e.details);
        if (!a) return false;
        builder.AddPlatform(e.key, e.name, region, {a->kind, RoundTripList(a->accreditations)},
                            e.illustrative);
        break;
      }
    }
  }
  return true;
}

}  // namespace

namespace {

// ImportRecords, and ImportBundle's import of a bundle whose relation files `reader` is still
// reading (its entity records are complete): the checks of the entities and their rows start
// before the relation files are read, and reading ends (BundleReader::Finish) where the
// relations are needed. The problems come out in the same order either way: the reader's, then
// the checks'.
ImportReport Import(Store& store, Bundle& bundle, std::vector<Problem> problems,
                    const ImportOptions& options, BundleReader* reader) {
  auto t0 = std::chrono::steady_clock::now();
  ImportReport report;
  report.problems = std::move(problems);
  report.source = bundle.source;
  auto finish_reading = [&] {
    if (!reader) return;
    std::vector<Problem> checks = std::move(report.problems);
    report.problems = reader->Finish();
    report.problems.insert(report.problems.end(), std::make_move_iterator(checks.begin()),
                           std::make_move_iterator(checks.end()));
    reader = nullptr;
  };
  // Cross-file checks run even when some rows were bad on their own, so that one run reports
  // every bad row; nothing is written unless there is no problem at all.
  if (bundle.manifest_ok) {
    // The write lock is taken before the checks read the database, so that a second import
    // running at the same time waits (busy timeout) instead of checking against a state that
    // changes under it. Nothing is written unless every check passes; the transaction rolls back
    // otherwise.
    Transaction tx(store.db());
    Importer importer(store, bundle, report, options);
    importer.LoadCatalog();
    importer.PlanEntities();
    importer.CheckHierarchies();
    importer.NumberNewEntities();
    // When the entities passed their checks (and their files were read without a problem), their
    // rows are written on a second thread while the relation files are read to the end and
    // resolved on this one; a problem found later rolls them back with the rest.
    std::future<void> entities;
    if (report.problems.empty() && (!reader || reader->EntitiesClean())) {
      entities = std::async(std::launch::async, [&] { importer.WriteEntities(); });
    }
    finish_reading();
    importer.ResolveRelations();
    if (entities.valid()) entities.get();
    if (report.problems.empty()) {
      importer.WriteRelations();
      tx.Commit();
      report.accepted = true;
    }
  }
  finish_reading();
  report.fingerprint = bundle.fingerprint;
  report.files = bundle.files;
  report.relation_rows = bundle.relations.size();
  if (!report.accepted) {
    // What the entity writes counted was rolled back with them.
    report.merges.clear();
    report.ambiguous.clear();
    report.import_id = 0;
    report.nodes_inserted = report.nodes_updated = report.nodes_unchanged = 0;
  }
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace

ImportReport ImportRecords(Store& store, Bundle bundle, std::vector<Problem> problems,
                           const ImportOptions& options) {
  return Import(store, bundle, std::move(problems), options, nullptr);
}

ImportReport ImportBundle(Store& store, const std::filesystem::path& path,
                          const ImportOptions& options) {
  auto t0 = std::chrono::steady_clock::now();
  BundleReader reader(path);
  ImportReport report = Import(store, reader.bundle(), {}, options, &reader);
  report.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return report;
}

}  // namespace chainatlas::ingest
