#include "matcher/indicators.h"

#include <cmath>
#include <cstdint>
#include <fstream>
#include <map>
#include <set>
#include <string_view>

#include "graph/error.h"
#include "graph/utf8.h"
#include "graph/region_tree.h"

namespace chainatlas::matcher {
namespace {

struct Spec {
  const char* name;
  const char* description;
  const char* unit;  // the unit plans write (家, 万元, 个, 件, 人, 项)
};
constexpr Spec kSpecs[] = {
    {"enterprises", "enterprises", "家"},
    {"above_scale_enterprises", "above-designated-size enterprises (规上)", "家"},
    {"above_scale_revenue", "revenue of above-scale enterprises, 万元 (规上产值)", "万元"},
    {"enterprises_over_100m", "enterprises with revenue of 100 million yuan or more (亿元以上企业)",
     "家"},
    {"employees", "employees of the enterprises (从业人数)", "人"},
    {"high_tech_enterprises", "high-tech enterprises (高新技术企业)", "家"},
    {"specialised_enterprises", "specialised and sophisticated enterprises (专精特新)", "家"},
    {"little_giants", "little giants (专精特新小巨人)", "家"},
    {"listed_enterprises", "listed enterprises", "家"},
    {"chain_leaders", "declared chain leaders (链主)", "家"},
    {"class3_certificates", "class III registration certificates (三类注册证)", "个"},
    {"class2_certificates", "class II registration certificates (二类注册证)", "个"},
    {"patents", "patents (专利)", "件"},
    {"cooperation_ties", "industry-academia-medicine cooperation ties (产学研医合作)", "项"},
    {"hospitals", "hospitals", "家"},
    {"institutions", "universities and institutes", "家"},
    {"platforms", "service platforms", "家"},
};
// 1 亿元 in the unit revenue is kept in (万元).
constexpr double kHundredMillionYuan = 10000;

std::vector<std::string> SplitCsvLine(const std::string& line) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (size_t i = 0; i < line.size(); ++i) {
    char c = line[i];
    if (quoted) {
      if (c == '"' && i + 1 < line.size() && line[i + 1] == '"') {
        cur += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        cur += c;
      }
    } else if (c == '"') {
      quoted = true;
    } else if (c == ',') {
      out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  out.push_back(cur);
  for (auto& f : out) {
    size_t b = f.find_first_not_of(" \t"), e = f.find_last_not_of(" \t\r");
    f = b == std::string::npos ? "" : f.substr(b, e - b + 1);
  }
  return out;
}

}  // namespace

const std::vector<std::string>& IndicatorNames() {
  static const std::vector<std::string> names = [] {
    std::vector<std::string> n;
    for (const Spec& s : kSpecs) n.push_back(s.name);
    return n;
  }();
  return names;
}

std::vector<Target> ReadTargets(const std::filesystem::path& file) {
  std::ifstream in(file);
  if (!in) throw Error(ErrorCode::kIo, Msg("plan.cannot_read", {{"file", file.string()}}));
  // A problem of a line: the code of its reason and the reason's parameters.
  auto fail = [&](size_t line, const char* code, MessageParams params = {}) {
    params.insert(params.begin(),
                  {{"file", file.string()}, {"line", std::to_string(line)}, {"reason", code}});
    throw Error(ErrorCode::kInvalidData, Msg("plan.line", std::move(params)));
  };
  std::vector<Target> out;
  std::set<std::string> seen;
  std::string line;
  size_t n = 0;
  bool header = false;
  while (std::getline(in, line)) {
    ++n;
    if (n == 1 && line.rfind("\xEF\xBB\xBF", 0) == 0) line = line.substr(3);
    // Names and notes end up in messages and the --json output, which must be UTF-8.
    if (!IsValidUtf8(line)) fail(n, "plan.not_utf8");
    auto fields = SplitCsvLine(line);
    if (fields.size() == 1 && fields[0].empty()) continue;
    if (!fields[0].empty() && fields[0][0] == '#') continue;
    if (!header) {
      if (fields.size() < 2 || fields[0] != "indicator" || fields[1] != "target") {
        fail(n, "plan.header");
      }
      header = true;
      continue;
    }
    if (fields.size() < 2 || fields.size() > 3) fail(n, "plan.fields");
    const auto& names = IndicatorNames();
    if (std::find(names.begin(), names.end(), fields[0]) == names.end()) {
      std::string list;
      for (const auto& x : names) list += (list.empty() ? "" : ", ") + x;
      fail(n, "plan.unknown", {{"indicator", fields[0]}, {"list", list}});
    }
    if (!seen.insert(fields[0]).second) fail(n, "plan.twice", {{"indicator", fields[0]}});
    char* end = nullptr;
    double t = std::strtod(fields[1].c_str(), &end);
    // `end` must reach the field's end: a NUL byte inside it does not end the number.
    if (fields[1].empty() || end != fields[1].c_str() + fields[1].size() || !std::isfinite(t) ||
        t < 0) {
      fail(n, "plan.not_number", {{"target", fields[1]}});
    }
    out.push_back({fields[0], t, fields.size() > 2 ? fields[2] : ""});
  }
  if (!header) fail(n, "plan.empty");
  return out;
}

IndicatorsResult ComputeIndicators(const Snapshot& s, VertexId region,
                                   const std::vector<Target>& targets) {
  if (s.Kind(region) != NodeKind::kRegion) {
    throw Error(ErrorCode::kInvalidArgument, Msg("matcher.not_region", {{"id", s.Label(region)}}));
  }
  const RegionTree& rt = s.regions();
  std::map<std::string, Indicator> by;
  for (const Spec& sp : kSpecs) {
    Indicator& i = by[sp.name];
    i.name = sp.name;
    i.description = sp.description;
    i.unit = sp.unit;
  }
  auto count = [&](const char* name) { by[name].value += 1; };
  auto sum = [&](const char* name, double v, bool known) {
    Indicator& i = by[name];
    i.summed = true;
    i.population++;
    if (known) {
      i.reported++;
      i.value += v;
    }
  };
  std::set<std::pair<VertexId, VertexId>> ties;
  for (VertexId v : rt.MembersWithin(region)) {
    switch (s.Kind(v)) {
      case NodeKind::kEnterprise: {
        const EnterpriseAttributes& e = s.Enterprise(v);
        count("enterprises");
        if (e.above_scale == 1) {
          count("above_scale_enterprises");
          sum("above_scale_revenue", e.revenue, !std::isnan(e.revenue));
        }
        if (!std::isnan(e.revenue) && e.revenue >= kHundredMillionYuan)
          count("enterprises_over_100m");
        sum("employees", e.employees, e.employees >= 0);
        if (e.HasTag(EnterpriseTag::kHighTech)) count("high_tech_enterprises");
        if (e.HasTag(EnterpriseTag::kSpecialised) || e.HasTag(EnterpriseTag::kLittleGiant)) {
          count("specialised_enterprises");
        }
        if (e.HasTag(EnterpriseTag::kLittleGiant)) count("little_giants");
        if (e.HasTag(EnterpriseTag::kListed)) count("listed_enterprises");
        if (e.HasTag(EnterpriseTag::kChainLeader)) count("chain_leaders");
        sum("class3_certificates", e.class3_certs, e.class3_certs >= 0);
        sum("class2_certificates", e.class2_certs, e.class2_certs >= 0);
        sum("patents", e.patents, e.patents >= 0);
        for (auto range : {s.Out(v, EdgeKind::kCooperates), s.In(v, EdgeKind::kCooperates)}) {
          for (VertexId x : range.Vertices()) {
            NodeKind k = s.Kind(x);
            if (k == NodeKind::kHospital || k == NodeKind::kInstitution ||
                k == NodeKind::kPlatform) {
              ties.insert({v, x});
            }
          }
        }
        break;
      }
      case NodeKind::kHospital: count("hospitals"); break;
      case NodeKind::kInstitution: count("institutions"); break;
      case NodeKind::kPlatform: count("platforms"); break;
      default: break;
    }
  }
  by["cooperation_ties"].value = static_cast<double>(ties.size());
  if (by["above_scale_revenue"].population == 0) by["above_scale_revenue"].summed = true;
  for (const Target& t : targets) {
    by[t.indicator].target = t.target;
    by[t.indicator].note = t.note;
  }
  IndicatorsResult r;
  r.region = region;
  for (const Spec& sp : kSpecs) r.indicators.push_back(by[sp.name]);
  return r;
}

}  // namespace chainatlas::matcher
