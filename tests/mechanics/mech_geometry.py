"""Small voxel geometries shared by the mechanics tests."""

from __future__ import annotations

import numpy as np


def sphere_labels(n: int, radius_vox: float, inside: int = 1, outside: int = 0) -> np.ndarray:
    """n³ uint8 volume with a centred ball of ``inside`` in ``outside``."""
    x = np.arange(n) - n / 2 + 0.5
    r2 = x[:, None, None] ** 2 + x[None, :, None] ** 2 + x[None, None, :] ** 2
    return np.where(r2 < radius_vox**2, inside, outside).astype(np.uint8)


def random_composite(n: int, seed: int = 0) -> np.ndarray:
    """Periodic random composite: label 1 CAM balls (~45 %) in SSE 2 with pore balls 0."""
    rng = np.random.default_rng(seed)
    labels = np.full((n, n, n), 2, np.uint8)
    grid = np.indices((n, n, n)).reshape(3, -1).T

    def stamp(value: int, radius: float, fraction: float) -> None:
        while np.mean(labels == value) < fraction:
            c = rng.uniform(0, n, 3)
            d = np.abs(grid + 0.5 - c)
            d = np.minimum(d, n - d)
            hit = ((d**2).sum(1) < radius**2).reshape(labels.shape) & (labels == 2)
            labels[hit] = value

    stamp(1, n / 7, 0.45)
    stamp(0, n / 14, 0.12)
    return labels
