#include "server/handler.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>

#include "graph/error.h"
#include "server/limits.h"
#include "server/report.h"

namespace chainatlas::service {

namespace at = ::apache::thrift;
using json = nlohmann::json;

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

std::map<std::string, int64_t> ToCounts(const json& j) {
  return j.get<std::map<std::string, int64_t>>();
}

// ---- requests -----------------------------------------------------------------------------------

[[noreturn]] void Invalid(const std::string& message) {
  throw Error(ErrorCode::kInvalidArgument, message);
}

// A text argument, bounded.
const std::string& Text(const std::string& value, const char* what) {
  if (value.size() > Limits::kMaxTextBytes) {
    Invalid(std::string(what) + ": longer than " + std::to_string(Limits::kMaxTextBytes) +
            " bytes");
  }
  return value;
}

template <typename T>
std::string OptionalText(const T& isset_flag, const std::string& value, const char* what,
                         std::string fallback = "") {
  return isset_flag ? Text(value, what) : fallback;
}

// The request's options over the defaults of engine::RecOptions; the engine validates them.
engine::RecOptions ToRecOptions(bool isset, const rpc::RecOptions& r) {
  engine::RecOptions o;
  if (!isset) return o;
  o.within = OptionalText(r.__isset.within, r.within, "within");
  o.track = OptionalText(r.__isset.track, r.track, "track");
  if (r.__isset.top) o.top = r.top;
  if (r.__isset.scorer) o.scorer = Text(r.scorer, "scorer");
  if (r.__isset.include_known) o.include_known = r.include_known;
  return o;
}

// ---- the handler --------------------------------------------------------------------------------

class Handler : public rpc::ChainAtlasIf {
 public:
  Handler(std::shared_ptr<StateHolder> states, std::string admin_token, std::string version,
          std::ostream& log)
      : states_(std::move(states)),
        admin_token_(std::move(admin_token)),
        version_(std::move(version)),
        log_(log),
        started_(std::chrono::steady_clock::now()) {}

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
      engine::StatsRequest r;
      r.region = OptionalText(req.__isset.region, req.region, "region");
      return e.Stats(r);
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
      engine::SearchRequest r;
      r.text = Text(req.text, "text");
      r.kind = OptionalText(req.__isset.kind, req.kind, "kind");
      if (req.__isset.limit) r.limit = req.limit;
      return e.Search(r);
    });
    out.query = Str(j, "query");
    for (const auto& n : j["results"]) out.results.push_back(ToNode(n));
  }

  void show(rpc::ShowResponse& out, const rpc::ShowRequest& req) override {
    json j = Call([&](const engine::Engine& e) {
      engine::ShowRequest r;
      r.entity = Text(req.entity, "entity");
      return e.Show(r);
    });
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

  void chain(rpc::ChainResponse& out, const rpc::ChainRequest& req) override {
    Chain(out, req, false);
  }
  void gaps(rpc::ChainResponse& out, const rpc::ChainRequest& req) override {
    Chain(out, req, true);
  }

  void partners(rpc::PartnersResponse& out, const rpc::PartnersRequest& req) override {
    engine::PartnersRequest r;
    Cached(
        out,
        [&] {
          r.enterprise = Text(req.enterprise, "enterprise");
          if (req.__isset.role) r.role = Text(req.role, "role");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key("partners", {r.enterprise, r.role}, r.options);
        },
        [&](const engine::Engine& e) { return e.Partners(r); },
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
    engine::PairingsRequest r;
    Cached(
        out,
        [&] {
          r.enterprise = Text(req.enterprise, "enterprise");
          if (req.__isset.kind) r.kind = Text(req.kind, "kind");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key("pairings", {r.enterprise, r.kind}, r.options);
        },
        [&](const engine::Engine& e) { return e.Pairings(r); },
        [](const json& j, rpc::PairingsResponse& r) {
          r.enterprise = ToRef(j["enterprise"]);
          r.kind = Str(j, "kind");
          r.scorer = Str(j, "scorer");
          r.candidates = j["candidates"];
          r.items = ToItems(j["items"]);
        });
  }

  void targets(rpc::TargetsResponse& out, const rpc::TargetsRequest& req) override {
    engine::TargetsRequest r;
    Cached(
        out,
        [&] {
          r.region = Text(req.region, "region");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key("targets", {r.region}, r.options);
        },
        [&](const engine::Engine& e) { return e.Targets(r); },
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
      engine::RelatednessRequest r;
      r.level = OptionalText(req.__isset.level, req.level, "level");
      r.track = OptionalText(req.__isset.track, req.track, "track");
      r.region = OptionalText(req.__isset.region, req.region, "region");
      if (req.__isset.top) r.top = req.top;
      return e.Relatedness(r);
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
    engine::LeadersRequest r;
    Cached(
        out,
        [&] {
          r.region = OptionalText(req.__isset.region, req.region, "region");
          // The options' track, top and scorer (leaders has no within or include_known).
          engine::RecOptions o = ToRecOptions(req.__isset.options, req.options);
          r.track = o.track;
          r.top = o.top;
          r.scorer = o.scorer;
          r.Validate();
          return Key("leaders", {r.region, r.track, std::to_string(r.top), r.scorer});
        },
        [&](const engine::Engine& e) { return e.Leaders(r); },
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
      engine::ClustersRequest r;
      r.region = OptionalText(req.__isset.region, req.region, "region");
      if (req.__isset.seed) r.seed = static_cast<uint64_t>(req.seed);
      return e.Clusters(r);
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
      engine::IndicatorsRequest r;
      r.region = Text(req.region, "region");
      for (const auto& t : req.targets) {
        r.targets.push_back({Text(t.indicator, "indicator"), t.target,
                             t.__isset.note ? Text(t.note, "note") : std::string()});
      }
      return e.Indicators(r);
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
  static std::string Key(const char* method, std::initializer_list<std::string> args) {
    std::string key = method;
    for (const auto& a : args) key += '\x1f' + a;
    return key;
  }
  static std::string Key(const char* method, std::initializer_list<std::string> args,
                         const engine::RecOptions& o) {
    std::string key = Key(method, args);
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
      engine::ChainRequest r;
      r.region = Text(req.region, "region");
      r.track = OptionalText(req.__isset.track, req.track, "track");
      r.gaps_only = gaps_only;
      if (gaps_only) r.status = OptionalText(req.__isset.status, req.status, "status");
      return e.Chain(r);
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

}  // namespace

std::shared_ptr<rpc::ChainAtlasIf> MakeHandler(std::shared_ptr<StateHolder> states,
                                               std::string admin_token, std::string version,
                                               std::ostream& log) {
  return std::make_shared<Handler>(std::move(states), std::move(admin_token), std::move(version),
                                   log);
}

}  // namespace chainatlas::service
