#include "server/import_report.h"

#include <iomanip>
#include <map>
#include <ostream>

#include "server/report.h"

namespace chainatlas::report {

json ProblemsJson(const std::vector<ingest::Problem>& problems) {
  json out = json::array();
  for (const auto& p : problems) {
    out.push_back({{"file", p.file}, {"line", p.line}, {"reason", p.reason}, {"message", p.ToString()}});
  }
  return out;
}

// The part of an import's answer that bundles and ckg share.
json ImportJson(const ingest::ImportReport& r, const std::filesystem::path& path) {
  json j = {{"accepted", r.accepted}, {"database", path.string()}, {"source", r.source},
            {"fingerprint", r.fingerprint}, {"seconds", r.seconds}, {"problems", ProblemsJson(r.problems)}};
  if (!r.accepted) return j;
  j["import_id"] = r.import_id;
  j["entities"] = {{"inserted", r.nodes_inserted}, {"updated", r.nodes_updated},
                   {"unchanged", r.nodes_unchanged}};
  j["relations"] = {{"rows", r.relation_rows}, {"inserted", r.edges_inserted},
                    {"updated", r.edges_updated}, {"unchanged", r.edges_unchanged}};
  json files = json::array();
  for (const auto& f : r.files) files.push_back({{"kind", f.kind}, {"path", f.path}, {"rows", f.rows}});
  j["files"] = files;
  json merges = json::array();
  for (const auto& m : r.merges) {
    merges.push_back({{"file", m.file}, {"line", m.line}, {"id", m.key},
                      {"merged_into", m.merged_into}, {"matched_by", m.matched_by}});
  }
  j["merges"] = merges;
  json amb = json::array();
  for (const auto& a : r.ambiguous) {
    amb.push_back({{"file", a.file}, {"line", a.line}, {"id", a.key}, {"candidates", a.candidates}});
  }
  j["ambiguous_merges"] = amb;
  return j;
}

// Text: the rejection (stderr) or the summary with merges (stdout). Returns the exit code.
int PrintImport(std::ostream& out, std::ostream& err, const ingest::ImportReport& r,
                const std::filesystem::path& path, const std::string& rejected_hint) {
  if (!r.accepted) {
    for (const auto& p : r.problems) err << p.ToString() << "\n";
    err << "import rejected: " << r.problems.size() << " problem"
              << (r.problems.size() == 1 ? "" : "s") << "; " << path.string()
              << " is unchanged" << rejected_hint << "\n";
    return 1;
  }
  out << "imported '" << r.source << "' into " << path.string() << " (import #"
            << r.import_id << ", " << Fixed(r.seconds, 3) << " s)\n"
            << "  entities:  " << r.nodes_inserted << " inserted, " << r.nodes_updated
            << " updated, " << r.nodes_unchanged << " unchanged\n"
            << "  relations: " << r.edges_inserted << " inserted, " << r.edges_updated
            << " updated, " << r.edges_unchanged << " unchanged (" << r.relation_rows
            << " rows)\n";
  for (const auto& m : r.merges) {
    out << "  merged: " << m.file << ":" << m.line << " '" << m.key << "' into "
              << m.merged_into << " (by " << m.matched_by << ")\n";
  }
  for (const auto& a : r.ambiguous) {
    out << "  ambiguous merge, kept apart: " << a.file << ":" << a.line << " '" << a.key
              << "' could be:\n";
    for (const auto& cand : a.candidates) out << "      " << cand << "\n";
  }
  return 0;
}

namespace {
// The rule of a quirk line: "rule: what was done".
std::string QuirkRule(const ingest::Problem& q) { return q.reason.substr(0, q.reason.find(':')); }
}  // namespace

int PrintCkg(std::ostream& out, std::ostream& err, const ingest::CkgReport& r,
             const std::filesystem::path& path, bool all_quirks) {
  out << "ChainKnowledgeGraph: read and checked in " << Fixed(r.read_seconds, 3) << " s\n";
  for (const auto& [file, f] : r.files) {
    out << "  " << std::left << std::setw(24) << file << std::right << std::setw(7) << f.rows
              << " rows, " << f.records << " records: " << f.used << " used, " << f.dropped
              << " dropped by a rule, " << f.bad << " bad\n";
  }
  if (!r.quirk_counts.empty()) {
    out << "quirks handled (docs/ckg-import.md; --quirks lists every one):\n";
    std::map<std::string, size_t> shown;
    for (const auto& [rule, n] : r.quirk_counts) {
      out << "  " << std::left << std::setw(22) << rule << std::right << std::setw(7) << n << "\n";
      for (const auto& q : r.quirks) {
        if (QuirkRule(q) != rule || (!all_quirks && shown[rule] >= 3)) continue;
        ++shown[rule];
        out << "      " << q.ToString() << "\n";
      }
    }
  }
  const auto& cov = r.coverage;
  if (r.regions > 0) {
    out << "regions: " << r.regions << " GB/T 2260 regions, " << r.regions_kept
              << " already held unchanged\n"
              << "placed " << cov.companies - cov.unknown << " of " << cov.companies
              << " companies by name: province " << cov.province << " (of which municipality "
              << cov.municipality << "), city " << cov.city << ", county " << cov.county
              << "; unknown " << cov.unknown << " (ambiguous " << cov.ambiguous << "); "
              << cov.by_bracket << " by a bracketed place\n";
  } else {
    out << "regions: none (no --regions): every company's region is unknown\n";
  }
  const auto& o = r.ontology;
  out << "ontology (docs/ontology.md): given " << o.given_product << " product-level and "
            << o.given_industry << " industry-level supplies; products by role:";
  for (const auto& [role, n] : o.roles) out << " " << role << " " << n;
  out << "\n  derived supplies:";
  for (const auto& [rule, n] : o.derived) out << " " << rule << " " << n;
  out << "\n  learned head pairs " << o.learned_pairs << "; sub-product links dropped "
            << o.detached << " (" << o.part_of_parent << " became a supply of the parent); "
            << o.name_parents << " products placed under the product their name specialises\n";
  if (!r.skipped.empty()) {
    out << "skipped " << r.skipped.size() << " bad row" << (r.skipped.size() == 1 ? "" : "s")
              << " (--skip-bad-rows):\n";
    for (const auto& p : r.skipped) out << "  " << p.ToString() << "\n";
  }
  return PrintImport(out, err, r.import, path, r.import.accepted ? "" : " (--skip-bad-rows imports the rest)");
}

json CkgJson(const ingest::CkgReport& r, const std::filesystem::path& path) {
  json j = ImportJson(r.import, path);
  j["format"] = "ckg";
  j["read_seconds"] = r.read_seconds;
  j["skipped"] = ProblemsJson(r.skipped);
  j["quirks"] = ProblemsJson(r.quirks);
  j["quirk_counts"] = r.quirk_counts;
  json files = json::object();
  for (const auto& [file, f] : r.files) {
    files[file] = {{"rows", f.rows}, {"records", f.records}, {"used", f.used},
                   {"dropped", f.dropped}, {"bad", f.bad}};
  }
  j["ckg_files"] = files;
  j["regions"] = {{"imported", r.regions}, {"kept", r.regions_kept}};
  const auto& o = r.ontology;
  j["ontology"] = {{"given_product", o.given_product}, {"given_industry", o.given_industry},
                   {"roles", o.roles}, {"derived", o.derived}, {"learned_pairs", o.learned_pairs},
                   {"detached", o.detached}, {"part_of_parent", o.part_of_parent},
                   {"name_parents", o.name_parents}};
  const auto& c = r.coverage;
  j["coverage"] = {{"companies", c.companies}, {"province", c.province}, {"city", c.city},
                   {"county", c.county}, {"municipality", c.municipality},
                   {"ambiguous", c.ambiguous}, {"unknown", c.unknown}, {"by_bracket", c.by_bracket}};
  return j;
}

}  // namespace chainatlas::report
