// chainatlas-load-bench --db FILE [--repeat R]
//
// Opens the store read-only, times Store::LoadSnapshot() R times (steady_clock) and prints one
// JSON object: edges, vertices, best and median seconds, edges per second (from the best run),
// adjacency bytes and bytes per edge, and the process's peak resident set size.
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <exception>
#include <iostream>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "ingest/store.h"

namespace {

int Usage(const char* argv0) {
  std::cerr << "usage: " << argv0 << " --db FILE [--repeat R]\n";
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string db;
  int repeat = 5;
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    if (a == "--db" && i + 1 < argc) {
      db = argv[++i];
    } else if (a == "--repeat" && i + 1 < argc) {
      repeat = std::atoi(argv[++i]);
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
      auto snapshot = store.LoadSnapshot();
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
    const double median = sorted.size() % 2 ? sorted[sorted.size() / 2]
                                            : (sorted[sorted.size() / 2 - 1] + sorted[sorted.size() / 2]) / 2;
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    nlohmann::json j = {
        {"db", db},
        {"repeat", repeat},
        {"edges", edges},
        {"vertices", vertices},
        {"seconds_best", best},
        {"seconds_median", median},
        {"seconds_all", seconds},
        {"edges_per_second", best > 0 ? static_cast<double>(edges) / best : 0.0},
        {"edges_per_second_median", median > 0 ? static_cast<double>(edges) / median : 0.0},
        {"adjacency_bytes", adjacency},
        {"bytes_per_edge", edges ? static_cast<double>(adjacency) / static_cast<double>(edges) : 0.0},
        {"peak_rss_kb", static_cast<int64_t>(ru.ru_maxrss)},
    };
    std::cout << j.dump(2) << "\n";
    return 0;
  } catch (const std::exception& e) {
    std::cerr << "chainatlas-load-bench: " << e.what() << "\n";
    return 1;
  }
}
