"""Numba kernels for local thickness: maximal-ball centres and a descending ball-painting max."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

# float32 distances carry ~1e-7 relative error: keep exact ties out of balls and containment
_SAFE_UP = 1.0 + 1e-5
_SAFE_DOWN = 1.0 - 1e-5


@nb.njit(parallel=True, cache=True)
def maximal_ball_centres(
    dist: np.ndarray, spacing: np.ndarray, periodic_x: bool, periodic_y: bool
) -> np.ndarray:
    """Flat indices of voxels whose inscribed ball is not inside a 26-neighbour's ball.

    The ball of v (radius dist[v]) lies inside the ball of u when dist[u] ≥ dist[v] + |u − v|;
    such v add nothing to the local thickness and are dropped.
    """
    nx, ny, nz = dist.shape
    keep = np.zeros(dist.shape, np.bool_)
    for i in nb.prange(nx):
        for j in range(ny):
            for k in range(nz):
                r = dist[i, j, k]
                if r <= 0.0:
                    continue
                inside = False
                for di in range(-1, 2):
                    ii = i + di
                    if ii < 0 or ii >= nx:
                        if not periodic_x:
                            continue
                        ii %= nx
                    for dj in range(-1, 2):
                        jj = j + dj
                        if jj < 0 or jj >= ny:
                            if not periodic_y:
                                continue
                            jj %= ny
                        for dk in range(-1, 2):
                            kk = k + dk
                            if kk < 0 or kk >= nz or (di == 0 and dj == 0 and dk == 0):
                                continue
                            step = math.sqrt((di * spacing[0]) ** 2 + (dj * spacing[1]) ** 2
                                             + (dk * spacing[2]) ** 2)
                            if dist[ii, jj, kk] > (r + step) * _SAFE_UP:
                                inside = True
                                break
                        if inside:
                            break
                    if inside:
                        break
                keep[i, j, k] = not inside
    return np.flatnonzero(keep.ravel())


@nb.njit(cache=True)
def paint_balls(
    dist: np.ndarray, centres: np.ndarray, spacing: np.ndarray, periodic_x: bool,
    periodic_y: bool, out: np.ndarray,
) -> None:
    """out[x] = max radius of the balls B(c, dist[c]) (c in ``centres``) whose open ball holds x.

    ``centres`` must be sorted by decreasing radius: a voxel already painted keeps its value.
    """
    nx, ny, nz = dist.shape
    for t in range(centres.size):
        c = centres[t]
        ci = c // (ny * nz)
        cj = (c // nz) % ny
        ck = c % nz
        r = dist[ci, cj, ck]
        r2 = r * r * _SAFE_DOWN
        ri = int(r / spacing[0])
        rj = int(r / spacing[1])
        rk = int(r / spacing[2])
        for di in range(-ri, ri + 1):
            ii = ci + di
            if ii < 0 or ii >= nx:
                if not periodic_x:
                    continue
                ii %= nx
            dx2 = (di * spacing[0]) ** 2
            for dj in range(-rj, rj + 1):
                jj = cj + dj
                if jj < 0 or jj >= ny:
                    if not periodic_y:
                        continue
                    jj %= ny
                dxy2 = dx2 + (dj * spacing[1]) ** 2
                if dxy2 >= r2:
                    continue
                for dk in range(-rk, rk + 1):
                    kk = ck + dk
                    if kk < 0 or kk >= nz:
                        continue
                    if dxy2 + (dk * spacing[2]) ** 2 < r2 and out[ii, jj, kk] == 0.0:
                        out[ii, jj, kk] = r
