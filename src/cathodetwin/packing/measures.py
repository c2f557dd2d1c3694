"""Measures of a Packing: solid volumes counted once, slab solid fraction, coordination numbers.

Ownership rule for overlapping spheres (the one the compaction conserves volume with, and the
one a voxeliser should use): a bare CAM particle owns its whole sphere against any particle
with a plastic surface (SSE or SSE-shelled CAM); otherwise the point belongs to the sphere of
smallest power distance |x − c|² − r² (the radical plane splits each pairwise lens). Points
outside 0 ≤ z ≤ height are outside the layer.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

from cathodetwin.errors import InputError
from cathodetwin.packing.geometry import sphere_in_slab_um3


def plastic_surface(roles: tuple[str, ...], shell_materials: tuple[object, ...]) -> np.ndarray:
    """Per component: True where the particle surface is ductile SSE (SSE or SSE shell)."""
    return np.array(
        [role == "SSE" or shell is not None for role, shell in zip(roles, shell_materials,
                                                                    strict=True)]
    )


def _min_image(d: np.ndarray, box_um: tuple[float, float, float]) -> np.ndarray:
    d = d.copy()
    for ax in (0, 1):
        d[:, ax] -= box_um[ax] * np.floor(d[:, ax] / box_um[ax] + 0.5)
    return d


def pairwise_volumes_um3(
    center_um: np.ndarray,
    radius_um: np.ndarray,
    soft: np.ndarray,
    pair_i: np.ndarray,
    pair_j: np.ndarray,
    box_um: tuple[float, float, float],
) -> np.ndarray:
    """Solid volume of each sphere counted once (µm³) from pairwise lenses and wall caps.

    ``soft`` flags particles with a plastic surface. Lenses are split by the radical plane; a
    soft–hard lens is charged wholly to the soft particle. Regions where three or more spheres
    overlap are subtracted more than once (small below ~90 % density).
    """
    vol = 4.0 / 3.0 * np.pi * radius_um**3
    z, r, h = center_um[:, 2], radius_um, box_um[2]
    vol -= _caps(r - z, r) + _caps(z + r - h, r)
    if pair_i.size:
        d = np.linalg.norm(_min_image(center_um[pair_j] - center_um[pair_i], box_um), axis=1)
        ri, rj = radius_um[pair_i], radius_um[pair_j]
        d = np.maximum(d, 1e-12)
        s1 = (d**2 + ri**2 - rj**2) / (2 * d)
        hi = np.clip(ri - s1, 0, 2 * ri) * (ri + rj > d)
        hj = np.clip(rj - (d - s1), 0, 2 * rj) * (ri + rj > d)
        ci, cj = _caps(hi, ri), _caps(hj, rj)
        si, sj = soft[pair_i], soft[pair_j]
        to_i = np.where(si & ~sj, ci + cj, np.where(~si & sj, 0.0, ci))
        to_j = np.where(sj & ~si, ci + cj, np.where(si & ~sj, 0.0, cj))
        np.subtract.at(vol, pair_i, to_i)
        np.subtract.at(vol, pair_j, to_j)
    return vol


def _caps(h: np.ndarray, r: np.ndarray) -> np.ndarray:
    h = np.clip(h, 0.0, 2 * r)
    return np.pi * h**2 * (3 * r - h) / 3.0


@njit(cache=True)
def _owner_grid(center, radius, soft, lx, ly, h, spacing):
    nx = int(round(lx / spacing))
    ny = int(round(ly / spacing))
    nz = int(math.ceil(h / spacing))
    sx = lx / nx
    sy = ly / ny
    sz = h / nz
    owner = -np.ones((nx, ny, nz), np.int64)
    key = np.full((nx, ny, nz), np.inf)
    for p in range(radius.size):
        cx, cy, cz, r = center[p, 0], center[p, 1], center[p, 2], radius[p]
        rank = 1.0e30 if soft[p] else 0.0
        i0 = int(math.floor((cx - r) / sx - 0.5))
        i1 = int(math.ceil((cx + r) / sx - 0.5))
        j0 = int(math.floor((cy - r) / sy - 0.5))
        j1 = int(math.ceil((cy + r) / sy - 0.5))
        k0 = max(0, int(math.floor((cz - r) / sz - 0.5)))
        k1 = min(nz - 1, int(math.ceil((cz + r) / sz - 0.5)))
        for i in range(i0, i1 + 1):
            dx = (i + 0.5) * sx - cx
            for j in range(j0, j1 + 1):
                dy = (j + 0.5) * sy - cy
                for k in range(k0, k1 + 1):
                    dz = (k + 0.5) * sz - cz
                    pw = dx * dx + dy * dy + dz * dz - r * r
                    if pw <= 0.0:
                        ii = i % nx
                        jj = j % ny
                        val = rank + pw
                        if val < key[ii, jj, k]:
                            key[ii, jj, k] = val
                            owner[ii, jj, k] = p
    return owner, sx * sy * sz


def sampled_volumes_um3(
    center_um: np.ndarray,
    radius_um: np.ndarray,
    soft: np.ndarray,
    box_um: tuple[float, float, float],
    spacing_um: float,
) -> np.ndarray:
    """Solid volume of each sphere (µm³) by the ownership rule on a point grid of this spacing.

    Exact up to the sampling error; triple overlaps are counted once. Memory: 16 bytes per
    grid point.
    """
    n_points = box_um[0] * box_um[1] * box_um[2] / spacing_um**3
    if n_points > 2e8:
        raise InputError(f"spacing_um={spacing_um} gives {n_points:.3g} points; use a coarser one")
    owner, cell = _owner_grid(center_um, radius_um, soft, *box_um, spacing_um)
    counts = np.bincount(owner[owner >= 0].ravel(), minlength=radius_um.size)
    return counts * cell


@njit(cache=True)
def _slab(center_z, radius, z_low, z_high):
    total = 0.0
    for p in range(radius.size):
        total += sphere_in_slab_um3(center_z[p], radius[p], z_low, z_high)
    return total


def slab_solid_fraction(
    center_um: np.ndarray, radius_um: np.ndarray, box_um: tuple[float, float, float],
    z_low_um: float, z_high_um: float,
) -> float:
    """Solid fraction of the slab z_low ≤ z ≤ z_high from sphere–slab volumes (overlaps twice).

    Meant for near-contact packings (vanishing pressure), where overlaps are negligible.
    """
    if not 0.0 <= z_low_um < z_high_um <= box_um[2]:
        raise InputError(
            f"slab [{z_low_um}, {z_high_um}] µm must lie inside [0, {box_um[2]}] and be non-empty"
        )
    solid = _slab(center_um[:, 2].copy(), radius_um, float(z_low_um), float(z_high_um))
    return solid / (box_um[0] * box_um[1] * (z_high_um - z_low_um))


def coordination_numbers(
    component: np.ndarray, names: tuple[str, ...], pair_i: np.ndarray, pair_j: np.ndarray
) -> dict[str, float]:
    """Mean number of contacts with component B per particle of component A, key "A->B"."""
    k = len(names)
    counts = np.zeros((k, k))
    ci, cj = component[pair_i], component[pair_j]
    np.add.at(counts, (ci, cj), 1.0)
    np.add.at(counts, (cj, ci), 1.0)
    n = np.bincount(component, minlength=k).astype(float)
    return {
        f"{names[a]}->{names[b]}": float(counts[a, b] / n[a])
        for a in range(k) for b in range(k) if n[a] > 0 and n[b] > 0
    }


def component_volumes_um3(volume_per_particle: np.ndarray, component: np.ndarray,
                          names: tuple[str, ...]) -> dict[str, float]:
    """Sum of per-particle volumes (µm³) per component name."""
    sums = np.bincount(component, weights=volume_per_particle, minlength=len(names))
    return {name: float(sums[a]) for a, name in enumerate(names)}


def densification_curve(history: dict) -> dict[str, dict[str, list[float]]]:
    """Porosity (0..1) against applied pressure (MPa) on loading and on release to the stack.

    From a compaction ``history`` (``Packing.history``): the ``load`` stage gives the loading
    branch (ramp and hold; the last point is the equilibrium at the pressing pressure), the
    ``unload`` stage the release branch (the last point is the unloaded layer). Carbon placed
    after pressing is not counted (the DEM solid only).
    """
    from cathodetwin.packing.compaction import STAGES  # late: compaction imports measures

    stage = np.asarray(history.get("stage", []), int)
    pressure = np.asarray(history.get("pressure_mpa", []), float)
    solid = np.asarray(history.get("solid_fraction", []), float)
    out: dict[str, dict[str, list[float]]] = {}
    for branch, name in (("loading", "load"), ("release", "unload")):
        pick = stage == STAGES.index(name)
        out[branch] = {"pressure_mpa": pressure[pick].tolist(),
                       "porosity": (1.0 - solid[pick]).tolist()}
    return out
