// Helpers for tests that work on copies of fixture bundles in a temporary folder.
#pragma once

#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "ingest/bundle.h"

namespace chainatlas::testing {

// A fresh, empty temporary folder, removed when the object goes away.
class TempDir {
 public:
  TempDir() {
    std::random_device rd;
    path_ = std::filesystem::temp_directory_path() /
            ("chainatlas_test_" + std::to_string(rd()) + std::to_string(rd()));
    std::filesystem::create_directories(path_);
  }
  ~TempDir() { std::filesystem::remove_all(path_); }
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& p) const { return path_ / p; }

 private:
  std::filesystem::path path_;
};

inline std::string ReadText(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

inline void WriteText(const std::filesystem::path& p, const std::string& text) {
  std::ofstream out(p, std::ios::binary | std::ios::trunc);
  out << text;
}

// Copies fixture bundle `name` into dir/name and returns its path.
inline std::filesystem::path CopyFixture(const std::string& name, const TempDir& dir) {
  std::filesystem::path to = dir / name;
  std::filesystem::copy(std::filesystem::path(FIXTURES_DIR) / name, to,
                        std::filesystem::copy_options::recursive);
  return to;
}

// Problems as "file:line: reason" with the file's folder stripped, for comparing with fixtures
// copied to a temporary folder.
inline std::vector<std::string> ShortProblems(const std::vector<ingest::Problem>& problems) {
  std::vector<std::string> out;
  for (const auto& p : problems) {
    ingest::Problem q = p;
    q.file = std::filesystem::path(p.file).filename().string();
    out.push_back(q.ToString());
  }
  return out;
}

// True when some problem starts with `prefix` ("file:line") and mentions `words`.
inline bool HasProblem(const std::vector<std::string>& problems, const std::string& prefix,
                       const std::string& words) {
  for (const auto& p : problems) {
    if (p.rfind(prefix, 0) == 0 && p.find(words) != std::string::npos) return true;
  }
  return false;
}

}  // namespace chainatlas::testing
