"""Island-aware coarse correction for high-contrast multi-phase volumes.

When a highly conducting phase (carbon, σ ~ 10³ S/cm) forms many clusters that connect only
through a poorly conducting one (CAM, σ ~ 10⁻³ S/cm), every cluster is a nearly equipotential
island whose potential relative to its surroundings costs almost no energy. Geometric 2×2×2
aggregates mix islands with their surroundings, so multigrid cannot represent these modes and
conjugate gradients stall. This module adds a coarse space whose basis functions never mix
phases: one indicator per connected cluster of each strongly conducting label, and one per
4×4×4 block of the remaining (weakly conducting) voxels. With Z those indicators and
E = Zᵀ A Z (factorised once), the A-DEF2 preconditioner (Tang, Nabben, Vuik & Erlangga,
J. Sci. Comput. 39 (2009) 340) applies z ← z + Z E⁻¹ Zᵀ (r − A z) after each multigrid cycle.
The initial guess is made constant on every island so that it carries no spurious current.
On a 128³ NCM/VGCF/LPSCl volume (σ ratio 10⁶, neither CAM nor carbon percolating alone) this
turns a solve that does not converge in 200 iterations into one of about 45.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import scipy.sparse as sp
from numba import njit
from scipy import ndimage

from cathodetwin.analysis.geometry.labels import FACE_STRUCTURE
from cathodetwin.analysis.transport import kernels
from cathodetwin.analysis.transport.multigrid import factorize_spd

# Labels at least this many times more conducting than the least conducting one are islands.
DEFLATION_CONTRAST = 100.0
# Edge of the cubic blocks that group the weakly conducting voxels, in voxels.
WEAK_BLOCK_VOXELS = 4


@njit(cache=True)
def _number_weak_blocks(ids, weak, first_id, block):
    """Give each weak voxel the id of its block, numbering occupied blocks from ``first_id``."""
    n0, n1, n2 = ids.shape
    m1 = (n1 + block - 1) // block
    m2 = (n2 + block - 1) // block
    number = np.zeros(((n0 + block - 1) // block) * m1 * m2, dtype=np.int32)
    next_id = first_id
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                if weak[i, j, k]:
                    b = ((i // block) * m1 + j // block) * m2 + k // block
                    if number[b] == 0:
                        number[b] = next_id
                        next_id += 1
                    ids[i, j, k] = number[b]
    return next_id - 1


def _coupling_matrix(
    ids: np.ndarray, g0: np.ndarray, g1: np.ndarray, g2: np.ndarray, count: int
) -> sp.csc_matrix:
    """E = Zᵀ A Z: conductance from each basis function's voxels to the rest, minus contacts."""
    rows, cols, vals = [], [], []
    pairs = (
        (ids[:-1], ids[1:], g0[1:-1]),
        (ids, np.roll(ids, -1, axis=1), g1),
        (ids, np.roll(ids, -1, axis=2), g2),
    )
    for a, b, g in pairs:
        cut = (a != b) & (g > 0)
        a, b, g = a[cut], b[cut], g[cut].astype(np.float64)
        for p, q in ((a, b), (b, a)):
            rows.append(p - 1)
            cols.append(p - 1)
            vals.append(g)
            rows.append(p - 1)
            cols.append(q - 1)
            vals.append(-g)
    for face, layer in ((0, 0), (-1, -1)):  # Dirichlet faces
        a, g = ids[layer], g0[face].astype(np.float64)
        own = g > 0
        rows.append(a[own] - 1)
        cols.append(a[own] - 1)
        vals.append(g[own])
    return sp.csc_matrix(
        (np.concatenate(vals), (np.concatenate(rows), np.concatenate(cols))), shape=(count, count)
    )


class ClusterDeflation:
    """Coarse space of strong-phase islands and weak-phase blocks (canonical layout).

    Set up on the host (cluster labels, E = Zᵀ A Z and its LU); the corrections run through
    ``ops`` on the arrays of its device, with only the coarse vector crossing to the host.
    """

    def __init__(
        self,
        labels: np.ndarray,
        strong_labels: np.ndarray,
        active: np.ndarray,
        g0: np.ndarray,
        g1: np.ndarray,
        g2: np.ndarray,
        ops: SimpleNamespace = kernels.SERIAL,
    ) -> None:
        """Islands: face-connected voxels of one ``strong_labels`` label within ``active``.

        ``labels`` is a host array; ``active`` and the face arrays live on ``ops``'s device.
        """
        active = ops.to_host(active).astype(bool, copy=False)
        ids = np.zeros(labels.shape, dtype=np.int32)
        islands = 0
        for label in strong_labels:
            clusters, found = ndimage.label(active & (labels == label), FACE_STRUCTURE)
            inside = clusters > 0
            ids[inside] = clusters[inside] + islands
            islands += found
        weak = active & (ids == 0)
        self.count = _number_weak_blocks(ids, weak, islands + 1, WEAK_BLOCK_VOXELS)
        self.islands = islands
        host_faces = (ops.to_host(g) for g in (g0, g1, g2))
        self.lu = factorize_spd(_coupling_matrix(ids, *host_faces, self.count))
        self.ids = ops.to_device(ids)
        self.g = (g0, g1, g2)
        self.ops = ops

    def flatten_islands(self, x: np.ndarray) -> None:
        """Replace x on every island by its island mean, in place."""
        self.ops.flatten_islands(x, self.ids, self.islands)

    def correct(self, z: np.ndarray, r: np.ndarray) -> None:
        """z += Z E⁻¹ Zᵀ (r − A z), in place."""
        sums = self.ops.cluster_residual_sums(z, r, *self.g, self.ids, self.count)
        self.ops.add_coarse(z, self.ids, self.lu.solve(sums))
