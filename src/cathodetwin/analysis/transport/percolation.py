"""The part of a conducting phase that connects the inlet face to the outlet face."""

from __future__ import annotations

import numpy as np
from scipy import ndimage
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

FACE_CONNECTIVITY = ndimage.generate_binary_structure(3, 1)


def _merge_periodic(labels: np.ndarray, count: int, axes: tuple[int, ...]) -> np.ndarray:
    """Root label of each cluster, joining clusters that touch across the periodic axes."""
    pairs = []
    for axis in axes:
        lo = np.take(labels, 0, axis=axis).ravel()
        hi = np.take(labels, labels.shape[axis] - 1, axis=axis).ravel()
        both = (lo > 0) & (hi > 0)
        pairs.append(np.stack([lo[both], hi[both]]))
    edges = np.unique(np.concatenate(pairs, axis=1), axis=1) if pairs else np.empty((2, 0), int)
    graph = coo_matrix(
        (np.ones(edges.shape[1]), (edges[0], edges[1])), shape=(count + 1, count + 1)
    )
    _, roots = connected_components(graph, directed=False)
    return roots


def connected_to_both_faces(
    mask: np.ndarray, axis: int, periodic_axes: tuple[int, ...] = ()
) -> np.ndarray:
    """Voxels of ``mask`` face-connected to both the first and the last slice along ``axis``.

    Clusters that wrap around the ``periodic_axes`` count as one. Isolated pockets and
    clusters touching only one face are dropped; dead ends of the spanning cluster are kept.
    """
    labels, count = ndimage.label(mask, structure=FACE_CONNECTIVITY)
    roots = np.arange(count + 1)
    if periodic_axes and count > 0:
        roots = _merge_periodic(labels, count, periodic_axes)
    inlet = np.unique(roots[np.take(labels, 0, axis=axis)])
    outlet = np.unique(roots[np.take(labels, mask.shape[axis] - 1, axis=axis)])
    spanning = np.intersect1d(inlet, outlet)
    keep_root = np.zeros(int(roots.max()) + 1, dtype=bool)
    keep_root[spanning] = True
    keep_root[roots[0]] = False  # background
    return keep_root[roots][labels]
