// The answers of the read commands as JSON (the CLI's --json; the Thrift service carries the same
// fields) and as text for a terminal. One function per result type of matcher/.
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
json ItemJson(const Snapshot& s, const matcher::Item& item, size_t rank);

json PartnersJson(const Snapshot& s, const matcher::PartnersResult& r, const std::string& scorer);
json PairingsJson(const Snapshot& s, const matcher::PairingsResult& r, const std::string& scorer);
json GapsJson(const Snapshot& s, const matcher::GapAnalysis& g);
json TargetsJson(const Snapshot& s, const matcher::TargetsResult& r, const std::string& scorer);
json LeadersJson(const Snapshot& s, const matcher::LeadersResult& r, const std::string& scorer);
json ClustersJson(const Snapshot& s, const matcher::ClustersResult& r, size_t members_shown);
json IndicatorsJson(const Snapshot& s, const matcher::IndicatorsResult& r);
// Region filter: only that region's row (kNoVertex: every region); top: segments per region
// (by density among those the region lacks), 0 for all.
json RelatednessJson(const Snapshot& s, const matcher::RelatednessTable& t, VertexId region,
                     size_t top);

// A score component's name (fit, proximity, …) in Chinese; unknown names as they are.
std::string ComponentNameZh(const std::string& name);

// Text renderings of the JSON above.
// zh: the header, notices, component names and the reasons' label in Chinese.
void PrintItems(std::ostream& out, const json& result, const std::string& title, bool zh = false);
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
