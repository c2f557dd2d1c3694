"""Where a partially covered SSE shell lies on its CAM core: patches shared by DEM and voxels.

A shell with coverage c < 1 is the super-level set of a smooth field on the unit sphere, the
sum of von Mises–Fisher bumps exp(κ(n·u − 1)) around K random patch centres u; the level is
chosen per particle so that the covered share of the sphere is c. Particles do not rotate in
the compaction (frictionless spheres), so the same lab-frame patches decide where a contact
meets shell or bare CAM during pressing and which voxels are drawn as shell.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit

PATCHES_PER_PARTICLE = 12  # shell patch centres per partially covered particle
PATCH_KAPPA = 8.0  # concentration of each patch bump exp(κ(n·u − 1)): ~25° half-width
_SPHERE_SAMPLES = 4096  # Fibonacci points used to set each particle's coverage threshold


@njit(cache=True)
def patch_field(n0: float, n1: float, n2: float, dirs: np.ndarray, kappa: float) -> float:
    """Sum of von Mises–Fisher bumps exp(kappa (n·u − 1)) over patch centres ``dirs`` (K, 3)."""
    f = 0.0
    for q in range(dirs.shape[0]):
        f += math.exp(kappa * (n0 * dirs[q, 0] + n1 * dirs[q, 1] + n2 * dirs[q, 2] - 1.0))
    return f


@njit(cache=True)
def covered(n0: float, n1: float, n2: float, coverage: float, dirs: np.ndarray,
            threshold: float) -> bool:
    """Whether unit direction n (from the particle centre) meets the shell."""
    if coverage >= 1.0:
        return True
    if coverage <= 0.0:
        return False
    return patch_field(n0, n1, n2, dirs, PATCH_KAPPA) >= threshold


@njit(cache=True)
def covered_along(directions: np.ndarray, particle: np.ndarray, coverage: np.ndarray,
                  dirs: np.ndarray, thresholds: np.ndarray) -> np.ndarray:
    """Per row: whether unit direction ``directions[m]`` meets the shell of ``particle[m]``."""
    out = np.empty(particle.size, np.bool_)
    for m in range(particle.size):
        p = particle[m]
        out[m] = covered(directions[m, 0], directions[m, 1], directions[m, 2], coverage[p],
                         dirs[p], thresholds[p])
    return out


@njit(cache=True)
def patch_thresholds(
    dirs: np.ndarray, coverage: np.ndarray, kappa: float, sphere_pts: np.ndarray
) -> np.ndarray:
    """Per particle, the field level whose super-level set covers ``coverage`` of the sphere."""
    n = coverage.size
    m = sphere_pts.shape[0]
    thr = np.zeros(n)
    vals = np.empty(m)
    for p in range(n):
        if coverage[p] <= 0.0 or coverage[p] >= 1.0:
            continue
        for s in range(m):
            vals[s] = patch_field(sphere_pts[s, 0], sphere_pts[s, 1], sphere_pts[s, 2],
                                  dirs[p], kappa)
        vals.sort()
        idx = int(round((1.0 - coverage[p]) * m))
        idx = min(max(idx, 0), m - 1)
        thr[p] = vals[idx]
    return thr


def fibonacci_sphere(m: int) -> np.ndarray:
    """``m`` nearly uniform unit vectors (golden-angle spiral)."""
    i = np.arange(m) + 0.5
    z = 1.0 - 2.0 * i / m
    phi = np.pi * (1.0 + 5.0**0.5) * i
    s = np.sqrt(1.0 - z * z)
    return np.column_stack([s * np.cos(phi), s * np.sin(phi), z])


def shell_patches(
    coverage: np.ndarray, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Patch centres (N, K, 3) and field thresholds (N,) drawing ``coverage`` of each shell.

    Particle p's patch centres come from ``numpy.random.default_rng([seed, p])``, so a particle
    keeps its patches whatever else is in the packing; full or absent shells need none.
    """
    n = coverage.size
    dirs = np.zeros((n, PATCHES_PER_PARTICLE, 3))
    dirs[:, :, 2] = 1.0
    for p in np.flatnonzero((coverage > 0) & (coverage < 1)):
        u = np.random.default_rng([seed, int(p)]).normal(size=(PATCHES_PER_PARTICLE, 3))
        dirs[p] = u / np.linalg.norm(u, axis=1, keepdims=True)
    thr = patch_thresholds(dirs, coverage.astype(np.float64), PATCH_KAPPA,
                           fibonacci_sphere(_SPHERE_SAMPLES))
    return dirs, thr
