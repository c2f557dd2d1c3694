"""Loose initial powder: random sequential addition of non-overlapping spheres in a tall box."""

from __future__ import annotations

import math

import numpy as np
from numba import njit

MAX_TRIES = 20000


@njit(cache=True)
def _rsa(radius, lx, ly, height, cell, rng):
    """Place spheres (largest first, as given) without overlap; returns (positions, failed index).

    Each placed sphere is registered in every cell its bounding box touches, so a candidate only
    needs to check the cells of its own bounding box.
    """
    n = radius.size
    nx = max(1, int(lx // cell))
    ny = max(1, int(ly // cell))
    nz = max(1, int(height // cell) + 1)
    wx = lx / nx
    wy = ly / ny
    total = 0
    for i in range(n):
        span_x = min(nx, int(2.0 * radius[i] / wx) + 2)
        span_y = min(ny, int(2.0 * radius[i] / wy) + 2)
        span_z = min(nz, int(2.0 * radius[i] / cell) + 2)
        total += span_x * span_y * span_z
    head = -np.ones(nx * ny * nz, np.int64)
    nxt = np.empty(total, np.int64)
    who = np.empty(total, np.int64)
    used = 0
    pos = np.zeros((n, 3))
    for i in range(n):
        r = radius[i]
        ok = False
        for _ in range(MAX_TRIES):
            x = rng.random() * lx
            y = rng.random() * ly
            z = r + rng.random() * (height - 2.0 * r)
            x0 = int(math.floor((x - r) / wx))
            y0 = int(math.floor((y - r) / wy))
            z0 = max(0, int(math.floor((z - r) / cell)))
            x1 = min(x0 + nx - 1, int(math.floor((x + r) / wx)))
            y1 = min(y0 + ny - 1, int(math.floor((y + r) / wy)))
            z1 = min(nz - 1, int(math.floor((z + r) / cell)))
            clash = False
            for cz in range(z0, z1 + 1):
                for cy in range(y0, y1 + 1):
                    for cx in range(x0, x1 + 1):
                        c = (cz * ny + cy % ny) * nx + cx % nx
                        e = head[c]
                        while e >= 0:
                            j = who[e]
                            dx = pos[j, 0] - x
                            dx -= lx * math.floor(dx / lx + 0.5)
                            dy = pos[j, 1] - y
                            dy -= ly * math.floor(dy / ly + 0.5)
                            dz = pos[j, 2] - z
                            rr = r + radius[j]
                            if dx * dx + dy * dy + dz * dz < rr * rr:
                                clash = True
                                break
                            e = nxt[e]
                        if clash:
                            break
                    if clash:
                        break
                if clash:
                    break
            if not clash:
                ok = True
                break
        if not ok:
            return pos, i
        pos[i, 0] = x
        pos[i, 1] = y
        pos[i, 2] = z
        for cz in range(z0, z1 + 1):
            for cy in range(y0, y1 + 1):
                for cx in range(x0, x1 + 1):
                    c = (cz * ny + cy % ny) * nx + cx % nx
                    who[used] = i
                    nxt[used] = head[c]
                    head[c] = used
                    used += 1
    return pos, -1


def loose_packing(
    radius_um: np.ndarray, box_xy_um: tuple[float, float], solid_fraction: float, seed: int
) -> tuple[np.ndarray, float]:
    """Random non-overlapping centres (µm) at about ``solid_fraction`` and the box height (µm).

    Spheres are added largest first at uniformly random positions (random sequential
    addition) between the walls z = 0 and z = height, periodic in x and y.
    """
    if not 0.01 <= solid_fraction <= 0.35:
        raise ValueError(f"solid_fraction={solid_fraction} is not allowed; expected [0.01, 0.35]")
    lx, ly = box_xy_um
    volume = float(np.sum(4.0 / 3.0 * np.pi * radius_um**3))
    height = max(volume / (lx * ly * solid_fraction), 2.2 * float(radius_um.max()))
    order = np.argsort(-radius_um, kind="stable")
    cell = max(2.0 * float(np.median(radius_um)), 1e-3)
    pos_sorted, failed = _rsa(radius_um[order], float(lx), float(ly), height, cell,
                              np.random.default_rng(seed))
    if failed >= 0:
        raise ValueError(
            f"could not place particle {int(order[failed])} (radius {radius_um[order[failed]]:.3g}"
            f" µm) in a loose packing at solid_fraction={solid_fraction}; lower it"
        )
    pos = np.empty_like(pos_sorted)
    pos[order] = pos_sorted
    return pos, height
