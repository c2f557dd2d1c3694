"""Small synthetic volumes to try the analyses on: random blobs and a three-phase composite.

Both are reproducible from their seed and cheap (a Gaussian-filtered random field cut at a
quantile), which makes them the volumes of the documentation's examples and of quick
benchmarks. They are not packings: for a pressed composite build a twin from a recipe.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage

from cathodetwin.errors import InputError
from cathodetwin.structure.microstructure import Microstructure, Phase


def blobs(
    shape: tuple[int, int, int], *, porosity: float = 0.5, blob_size_voxels: float = 2.0,
    seed: int = 0,
) -> np.ndarray:
    """Boolean volume (True = pore) of smooth random blobs holding ``porosity`` of the voxels.

    Examples
    --------
    >>> from cathodetwin.structure.synthetic import blobs
    >>> pores = blobs((20, 20, 20), porosity=0.3, seed=1)
    >>> float(pores.mean())
    0.3
    """
    if not 0.0 < porosity < 1.0:
        raise InputError(f"porosity={porosity!r} is not allowed; expected a fraction in (0, 1)")
    if not blob_size_voxels > 0.0:
        raise InputError(f"blob_size_voxels={blob_size_voxels!r} must be > 0")
    noise = ndimage.gaussian_filter(np.random.default_rng(seed).random(shape),
                                    blob_size_voxels, mode="wrap")
    return noise > np.quantile(noise, 1.0 - porosity)


def synthetic_composite(
    shape: tuple[int, int, int] = (32, 32, 32), *, voxel_size_um: float = 0.25,
    cam_fraction: float = 0.45, porosity: float = 0.15, blob_size_voxels: float = 2.5,
    seed: int = 0,
) -> Microstructure:
    """A three-phase composite (NCM811 CAM, Li6PS5Cl SSE, pores) periodic in x and y.

    The CAM and the pores are two independent blob fields; the SSE fills the rest. Phase
    labels: 0 pore, 1 CAM, 2 SSE. The provenance marks it periodic in x and y like a
    generated twin.

    Examples
    --------
    >>> from cathodetwin.structure.synthetic import synthetic_composite
    >>> micro = synthetic_composite((24, 24, 24), seed=2)
    >>> micro.shape, [p.name for p in micro.phases]
    ((24, 24, 24), ['pore', 'NCM811', 'Li6PS5Cl'])
    """
    if not (0.0 < cam_fraction and 0.0 < porosity and cam_fraction + porosity < 1.0):
        raise InputError(f"cam_fraction={cam_fraction!r} and porosity={porosity!r} must be "
                         "positive fractions summing to less than 1")
    cam = blobs(shape, porosity=cam_fraction, blob_size_voxels=blob_size_voxels, seed=seed)
    pore_share = porosity / (1.0 - cam_fraction)  # of the non-CAM voxels
    pore = blobs(shape, porosity=pore_share, blob_size_voxels=blob_size_voxels,
                 seed=seed + 1) & ~cam
    labels = np.full(shape, 2, np.uint8)
    labels[cam] = 1
    labels[pore] = 0
    phases = (Phase(0, "pore", "pore"), Phase(1, "NCM811", "CAM", "NCM811"),
              Phase(2, "Li6PS5Cl", "SSE", "Li6PS5Cl"))
    return Microstructure(labels, (voxel_size_um,) * 3, phases,
                          {"source": "synthetic composite", "seed": seed, "periodic_xy": True})
