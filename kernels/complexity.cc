// Relatedness and economic complexity of regions × segments.
//
// Sources:
//   Hidalgo, Klinger, Barabási & Hausmann (2007), "The product space conditions the development
//     of nations", Science 317: proximity (the smaller of two conditional probabilities), density.
//   Hidalgo & Hausmann (2009), "The building blocks of economic complexity", PNAS 106, and
//   Hausmann, Hidalgo et al. (2014), "The Atlas of Economic Complexity", MIT Press:
//     Technical Box 2.1 (ECI and PCI as eigenvectors) and Technical Box 5.4 (distance,
//     opportunity value, opportunity gain).
//
// With X_cp ≥ 0 the activity of region c in segment p:
//   RCA_cp = (X_cp / Σ_p' X_cp') / (Σ_c' X_c'p / Σ_c'p' X_c'p'), 0 where its row or column sums
//            to 0. Evaluated in this order (two shares, then their ratio), as py-ecomplexity does:
//            for count data an RCA that is exactly 1 in real arithmetic is then exactly 1.0.
//   M_cp   = 1 if RCA_cp ≥ threshold (no tolerance).
//   k_c    = Σ_p M_cp (diversity), k_p = Σ_c M_cp (ubiquity).
//   φ_pp'  = Σ_c M_cp M_cp' / max(k_p, k_p') for p ≠ p'; φ_pp = 0; 0 where max(k_p, k_p') = 0.
//            (A non-zero diagonal would count a segment as related to itself, inflating density.)
//   ω_cp   = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp', 0 where Σ_p' φ_pp' = 0;  d_cp = 1 − ω_cp.
//
// PCI and ECI (Technical Box 2.1): M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p) = (D_p⁻¹ Mᵀ D_c⁻¹ M)_pp'
// has largest eigenvalue 1 (constant eigenvector); PCI is the eigenvector of the second-largest
// eigenvalue λ₂, standardised to mean 0 and population standard deviation 1 (ddof 0, as numpy and
// py-ecomplexity); ECI likewise from M̃_cc' = (D_c⁻¹ M D_p⁻¹ Mᵀ)_cc'. M̃ is not symmetric but is
// similar to the symmetric positive semi-definite B = D^½ M̃ D^-½, so we take the eigenvalues of
// B on the smaller side with a self-adjoint solver, its eigenvector w for λ₂ by inverse iteration,
// and map back, v = D^-½ w. The other side's vector, u = D_c⁻¹ M v (or v = D_p⁻¹ Mᵀ u), is an
// eigenvector of the other M̃ for the same λ₂ > 0, so both come out with one orientation.
//
// Sign: ECI correlates positively with diversity (Pearson); PCI takes the same orientation, so ECI
// is an increasing affine function of the mean PCI of a region's segments. That is
// py-ecomplexity's convention (the sign of corr(diversity, M/k_c · eigenvector) applied to both).
// Where diversity is constant, PCI correlates negatively with ubiquity; where both are constant,
// the largest |ECI| (lowest index on ties) is positive.
//
// Where PCI and ECI are defined: on the largest connected component of the region–segment graph
// of M (most regions plus segments; ties to the component holding the lowest region index). With
// several components the eigenvalue 1 repeats and "the second eigenvector" is an arbitrary mix of
// component indicators. Outside that component they are NaN, and everywhere when it has fewer than
// 2 regions or 2 segments or λ₂ is not simple and positive (λ₁ − λ₂, λ₂ − λ₃ or λ₂ ≤ 1e-9).
// Two differences from py-ecomplexity: it standardises PCI with ECI's mean and deviation (a Stata
// legacy), we with PCI's own; and it does not restrict to a component.
//
// Opportunity gain (Atlas of Economic Complexity, Technical Box 5.4):
//   opportunity value  OV_c  = Σ_p (1 − d_cp)(1 − M_cp) PCI_p
//   opportunity gain   OG_cp = Σ_p' [φ_pp' / Σ_p'' φ_p''p'] (1 − M_cp') PCI_p' − (1 − d_cp) PCI_p
// for a segment p that c does not yet specialise in (M_cp = 0), with the standardised PCI. It is
// exactly the change in OV_c when c gains p (M_cp 0 → 1, PCI held fixed): every ω_cp' rises by
// φ_p'p / Σ_p'' φ_p'p'' (φ is symmetric) and p's own term ω_cp PCI_p leaves the sum; φ_pp = 0
// keeps p' = p out of the first sum. OG_cp = 0 where M_cp = 1 (nothing to gain; py-ecomplexity
// and the Growth Lab's Stata code zero these too) and NaN where PCI_p is undefined; terms p' with
// an undefined PCI or Σ_p'' φ_p''p' = 0 contribute 0 (their proximities to p are 0 anyway).
// py-ecomplexity's "COG" and the Stata code in use drop the second term (the Stata source keeps
// the full Box 5.4 form commented out); we keep it, which makes OG the gain it is named for.
#include "kernels/complexity.h"

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <algorithm>
#include <optional>
#include <cmath>
#include <future>
#include <limits>
#include <string>
#include <thread>

#include "graph/error.h"

namespace chainatlas::kernels {
namespace {

template <class Scalar>
using RowMatrixOf = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
using RowMatrix = RowMatrixOf<double>;
// The results are computed in place, in the storage of the returned Matrix objects.
using View = Eigen::Map<RowMatrix>;
using ConstView = Eigen::Map<const RowMatrix>;
using ConstRef = Eigen::Ref<const RowMatrix>;
using Eigen::Index;
using Eigen::VectorXd;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
// Eigenvalues of M̃ lie in [0, 1]; closer than this counts as equal (eigenvector not unique).
constexpr double kEigenGap = 1e-9;
// Below this many multiply-adds a product runs on the calling thread alone.
constexpr double kParallelWork = 1 << 22;

View ViewOf(Matrix& m) {
  return View(m.values.data(), static_cast<Index>(m.rows), static_cast<Index>(m.cols));
}

std::vector<double> ToVector(const VectorXd& v) { return std::vector<double>(v.begin(), v.end()); }

void ValidateInput(const Matrix& activity, const ComplexityOptions& options) {
  if (!std::isfinite(options.rca_threshold) || options.rca_threshold <= 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "complexity: the RCA threshold must be a positive finite number");
  }
  if (options.threads < 0) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the thread count must be ≥ 0");
  }
  if (activity.values.size() != activity.rows * activity.cols) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the activity matrix holds " +
                                                 std::to_string(activity.values.size()) +
                                                 " values, not " + std::to_string(activity.rows) +
                                                 " × " + std::to_string(activity.cols));
  }
  for (size_t i = 0; i < activity.values.size(); ++i) {
    double x = activity.values[i];
    if (!std::isfinite(x) || x < 0) {
      throw Error(ErrorCode::kInvalidArgument,
                  "complexity: the activity of region " + std::to_string(i / activity.cols) +
                      " in segment " + std::to_string(i % activity.cols) +
                      " is negative or not finite");
    }
  }
}

// Runs work(begin, end) on contiguous blocks of [0, n), block i starting at i·BlockSize(n,
// threads); rethrows the first exception of any block.
Index BlockSize(Index n, int threads) { return std::max<Index>(1, (n + threads - 1) / threads); }

template <class Work>
void ForEachBlock(Index n, int threads, const Work& work) {
  if (threads <= 1 || n < 2) {
    work(Index{0}, n);
    return;
  }
  Index block = BlockSize(n, threads);
  std::vector<std::future<void>> pending;
  for (Index begin = block; begin < n; begin += block) {
    pending.push_back(std::async(std::launch::async, work, begin, std::min(n, begin + block)));
  }
  work(Index{0}, std::min(n, block));
  for (auto& f : pending) f.get();
}

int ThreadsFor(double multiply_adds, int requested) {
  if (multiply_adds < kParallelWork) return 1;
  int available = requested > 0 ? requested : static_cast<int>(std::thread::hardware_concurrency());
  return std::max(1, available);
}

// aᵀ a (n × n for a with n columns), split over the rows of a; both triangles filled.
template <class Scalar>
RowMatrixOf<Scalar> Gram(const RowMatrixOf<Scalar>& a, int threads) {
  using Square = Eigen::Matrix<Scalar, Eigen::Dynamic, Eigen::Dynamic>;
  const Index n = a.cols();
  threads = ThreadsFor(0.5 * double(a.rows()) * double(n) * double(n), threads);
  const Index block = BlockSize(a.rows(), threads);
  std::vector<Square> partial(static_cast<size_t>(threads));
  ForEachBlock(a.rows(), threads, [&](Index begin, Index end) {
    Square& g = partial[static_cast<size_t>(begin / block)];
    g = Square::Zero(n, n);
    g.template selfadjointView<Eigen::Lower>().rankUpdate(
        a.middleRows(begin, end - begin).transpose());
  });
  Square sum = Square::Zero(n, n);
  for (const auto& g : partial) {
    if (g.size() > 0) sum += g;
  }
  return sum.template selfadjointView<Eigen::Lower>();
}

// M, kept sparse as well when at most a quarter of it is 1: a sparse × dense product then costs
// (number of ones) × columns and beats the dense one (measured break-even near 40%).
struct Presence {
  explicit Presence(const RowMatrix& m) : dense(m) {
    if (m.size() > 0 && m.sum() <= 0.25 * double(m.size())) {
      sparse = m.sparseView();
      use_sparse = true;
    }
  }
  const RowMatrix& dense;
  Eigen::SparseMatrix<double, Eigen::RowMajor> sparse;
  bool use_sparse = false;
};

// out = M × right, split over the rows of M.
void Product(const Presence& m, const ConstRef& right, View out, int threads) {
  double work = m.use_sparse ? double(m.sparse.nonZeros()) * double(right.cols())
                             : double(m.dense.size()) * double(right.cols());
  threads = ThreadsFor(work, threads);
  ForEachBlock(m.dense.rows(), threads, [&](Index begin, Index end) {
    if (m.use_sparse) {
      out.middleRows(begin, end - begin).noalias() = m.sparse.middleRows(begin, end - begin) *
                                                     right;
    } else {
      out.middleRows(begin, end - begin).noalias() = m.dense.middleRows(begin, end - begin) * right;
    }
  });
}

void RevealedComparativeAdvantage(const ConstView& x, View rca) {
  VectorXd region_total = x.rowwise().sum();
  VectorXd segment_total = x.colwise().sum().transpose();
  double total = segment_total.sum();
  if (!std::isfinite(total)) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the total activity overflows");
  }
  rca.setZero();
  if (total == 0) return;
  VectorXd segment_share = segment_total / total;
  for (Index c = 0; c < x.rows(); ++c) {
    if (region_total[c] == 0) continue;
    for (Index p = 0; p < x.cols(); ++p) {
      if (segment_total[p] == 0) continue;
      rca(c, p) = (x(c, p) / region_total[c]) / segment_share[p];
    }
  }
}

// Co-occurrence counts Mᵀ M are integers ≤ the number of regions, exact in float below 2²⁴
// regions, and a float product is twice as fast.
void Proximity(const RowMatrix& m, const VectorXd& ubiquity, View phi, int threads) {
  const Index n = m.cols();
  RowMatrixOf<float> co_occurrence = Gram<float>(m.cast<float>(), threads);
  for (Index p = 0; p < n; ++p) {
    phi(p, p) = 0;
    for (Index q = 0; q < p; ++q) {
      double denominator = std::max(ubiquity[p], ubiquity[q]);
      double value = denominator > 0 ? double(co_occurrence(p, q)) / denominator : 0.0;
      phi(p, q) = value;
      phi(q, p) = value;
    }
  }
}

// The regions and segments (ascending) of the largest connected component of the bipartite graph
// of M: most regions plus segments, ties to the component holding the lowest region index.
struct Component {
  std::vector<Index> regions, segments;
};

Component LargestComponentOf(const std::vector<std::vector<uint32_t>>& segments_of,
                             const std::vector<std::vector<uint32_t>>& regions_of);

Component LargestComponent(const RowMatrix& m) {
  const Index nr = m.rows(), ns = m.cols();
  std::vector<std::vector<uint32_t>> segments_of(static_cast<size_t>(nr));
  std::vector<std::vector<uint32_t>> regions_of(static_cast<size_t>(ns));
  for (Index c = 0; c < nr; ++c) {
    for (Index p = 0; p < ns; ++p) {
      if (m(c, p) != 0) {
        segments_of[c].push_back(static_cast<uint32_t>(p));
        regions_of[p].push_back(static_cast<uint32_t>(c));
      }
    }
  }
  return LargestComponentOf(segments_of, regions_of);
}

// +1 / −1 for the sign of Pearson's correlation, 0 when it is (numerically) 0 or undefined.
double CorrelationSign(const VectorXd& a, const VectorXd& b) {
  VectorXd da = a.array() - a.mean(), db = b.array() - b.mean();
  double cov = da.dot(db), scale = da.norm() * db.norm();
  if (!(scale > 0) || std::abs(cov) <= 1e-12 * scale) return 0;
  return cov > 0 ? 1 : -1;
}

// λ₂ of the symmetric B when it is well separated (from λ₁, from 0 and from λ₃); nullopt when
// the complexity ranking would be undefined or unstable.
std::optional<double> SecondEigenvalue(const Eigen::MatrixXd& b) {
  const Index n = b.rows();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(b, Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) {
    throw Error(ErrorCode::kInternal, "complexity: the eigensolver did not converge");
  }
  const VectorXd& lambda = solver.eigenvalues();  // ascending
  double l1 = lambda[n - 1], l2 = lambda[n - 2], l3 = n >= 3 ? lambda[n - 3] : -1.0;
  if (l1 - l2 <= kEigenGap || l2 <= kEigenGap || l2 - l3 <= kEigenGap) return std::nullopt;
  return l2;
}

// The sign that orients ECI and PCI: ECI correlates positively with diversity (else PCI
// negatively with ubiquity; else the largest ECI entry is positive).
double Orientation(const VectorXd& kc, const VectorXd& eci, const VectorXd& kp,
                   const VectorXd& pci) {
  double sign = CorrelationSign(kc, eci);
  if (sign == 0) sign = -CorrelationSign(kp, pci);
  if (sign == 0) {
    Index at = 0;
    eci.cwiseAbs().maxCoeff(&at);
    sign = eci[at] >= 0 ? 1 : -1;
  }
  return sign;
}

// Mean 0, population standard deviation 1; false if the vector is (numerically) constant.
bool Standardise(VectorXd& v) {
  double mean = v.mean();
  double scale = std::max(1.0, v.cwiseAbs().maxCoeff());
  v.array() -= mean;
  double sd = std::sqrt(v.squaredNorm() / static_cast<double>(v.size()));
  if (!(sd > 1e-12 * scale)) return false;
  v /= sd;
  return true;
}

// The unit eigenvector of the symmetric b for its (simple) eigenvalue lambda, by inverse
// iteration: one LU factorisation instead of all n eigenvectors (5× faster at n = 600). The shift
// is nudged off lambda so the factorisation is never exactly singular; with neighbours ≥ kEigenGap
// away each step shrinks every other component by ≤ 1e-3.
VectorXd EigenvectorFor(const Eigen::MatrixXd& b, double lambda) {
  const Index n = b.rows();
  double shift = lambda + 1e-12 * std::max(1.0, std::abs(lambda));
  Eigen::PartialPivLU<Eigen::MatrixXd> lu(b - shift * Eigen::MatrixXd::Identity(n, n));
  VectorXd v(n);
  for (Index i = 0; i < n; ++i) v[i] = 1.0 + 0.5 * std::sin(1.0 + static_cast<double>(i));
  v.normalize();
  for (int step = 0; step < 50; ++step) {
    VectorXd next = lu.solve(v);
    next.normalize();
    if (next.dot(v) < 0) next = -next;
    double change = (next - v).norm();
    v = std::move(next);
    if (change < 1e-15) break;
  }
  return v;
}

struct Indices {
  VectorXd eci, pci;  // full length, NaN where undefined
};

Indices ComplexityIndices(const RowMatrix& m, const VectorXd& diversity, const VectorXd& ubiquity,
                          int threads) {
  Indices out{VectorXd::Constant(m.rows(), kNaN), VectorXd::Constant(m.cols(), kNaN)};
  Component comp = LargestComponent(m);
  const Index nc = static_cast<Index>(comp.regions.size());
  const Index np = static_cast<Index>(comp.segments.size());
  if (nc < 2 || np < 2) return out;

  // a: the component's M with the smaller side as columns; k_small, k_other its column and row
  // sums.
  const bool segment_side = np <= nc;
  RowMatrix a = m(comp.regions, comp.segments);
  if (!segment_side) a = RowMatrix(a.transpose());
  VectorXd kc = diversity(comp.regions), kp = ubiquity(comp.segments);
  const VectorXd& k_small = segment_side ? kp : kc;
  const VectorXd& k_other = segment_side ? kc : kp;

  // B = D_small^-½ aᵀ D_other⁻¹ a D_small^-½, similar to M̃ on the smaller side.
  RowMatrix scaled = k_other.cwiseSqrt().cwiseInverse().asDiagonal() * a *
                     k_small.cwiseSqrt().cwiseInverse().asDiagonal();
  Eigen::MatrixXd b = Gram<double>(scaled, threads);
  const std::optional<double> l2 = SecondEigenvalue(b);
  if (!l2) return out;

  VectorXd small = k_small.cwiseSqrt().cwiseInverse().asDiagonal() * EigenvectorFor(b, *l2);
  // u = D_other⁻¹ a v is the other side's eigenvector for the same λ₂ > 0: same orientation.
  VectorXd other = k_other.cwiseInverse().asDiagonal() * (a * small);
  VectorXd eci = segment_side ? other : small;
  VectorXd pci = segment_side ? small : other;
  if (!Standardise(eci) || !Standardise(pci)) return out;
  // Standardising keeps the orientation, so the sign can be chosen afterwards.
  const double sign = Orientation(kc, eci, kp, pci);
  out.eci(comp.regions) = sign * eci;
  out.pci(comp.segments) = sign * pci;
  return out;
}

void OpportunityGain(const Presence& presence, const ConstRef& phi, const VectorXd& strength,
                     const View& density, const VectorXd& pci, View gain, int threads) {
  const RowMatrix& m = presence.dense;
  const Index ns = m.cols();
  // q_p' = PCI_p' / Σ_p'' φ_p''p', 0 where either is undefined.
  VectorXd q = VectorXd::Zero(ns);
  for (Index p = 0; p < ns; ++p) {
    if (std::isfinite(pci[p]) && strength[p] > 0) q[p] = pci[p] / strength[p];
  }
  // Σ_p' φ_pp' (1 − M_cp') q_p' = (Φ q)_p − (M diag(q) Φ)_cp, as φ is symmetric.
  VectorXd reachable = phi * q;
  Product(presence, RowMatrix(q.asDiagonal() * phi), gain, threads);
  for (Index c = 0; c < m.rows(); ++c) {
    for (Index p = 0; p < ns; ++p) {
      if (!std::isfinite(pci[p])) {
        gain(c, p) = kNaN;
      } else if (m(c, p) != 0) {
        gain(c, p) = 0;
      } else {
        gain(c, p) = reachable[p] - gain(c, p) - density(c, p) * pci[p];
      }
    }
  }
}

}  // namespace

namespace {

// A result with every table sized for `rows` regions and `cols` segments.
Complexity Allocated(size_t rows, size_t cols) {
  Complexity out;
  out.rca = Matrix(rows, cols);
  out.m = Matrix(rows, cols);
  out.proximity = Matrix(cols, cols);
  out.density = Matrix(rows, cols);
  out.distance = Matrix(rows, cols);
  out.opportunity_gain = Matrix(rows, cols);
  return out;
}

}  // namespace

Complexity ComputeComplexity(const Matrix& activity, const ComplexityOptions& options) {
  ValidateInput(activity, options);
  const auto rows = static_cast<Index>(activity.rows);
  const auto cols = static_cast<Index>(activity.cols);
  const int threads = options.threads;
  Complexity out = Allocated(activity.rows, activity.cols);

  View rca = ViewOf(out.rca);
  RevealedComparativeAdvantage(ConstView(activity.values.data(), rows, cols), rca);
  RowMatrix m = (rca.array() >= options.rca_threshold).cast<double>().matrix();
  ViewOf(out.m) = m;
  VectorXd diversity = m.rowwise().sum();
  VectorXd ubiquity = m.colwise().sum().transpose();
  View phi = ViewOf(out.proximity);
  Proximity(m, ubiquity, phi, threads);

  // ω = M Φ over the column sums of Φ (= its row sums Σ_p' φ_pp', Φ being symmetric). A column
  // of Φ that sums to 0 is all 0, and so is its column of M Φ: scaling it by 0 keeps ω = 0.
  VectorXd strength = phi.colwise().sum().transpose();
  VectorXd inverse_strength = (strength.array() > 0).select(strength.cwiseInverse(), 0.0);
  View density = ViewOf(out.density);
  Presence presence(m);
  Product(presence, phi, density, threads);
  density.array().rowwise() *= inverse_strength.transpose().array();
  ViewOf(out.distance) = (1.0 - density.array()).matrix();
  Indices indices = ComplexityIndices(m, diversity, ubiquity, threads);
  OpportunityGain(presence, phi, strength, density, indices.pci, ViewOf(out.opportunity_gain),
                  threads);
  out.diversity = ToVector(diversity);
  out.ubiquity = ToVector(ubiquity);
  out.pci = ToVector(indices.pci);
  out.eci = ToVector(indices.eci);
  return out;
}

// ---- the sparse path ---------------------------------------------------------------------------
//
// complexity.h gives the identity behind it. With u_j the distinct positive ubiquities and a
// vector w over segments,
//   (Φ w)_p = Σ_{p' ≠ p} φ_pp' w_p' = Σ_{c: M_cp = 1} Σ_{p' ∈ M_c, p' ≠ p} w_p' / max(k_p, k_p')
//           = Σ_{c: M_cp = 1} Σ_j (W(c, j) − [j = class p] w_p) / max(k_p, u_j),
// W(c, j) = Σ_{p' ∈ M_c, k_p' = u_j} w_p'. For the strength (w = 1) and the density numerator
// (w = M_c·, a 0/1 row) W and the correction are integers, so a sum that is 0 in real
// arithmetic is exactly 0 here too, as in the dense path.

namespace {

void ValidateSparseInput(size_t rows, size_t cols, const std::vector<ActivityCell>& cells,
                         const ComplexityOptions& options) {
  if (!std::isfinite(options.rca_threshold) || options.rca_threshold <= 0) {
    throw Error(ErrorCode::kInvalidArgument,
                "complexity: the RCA threshold must be a positive finite number");
  }
  if (options.threads < 0) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the thread count must be ≥ 0");
  }
  if (rows > std::numeric_limits<uint32_t>::max() || cols > std::numeric_limits<uint32_t>::max()) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the table is too large");
  }
  for (const ActivityCell& cell : cells) {
    if (cell.row >= rows || cell.col >= cols) {
      throw Error(ErrorCode::kInvalidArgument, "complexity: cell (" + std::to_string(cell.row) +
                                                   ", " + std::to_string(cell.col) +
                                                   ") lies outside the " + std::to_string(rows) +
                                                   " × " + std::to_string(cols) + " table");
    }
    if (!std::isfinite(cell.value) || cell.value < 0) {
      throw Error(ErrorCode::kInvalidArgument,
                  "complexity: the activity of region " + std::to_string(cell.row) +
                      " in segment " + std::to_string(cell.col) + " is negative or not finite");
    }
  }
}

// The largest component of the bipartite graph given by its adjacency lists (LargestComponent
// builds them from the dense M).
Component LargestComponentOf(const std::vector<std::vector<uint32_t>>& segments_of,
                             const std::vector<std::vector<uint32_t>>& regions_of) {
  const size_t nr = segments_of.size(), ns = regions_of.size();
  std::vector<bool> region_seen(nr), segment_seen(ns);
  Component best;
  std::vector<Index> frontier;
  for (size_t start = 0; start < nr; ++start) {
    if (region_seen[start] || segments_of[start].empty()) continue;
    Component current;
    region_seen[start] = true;
    frontier.assign(1, static_cast<Index>(start));
    while (!frontier.empty()) {
      Index c = frontier.back();
      frontier.pop_back();
      current.regions.push_back(c);
      for (uint32_t p : segments_of[c]) {
        if (segment_seen[p]) continue;
        segment_seen[p] = true;
        current.segments.push_back(p);
        for (uint32_t other : regions_of[p]) {
          if (!region_seen[other]) {
            region_seen[other] = true;
            frontier.push_back(other);
          }
        }
      }
    }
    if (current.regions.size() + current.segments.size() >
        best.regions.size() + best.segments.size()) {
      best = std::move(current);
    }
  }
  std::sort(best.regions.begin(), best.regions.end());
  std::sort(best.segments.begin(), best.segments.end());
  return best;
}

// PCI and ECI as ComplexityIndices computes them, from the adjacency lists: B on the smaller side
// is accumulated over the other side's nodes (each adds 1/k_o to every pair of its neighbours).
Indices SparseIndices(const SparseComplexity& s) {
  Indices out{VectorXd::Constant(static_cast<Index>(s.rows), kNaN),
              VectorXd::Constant(static_cast<Index>(s.cols), kNaN)};
  Component comp = LargestComponentOf(s.segments_of, s.regions_of);
  const Index nc = static_cast<Index>(comp.regions.size());
  const Index np = static_cast<Index>(comp.segments.size());
  if (nc < 2 || np < 2) return out;
  const bool segment_side = np <= nc;
  const std::vector<Index>& small_nodes = segment_side ? comp.segments : comp.regions;
  const std::vector<Index>& other_nodes = segment_side ? comp.regions : comp.segments;
  const auto& small_degree = segment_side ? s.ubiquity : s.diversity;
  const auto& other_degree = segment_side ? s.diversity : s.ubiquity;
  const auto& neighbours = segment_side ? s.segments_of : s.regions_of;  // of an other-side node
  const Index n = static_cast<Index>(small_nodes.size());
  std::vector<Index> local(segment_side ? s.cols : s.rows, -1);
  for (Index i = 0; i < n; ++i) local[small_nodes[i]] = i;

  Eigen::MatrixXd b = Eigen::MatrixXd::Zero(n, n);
  std::vector<Index> ids;
  for (Index o : other_nodes) {
    const double w = 1.0 / other_degree[o];
    ids.clear();
    for (uint32_t x : neighbours[o]) ids.push_back(local[x]);
    for (size_t a = 0; a < ids.size(); ++a) {
      for (size_t c = 0; c <= a; ++c) b(ids[a], ids[c]) += w;  // ids ascending: lower triangle
    }
  }
  VectorXd k_small(n);
  for (Index i = 0; i < n; ++i) k_small[i] = small_degree[small_nodes[i]];
  VectorXd inv_sqrt = k_small.cwiseSqrt().cwiseInverse();
  for (Index j = 0; j < n; ++j) {
    for (Index i = j; i < n; ++i) {
      double v = b(i, j) * inv_sqrt[i] * inv_sqrt[j];
      b(i, j) = v;
      b(j, i) = v;
    }
  }
  const std::optional<double> l2 = SecondEigenvalue(b);
  if (!l2) return out;

  VectorXd small = inv_sqrt.asDiagonal() * EigenvectorFor(b, *l2);
  // u = D_other⁻¹ a v: the other side's eigenvector for the same λ₂ > 0.
  VectorXd other(static_cast<Index>(other_nodes.size()));
  for (size_t o = 0; o < other_nodes.size(); ++o) {
    double sum = 0;
    for (uint32_t x : neighbours[other_nodes[o]]) sum += small[local[x]];
    other[static_cast<Index>(o)] = sum / other_degree[other_nodes[o]];
  }
  VectorXd eci = segment_side ? other : small;
  VectorXd pci = segment_side ? small : other;
  if (!Standardise(eci) || !Standardise(pci)) return out;
  VectorXd kc(nc), kp(np);
  for (Index i = 0; i < nc; ++i) kc[i] = s.diversity[comp.regions[i]];
  for (Index i = 0; i < np; ++i) kp[i] = s.ubiquity[comp.segments[i]];
  const double sign = Orientation(kc, eci, kp, pci);
  out.eci(comp.regions) = sign * eci;
  out.pci(comp.segments) = sign * pci;
  return out;
}

// Σ_j totals[j] / max(u_i, u_j) in extended precision. The totals of a count are exact
// integers, and a segment's numerator and denominator (density) share the divisors, so ratios
// such as 7/8 or 1 come out exact.
long double ClassSum(const long double* totals, const std::vector<double>& u, size_t i) {
  long double sum = 0;
  for (size_t j = 0; j < u.size(); ++j) {
    if (totals[j] != 0) sum += totals[j] / static_cast<long double>(std::max(u[i], u[j]));
  }
  return sum;
}

// Per region c and class j: W(c, j) = Σ_{p' ∈ M_c, class j} w_p' (w = 1 where null); rows ×
// classes, row-major.
std::vector<long double> ClassTable(const SparseComplexity& s, const std::vector<double>* w) {
  const size_t classes = s.class_ubiquity.size();
  std::vector<long double> table(s.rows * classes, 0.0L);
  for (size_t c = 0; c < s.rows; ++c) {
    for (uint32_t p : s.segments_of[c]) {
      table[c * classes + static_cast<size_t>(s.class_of[p])] += w ? (*w)[p] : 1.0;
    }
  }
  return table;
}

// (Φ w)_p = Σ_j (Σ_{c: M_cp = 1} W(c, j) − [j = class p] k_p w_p) / max(k_p, u_j), for a segment
// p with a positive ubiquity; row(c) gives W(c, ·) or null where it is 0.
template <class RowOf>
long double PhiEntry(const SparseComplexity& s, size_t p, long double self_weight, const RowOf& row,
                     std::vector<long double>& totals) {
  const size_t classes = s.class_ubiquity.size(), i = static_cast<size_t>(s.class_of[p]);
  std::fill(totals.begin(), totals.end(), 0.0L);
  bool any = false;
  for (uint32_t c : s.regions_of[p]) {
    const long double* w = row(c);
    if (!w) continue;
    any = true;
    for (size_t j = 0; j < classes; ++j) totals[j] += w[j];
  }
  if (!any) return 0;
  totals[i] -= static_cast<long double>(s.ubiquity[p]) * self_weight;
  return ClassSum(totals.data(), s.class_ubiquity, i);
}

}  // namespace

double SparseComplexity::Activity(size_t c, size_t p) const {
  auto begin = cells.begin() + static_cast<long>(row_start[c]);
  auto end = cells.begin() + static_cast<long>(row_start[c + 1]);
  auto it = std::lower_bound(begin, end, p, [](const Cell& x, size_t col) { return x.col < col; });
  return it != end && it->col == p ? it->activity : 0.0;
}

double SparseComplexity::Rca(size_t c, size_t p) const {
  auto begin = cells.begin() + static_cast<long>(row_start[c]);
  auto end = cells.begin() + static_cast<long>(row_start[c + 1]);
  auto it = std::lower_bound(begin, end, p, [](const Cell& x, size_t col) { return x.col < col; });
  return it != end && it->col == p ? it->rca : 0.0;
}

double SparseComplexity::M(size_t c, size_t p) const {
  const auto& list = segments_of[c];
  return std::binary_search(list.begin(), list.end(), static_cast<uint32_t>(p)) ? 1.0 : 0.0;
}

double SparseComplexity::Proximity(size_t p, size_t q) const {
  if (p == q) return 0;
  double denominator = std::max(ubiquity[p], ubiquity[q]);
  if (!(denominator > 0)) return 0;
  const auto &a = regions_of[p], &b = regions_of[q];
  size_t together = 0;
  for (size_t i = 0, j = 0; i < a.size() && j < b.size();) {
    if (a[i] < b[j]) {
      ++i;
    } else if (b[j] < a[i]) {
      ++j;
    } else {
      ++together, ++i, ++j;
    }
  }
  return static_cast<double>(together) / denominator;
}

SparseComplexity::RowMeasures SparseComplexity::Row(size_t c) const {
  RowMeasures out;
  out.density.assign(cols, 0.0);
  out.opportunity_gain.assign(cols, 0.0);
  const size_t classes = class_ubiquity.size();
  std::vector<char> held(cols, 0);
  for (uint32_t p : segments_of[c]) held[p] = 1;
  // The regions c' sharing a segment with c, numbered compactly, and per (c', class j):
  // count = |M_c ∩ M_c' ∩ class j| (W for w = M_c·), weight = Σ q_p' over the same segments
  // (W for w = M_c· q).
  std::vector<uint32_t> slot(rows, UINT32_MAX);
  std::vector<uint32_t> touched;
  for (uint32_t p : segments_of[c]) {
    for (uint32_t r : regions_of[p]) {
      if (slot[r] == UINT32_MAX) {
        slot[r] = static_cast<uint32_t>(touched.size());
        touched.push_back(r);
      }
    }
  }
  std::vector<long double> count(touched.size() * classes, 0.0L),
      weight(touched.size() * classes, 0.0L);
  for (uint32_t p : segments_of[c]) {
    size_t j = static_cast<size_t>(class_of[p]);
    for (uint32_t r : regions_of[p]) {
      count[slot[r] * classes + j] += 1;
      weight[slot[r] * classes + j] += q[p];
    }
  }
  auto count_row = [&](uint32_t r) -> const long double* {
    return slot[r] == UINT32_MAX ? nullptr : &count[slot[r] * classes];
  };
  auto weight_row = [&](uint32_t r) -> const long double* {
    return slot[r] == UINT32_MAX ? nullptr : &weight[slot[r] * classes];
  };
  std::vector<long double> totals(classes);
  for (size_t p = 0; p < cols; ++p) {
    if (!std::isfinite(pci[p])) {
      out.opportunity_gain[p] = kNaN;
    }
    if (class_of[p] < 0) continue;  // related to nothing: density 0, gain 0 or NaN
    // ω_cp = (Φ M_c·)_p / Σ_p' φ_pp': p itself is in W only where c holds it.
    long double numerator = PhiEntry(*this, p, held[p] ? 1.0L : 0.0L, count_row, totals);
    double density = strength_exact[p] > 0 ? static_cast<double>(numerator / strength_exact[p])
                                           : 0.0;
    out.density[p] = density;
    if (std::isfinite(pci[p]) && !held[p]) {
      // Σ_p' φ_pp' (1 − M_cp') q_p' − ω_cp PCI_p = (Φ q)_p − (Φ (M_c· q))_p − ω_cp PCI_p.
      long double opened = PhiEntry(*this, p, 0.0L, weight_row, totals);
      out.opportunity_gain[p] = static_cast<double>(phi_q[p] - opened -
                                                    density * static_cast<long double>(pci[p]));
    }
  }
  return out;
}

std::vector<double> SparseComplexity::DensityRow(size_t c) const {
  std::vector<double> density(cols, 0.0);
  const std::vector<uint32_t>& mine = segments_of[c];
  if (mine.empty()) return density;  // every class total is 0: Row's density is 0 everywhere
  // c's classes, ascending (the order ClassSum adds them in), and each one's local index.
  std::vector<int> classes_here;
  classes_here.reserve(mine.size());
  for (uint32_t p : mine) classes_here.push_back(class_of[p]);
  std::sort(classes_here.begin(), classes_here.end());
  classes_here.erase(std::unique(classes_here.begin(), classes_here.end()), classes_here.end());
  const size_t k = classes_here.size();
  auto local_class = [&](int j) -> size_t {
    return static_cast<size_t>(std::lower_bound(classes_here.begin(), classes_here.end(), j) -
                               classes_here.begin());
  };
  std::vector<int64_t> totals(cols * k, 0);
  std::vector<char> reached(cols, 0);
  if (cols <= kCooccurrenceMaxCols) {
    // totals(p, j) = Σ_{q ∈ M_c of class j} (regions holding both q and p), the count below
    // summed from the segments' side; p is reached when some region sharing a segment with c
    // holds it, that is when one of those counts is positive.
    std::call_once(cooccurrence->once, [&] {
      std::vector<uint32_t>& table = cooccurrence->counts;
      table.assign(cols * cols, 0);
      for (const auto& held : segments_of) {
        for (uint32_t a : held) {
          uint32_t* row = &table[static_cast<size_t>(a) * cols];
          for (uint32_t b : held) row[b] += 1;
        }
      }
    });
    const std::vector<uint32_t>& table = cooccurrence->counts;
    for (uint32_t q : mine) {
      const size_t j = local_class(class_of[q]);
      const uint32_t* row = &table[static_cast<size_t>(q) * cols];
      for (size_t p = 0; p < cols; ++p) {
        if (row[p] == 0) continue;
        totals[p * k + j] += row[p];
        reached[p] = 1;
      }
    }
  } else {
    // Per region c' sharing a segment with c and per local class: |M_c ∩ M_c' ∩ class| (Row's
    // count, which holds whole numbers).
    std::vector<uint32_t> slot(rows, UINT32_MAX);
    std::vector<uint32_t> touched;
    std::vector<int64_t> count;
    for (uint32_t p : mine) {
      const size_t j = local_class(class_of[p]);
      for (uint32_t r : regions_of[p]) {
        if (slot[r] == UINT32_MAX) {
          slot[r] = static_cast<uint32_t>(touched.size());
          touched.push_back(r);
          count.resize(count.size() + k, 0);
        }
        count[slot[r] * k + j] += 1;
      }
    }
    // Per segment p, Σ over the regions c' holding p of count(c', ·): gathered from the regions'
    // side, so only the segments of those regions are visited.
    for (size_t t = 0; t < touched.size(); ++t) {
      const int64_t* row = &count[t * k];
      for (uint32_t p : segments_of[touched[t]]) {
        reached[p] = 1;
        int64_t* out = &totals[static_cast<size_t>(p) * k];
        for (size_t j = 0; j < k; ++j) out[j] += row[j];
      }
    }
  }
  std::vector<char> held(cols, 0);
  for (uint32_t p : mine) held[p] = 1;
  for (size_t p = 0; p < cols; ++p) {
    if (class_of[p] < 0 || !reached[p]) continue;  // Row: density 0 (no region, or no class)
    int64_t* out = &totals[p * k];
    const size_t i = static_cast<size_t>(class_of[p]);
    // PhiEntry's self term: p itself is in W only where c holds it (then p's class is c's).
    if (held[p]) out[local_class(class_of[p])] -= static_cast<int64_t>(ubiquity[p]);
    long double numerator = 0;
    for (size_t j = 0; j < k; ++j) {
      if (out[j] == 0) continue;
      numerator += static_cast<long double>(out[j]) /
                   static_cast<long double>(std::max(
                       class_ubiquity[i], class_ubiquity[static_cast<size_t>(classes_here[j])]));
    }
    density[p] = strength_exact[p] > 0 ? static_cast<double>(numerator / strength_exact[p]) : 0.0;
  }
  return density;
}

SparseComplexity ComputeSparseComplexity(size_t rows, size_t cols, std::vector<ActivityCell> cells,
                                         const ComplexityOptions& options) {
  ValidateSparseInput(rows, cols, cells, options);
  std::sort(cells.begin(), cells.end(), [](const ActivityCell& a, const ActivityCell& b) {
    return a.row != b.row ? a.row < b.row : a.col < b.col;
  });
  SparseComplexity s;
  s.rows = rows;
  s.cols = cols;
  s.row_start.assign(rows + 1, 0);
  std::vector<double> region_total(rows, 0.0), segment_total(cols, 0.0);
  for (size_t i = 0; i < cells.size();) {
    ActivityCell merged = cells[i];
    for (++i; i < cells.size() && cells[i].row == merged.row && cells[i].col == merged.col; ++i) {
      merged.value += cells[i].value;
    }
    if (merged.value == 0) continue;
    s.cells.push_back({merged.col, merged.value, 0.0, false});
    s.row_start[merged.row + 1] += 1;
    region_total[merged.row] += merged.value;
    segment_total[merged.col] += merged.value;
  }
  for (size_t c = 0; c < rows; ++c) s.row_start[c + 1] += s.row_start[c];
  double total = 0;
  for (double v : segment_total) total += v;
  if (!std::isfinite(total)) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the total activity overflows");
  }
  s.segments_of.assign(rows, {});
  s.regions_of.assign(cols, {});
  s.diversity.assign(rows, 0.0);
  s.ubiquity.assign(cols, 0.0);
  for (size_t c = 0; c < rows; ++c) {
    for (size_t k = s.row_start[c]; k < s.row_start[c + 1]; ++k) {
      SparseComplexity::Cell& cell = s.cells[k];
      // As RevealedComparativeAdvantage: two shares, then their ratio.
      double share = segment_total[cell.col] / total;
      cell.rca = (cell.activity / region_total[c]) / share;
      cell.m = cell.rca >= options.rca_threshold;
      if (cell.m) {
        s.segments_of[c].push_back(cell.col);
        s.regions_of[cell.col].push_back(static_cast<uint32_t>(c));
        s.diversity[c] += 1;
        s.ubiquity[cell.col] += 1;
      }
    }
  }
  // Ubiquity classes.
  s.class_of.assign(cols, -1);
  for (size_t p = 0; p < cols; ++p) {
    if (s.ubiquity[p] > 0) s.class_ubiquity.push_back(s.ubiquity[p]);
  }
  std::sort(s.class_ubiquity.begin(), s.class_ubiquity.end());
  s.class_ubiquity.erase(std::unique(s.class_ubiquity.begin(), s.class_ubiquity.end()),
                         s.class_ubiquity.end());
  for (size_t p = 0; p < cols; ++p) {
    if (s.ubiquity[p] > 0) {
      s.class_of[p] = static_cast<int>(
          std::lower_bound(s.class_ubiquity.begin(), s.class_ubiquity.end(), s.ubiquity[p]) -
          s.class_ubiquity.begin());
    }
  }
  // Strength Σ_p' φ_pp' = (Φ 1)_p, from integer class counts: exactly 0 for a segment related to
  // nothing.
  const size_t classes = s.class_ubiquity.size();
  std::vector<long double> totals(classes);
  {
    std::vector<long double> counts = ClassTable(s, nullptr);
    auto row = [&](uint32_t c) -> const long double* { return &counts[c * classes]; };
    s.strength_exact.assign(cols, 0.0L);
    s.strength.assign(cols, 0.0);
    for (size_t p = 0; p < cols; ++p) {
      if (s.class_of[p] < 0) continue;
      s.strength_exact[p] = PhiEntry(s, p, 1.0L, row, totals);
      s.strength[p] = static_cast<double>(s.strength_exact[p]);
    }
  }
  Indices indices = SparseIndices(s);
  s.pci = ToVector(indices.pci);
  s.eci = ToVector(indices.eci);
  // q_p = PCI_p / Σ_p'' φ_p''p (0 where either is undefined) and Φ q, for the opportunity gain.
  s.q.assign(cols, 0.0);
  for (size_t p = 0; p < cols; ++p) {
    if (std::isfinite(s.pci[p]) && s.strength[p] > 0) s.q[p] = s.pci[p] / s.strength[p];
  }
  {
    std::vector<long double> weights = ClassTable(s, &s.q);
    auto row = [&](uint32_t c) -> const long double* { return &weights[c * classes]; };
    s.phi_q.assign(cols, 0.0L);
    for (size_t p = 0; p < cols; ++p) {
      if (s.class_of[p] >= 0) s.phi_q[p] = PhiEntry(s, p, s.q[p], row, totals);
    }
  }
  return s;
}

SparseComplexity ComputeSparseComplexity(const Matrix& activity, const ComplexityOptions& options) {
  if (activity.values.size() != activity.rows * activity.cols) {
    throw Error(ErrorCode::kInvalidArgument, "complexity: the activity matrix holds " +
                                                 std::to_string(activity.values.size()) +
                                                 " values, not " + std::to_string(activity.rows) +
                                                 " × " + std::to_string(activity.cols));
  }
  std::vector<ActivityCell> cells;
  for (size_t r = 0; r < activity.rows; ++r) {
    for (size_t c = 0; c < activity.cols; ++c) {
      double v = activity.at(r, c);
      // Keep every non-zero (and invalid) value, so that validation sees it.
      if (v != 0) cells.push_back({static_cast<uint32_t>(r), static_cast<uint32_t>(c), v});
    }
  }
  return ComputeSparseComplexity(activity.rows, activity.cols, std::move(cells), options);
}

Complexity Densify(const SparseComplexity& s) {
  Complexity out = Allocated(s.rows, s.cols);
  for (size_t c = 0; c < s.rows; ++c) {
    for (size_t k = s.row_start[c]; k < s.row_start[c + 1]; ++k) {
      out.rca.at(c, s.cells[k].col) = s.cells[k].rca;
      out.m.at(c, s.cells[k].col) = s.cells[k].m ? 1.0 : 0.0;
    }
    // Co-occurrence counts first, divided below.
    const auto& list = s.segments_of[c];
    for (size_t a = 0; a < list.size(); ++a) {
      for (size_t b = 0; b < a; ++b) {
        out.proximity.at(list[a], list[b]) += 1;
        out.proximity.at(list[b], list[a]) += 1;
      }
    }
    SparseComplexity::RowMeasures row = s.Row(c);
    for (size_t p = 0; p < s.cols; ++p) {
      out.density.at(c, p) = row.density[p];
      out.distance.at(c, p) = 1.0 - row.density[p];
      out.opportunity_gain.at(c, p) = row.opportunity_gain[p];
    }
  }
  for (size_t p = 0; p < s.cols; ++p) {
    for (size_t q = 0; q < s.cols; ++q) {
      double& v = out.proximity.at(p, q);
      if (v != 0) v /= std::max(s.ubiquity[p], s.ubiquity[q]);
    }
  }
  out.diversity = s.diversity;
  out.ubiquity = s.ubiquity;
  out.pci = s.pci;
  out.eci = s.eci;
  return out;
}

}  // namespace chainatlas::kernels
