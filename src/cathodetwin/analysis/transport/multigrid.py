"""Aggregation multigrid K-cycle preconditioner for the voxel conduction operator.

Each level halves the grid by grouping 2×2×2 voxels; the coarse operator is the Galerkin
product Pᵀ A P with piecewise-constant P, which keeps a 7-point stencil whose face conductances
are sums of the fine ones (exact for any conductivity contrast, insulating voxels included).
Piecewise-constant interpolation alone gives a V-cycle whose convergence degrades with depth;
the K-cycle (Notay & Vassilevski, Numer. Linear Algebra Appl. 15 (2008) 473) fixes that by
solving each coarse problem with two steps of flexible conjugate gradients preconditioned by the
next level. Smoothing is red-black Gauss-Seidel (forward before, backward after the coarse
correction). The coarsest level is factorised with a sparse LU on the host.

All grid work goes through an op table (``kernels.SERIAL``/``PARALLEL`` on the CPU,
``ops_cuda.CUDA`` on a GPU); only the coarsest level's vectors (≤ 4096 values) cross to the
host for the LU solve.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

COARSEST_MAX_VOXELS = 4096


def factorize_spd(matrix: sp.spmatrix):
    """Sparse LU of a symmetric positive definite matrix: symmetric ordering, no pivoting."""
    return splu(sp.csc_matrix(matrix), permc_spec="MMD_AT_PLUS_A", diag_pivot_thresh=0.0,
                options={"SymmetricMode": True})


@dataclass
class Level:
    """One grid of the hierarchy: face conductances (float32) and work arrays."""

    g0: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    work: list[np.ndarray] = field(default_factory=list)

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxel counts of this level."""
        return tuple(self.g1.shape)  # type: ignore[return-value]

    def needs_reverse(self, ops: SimpleNamespace) -> bool:
        """Whether an odd periodic axis couples equal colours, so post-smoothing must reverse."""
        _, n1, n2 = self.shape
        wrap1, wrap2 = ops.wrap_faces_conduct(self.g1, self.g2)
        return bool((n1 % 2 == 1 and n1 > 1 and wrap1) or (n2 % 2 == 1 and n2 > 1 and wrap2))


def operator_matrix(g0: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> sp.csr_matrix:
    """Assemble the conduction operator of face arrays as a sparse matrix (C-order voxels)."""
    n0, n1, n2 = g1.shape
    idx = np.arange(n0 * n1 * n2).reshape(n0, n1, n2)
    g0, g1, g2 = (g.astype(np.float64) for g in (g0, g1, g2))
    diag = g0[:-1] + g0[1:] + g1 + np.roll(g1, 1, axis=1) + g2 + np.roll(g2, 1, axis=2)
    rows, cols, vals = [idx.ravel()], [idx.ravel()], [diag.ravel()]
    pairs = (
        (idx[:-1], idx[1:], g0[1:-1]),
        (idx, np.roll(idx, -1, axis=1), g1),
        (idx, np.roll(idx, -1, axis=2), g2),
    )
    for a, c, g in pairs:
        keep = (g != 0) & (a != c)
        for r_, c_ in ((a, c), (c, a)):
            rows.append(r_[keep])
            cols.append(c_[keep])
            vals.append(-g[keep])
    n = idx.size
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )


class CoarseSolver:
    """Sparse LU of the coarsest level restricted to its active voxels (on the host)."""

    def __init__(self, level: Level, ops: SimpleNamespace) -> None:
        matrix = operator_matrix(*(ops.to_host(g) for g in (level.g0, level.g1, level.g2)))
        self.active = np.flatnonzero(matrix.diagonal() > 0)
        sub = matrix[self.active][:, self.active].tocsc()
        self.lu = factorize_spd(sub) if self.active.size else None
        self.solution = np.zeros(level.shape)
        self.ops = ops

    def solve(self, rhs: np.ndarray, out: np.ndarray) -> None:
        """out = A⁻¹ rhs on the active voxels, 0 elsewhere."""
        flat = self.solution.reshape(-1)
        if self.lu is not None:
            host = self.ops.to_host(rhs).reshape(-1)
            flat[self.active] = self.lu.solve(host[self.active].astype(np.float64))
        self.ops.copy(out, self.solution)


class MultigridPreconditioner:
    """K-cycle over a 2×2×2 aggregation hierarchy; ``apply(r, z)`` sets z ≈ A⁻¹ r."""

    def __init__(
        self, g0: np.ndarray, g1: np.ndarray, g2: np.ndarray, ops: SimpleNamespace
    ) -> None:
        """Build the hierarchy with the op table ``ops`` on the arrays of its device."""
        self.ops = ops
        self.levels: list[Level] = [Level(g0, g1, g2)]
        shape = tuple(g1.shape)
        while int(np.prod(shape)) > COARSEST_MAX_VOXELS and max(shape) > 2:
            fine = self.levels[-1]
            shape = tuple((n + 1) // 2 for n in shape)
            c0 = ops.empty((shape[0] + 1, shape[1], shape[2]), dtype=np.float32)
            c1 = ops.empty(shape, dtype=np.float32)
            c2 = ops.empty(shape, dtype=np.float32)
            ops.coarsen_conductances(fine.g0, fine.g1, fine.g2, c0, c1, c2)
            # x, b and the five K-cycle vectors c, v, r2, d2, w of this level.
            work = [ops.zeros(shape, dtype=np.float32) for _ in range(7)]
            self.levels.append(Level(c0, c1, c2, work))
        self.coarse = CoarseSolver(self.levels[-1], ops)
        self.reverse = [lv.needs_reverse(ops) for lv in self.levels]

    def apply(self, r: np.ndarray, z: np.ndarray) -> None:
        """z ≈ A⁻¹ r by one K-cycle started from zero."""
        self._cycle(0, z, r)

    def _cycle(self, depth: int, x: np.ndarray, b: np.ndarray) -> None:
        if depth == len(self.levels) - 1:
            self.coarse.solve(b, x)
            return
        level = self.levels[depth]
        g0, g1, g2 = level.g0, level.g1, level.g2
        self.ops.jacobi_start(x, b, g0, g1, g2, 0)
        self.ops.gauss_seidel_colour(x, b, g0, g1, g2, 1, False)
        coarse = self.levels[depth + 1]
        cx, cb = coarse.work[0], coarse.work[1]
        self.ops.restrict_residual(x, b, g0, g1, g2, cb)
        if depth + 1 < len(self.levels) - 1:
            self._krylov(depth + 1, cx, cb)
        else:
            self.coarse.solve(cb, cx)
        self.ops.prolong_add(x, cx, 1.0)
        self.ops.gauss_seidel_colour(x, b, g0, g1, g2, 1, self.reverse[depth])
        self.ops.gauss_seidel_colour(x, b, g0, g1, g2, 0, self.reverse[depth])

    def _krylov(self, depth: int, e: np.ndarray, rhs: np.ndarray) -> None:
        """e ≈ A⁻¹ rhs by two flexible CG steps preconditioned by the cycle at ``depth``."""
        level = self.levels[depth]
        g0, g1, g2 = level.g0, level.g1, level.g2
        c, v, r2, d2, w = level.work[2:]
        self._cycle(depth, c, rhs)
        self.ops.apply_operator(c, g0, g1, g2, v)
        rho1 = self.ops.dot(c, v)
        alpha1 = self.ops.dot(c, rhs)
        if rho1 <= 0.0:
            self.ops.fill(e, 0.0)
            return
        self.ops.lincomb(r2, 1.0, rhs, -alpha1 / rho1, v)
        self._cycle(depth, d2, r2)
        self.ops.apply_operator(d2, g0, g1, g2, w)
        gamma = self.ops.dot(d2, v)
        beta = self.ops.dot(d2, w)
        alpha2 = self.ops.dot(d2, r2)
        rho2 = beta - gamma * gamma / rho1
        if rho2 <= 0.0:
            self.ops.lincomb(e, alpha1 / rho1, c, 0.0, c)
            return
        self.ops.lincomb(e, alpha1 / rho1 - gamma * alpha2 / (rho1 * rho2), c, alpha2 / rho2, d2)
