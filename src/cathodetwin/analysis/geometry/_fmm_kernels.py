"""Numba fast-marching solver of |∇T| = 1 inside a voxel phase (first-order upwind, binary heap).

The first-order upwind update is exact for plane fronts of any direction, so a straight
channel gives path length = straight distance in any orientation; around obstacles the error
shrinks with the voxel size (unlike graph Dijkstra, whose 26-neighbour metric overestimates
some directions by up to 8 %).
"""

from __future__ import annotations

import math

import numba as nb
import numpy as np

_FAR, _TRIAL, _KNOWN = 0, 1, 2


@nb.njit(cache=True)
def _heap_push(keys: np.ndarray, vals: np.ndarray, size: int, key: float, val: int) -> int:
    pos = size
    keys[pos] = key
    vals[pos] = val
    while pos > 0:
        up = (pos - 1) >> 1
        if keys[up] <= keys[pos]:
            break
        keys[up], keys[pos] = keys[pos], keys[up]
        vals[up], vals[pos] = vals[pos], vals[up]
        pos = up
    return size + 1


@nb.njit(cache=True)
def _heap_pop(keys: np.ndarray, vals: np.ndarray, size: int) -> int:
    size -= 1
    keys[0] = keys[size]
    vals[0] = vals[size]
    pos = 0
    while True:
        left = 2 * pos + 1
        if left >= size:
            break
        child = left
        if left + 1 < size and keys[left + 1] < keys[left]:
            child = left + 1
        if keys[pos] <= keys[child]:
            break
        keys[child], keys[pos] = keys[pos], keys[child]
        vals[child], vals[pos] = vals[pos], vals[child]
        pos = child
    return size


@nb.njit(cache=True)
def _solve(a: np.ndarray, h: np.ndarray, m: int) -> float:
    """Upwind solution of Σ ((t − a_d)/h_d)² = 1 over the m smallest-ordered known a_d."""
    # sort the m candidates by a (m ≤ 3)
    for p in range(m):
        for q in range(p + 1, m):
            if a[q] < a[p]:
                a[p], a[q] = a[q], a[p]
                h[p], h[q] = h[q], h[p]
    t = a[0] + h[0]
    for used in range(2, m + 1):
        if t <= a[used - 1]:
            break
        s1 = 0.0
        s2 = 0.0
        s0 = 0.0
        for d in range(used):
            w = 1.0 / (h[d] * h[d])
            s0 += w
            s1 += a[d] * w
            s2 += a[d] * a[d] * w
        disc = s1 * s1 - s0 * (s2 - 1.0)
        if disc < 0.0:
            break
        t = (s1 + math.sqrt(disc)) / s0
    return t


@nb.njit(cache=True)
def fast_march(
    mask: np.ndarray, seeds: np.ndarray, seed_values: np.ndarray, spacing: np.ndarray,
    periodic: np.ndarray,
) -> np.ndarray:
    """Arrival distance T (float32, inf where unreached) from flat ``seeds`` through ``mask``.

    ``spacing`` and ``periodic`` (bool) are per array axis. For a front moving along one axis,
    make that axis the first (slowest) one: each front then lies in contiguous memory.
    """
    nx, ny, nz = mask.shape
    dims = np.array([nx, ny, nz], np.int64)
    t_map = np.full(mask.shape, np.inf, np.float32)
    state = np.zeros(mask.shape, np.uint8)
    cap = max(16, 4 * seeds.size)
    keys = np.empty(cap, np.float64)
    vals = np.empty(cap, np.int64)
    size = 0
    for s in range(seeds.size):
        v = seeds[s]
        i, j, k = v // (ny * nz), (v // nz) % ny, v % nz
        t0 = np.float32(seed_values[s])
        if t0 < t_map[i, j, k]:
            t_map[i, j, k] = t0
            state[i, j, k] = _TRIAL
            size = _heap_push(keys, vals, size, np.float64(t0), v)
    a = np.empty(3, np.float64)
    h = np.empty(3, np.float64)
    idx = np.empty(3, np.int64)
    nbr = np.empty(3, np.int64)
    while size > 0:
        tv = keys[0]
        v = vals[0]
        size = _heap_pop(keys, vals, size)
        i, j, k = v // (ny * nz), (v // nz) % ny, v % nz
        if state[i, j, k] == _KNOWN or tv > t_map[i, j, k]:
            continue
        state[i, j, k] = _KNOWN
        for q in range(6):
            axis = q >> 1
            step = 1 if q & 1 else -1
            idx[0], idx[1], idx[2] = i, j, k
            idx[axis] += step
            if idx[axis] < 0 or idx[axis] >= dims[axis]:
                if not periodic[axis]:
                    continue
                idx[axis] %= dims[axis]
            ui, uj, uk = idx[0], idx[1], idx[2]
            if not mask[ui, uj, uk] or state[ui, uj, uk] == _KNOWN:
                continue
            m = 0
            for ax in range(3):
                best = np.inf
                for st in (-1, 1):
                    nbr[0], nbr[1], nbr[2] = ui, uj, uk
                    nbr[ax] += st
                    if nbr[ax] < 0 or nbr[ax] >= dims[ax]:
                        if not periodic[ax]:
                            continue
                        nbr[ax] %= dims[ax]
                    if state[nbr[0], nbr[1], nbr[2]] == _KNOWN:
                        val = t_map[nbr[0], nbr[1], nbr[2]]
                        if val < best:
                            best = val
                if best < np.inf:
                    a[m] = best
                    h[m] = spacing[ax]
                    m += 1
            t_new = np.float32(_solve(a, h, m))  # heap keys equal stored values exactly
            if t_new < t_map[ui, uj, uk]:
                t_map[ui, uj, uk] = t_new
                state[ui, uj, uk] = _TRIAL
                if size == keys.size:
                    keys2 = np.empty(2 * keys.size, np.float64)
                    vals2 = np.empty(2 * vals.size, np.int64)
                    keys2[:size] = keys[:size]
                    vals2[:size] = vals[:size]
                    keys, vals = keys2, vals2
                size = _heap_push(keys, vals, size, np.float64(t_new),
                                  (ui * ny + uj) * nz + uk)
    return t_map
