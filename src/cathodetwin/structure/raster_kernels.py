"""Numba kernels that draw layered spheres and capped cylinders into a z-slab of voxels."""

from __future__ import annotations

import math

import numba as nb
import numpy as np

from cathodetwin.packing.shell_patches import patch_field


@nb.njit(cache=True)
def _claim(
    i: int, j: int, kk: int, label: int, prio: int, key: float, owner: int,
    lab: np.ndarray, pri: np.ndarray, keys: np.ndarray, own: np.ndarray, want_owner: bool,
) -> None:
    """Give voxel (i, j, kk) to ``label`` if its priority is higher, or equal with a lower key."""
    if prio > pri[i, j, kk] or (prio == pri[i, j, kk] and key < keys[i, j, kk]):
        pri[i, j, kk] = prio
        keys[i, j, kk] = key
        lab[i, j, kk] = label
        if want_owner:
            own[i, j, kk] = owner


@nb.njit(cache=True)
def draw_spheres(
    lab: np.ndarray, pri: np.ndarray, keys: np.ndarray, own: np.ndarray, want_owner: bool,
    k0: int, nz: int, spacing: np.ndarray, idx: np.ndarray,
    center: np.ndarray, r_core: np.ndarray, r_buf: np.ndarray, r_out: np.ndarray,
    lab_core: np.ndarray, lab_buf: np.ndarray, lab_shell: np.ndarray,
    pri_core: np.ndarray, pri_buf: int, pri_shell: int,
    coverage: np.ndarray, dirs: np.ndarray, thr: np.ndarray, kappa: float,
) -> None:
    """Draw spheres ``idx`` (core, buffer, shell layers) into the slab lab[:, :, k - k0].

    Voxel centres sit at ((i + ½) vx, (j + ½) vy, (k + ½) vz); x and y wrap periodically.
    A voxel belongs to a layer when its centre lies within the layer's outer radius.
    """
    nx, ny, cz = lab.shape
    vx, vy, vz = spacing[0], spacing[1], spacing[2]
    k_end = min(k0 + cz, nz)
    for t in range(idx.size):
        p = idx[t]
        cx, cy, czp = center[p, 0], center[p, 1], center[p, 2]
        ro = r_out[p]
        ro2 = ro * ro
        rc2 = r_core[p] * r_core[p]
        rb2 = r_buf[p] * r_buf[p]
        i_lo = int(math.ceil((cx - ro) / vx - 0.5))
        i_hi = int(math.floor((cx + ro) / vx - 0.5))
        j_lo = int(math.ceil((cy - ro) / vy - 0.5))
        j_hi = int(math.floor((cy + ro) / vy - 0.5))
        k_lo = max(int(math.ceil((czp - ro) / vz - 0.5)), k0)
        k_hi = min(int(math.floor((czp + ro) / vz - 0.5)), k_end - 1)
        for k in range(k_lo, k_hi + 1):
            dz = (k + 0.5) * vz - czp
            for i in range(i_lo, i_hi + 1):
                dx = (i + 0.5) * vx - cx
                ii = i % nx
                for j in range(j_lo, j_hi + 1):
                    dy = (j + 0.5) * vy - cy
                    d2 = dx * dx + dy * dy + dz * dz
                    if d2 > ro2:
                        continue
                    jj = j % ny
                    kk = k - k0
                    if d2 <= rc2:
                        _claim(ii, jj, kk, lab_core[p], pri_core[p], d2 - rc2, p,
                               lab, pri, keys, own, want_owner)
                    elif d2 <= rb2:
                        _claim(ii, jj, kk, lab_buf[p], pri_buf, d2 - rb2, p,
                               lab, pri, keys, own, want_owner)
                    else:
                        if coverage[p] < 1.0:
                            d = math.sqrt(d2)
                            f = patch_field(dx / d, dy / d, dz / d, dirs[p], kappa)
                            if f < thr[p]:
                                continue
                        _claim(ii, jj, kk, lab_shell[p], pri_shell, d2 - ro2, p,
                               lab, pri, keys, own, want_owner)


@nb.njit(cache=True)
def draw_fibers(
    lab: np.ndarray, pri: np.ndarray, keys: np.ndarray, own: np.ndarray, want_owner: bool,
    k0: int, nz: int, spacing: np.ndarray, idx: np.ndarray,
    a: np.ndarray, b: np.ndarray, radius: np.ndarray, lab_fiber: np.ndarray, pri_fiber: int,
    owner_offset: int,
) -> None:
    """Draw capped cylinders (segment a→b, radius) ``idx`` into the slab; x and y wrap."""
    nx, ny, cz = lab.shape
    vx, vy, vz = spacing[0], spacing[1], spacing[2]
    k_end = min(k0 + cz, nz)
    for t in range(idx.size):
        f = idx[t]
        r = radius[f]
        r2 = r * r
        ax, ay, az = a[f, 0], a[f, 1], a[f, 2]
        ex, ey, ez = b[f, 0] - ax, b[f, 1] - ay, b[f, 2] - az
        ee = ex * ex + ey * ey + ez * ez
        i_lo = int(math.ceil((min(ax, ax + ex) - r) / vx - 0.5))
        i_hi = int(math.floor((max(ax, ax + ex) + r) / vx - 0.5))
        j_lo = int(math.ceil((min(ay, ay + ey) - r) / vy - 0.5))
        j_hi = int(math.floor((max(ay, ay + ey) + r) / vy - 0.5))
        k_lo = max(int(math.ceil((min(az, az + ez) - r) / vz - 0.5)), k0)
        k_hi = min(int(math.floor((max(az, az + ez) + r) / vz - 0.5)), k_end - 1)
        for k in range(k_lo, k_hi + 1):
            pz = (k + 0.5) * vz - az
            for i in range(i_lo, i_hi + 1):
                px = (i + 0.5) * vx - ax
                for j in range(j_lo, j_hi + 1):
                    py = (j + 0.5) * vy - ay
                    s = (px * ex + py * ey + pz * ez) / ee if ee > 0.0 else 0.0
                    s = min(max(s, 0.0), 1.0)
                    qx, qy, qz = px - s * ex, py - s * ey, pz - s * ez
                    d2 = qx * qx + qy * qy + qz * qz
                    if d2 <= r2:
                        _claim(i % nx, j % ny, k - k0, lab_fiber[f], pri_fiber, d2 - r2,
                               owner_offset + f, lab, pri, keys, own, want_owner)
