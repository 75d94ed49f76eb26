// The plan indicators of a region (the seeds' target tables), computed from the snapshot, and
// their progress against targets read from a file.
//
// Indicators (counts of enterprises in the region or below unless said otherwise):
//   enterprises, above_scale_enterprises (规上), above_scale_revenue (万元, summed where known),
//   high_tech_enterprises (高新技术企业), specialised_enterprises (专精特新, little giants
//   included), little_giants (小巨人), listed_enterprises, chain_leaders (链主),
//   class3_certificates and class2_certificates (注册证, summed), patents (summed),
//   cooperation_ties (distinct pairs of a local enterprise and a hospital, institution or platform
//   that cooperate, 产学研医), hospitals, institutions, platforms.
// A summed indicator also says how many enterprises report it: an unknown count is not a zero.
//
// Targets file: CSV, UTF-8, a header `indicator,target` (an optional third column `note`), one
// indicator a line; `#` starts a comment line. data/targets/ holds examples from the seeds.
#pragma once

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

#include "graph/snapshot.h"

namespace chainatlas::matcher {

struct Indicator {
  std::string name;
  std::string description;
  std::string unit;  // 家, 万元, 个, 件, 人, 项
  double value = 0;
  size_t reported = 0, population = 0;  // summed indicators: enterprises reporting / all
  bool summed = false;
  std::optional<double> target;
  std::string note;  // from the targets file
  double progress() const { return target && *target > 0 ? value / *target : 0; }
};

struct IndicatorsResult {
  VertexId region = kNoVertex;
  std::vector<Indicator> indicators;
};

// The indicator names, in output order.
const std::vector<std::string>& IndicatorNames();

struct Target {
  std::string indicator;
  double target = 0;
  std::string note;
};
// Throws Error(kIo) when the file cannot be read, Error(kInvalidData) with `file:line: reason`
// for a bad line (unknown indicator, bad number, repeated indicator, missing header).
std::vector<Target> ReadTargets(const std::filesystem::path& file);

IndicatorsResult ComputeIndicators(const Snapshot& s, VertexId region,
                                   const std::vector<Target>& targets = {});

}  // namespace chainatlas::matcher
