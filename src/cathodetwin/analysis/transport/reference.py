"""Plain NumPy/SciPy reference: assemble the finite-volume system and solve it directly.

Independent of the numba kernels and the multigrid solver; meant for small volumes (tests and
cross-checks). Same discretisation: harmonic-mean face conductances, inlet and outlet potentials
on the outer voxel faces, no flux or periodic lateral faces.
"""

from __future__ import annotations

import numpy as np
import scipy.sparse as sp

from cathodetwin.analysis.transport.multigrid import factorize_spd
from cathodetwin.analysis.transport.percolation import connected_to_both_faces


def _harmonic(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """2ab / (a + b), zero where either is zero."""
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where((a > 0) & (b > 0), 2.0 * a * b / (a + b), 0.0)


def assemble(
    sigma_s_cm: np.ndarray,
    voxel_size_um: tuple[float, float, float] = (1.0, 1.0, 1.0),
    axis: int = 2,
    periodic: bool = False,
) -> tuple[sp.csr_matrix, np.ndarray, np.ndarray]:
    """Conductance matrix (S/cm · µm), right-hand side for 1 V across ``axis`` and the unknown
    index of every voxel (−1 outside the cluster connected to both faces)."""
    sigma = np.asarray(sigma_s_cm, dtype=np.float64)
    lateral = tuple(a for a in range(3) if a != axis)
    spanning = connected_to_both_faces(sigma > 0, axis, lateral if periodic else ())
    sigma = np.where(spanning, sigma, 0.0)
    n = int(np.count_nonzero(spanning))
    index = np.full(sigma.shape, -1, dtype=np.int64)
    index[spanning] = np.arange(n)
    rows, cols, vals = [], [], []
    diag = np.zeros(n)
    rhs = np.zeros(n)
    for a in range(3):
        scale = _area_um2(voxel_size_um, a) / voxel_size_um[a]
        wrap = periodic and a != axis and sigma.shape[a] > 1
        upper = np.roll(sigma, -1, axis=a) if wrap else np.delete(sigma, 0, axis=a)
        lower = sigma if wrap else np.delete(sigma, -1, axis=a)
        i_up = np.roll(index, -1, axis=a) if wrap else np.delete(index, 0, axis=a)
        i_lo = index if wrap else np.delete(index, -1, axis=a)
        g = scale * _harmonic(lower, upper)
        keep = (g > 0) & (i_lo != i_up)
        for p, q in ((i_lo[keep], i_up[keep]), (i_up[keep], i_lo[keep])):
            rows.append(p)
            cols.append(q)
            vals.append(-g[keep])
            np.add.at(diag, p, g[keep])
    scale = _area_um2(voxel_size_um, axis) / voxel_size_um[axis]
    for face, potential_v in ((0, 1.0), (sigma.shape[axis] - 1, 0.0)):
        g = 2.0 * scale * np.take(sigma, face, axis=axis)
        i = np.take(index, face, axis=axis)[g > 0]
        np.add.at(diag, i, g[g > 0])
        np.add.at(rhs, i, g[g > 0] * potential_v)
    rows.append(np.arange(n))
    cols.append(np.arange(n))
    vals.append(diag)
    matrix = sp.csr_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(n, n)
    )
    return matrix, rhs, index


def _area_um2(voxel_size_um: tuple[float, float, float], axis: int) -> float:
    """Area of the voxel face normal to ``axis`` in µm²."""
    return float(np.prod([voxel_size_um[b] for b in range(3) if b != axis]))


def reference_conductivity(
    sigma_s_cm: np.ndarray,
    voxel_size_um: tuple[float, float, float] = (1.0, 1.0, 1.0),
    axis: int = 2,
    periodic: bool = False,
) -> float:
    """σ_eff in S/cm of a conductivity volume (S/cm per voxel) by a sparse direct solve."""
    sigma = np.asarray(sigma_s_cm, dtype=np.float64)
    matrix, rhs, index = assemble(sigma, voxel_size_um, axis, periodic)
    if matrix.shape[0] == 0:
        return 0.0
    lu = factorize_spd(matrix)
    potential = lu.solve(rhs)
    g_in = 2.0 * _area_um2(voxel_size_um, axis) / voxel_size_um[axis] * np.where(
        index >= 0, sigma, 0.0
    ).take(0, axis=axis)
    inlet = index.take(0, axis=axis)
    current = float(np.sum(g_in[inlet >= 0] * (1.0 - potential[inlet[inlet >= 0]])))
    length_um = sigma.shape[axis] * voxel_size_um[axis]
    area_um2 = float(np.prod([sigma.shape[b] * voxel_size_um[b] for b in range(3) if b != axis]))
    return current * length_um / area_um2
