"""Numba kernel counting label changes between voxel neighbours along the 13 lattice directions."""

from __future__ import annotations

import numba as nb
import numpy as np

# One lattice vector per ± pair: 3 axes, 6 face diagonals, 4 body diagonals.
DIRECTIONS = np.array(
    [
        (1, 0, 0), (0, 1, 0), (0, 0, 1),
        (1, 1, 0), (1, -1, 0), (1, 0, 1), (1, 0, -1), (0, 1, 1), (0, 1, -1),
        (1, 1, 1), (1, 1, -1), (1, -1, 1), (1, -1, -1),
    ],
    dtype=np.int64,
)


@nb.njit(parallel=True, cache=True)
def transition_counts(
    labels: np.ndarray, n_labels: int, periodic_x: bool, periodic_y: bool, n_chunks: int
) -> np.ndarray:
    """counts[d, a, b] (a < b): voxel pairs (v, v + DIRECTIONS[d]) whose labels are a and b.

    Pairs leaving the volume are skipped, except across periodic x/y faces, which wrap.
    """
    nx, ny, nz = labels.shape
    nd = DIRECTIONS.shape[0]
    local = np.zeros((n_chunks, nd, n_labels, n_labels), np.int64)
    for c in nb.prange(n_chunks):
        i0 = c * nx // n_chunks
        i1 = (c + 1) * nx // n_chunks
        for i in range(i0, i1):
            for d in range(nd):
                di, dj, dk = DIRECTIONS[d, 0], DIRECTIONS[d, 1], DIRECTIONS[d, 2]
                ii = i + di
                if ii >= nx:
                    if not periodic_x:
                        continue
                    ii -= nx
                for j in range(ny):
                    jj = j + dj
                    if jj >= ny or jj < 0:
                        if not periodic_y:
                            continue
                        jj %= ny
                    k_lo = 1 if dk < 0 else 0
                    k_hi = nz - 1 if dk > 0 else nz
                    for k in range(k_lo, k_hi):
                        a = labels[i, j, k]
                        b = labels[ii, jj, k + dk]
                        if a != b:
                            if a < b:
                                local[c, d, a, b] += 1
                            else:
                                local[c, d, b, a] += 1
    return local.sum(axis=0)
