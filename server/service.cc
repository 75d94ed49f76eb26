#include "server/service.h"

#include <pthread.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>

#include <thrift/TConfiguration.h>
#include <thrift/concurrency/ThreadFactory.h>
#include <thrift/concurrency/ThreadManager.h>
#include <thrift/protocol/TBinaryProtocol.h>
#include <thrift/protocol/TJSONProtocol.h>
#include <thrift/server/TNonblockingServer.h>
#include <thrift/server/TThreadedServer.h>
#include <thrift/transport/TBufferTransports.h>
#include <thrift/transport/THttpServer.h>
#include <thrift/transport/TNonblockingServerSocket.h>
#include <thrift/transport/TServerSocket.h>
#include <thrift/transport/TSocket.h>
#include <thrift/transport/TVirtualTransport.h>

#include <cmath>
#include <sstream>
#include <functional>
#include <mutex>
#include <iostream>
#include <thread>

#include "ChainAtlas.h"
#include "graph/error.h"
#include "server/fair_queue.h"
#include "server/report.h"
#include "server/web.h"

namespace chainatlas::service {

namespace rpc = ::chainatlas::rpc;
namespace at = ::apache::thrift;
using json = nlohmann::json;

// ---- state --------------------------------------------------------------------------------------

std::shared_ptr<const void> AnswerCache::Find(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = index_.find(key);
  if (it == index_.end()) return nullptr;
  order_.splice(order_.begin(), order_, it->second);
  return it->second->second;
}

void AnswerCache::Put(const std::string& key, std::shared_ptr<const void> answer) {
  if (capacity_ == 0) return;
  std::lock_guard<std::mutex> lock(mutex_);
  if (index_.count(key)) return;
  order_.emplace_front(key, std::move(answer));
  index_[key] = order_.begin();
  if (order_.size() > capacity_) {
    index_.erase(order_.back().first);
    order_.pop_back();
  }
}

StateHolder::StateHolder(std::filesystem::path database, size_t cache_entries)
    : database_(std::move(database)), cache_entries_(cache_entries) {
  current_.store(std::make_shared<const Served>(
      Served{engine::State::Load(database_), std::make_shared<AnswerCache>(cache_entries_)}));
}

StateHolder::ReloadResult StateHolder::Reload() {
  std::lock_guard<std::mutex> lock(reload_mutex_);
  auto start = std::chrono::steady_clock::now();
  std::shared_ptr<const engine::State> next = engine::State::Load(database_);
  next->analytics().SupplyRank();  // warm: the first leaders query after the swap stays fast
  current_.store(std::make_shared<const Served>(Served{next, std::make_shared<AnswerCache>(cache_entries_)}));
  uint64_t generation = ++generation_;
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  return {generation, seconds, next};
}

bool TokenMatches(const std::string& expected, const std::string& presented) {
  if (expected.empty()) return false;
  // Every byte of the longer one is looked at, whatever the first difference.
  unsigned char diff = expected.size() == presented.size() ? 0 : 1;
  size_t n = std::max(expected.size(), presented.size());
  for (size_t i = 0; i < n; ++i) {
    unsigned char a = i < expected.size() ? static_cast<unsigned char>(expected[i]) : 0;
    unsigned char b = i < presented.size() ? static_cast<unsigned char>(presented[i]) : 0;
    diff |= static_cast<unsigned char>(a ^ b);
  }
  return diff == 0;
}

namespace {

// ---- JSON (the engine's answer) to the IDL's structs --------------------------------------------

std::string Str(const json& j, const char* key) { return j.at(key).get<std::string>(); }

rpc::Ref ToRef(const json& j) {
  rpc::Ref r;
  r.id = Str(j, "id");
  r.name = Str(j, "name");
  return r;
}

std::vector<rpc::Ref> ToRefs(const json& list) {
  std::vector<rpc::Ref> out;
  out.reserve(list.size());
  for (const auto& j : list) out.push_back(ToRef(j));
  return out;
}

std::vector<rpc::Component> ToComponents(const json& list) {
  std::vector<rpc::Component> out;
  out.reserve(list.size());
  for (const auto& j : list) {
    rpc::Component c;
    c.name = Str(j, "name");
    c.weight = j.at("weight").get<double>();
    c.value = j.at("value").get<double>();
    c.points = j.at("points").get<double>();
    out.push_back(std::move(c));
  }
  return out;
}

std::vector<rpc::Item> ToItems(const json& list) {
  std::vector<rpc::Item> out;
  out.reserve(list.size());
  for (const auto& j : list) {
    rpc::Item it;
    it.id = Str(j, "id");
    it.name = Str(j, "name");
    it.rank = j.at("rank").get<int64_t>();
    it.kind = Str(j, "kind");
    if (!j.at("region").is_null()) it.__set_region(ToRef(j["region"]));
    it.score = j.at("score").get<double>();
    it.components = ToComponents(j.at("components"));
    it.paths = j.at("paths").get<std::vector<std::string>>();
    it.why = j.at("why").get<std::vector<std::string>>();
    it.known = j.at("known").get<bool>();
    it.via = ToRefs(j.at("via"));
    if (j.contains("partners")) it.__set_partners(ToRefs(j["partners"]));
    if (j.contains("evidence")) {
      const json& e = j["evidence"];
      rpc::Evidence ev;
      ev.kind = Str(e, "kind");
      ev.rule = Str(e, "rule");
      ev.tier = Str(e, "tier");
      ev.rank_tier = e.at("rank_tier").get<int64_t>();
      it.__set_evidence(ev);
    }
    out.push_back(std::move(it));
  }
  return out;
}

rpc::Node ToNode(const json& j) {
  rpc::Node n;
  n.id = Str(j, "id");
  n.kind = Str(j, "kind");
  n.key = Str(j, "key");
  n.name = Str(j, "name");
  if (j.contains("region")) n.__set_region(Str(j, "region"));
  n.json = j.dump();
  return n;
}

template <typename T>
void SetOptionalRef(const json& j, T& target, void (T::*setter)(const rpc::Ref&)) {
  if (!j.is_null()) (target.*setter)(ToRef(j));
}

void SetOptionalDouble(const json& j, std::function<void(double)> setter) {
  if (!j.is_null()) setter(j.get<double>());
}

std::map<std::string, int64_t> ToCounts(const json& j) { return j.get<std::map<std::string, int64_t>>(); }

// ---- requests -----------------------------------------------------------------------------------

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// A text argument, bounded.
const std::string& Text(const std::string& value, const char* what) {
  if (value.size() > Limits::kMaxTextBytes) {
    Invalid(std::string(what) + ": longer than " + std::to_string(Limits::kMaxTextBytes) + " bytes");
  }
  return value;
}

template <typename T>
std::string OptionalText(const T& isset_flag, const std::string& value, const char* what,
                         std::string fallback = "") {
  return isset_flag ? Text(value, what) : fallback;
}

size_t Bounded(int64_t value, int64_t lo, int64_t hi, const char* what) {
  if (value < lo || value > hi) {
    Invalid(std::string(what) + " must be between " + std::to_string(lo) + " and " +
            std::to_string(hi) + ", not " + std::to_string(value));
  }
  return static_cast<size_t>(value);
}

engine::RecOptions ToRecOptions(bool isset, const rpc::RecOptions& r) {
  engine::RecOptions o;
  if (!isset) return o;
  o.within = OptionalText(r.__isset.within, r.within, "within");
  o.track = OptionalText(r.__isset.track, r.track, "track");
  if (r.__isset.top) o.top = Bounded(r.top, 1, 10000, "top");
  if (r.__isset.scorer) o.scorer = Text(r.scorer, "scorer");
  if (r.__isset.include_known) o.include_known = r.include_known;
  return o;
}

// ---- the handler --------------------------------------------------------------------------------

class Handler : public rpc::ChainAtlasIf {
 public:
  Handler(std::shared_ptr<StateHolder> states, std::string admin_token, std::string version,
          std::ostream& log)
      : states_(std::move(states)), admin_token_(std::move(admin_token)),
        version_(std::move(version)), log_(log), started_(std::chrono::steady_clock::now()) {}

  void health(rpc::HealthResponse& out) override {
    auto state = states_->Current()->state;
    out.status = "ok";
    out.version = version_;
    out.generation = static_cast<int64_t>(states_->generation());
    out.vertices = static_cast<int64_t>(state->snapshot().NumVertices());
    out.edges = static_cast<int64_t>(state->snapshot().NumEdges());
    out.uptime_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - started_).count();
  }

  void stats(rpc::StatsResponse& out, const rpc::StatsRequest& req) override {
    json j = Call([&](const engine::Engine& e) {
      return e.Stats(OptionalText(req.__isset.region, req.region, "region"));
    });
    out.nodes = ToCounts(j["nodes"]);
    out.edges = ToCounts(j["edges"]);
    out.supplies_by_evidence = ToCounts(j["supplies_by_evidence"]);
    out.vertices = j["vertices"];
    out.edge_total = j["edge_total"];
    out.adjacency_bytes = j["adjacency_bytes"];
    for (const auto& r : j["regions"]) {
      rpc::RegionCounts c;
      c.code = Str(r, "code");
      c.name = Str(r, "name");
      c.level = Str(r, "level");
      c.enterprise = r["enterprise"];
      c.hospital = r["hospital"];
      c.institution = r["institution"];
      c.platform = r["platform"];
      out.regions.push_back(std::move(c));
    }
    for (const auto& t : j["tracks"]) {
      rpc::TrackCounts c;
      c.id = Str(t, "id");
      c.name = Str(t, "name");
      c.segments = t["segments"];
      c.enterprises = t["enterprises"];
      c.produces = t["produces"];
      c.__set_member_of(t["member_of"]);
      out.tracks.push_back(std::move(c));
    }
    if (j.contains("region")) out.__set_region(Str(j, "region"));
    if (j.contains("enterprises_without_region")) {
      out.__set_enterprises_without_region(j["enterprises_without_region"]);
    }
  }

  void search(rpc::SearchResponse& out, const rpc::SearchRequest& req) override {
    json j = Call([&](const engine::Engine& e) {
      size_t limit = req.__isset.limit ? Bounded(req.limit, 1, 10000, "limit") : 20;
      return e.Search(Text(req.text, "text"), OptionalText(req.__isset.kind, req.kind, "kind"), limit);
    });
    out.query = Str(j, "query");
    for (const auto& n : j["results"]) out.results.push_back(ToNode(n));
  }

  void show(rpc::ShowResponse& out, const rpc::ShowRequest& req) override {
    json j = Call([&](const engine::Engine& e) { return e.Show(Text(req.entity, "entity")); });
    out.node = ToNode(j["node"]);
    if (!j["provenance"].is_null()) {
      const json& p = j["provenance"];
      rpc::Provenance pr;
      pr.import_id = p["import"];
      pr.source = Str(p, "source");
      pr.file = Str(p, "file");
      pr.line = p["line"];
      pr.imported_at = Str(p, "imported_at");
      out.__set_provenance(pr);
    }
    if (j.contains("region_path")) {
      out.__set_region_path(j["region_path"].get<std::vector<std::string>>());
    }
    auto relations = [](const json& list, const char* other) {
      std::vector<rpc::Relation> rels;
      for (const auto& r : list) {
        rpc::Relation rel;
        rel.kind = Str(r, "kind");
        rel.other = Str(r, other);
        rel.name = Str(r, "name");
        rel.weight = r["weight"];
        if (r.contains("attributes")) rel.__set_attributes(r["attributes"].dump());
        rels.push_back(std::move(rel));
      }
      return rels;
    };
    out.out_relations = relations(j["out"], "target");
    out.in_relations = relations(j["in"], "source");
  }

  void chain(rpc::ChainResponse& out, const rpc::ChainRequest& req) override { Chain(out, req, false); }
  void gaps(rpc::ChainResponse& out, const rpc::ChainRequest& req) override { Chain(out, req, true); }

  void partners(rpc::PartnersResponse& out, const rpc::PartnersRequest& req) override {
    std::string enterprise, role;
    engine::RecOptions o;
    Cached(
        out,
        [&] {
          enterprise = Text(req.enterprise, "enterprise");
          role = OptionalText(req.__isset.role, req.role, "role", "supplier");
          o = ToRecOptions(req.__isset.options, req.options);
          return Key("partners", {enterprise, role}, o);
        },
        [&](const engine::Engine& e) { return e.Partners(enterprise, role, o); },
        [](const json& j, rpc::PartnersResponse& r) {
          r.enterprise = ToRef(j["enterprise"]);
          r.role = Str(j, "role");
          r.scorer = Str(j, "scorer");
          for (const auto& sj : j["segments"]) {
            rpc::PartnerSegment seg;
            seg.id = Str(sj, "id");
            seg.name = Str(sj, "name");
            seg.share = sj["share"];
            seg.via = Str(sj, "via");
            r.segments.push_back(std::move(seg));
          }
          r.candidates = j["candidates"];
          r.items = ToItems(j["items"]);
          r.known_hidden = j["known_hidden"];
        });
  }

  void pairings(rpc::PairingsResponse& out, const rpc::PairingsRequest& req) override {
    std::string enterprise, kind;
    engine::RecOptions o;
    Cached(
        out,
        [&] {
          enterprise = Text(req.enterprise, "enterprise");
          kind = OptionalText(req.__isset.kind, req.kind, "kind", "university");
          o = ToRecOptions(req.__isset.options, req.options);
          return Key("pairings", {enterprise, kind}, o);
        },
        [&](const engine::Engine& e) { return e.Pairings(enterprise, kind, o); },
        [](const json& j, rpc::PairingsResponse& r) {
          r.enterprise = ToRef(j["enterprise"]);
          r.kind = Str(j, "kind");
          r.scorer = Str(j, "scorer");
          r.candidates = j["candidates"];
          r.items = ToItems(j["items"]);
        });
  }

  void targets(rpc::TargetsResponse& out, const rpc::TargetsRequest& req) override {
    std::string region;
    engine::RecOptions o;
    Cached(
        out,
        [&] {
          region = Text(req.region, "region");
          o = ToRecOptions(req.__isset.options, req.options);
          return Key("targets", {region}, o);
        },
        [&](const engine::Engine& e) { return e.Targets(region, o); },
        [](const json& j, rpc::TargetsResponse& r) {
          r.region = ToRef(j["region"]);
          SetOptionalRef(j["track"], r, &rpc::TargetsResponse::__set_track);
          r.scorer = Str(j, "scorer");
          r.gaps = ToRefs(j["gaps"]);
          r.candidates = j["candidates"];
          r.items = ToItems(j["items"]);
        });
  }

  void relatedness(rpc::RelatednessResponse& out, const rpc::RelatednessRequest& req) override {
    json j = Call([&](const engine::Engine& e) {
      size_t top = req.__isset.top ? Bounded(req.top, 0, 10000, "top") : 15;
      return e.Relatedness(OptionalText(req.__isset.level, req.level, "level", ""),
                           OptionalText(req.__isset.track, req.track, "track"),
                           OptionalText(req.__isset.region, req.region, "region"), top);
    });
    out.level = Str(j, "level");
    SetOptionalRef(j["track"], out, &rpc::RelatednessResponse::__set_track);
    out.activity = Str(j, "activity");
    out.rca_threshold = j["rca_threshold"];
    out.opportunity_gain_definition = Str(j, "opportunity_gain_definition");
    for (const auto& sj : j["segments"]) {
      rpc::SegmentComplexity sc;
      sc.id = Str(sj, "id");
      sc.name = Str(sj, "name");
      sc.ubiquity = sj["ubiquity"];
      SetOptionalDouble(sj["pci"], [&](double v) { sc.__set_pci(v); });
      out.segments.push_back(std::move(sc));
    }
    for (const auto& rj : j["regions"]) {
      rpc::RegionRelatedness rr;
      rr.id = Str(rj, "id");
      rr.name = Str(rj, "name");
      rr.diversity = rj["diversity"];
      SetOptionalDouble(rj["eci"], [&](double v) { rr.__set_eci(v); });
      for (const auto& cj : rj["cells"]) {
        rpc::RelatednessCell c;
        c.segment = ToRef(cj["segment"]);
        c.activity = cj["activity"];
        c.rca = cj["rca"];
        c.m = cj["m"];
        c.density = cj["density"];
        c.distance = cj["distance"];
        SetOptionalDouble(cj["opportunity_gain"], [&](double v) { c.__set_opportunity_gain(v); });
        rr.cells.push_back(std::move(c));
      }
      out.regions.push_back(std::move(rr));
    }
  }

  void leaders(rpc::LeadersResponse& out, const rpc::LeadersRequest& req) override {
    std::string region;
    engine::RecOptions o;
    Cached(
        out,
        [&] {
          region = OptionalText(req.__isset.region, req.region, "region");
          o = ToRecOptions(req.__isset.options, req.options);
          o.include_known = false;  // the CLI's leaders has no --include-known
          return Key("leaders", {region}, o);
        },
        [&](const engine::Engine& e) { return e.Leaders(region, o); },
        [](const json& j, rpc::LeadersResponse& r) {
          SetOptionalRef(j["region"], r, &rpc::LeadersResponse::__set_region);
          SetOptionalRef(j["track"], r, &rpc::LeadersResponse::__set_track);
          r.scorer = Str(j, "scorer");
          r.candidates = j["candidates"];
          r.items = ToItems(j["items"]);
        });
  }

  void clusters(rpc::ClustersResponse& out, const rpc::ClustersRequest& req) override {
    json j = Call([&](const engine::Engine& e) {
      uint64_t seed = req.__isset.seed ? static_cast<uint64_t>(req.seed) : 1;
      return e.Clusters(OptionalText(req.__isset.region, req.region, "region"), seed, SIZE_MAX);
    });
    SetOptionalRef(j["region"], out, &rpc::ClustersResponse::__set_region);
    out.algorithm = Str(j, "algorithm");
    out.enterprises = j["enterprises"];
    out.edges = j["edges"];
    out.modularity = j["modularity"];
    out.levels = j["levels"];
    for (const auto& cj : j["communities"]) {
      rpc::Community c;
      c.id = cj["id"];
      c.size = cj["size"];
      c.internal_weight = cj["internal_weight"];
      c.members = ToRefs(cj["members"]);
      for (const auto& sj : cj["top_segments"]) {
        rpc::SegmentCount sc;
        sc.id = Str(sj, "id");
        sc.name = Str(sj, "name");
        sc.enterprises = sj["enterprises"];
        c.top_segments.push_back(std::move(sc));
      }
      out.communities.push_back(std::move(c));
    }
  }

  void indicators(rpc::IndicatorsResponse& out, const rpc::IndicatorsRequest& req) override {
    json j = Call([&](const engine::Engine& e) {
      std::vector<matcher::Target> targets;
      if (req.__isset.targets) {
        Bounded(static_cast<int64_t>(req.targets.size()), 0, 1000, "the number of targets");
        for (const auto& t : req.targets) {
          targets.push_back({Text(t.indicator, "indicator"), t.target,
                             t.__isset.note ? Text(t.note, "note") : std::string()});
        }
      }
      return e.Indicators(Text(req.region, "region"), targets);
    });
    out.region = ToRef(j["region"]);
    for (const auto& ij : j["indicators"]) {
      rpc::Indicator i;
      i.name = Str(ij, "name");
      i.description = Str(ij, "description");
      i.unit = Str(ij, "unit");
      i.value = ij["value"];
      if (ij.contains("reported_by")) i.__set_reported_by(ij["reported_by"]);
      if (ij.contains("of")) i.__set_of(ij["of"]);
      SetOptionalDouble(ij["target"], [&](double v) { i.__set_target(v); });
      SetOptionalDouble(ij["progress"], [&](double v) { i.__set_progress(v); });
      if (ij.contains("note")) i.__set_note(Str(ij, "note"));
      out.indicators.push_back(std::move(i));
    }
  }

  void reload(rpc::ReloadResponse& out, const std::string& admin_token) override {
    if (!TokenMatches(admin_token_, admin_token)) {
      rpc::PermissionDenied denied;
      denied.message = admin_token_.empty()
                           ? "reload is disabled: the server was started without --admin-token-file"
                           : "reload: wrong admin token";
      throw denied;
    }
    try {
      StateHolder::ReloadResult r = states_->Reload();
      out.generation = static_cast<int64_t>(r.generation);
      out.vertices = static_cast<int64_t>(r.state->snapshot().NumVertices());
      out.edges = static_cast<int64_t>(r.state->snapshot().NumEdges());
      out.seconds = r.seconds;
      log_ << "reloaded: generation " << r.generation << ", " << out.vertices << " nodes, "
           << out.edges << " edges, " << r.seconds << " s" << std::endl;
    } catch (const std::exception& e) {
      rpc::Unavailable unavailable;
      unavailable.message = std::string("reload failed, the current data stays: ") + e.what();
      throw unavailable;
    }
  }

 private:
  // Runs f and translates the project's errors into the declared exceptions, once.
  template <typename F>
  static void Translate(F&& f) {
    try {
      f();
    } catch (const Error& err) {
      if (err.code() == ErrorCode::kNotFound) {
        rpc::NotFound nf;
        nf.message = err.what();
        nf.suggestions = err.suggestions();
        throw nf;
      }
      if (err.code() == ErrorCode::kInvalidArgument) {
        rpc::InvalidArgument ia;
        ia.message = err.what();
        ia.suggestions = err.suggestions();
        throw ia;
      }
      throw;  // a server-side failure: the client gets a TApplicationException
    }
  }

  // Runs f on an engine over the current state.
  template <typename F>
  json Call(F&& f) {
    engine::Engine e(states_->Current()->state);
    json j;
    Translate([&] { j = f(e); });
    return j;
  }

  // The normalised request: the method and every option with its default filled in.
  static std::string Key(const char* method, std::initializer_list<std::string> args,
                         const engine::RecOptions& o) {
    std::string key = method;
    for (const auto& a : args) key += '\x1f' + a;
    for (const auto& a : {o.within, o.track, std::to_string(o.top), o.scorer,
                          std::string(o.include_known ? "known" : "")}) {
      key += '\x1f' + a;
    }
    return key;
  }

  // Answers from the state's cache when the same normalised request was answered on it before;
  // otherwise computes, converts and keeps the answer. key_of validates the request.
  template <typename Response, typename KeyOf, typename Compute, typename Convert>
  void Cached(Response& out, KeyOf&& key_of, Compute&& compute, Convert&& convert) {
    std::shared_ptr<const Served> served = states_->Current();
    Translate([&] {
      std::string key = key_of();
      if (auto hit = served->cache->Find(key)) {
        out = *std::static_pointer_cast<const Response>(hit);
        return;
      }
      engine::Engine e(served->state);
      convert(compute(e), out);
      served->cache->Put(key, std::make_shared<const Response>(out));
    });
  }

  void Chain(rpc::ChainResponse& out, const rpc::ChainRequest& req, bool gaps_only) {
    json j = Call([&](const engine::Engine& e) {
      return e.Chain(Text(req.region, "region"), OptionalText(req.__isset.track, req.track, "track"),
                     gaps_only, gaps_only ? OptionalText(req.__isset.status, req.status, "status") : "");
    });
    out.region = ToRef(j["region"]);
    SetOptionalRef(j["track"], out, &rpc::ChainResponse::__set_track);
    out.counts = ToCounts(j["counts"]);
    out.completeness = j["completeness"];
    out.weighted_completeness = j["weighted_completeness"];
    for (const auto& sj : j["segments"]) {
      rpc::SegmentGap g;
      g.id = Str(sj, "id");
      g.name = Str(sj, "name");
      g.track = ToRef(sj["track"]);
      g.position = Str(sj, "position");
      g.depth = sj["depth"];
      g.status = Str(sj, "status");
      g.score = sj["score"];
      g.components = ToComponents(sj["components"]);
      g.local_producers = ToRefs(sj["local_producers"]);
      g.producers_elsewhere = sj["producers_elsewhere"];
      g.local_buyers = ToRefs(sj["local_buyers"]);
      g.local_hospitals = ToRefs(sj["local_hospitals"]);
      g.fed_by_local_segments = ToRefs(sj["fed_by_local_segments"]);
      g.location_quotient = sj["location_quotient"];
      SetOptionalDouble(sj["density"], [&](double v) { g.__set_density(v); });
      g.why = sj["why"].get<std::vector<std::string>>();
      out.segments.push_back(std::move(g));
    }
  }

  std::shared_ptr<StateHolder> states_;
  std::string admin_token_;
  std::string version_;
  std::ostream& log_;
  std::chrono::steady_clock::time_point started_;
};

// ---- transport hardening ------------------------------------------------------------------------

std::shared_ptr<at::TConfiguration> Configuration() {
  return std::make_shared<at::TConfiguration>(Limits::kMaxMessageBytes, Limits::kMaxFrameBytes);
}

std::shared_ptr<at::protocol::TProtocolFactory> BinaryProtocolFactory() {
  return std::make_shared<at::protocol::TBinaryProtocolFactory>(
      Limits::kMaxStringBytes, Limits::kMaxContainerItems, /*strict_read=*/true, /*strict_write=*/true);
}

// A request that breaks the protocol (a bad size, a truncated message) ends its connection: the
// socket is shut down, the server sees it close and frees it. Other connections are untouched.
// Counts the requests in progress: from the moment a request's method is read to the moment its
// answer is written (or the call fails), on every port. SIGTERM waits for it to reach zero.
class InFlight : public at::TProcessorEventHandler {
 public:
  void* getContext(const char*, void*) override {
    count_.fetch_add(1);
    return nullptr;
  }
  void freeContext(void*, const char*) override { count_.fetch_sub(1); }
  int count() const { return count_.load(); }
  void Enter() { count_.fetch_add(1); }  // a web request (no Thrift processor)
  void Leave() { count_.fetch_sub(1); }

 private:
  std::atomic<int> count_{0};
};

// What the HTTP port serves besides the Thrift JSON protocol (server/web.h): the API and the
// console's files.
struct WebSite {
  std::shared_ptr<StateHolder> states;
  std::filesystem::path root;  // the console's folder
  std::string cors;            // the one origin whose pages may read the answers; "" for none
};

const char* Reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 204: return "No Content";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    default: return "Internal Server Error";
  }
}

// THttpServer (Thrift's HTTP transport: its request parser, limits and keep-alive) that also
// answers requests other than a Thrift call: it reads the request line itself, so that a GET or an
// OPTIONS is not refused, and answers them with Answer(). Thrift answers carry no
// Access-Control-Allow-Origin unless --cors names an origin.
class WebHttpServer : public at::transport::THttpServer {
 public:
  WebHttpServer(std::shared_ptr<at::transport::TTransport> t, std::shared_ptr<at::TConfiguration> c,
                std::string cors)
      : THttpServer(std::move(t), std::move(c)), cors_(std::move(cors)) {}

  // Waits for the next request and reads its line, headers and body. True for a Thrift call
  // (POST / or POST /thrift), whose body the processor reads next; false for any other request,
  // which Answer() must answer.
  bool NextIsThrift() {
    method_.clear();
    target_.clear();
    readBuffer_.resetBuffer();
    readMoreData();
    std::string path = target_.substr(0, target_.find('?'));
    return method_ == "POST" && (path == "/" || path == "/thrift");
  }
  const std::string& method() const { return method_; }
  const std::string& target() const { return target_; }
  const std::string& cors() const { return cors_; }

  void Answer(int status, const std::string& type, const std::string& body,
              const std::string& extra_headers = "") {
    std::ostringstream h;
    h << "HTTP/1.1 " << status << " " << Reason(status) << "\r\n"
      << "Date: " << getTimeRFC1123() << "\r\n"
      << "Server: chainatlas\r\n"
      << "Content-Type: " << type << "\r\n"
      << "Content-Length: " << (method_ == "HEAD" ? 0 : body.size()) << "\r\n"
      << "X-Content-Type-Options: nosniff\r\n"
      << "Cache-Control: no-cache\r\n"
      << Cors() << extra_headers << "Connection: Keep-Alive\r\n\r\n";
    std::string head = h.str();
    transport_->write(reinterpret_cast<const uint8_t*>(head.data()), static_cast<uint32_t>(head.size()));
    if (method_ != "HEAD" && !body.empty()) {
      transport_->write(reinterpret_cast<const uint8_t*>(body.data()), static_cast<uint32_t>(body.size()));
    }
    transport_->flush();
  }

 protected:
  bool parseStatusLine(char* status) override {
    std::istringstream line(status);
    std::string version;
    line >> method_ >> target_ >> version;
    if (method_.empty() || target_.empty() || version.rfind("HTTP/", 0) != 0) {
      throw at::transport::TTransportException(std::string("Bad request line: ") +
                                               std::string(status).substr(0, 80));
    }
    return true;
  }
  std::string getHeader(uint32_t len) override {
    std::ostringstream h;
    h << "HTTP/1.1 200 OK\r\n"
      << "Date: " << getTimeRFC1123() << "\r\n"
      << "Server: chainatlas\r\n"
      << Cors() << "Content-Type: application/x-thrift\r\n"
      << "Content-Length: " << len << "\r\n"
      << "Connection: Keep-Alive\r\n\r\n";
    return h.str();
  }

 private:
  std::string Cors() const {
    return cors_.empty() ? "" : "Access-Control-Allow-Origin: " + cors_ + "\r\nVary: Origin\r\n";
  }
  std::string cors_, method_, target_;
};

// Answers a request that is not a Thrift call.
void AnswerWeb(const WebSite& site, WebHttpServer& http) {
  const std::string& method = http.method();
  if (method == "OPTIONS") {
    if (http.cors().empty()) {
      http.Answer(405, "text/plain; charset=utf-8", "cross-origin requests are off (serve --cors ORIGIN)\n",
                  "Allow: GET, HEAD, POST\r\n");
    } else {
      http.Answer(204, "text/plain; charset=utf-8", "",
                  "Access-Control-Allow-Methods: GET, HEAD, POST, OPTIONS\r\n"
                  "Access-Control-Allow-Headers: Content-Type\r\n");
    }
    return;
  }
  if (method != "GET" && method != "HEAD") {
    bool post = method == "POST";
    http.Answer(post ? 404 : 405, "text/plain; charset=utf-8",
                post ? "Thrift calls go to POST /thrift\n" : "only GET, HEAD and POST\n",
                post ? "" : "Allow: GET, HEAD, POST\r\n");
    return;
  }
  WebAnswer a;
  try {
    auto [path, query] = SplitTarget(http.target());
    if (path.rfind("/api/v1/", 0) == 0) {
      // Answers up to 256 KiB are kept in the state's cache (--cache), keyed by the command and
      // its options in order: a reload starts an empty one.
      auto served = site.states->Current();
      auto options = ParseQuery(query);
      std::string key = "api " + path;
      for (const auto& [k, v] : options) key += "\n" + k + "=" + v;
      if (auto hit = served->cache->Find(key)) {
        a = *std::static_pointer_cast<const WebAnswer>(hit);
      } else {
        engine::Engine e(served->state);
        a = ApiAnswer(e, path.substr(8), options, Limits::kMaxTextBytes);
        // Small answers only: the cache counts entries, not bytes.
        if (a.status == 200 && a.body.size() <= (256u << 10)) {
          served->cache->Put(key, std::make_shared<const WebAnswer>(a));
        }
      }
    } else {
      a = StaticAnswer(site.root, path);
    }
  } catch (const Error& e) {
    a.status = 400;
    a.body = report::ErrorJson(e).dump(2, ' ', false, json::error_handler_t::replace) + "\n";
  }
  http.Answer(a.status, a.content_type, a.body,
              a.disposition.empty() ? "" : "Content-Disposition: " + a.disposition + "\r\n");
}

class ClosingProcessor : public at::TProcessor {
 public:
  ClosingProcessor(std::shared_ptr<at::TProcessor> inner, std::shared_ptr<at::transport::TTransport> t,
                   const WebSite* site, InFlight* in_flight)
      : inner_(std::move(inner)), transport_(std::move(t)), site_(site), in_flight_(in_flight) {}

  bool process(std::shared_ptr<at::protocol::TProtocol> in, std::shared_ptr<at::protocol::TProtocol> out,
               void* context) override {
    try {
      // On the HTTP port, a request that is not a Thrift call is the web side's.
      auto http = std::dynamic_pointer_cast<WebHttpServer>(in->getTransport());
      if (http && site_ && !http->NextIsThrift()) {
        in_flight_->Enter();
        try {
          AnswerWeb(*site_, *http);
        } catch (...) {
          in_flight_->Leave();
          throw;
        }
        in_flight_->Leave();
        return true;
      }
      return inner_->process(in, out, context);
    } catch (const at::protocol::TProtocolException&) {
      Shutdown();
      throw;
    } catch (const at::transport::TTransportException&) {
      Shutdown();
      throw;
    }
  }

 private:
  void Shutdown() {
    if (auto socket = std::dynamic_pointer_cast<at::transport::TSocket>(transport_)) {
      ::shutdown(socket->getSocketFD(), SHUT_RDWR);
    }
  }
  std::shared_ptr<at::TProcessor> inner_;
  std::shared_ptr<at::transport::TTransport> transport_;
  const WebSite* site_;
  InFlight* in_flight_;
};

class ClosingProcessorFactory : public at::TProcessorFactory {
 public:
  ClosingProcessorFactory(std::shared_ptr<rpc::ChainAtlasIf> handler, WebSite site)
      : handler_(std::move(handler)), in_flight_(std::make_shared<InFlight>()), site_(std::move(site)) {}
  std::shared_ptr<at::TProcessor> getProcessor(const at::TConnectionInfo& info) override {
    auto processor = std::make_shared<rpc::ChainAtlasProcessor>(handler_);
    processor->setEventHandler(in_flight_);
    return std::make_shared<ClosingProcessor>(std::move(processor), info.transport, &site_,
                                              in_flight_.get());
  }
  int in_flight() const { return in_flight_->count(); }

 private:
  std::shared_ptr<rpc::ChainAtlasIf> handler_;
  std::shared_ptr<InFlight> in_flight_;
  WebSite site_;
};

// Bounds what one HTTP request may send and how long it may take: THttpServer grows its buffer for
// a header line or a body as long as bytes come, and a socket timeout only bounds each read (a
// client sending a byte every few seconds would hold its thread forever). Counts the bytes read
// since the last answer went out (THttpServer flushes once per answer) and ends the connection
// beyond the limit; from a request's first byte, the whole request (headers and body) must arrive
// within Limits::kHttpRequestMillis, or the connection is closed.
class BoundedReadTransport : public at::transport::TVirtualTransport<BoundedReadTransport> {
 public:
  BoundedReadTransport(std::shared_ptr<at::transport::TTransport> inner, uint32_t limit)
      : inner_(std::move(inner)), socket_(std::dynamic_pointer_cast<at::transport::TSocket>(inner_)),
        limit_(limit) {}
  bool isOpen() const override { return inner_->isOpen(); }
  bool peek() override { return inner_->peek(); }
  void open() override { inner_->open(); }
  void close() override { inner_->close(); }
  uint32_t read(uint8_t* buf, uint32_t len) {
    if (read_ >= limit_) {
      throw at::transport::TTransportException(at::transport::TTransportException::CORRUPTED_DATA,
                                               "HTTP request larger than the limit");
    }
    if (read_ > 0 && socket_) {
      // Inside a request: wait no longer than what is left of its deadline.
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                      deadline_ - std::chrono::steady_clock::now()).count();
      if (left <= 0) {
        throw at::transport::TTransportException(
            at::transport::TTransportException::TIMED_OUT,
            "HTTP request not complete within " + std::to_string(Limits::kHttpRequestMillis) + " ms");
      }
      socket_->setRecvTimeout(static_cast<int>(std::min<long long>(left, Limits::kHttpIdleMillis)));
    }
    uint32_t got = inner_->read(buf, std::min(len, limit_ - read_));
    if (read_ == 0 && got > 0) {
      deadline_ = std::chrono::steady_clock::now() +
                  std::chrono::milliseconds(Limits::kHttpRequestMillis);
    }
    read_ += got;
    return got;
  }
  void write(const uint8_t* buf, uint32_t len) { inner_->write(buf, len); }
  void flush() override {
    read_ = 0;  // the answer went out: the next read waits (idle) for the next request
    if (socket_) socket_->setRecvTimeout(Limits::kHttpIdleMillis);
    inner_->flush();
  }

 private:
  std::shared_ptr<at::transport::TTransport> inner_;
  std::shared_ptr<at::transport::TSocket> socket_;
  uint32_t limit_;
  uint32_t read_ = 0;
  std::chrono::steady_clock::time_point deadline_;
};
class HttpTransportFactory : public at::transport::TTransportFactory {
 public:
  explicit HttpTransportFactory(std::string cors) : cors_(std::move(cors)) {}
  std::shared_ptr<at::transport::TTransport> getTransport(
      std::shared_ptr<at::transport::TTransport> t) override {
    return std::make_shared<WebHttpServer>(
        std::make_shared<BoundedReadTransport>(t, Limits::kMaxMessageBytes + (64 << 10)),
        Configuration(), cors_);
  }

 private:
  std::string cors_;
};

// Thrift 0.17's TFramedTransport counts the bytes read against the message size limit over the
// whole connection, not per message: a long-lived connection dies after max-message-size bytes.
// This one starts the count again after each message.
class MessageFramedTransport : public at::transport::TFramedTransport {
 public:
  using TFramedTransport::TFramedTransport;
  // A message never runs past its frame: a truncated message inside a complete frame would
  // otherwise wait for another frame, holding its thread for as long as the client likes.
  uint32_t readSlow(uint8_t* buf, uint32_t len) override {
    if (in_message_ && static_cast<uint32_t>(rBound_ - rBase_) < len) {
      throw at::transport::TTransportException(at::transport::TTransportException::CORRUPTED_DATA,
                                               "a message longer than its frame");
    }
    in_message_ = true;
    return TFramedTransport::readSlow(buf, len);
  }
  uint32_t readEnd() override {
    in_message_ = false;
    uint32_t bytes = TFramedTransport::readEnd();
    resetConsumedMessageSize();
    return bytes;
  }

 private:
  bool in_message_ = false;
};

class FramedTransportFactory : public at::transport::TTransportFactory {
 public:
  std::shared_ptr<at::transport::TTransport> getTransport(
      std::shared_ptr<at::transport::TTransport> t) override {
    return std::make_shared<MessageFramedTransport>(t, Configuration());
  }
};

// Prints the `listening:` line once the server has bound its port. The binary and HTTP servers
// start on two threads: each line is written whole, under one lock, so the two never interleave
// (a garbled line left a caller waiting for it, and the threaded model's test hanging).
class ReadyAnnouncer : public at::server::TServerEventHandler {
 public:
  ReadyAnnouncer(std::ostream& out, std::string what, std::string host, std::function<int()> port)
      : out_(out), what_(std::move(what)), host_(std::move(host)), port_(std::move(port)) {}
  void preServe() override {
    const std::string line = "listening: " + what_ + " " + host_ + ":" + std::to_string(port_()) + "\n";
    static std::mutex lock;
    std::lock_guard<std::mutex> hold(lock);
    out_ << line << std::flush;
  }

 private:
  std::ostream& out_;
  std::string what_, host_;
  std::function<int()> port_;
};

void RaiseFileLimit() {
  rlimit rl{};
  if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < rl.rlim_max) {
    rl.rlim_cur = rl.rlim_max;
    setrlimit(RLIMIT_NOFILE, &rl);
  }
}

}  // namespace

// ---- serving ------------------------------------------------------------------------------------

int Serve(const ServeOptions& o, std::ostream& log) {
  if (o.model != "nonblocking" && o.model != "threaded") {
    throw Error(ErrorCode::kInvalidArgument, "--model must be nonblocking or threaded");
  }
  int threads = o.threads > 0 ? o.threads : static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  RaiseFileLimit();
  auto states = std::make_shared<StateHolder>(o.database, o.cache_entries);
  auto handler = std::make_shared<Handler>(states, o.admin_token, o.version, log);
  auto processors =
      std::make_shared<ClosingProcessorFactory>(handler, WebSite{states, o.web_root, o.cors});

  // Signals go to one thread that waits for them; every other thread blocks them.
  sigset_t signals;
  sigemptyset(&signals);
  sigaddset(&signals, SIGINT);
  sigaddset(&signals, SIGTERM);
  sigaddset(&signals, SIGHUP);
  pthread_sigmask(SIG_BLOCK, &signals, nullptr);

  std::shared_ptr<at::server::TServer> binary;
  std::shared_ptr<at::server::TNonblockingServer> nonblocking;
  std::shared_ptr<FairThreadManager> workers;
  if (o.model == "nonblocking") {
    // libevent reads and writes every connection; a request, once whole, goes to the worker pool.
    // An idle or slow connection holds no worker, so no client waits for another's connection.
    // The pool's queue is fair across connections (server/fair_queue.h): a connection that has
    // used less worker time goes before one that has used more, so a flood of expensive requests
    // on some connections does not queue ahead of a cheap request on another.
    workers = std::make_shared<FairThreadManager>(
        threads, Limits::kQueuedPerConnection, std::chrono::microseconds(Limits::kIdleCreditMicros));
    workers->threadFactory(std::make_shared<at::concurrency::ThreadFactory>());
    workers->start();
    auto socket = std::make_shared<FairServerSocket>(o.host, o.port, workers);
    auto server = std::make_shared<at::server::TNonblockingServer>(processors, BinaryProtocolFactory(),
                                                                   socket, workers);
    server->setMaxFrameSize(Limits::kMaxFrameBytes);
    server->setNumIOThreads(std::max(1, o.io_threads));
    server->setIdleReadBufferLimit(64 << 10);   // a connection gives back a big buffer when idle
    server->setIdleWriteBufferLimit(64 << 10);
    server->setResizeBufferEveryN(1);
    server->setServerEventHandler(std::make_shared<ReadyAnnouncer>(
        std::cout, "binary", o.host, [socket] { return socket->getListenPort(); }));
    binary = nonblocking = server;
  } else {
    auto socket = std::make_shared<at::transport::TServerSocket>(o.host, o.port);
    auto server = std::make_shared<at::server::TThreadedServer>(
        processors, socket, std::make_shared<FramedTransportFactory>(), BinaryProtocolFactory());
    server->setServerEventHandler(std::make_shared<ReadyAnnouncer>(
        std::cout, "binary", o.host, [socket] { return socket->getPort(); }));
    binary = server;
  }

  std::shared_ptr<at::server::TThreadedServer> http;
  std::thread http_thread;
  std::atomic<bool> http_failed{false};
  if (o.http_port >= 0) {
    auto socket = std::make_shared<at::transport::TServerSocket>(o.host, o.http_port);
    socket->setRecvTimeout(Limits::kHttpIdleMillis);
    socket->setSendTimeout(Limits::kHttpIdleMillis);
    http = std::make_shared<at::server::TThreadedServer>(
        processors, socket, std::make_shared<HttpTransportFactory>(o.cors),
        std::make_shared<at::protocol::TJSONProtocolFactory>());
    http->setConcurrentClientLimit(Limits::kHttpClients);
    http->setServerEventHandler(std::make_shared<ReadyAnnouncer>(
        std::cout, "http", o.host, [socket] { return socket->getPort(); }));
    http_thread = std::thread([http, &log, &http_failed] {
      try {
        http->serve();
      } catch (const std::exception& e) {
        log << "chainatlas serve: http: " << e.what() << std::endl;
        http_failed = true;
        kill(getpid(), SIGTERM);  // no half-started service: stop the binary port too
      }
    });
  }

  std::atomic<bool> stopping{false};
  std::thread signal_thread([&] {
    for (;;) {
      int sig = 0;
      if (sigwait(&signals, &sig) != 0) continue;
      if (sig == SIGHUP) {
        try {
          auto r = states->Reload();
          log << "reloaded on SIGHUP: generation " << r.generation << " (" << r.seconds << " s)"
              << std::endl;
        } catch (const std::exception& e) {
          log << "reload on SIGHUP failed, the current data stays: " << e.what() << std::endl;
        }
        continue;
      }
      stopping = true;
      log << "stopping (" << (sig == SIGINT ? "SIGINT" : "SIGTERM") << ")" << std::endl;
      // Stop accepting, then answer every request already received (queued or running) and let
      // the answers go out: until no request has been in progress for kQuiet, for at most
      // Limits::kDrainSeconds. Then close the idle connections.
      // (The threaded servers keep accepting while they drain: ending their accept() closes the
      // pipe that interrupts their connections, which would drop the requests in progress.)
      if (nonblocking) {
        // A connection accepted from now on is closed at once (while any other is open).
        nonblocking->setOverloadAction(at::server::T_OVERLOAD_CLOSE_ON_ACCEPT);
        nonblocking->setMaxConnections(0);
      }
      auto busy = [&] {
        return processors->in_flight() + (nonblocking ? nonblocking->getNumActiveProcessors() : 0);
      };
      const auto deadline =
          std::chrono::steady_clock::now() + std::chrono::seconds(Limits::kDrainSeconds);
      constexpr auto kQuiet = std::chrono::milliseconds(50);
      auto quiet_since = std::chrono::steady_clock::now();
      for (;;) {
        auto now = std::chrono::steady_clock::now();
        if (busy() > 0) quiet_since = now;
        if (now - quiet_since >= kQuiet) break;
        if (now >= deadline) {
          log << "stopping: " << busy() << " requests still in progress after "
              << Limits::kDrainSeconds << " s are dropped" << std::endl;
          break;
        }
        std::this_thread::sleep_for(std::chrono::milliseconds(2));
      }
      binary->stop();
      if (http) http->stop();
      return;
    }
  });

  int rc = 0;
  try {
    binary->serve();
  } catch (const std::exception& e) {
    log << "chainatlas serve: " << e.what() << std::endl;
    rc = 1;
  }
  if (!stopping) kill(getpid(), SIGTERM);  // serve() failed: let the signal thread finish
  signal_thread.join();
  if (http_thread.joinable()) http_thread.join();
  if (workers) workers->stop();  // requests in flight finish before we return
  log << "stopped" << std::endl;
  return http_failed ? 1 : rc;
}

// ---- in memory (fuzzing) ------------------------------------------------------------------------

std::string ProcessRequests(std::shared_ptr<StateHolder> states, const std::string& requests,
                            bool json) {
  static std::ostream discard(nullptr);  // the handler's log: nothing to say without reloads
  auto handler = std::make_shared<Handler>(std::move(states), "", "fuzz", discard);
  rpc::ChainAtlasProcessor processor(handler);
  auto input = std::make_shared<at::transport::TMemoryBuffer>(
      reinterpret_cast<uint8_t*>(const_cast<char*>(requests.data())),
      static_cast<uint32_t>(requests.size()), at::transport::TMemoryBuffer::COPY, Configuration());
  auto output = std::make_shared<at::transport::TMemoryBuffer>(Configuration());
  std::shared_ptr<at::protocol::TProtocol> in, out;
  if (json) {
    in = std::make_shared<at::protocol::TJSONProtocol>(input);
    out = std::make_shared<at::protocol::TJSONProtocol>(output);
    processor.process(in, out, nullptr);
  } else {
    auto framed = std::make_shared<MessageFramedTransport>(input, Configuration());
    in = BinaryProtocolFactory()->getProtocol(framed);
    out = BinaryProtocolFactory()->getProtocol(output);
    for (int i = 0; i < 16 && input->available_read() > 0; ++i) processor.process(in, out, nullptr);
  }
  return output->getBufferAsString();
}

}  // namespace chainatlas::service
