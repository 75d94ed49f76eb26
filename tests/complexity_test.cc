// Relatedness and economic complexity (kernels/complexity.h) against a hand-computed example, an
// independent power iteration (the method of reflections), degenerate inputs and invariances.
// tests/complexity_reference.py checks the same measures against NumPy on random matrices.
#include "kernels/complexity.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cmath>
#include <cstring>
#include <numeric>
#include <random>
#include <vector>

#include "graph/error.h"

using namespace chainatlas;
using kernels::Complexity;
using kernels::ComplexityOptions;
using kernels::ComputeComplexity;
using kernels::Matrix;

namespace {

Matrix FromRows(const std::vector<std::vector<double>>& rows) {
  Matrix m(rows.size(), rows.empty() ? 0 : rows[0].size());
  for (size_t r = 0; r < rows.size(); ++r) {
    for (size_t c = 0; c < m.cols; ++c) m.at(r, c) = rows[r][c];
  }
  return m;
}

// Enterprise counts from a fixed seed (mt19937's raw output is the same everywhere), a share
// zero_percent of them 0.
Matrix RandomCounts(size_t rows, size_t cols, unsigned seed, unsigned zero_percent = 33) {
  std::mt19937 rng(seed);
  Matrix m(rows, cols);
  for (double& v : m.values) {
    unsigned r = rng();
    v = r % 100 < zero_percent ? 0.0 : static_cast<double>(1 + (r >> 8) % 12);
  }
  return m;
}

double Mean(const std::vector<double>& v) {
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double PopulationSd(const std::vector<double>& v) {
  double mean = Mean(v), sum = 0;
  for (double x : v) sum += (x - mean) * (x - mean);
  return std::sqrt(sum / static_cast<double>(v.size()));
}

double Correlation(const std::vector<double>& a, const std::vector<double>& b) {
  double ma = Mean(a), mb = Mean(b), sab = 0, saa = 0, sbb = 0;
  for (size_t i = 0; i < a.size(); ++i) {
    sab += (a[i] - ma) * (b[i] - mb);
    saa += (a[i] - ma) * (a[i] - ma);
    sbb += (b[i] - mb) * (b[i] - mb);
  }
  return sab / std::sqrt(saa * sbb);
}

// M̃ on the segment side (M̃_pp' = Σ_c M_cp M_cp' / (k_c k_p)) or the region side, from r.m.
Matrix MTilde(const Complexity& r, bool segments) {
  const Matrix& m = r.m;
  size_t n = segments ? m.cols : m.rows;
  Matrix out(n, n);
  for (size_t i = 0; i < n; ++i) {
    for (size_t j = 0; j < n; ++j) {
      double sum = 0;
      if (segments) {
        for (size_t c = 0; c < m.rows; ++c) sum += m.at(c, i) * m.at(c, j) / r.diversity[c];
        out.at(i, j) = sum / r.ubiquity[i];
      } else {
        for (size_t p = 0; p < m.cols; ++p) sum += m.at(i, p) * m.at(j, p) / r.ubiquity[p];
        out.at(i, j) = sum / r.diversity[i];
      }
    }
  }
  return out;
}

std::vector<double> Times(const Matrix& a, const std::vector<double>& v) {
  std::vector<double> out(a.rows, 0.0);
  for (size_t i = 0; i < a.rows; ++i) {
    for (size_t j = 0; j < a.cols; ++j) out[i] += a.at(i, j) * v[j];
  }
  return out;
}

// Checks that x is a standardised eigenvector of a for eigenvalue lambda: a x − λ x is constant
// (a maps the constant vector to itself, so standardising adds exactly such a constant).
void CheckStandardisedEigenvector(const Matrix& a, const std::vector<double>& x, double lambda) {
  CHECK(Mean(x) == Approx(0).margin(1e-12));
  CHECK(PopulationSd(x) == Approx(1).epsilon(1e-12));
  std::vector<double> y = Times(a, x);
  for (size_t i = 0; i < x.size(); ++i) {
    CHECK(y[i] - lambda * x[i] == Approx(y[0] - lambda * x[0]).margin(1e-10));
  }
}

// The PCI by the method of reflections (Hidalgo & Hausmann 2009) run to convergence: power
// iteration with M̃, projecting out the eigenvalue-1 direction with its left eigenvector (weights
// k_p), then standardised and oriented by the documented rule (ECI, the mean PCI of a region's
// segments, correlates positively with diversity). Independent of the eigensolver used in
// complexity.cc. Assumes one connected component.
std::vector<double> PciByReflections(const Complexity& r) {
  Matrix mt = MTilde(r, true);
  size_t n = mt.rows;
  std::vector<double> v(n);
  for (size_t i = 0; i < n; ++i) v[i] = std::cos(0.7 * static_cast<double>(i) + 0.3);
  double weight_total = std::accumulate(r.ubiquity.begin(), r.ubiquity.end(), 0.0);
  for (int step = 0; step < 200000; ++step) {
    std::vector<double> next = Times(mt, v);
    double weighted_mean = 0;
    for (size_t i = 0; i < n; ++i) weighted_mean += r.ubiquity[i] * next[i] / weight_total;
    double norm = 0;
    for (double& x : next) {
      x -= weighted_mean;
      norm += x * x;
    }
    norm = std::sqrt(norm);
    double change = 0;
    for (size_t i = 0; i < n; ++i) {
      next[i] /= norm;
      change = std::max(change, std::abs(next[i] - v[i]));
    }
    v = next;
    if (change < 1e-15) break;
  }
  double mean = Mean(v), sd = PopulationSd(v);
  for (double& x : v) x = (x - mean) / sd;
  std::vector<double> eci(r.m.rows, 0.0);
  for (size_t c = 0; c < r.m.rows; ++c) {
    for (size_t p = 0; p < n; ++p) eci[c] += r.m.at(c, p) * v[p] / r.diversity[c];
  }
  if (Correlation(eci, r.diversity) < 0) {
    for (double& x : v) x = -x;
  }
  return v;
}

// Opportunity value OV_c = Σ_p ω_cp (1 − M_cp) PCI_p for a presence row, with φ and PCI fixed.
double OpportunityValue(const std::vector<double>& m_row, const Complexity& r) {
  size_t n = m_row.size();
  double value = 0;
  for (size_t p = 0; p < n; ++p) {
    double strength = 0, near = 0;
    for (size_t q = 0; q < n; ++q) {
      strength += r.proximity.at(p, q);
      near += r.proximity.at(p, q) * m_row[q];
    }
    double density = strength > 0 ? near / strength : 0.0;
    if (std::isfinite(r.pci[p])) value += density * (1 - m_row[p]) * r.pci[p];
  }
  return value;
}

void CheckSameMatrix(const Matrix& a, const Matrix& b, double margin = 1e-12) {
  REQUIRE(a.rows == b.rows);
  REQUIRE(a.cols == b.cols);
  for (size_t i = 0; i < a.values.size(); ++i) {
    if (std::isnan(b.values[i])) {
      CHECK(std::isnan(a.values[i]));
    } else {
      CHECK(a.values[i] == Approx(b.values[i]).margin(margin));
    }
  }
}

void CheckSameVector(const std::vector<double>& a, const std::vector<double>& b,
                     double margin = 1e-12) {
  REQUIRE(a.size() == b.size());
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::isnan(b[i])) {
      CHECK(std::isnan(a[i]));
    } else {
      CHECK(a[i] == Approx(b[i]).margin(margin));
    }
  }
}

void CheckSameResult(const Complexity& a, const Complexity& b, double margin = 1e-12) {
  CheckSameMatrix(a.rca, b.rca, margin);
  CheckSameMatrix(a.m, b.m, 0);
  CheckSameVector(a.diversity, b.diversity, 0);
  CheckSameVector(a.ubiquity, b.ubiquity, 0);
  CheckSameMatrix(a.proximity, b.proximity, margin);
  CheckSameMatrix(a.density, b.density, margin);
  CheckSameMatrix(a.distance, b.distance, margin);
  CheckSameVector(a.pci, b.pci, 1e-9);
  CheckSameVector(a.eci, b.eci, 1e-9);
  CheckSameMatrix(a.opportunity_gain, b.opportunity_gain, 1e-9);
}

ErrorCode CodeOf(const Matrix& x, const ComplexityOptions& options = {}) {
  try {
    ComputeComplexity(x, options);
  } catch (const Error& e) {
    return e.code();
  }
  FAIL("no error thrown");
  return ErrorCode::kInternal;
}

// The hand example. Activity (enterprise counts), 4 regions × 4 segments:
//
//          s0 s1 s2 s3 | total
//     r0    2  2  2  0 |  6
//     r1    3  3  0  0 |  6
//     r2    3  0  0  3 |  6
//     r3    0  0  3  3 |  6
//  total    8  5  5  6 | 24
//
// Column shares: s0 8/24 = 1/3, s1 5/24, s2 5/24, s3 6/24 = 1/4; every row share is x/6.
const std::vector<std::vector<double>> kHand = {
    {2, 2, 2, 0}, {3, 3, 0, 0}, {3, 0, 0, 3}, {0, 0, 3, 3}};

}  // namespace

TEST_CASE("complexity: RCA, M, proximity, density and distance of the hand example",
          "[complexity]") {
  Complexity r = ComputeComplexity(FromRows(kHand));
  // RCA = row share / column share:
  //   r0: (2/6)/(1/3) = 1 (exactly: M = 1, the test is ≥), (2/6)/(5/24) = 8/5, 8/5, 0
  //   r1: (3/6)/(1/3) = 3/2, (3/6)/(5/24) = 12/5, 0, 0
  //   r2: 3/2, 0, 0, (3/6)/(1/4) = 2
  //   r3: 0, 0, 12/5, 2
  const std::vector<std::vector<double>> rca = {
      {1, 8.0 / 5, 8.0 / 5, 0}, {1.5, 12.0 / 5, 0, 0}, {1.5, 0, 0, 2}, {0, 0, 12.0 / 5, 2}};
  // M:  r0 {s0 s1 s2}, r1 {s0 s1}, r2 {s0 s3}, r3 {s2 s3}  (M happens to be symmetric)
  const std::vector<std::vector<double>> m = {
      {1, 1, 1, 0}, {1, 1, 0, 0}, {1, 0, 0, 1}, {0, 0, 1, 1}};
  for (size_t c = 0; c < 4; ++c) {
    for (size_t p = 0; p < 4; ++p) {
      CHECK(r.rca.at(c, p) == Approx(rca[c][p]).epsilon(1e-15));
      CHECK(r.m.at(c, p) == m[c][p]);
    }
  }
  CHECK(r.rca.at(0, 0) == 1.0);  // exact: both shares round to the same double
  CHECK(r.diversity == std::vector<double>{3, 2, 2, 2});
  CHECK(r.ubiquity == std::vector<double>{3, 2, 2, 2});

  // Co-occurrence: s0s1 {r0 r1} 2, s0s2 {r0} 1, s0s3 {r2} 1, s1s2 {r0} 1, s1s3 none, s2s3 {r3} 1.
  // φ = co-occurrence / max(k_p, k_p'), diagonal 0:
  const double third = 1.0 / 3, half = 0.5;
  const std::vector<std::vector<double>> phi = {{0, 2 * third, third, third},
                                                {2 * third, 0, half, 0},
                                                {third, half, 0, half},
                                                {third, 0, half, 0}};
  for (size_t p = 0; p < 4; ++p) {
    for (size_t q = 0; q < 4; ++q) CHECK(r.proximity.at(p, q) == Approx(phi[p][q]).epsilon(1e-15));
  }
  // Σ_p' φ_pp' = 4/3, 7/6, 4/3, 5/6. ω_cp = Σ_p' M_cp' φ_pp' / Σ_p' φ_pp', e.g.
  //   ω(r0,s0) = (φ01 + φ02) / (4/3) = (2/3 + 1/3) · 3/4 = 3/4   (a diagonal of 1 would give 1)
  //   ω(r0,s3) = (φ30 + φ31 + φ32) / (5/6) = (1/3 + 0 + 1/2) · 6/5 = 1
  //   ω(r2,s1) = (φ10 + φ13) / (7/6) = (2/3) · 6/7 = 4/7
  //   ω(r3,s2) = φ23 / (4/3) = 3/8
  const std::vector<std::vector<double>> density = {{3.0 / 4, 1, 5.0 / 8, 1},
                                                    {1.0 / 2, 4.0 / 7, 5.0 / 8, 2.0 / 5},
                                                    {1.0 / 4, 4.0 / 7, 5.0 / 8, 2.0 / 5},
                                                    {1.0 / 2, 3.0 / 7, 3.0 / 8, 3.0 / 5}};
  for (size_t c = 0; c < 4; ++c) {
    for (size_t p = 0; p < 4; ++p) {
      CHECK(r.density.at(c, p) == Approx(density[c][p]).epsilon(1e-14));
      CHECK(r.distance.at(c, p) == Approx(1 - density[c][p]).margin(1e-14));
    }
  }
}

TEST_CASE("complexity: PCI, ECI and opportunity gain of the hand example", "[complexity]") {
  Complexity r = ComputeComplexity(FromRows(kHand));
  // M̃_pp' = (1/k_p) Σ_c M_cp M_cp' / k_c with k_c = 3,2,2,2. Its characteristic polynomial is
  // (λ − 1)(λ − 1/4)(144λ² − 76λ + 1) / 144, so λ₂ = (76 + √5200) / 288 = (19 + 5√13) / 72.
  const double lambda2 = (19 + 5 * std::sqrt(13.0)) / 72;
  CheckStandardisedEigenvector(MTilde(r, true), r.pci, lambda2);
  CheckStandardisedEigenvector(MTilde(r, false), r.eci, lambda2);
  // The reflections reach the same vector, sign included.
  std::vector<double> reflections = PciByReflections(r);
  for (size_t p = 0; p < 4; ++p) CHECK(r.pci[p] == Approx(reflections[p]).margin(1e-9));
  // Sign: with mean 0 and k_c = (3,2,2,2), corr(ECI, k_c) > 0 means ECI(r0) > 0. M is symmetric
  // (region i specialises in segment j iff region j in segment i), so one orientation for both
  // indices makes them equal.
  CHECK(r.eci[0] > 0);
  CHECK(Correlation(r.eci, r.diversity) > 0);
  CheckSameVector(r.eci, r.pci, 1e-12);

  // Opportunity gain, Σ_p' [φ_pp' / Σ_p'' φ_p''p'] (1 − M_cp') PCI_p' − ω_cp PCI_p:
  //   r0 lacks only s3 and φ33 = 0, so OG(r0,s3) = −ω(r0,s3) PCI_3 = −PCI_3.
  //   r1 lacks s2 and s3: OG(r1,s3) = φ32/(4/3) PCI_2 − (2/5) PCI_3 = (3/8) PCI_2 − (2/5) PCI_3,
  //                       OG(r1,s2) = φ23/(5/6) PCI_3 − (5/8) PCI_2 = (3/5) PCI_3 − (5/8) PCI_2.
  const std::vector<double>& pci = r.pci;
  CHECK(r.opportunity_gain.at(0, 3) == Approx(-pci[3]).epsilon(1e-12));
  CHECK(r.opportunity_gain.at(1, 3) == Approx(0.375 * pci[2] - 0.4 * pci[3]).epsilon(1e-12));
  CHECK(r.opportunity_gain.at(1, 2) == Approx(0.6 * pci[3] - 0.625 * pci[2]).epsilon(1e-12));
  for (size_t c = 0; c < 4; ++c) {
    for (size_t p = 0; p < 4; ++p) {
      if (r.m.at(c, p) == 1) {
        CHECK(r.opportunity_gain.at(c, p) == 0);
        continue;
      }
      // It is the change in opportunity value when the region gains the segment.
      std::vector<double> row(r.m.values.begin() + c * 4, r.m.values.begin() + c * 4 + 4);
      double before = OpportunityValue(row, r);
      row[p] = 1;
      CHECK(r.opportunity_gain.at(c, p) == Approx(OpportunityValue(row, r) - before).margin(1e-12));
    }
  }
}

TEST_CASE("complexity: PCI agrees with the method of reflections on a larger matrix",
          "[complexity]") {
  Complexity r = ComputeComplexity(RandomCounts(40, 15, 7));
  for (double k : r.diversity) REQUIRE(k > 0);  // one component: every PCI is defined
  std::vector<double> reflections = PciByReflections(r);
  for (size_t p = 0; p < 15; ++p) CHECK(r.pci[p] == Approx(reflections[p]).margin(1e-8));
  CHECK(Correlation(r.eci, r.diversity) > 0);
  // ECI is an increasing affine function of the mean PCI of the region's segments.
  std::vector<double> mean_pci(40, 0.0);
  for (size_t c = 0; c < 40; ++c) {
    for (size_t p = 0; p < 15; ++p) mean_pci[c] += r.m.at(c, p) * r.pci[p] / r.diversity[c];
  }
  CHECK(Correlation(mean_pci, r.eci) == Approx(1).epsilon(1e-12));
}

TEST_CASE("complexity: constant diversity falls back to PCI against ubiquity", "[complexity]") {
  // M: r0 {s0 s1}, r1 {s1 s2}, r2 {s2 s3}, r3 {s2 s3}: every diversity is 2, ubiquity 1,2,3,2.
  Complexity r = ComputeComplexity(
      FromRows({{4, 2, 0, 0}, {0, 2, 2, 0}, {1, 1, 1, 1}, {0, 0, 1, 3}}));
  REQUIRE(r.diversity == std::vector<double>{2, 2, 2, 2});
  REQUIRE(std::isfinite(r.pci[0]));
  CHECK(Correlation(r.pci, r.ubiquity) < 0);
}

TEST_CASE("complexity: proximity is symmetric, in [0, 1], with a zero diagonal", "[complexity]") {
  Complexity r = ComputeComplexity(RandomCounts(60, 25, 11));
  for (size_t p = 0; p < 25; ++p) {
    CHECK(r.proximity.at(p, p) == 0);
    for (size_t q = 0; q < 25; ++q) {
      CHECK(r.proximity.at(p, q) == r.proximity.at(q, p));
      CHECK(r.proximity.at(p, q) >= 0);
      CHECK(r.proximity.at(p, q) <= 1);
    }
  }
}

TEST_CASE("complexity: zero rows and columns, and segments nobody specialises in", "[complexity]") {
  // r2 has no activity, s3 has none.
  Matrix x = FromRows({{5, 0, 1, 0}, {1, 5, 6, 0}, {0, 0, 0, 0}, {4, 3, 1, 0}, {4, 5, 0, 0}});
  Complexity r = ComputeComplexity(x);
  for (size_t p = 0; p < 4; ++p) CHECK(r.rca.at(2, p) == 0);
  for (size_t c = 0; c < 5; ++c) CHECK(r.rca.at(c, 3) == 0);
  CHECK(r.diversity[2] == 0);
  CHECK(r.ubiquity[3] == 0);
  for (size_t p = 0; p < 4; ++p) CHECK(r.proximity.at(3, p) == 0);
  for (size_t c = 0; c < 5; ++c) {
    CHECK(r.density.at(c, 3) == 0);
    CHECK(r.distance.at(c, 3) == 1);
    CHECK(std::isnan(r.opportunity_gain.at(c, 3)));
  }
  CHECK(std::isnan(r.eci[2]));
  CHECK(std::isnan(r.pci[3]));
  for (size_t c : {0, 1, 3, 4}) CHECK(std::isfinite(r.eci[c]));
  for (size_t p : {0, 1, 2}) CHECK(std::isfinite(r.pci[p]));

  // A threshold nobody reaches in s1 (its best RCA, r4's, is (5/9)/(13/35) ≈ 1.50): ubiquity 0,
  // proximity 0, while s0 and s2 keep specialists.
  ComplexityOptions high;
  high.rca_threshold = 2;
  Complexity h = ComputeComplexity(x, high);
  REQUIRE(h.ubiquity[1] == 0);
  REQUIRE(h.ubiquity[0] > 0);
  REQUIRE(h.ubiquity[2] > 0);
  for (size_t p = 0; p < 4; ++p) CHECK(h.proximity.at(1, p) == 0);
  for (size_t c = 0; c < 5; ++c) CHECK(h.density.at(c, 1) == 0);
}

TEST_CASE("complexity: undefined PCI and ECI are NaN, never an error", "[complexity]") {
  SECTION("empty and all-zero inputs") {
    Complexity e = ComputeComplexity(Matrix(0, 0));
    CHECK(e.pci.empty());
    CHECK(e.eci.empty());
    Complexity z = ComputeComplexity(Matrix(3, 4));
    for (double v : z.rca.values) CHECK(v == 0);
    for (double v : z.proximity.values) CHECK(v == 0);
    for (double v : z.distance.values) CHECK(v == 1);
    for (double v : z.pci) CHECK(std::isnan(v));
    for (double v : z.eci) CHECK(std::isnan(v));
  }
  SECTION("one region") {
    Complexity r = ComputeComplexity(FromRows({{1, 2, 3}}));
    for (double v : r.pci) CHECK(std::isnan(v));
    for (double v : r.eci) CHECK(std::isnan(v));
  }
  SECTION("every region specialises in every segment: λ₂ = 0") {
    Complexity r = ComputeComplexity(FromRows({{1, 2}, {2, 4}, {3, 6}}));
    for (double v : r.m.values) REQUIRE(v == 1);
    for (double v : r.pci) CHECK(std::isnan(v));
    for (double v : r.eci) CHECK(std::isnan(v));
    CHECK(r.density.at(0, 0) == 1);
  }
  SECTION("each region alone in its segment: components of one region") {
    Complexity r = ComputeComplexity(FromRows({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
    for (double v : r.pci) CHECK(std::isnan(v));
    for (double v : r.eci) CHECK(std::isnan(v));
  }
}

TEST_CASE("complexity: disconnected blocks get indices on the largest component only",
          "[complexity]") {
  // The hand example (regions 0–3 × segments 0–3) beside a 2 × 2 block (regions 4–5 × segments
  // 4–5) that shares no activity with it. The larger total only raises the hand block's RCAs, so
  // its M is unchanged, and the small block is complete (every RCA ≥ 1): two components, 8 and 4
  // nodes. The indices of the hand block are those of the hand example alone.
  Matrix x(6, 6);
  for (size_t c = 0; c < 4; ++c) {
    for (size_t p = 0; p < 4; ++p) x.at(c, p) = kHand[c][p];
  }
  x.at(4, 4) = 4, x.at(4, 5) = 1, x.at(5, 4) = 1, x.at(5, 5) = 4;
  Complexity r = ComputeComplexity(x);
  Complexity hand = ComputeComplexity(FromRows(kHand));
  for (size_t i = 0; i < 4; ++i) {
    CHECK(r.eci[i] == Approx(hand.eci[i]).margin(1e-12));
    CHECK(r.pci[i] == Approx(hand.pci[i]).margin(1e-12));
  }
  for (size_t i = 4; i < 6; ++i) {
    CHECK(std::isnan(r.eci[i]));
    CHECK(std::isnan(r.pci[i]));
    CHECK(r.m.at(i, i) == 1);
  }

  // Two copies of one block, interleaved: regions {1, 2, 4} × segments {1, 3, 4} and regions
  // {0, 3, 5} × segments {0, 2, 5}. Equal sizes: the component holding region 0 wins.
  Complexity tie = ComputeComplexity(FromRows({{4, 0, 1, 0, 0, 0},
                                               {0, 4, 0, 1, 0, 0},
                                               {0, 1, 0, 3, 1, 0},
                                               {1, 0, 3, 0, 0, 1},
                                               {0, 0, 0, 2, 3, 0},
                                               {0, 0, 2, 0, 0, 3}}));
  for (size_t c : {0, 3, 5}) CHECK(std::isfinite(tie.eci[c]));
  for (size_t c : {1, 2, 4}) CHECK(std::isnan(tie.eci[c]));
  for (size_t p : {0, 2, 5}) CHECK(std::isfinite(tie.pci[p]));
  for (size_t p : {1, 3, 4}) CHECK(std::isnan(tie.pci[p]));
}

TEST_CASE("complexity: scaling the activity changes nothing", "[complexity]") {
  Matrix x = RandomCounts(30, 12, 3);
  Complexity base = ComputeComplexity(x);
  // Integer counts times 1000 or 2.5 stay exact, so every share, hence every RCA, is the same
  // double: M cannot flip even where an RCA is exactly 1.
  for (double factor : {1000.0, 2.5}) {
    Matrix scaled = x;
    for (double& v : scaled.values) v *= factor;
    CheckSameResult(ComputeComplexity(scaled), base);
  }
}

TEST_CASE("complexity: permuting regions or segments permutes the results", "[complexity]") {
  const size_t nr = 25, ns = 12;
  Matrix x = RandomCounts(nr, ns, 5);
  Complexity base = ComputeComplexity(x);
  std::vector<size_t> rp(nr), sp(ns);
  std::iota(rp.begin(), rp.end(), 0);
  std::iota(sp.begin(), sp.end(), 0);
  std::mt19937 rng(99);
  std::shuffle(rp.begin(), rp.end(), rng);
  std::shuffle(sp.begin(), sp.end(), rng);
  // Row i of the permuted input is row rp[i] of the original; column j is column sp[j].
  Matrix px(nr, ns);
  for (size_t i = 0; i < nr; ++i) {
    for (size_t j = 0; j < ns; ++j) px.at(i, j) = x.at(rp[i], sp[j]);
  }
  Complexity p = ComputeComplexity(px);
  auto same = [](double a, double b, double margin) {
    if (std::isnan(b)) return std::isnan(a);
    return a == Approx(b).margin(margin);
  };
  for (size_t i = 0; i < nr; ++i) {
    CHECK(p.diversity[i] == base.diversity[rp[i]]);
    CHECK(same(p.eci[i], base.eci[rp[i]], 1e-9));
    for (size_t j = 0; j < ns; ++j) {
      CHECK(same(p.rca.at(i, j), base.rca.at(rp[i], sp[j]), 1e-12));
      CHECK(p.m.at(i, j) == base.m.at(rp[i], sp[j]));
      CHECK(same(p.density.at(i, j), base.density.at(rp[i], sp[j]), 1e-12));
      CHECK(same(p.opportunity_gain.at(i, j), base.opportunity_gain.at(rp[i], sp[j]), 1e-9));
    }
  }
  for (size_t j = 0; j < ns; ++j) {
    CHECK(p.ubiquity[j] == base.ubiquity[sp[j]]);
    CHECK(same(p.pci[j], base.pci[sp[j]], 1e-9));
    for (size_t k = 0; k < ns; ++k) {
      CHECK(same(p.proximity.at(j, k), base.proximity.at(sp[j], sp[k]), 1e-12));
    }
  }
}

TEST_CASE("complexity: threads do not change the result", "[complexity]") {
  // Large enough for the products to be split; with 33% zeros M is dense, with 85% it is
  // multiplied as a sparse matrix.
  for (unsigned zero_percent : {33u, 85u}) {
    Matrix x = RandomCounts(400, 160, 13, zero_percent);
    ComplexityOptions one, two;
    one.threads = 1;
    two.threads = 2;
    CheckSameResult(ComputeComplexity(x, two), ComputeComplexity(x, one), 1e-12);
  }
}

TEST_CASE("complexity: malformed input is rejected", "[complexity]") {
  Matrix x = FromRows({{1, 2}, {3, 4}});
  Matrix negative = x, nan = x, inf = x, short_values = x;
  negative.at(1, 0) = -1;
  nan.at(0, 1) = std::nan("");
  inf.at(0, 0) = INFINITY;
  short_values.values.pop_back();
  CHECK(CodeOf(negative) == ErrorCode::kInvalidArgument);
  CHECK(CodeOf(nan) == ErrorCode::kInvalidArgument);
  CHECK(CodeOf(inf) == ErrorCode::kInvalidArgument);
  CHECK(CodeOf(short_values) == ErrorCode::kInvalidArgument);
  Matrix huge = FromRows({{1e308, 1e308}, {1e308, 1e308}});
  CHECK(CodeOf(huge) == ErrorCode::kInvalidArgument);  // the total overflows
  for (double threshold : {0.0, -1.0, std::nan(""), double(INFINITY)}) {
    ComplexityOptions options;
    options.rca_threshold = threshold;
    CHECK(CodeOf(x, options) == ErrorCode::kInvalidArgument);
  }
  ComplexityOptions bad_threads;
  bad_threads.threads = -1;
  CHECK(CodeOf(x, bad_threads) == ErrorCode::kInvalidArgument);
}

// Hidden (run with "[.slow]"): half of M is 1 here, the dense worst case; on an idle two-core
// machine it takes about 0.4 s, and a machine busy with other work can push it past the bound.
TEST_CASE("complexity: 3000 regions × 600 segments well under a second", "[complexity][.slow]") {
  std::mt19937 rng(1);
  Matrix x(3000, 600);
  for (double& v : x.values) v = static_cast<double>(rng() % 1000) / 10.0;
  auto start = std::chrono::steady_clock::now();
  Complexity r = ComputeComplexity(x);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("3000 × 600: " << seconds << " s");
  CHECK(std::isfinite(r.pci[0]));
  CHECK(seconds < 1.0);
}

// ---- the sparse path (SparseComplexity: relatedness tables of any size) -------------------------

namespace {

using kernels::ActivityCell;
using kernels::ComputeSparseComplexity;
using kernels::Densify;
using kernels::SparseComplexity;

// The largest |a − b| over two matrices of one shape; infinity where one holds a NaN the other
// does not. One CHECK per matrix keeps the large cases fast.
double MaxDifference(const Matrix& a, const Matrix& b) {
  if (a.rows != b.rows || a.cols != b.cols) return INFINITY;
  double worst = 0;
  for (size_t i = 0; i < a.values.size(); ++i) {
    double x = a.values[i], y = b.values[i];
    if (std::isnan(x) != std::isnan(y)) return INFINITY;
    if (!std::isnan(x)) worst = std::max(worst, std::abs(x - y));
  }
  return worst;
}

double MaxDifference(const std::vector<double>& a, const std::vector<double>& b) {
  Matrix ma(a.size(), 1), mb(b.size(), 1);
  ma.values = a;
  mb.values = b;
  return MaxDifference(ma, mb);
}

void CheckSparseAgrees(const Matrix& x, const ComplexityOptions& options = {}) {
  Complexity dense = ComputeComplexity(x, options);
  Complexity sparse = Densify(ComputeSparseComplexity(x, options));
  CHECK(MaxDifference(sparse.rca, dense.rca) <= 1e-12);
  CHECK(MaxDifference(sparse.m, dense.m) == 0);
  CHECK(MaxDifference(sparse.diversity, dense.diversity) == 0);
  CHECK(MaxDifference(sparse.ubiquity, dense.ubiquity) == 0);
  CHECK(MaxDifference(sparse.proximity, dense.proximity) == 0);  // integer / integer, both
  CHECK(MaxDifference(sparse.density, dense.density) <= 1e-12);
  CHECK(MaxDifference(sparse.distance, dense.distance) <= 1e-12);
  CHECK(MaxDifference(sparse.pci, dense.pci) <= 1e-9);
  CHECK(MaxDifference(sparse.eci, dense.eci) <= 1e-9);
  CHECK(MaxDifference(sparse.opportunity_gain, dense.opportunity_gain) <= 1e-9);
}

}  // namespace

TEST_CASE("sparse complexity: the hand example, exactly where the values are exact",
          "[complexity][sparse]") {
  CheckSparseAgrees(FromRows(kHand));
  SparseComplexity s = ComputeSparseComplexity(FromRows(kHand));
  // As the dense test: φ and ω of the hand example are small fractions; the sparse path divides
  // integer class totals once, so they come out exact (the dense product rounds at 1e-16).
  CHECK(s.Proximity(0, 1) == 2.0 / 3);
  CHECK(s.Proximity(1, 3) == 0);
  CHECK(s.Proximity(1, 1) == 0);
  const std::vector<std::vector<double>> density = {{3.0 / 4, 1, 5.0 / 8, 1},
                                                    {1.0 / 2, 4.0 / 7, 5.0 / 8, 2.0 / 5},
                                                    {1.0 / 4, 4.0 / 7, 5.0 / 8, 2.0 / 5},
                                                    {1.0 / 2, 3.0 / 7, 3.0 / 8, 3.0 / 5}};
  for (size_t c = 0; c < 4; ++c) {
    SparseComplexity::RowMeasures row = s.Row(c);
    for (size_t p = 0; p < 4; ++p) CHECK(row.density[p] == density[c][p]);  // exactly
  }
}

TEST_CASE("sparse complexity: agrees with the dense path", "[complexity][sparse]") {
  CheckSparseAgrees(RandomCounts(30, 12, 3));
  CheckSparseAgrees(RandomCounts(12, 30, 4));  // more segments than regions
  CheckSparseAgrees(RandomCounts(400, 160, 13, 33));
  CheckSparseAgrees(RandomCounts(400, 160, 13, 85));
  ComplexityOptions high;
  high.rca_threshold = 1.5;
  CheckSparseAgrees(RandomCounts(40, 15, 8), high);
  // Revenue-like values (not integers).
  Matrix revenue = RandomCounts(60, 25, 21, 60);
  for (double& v : revenue.values) v = v * 1234.567 / 7.0;
  CheckSparseAgrees(revenue);
  // Two disconnected blocks, zero rows and columns, degenerate tables.
  Matrix blocks(6, 6);
  for (size_t c = 0; c < 4; ++c) {
    for (size_t p = 0; p < 4; ++p) blocks.at(c, p) = kHand[c][p];
  }
  blocks.at(4, 4) = 4, blocks.at(4, 5) = 1, blocks.at(5, 4) = 1, blocks.at(5, 5) = 4;
  CheckSparseAgrees(blocks);
  CheckSparseAgrees(FromRows({{1, 0, 2, 0}, {0, 0, 0, 0}, {3, 0, 1, 0}}));
  CheckSparseAgrees(FromRows({{1, 2, 3}}));
  CheckSparseAgrees(FromRows({{0, 0}, {0, 0}}));
  CheckSparseAgrees(FromRows({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}}));
}

TEST_CASE("sparse complexity: cells in any order, repeated cells summed, bad cells rejected",
          "[complexity][sparse]") {
  std::vector<ActivityCell> cells;
  for (size_t c = 0; c < 4; ++c) {
    for (size_t p = 0; p < 4; ++p) {
      if (kHand[c][p] > 0) cells.push_back({uint32_t(c), uint32_t(p), kHand[c][p]});
    }
  }
  std::reverse(cells.begin(), cells.end());
  cells.push_back({0, 0, 0.0});  // a zero cell is no cell
  // r1 s1 = 3 given as 1 + 2.
  for (ActivityCell& cell : cells) {
    if (cell.row == 1 && cell.col == 1) cell.value = 1;
  }
  cells.push_back({1, 1, 2});
  SparseComplexity s = ComputeSparseComplexity(4, 4, cells);
  CHECK(s.Activity(1, 1) == 3);
  CHECK(s.Activity(3, 0) == 0);
  CHECK(MaxDifference(Densify(s).density, ComputeComplexity(FromRows(kHand)).density) <= 1e-12);
  auto code = [](size_t rows, size_t cols, std::vector<ActivityCell> c) {
    try {
      ComputeSparseComplexity(rows, cols, std::move(c));
    } catch (const Error& e) {
      return e.code();
    }
    return ErrorCode::kInternal;
  };
  CHECK(code(2, 2, {{2, 0, 1.0}}) == ErrorCode::kInvalidArgument);  // outside the table
  CHECK(code(2, 2, {{0, 2, 1.0}}) == ErrorCode::kInvalidArgument);
  CHECK(code(2, 2, {{0, 0, -1.0}}) == ErrorCode::kInvalidArgument);
  CHECK(code(2, 2, {{0, 0, std::nan("")}}) == ErrorCode::kInvalidArgument);
  CHECK(code(2, 2, {{0, 0, 1e308}, {1, 1, 1e308}}) == ErrorCode::kInvalidArgument);
}

// Above the 4000 segments the dense relatedness table used to refuse: the sparse path against the
// dense one on 30 regions × 4500 segments shaped like ChainKnowledgeGraph (most segments made in
// one or two regions, a few regions making a large share of them).
TEST_CASE("sparse complexity: 30 × 4500, above the old dense cap, agrees with the dense path",
          "[complexity][sparse]") {
  const size_t nr = 30, ns = 4500;
  std::mt19937 rng(2026);
  Matrix x(nr, ns);
  for (size_t p = 0; p < ns; ++p) {
    size_t makers = 1 + rng() % 3;
    for (size_t k = 0; k < makers; ++k) {
      // Skewed toward low region indices: region r with weight ~ 1 / (r + 1).
      size_t r = static_cast<size_t>(std::pow(double(nr), double(rng() % 1000) / 1000.0)) - 1;
      x.at(std::min(r, nr - 1), p) += 1 + rng() % 3;
    }
  }
  auto start = std::chrono::steady_clock::now();
  SparseComplexity s = ComputeSparseComplexity(x);
  for (size_t c = 0; c < nr; ++c) s.Row(c);
  double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  WARN("sparse 30 × 4500, every row: " << seconds << " s");
  size_t defined = 0;
  for (double v : s.pci) defined += std::isfinite(v) ? 1 : 0;
  CHECK(defined > 1000);
  CheckSparseAgrees(x);
}

// DensityRow (the gap analysis's row) against Row's density, bit for bit (memcmp, so that a
// 0.0 against −0.0 or a last-bit difference fails), on random tables of several shapes and
// sparsities with fixed seeds, with every region row asked.
TEST_CASE("sparse complexity: DensityRow equals Row's density bit for bit",
          "[complexity][sparse]") {
  auto check = [](const SparseComplexity& s) {
    for (size_t c = 0; c < s.rows; ++c) {
      const std::vector<double> fast = s.DensityRow(c);
      const std::vector<double> full = s.Row(c).density;
      REQUIRE(fast.size() == full.size());
      CHECK(std::memcmp(fast.data(), full.data(), fast.size() * sizeof(double)) == 0);
    }
  };
  struct Shape {
    size_t rows, cols;
    unsigned zero_percent;
  };
  unsigned seed = 100;
  for (Shape shape : {Shape{30, 12, 33}, Shape{12, 30, 50}, Shape{200, 60, 70}, Shape{300, 50, 90},
                      Shape{60, 200, 95}, Shape{5, 5, 0}}) {
    for (int round = 0; round < 4; ++round) {
      check(ComputeSparseComplexity(
          RandomCounts(shape.rows, shape.cols, seed++, shape.zero_percent)));
    }
  }
  // Revenue-like values, a higher threshold, the hand example, degenerate tables.
  Matrix revenue = RandomCounts(80, 40, 7, 60);
  for (double& v : revenue.values) v = v * 1234.567 / 7.0;
  check(ComputeSparseComplexity(revenue));
  ComplexityOptions high;
  high.rca_threshold = 1.5;
  check(ComputeSparseComplexity(RandomCounts(120, 45, 9, 40), high));
  check(ComputeSparseComplexity(FromRows(kHand)));
  check(ComputeSparseComplexity(FromRows({{1, 0, 2, 0}, {0, 0, 0, 0}, {3, 0, 1, 0}})));
  check(ComputeSparseComplexity(FromRows({{0, 0}, {0, 0}})));
  check(ComputeSparseComplexity(FromRows({{1, 0, 0}, {0, 1, 0}, {0, 0, 1}})));
  // Shaped like a county table: many regions, each making few segments of a track.
  const size_t nr = 2000, ns = 50;
  std::mt19937 rng(2026);
  std::vector<ActivityCell> cells;
  for (size_t c = 0; c < nr; ++c) {
    size_t made = rng() % 8;
    for (size_t k = 0; k < made; ++k) {
      cells.push_back({uint32_t(c), uint32_t(rng() % ns), double(1 + rng() % 4)});
    }
  }
  check(ComputeSparseComplexity(nr, ns, cells));
}
