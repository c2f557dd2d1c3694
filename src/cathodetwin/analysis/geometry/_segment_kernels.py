"""Numba kernel: watershed of a distance map by flooding from the top, merging by persistence."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _find(parent: np.ndarray, a: int) -> int:
    root = a
    while parent[root] != root:
        root = parent[root]
    while parent[a] != root:
        nxt = parent[a]
        parent[a] = root
        a = nxt
    return root


@nb.njit(cache=True)
def persistence_watershed(
    dist: np.ndarray, order: np.ndarray, min_persistence: float, periodic_x: bool,
    periodic_y: bool,
) -> tuple[np.ndarray, int]:
    """Region labels (int32, 1..n; 0 outside) of the voxels ``order`` (flat, by falling dist).

    Voxels are flooded from the highest distance down; a voxel joins the region of its
    face neighbours. When two regions meet at level d, the one whose peak is less than
    ``min_persistence`` above d is merged into the other (the h-maxima criterion); otherwise
    both stay and the voxel joins the one with the higher peak.
    """
    nx, ny, nz = dist.shape
    lab = np.zeros(dist.shape, np.int32)
    parent = np.empty(order.size + 1, np.int32)
    peak = np.empty(order.size + 1, np.float32)
    n = 0
    for t in range(order.size):
        v = order[t]
        i = v // (ny * nz)
        j = (v // nz) % ny
        k = v % nz
        d = dist[i, j, k]
        best = -1
        for q in range(6):
            ii, jj, kk = i, j, k
            if q == 0:
                ii = i - 1
            elif q == 1:
                ii = i + 1
            elif q == 2:
                jj = j - 1
            elif q == 3:
                jj = j + 1
            elif q == 4:
                kk = k - 1
            else:
                kk = k + 1
            if kk < 0 or kk >= nz:
                continue
            if ii < 0 or ii >= nx:
                if not periodic_x:
                    continue
                ii %= nx
            if jj < 0 or jj >= ny:
                if not periodic_y:
                    continue
                jj %= ny
            m = lab[ii, jj, kk]
            if m == 0:
                continue
            r = _find(parent, m)
            if best == -1:
                best = r
            elif r != best:
                hi, lo = (best, r) if peak[best] >= peak[r] else (r, best)
                if peak[lo] - d < min_persistence:
                    parent[lo] = hi
                best = hi
        if best == -1:
            n += 1
            parent[n] = n
            peak[n] = d
            best = n
        lab[i, j, k] = best
    # compress to consecutive ids
    new_id = np.zeros(n + 1, np.int32)
    count = 0
    for a in range(1, n + 1):
        if _find(parent, a) == a:
            count += 1
            new_id[a] = count
    for i in range(nx):
        for j in range(ny):
            for k in range(nz):
                if lab[i, j, k] > 0:
                    lab[i, j, k] = new_id[_find(parent, lab[i, j, k])]
    return lab, count
