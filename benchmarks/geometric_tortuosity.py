"""Geometric tortuosity: fast marching of first and second order (scikit-fmm) on exact paths.

cathodetwin computes path lengths with scikit-fmm's second-order marching
(``path_lengths_um``); its former hand-written numba solver was first order and gave the same
numbers as scikit-fmm's order 1 to float32 precision (docs/structure.md has the side-by-side
run that decided it). Accuracy: the exact shortest path from a plane around a cylinder
(extruded disc) to every point in its shadow, (H - z0) + R·arc + sqrt(d² - R²). Speed and
agreement: the SSE network of a twin volume (``--twin``: a microstructure.zarr; default the
synthetic composite at 160³).
"""

from __future__ import annotations

import argparse
import math
import os
import time

import numpy as np
import skfmm

from cathodetwin.analysis.geometry.paths import path_lengths_um
from cathodetwin.structure.io import load_microstructure
from cathodetwin.structure.microstructure import IONIC_ROLES
from cathodetwin.structure.synthetic import synthetic_composite


def skfmm_path_lengths_um(mask: np.ndarray, spacing: tuple[float, float, float], order: int,
                          periodic_xy: bool) -> np.ndarray:
    """Distance (µm) from the separator plane (top z face) through ``mask`` with scikit-fmm."""
    nx, ny, nz = mask.shape
    phi = np.empty((nx, ny, nz + 1))
    phi[:, :, :nz] = (nz - 0.5 - np.arange(nz)) * spacing[2]  # > 0 inside: distance to plane
    phi[:, :, nz] = -0.5 * spacing[2]  # one layer above the face: the plane is the zero level
    blocked = np.zeros(phi.shape, bool)
    blocked[:, :, :nz] = ~mask
    blocked[:, :, nz] = ~mask[:, :, -1]
    field = skfmm.distance(np.ma.MaskedArray(phi, blocked), dx=list(spacing), order=order,
                           periodic=(periodic_xy, periodic_xy, False))
    out = np.asarray(field.filled(np.inf))[:, :, :nz]
    out[~mask] = np.inf
    return out


def cylinder_shadow(n: int = 120, radius: float = 20.0) -> tuple[np.ndarray, np.ndarray]:
    """Phase mask outside an extruded disc and the exact path length (voxel units) in its
    shadow (NaN elsewhere)."""
    x0, z0 = n / 2.0, 0.6 * n
    x = np.arange(n) + 0.5
    z = np.arange(n) + 0.5
    xx, zz = np.meshgrid(x, z, indexing="ij")
    outside = (xx - x0) ** 2 + (zz - z0) ** 2 > radius**2
    mask = np.repeat(outside[:, None, :], 4, axis=1)
    d = np.hypot(xx - x0, zz - z0)
    theta = np.arccos(np.clip(radius / d, -1.0, 1.0))
    tangent = np.sqrt(np.maximum(d**2 - radius**2, 0.0))
    paths = []
    for side in (1.0, -1.0):  # around the right and the left of the disc
        phi = np.arctan2(zz - z0, side * (xx - x0))
        arc = -(phi + theta)  # from the side point (angle 0) down to the tangent point
        paths.append(np.where((arc >= 0.0) & (arc <= math.pi),
                              (n - z0) + radius * arc + tangent, np.inf))
    shadow = (np.abs(xx - x0) < radius) & (zz < z0) & outside
    exact = np.where(shadow, np.minimum(*paths), np.nan)
    return mask, np.repeat(exact[:, None, :], 4, axis=1)


def timed(func, *args, **options) -> tuple[np.ndarray, float]:
    t0 = time.perf_counter()
    out = func(*args, **options)
    return out, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--twin", help="microstructure.zarr of a build (default: synthetic)")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    mask, exact = cylinder_shadow()
    ours = path_lengths_um(mask, voxel_size_um=(1.0, 1.0, 1.0), face="separator",
                           periodic_xy=True)  # also compiles
    sel = np.isfinite(exact)
    print(f"cylinder shadow, {sel.sum()} voxels: relative error of the path length")
    for name, field in (("path_lengths_um (2nd order)", ours),
                        ("scikit-fmm order 1", skfmm_path_lengths_um(mask, (1.0,) * 3, 1, True)),
                        ("scikit-fmm order 2", skfmm_path_lengths_um(mask, (1.0,) * 3, 2, True))):
        err = field[sel] / exact[sel] - 1.0
        print(f"  {name:28s} mean {np.mean(err):+.4f}  median {np.median(err):+.4f}  "
              f"max |err| {np.max(np.abs(err)):.4f}")
    micro = (load_microstructure(args.twin) if args.twin
             else synthetic_composite((160, 160, 160), voxel_size_um=0.2, seed=3))
    sse = micro.mask(*IONIC_ROLES)
    periodic = bool(micro.provenance.get("periodic_xy", False))
    print(f"twin SSE network {micro.shape}, volume fraction {sse.mean():.3f}")
    rows = [("path_lengths_um", *timed(path_lengths_um, sse, voxel_size_um=micro.voxel_size_um,
                                       face="separator", periodic_xy=periodic))]
    for order in (1, 2):
        rows.append((f"scikit-fmm order {order}",
                     *timed(skfmm_path_lengths_um, sse, micro.voxel_size_um, order, periodic)))
    nz = micro.shape[2]
    straight = (nz - np.arange(nz) - 0.5) * micro.voxel_size_um[2]
    deep = straight >= 0.25 * nz * micro.voxel_size_um[2]
    for name, field, seconds in rows:
        tau = (field / straight)[:, :, deep]
        tau = tau[np.isfinite(tau)]
        print(f"  {name:22s} {seconds:7.2f} s   median tortuosity {np.median(tau):.4f}  "
              f"reached {np.isfinite(field).sum() / sse.sum():.4f}")


if __name__ == "__main__":
    main()
