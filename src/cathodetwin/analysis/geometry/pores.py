"""Pore size distribution by local thickness, mean pore size and pore counts.

Local thickness (Hildebrand & Rüegsegger 1997): the diameter of the largest ball that fits in
the pore space and contains the voxel. Computed from the exact distance map: only centres of
maximal balls are painted, largest first, so each voxel is written once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

from cathodetwin.analysis.geometry._thickness_kernels import maximal_ball_centres, paint_balls
from cathodetwin.analysis.geometry.connectivity import is_periodic_xy
from cathodetwin.analysis.geometry.distance import distance_transform
from cathodetwin.analysis.geometry.labels import label_periodic
from cathodetwin.analysis.geometry.particles import separate_particles
from cathodetwin.records import Record, key
from cathodetwin.structure.microstructure import Microstructure


def local_thickness_um(
    mask: np.ndarray, spacing: tuple[float, float, float], periodic_xy: bool,
    dist: np.ndarray | None = None,
) -> np.ndarray:
    """Local thickness (ball diameter, µm, float32) of each voxel of ``mask``; 0 outside.

    The ball centred on voxel c holds the voxel centres closer than d(c), the distance from c
    to the nearest voxel centre outside ``mask``. The phase boundary lies half a voxel before
    that centre, so the ball's diameter is 2 d(c) − one voxel edge (the smallest edge if
    anisotropic): a slab of an odd number n of voxels measures exactly n voxels.
    """
    sp = np.asarray(spacing, np.float64)
    if dist is None:
        dist = distance_transform(mask, spacing, (periodic_xy, periodic_xy, False))
    centres = maximal_ball_centres(dist, sp, periodic_xy, periodic_xy)
    radii = dist.ravel()[centres]
    centres = centres[np.argsort(-radii, kind="stable")]
    out = np.zeros(mask.shape, np.float32)
    paint_balls(dist, centres, sp, periodic_xy, periodic_xy, out)
    np.subtract(2.0 * out, float(min(spacing)), out=out, where=out > 0)
    return out


@dataclass(frozen=True)
class PoreSizes(Record):
    """Pore volume fraction, local-thickness size distribution and pore counts."""

    porosity: float
    # volume-weighted mean local thickness; d50 of the volume distribution; largest
    mean_diameter_um: float | None = field(metadata=key("mean_pore_diameter_um"))
    median_diameter_um: float | None = field(metadata=key("median_pore_diameter_um"))
    max_diameter_um: float | None = field(metadata=key("max_pore_diameter_um"))
    bin_edges_um: tuple[float, ...] = field(metadata=key("pore_size_bin_edges_um"))
    # share of pore volume per size bin
    volume_fraction_per_bin: tuple[float, ...] = field(
        metadata=key("pore_volume_fraction_per_bin"))
    n_pore_regions: int  # connected pore clusters (face connectivity)
    n_pores: int  # pore bodies: watershed of the distance map, persistence ≥ 1 voxel
    pores_per_um3: float


def pore_sizes(
    micro: Microstructure, n_bins: int = 30, n_pore_regions: int | None = None
) -> PoreSizes:
    """Local-thickness pore size distribution (µm), mean size and counts of the pore phase.

    ``n_pore_regions`` may pass the number of connected pore clusters if already known.
    """
    if n_bins < 1:
        raise ValueError(f"n_bins must be >= 1, got {n_bins}")
    mask = micro.mask("pore")
    periodic = is_periodic_xy(micro)
    total_um3 = micro.labels.size * micro.voxel_volume_um3
    n_vox = int(mask.sum())
    if n_vox == 0:
        return PoreSizes(0.0, None, None, None, (), (), 0, 0, 0.0)
    sp = micro.voxel_size_um
    dist = distance_transform(mask, sp, (periodic, periodic, False))
    thick = local_thickness_um(mask, sp, periodic, dist)[mask]
    if n_pore_regions is None:
        n_pore_regions = label_periodic(mask, (0, 1) if periodic else ())[1]
    _, n_pores = separate_particles(mask, sp, periodic, dist=dist)
    top = float(thick.max())
    edges = np.linspace(0.0, top * (1 + 1e-9), n_bins + 1)
    hist = np.histogram(thick, bins=edges)[0] / n_vox
    return PoreSizes(
        porosity=n_vox / micro.labels.size,
        mean_diameter_um=float(thick.mean()),
        median_diameter_um=float(np.median(thick)),
        max_diameter_um=top,
        bin_edges_um=tuple(float(e) for e in edges),
        volume_fraction_per_bin=tuple(float(h) for h in hist),
        n_pore_regions=n_pore_regions,
        n_pores=n_pores,
        pores_per_um3=n_pores / total_um3,
    )
