"""The part of a conducting phase that connects the inlet face to the outlet face."""

from __future__ import annotations

import numpy as np

from cathodetwin.analysis.geometry.labels import label_periodic


def connected_to_both_faces(
    mask: np.ndarray, axis: int, periodic_axes: tuple[int, ...] = ()
) -> np.ndarray:
    """Voxels of ``mask`` face-connected to both the first and the last slice along ``axis``.

    Clusters that wrap around the ``periodic_axes`` count as one. Isolated pockets and
    clusters touching only one face are dropped; dead ends of the spanning cluster are kept.
    """
    labels, count = label_periodic(mask, periodic_axes=periodic_axes)
    inlet = np.unique(np.take(labels, 0, axis=axis))
    outlet = np.unique(np.take(labels, mask.shape[axis] - 1, axis=axis))
    keep = np.zeros(count + 1, dtype=bool)
    keep[np.intersect1d(inlet, outlet)] = True
    keep[0] = False  # background
    return keep[labels]
