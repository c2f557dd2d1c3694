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
from cathodetwin.errors import InputError
from cathodetwin.records import Record, key
from cathodetwin.structure.microstructure import Microstructure


def local_thickness_um(
    mask: np.ndarray, *, voxel_size_um: tuple[float, float, float], periodic_xy: bool = False,
    dist: np.ndarray | None = None,
) -> np.ndarray:
    """Local thickness: diameter (µm) of the largest ball in ``mask`` that covers each voxel.

    The ball centred on voxel c holds the voxel centres closer than d(c), the distance from c
    to the nearest voxel centre outside ``mask``. The phase boundary lies half a voxel before
    that centre, so the ball's diameter is 2 d(c) − one voxel edge (the smallest edge if
    anisotropic): a slab of an odd number n of voxels measures exactly n voxels.

    Parameters
    ----------
    mask : ndarray of bool, shape (nx, ny, nz)
        The phase to measure (the pores, for a pore size distribution).
    voxel_size_um : tuple of 3 float
        Voxel edge lengths in µm along x, y, z.
    periodic_xy : bool, optional
        The volume repeats in x and y (a generated twin); default False.
    dist : ndarray of float32, optional
        :func:`distance_transform` of ``mask`` in µm with the same voxel size and periodicity,
        if already computed.

    Returns
    -------
    ndarray of float32, shape (nx, ny, nz)
        Local thickness in µm; 0 outside ``mask``.

    Examples
    --------
    >>> import numpy as np
    >>> from cathodetwin.analysis import local_thickness_um
    >>> slab = np.zeros((8, 8, 9), bool)
    >>> slab[:, :, 2:7] = True  # a pore slab 5 voxels thick
    >>> lt = local_thickness_um(slab, voxel_size_um=(0.2, 0.2, 0.2), periodic_xy=True)
    >>> round(float(lt[slab].min()), 3), round(float(lt[slab].max()), 3)
    (1.0, 1.0)
    """
    sp = np.asarray(voxel_size_um, np.float64)
    if dist is None:
        dist = distance_transform(mask, voxel_size_um=voxel_size_um,
                                  periodic=(periodic_xy, periodic_xy, False))
    centres = maximal_ball_centres(dist, sp, periodic_xy, periodic_xy)
    radii = dist.ravel()[centres]
    centres = centres[np.argsort(-radii, kind="stable")]
    out = np.zeros(mask.shape, np.float32)
    paint_balls(dist, centres, sp, periodic_xy, periodic_xy, out)
    np.subtract(2.0 * out, float(min(voxel_size_um)), out=out, where=out > 0)
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
    micro: Microstructure, *, n_bins: int = 30, n_pore_regions: int | None = None
) -> PoreSizes:
    """Pore size distribution (local thickness, µm), mean and median size, pore counts.

    The ``pore`` phase of ``micro`` is measured by :func:`local_thickness_um` with the volume's
    voxel size and periodicity; pore bodies are counted by :func:`separate_particles`.

    Parameters
    ----------
    micro : Microstructure
        The volume; its ``pore`` role is measured.
    n_bins : int, optional
        Number of equal bins of the size histogram, from 0 to the largest diameter (µm).
    n_pore_regions : int, optional
        Number of face-connected pore clusters, if already known (saves labelling them).

    Returns
    -------
    PoreSizes
        Porosity (0..1), volume-weighted mean, median and largest pore diameter (µm), histogram
        edges (µm) and pore volume share per bin, pore regions, pore bodies and pores per µm³.

    Examples
    --------
    >>> from cathodetwin.analysis import pore_sizes
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> pores = pore_sizes(synthetic_composite((24, 24, 24), porosity=0.2, seed=1))
    >>> round(pores.porosity, 2), 0.25 < pores.mean_diameter_um < 2.0
    (0.19, True)
    """
    if n_bins < 1:
        raise InputError(f"n_bins must be >= 1, got {n_bins}")
    mask = micro.mask("pore")
    periodic = is_periodic_xy(micro)
    total_um3 = micro.labels.size * micro.voxel_volume_um3
    n_vox = int(mask.sum())
    if n_vox == 0:
        return PoreSizes(0.0, None, None, None, (), (), 0, 0, 0.0)
    sp = micro.voxel_size_um
    dist = distance_transform(mask, voxel_size_um=sp, periodic=(periodic, periodic, False))
    thick = local_thickness_um(mask, voxel_size_um=sp, periodic_xy=periodic, dist=dist)[mask]
    if n_pore_regions is None:
        n_pore_regions = label_periodic(mask, periodic_axes=(0, 1) if periodic else ())[1]
    _, n_pores = separate_particles(mask, voxel_size_um=sp, periodic_xy=periodic, dist=dist)
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
