#include "server/handler.h"

#include <chrono>
#include <cmath>
#include <functional>
#include <sstream>

#include "graph/error.h"
#include "server/limits.h"
#include "server/rpc_answers.h"

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

bool IsCachedMethod(std::string_view method) {
  for (std::string_view name : kCachedMethodNames) {
    if (name == method) return true;
  }
  return false;
}

namespace {

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
    Answer(out, [&](const engine::Engine& e) {
      engine::StatsRequest r;
      r.region = OptionalText(req.__isset.region, req.region, "region");
      return e.Stats(r);
    });
  }

  void search(rpc::SearchResponse& out, const rpc::SearchRequest& req) override {
    Answer(out, [&](const engine::Engine& e) {
      engine::SearchRequest r;
      r.text = Text(req.text, "text");
      r.kind = OptionalText(req.__isset.kind, req.kind, "kind");
      if (req.__isset.limit) r.limit = req.limit;
      return e.Search(r);
    });
  }

  void show(rpc::ShowResponse& out, const rpc::ShowRequest& req) override {
    Answer(out, [&](const engine::Engine& e) {
      engine::ShowRequest r;
      r.entity = Text(req.entity, "entity");
      return e.Show(r);
    });
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
        out, CachedMethod::kPartners,
        [&] {
          r.enterprise = Text(req.enterprise, "enterprise");
          if (req.__isset.role) r.role = Text(req.role, "role");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key({r.enterprise, r.role}, r.options);
        },
        [&](const engine::Engine& e) { return e.Partners(r); });
  }

  void pairings(rpc::PairingsResponse& out, const rpc::PairingsRequest& req) override {
    engine::PairingsRequest r;
    Cached(
        out, CachedMethod::kPairings,
        [&] {
          r.enterprise = Text(req.enterprise, "enterprise");
          if (req.__isset.kind) r.kind = Text(req.kind, "kind");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key({r.enterprise, r.kind}, r.options);
        },
        [&](const engine::Engine& e) { return e.Pairings(r); });
  }

  void targets(rpc::TargetsResponse& out, const rpc::TargetsRequest& req) override {
    engine::TargetsRequest r;
    Cached(
        out, CachedMethod::kTargets,
        [&] {
          r.region = Text(req.region, "region");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key({r.region}, r.options);
        },
        [&](const engine::Engine& e) { return e.Targets(r); });
  }

  void relatedness(rpc::RelatednessResponse& out, const rpc::RelatednessRequest& req) override {
    Answer(out, [&](const engine::Engine& e) {
      engine::RelatednessRequest r;
      r.level = OptionalText(req.__isset.level, req.level, "level");
      r.track = OptionalText(req.__isset.track, req.track, "track");
      r.region = OptionalText(req.__isset.region, req.region, "region");
      if (req.__isset.top) r.top = req.top;
      return e.Relatedness(r);
    });
  }

  void leaders(rpc::LeadersResponse& out, const rpc::LeadersRequest& req) override {
    engine::LeadersRequest r;
    Cached(
        out, CachedMethod::kLeaders,
        [&] {
          r.region = OptionalText(req.__isset.region, req.region, "region");
          // The options' track, top and scorer (leaders has no within or include_known).
          engine::RecOptions o = ToRecOptions(req.__isset.options, req.options);
          r.track = o.track;
          r.top = o.top;
          r.scorer = o.scorer;
          r.Validate();
          return Key({r.region, r.track, std::to_string(r.top), r.scorer});
        },
        [&](const engine::Engine& e) { return e.Leaders(r); });
  }

  void recommend(rpc::RecommendResponse& out, const rpc::RecommendRequest& req) override {
    engine::RecommendRequest r;
    Cached(
        out, CachedMethod::kRecommend,
        [&] {
          r.recommender = Text(req.recommender, "recommender");
          r.subject = OptionalText(req.__isset.subject, req.subject, "subject");
          r.options = ToRecOptions(req.__isset.options, req.options);
          r.Validate();
          return Key({r.recommender, r.subject}, r.options);
        },
        [&](const engine::Engine& e) { return e.Recommend(r); });
  }

  void clusters(rpc::ClustersResponse& out, const rpc::ClustersRequest& req) override {
    Answer(out, [&](const engine::Engine& e) {
      engine::ClustersRequest r;
      r.region = OptionalText(req.__isset.region, req.region, "region");
      if (req.__isset.seed) r.seed = static_cast<uint64_t>(req.seed);
      return e.Clusters(r);
    });
  }

  void indicators(rpc::IndicatorsResponse& out, const rpc::IndicatorsRequest& req) override {
    Answer(out, [&](const engine::Engine& e) {
      engine::IndicatorsRequest r;
      r.region = Text(req.region, "region");
      for (const auto& t : req.targets) {
        r.targets.push_back({Text(t.indicator, "indicator"), t.target,
                             t.__isset.note ? Text(t.note, "note") : std::string()});
      }
      return e.Indicators(r);
    });
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

  // Runs f on an engine over the current state and fills `out` from its answer.
  template <typename Response, typename F>
  void Answer(Response& out, F&& f) {
    engine::Engine e(states_->Current()->state);
    Translate([&] { Fill(e.snapshot(), f(e), out); });
  }

  // The normalised request's arguments: every option with its default filled in (Cached puts the
  // method's name in front).
  static std::string Key(std::initializer_list<std::string> args) {
    std::string key;
    for (const auto& a : args) key += '\x1f' + a;
    return key;
  }
  static std::string Key(std::initializer_list<std::string> args, const engine::RecOptions& o) {
    std::string key = Key(args);
    for (const auto& a : {o.within, o.track, std::to_string(o.top), o.scorer,
                          std::string(o.include_known ? "known" : "")}) {
      key += '\x1f' + a;
    }
    return key;
  }

  // Answers from the state's cache when the same normalised request was answered on it before;
  // otherwise computes, converts and keeps the answer. key_of validates the request.
  template <typename Response, typename KeyOf, typename Compute>
  void Cached(Response& out, CachedMethod method, KeyOf&& key_of, Compute&& compute) {
    std::shared_ptr<const Served> served = states_->Current();
    Translate([&] {
      std::string key(Name(method));
      key += key_of();
      if (auto hit = served->cache->Find(key)) {
        out = *std::static_pointer_cast<const Response>(hit);
        return;
      }
      engine::Engine e(served->state);
      Fill(e.snapshot(), compute(e), out);
      served->cache->Put(key, std::make_shared<const Response>(out));
    });
  }

  void Chain(rpc::ChainResponse& out, const rpc::ChainRequest& req, bool gaps_only) {
    Answer(out, [&](const engine::Engine& e) {
      engine::ChainRequest r;
      r.region = Text(req.region, "region");
      r.track = OptionalText(req.__isset.track, req.track, "track");
      r.gaps_only = gaps_only;
      if (gaps_only) r.status = OptionalText(req.__isset.status, req.status, "status");
      return e.Chain(r);
    });
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
