#!/usr/bin/python3
"""Checks complexity_tool (kernels/complexity.cc) against an independent NumPy computation.

Each measure is computed here the plain textbook way, on purpose not the way the C++ does it:
proximity as the minimum of the two conditional probabilities, density with explicit
normalisation, PCI and ECI each from np.linalg.eig on its own non-symmetric M-tilde (the C++
diagonalises one symmetrised side and maps it to the other), and the opportunity gain from the
Atlas formula row by row, plus a check that it equals the change in opportunity value when a
region gains the segment.

Conventions shared with the C++ (complexity.cc documents them): RCA is 0 where a row or column
sums to 0; PCI and ECI live on the largest connected component of the region-segment graph of M
(most nodes; ties to the lowest region index) and are NaN elsewhere; they are standardised with the
population standard deviation; ECI correlates positively with diversity and PCI is oriented so that
it correlates positively with the mean ECI of the regions that specialise in the segment; the
opportunity gain is 0 where M = 1 and NaN where the PCI is NaN.

Every case runs through both paths of the tool: the dense ComputeComplexity and the sparse
ComputeSparseComplexity (--sparse). One more case, 30 x 4500 shaped like ChainKnowledgeGraph, is
above the 4000 segments the dense relatedness table used to refuse; it runs the sparse path only
(--no-proximity) against a vectorised NumPy reference: there PCI comes from the ECI eigenvector
(q = D_p^-1 M^T e, the same eigenvalue) and is checked to be an eigenvector of M-tilde_pp' by
matrix-vector products, since a 4500 x 4500 eigen-decomposition in NumPy would take minutes.

Usage: /usr/bin/python3 complexity_reference.py --tool build/tests/complexity_tool
Exits 0 when every case agrees, 1 with a message naming the case, measure and entry otherwise.
"""
import argparse
import json
import subprocess
import sys

import numpy as np
from scipy.sparse import csr_matrix
from scipy.sparse.csgraph import connected_components

EIGEN_GAP = 1e-9
TOL = 1e-9  # RCA, M, proximity, density, distance, opportunity gain
TOL_INDEX = 1e-6  # PCI and ECI


class Mismatch(Exception):
    pass


# ---------------------------------------------------------------------------------------------
# The reference computation.


def rca_of(x):
    row = x.sum(axis=1, keepdims=True)
    col = x.sum(axis=0, keepdims=True)
    total = x.sum()
    with np.errstate(divide="ignore", invalid="ignore"):
        rca = (x / row) / (col / total)
    return np.where(np.isfinite(rca), rca, 0.0)


def proximity_of(m):
    kp = m.sum(axis=0)
    together = m.T @ m  # regions specialising in both p and p'
    with np.errstate(divide="ignore", invalid="ignore"):
        given = together / kp[np.newaxis, :]  # P(p | p') = together[p, p'] / k_p'
        phi = np.minimum(given, given.T)
    phi = np.where(np.isfinite(phi), phi, 0.0)
    np.fill_diagonal(phi, 0.0)
    return phi


def density_of(m, phi):
    out = np.zeros(m.shape)
    for p in range(m.shape[1]):
        total = phi[p, :].sum()
        if total > 0:
            out[:, p] = (m * phi[p, :][np.newaxis, :]).sum(axis=1) / total
    return out


def largest_component(m):
    """Regions and segments of the largest connected component (ties: lowest region index)."""
    nc, np_ = m.shape
    adjacency = np.zeros((nc + np_, nc + np_))
    adjacency[:nc, nc:] = m
    adjacency[nc:, :nc] = m.T
    _, labels = connected_components(csr_matrix(adjacency), directed=False)
    best, best_key = None, None
    for label in np.unique(labels):
        nodes = np.flatnonzero(labels == label)
        regions = nodes[nodes < nc]
        segments = nodes[nodes >= nc] - nc
        if len(regions) == 0 or len(segments) == 0:
            continue  # an isolated region or segment (no M = 1 at all)
        key = (len(nodes), -regions.min())
        if best_key is None or key > best_key:
            best, best_key = (regions, segments), key
    return best


def second_eigenvector(mtilde):
    values, vectors = np.linalg.eig(mtilde)
    order = np.argsort(-values.real)
    values = values.real[order]
    vectors = vectors.real[:, order]
    l1, l2 = values[0], values[1]
    l3 = values[2] if len(values) > 2 else -1.0
    if l1 - l2 <= EIGEN_GAP or l2 <= EIGEN_GAP or l2 - l3 <= EIGEN_GAP:
        return None
    return vectors[:, 1]


def standardise(v):
    sd = v.std()
    if not sd > 1e-12 * max(1.0, np.abs(v).max()):
        return None
    return (v - v.mean()) / sd


def indices_of(m):
    nc, np_ = m.shape
    eci = np.full(nc, np.nan)
    pci = np.full(np_, np.nan)
    component = largest_component(m)
    if component is None:
        return eci, pci
    regions, segments = component
    if len(regions) < 2 or len(segments) < 2:
        return eci, pci
    mc = m[np.ix_(regions, segments)]
    kc = mc.sum(axis=1)
    kp = mc.sum(axis=0)
    # M~_cc' = sum_p M_cp M_c'p / (k_c k_p), M~_pp' = sum_c M_cp M_cp' / (k_c k_p), as written.
    mtilde_c = np.zeros((len(regions), len(regions)))
    for c in range(len(regions)):
        for c2 in range(len(regions)):
            mtilde_c[c, c2] = (mc[c, :] * mc[c2, :] / kp).sum() / kc[c]
    mtilde_p = np.zeros((len(segments), len(segments)))
    for p in range(len(segments)):
        for p2 in range(len(segments)):
            mtilde_p[p, p2] = (mc[:, p] * mc[:, p2] / kc).sum() / kp[p]
    e = second_eigenvector(mtilde_c)
    q = second_eigenvector(mtilde_p)
    if e is None or q is None:
        return eci, pci
    e, q = standardise(e), standardise(q)
    if e is None or q is None:
        return eci, pci
    # ECI correlates positively with diversity; where diversity is constant, PCI correlates
    # negatively with ubiquity; where both are constant, the largest |ECI| is positive.
    # PCI then correlates positively with the mean ECI of the regions specialising in it.
    sign = correlation_sign(kc, e)
    if sign == 0:
        by_ubiquity = -correlation_sign(kp, q)
        if by_ubiquity != 0:
            sign = correlation_sign((mc @ (by_ubiquity * q)) / kc, e)
        else:
            sign = 1 if e[np.argmax(np.abs(e))] >= 0 else -1
    e = sign * e
    q = correlation_sign((mc.T @ e) / kp, q) * q
    eci[regions] = e
    pci[segments] = q
    return eci, pci


def correlation_sign(a, b):
    a, b = a - a.mean(), b - b.mean()
    cov, scale = a @ b, np.linalg.norm(a) * np.linalg.norm(b)
    if not scale > 0 or abs(cov) <= 1e-12 * scale:
        return 0
    return 1 if cov > 0 else -1


def opportunity_gain_of(m, phi, density, pci):
    """Atlas of Economic Complexity (2014), Technical Box 5.4, for M_cp = 0:
    OG_cp = sum_p' [phi_pp' / sum_p'' phi_p''p'] (1 - M_cp') PCI_p' - (1 - d_cp) PCI_p."""
    nc, np_ = m.shape
    known = np.where(np.isfinite(pci), pci, 0.0)
    column_total = phi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(column_total[np.newaxis, :] > 0, phi / column_total[np.newaxis, :], 0.0)
    distance = 1.0 - density
    out = np.zeros((nc, np_))
    for c in range(nc):
        opened = weight @ ((1.0 - m[c, :]) * known)
        out[c, :] = opened - (1.0 - distance[c, :]) * known
    out[m == 1] = 0.0
    out[:, ~np.isfinite(pci)] = np.nan
    return out


def opportunity_value(m_row, phi, pci):
    """OV_c = sum_p (1 - d_cp)(1 - M_cp) PCI_p for one region, with phi and PCI held fixed."""
    dens = density_of(m_row[np.newaxis, :], phi)[0]
    known = np.where(np.isfinite(pci), pci, 0.0)
    return ((dens * (1.0 - m_row)) * known).sum()


def reference(x, threshold):
    rca = rca_of(x)
    m = (rca >= threshold).astype(float)
    phi = proximity_of(m)
    density = density_of(m, phi)
    eci, pci = indices_of(m)
    return {
        "rca": rca,
        "m": m,
        "diversity": m.sum(axis=1),
        "ubiquity": m.sum(axis=0),
        "proximity": phi,
        "density": density,
        "distance": 1.0 - density,
        "pci": pci,
        "eci": eci,
        "opportunity_gain": opportunity_gain_of(m, phi, density, pci),
    }


# ---------------------------------------------------------------------------------------------
# Running the tool and comparing.


def run_tool(tool, x, threshold=None, extra=()):
    csv = "\n".join(",".join(repr(float(v)) for v in row) for row in x) + "\n"
    args = [tool] + (["--threshold", repr(threshold)] if threshold is not None else []) + list(extra)
    done = subprocess.run(args, input=csv, capture_output=True, text=True)
    return done.returncode, done.stdout, done.stderr


def compare(case, name, got, want, tol):
    got = np.array([np.nan if v is None else v for v in np.ravel(np.array(got, dtype=object))],
                   dtype=float).reshape(np.shape(want))
    nan_got, nan_want = np.isnan(got), np.isnan(want)
    if (nan_got != nan_want).any():
        at = np.argwhere(nan_got != nan_want)[0]
        raise Mismatch(f"{case}: {name}{list(at)}: tool {got[tuple(at)]}, NumPy {want[tuple(at)]}"
                       " (NaN in one only)")
    ok = ~nan_want
    error = np.abs(got[ok] - want[ok]) / np.maximum(1.0, np.abs(want[ok]))
    if error.size and error.max() > tol:
        at = np.argwhere(ok)[np.argmax(error)]
        raise Mismatch(f"{case}: {name}{list(at)}: tool {got[tuple(at)]!r}, NumPy "
                       f"{want[tuple(at)]!r} (relative error {error.max():.3g} > {tol:g})")


def check_case(tool, case, x, threshold=None, expect_indices=True, extra=()):
    code, out, err = run_tool(tool, x, threshold, extra)
    if code != 0:
        raise Mismatch(f"{case}: complexity_tool exited {code}: {err.strip()}")
    got = json.loads(out)
    want = reference(np.asarray(x, dtype=float), 1.0 if threshold is None else threshold)
    for name in ["rca", "m", "diversity", "ubiquity", "proximity", "density", "distance",
                 "opportunity_gain"]:
        compare(case, name, got[name], want[name], TOL)
    for name in ["pci", "eci"]:
        compare(case, name, got[name], want[name], TOL_INDEX)
    if expect_indices and np.isnan(want["pci"]).all():
        raise Mismatch(f"{case}: expected PCI to be defined (fix the test matrix)")
    # The documented sign: ECI correlates positively with diversity.
    eci = want["eci"]
    defined = np.isfinite(eci)
    if defined.sum() >= 2 and np.std(want["diversity"][defined]) > 0:
        if np.corrcoef(eci[defined], want["diversity"][defined])[0, 1] <= 0:
            raise Mismatch(f"{case}: ECI does not correlate positively with diversity")
    # The opportunity gain is the change in opportunity value when c gains p (Box 5.4).
    m, phi, pci = want["m"], want["proximity"], want["pci"]
    rng = np.random.default_rng(len(case))
    for _ in range(min(20, m.size)):
        c, p = rng.integers(m.shape[0]), rng.integers(m.shape[1])
        if m[c, p] == 1 or not np.isfinite(pci[p]):
            continue
        gained = m[c, :].copy()
        gained[p] = 1.0
        delta = opportunity_value(gained, phi, pci) - opportunity_value(m[c, :], phi, pci)
        og = want["opportunity_gain"][c, p]
        if abs(delta - og) > TOL * max(1.0, abs(og)):
            raise Mismatch(f"{case}: OG[{c},{p}] = {og!r} but the opportunity value changes by "
                           f"{delta!r} when the region gains the segment")
    defined_pci = int(np.isfinite(want["pci"]).sum())
    print(f"ok   {case}: {x.shape[0]}x{x.shape[1]}, M {m.mean():.0%} ones, PCI on "
          f"{defined_pci} segments")


def check_rejected(tool, case, csv, expected_code):
    done = subprocess.run([tool], input=csv, capture_output=True, text=True)
    if done.returncode != expected_code:
        raise Mismatch(f"{case}: expected exit {expected_code}, got {done.returncode} "
                       f"({done.stderr.strip()})")
    print(f"ok   {case}: rejected with exit {expected_code}")


def sparse_counts(rng, regions, segments, zero_rows=(), zero_cols=()):
    """Enterprise-count-like data: Poisson counts with gamma-distributed rates."""
    rates = rng.gamma(0.4, 2.0, size=(regions, segments))
    x = rng.poisson(rates).astype(float)
    x[list(zero_rows), :] = 0
    x[:, list(zero_cols)] = 0
    return x


def ckg_like(rng, regions, segments):
    """Most segments made in one to three regions, a few regions making most of them."""
    x = np.zeros((regions, segments))
    weights = 1.0 / np.arange(1, regions + 1)
    weights /= weights.sum()
    for p in range(segments):
        for r in rng.choice(regions, size=rng.integers(1, 4), p=weights):
            x[r, p] += rng.integers(1, 4)
    return x


def check_large_sparse(tool, x):
    case = f"sparse: ChainKnowledgeGraph-like {x.shape[0]}x{x.shape[1]} (above the old cap)"
    code, out, err = run_tool(tool, x, None, ["--sparse", "--no-proximity"])
    if code != 0:
        raise Mismatch(f"{case}: complexity_tool exited {code}: {err.strip()}")
    got = json.loads(out)
    rca = rca_of(x)
    m = (rca >= 1.0).astype(float)
    kp = m.sum(axis=0)
    together = m.T @ m
    with np.errstate(divide="ignore", invalid="ignore"):
        phi = np.where(together > 0, together / np.maximum.outer(kp, kp), 0.0)
    np.fill_diagonal(phi, 0.0)
    strength = phi.sum(axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        density = np.where(strength > 0, (m @ phi) / strength, 0.0)
    for name, want in [("rca", rca), ("m", m), ("diversity", m.sum(axis=1)), ("ubiquity", kp),
                       ("density", density), ("distance", 1.0 - density)]:
        compare(case, name, got[name], want, TOL)
    # ECI from M-tilde_cc' (regions x regions), written out; PCI from it and checked.
    comp = largest_component(m)
    regions, segments = comp
    mc = m[np.ix_(regions, segments)]
    kc, kpc = mc.sum(axis=1), mc.sum(axis=0)
    mtilde_c = (mc / kpc[np.newaxis, :]) @ mc.T / kc[:, np.newaxis]
    values, vectors = np.linalg.eig(mtilde_c)
    order = np.argsort(-values.real)
    lam2, e_raw = values.real[order[1]], vectors.real[:, order[1]]
    q_raw = (mc.T @ e_raw) / kpc
    # q_raw is an eigenvector of M-tilde_pp' = D_p^-1 M^T D_c^-1 M for lam2: check it.
    mq = (mc.T @ ((mc @ q_raw) / kc)) / kpc
    if np.abs(mq - lam2 * q_raw).max() > 1e-9 * np.abs(q_raw).max():
        raise Mismatch(f"{case}: the reference PCI is not an eigenvector of M-tilde_pp'")
    e, q = standardise(e_raw), standardise(q_raw)
    sign = correlation_sign(kc, e)
    eci = np.full(x.shape[0], np.nan)
    pci = np.full(x.shape[1], np.nan)
    eci[regions], pci[segments] = sign * e, sign * q
    compare(case, "eci", got["eci"], eci, TOL_INDEX)
    compare(case, "pci", got["pci"], pci, TOL_INDEX)
    known = np.where(np.isfinite(pci), pci, 0.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        weight = np.where(strength[np.newaxis, :] > 0, phi / strength[np.newaxis, :], 0.0)
    gain = ((1.0 - m) * known[np.newaxis, :]) @ weight.T - density * known[np.newaxis, :]
    gain[m == 1] = 0.0
    gain[:, ~np.isfinite(pci)] = np.nan
    compare(case, "opportunity_gain", got["opportunity_gain"], gain, TOL)
    print(f"ok   {case}: M {m.mean():.1%} ones, PCI on {int(np.isfinite(pci).sum())} segments")


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tool", required=True, help="path to the complexity_tool binary")
    tool = parser.parse_args().tool

    # The hand example of tests/complexity_test.cc.
    hand = np.array([[2, 2, 2, 0],
                     [3, 3, 0, 0],
                     [3, 0, 0, 3],
                     [0, 0, 3, 3]], dtype=float)
    # Every region has diversity 2: the sign falls back to PCI against ubiquity.
    flat_diversity = np.array([[4, 2, 0, 0],
                               [0, 2, 2, 0],
                               [1, 1, 1, 1],
                               [0, 0, 1, 3]], dtype=float)
    rng = np.random.default_rng(20240611)
    cases = [
        ("hand 4x4", hand, None),
        ("hand 4x4 with constant diversity", flat_diversity, None),
        ("dense 5x4", rng.integers(0, 10, size=(5, 4)).astype(float), None),
        ("counts 30x20 with zero rows and columns",
         sparse_counts(rng, 30, 20, zero_rows=[3, 17], zero_cols=[5]), None),
        ("counts 200x80 with zero rows and columns",
         sparse_counts(rng, 200, 80, zero_rows=[0, 50, 199], zero_cols=[7, 79]), None),
        ("revenue 60x25 (lognormal, 60% zeros)",
         np.where(rng.random((60, 25)) < 0.6, 0.0, rng.lognormal(3.0, 1.5, size=(60, 25))), None),
        ("counts 40x15 threshold 1.5", sparse_counts(rng, 40, 15), 1.5),
        ("counts 15x40 (more segments than regions)", sparse_counts(rng, 15, 40), None),
        # Under a quarter of M is 1 here, so the C++ multiplies with a sparse M.
        ("very sparse counts 300x60", sparse_counts(rng, 300, 60, zero_rows=[9]) *
         (rng.random((300, 60)) < 0.3), None),
    ]
    # Two disconnected blocks: the indices live on the larger one only.
    blocks = np.zeros((12, 9))
    blocks[:8, :6] = rng.integers(1, 6, size=(8, 6))
    blocks[8:, 6:] = rng.integers(1, 6, size=(4, 3))
    cases.append(("two blocks 12x9", blocks, None))

    failures = 0
    for path, extra in [("dense", []), ("sparse", ["--sparse"])]:
        for case, x, threshold in cases:
            try:
                check_case(tool, f"{path}: {case}", x, threshold, extra=extra)
            except Mismatch as e:
                print(f"FAIL {e}")
                failures += 1
        # Degenerate: one region specialises (PCI undefined everywhere), all-zero input.
        for case, x in [("one region", np.array([[1.0, 2.0, 3.0]])),
                        ("all zero 3x3", np.zeros((3, 3))),
                        ("identity 3x3 (three components of one region each)", np.eye(3))]:
            try:
                check_case(tool, f"{path}: {case}", x, expect_indices=False, extra=extra)
            except Mismatch as e:
                print(f"FAIL {e}")
                failures += 1
    try:
        check_large_sparse(tool, ckg_like(rng, 30, 4500))
    except Mismatch as e:
        print(f"FAIL {e}")
        failures += 1
    for case, csv, code in [("negative value", "1,2\n-1,3\n", 1),
                            ("NaN value", "1,2\nnan,3\n", 1),
                            ("ragged rows", "1,2\n3\n", 2),
                            ("not a number", "1,x\n", 2)]:
        try:
            check_rejected(tool, case, csv, code)
        except Mismatch as e:
            print(f"FAIL {e}")
            failures += 1
    if failures:
        print(f"complexity_reference: {failures} case(s) disagree with NumPy")
        return 1
    print("complexity_reference: all cases agree with NumPy")
    return 0


if __name__ == "__main__":
    sys.exit(main())
