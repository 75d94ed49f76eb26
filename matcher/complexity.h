// Economic complexity on regions × segments (Hidalgo & Hausmann; the Atlas of Economic
// Complexity), as DOMAIN.md defines it. X_cp is the activity of region c in segment p (enterprise
// count or revenue).
//
//   RCA_cp = (X_cp / Σ_p' X_cp') / (Σ_c' X_c'p / Σ_c'p' X_c'p')   (0 where a row or column is 0)
//   M_cp   = 1 if RCA_cp ≥ threshold (default 1)
//   diversity k_c = Σ_p M_cp, ubiquity k_p = Σ_c M_cp
//   proximity φ_pp' = Σ_c M_cp M_cp' / max(k_p, k_p'), diagonal 0 (0 where both ubiquities are 0)
//   density ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp' (0 where Σ_p' φ_pp' = 0); distance = 1 − ω
//   PCI: the eigenvector of the second-largest eigenvalue of M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p),
//        standardised (mean 0, standard deviation 1, population form); ECI likewise from M̃_cc'.
//        Signs: ECI correlates positively with diversity, PCI is computed with the same
//        orientation (ECI rises with the mean PCI of a region's segments), as py-ecomplexity does.
//   opportunity gain (Atlas of Economic Complexity 2014, Technical Box 5.4), for M_cp = 0:
//        OG_cp = Σ_p' [φ_pp' / Σ_p'' φ_p''p'] (1 − M_cp') PCI_p' − ω_cp PCI_p
//        (complexity.cc derives it and lists the conventions at the edges).
#pragma once

#include <cstddef>
#include <vector>

namespace chainatlas::matcher {

// A dense row-major matrix.
struct Matrix {
  size_t rows = 0, cols = 0;
  std::vector<double> values;
  Matrix() = default;
  Matrix(size_t r, size_t c, double fill = 0) : rows(r), cols(c), values(r * c, fill) {}
  double& at(size_t r, size_t c) { return values[r * cols + c]; }
  double at(size_t r, size_t c) const { return values[r * cols + c]; }
};

struct ComplexityOptions {
  double rca_threshold = 1.0;  // M_cp = 1 if RCA_cp ≥ this; positive and finite
  int threads = 0;             // for the large matrix products; 0: all hardware threads
};

struct Complexity {
  Matrix rca;                     // regions × segments
  Matrix m;                       // regions × segments, 0 or 1
  std::vector<double> diversity;  // per region
  std::vector<double> ubiquity;   // per segment
  Matrix proximity;               // segments × segments, zero diagonal
  Matrix density;                 // regions × segments
  Matrix distance;                // regions × segments, 1 − density
  // Standardised complexity indices, computed on the largest connected component of the
  // region–segment graph of M; NaN outside it, and all NaN when undefined (that component has
  // fewer than two regions or segments, or no simple positive second eigenvalue).
  std::vector<double> pci;  // per segment
  std::vector<double> eci;  // per region
  Matrix opportunity_gain;  // regions × segments; 0 where M = 1, NaN where the PCI is NaN
};

// Throws Error(kInvalidArgument) on a negative or non-finite activity, a value count that is not
// rows × cols, a total activity that overflows, a threshold that is not positive and finite, or a
// negative thread count. PCI and ECI are computed on the largest connected component of the
// region–segment graph of M and are NaN outside it (complexity.cc says why and gives the sign
// convention and the opportunity-gain formula with its source).
Complexity ComputeComplexity(const Matrix& activity, const ComplexityOptions& options = {});

}  // namespace chainatlas::matcher
