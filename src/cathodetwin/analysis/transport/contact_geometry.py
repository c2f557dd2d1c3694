"""Near pairs of capsules (spheres and capped-cylinder segments) in a box periodic in x and y.

A capsule is the set of points within ``radius`` of the segment start → end; a sphere is a
capsule with start == end. Coordinates in µm; x and y wrap with the box period (capsules may
extend outside the box there), z does not. Candidates come from k-d trees on probe points, the
centres of pieces at most one diameter long along each axis (a probe covers its piece within
radius + half the piece length), with ghost copies of the probes near the x/y faces so that
every periodic image within reach is found, also in boxes hardly larger than the capsules.
Probes are sorted into covering-radius classes (factor 2 apart) so that small capsules are not
searched with the reach of the largest one. The exact surface gap then comes from the closest
points of the two axes.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.spatial import cKDTree

from cathodetwin.errors import InputError

_EPS_UM = 1e-12  # axis length below which a capsule counts as a sphere


@dataclass(frozen=True)
class CapsulePairs:
    """Pairs i < j whose surfaces are at most the reach apart, one row per periodic image.

    ``shift_um`` translates capsule j to the image that i touches; ``s`` and ``t`` locate the
    closest points on the axes of i and j (0 = start, 1 = end); ``axis_distance_um`` is their
    distance, so the surface gap is ``axis_distance_um - r_i - r_j`` (< 0: overlap).
    """

    i: np.ndarray  # int64 (P,)
    j: np.ndarray  # int64 (P,)
    shift_um: np.ndarray  # (P, 3)
    s: np.ndarray  # (P,)
    t: np.ndarray  # (P,)
    axis_distance_um: np.ndarray  # (P,)


def closest_points(
    p1: np.ndarray, q1: np.ndarray, p2: np.ndarray, q2: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Parameters s, t and distance (µm) of the closest points of segments p1q1 and p2q2, (P, 3).

    Ericson, Real-Time Collision Detection (2005) §5.1.9, vectorised; zero-length segments are
    points.
    """
    d1 = q1 - p1
    d2 = q2 - p2
    r = p1 - p2
    a = np.einsum("ij,ij->i", d1, d1)
    e = np.einsum("ij,ij->i", d2, d2)
    f = np.einsum("ij,ij->i", d2, r)
    c = np.einsum("ij,ij->i", d1, r)
    b = np.einsum("ij,ij->i", d1, d2)
    point1 = a <= _EPS_UM**2
    point2 = e <= _EPS_UM**2
    safe_a = np.where(point1, 1.0, a)
    safe_e = np.where(point2, 1.0, e)
    denom = a * e - b * b
    parallel = denom <= 1e-12 * np.maximum(a * e, _EPS_UM**4)
    s = np.where(parallel, 0.0, np.clip((b * f - c * e) / np.where(parallel, 1.0, denom), 0, 1))
    t = (b * s + f) / safe_e
    low, high = t < 0.0, t > 1.0
    s = np.where(high, np.clip((b - c) / safe_a, 0, 1), s)
    s = np.where(low, np.clip(-c / safe_a, 0, 1), s)
    t = np.clip(t, 0.0, 1.0)
    # Degenerate cases: one or both segments are points.
    s = np.where(point2 & ~point1, np.clip(-c / safe_a, 0, 1), s)
    t = np.where(point2, 0.0, t)
    t = np.where(point1 & ~point2, np.clip(f / safe_e, 0, 1), t)
    s = np.where(point1, 0.0, s)
    gap = (p1 + s[:, None] * d1) - (p2 + t[:, None] * d2)
    return s, t, np.sqrt(np.einsum("ij,ij->i", gap, gap))


def _probes(
    start: np.ndarray, end: np.ndarray, radius: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Probe points: the centres of pieces at most one diameter long along each axis, as
    (owner index, position, covering radius = radius + half the piece length) in µm."""
    length = np.linalg.norm(end - start, axis=1)
    count = np.maximum(1, np.ceil(length / (2.0 * radius))).astype(np.int64)
    owner = np.repeat(np.arange(radius.size), count)
    first = np.cumsum(count) - count
    frac = (np.arange(owner.size) - first[owner] + 0.5) / count[owner]
    pos = start[owner] + frac[:, None] * (end - start)[owner]
    cover = radius[owner] + 0.5 * length[owner] / count[owner]
    return owner, pos, cover


def _ghosted(
    pos: np.ndarray, margin: float, box_xy: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Probes wrapped into the box (first) and ghost copies of those within ``margin`` (µm) of
    an x/y face: original probe index (G,), position (G, 3), image offset in box periods
    (G, 2); plus the periods each probe was wrapped by (P, 2)."""
    cells = np.floor(pos[:, :2] / box_xy)
    wrapped = pos.copy()
    wrapped[:, :2] -= cells * box_xy
    index = [np.arange(pos.shape[0])]
    points = [wrapped]
    offsets = [np.zeros((pos.shape[0], 2))]
    for gx in (-1, 0, 1):
        for gy in (-1, 0, 1):
            if gx == gy == 0:
                continue
            g = np.array([gx, gy], float)
            near = np.ones(pos.shape[0], bool)
            for axis, k in ((0, gx), (1, gy)):
                if k == 1:
                    near &= wrapped[:, axis] < margin
                elif k == -1:
                    near &= wrapped[:, axis] > box_xy[axis] - margin
            ghost = wrapped[near].copy()
            ghost[:, :2] += g * box_xy
            index.append(np.flatnonzero(near))
            points.append(ghost)
            offsets.append(np.broadcast_to(g, (ghost.shape[0], 2)))
    return np.concatenate(index), np.concatenate(points), np.concatenate(offsets), cells


def near_pairs(
    start_um: np.ndarray,
    end_um: np.ndarray,
    radius_um: np.ndarray,
    box_xy_um: tuple[float, float],
    reach_um: float,
    group: np.ndarray,
) -> CapsulePairs:
    """All capsule pairs whose surface gap is at most ``reach_um`` (µm), every periodic image.

    Capsules in the same ``group`` (≥ 0, e.g. the segments of one fibre) are never paired;
    ``group`` −1 pairs with everything. Raises ValueError when a capsule's reach exceeds the
    box period (the ghost layer is one period deep).
    """
    box_xy = np.asarray(box_xy_um, float)
    if radius_um.size == 0:
        none = np.zeros(0)
        return CapsulePairs(none.astype(np.int64), none.astype(np.int64), np.zeros((0, 3)),
                            none, none, none)
    owner, pos, cover = _probes(start_um, end_um, radius_um)
    cls = np.floor(np.log2(cover / cover.min())).astype(np.int64)
    classes = np.unique(cls)
    cover_max = {k: float(cover[cls == k].max()) for k in classes}
    margin = 2.0 * max(cover_max.values()) + reach_um
    if margin >= box_xy.min():
        raise InputError(
            f"box_um x/y = {tuple(box_xy)} µm must exceed the contact reach {margin:.3g} µm "
            "(twice the largest body radius plus the carbon gap)"
        )
    ghost_src, ghost_pos, ghost_off, cells = _ghosted(pos, margin, box_xy)
    n_probes = pos.shape[0]  # the ghosted arrays start with the originals
    members = {k: np.flatnonzero(cls[ghost_src] == k) for k in classes}
    trees = {k: cKDTree(ghost_pos[members[k]]) for k in classes}
    found_i, found_j, found_k = [], [], []
    for ka in classes:
        # Same class: each unordered pair once (first < second), so the first is an original
        # unless both are ghosts, which repeat a pair of originals.
        hits = trees[ka].query_pairs(2.0 * cover_max[ka] + reach_um, output_type="ndarray")
        first, second = members[ka][hits[:, 0]], members[ka][hits[:, 1]]
        batches = [(first[first < n_probes], second[first < n_probes])]
        originals = members[ka][members[ka] < n_probes]
        tree_a = cKDTree(ghost_pos[originals])
        for kb in classes[classes > ka]:
            hits = tree_a.sparse_distance_matrix(
                trees[kb], cover_max[ka] + cover_max[kb] + reach_um, output_type="ndarray"
            )
            batches.append((originals[hits["i"]], members[kb][hits["j"]]))
        for p, g in batches:
            q = ghost_src[g]
            bi, bj = owner[p], owner[q]
            group_i = group[bi]
            keep = (bi != bj) & ((group_i < 0) | (group_i != group[bj]))
            p, g, q = p[keep], g[keep], q[keep]
            # Image of q's capsule that p's capsule meets, in box periods.
            found_k.append(np.rint(cells[p] - cells[q] + ghost_off[g]).astype(np.int64))
            found_i.append(owner[p])
            found_j.append(owner[q])
    i = np.concatenate(found_i)
    j = np.concatenate(found_j)
    k = np.concatenate(found_k)
    swap = i > j
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    k[swap] *= -1
    # One row per (i, j, image): unique on a single int64 key.
    low = k.min(axis=0, initial=0)
    span = k.max(axis=0, initial=0) - low + 1
    key = ((i * radius_um.size + j) * span[0] + (k[:, 0] - low[0])) * span[1] + (k[:, 1] - low[1])
    key = np.unique(key)
    k = np.stack([(key // span[1]) % span[0] + low[0], key % span[1] + low[1]], axis=1)
    pair = key // (span[0] * span[1])
    i, j = pair // radius_um.size, pair % radius_um.size
    shift = np.zeros((i.size, 3))
    shift[:, :2] = k * box_xy
    s, t, dist = closest_points(start_um[i], end_um[i], start_um[j] + shift, end_um[j] + shift)
    near = dist - radius_um[i] - radius_um[j] <= reach_um
    return CapsulePairs(i[near], j[near], shift[near], s[near], t[near], dist[near])
