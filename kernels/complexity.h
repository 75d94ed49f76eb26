// Economic complexity on regions × segments (Hidalgo & Hausmann; the Atlas of Economic
// Complexity), with the definitions below. X_cp is the activity of region c in segment p
// (enterprise count or revenue).
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
#include <cstdint>
#include <memory>
#include <mutex>
#include <vector>

namespace chainatlas::kernels {

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

// The same measures kept sparse, for tables too large for dense segments × segments matrices
// (ChainKnowledgeGraph: 26,000 segments with producers at province level, where Mᵀ M alone holds
// 80 million non-zeros). Nothing of size segments² or regions × segments is stored:
//   - activity, RCA and M only for the cells with a positive activity (CSR by region);
//   - proximity is never formed. Every product with Φ is evaluated through ubiquity classes: for
//     a vector w, (Φ w)_p = Σ_{c: M_cp = 1} Σ_j W(c, j) / max(k_p, u_j) − w_p, where u_j are the
//     distinct ubiquities and W(c, j) = Σ_{p' ∈ M_c, k_p' = u_j} w_p' (the last term removes
//     p' = p, since Σ_{c: M_cp = 1} w_p / k_p = w_p: φ_pp = 0). The strength Σ_p' φ_pp' (w = 1),
//     Φ q for the opportunity gain and, per region, M_c Φ (density) cost O(nnz(M) + regions ×
//     classes²) each. Where w is 0/1 the class totals are integers and each segment's sum has
//     one division per class (in long double), so a sum that is 0 is exactly 0 and a density
//     of 1 or 7/8 is exact;
//   - density, distance and opportunity gain are computed one region at a time (RowMeasures);
//   - PCI and ECI as in ComputeComplexity (same component, sign and standardisation), with
//     M̃ on the smaller side accumulated from the sparse M: O(Σ deg²) to build, and a dense
//     eigen-decomposition of size min(regions, segments) of the component.
// Agrees with ComputeComplexity to rounding (tests/complexity_test.cc, complexity_reference.py).
struct ActivityCell {
  uint32_t row = 0, col = 0;
  double value = 0;
};

struct SparseComplexity {
  struct Cell {
    uint32_t col = 0;
    double activity = 0, rca = 0;
    bool m = false;
  };
  size_t rows = 0, cols = 0;
  std::vector<size_t> row_start;  // cells of region c: [row_start[c], row_start[c + 1])
  std::vector<Cell> cells;        // by region, then segment; activity > 0 only
  std::vector<double> diversity;  // per region
  std::vector<double> ubiquity;   // per segment
  std::vector<double> strength;   // per segment: Σ_p' φ_pp'
  std::vector<double> pci;        // per segment, NaN outside the largest component
  std::vector<double> eci;        // per region, likewise

  // M as adjacency lists, ascending: the segments of each region, the regions of each segment.
  std::vector<std::vector<uint32_t>> segments_of, regions_of;
  // Ubiquity classes: distinct positive ubiquities ascending, and each segment's class (−1: 0).
  std::vector<double> class_ubiquity;
  std::vector<int> class_of;
  std::vector<long double> strength_exact;  // the strength before rounding to double
  std::vector<double> q;                    // PCI_p / strength_p, 0 where either is undefined
  std::vector<long double> phi_q;           // Φ q

  double Activity(size_t c, size_t p) const;
  double Rca(size_t c, size_t p) const;
  double M(size_t c, size_t p) const;
  // φ_pp' from M: Σ_c M_cp M_cp' / max(k_p, k_p'), 0 on the diagonal. O(k_p + k_p').
  double Proximity(size_t p, size_t q) const;
  // Density ω (and so distance 1 − ω) and opportunity gain of region c in every segment.
  struct RowMeasures {
    std::vector<double> density, opportunity_gain;
  };
  RowMeasures Row(size_t c) const;
  // Row(c).density alone, bit for bit, in O(Σ_{p' ∈ M_c} k_p' + Σ_{c' sharing a segment with c}
  // |M_c'| × K), K the number of distinct ubiquity classes among c's own segments: the class
  // totals are integers (counted exactly, in integers) and only c's classes are non-zero, so the
  // class sum adds the same terms in the same order as Row's. For callers that need the density
  // of one region and not its opportunity gain (the gap analysis of every query).
  // With at most kCooccurrenceMaxCols segments, the class totals come from a segment
  // co-occurrence table (per pair of segments, the regions that hold both: cols² counts, built on
  // the first call, once, and shared by copies) in O(|M_c| × cols): the same integers.
  std::vector<double> DensityRow(size_t c) const;
  static constexpr size_t kCooccurrenceMaxCols = 2048;
  struct Cooccurrence {
    std::once_flag once;
    std::vector<uint32_t> counts;  // [p * cols + q]
  };
  std::shared_ptr<Cooccurrence> cooccurrence = std::make_shared<Cooccurrence>();
};

// Cells may come in any order; a cell given twice counts its values summed. Throws
// Error(kInvalidArgument) as ComputeComplexity does, and on a cell outside rows × cols.
SparseComplexity ComputeSparseComplexity(size_t rows, size_t cols, std::vector<ActivityCell> cells,
                                         const ComplexityOptions& options = {});
// The dense matrix's positive cells.
SparseComplexity ComputeSparseComplexity(const Matrix& activity,
                                         const ComplexityOptions& options = {});
// Every measure as dense matrices, to compare with ComputeComplexity (tests; small tables only).
Complexity Densify(const SparseComplexity& sparse);

// Throws Error(kInvalidArgument) on a negative or non-finite activity, a value count that is not
// rows × cols, a total activity that overflows, a threshold that is not positive and finite, or a
// negative thread count. PCI and ECI are computed on the largest connected component of the
// region–segment graph of M and are NaN outside it (complexity.cc says why and gives the sign
// convention and the opportunity-gain formula with its source).
Complexity ComputeComplexity(const Matrix& activity, const ComplexityOptions& options = {});

}  // namespace chainatlas::kernels
