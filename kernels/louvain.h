// Louvain community detection (Blondel et al. 2008) on an undirected weighted graph, and the
// modularity of a partition (Newman's, with a resolution parameter, as igraph computes it).
#pragma once

#include <cstdint>
#include <vector>

#include "kernels/csr.h"

namespace chainatlas::kernels {

struct LouvainOptions {
  double resolution = 1.0;
  uint64_t seed = 1;  // the order in which vertices are visited; same seed, same answer
  int max_levels = 64;
  double min_gain = 1e-7;  // a level that improves modularity by less ends the run
  // Independent runs (different visiting orders, all drawn from `seed`); the one of highest
  // modularity is returned. Louvain's outcome depends on the order, and on graphs with weak
  // structure the runs fall into basins a few percent apart: the best of a few is far more often
  // in the upper one than a single run (bench/RESULTS.md, "Kernels against igraph").
  int restarts = 4;
  int threads = 0;  // threads sharing the restarts; 0: all hardware threads
};

struct LouvainResult {
  // Community of each vertex, numbered 0..communities-1 in order of each community's smallest
  // vertex id.
  std::vector<uint32_t> community;
  uint32_t communities = 0;
  double modularity = 0;
  int levels = 0;
  double seconds = 0;  // the kernel alone
};

// `g` must be symmetric (Symmetrised() makes it so); throws Error(kInvalidArgument) if not, and
// for a resolution ≤ 0, max_levels < 1 or min_gain < 0. A graph without edges leaves every vertex
// alone, with modularity 0.
LouvainResult Louvain(const WeightedCsr& g, const LouvainOptions& options = {});

// Modularity of `community` (one id per vertex, any numbers) on the symmetric graph g; 0 when g
// has no edges. Throws Error(kInvalidArgument) for the wrong number of ids or an asymmetric g.
double Modularity(const WeightedCsr& g, const std::vector<uint32_t>& community,
                  double resolution = 1.0);

}  // namespace chainatlas::kernels
