"""Verlet pair lists for polydisperse spheres with a hierarchical cell grid (sizes ratio ≥ 20).

Two spheres are listed when closer than (r_i + r_j)(1 + σ), σ the relative skin. Particles
are split into size levels (radius doubling per level). Each level has its own grid with
cells of 2·r_max(level)·(1 + σ); a particle looks for partners of its own level and
of every coarser level in the 3×3×3 cells around it in that level's grid, so fine particles
never scan cells crowded by their own kind sized for the largest particles, and each
unordered pair is found exactly once (same level: lower index; across levels: from the finer
particle). x and y are periodic (minimum image, valid while the box is wider than twice the
largest interaction distance); z is bounded by walls. Lists are built in a fixed order, so
they are identical for any number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange


def size_levels(radius_um: np.ndarray, ratio: float = 2.0) -> tuple[np.ndarray, int]:
    """Level of each particle (0 = finest; radius grows by ``ratio`` per level) and the count."""
    r_min = float(np.min(radius_um))
    level = np.floor(np.log(radius_um / r_min) / math.log(ratio) + 1e-9).astype(np.int32)
    return level, int(level.max()) + 1


@njit(cache=True)
def _grid_setup(pos, radius, level, n_levels, lx, ly, skin):
    """Per-level cell counts, widths and offsets into one flat cell table."""
    rmax = np.zeros(n_levels)
    for i in range(radius.size):
        if radius[i] > rmax[level[i]]:
            rmax[level[i]] = radius[i]
    zmin = np.inf
    zmax = -np.inf
    for i in range(radius.size):
        zmin = min(zmin, pos[i, 2])
        zmax = max(zmax, pos[i, 2])
    dims = np.zeros((n_levels, 3), np.int64)
    width = np.zeros((n_levels, 3))
    offset = np.zeros(n_levels + 1, np.int64)
    for lv in range(n_levels):
        cell = 2.0 * rmax[lv] * (1.0 + skin)
        if rmax[lv] == 0.0:
            cell = max(lx, ly, zmax - zmin + 1.0)
        nx = max(1, int(lx // cell))
        ny = max(1, int(ly // cell))
        nz = max(1, int((zmax - zmin) // cell) + 1)
        dims[lv, 0], dims[lv, 1], dims[lv, 2] = nx, ny, nz
        width[lv, 0], width[lv, 1], width[lv, 2] = lx / nx, ly / ny, cell
        offset[lv + 1] = offset[lv] + nx * ny * nz
    return dims, width, offset, zmin


@njit(cache=True)
def _cell_of(x, y, z, lv, dims, width, zmin, lx, ly):
    cx = int(math.floor((x - lx * math.floor(x / lx)) / width[lv, 0])) % dims[lv, 0]
    cy = int(math.floor((y - ly * math.floor(y / ly)) / width[lv, 1])) % dims[lv, 1]
    cz = min(max(int(math.floor((z - zmin) / width[lv, 2])), 0), dims[lv, 2] - 1)
    return cx, cy, cz


@njit(cache=True)
def _bin(pos, level, dims, width, offset, zmin, lx, ly):
    """Counting sort of particles into their level's cells (index order kept in each cell)."""
    n = level.size
    cell = np.empty(n, np.int64)
    count = np.zeros(offset[-1] + 1, np.int64)
    for i in range(n):
        lv = level[i]
        cx, cy, cz = _cell_of(pos[i, 0], pos[i, 1], pos[i, 2], lv, dims, width, zmin, lx, ly)
        c = offset[lv] + (cz * dims[lv, 1] + cy) * dims[lv, 0] + cx
        cell[i] = c
        count[c + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    items = np.empty(n, np.int64)
    for i in range(n):
        items[fill[cell[i]]] = i
        fill[cell[i]] += 1
    return start, items


@njit(cache=True)
def _scan(i, pos, radius, level, n_levels, dims, width, offset, zmin, lx, ly, skin, start, items,
          out, out_start):
    """Count (out_start < 0) or write the partners of particle i; returns the count."""
    li = level[i]
    xi, yi, zi, ri = pos[i, 0], pos[i, 1], pos[i, 2], radius[i]
    found = 0
    for lv in range(li, n_levels):
        if offset[lv + 1] == offset[lv]:
            continue
        nx, ny, nz = dims[lv, 0], dims[lv, 1], dims[lv, 2]
        cx, cy, cz = _cell_of(xi, yi, zi, lv, dims, width, zmin, lx, ly)
        kx = 3 if nx >= 3 else nx
        ky = 3 if ny >= 3 else ny
        for oz in range(-1, 2):
            z = cz + oz
            if z < 0 or z >= nz:
                continue
            for oy in range(ky):
                y = (cy + oy - 1) % ny if ny >= 3 else oy
                for ox in range(kx):
                    x = (cx + ox - 1) % nx if nx >= 3 else ox
                    c = offset[lv] + (z * ny + y) * nx + x
                    for s in range(start[c], start[c + 1]):
                        j = items[s]
                        if lv == li and j <= i:
                            continue
                        dx = pos[j, 0] - xi
                        dx -= lx * math.floor(dx / lx + 0.5)
                        dy = pos[j, 1] - yi
                        dy -= ly * math.floor(dy / ly + 0.5)
                        dz = pos[j, 2] - zi
                        cut = (ri + radius[j]) * (1.0 + skin)
                        if dx * dx + dy * dy + dz * dz < cut * cut:
                            if out_start >= 0:
                                out[out_start + found] = j
                            found += 1
    return found


@njit(cache=True, parallel=True)
def _pairs(pos, radius, level, n_levels, lx, ly, skin):
    dims, width, offset, zmin = _grid_setup(pos, radius, level, n_levels, lx, ly, skin)
    start, items = _bin(pos, level, dims, width, offset, zmin, lx, ly)
    n = radius.size
    counts = np.zeros(n + 1, np.int64)
    dummy = np.empty(0, np.int64)
    for i in prange(n):
        counts[i + 1] = _scan(i, pos, radius, level, n_levels, dims, width, offset, zmin, lx, ly,
                              skin, start, items, dummy, -1)
    first = np.cumsum(counts)
    pj = np.empty(first[-1], np.int64)
    for i in prange(n):
        _scan(i, pos, radius, level, n_levels, dims, width, offset, zmin, lx, ly, skin, start,
              items, pj, first[i])
    pi = np.empty(first[-1], np.int32)
    for i in prange(n):
        for s in range(first[i], first[i + 1]):
            pi[s] = i
    return pi, pj.astype(np.int32)


def build_pairs(
    pos_um: np.ndarray,
    radius_um: np.ndarray,
    level: np.ndarray,
    n_levels: int,
    box_xy_um: tuple[float, float],
    skin: float,
) -> tuple[np.ndarray, np.ndarray]:
    """All pairs (i, j) closer than (r_i + r_j)(1 + skin) (µm), each unordered pair once."""
    return _pairs(pos_um, radius_um, level, n_levels, float(box_xy_um[0]), float(box_xy_um[1]),
                  float(skin))


@njit(cache=True)
def incidence(pi: np.ndarray, pj: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """CSR of the pairs touching each particle: entry k for side i, ~k (= −k−1) for side j."""
    start = np.zeros(n + 1, np.int64)
    for k in range(pi.size):
        start[pi[k] + 1] += 1
        start[pj[k] + 1] += 1
    start = np.cumsum(start)
    fill = start[:-1].copy()
    entries = np.empty(2 * pi.size, np.int64)
    for k in range(pi.size):
        entries[fill[pi[k]]] = k
        fill[pi[k]] += 1
    for k in range(pj.size):
        entries[fill[pj[k]]] = -k - 1
        fill[pj[k]] += 1
    return start, entries


def brute_force_pairs(
    pos_um: np.ndarray, radius_um: np.ndarray, box_xy_um: tuple[float, float], skin: float
) -> set[tuple[int, int]]:
    """Reference O(N²) pair set (i < j) in plain NumPy, for tests."""
    d = pos_um[:, None, :] - pos_um[None, :, :]
    for ax in (0, 1):
        d[..., ax] -= box_xy_um[ax] * np.floor(d[..., ax] / box_xy_um[ax] + 0.5)
    dist = np.sqrt((d**2).sum(-1))
    cut = (radius_um[:, None] + radius_um[None, :]) * (1.0 + skin)
    i, j = np.nonzero(np.triu(dist < cut, k=1))
    return set(zip(i.tolist(), j.tolist(), strict=True))
