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
#include "matcher/complexity.h"

#include <Eigen/Dense>
#include <Eigen/SparseCore>
#include <algorithm>
#include <cmath>
#include <future>
#include <limits>
#include <string>
#include <thread>

#include "graph/error.h"

namespace chainatlas::matcher {
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
      out.middleRows(begin, end - begin).noalias() =
          m.sparse.middleRows(begin, end - begin) * right;
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

Component LargestComponent(const RowMatrix& m) {
  const Index nr = m.rows(), ns = m.cols();
  std::vector<std::vector<Index>> segments_of(static_cast<size_t>(nr));
  std::vector<std::vector<Index>> regions_of(static_cast<size_t>(ns));
  for (Index c = 0; c < nr; ++c) {
    for (Index p = 0; p < ns; ++p) {
      if (m(c, p) != 0) {
        segments_of[c].push_back(p);
        regions_of[p].push_back(c);
      }
    }
  }
  std::vector<bool> region_seen(static_cast<size_t>(nr)), segment_seen(static_cast<size_t>(ns));
  Component best;
  std::vector<Index> frontier;
  for (Index start = 0; start < nr; ++start) {
    if (region_seen[start] || segments_of[start].empty()) continue;
    Component current;
    region_seen[start] = true;
    frontier.assign(1, start);
    while (!frontier.empty()) {
      Index c = frontier.back();
      frontier.pop_back();
      current.regions.push_back(c);
      for (Index p : segments_of[c]) {
        if (segment_seen[p]) continue;
        segment_seen[p] = true;
        current.segments.push_back(p);
        for (Index other : regions_of[p]) {
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

// +1 / −1 for the sign of Pearson's correlation, 0 when it is (numerically) 0 or undefined.
double CorrelationSign(const VectorXd& a, const VectorXd& b) {
  VectorXd da = a.array() - a.mean(), db = b.array() - b.mean();
  double cov = da.dot(db), scale = da.norm() * db.norm();
  if (!(scale > 0) || std::abs(cov) <= 1e-12 * scale) return 0;
  return cov > 0 ? 1 : -1;
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
  const Index n = b.rows();
  Eigen::SelfAdjointEigenSolver<Eigen::MatrixXd> solver(b, Eigen::EigenvaluesOnly);
  if (solver.info() != Eigen::Success) {
    throw Error(ErrorCode::kInternal, "complexity: the eigensolver did not converge");
  }
  const VectorXd& lambda = solver.eigenvalues();  // ascending
  double l1 = lambda[n - 1], l2 = lambda[n - 2], l3 = n >= 3 ? lambda[n - 3] : -1.0;
  if (l1 - l2 <= kEigenGap || l2 <= kEigenGap || l2 - l3 <= kEigenGap) return out;

  VectorXd small = k_small.cwiseSqrt().cwiseInverse().asDiagonal() * EigenvectorFor(b, l2);
  // u = D_other⁻¹ a v is the other side's eigenvector for the same λ₂ > 0: same orientation.
  VectorXd other = k_other.cwiseInverse().asDiagonal() * (a * small);
  VectorXd eci = segment_side ? other : small;
  VectorXd pci = segment_side ? small : other;
  if (!Standardise(eci) || !Standardise(pci)) return out;
  // Standardising keeps the orientation, so the sign can be chosen afterwards.
  double sign = CorrelationSign(kc, eci);
  if (sign == 0) sign = -CorrelationSign(kp, pci);
  if (sign == 0) {
    Index at = 0;
    eci.cwiseAbs().maxCoeff(&at);
    sign = eci[at] >= 0 ? 1 : -1;
  }
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

Complexity ComputeComplexity(const Matrix& activity, const ComplexityOptions& options) {
  ValidateInput(activity, options);
  const auto rows = static_cast<Index>(activity.rows);
  const auto cols = static_cast<Index>(activity.cols);
  const int threads = options.threads;
  Complexity out;
  out.rca = Matrix(activity.rows, activity.cols);
  out.m = Matrix(activity.rows, activity.cols);
  out.proximity = Matrix(activity.cols, activity.cols);
  out.density = Matrix(activity.rows, activity.cols);
  out.distance = Matrix(activity.rows, activity.cols);
  out.opportunity_gain = Matrix(activity.rows, activity.cols);

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

}  // namespace chainatlas::matcher
