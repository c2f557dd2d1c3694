"""Face-connected cluster labels of a boolean volume, merged across periodic faces."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from scipy import ndimage as ndi
from scipy.sparse import coo_matrix
from scipy.sparse.csgraph import connected_components

FACE_STRUCTURE = ndi.generate_binary_structure(3, 1)


def label_periodic(
    mask: np.ndarray, *, periodic_axes: Sequence[int] = ()
) -> tuple[np.ndarray, int]:
    """Face-connected clusters of a boolean volume, merged across periodic faces (ids, count).

    Clusters that meet across the first and last slice of any of ``periodic_axes`` are merged
    into one, as in a volume that repeats along those axes (x and y of a generated twin).

    Parameters
    ----------
    mask : ndarray of bool, shape (nx, ny, nz)
        The phase to cluster; voxels connect through shared faces (6-neighbourhood).
    periodic_axes : sequence of int, optional
        Axes (0, 1, 2) along which the volume repeats; default none.

    Returns
    -------
    labels : ndarray of int32, shape (nx, ny, nz)
        Cluster id (dimensionless) per voxel: 1..n inside ``mask``, 0 outside.
    n : int
        Number of clusters.

    Examples
    --------
    >>> import numpy as np
    >>> from cathodetwin.analysis import label_periodic
    >>> mask = np.zeros((6, 1, 1), bool)
    >>> mask[[0, 5]] = True  # two voxels on opposite x faces
    >>> label_periodic(mask)[1], label_periodic(mask, periodic_axes=(0,))[1]
    (2, 1)
    """
    labels, n = ndi.label(mask, structure=FACE_STRUCTURE)
    if not periodic_axes or n == 0:
        return labels, int(n)
    a = np.concatenate([np.take(labels, 0, axis=ax).ravel() for ax in periodic_axes])
    b = np.concatenate([np.take(labels, -1, axis=ax).ravel() for ax in periodic_axes])
    both = (a > 0) & (b > 0) & (a != b)
    if not both.any():
        return labels, int(n)
    ones = np.ones(int(both.sum()), np.int8)
    graph = coo_matrix((ones, (a[both], b[both])), shape=(n + 1, n + 1))
    m, comp = connected_components(graph, directed=False)
    lut = comp.astype(np.int32)
    z = lut[0]  # the background is alone in its component; make its id 0
    lut = np.where(lut == z, 0, np.where(lut == 0, z, lut)).astype(np.int32)
    return lut[labels], int(m - 1)
