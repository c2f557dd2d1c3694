"""Geometric aggregation multigrid preconditioner for the voxel conduction operator.

Each level halves the grid by grouping 2×2×2 voxels; the coarse operator is the Galerkin
product Pᵀ A P with piecewise-constant P, which keeps a 7-point stencil whose face conductances
are sums of the fine ones (exact for any conductivity contrast, insulating voxels included).
The coarsest level is factorised with a sparse LU. One application is a symmetric V-cycle
(red-black Gauss-Seidel forward before, backward after the coarse correction), so it can
precondition conjugate gradients.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp
from scipy.sparse.linalg import splu

from cathodetwin.analysis.transport import kernels

COARSEST_MAX_VOXELS = 4096


@dataclass
class Level:
    """One grid of the hierarchy: face conductances and work arrays."""

    g0: np.ndarray
    g1: np.ndarray
    g2: np.ndarray
    x: np.ndarray
    b: np.ndarray

    @property
    def needs_reverse(self) -> bool:
        """Whether an odd periodic axis couples equal colours, so post-smoothing must reverse."""
        _, n1, n2 = self.g1.shape
        return bool((n1 % 2 == 1 and n1 > 1 and np.any(self.g1[:, -1]))
                    or (n2 % 2 == 1 and n2 > 1 and np.any(self.g2[:, :, -1])))

    @property
    def shape(self) -> tuple[int, int, int]:
        """Voxel counts of this level."""
        return self.g1.shape  # type: ignore[return-value]


def operator_matrix(g0: np.ndarray, g1: np.ndarray, g2: np.ndarray) -> sp.csr_matrix:
    """Assemble the conduction operator of face arrays as a sparse matrix (C-order voxels)."""
    n0, n1, n2 = g1.shape
    idx = np.arange(n0 * n1 * n2).reshape(n0, n1, n2)
    g0 = g0.astype(np.float64)
    diag = g0[:-1] + g0[1:] + g1 + np.roll(g1, 1, axis=1) + g2 + np.roll(g2, 1, axis=2)
    rows = [idx.ravel()]
    cols = [idx.ravel()]
    vals = [diag.ravel()]
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
            vals.append(-g[keep].astype(np.float64))
    n = idx.size
    return sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )


class CoarseSolver:
    """Sparse LU of the coarsest level restricted to its active voxels."""

    def __init__(self, level: Level) -> None:
        matrix = operator_matrix(level.g0, level.g1, level.g2)
        self.active = np.flatnonzero(matrix.diagonal() > 0)
        sub = matrix[self.active][:, self.active].tocsc()
        self.lu = splu(sub) if self.active.size else None

    def solve(self, rhs: np.ndarray, out: np.ndarray) -> None:
        """out = A⁻¹ rhs on the active voxels, 0 elsewhere."""
        flat = out.reshape(-1)
        flat[:] = 0.0
        if self.lu is not None:
            flat[self.active] = self.lu.solve(rhs.reshape(-1)[self.active].astype(np.float64))


class MultigridPreconditioner:
    """Symmetric V-cycle over a 2×2×2 aggregation hierarchy."""

    def __init__(
        self,
        g0: np.ndarray,
        g1: np.ndarray,
        g2: np.ndarray,
        dtype: type = np.float32,
        smoothing_steps: int = 1,
        coarse_weight: float = 1.0,
    ) -> None:
        self.smoothing_steps = smoothing_steps
        self.coarse_weight = coarse_weight
        self.levels: list[Level] = []
        shape = g1.shape
        empty = np.empty(0, dtype=dtype)
        self.levels.append(Level(g0, g1, g2, empty, empty))
        while int(np.prod(shape)) > COARSEST_MAX_VOXELS and max(shape) > 2:
            fine = self.levels[-1]
            shape = tuple((n + 1) // 2 for n in shape)
            c0 = np.empty((shape[0] + 1, shape[1], shape[2]), dtype=g1.dtype)
            c1 = np.empty(shape, dtype=g1.dtype)
            c2 = np.empty(shape, dtype=g1.dtype)
            kernels.coarsen_conductances(fine.g0, fine.g1, fine.g2, c0, c1, c2)
            self.levels.append(
                Level(c0, c1, c2, np.zeros(shape, dtype=dtype), np.zeros(shape, dtype=dtype))
            )
        self.coarse = CoarseSolver(self.levels[-1])
        self.reverse = [lv.needs_reverse for lv in self.levels]

    @property
    def nbytes(self) -> int:
        """Memory held by the coarse levels in bytes (the finest level's arrays excluded)."""
        return sum(
            lv.g0.nbytes + lv.g1.nbytes + lv.g2.nbytes + lv.x.nbytes + lv.b.nbytes
            for lv in self.levels[1:]
        )

    def apply(self, r: np.ndarray, z: np.ndarray) -> None:
        """z ≈ A⁻¹ r by one V-cycle started from zero."""
        self._cycle(0, z, r)

    def _cycle(self, depth: int, x: np.ndarray, b: np.ndarray) -> None:
        level = self.levels[depth]
        if depth == len(self.levels) - 1:
            self.coarse.solve(b, x)
            return
        g0, g1, g2 = level.g0, level.g1, level.g2
        kernels.jacobi_start(x, b, g0, g1, g2, 0)
        kernels.gauss_seidel_colour(x, b, g0, g1, g2, 1, False)
        for _ in range(self.smoothing_steps - 1):
            kernels.gauss_seidel_colour(x, b, g0, g1, g2, 0, False)
            kernels.gauss_seidel_colour(x, b, g0, g1, g2, 1, False)
        coarse = self.levels[depth + 1]
        kernels.restrict_residual(x, b, g0, g1, g2, coarse.b)
        self._cycle(depth + 1, coarse.x, coarse.b)
        kernels.prolong_add(x, coarse.x, self.coarse_weight)
        reverse = self.reverse[depth]
        for _ in range(self.smoothing_steps):
            kernels.gauss_seidel_colour(x, b, g0, g1, g2, 1, reverse)
            kernels.gauss_seidel_colour(x, b, g0, g1, g2, 0, reverse)
