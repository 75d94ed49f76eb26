// chainatlas-load-bench --db FILE [--repeat R] [--rows]
//
// Opens the store read-only, times Store::LoadSnapshot() R times (steady_clock; with --rows from
// the edge rows even when the import wrote a packed adjacency; "packed" tells which) and prints one
// JSON object: edges, vertices, best and median seconds, edges per second (from the best run),
// adjacency bytes and bytes per edge, and the process's peak resident set size. As a floor it
// also times a bare SQLite scan of the four edge columns LoadSnapshot reads (scan_*): no load can
// beat what SQLite needs just to step through the edges table.
#include <sqlite3.h>
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <stdexcept>
#include <string>
#include <vector>

#include "ingest/store.h"

namespace {

// Seconds for one bare scan of SELECT src, kind, dst, weight FROM edges, reading every column.
double ScanEdges(const std::string& path, size_t* rows) {
  sqlite3* db = nullptr;
  if (sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) != SQLITE_OK) {
    sqlite3_close(db);
    throw std::runtime_error(path + ": cannot open for the scan floor");
  }
  sqlite3_stmt* st = nullptr;
  sqlite3_prepare_v2(db, "SELECT src, kind, dst, weight FROM edges", -1, &st, nullptr);
  auto t0 = std::chrono::steady_clock::now();
  size_t n = 0;
  int64_t sum = 0;
  double wsum = 0;
  while (sqlite3_step(st) == SQLITE_ROW) {
    sum += sqlite3_column_int64(st, 0) + sqlite3_column_int64(st, 1) + sqlite3_column_int64(st, 2);
    wsum += sqlite3_column_double(st, 3);
    ++n;
  }
  auto t1 = std::chrono::steady_clock::now();
  sqlite3_finalize(st);
  sqlite3_close(db);
  if (sum == 42 && wsum == 42) std::cerr << "";  // keep the reads
  *rows = n;
  return std::chrono::duration<double>(t1 - t0).count();
}

int Usage(const char* argv0) {
  std::cerr << "usage: " << argv0 << " --db FILE [--repeat R] [--rows]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  int repeat = 5;
  bool rows = false;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) {
      db = argv[++i];
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
    } else if (a == "--rows") {
      rows = true;
    } else if (a == "-h" || a == "--help") {
      Usage(argv[0]);
      return 0;
    } else {
      return Usage(argv[0]);
    }
  }
  if (db.empty() || repeat < 1) return Usage(argv[0]);

  try {
    chainatlas::ingest::Store store(db, /*read_only=*/true);
    std::vector<double> seconds;
    size_t edges = 0, vertices = 0, adjacency = 0;
    for (int r = 0; r < repeat; ++r) {
      auto t0 = std::chrono::steady_clock::now();
      auto snapshot = store.LoadSnapshot(rows ? chainatlas::ingest::Store::LoadPath::kRows
                                              : chainatlas::ingest::Store::LoadPath::kAuto);
      auto t1 = std::chrono::steady_clock::now();
      seconds.push_back(std::chrono::duration<double>(t1 - t0).count());
      edges = snapshot->NumEdges();
      vertices = snapshot->NumVertices();
      adjacency = snapshot->AdjacencyBytes();
      // The snapshot is freed here, outside the timed region.
    }
    std::vector<double> sorted = seconds;
    std::sort(sorted.begin(), sorted.end());
    const double best = sorted.front();
    const double median = sorted.size() % 2
                              ? sorted[sorted.size() / 2]
                              : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
    std::vector<double> scans;
    size_t scan_rows = 0;
    for (int r = 0; r < repeat; ++r) scans.push_back(ScanEdges(db, &scan_rows));
    std::sort(scans.begin(), scans.end());
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    nlohmann::json j = {
        {"db", db},
        {"repeat", repeat},
        {"packed", store.LastLoadPacked()},
        {"edges", edges},
        {"vertices", vertices},
        {"seconds_best", best},
        {"seconds_median", median},
        {"seconds_all", seconds},
        {"edges_per_second", best > 0 ? static_cast<double>(edges) / best : 0.0},
        {"edges_per_second_median", median > 0 ? static_cast<double>(edges) / median : 0.0},
        {"adjacency_bytes", adjacency},
        {"bytes_per_edge",
         edges ? static_cast<double>(adjacency) / static_cast<double>(edges) : 0.0},
        {"peak_rss_kb", static_cast<int64_t>(ru.ru_maxrss)},
        {"scan_rows", scan_rows},
        {"scan_seconds_best", scans.front()},
        {"scan_rows_per_second",
         scans.front() > 0 ? static_cast<double>(scan_rows) / scans.front() : 0.0},
    };
    std::cout << j.dump(2) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chainatlas-load-bench: " << e.what() << "\n";
    return 1;
  }
}
