"""Verlet pair lists for polydisperse spheres with a hierarchical cell grid (sizes ratio ≥ 20).

Two spheres are listed when closer than (r_i + r_j)(1 + σ), σ the relative skin. Particles
are split into size levels (radius doubling per level). Each level has its own grid with
cells of 2·r_max(level)·(1 + σ). A particle looks for partners of its own and of the next
coarser levels in the 3×3×3 cells around it in that level's grid; partners two or more levels
finer are found by the coarse particle over the block of fine cells within its reach (a few
coarse particles scanning many fine cells is cheaper than every fine particle scanning 27
mostly empty coarse cells). Each unordered pair is found exactly once. x and y are periodic
(minimum image: the closest image is listed; the die must be wider than twice the largest
contact distance so no pair touches through two images); z is bounded by walls. The list
is built in a fixed order, independent of threads (blocks of particles are searched in
parallel, each into its own slice, and joined in block order).
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
def _axis_cells(c, reach, width, n):
    """First cell and count of cells covering [c − reach, c + reach] on a periodic axis."""
    a = int(math.floor((c - reach) / width))
    b = int(math.floor((c + reach) / width))
    return a, min(n, b - a + 1)


@njit(cache=True)
def _partners(i, pos, radius, level, n_levels, rmax, dims, width, offset, zmin, start, items,
              lx, ly, skin, refresh, slack, smax, listed, is_mover, out, first, cap):
    """Write the partners j of particle i into out[first:first + cap]; return their count
    (may exceed ``cap``: then only the first ``cap`` were written).

    Full build (``refresh`` False): particle i searches its own level (only j > i), the next
    coarser level and all levels at least two finer, each over the block of that level's cells
    within its reach (r_i + r_max(level))(1 + σ). Refresh of a mover i: every level, the cut
    widened by each partner's own move ``slack[j]`` (µm; ``smax`` per level), skipping the
    partners already listed (``listed[j] == i``) and lower-numbered movers (they list i).
    """
    count = 0
    li = level[i]
    xi, yi, zi, ri = pos[i, 0], pos[i, 1], pos[i, 2], radius[i]
    for lv in range(n_levels):
        if rmax[lv] == 0.0:
            continue
        if not refresh and (lv == li - 1 or lv >= li + 2):  # found from the other particle
            continue
        nx, ny, nz = dims[lv, 0], dims[lv, 1], dims[lv, 2]
        reach = (ri + rmax[lv]) * (1.0 + skin) + smax[lv]
        x0, kx = _axis_cells(xi - lx * math.floor(xi / lx), reach, width[lv, 0], nx)
        y0, ky = _axis_cells(yi - ly * math.floor(yi / ly), reach, width[lv, 1], ny)
        z0 = int(math.floor((zi - reach - zmin) / width[lv, 2]))
        z1 = int(math.floor((zi + reach - zmin) / width[lv, 2]))
        for z in range(max(z0, 0), min(z1, nz - 1) + 1):
            for oy in range(ky):
                y = (y0 + oy) % ny
                for ox in range(kx):
                    x = (x0 + ox) % nx
                    c = offset[lv] + (z * ny + y) * nx + x
                    for s in range(start[c], start[c + 1]):
                        j = items[s]
                        if refresh:
                            if j == i or listed[j] == i or (is_mover[j] and j < i):
                                continue
                        elif lv == li and j <= i:
                            continue
                        dx = pos[j, 0] - xi
                        dx -= lx * math.floor(dx / lx + 0.5)
                        dy = pos[j, 1] - yi
                        dy -= ly * math.floor(dy / ly + 0.5)
                        dz = pos[j, 2] - zi
                        cut = (ri + radius[j]) * (1.0 + skin)
                        if refresh:
                            cut += slack[j]
                        if dx * dx + dy * dy + dz * dz < cut * cut:
                            if count < cap:
                                out[first + count] = j
                            count += 1
    return count


@njit(cache=True)
def _level_max(values, level, n_levels):
    """Largest value per size level."""
    out = np.zeros(n_levels)
    for i in range(values.size):
        out[level[i]] = max(out[level[i]], values[i])
    return out


PAIR_BLOCK = 1024  # particles per block of the parallel pair search


@njit(cache=True, parallel=True)
def _pairs(pos, radius, level, n_levels, lx, ly, skin, per_particle):
    """Pair list, blocks of particles searched in parallel, each into its own slice of
    ``per_particle`` slots per particle, then joined in block order (thread independent).

    Returns (pi, pj, ok); ok is False when a block overflowed its slice (call again with more).
    """
    dims, width, offset, zmin = _grid_setup(pos, radius, level, n_levels, lx, ly, skin)
    start, items = _bin(pos, level, dims, width, offset, zmin, lx, ly)
    rmax = _level_max(radius, level, n_levels)
    n = radius.size
    none = np.zeros(0)  # slack, listed and movers are read only by a refresh
    smax = np.zeros(n_levels)
    listed = np.zeros(0, np.int64)
    is_mover = np.zeros(0, np.bool_)
    nblock = (n + PAIR_BLOCK - 1) // PAIR_BLOCK
    cap = per_particle * PAIR_BLOCK
    out_i = np.empty(nblock * cap, np.int32)
    out_j = np.empty(nblock * cap, np.int32)
    found = np.zeros(nblock, np.int64)
    overflow = np.zeros(nblock, np.bool_)
    for b in prange(nblock):
        base = b * cap
        used = 0
        for i in range(b * PAIR_BLOCK, min(n, (b + 1) * PAIR_BLOCK)):
            k = _partners(i, pos, radius, level, n_levels, rmax, dims, width, offset, zmin,
                          start, items, lx, ly, skin, False, none, smax, listed, is_mover,
                          out_j, base + used, cap - used)
            if k > cap - used:
                overflow[b] = True
                break
            for q in range(used, used + k):
                out_i[base + q] = i
            used += k
        found[b] = used
    if overflow.any():
        return out_i[:0], out_j[:0], False
    total = 0
    for b in range(nblock):
        total += found[b]
    pi = np.empty(total, np.int32)
    pj = np.empty(total, np.int32)
    at = 0
    for b in range(nblock):
        pi[at:at + found[b]] = out_i[b * cap:b * cap + found[b]]
        pj[at:at + found[b]] = out_j[b * cap:b * cap + found[b]]
        at += found[b]
    return pi, pj, True


def build_pairs(
    pos_um: np.ndarray,
    radius_um: np.ndarray,
    level: np.ndarray,
    n_levels: int,
    box_xy_um: tuple[float, float],
    skin: float,
    slots: int = 16,
) -> tuple[np.ndarray, np.ndarray, int]:
    """All pairs (i, j) closer than (r_i + r_j)(1 + skin) (µm), each unordered pair once.

    ``slots`` per particle and block are tried first, ×4 on overflow (a block of fine particles
    around a large one); returns the pairs and the slots that sufficed, a hint for the next
    call so that its search runs once.
    """
    while True:
        pi, pj, ok = _pairs(pos_um, radius_um, level, n_levels, float(box_xy_um[0]),
                            float(box_xy_um[1]), float(skin), slots)
        if ok:
            return pi, pj, slots
        slots *= 4


@njit(cache=True)
def _added_pairs(pos, radius, level, n_levels, lx, ly, skin, movers, slack, start, entries,
                 pi, pj, per_mover):
    """Pairs (mover, j) within the widened cut that the list lacks; ok False on overflow."""
    n = radius.size
    dims, width, offset, zmin = _grid_setup(pos, radius, level, n_levels, lx, ly, skin)
    cell_start, items = _bin(pos, level, dims, width, offset, zmin, lx, ly)
    rmax = _level_max(radius, level, n_levels)
    smax = _level_max(slack, level, n_levels)
    is_mover = np.zeros(n, np.bool_)
    for i in movers:
        is_mover[i] = True
    listed = np.full(n, -1, np.int64)
    cap = per_mover * movers.size
    out_i = np.empty(cap, np.int32)
    out_j = np.empty(cap, np.int32)
    used = 0
    for i in movers:
        for s in range(start[i], start[i + 1]):
            e = entries[s]
            listed[pj[e] if e >= 0 else pi[-e - 1]] = i
        k = _partners(i, pos, radius, level, n_levels, rmax, dims, width, offset, zmin,
                      cell_start, items, lx, ly, skin, True, slack, smax, listed, is_mover,
                      out_j, used, cap - used)
        if k > cap - used:
            return out_i[:0], out_j[:0], False
        out_i[used:used + k] = i
        used += k
    return out_i[:used], out_j[:used], True


def refresh_pairs(
    pos_um: np.ndarray,
    radius_um: np.ndarray,
    level: np.ndarray,
    n_levels: int,
    box_xy_um: tuple[float, float],
    skin: float,
    movers: np.ndarray,
    slack_um: np.ndarray,
    start: np.ndarray,
    entries: np.ndarray,
    pi: np.ndarray,
    pj: np.ndarray,
) -> tuple[np.ndarray, np.ndarray]:
    """Pairs to append so the list holds every (mover i, j) closer than
    (r_i + r_j)(1 + skin) + slack_um[j] (µm), each unordered pair once.

    ``movers`` (ascending indices) get a fresh list reference; ``slack_um`` is each other
    particle's move since its own reference (0 for movers), so the appended pairs stay valid
    for as long as the particles' moves keep within the skin. Serial: movers are few.
    """
    per_mover = 64
    while True:
        add_i, add_j, ok = _added_pairs(pos_um, radius_um, level, n_levels, float(box_xy_um[0]),
                                        float(box_xy_um[1]), float(skin), movers, slack_um,
                                        start, entries, pi, pj, per_mover)
        if ok:
            return add_i, add_j
        per_mover *= 4


@njit(cache=True)
def move_um(i, pos, pos_ref, radius, radius_ref, height):
    """Non-affine move plus radius change of particle i since its list reference (µm).

    The reference z is stored as a share of the punch height, so that moving with the punch
    (the affine z-motion) does not count.
    """
    mx = pos[i, 0] - pos_ref[i, 0]
    my = pos[i, 1] - pos_ref[i, 1]
    mz = pos[i, 2] - pos_ref[i, 2] * height
    return math.sqrt(mx * mx + my * my + mz * mz) + abs(radius[i] - radius_ref[i])


@njit(cache=True, parallel=True)
def moves_um(pos, pos_ref, radius, radius_ref, height):
    """``move_um`` of every particle (µm)."""
    out = np.empty(radius.size)
    for i in prange(radius.size):
        out[i] = move_um(i, pos, pos_ref, radius, radius_ref, height)
    return out


@njit(cache=True)
def touching_unseen(pos, radius, pi, pj, dmax, lx, ly):
    """Whether a pair without contact history (dmax = 0) overlaps: a contact the last force
    evaluation did not see (pairs are in slots; outer radii in µm)."""
    for k in range(pi.size):
        if dmax[k] != 0.0:
            continue
        i, j = pi[k], pj[k]
        dx = pos[j, 0] - pos[i, 0]
        dx -= lx * math.floor(dx / lx + 0.5)
        dy = pos[j, 1] - pos[i, 1]
        dy -= ly * math.floor(dy / ly + 0.5)
        dz = pos[j, 2] - pos[i, 2]
        r = radius[i] + radius[j]
        if dx * dx + dy * dy + dz * dz < r * r:
            return True
    return False


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


@njit(cache=True)
def carry_history(old_i, old_j, old_value, new_i, new_j, n):
    """Per new pair (i, j): the value the same unordered pair had in the old list, else 0.

    Pairs are given in particle ids; only old pairs with a non-zero value are looked up, in the
    shorter of the two particles' lists (a fine particle's few, not a coarse one's hundreds), so
    the cost is linear in the number of pairs.
    """
    count = np.zeros(n + 1, np.int64)
    for k in range(old_i.size):
        if old_value[k] != 0.0:
            count[old_i[k] + 1] += 1
            count[old_j[k] + 1] += 1
    start = np.cumsum(count)
    fill = start[:-1].copy()
    partner = np.empty(start[-1], np.int64)
    value = np.empty(start[-1])
    for k in range(old_i.size):
        if old_value[k] != 0.0:
            a, b = old_i[k], old_j[k]
            partner[fill[a]] = b
            value[fill[a]] = old_value[k]
            fill[a] += 1
            partner[fill[b]] = a
            value[fill[b]] = old_value[k]
            fill[b] += 1
    out = np.zeros(new_i.size)
    for k in range(new_i.size):
        a, b = new_i[k], new_j[k]
        if start[b + 1] - start[b] < start[a + 1] - start[a]:
            a, b = b, a
        for s in range(start[a], start[a + 1]):
            if partner[s] == b:
                out[k] = value[s]
                break
    return out


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
