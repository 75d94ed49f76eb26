#include "server/import_report.h"

#include <iomanip>
#include <map>
#include <ostream>

#include "server/report.h"

namespace chainatlas::report {

json ProblemsJson(const std::vector<ingest::Problem>& problems, Lang lang) {
  json out = json::array();
  for (const auto& p : problems) {
    json params = json::object();
    for (const auto& [name, value] : p.params) params[name] = value;
    out.push_back({{"file", p.file},
                   {"line", p.line},
                   {"code", p.code.empty() ? json(nullptr) : json(p.code)},
                   {"params", params},
                   {"reason", p.Reason(lang)},
                   {"message", p.ToString(lang)}});
  }
  return out;
}

// The part of an import's answer that bundles and ckg share.
json ImportJson(const ingest::ImportReport& r, const std::filesystem::path& path, Lang lang) {
  json j = {{"accepted", r.accepted}, {"database", path.string()},
            {"source", r.source},     {"fingerprint", r.fingerprint},
            {"seconds", r.seconds},   {"problems", ProblemsJson(r.problems, lang)}};
  if (!r.accepted) return j;
  j["import_id"] = r.import_id;
  j["entities"] = {{"inserted", r.nodes_inserted},
                   {"updated", r.nodes_updated},
                   {"unchanged", r.nodes_unchanged}};
  j["relations"] = {{"rows", r.relation_rows},
                    {"inserted", r.edges_inserted},
                    {"updated", r.edges_updated},
                    {"unchanged", r.edges_unchanged}};
  json files = json::array();
  for (const auto& f : r.files)
    files.push_back({{"kind", f.kind}, {"path", f.path}, {"rows", f.rows}});
  j["files"] = files;
  json merges = json::array();
  for (const auto& m : r.merges) {
    merges.push_back({{"file", m.file},
                      {"line", m.line},
                      {"id", m.key},
                      {"merged_into", m.merged_into},
                      {"matched_by", m.matched_by}});
  }
  j["merges"] = merges;
  json amb = json::array();
  for (const auto& a : r.ambiguous) {
    amb.push_back(
        {{"file", a.file}, {"line", a.line}, {"id", a.key}, {"candidates", a.candidates}});
  }
  j["ambiguous_merges"] = amb;
  return j;
}

// Text: the rejection (stderr) or the summary with merges (stdout). Returns the exit code.
int PrintImport(std::ostream& out, std::ostream& err, const ingest::ImportReport& r,
                const std::filesystem::path& path, const std::string& rejected_hint, Lang lang) {
  const bool zh = lang == Lang::kZh;
  const std::string hint = rejected_hint.empty() ? "" : Msg(rejected_hint).Render(lang);
  if (!r.accepted) {
    for (const auto& p : r.problems) err << p.ToString(lang) << "\n";
    if (zh) {
      err << "导入被拒绝：" << r.problems.size() << " 个问题；" << path.string() << " 未作任何改动"
          << hint << "\n";
    } else {
      err << "import rejected: " << r.problems.size() << " problem"
          << (r.problems.size() == 1 ? "" : "s") << "; " << path.string() << " is unchanged" << hint
          << "\n";
    }
    return 1;
  }
  if (zh) {
    out << "已将“" << r.source << "”导入 " << path.string() << "（第 " << r.import_id << " 次导入，"
        << Fixed(r.seconds, 3) << " 秒）\n"
        << "  实体：新增 " << r.nodes_inserted << "，更新 " << r.nodes_updated << "，未变 "
        << r.nodes_unchanged << "\n"
        << "  关系：新增 " << r.edges_inserted << "，更新 " << r.edges_updated << "，未变 "
        << r.edges_unchanged << "（" << r.relation_rows << " 行）\n";
  } else {
    out << "imported '" << r.source << "' into " << path.string() << " (import #" << r.import_id
        << ", " << Fixed(r.seconds, 3) << " s)\n"
        << "  entities:  " << r.nodes_inserted << " inserted, " << r.nodes_updated << " updated, "
        << r.nodes_unchanged << " unchanged\n"
        << "  relations: " << r.edges_inserted << " inserted, " << r.edges_updated << " updated, "
        << r.edges_unchanged << " unchanged (" << r.relation_rows << " rows)\n";
  }
  for (const auto& m : r.merges) {
    if (zh) {
      out << "  已合并：" << m.file << ":" << m.line << " “" << m.key << "” 并入 " << m.merged_into
          << "（依据" << TermText(m.matched_by, lang) << "）\n";
    } else {
      out << "  merged: " << m.file << ":" << m.line << " '" << m.key << "' into " << m.merged_into
          << " (by " << m.matched_by << ")\n";
    }
  }
  for (const auto& a : r.ambiguous) {
    if (zh) {
      out << "  合并有歧义，未合并：" << a.file << ":" << a.line << " “" << a.key << "” 可能是：\n";
    } else {
      out << "  ambiguous merge, kept apart: " << a.file << ":" << a.line << " '" << a.key
          << "' could be:\n";
    }
    for (const auto& cand : a.candidates) out << "      " << cand << "\n";
  }
  return 0;
}

namespace {
// The rule of a quirk line: "rule: what was done".
std::string QuirkRule(const ingest::Problem& q) { return q.reason.substr(0, q.reason.find(':')); }
}  // namespace

int PrintCkg(std::ostream& out, std::ostream& err, const ingest::CkgReport& r,
             const std::filesystem::path& path, bool all_quirks, Lang lang) {
  const bool zh = lang == Lang::kZh;
  if (zh) {
    out << "ChainKnowledgeGraph：读取并检查用时 " << Fixed(r.read_seconds, 3) << " 秒\n";
  } else {
    out << "ChainKnowledgeGraph: read and checked in " << Fixed(r.read_seconds, 3) << " s\n";
  }
  for (const auto& [file, f] : r.files) {
    if (zh) {
      out << "  " << std::left << std::setw(24) << file << std::right << std::setw(7) << f.rows
          << " 行，" << f.records << " 条记录：使用 " << f.used << "，按规则舍弃 " << f.dropped
          << "，有误 " << f.bad << "\n";
    } else {
      out << "  " << std::left << std::setw(24) << file << std::right << std::setw(7) << f.rows
          << " rows, " << f.records << " records: " << f.used << " used, " << f.dropped
          << " dropped by a rule, " << f.bad << " bad\n";
    }
  }
  if (!r.quirk_counts.empty()) {
    out << (zh ? "已处理的数据特例（docs/ckg-import.md；--quirks 列出全部）：\n"
               : "quirks handled (docs/ckg-import.md; --quirks lists every one):\n");
    std::map<std::string, size_t> shown;
    for (const auto& [rule, n] : r.quirk_counts) {
      out << "  " << std::left << std::setw(22) << rule << std::right << std::setw(7) << n << "\n";
      for (const auto& q : r.quirks) {
        if (QuirkRule(q) != rule || (!all_quirks && shown[rule] >= 3)) continue;
        ++shown[rule];
        out << "      " << q.ToString(lang) << "\n";
      }
    }
  }
  const auto& cov = r.coverage;
  if (r.regions > 0 && zh) {
    out << "地区：GB/T 2260 地区 " << r.regions << " 个，其中 " << r.regions_kept
        << " 个已存在且未变\n"
        << "按名称定位了 " << cov.companies << " 家公司中的 " << cov.companies - cov.unknown
        << " 家：省级 " << cov.province << "（其中直辖市 " << cov.municipality << "），市级 "
        << cov.city << "，县级 " << cov.county << "；未知 " << cov.unknown << "（有歧义 "
        << cov.ambiguous << "）；" << cov.by_bracket << " 家依据括号中的地名\n";
  } else if (r.regions > 0) {
    out << "regions: " << r.regions << " GB/T 2260 regions, " << r.regions_kept
        << " already held unchanged\n"
        << "placed " << cov.companies - cov.unknown << " of " << cov.companies
        << " companies by name: province " << cov.province << " (of which municipality "
        << cov.municipality << "), city " << cov.city << ", county " << cov.county << "; unknown "
        << cov.unknown << " (ambiguous " << cov.ambiguous << "); " << cov.by_bracket
        << " by a bracketed place\n";
  } else {
    out << (zh ? "地区：无（未给 --regions）：所有公司的地区都未知\n"
               : "regions: none (no --regions): every company's region is unknown\n");
  }
  const auto& o = r.ontology;
  if (zh) {
    out << "产品本体（docs/ontology.md）：给定产品层面供应 " << o.given_product
        << " 条、行业层面供应 " << o.given_industry << " 条；各角色产品数：";
  } else {
    out << "ontology (docs/ontology.md): given " << o.given_product << " product-level and "
        << o.given_industry << " industry-level supplies; products by role:";
  }
  for (const auto& [role, n] : o.roles) out << " " << role << " " << n;
  out << (zh ? "\n  推导的供应：" : "\n  derived supplies:");
  for (const auto& [rule, n] : o.derived) out << " " << rule << " " << n;
  if (zh) {
    out << "\n  学到的品类对 " << o.learned_pairs << "；舍弃的子产品链接 " << o.detached
        << "（其中 " << o.part_of_parent << " 条成为对上级产品的供应）；" << o.name_parents
        << " 个产品按名称归入其所细分的产品之下\n";
  } else {
    out << "\n  learned head pairs " << o.learned_pairs << "; sub-product links dropped "
        << o.detached << " (" << o.part_of_parent << " became a supply of the parent); "
        << o.name_parents << " products placed under the product their name specialises\n";
  }
  if (!r.skipped.empty()) {
    if (zh) {
      out << "跳过有误的行 " << r.skipped.size() << " 行（--skip-bad-rows）：\n";
    } else {
      out << "skipped " << r.skipped.size() << " bad row" << (r.skipped.size() == 1 ? "" : "s")
          << " (--skip-bad-rows):\n";
    }
    for (const auto& p : r.skipped) out << "  " << p.ToString(lang) << "\n";
  }
  return PrintImport(out, err, r.import, path, r.import.accepted ? "" : "import.skip_hint", lang);
}

json CkgJson(const ingest::CkgReport& r, const std::filesystem::path& path, Lang lang) {
  json j = ImportJson(r.import, path, lang);
  j["format"] = "ckg";
  j["read_seconds"] = r.read_seconds;
  j["skipped"] = ProblemsJson(r.skipped, lang);
  j["quirks"] = ProblemsJson(r.quirks, lang);
  j["quirk_counts"] = r.quirk_counts;
  json files = json::object();
  for (const auto& [file, f] : r.files) {
    files[file] = {{"rows", f.rows},
                   {"records", f.records},
                   {"used", f.used},
                   {"dropped", f.dropped},
                   {"bad", f.bad}};
  }
  j["ckg_files"] = files;
  j["regions"] = {{"imported", r.regions}, {"kept", r.regions_kept}};
  const auto& o = r.ontology;
  j["ontology"] = {{"given_product", o.given_product},
                   {"given_industry", o.given_industry},
                   {"roles", o.roles},
                   {"derived", o.derived},
                   {"learned_pairs", o.learned_pairs},
                   {"detached", o.detached},
                   {"part_of_parent", o.part_of_parent},
                   {"name_parents", o.name_parents}};
  const auto& c = r.coverage;
  j["coverage"] = {
      {"companies", c.companies}, {"province", c.province},         {"city", c.city},
      {"county", c.county},       {"municipality", c.municipality}, {"ambiguous", c.ambiguous},
      {"unknown", c.unknown},     {"by_bracket", c.by_bracket}};
  return j;
}

}  // namespace chainatlas::report
