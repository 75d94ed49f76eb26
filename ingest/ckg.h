// Importing ChainKnowledgeGraph (liuhuanyong/ChainKnowledgeGraph: A-share listed companies,
// Shenwan 2021 industries, products) as published: eight JSON-lines files in one folder.
//
// Mapping (docs/ckg-import.md has the details and every quirk handled):
//   company.json            → enterprises (id: stock code without exchange suffix), region
//                             inferred from the full name (region_infer.h) when regions_dir is set
//   industry.json + industry_industry.json (上级行业) → the Shenwan tree: level-1 industries are
//                             tracks, levels 2 and 3 segments under them
//   industry_up.json        → supplies between industry segments (upstream → industry), weighted
//   company_industry.json   → member_of (enterprise → industry segment)
//   product.json            → segments of one products track; product_product.json 产品小类 →
//                             part-of (sub-product under product), 上游材料 → supplies
//                             (material → product), 下游产品 → supplies (product → downstream)
//   company_product.json    → produces, weighted by revenue share
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
};

struct CkgReport {
  ImportReport import;              // accepted, counts, problems (when rejected)
  std::vector<Problem> skipped;     // rows skipped under skip_bad_rows, `file:line: reason`
  std::vector<Problem> quirks;      // quirks handled and kept (duplicate codes, suffixes, ...)
  std::map<std::string, size_t> rows_read;  // per file, rows in the file
  RegionCoverage coverage;
};

// Throws Error(kIo) when a file cannot be read.
CkgReport ImportCkg(Store& store, const std::filesystem::path& dir, const CkgOptions& options);

}  // namespace chainatlas::ingest
