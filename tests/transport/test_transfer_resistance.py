"""Blocks of a grounded Laplacian's inverse and the per-CAM access resistance built on them."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.sparse import csc_matrix

from cathodetwin.analysis.transport.ionic_network import _access_resistances, _laplacian
from cathodetwin.analysis.transport.multigrid import factorize_spd
from cathodetwin.analysis.transport.transfer_resistance import _trailing_start, inverse_blocks


def _grounded_lattice(side: int, seed: int) -> csc_matrix:
    """Laplacian of a side³ resistor lattice (random conductances 0.1–10 S), top layer grounded."""
    rng = np.random.default_rng(seed)
    index = np.arange(side**3).reshape(side, side, side)
    u = np.concatenate([index[:-1].ravel(), index[:, :-1].ravel(), index[:, :, :-1].ravel()])
    v = np.concatenate([index[1:].ravel(), index[:, 1:].ravel(), index[:, :, 1:].ravel()])
    g = 10.0 ** rng.uniform(-1.0, 1.0, u.size)
    lap = _laplacian(u, v, g, side**3)
    keep = index[:-1].ravel()  # the last x layer is the ground
    return csc_matrix(lap[keep][:, keep])


def test_inverse_blocks_equal_the_dense_inverse():
    """Every requested block equals the same entries of the dense inverse, sparse and trailing
    parts both exercised (groups far from and inside the last separator)."""
    matrix = _grounded_lattice(11, seed=3)
    n = matrix.shape[0]
    rng = np.random.default_rng(4)
    groups = [rng.choice(n, size=k, replace=False) for k in (1, 2, 5, 17, 40)]
    lu = factorize_spd(matrix)
    groups.append(np.flatnonzero(lu.perm_r >= n - 5))  # eliminated last: wholly trailing
    dense = np.linalg.inv(matrix.toarray())
    for group, block in zip(groups, inverse_blocks(matrix, groups, batch_columns=16),
                            strict=True):
        assert block == pytest.approx(dense[np.ix_(group, group)], rel=1e-9, abs=0.0)


def test_trailing_block_is_a_proper_part_of_a_lattice_factor():
    """On a 3D lattice the dense trailing block is neither empty nor the whole factor."""
    matrix = _grounded_lattice(11, seed=3)
    lu = factorize_spd(matrix)
    cut = _trailing_start(csc_matrix(lu.L))
    assert 0 < cut < matrix.shape[0] - 10


def test_access_resistance_equals_the_particle_as_a_node():
    """R_p of a CAM attached by its contact conductances equals the effective resistance to ground
    of that CAM added as one more node (dense inverse of the augmented Laplacian), each CAM alone;
    a CAM whose contacts are all cut off has ∞."""
    matrix = _grounded_lattice(9, seed=5)
    n = matrix.shape[0]
    rng = np.random.default_rng(6)
    counts = (1, 3, 8, 20)
    node = np.concatenate([rng.choice(n, size=k, replace=False) for k in counts] + [[-1, -1]])
    cam = np.repeat(np.arange(len(counts) + 1), list(counts) + [2])
    g = 10.0 ** rng.uniform(-2.0, 1.0, node.size)
    access = _access_resistances(matrix, node, cam, g, len(counts) + 1)
    assert np.isinf(access[-1])
    for p in range(len(counts)):
        k, gk = node[cam == p], g[cam == p]
        augmented = np.zeros((n + 1, n + 1))
        augmented[:n, :n] = matrix.toarray()
        augmented[k, k] += gk
        augmented[k, n] -= gk
        augmented[n, k] -= gk
        augmented[n, n] = gk.sum()
        assert access[p] == pytest.approx(np.linalg.inv(augmented)[n, n], rel=1e-9)
