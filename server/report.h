// The answers of the read commands (server/answers.h) as JSON (the CLI's --json and the JSON API;
// the Thrift service carries the same fields, server/rpc_answers.h) and as text for a terminal.
#pragma once

#include <iosfwd>
#include <nlohmann/json.hpp>
#include <string>

#include "graph/error.h"
#include "graph/messages.h"
#include "matcher/gaps.h"
#include "matcher/indicators.h"
#include "matcher/leaders.h"
#include "matcher/pairings.h"
#include "matcher/partners.h"
#include "matcher/relatedness.h"
#include "matcher/targets.h"
#include "server/answers.h"

namespace chainatlas::report {

using json = nlohmann::json;

// v with `digits` decimals (fixed notation), as every text rendering prints numbers.
std::string Fixed(double v, int digits = 3);

// The error document every front end prints: {"error": {code, message, suggestions}}, and for a
// message of the table (graph/messages.h) its code and parameters: "message_code", "params".
// The message in English, or in `lang`.
json ErrorJson(const Error& e);
json ErrorJson(const Error& e, Lang lang);
json Ref(const Snapshot& s, VertexId v);  // {"id": "kind:key", "name": ...}
std::string RefText(const json& ref);     // "kind:key name" of a Ref

// The pieces of an item both renderings share (this JSON, server/rpc_answers.cc):
std::vector<std::string> PathTexts(const Snapshot& s, const matcher::Item& item);
struct EvidenceNames {
  std::string kind, rule, tier;
};
EvidenceNames EvidenceOf(const matcher::Item& item);  // item.has_evidence only

// What relatedness's `activity` counts, in words.
extern const char* const kRelatednessActivity;

// The answers' documents: what the CLI prints with --json and the JSON API answers.
json ToJson(const Snapshot& s, const engine::StatsAnswer& a);
json ToJson(const Snapshot& s, const engine::SearchAnswer& a);
json ToJson(const Snapshot& s, const engine::ShowAnswer& a);
json ToJson(const Snapshot& s, const engine::ChainAnswer& a);
json ToJson(const Snapshot& s, const engine::PartnersAnswer& a);
json ToJson(const Snapshot& s, const engine::PairingsAnswer& a);
json ToJson(const Snapshot& s, const engine::TargetsAnswer& a);
json ToJson(const Snapshot& s, const engine::LeadersAnswer& a);
json ToJson(const Snapshot& s, const engine::RecommendAnswer& a);
// The registry of recommenders (matcher/registry.h): name, command, variant, subject, measures.
json RecommendersJson();
json ToJson(const Snapshot& s, const engine::RelatednessAnswer& a);
json ToJson(const Snapshot& s, const engine::ClustersAnswer& a);
json ToJson(const Snapshot& s, const engine::IndicatorsAnswer& a);
// A node's attributes (ingest::NodeJson) with its note, as `show` gives it.
json NodeJson(const Snapshot& s, VertexId v, const std::string& note = "");

// A score component's name (fit, proximity, …) in Chinese; unknown names as they are.
std::string ComponentNameZh(const std::string& name);

// Text renderings of the JSON above.
// zh: the header, notices, component names and the reasons' label in Chinese.
void PrintItems(std::ostream& out, const json& result, const std::string& title, bool zh = false);
// The page of a recommender's document (partners, pairings, targets, leaders, recommend): its
// items under the command's own title, in `lang`.
enum class ItemsPage { kPartners, kPairings, kTargets, kLeaders, kRecommend };
void PrintRecommendation(std::ostream& out, const json& doc, ItemsPage page, Lang lang);
// recommend --list: one line per recommender of RecommendersJson().
void PrintRecommenders(std::ostream& out, const json& list, Lang lang);
// tree: the panorama (every segment, in tree order); otherwise the gap view, which leaves out
// strong and absent segments unless every_status (a --status filter chose them). zh: statuses,
// positions and headings in Chinese (缺链/弱链/强链/延链, 上/中/下).
void PrintGaps(std::ostream& out, const json& gaps, bool tree, bool every_status = false,
               bool zh = false);
// The texts below are in `lang`: English (the default) or Chinese (headings, labels, kind names;
// the data's own names, ids and codes as they are).
void PrintClusters(std::ostream& out, const json& clusters, Lang lang = Lang::kEn);
void PrintIndicators(std::ostream& out, const json& indicators, Lang lang = Lang::kEn);
void PrintRelatedness(std::ostream& out, const json& relatedness, Lang lang = Lang::kEn);
// stats: counts per kind, supplies by evidence, regions (indented by depth) and tracks.
void PrintStats(std::ostream& out, const Snapshot& s, const json& stats, Lang lang = Lang::kEn);
// show: the node's attributes, region path, provenance and relations (15 per kind unless all).
void PrintShow(std::ostream& out, const json& show, bool all, Lang lang = Lang::kEn);

// An indicator's name (enterprises, patents, …) and a node attribute's name (uscc, founded, …) in
// Chinese; unknown names as they are.
std::string IndicatorNameZh(const std::string& name);
std::string AttributeNameZh(const std::string& name);

}  // namespace chainatlas::report
