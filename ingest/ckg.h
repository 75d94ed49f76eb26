// Importing ChainKnowledgeGraph (liuhuanyong/ChainKnowledgeGraph: A-share listed companies,
// Shenwan 2021 industries, products) as published: eight JSON-lines files in one folder.
//
// Mapping (docs/ckg-import.md has the details and every quirk handled):
//   company.json            → enterprises (id: stock code without exchange suffix), region
//                             inferred from the full name (region_infer.h) when regions_dir is set
//   industry.json + industry_industry.json (上级行业) → the Shenwan tree: level-1 industries are
//                             tracks, levels 2 and 3 segments under them (ids sw.<code>)
//   industry_up.json        → supplies between industry segments (upstream → industry), weight
//                             = count / the industry's largest count
//   company_industry.json   → member_of (enterprise → industry segment)
//   product.json            → segments of one track ckg.product (ids ckg.p.<name>);
//                             product_product.json 产品小类 → part-of (sub-product under product),
//                             上游材料 → supplies (material → product), 下游产品 → supplies
//                             (product → downstream)
//   company_product.json    → produces, weighted by revenue share
// With regions_dir, the GB/T 2260 provinces, cities and counties are imported as regions too.
// Records go through ImportRecords (importer.h): the same checks, merges and all-or-nothing write
// as a bundle.
#pragma once

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ingest/importer.h"

namespace chainatlas::ingest {

struct CkgOptions {
  // GB/T 2260 tables (provinces.csv, cities.csv, areas.csv); empty: regions are left unknown.
  std::filesystem::path regions_dir;
  // false: any bad row rejects the whole import; true: bad rows are skipped, counted and listed.
  bool skip_bad_rows = false;
  ImportOptions import;
};

// How many companies were placed at each level by region inference.
struct RegionCoverage {
  size_t companies = 0;
  size_t province = 0, city = 0, county = 0;
  size_t ambiguous = 0;  // the name's start matched more than one region: left unknown
  size_t unknown = 0;    // nothing matched (includes ambiguous)
  size_t municipality = 0;  // of `province`: 北京, 上海, 天津, 重庆 (province-level, city-precise)
  size_t by_bracket = 0;  // placed by a bracketed place (字号（苏州）) rather than the start
};

// What became of the records of one file. records = used + dropped + bad.
struct CkgFileStats {
  size_t rows = 0;     // non-blank lines
  size_t records = 0;  // what the rows hold: one per row, or per upstream entry (industry_up.json)
  size_t used = 0;     // records that became entities, relations or parent links
  size_t dropped = 0;  // dropped or merged by a documented rule; each is listed in quirks
  size_t bad = 0;      // bad rows: skipped under skip_bad_rows, else they reject the import
};

// What the chain ontology (ingest/ontology.h) made of the vocabulary.
struct OntologyReport {
  std::map<std::string, size_t> roles;    // products per chain role
  std::map<std::string, size_t> derived;  // derived supplies per rule
  size_t detached = 0;        // 产品小类 links dropped because the names contradict them
  size_t part_of_parent = 0;  // ... of which became a supply of the parent
  size_t name_parents = 0;    // products placed under the product their name specialises
  size_t learned_pairs = 0;   // head associations learned from the given relations
  size_t given_product = 0;   // product-level relations of the source
  size_t given_industry = 0;  // industry-level relations of the source
};

struct CkgReport {
  ImportReport import;           // accepted, counts, problems (when rejected)
  std::vector<Problem> skipped;  // rows skipped under skip_bad_rows, `file:line: reason`
  std::vector<Problem> quirks;   // quirks handled by a rule (duplicate codes, weights, ...)
  std::map<std::string, size_t> rows_read;  // per file, rows in the file
  RegionCoverage coverage;

  // Per quirk rule (docs/ckg-import.md names them): how many records it applied to. Rules that
  // touch most rows (code_suffix) are counted here only, with one summary line per file in quirks.
  std::map<std::string, size_t> quirk_counts;
  std::map<std::string, CkgFileStats> files;  // by file name (company.json, ...)
  size_t regions = 0;                         // GB/T 2260 regions in the import
  size_t regions_kept = 0;  // ... left out because the database already holds them unchanged
  double read_seconds = 0;  // reading and checking the files; import.seconds is the rest
  OntologyReport ontology;
};

// Reads the eight files of `dir` and imports them. Bad rows reject the import (every problem in
// import.problems, the database unchanged) unless options.skip_bad_rows; quirks are handled by the
// rules of docs/ckg-import.md and listed either way. Throws Error(kIo) when `dir` or a file cannot
// be read, Error(kInvalidData) when the GB/T 2260 tables are malformed.
CkgReport ImportCkg(Store& store, const std::filesystem::path& dir, const CkgOptions& options);

}  // namespace chainatlas::ingest
