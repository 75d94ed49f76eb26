// Reads a region × segment activity matrix as CSV on stdin (one region per line, numbers only) and
// prints every measure of ComputeComplexity as one JSON object; NaN is printed as null. With
// --sparse the measures come from ComputeSparseComplexity (densified), and --no-proximity leaves
// the segments × segments matrix out (for large tables).
//
//   complexity_tool [--threshold T] [--sparse] [--no-proximity] < matrix.csv
//
// Exit status: 0 on success, 1 when ComputeComplexity rejects the input, 2 on bad usage or CSV.
#include <cmath>
#include <cstdlib>
#include <iostream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>

#include "graph/error.h"
#include "kernels/complexity.h"

using chainatlas::kernels::Matrix;
using nlohmann::json;

namespace {

json Number(double x) { return std::isfinite(x) ? json(x) : json(nullptr); }

json Vector(const std::vector<double>& v) {
  json out = json::array();
  for (double x : v) out.push_back(Number(x));
  return out;
}

json Rows(const Matrix& m) {
  json out = json::array();
  for (size_t r = 0; r < m.rows; ++r) {
    json row = json::array();
    for (size_t c = 0; c < m.cols; ++c) row.push_back(Number(m.at(r, c)));
    out.push_back(std::move(row));
  }
  return out;
}

// Throws std::runtime_error with the line number on a malformed line.
Matrix ReadCsv(std::istream& in) {
  Matrix m;
  std::string line;
  size_t line_number = 0;
  while (std::getline(in, line)) {
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    std::vector<double> row;
    std::stringstream fields(line);
    std::string field;
    while (std::getline(fields, field, ',')) {
      char* end = nullptr;
      double x = std::strtod(field.c_str(), &end);
      while (end && (*end == ' ' || *end == '\t')) ++end;
      if (end == field.c_str() || *end != '\0') {
        throw std::runtime_error("line " + std::to_string(line_number) + ": not a number: '" +
                                 field + "'");
      }
      row.push_back(x);
    }
    if (!line.empty() && line.back() == ',') {
      throw std::runtime_error("line " + std::to_string(line_number) + ": empty last field");
    }
    if (m.rows > 0 && row.size() != m.cols) {
      throw std::runtime_error("line " + std::to_string(line_number) + ": " +
                               std::to_string(row.size()) + " fields, expected " +
                               std::to_string(m.cols));
    }
    m.cols = row.size();
    m.rows += 1;
    m.values.insert(m.values.end(), row.begin(), row.end());
  }
  return m;
}

}  // namespace

int main(int argc, char** argv) {
  chainatlas::kernels::ComplexityOptions options;
  bool sparse = false, proximity = true;
  for (int i = 1; i < argc; ++i) {
    std::string arg = argv[i];
    if (arg == "--sparse") {
      sparse = true;
    } else if (arg == "--no-proximity") {
      proximity = false;
    } else if (arg == "--threshold" && i + 1 < argc) {
      char* end = nullptr;
      options.rca_threshold = std::strtod(argv[++i], &end);
      if (*end != '\0') {
        std::cerr << "complexity_tool: --threshold needs a number\n";
        return 2;
      }
    } else {
      std::cerr
          << "usage: complexity_tool [--threshold T] [--sparse] [--no-proximity] < matrix.csv\n";
      return 2;
    }
  }
  Matrix activity;
  try {
    activity = ReadCsv(std::cin);
  } catch (const std::runtime_error& e) {
    std::cerr << "complexity_tool: " << e.what() << "\n";
    return 2;
  }
  try {
    auto result = sparse ? chainatlas::kernels::Densify(
                               chainatlas::kernels::ComputeSparseComplexity(activity, options))
                         : chainatlas::kernels::ComputeComplexity(activity, options);
    json out = {{"rca", Rows(result.rca)},
                {"m", Rows(result.m)},
                {"diversity", Vector(result.diversity)},
                {"ubiquity", Vector(result.ubiquity)},
                {"proximity", proximity ? Rows(result.proximity) : json(nullptr)},
                {"density", Rows(result.density)},
                {"distance", Rows(result.distance)},
                {"pci", Vector(result.pci)},
                {"eci", Vector(result.eci)},
                {"opportunity_gain", Rows(result.opportunity_gain)}};
    std::cout << out.dump() << "\n";
  } catch (const chainatlas::Error& e) {
    std::cerr << "complexity_tool: " << chainatlas::ErrorCodeName(e.code()) << ": " << e.what()
              << "\n";
    return 1;
  }
  return 0;
}
