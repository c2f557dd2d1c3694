"""Island-aware coarse correction for high-contrast volumes."""

import numpy as np
import pytest
import scipy.sparse as sp
from scipy import ndimage

from cathodetwin.analysis.transport import effective_conductivity
from cathodetwin.analysis.transport.deflation import ClusterDeflation
from cathodetwin.analysis.transport.kernels import SERIAL
from cathodetwin.analysis.transport.multigrid import operator_matrix
from cathodetwin.analysis.transport.reference import reference_conductivity


def _islands_in_matrix(shape, seed):
    """CAM spheres (label 1) and small carbon blobs (label 3) in insulating SSE (label 2).

    Neither conductor spans the volume alone; together they do.
    """
    rng = np.random.default_rng(seed)
    centres = np.zeros(shape, dtype=bool)
    centres[tuple(rng.integers(0, n, 40) for n in shape)] = True
    cam = ndimage.distance_transform_edt(~centres) <= 4.0
    noise = ndimage.gaussian_filter(rng.random(shape), 1.0)
    carbon = ~cam & (noise > np.quantile(noise[~cam], 0.85))
    labels = np.full(shape, 2, dtype=np.uint8)
    labels[cam] = 1
    labels[carbon] = 3
    return labels


def _faces(sigma):
    n0, n1, n2 = sigma.shape
    g = (np.empty((n0 + 1, n1, n2), np.float32), np.empty(sigma.shape, np.float32),
         np.empty(sigma.shape, np.float32))
    SERIAL.face_conductances(sigma.astype(np.float32), 1.0, 1.0, 1.0, False, False, *g)
    return g


def test_coarse_correction_is_the_galerkin_projection():
    labels = _islands_in_matrix((12, 14, 10), seed=1)
    sigma = np.choose(labels, [0.0, 1e-3, 0.0, 1.0])
    active = sigma > 0
    g0, g1, g2 = _faces(sigma)
    deflation = ClusterDeflation(labels, np.array([3]), active, g0, g1, g2)
    ids = deflation.ids.ravel()
    inside = np.flatnonzero(ids)
    z = sp.csr_matrix((np.ones(inside.size), (inside, ids[inside] - 1)),
                      shape=(ids.size, deflation.count))
    a = operator_matrix(g0, g1, g2)
    e = (z.T @ a @ z).toarray()
    assert deflation.islands == ndimage.label((labels == 3) & active)[1]
    rng = np.random.default_rng(2)
    r = rng.random(labels.shape) * active
    x = rng.random(labels.shape).astype(np.float32) * active
    expected = x.ravel() + z @ np.linalg.solve(e, z.T @ (r.ravel() - a @ x.ravel()))
    deflation.correct(x, r)
    np.testing.assert_allclose(x.ravel(), expected, rtol=1e-4, atol=1e-5)
    # After the correction the residual has no component on the coarse space.
    np.testing.assert_allclose(z.T @ (r.ravel() - a @ x.ravel()), 0.0, atol=1e-5)


def test_islands_become_flat():
    labels = _islands_in_matrix((12, 14, 10), seed=3)
    sigma = np.choose(labels, [0.0, 1e-3, 0.0, 1.0])
    deflation = ClusterDeflation(labels, np.array([3]), sigma > 0, *_faces(sigma))
    x = np.random.default_rng(4).random(labels.shape)
    deflation.flatten_islands(x)
    ids = deflation.ids
    for island in range(1, deflation.islands + 1):
        values = x[ids == island]
        assert np.ptp(values) < 1e-12


@pytest.mark.parametrize("carbon_s_cm", [1e3, 1e1])
def test_carbon_islands_in_cam_match_direct_solve(carbon_s_cm):
    """VGCF or SuperP islands bridged by NCM: contrast 10⁶ or 10⁴, no phase spans alone."""
    labels = _islands_in_matrix((30, 28, 32), seed=5)
    table = {1: 1e-3, 3: carbon_s_cm}
    result = effective_conductivity(labels, table, axis=2, flux_tolerance=1e-6)
    assert result.percolating and result.converged and result.flux_mismatch < 1e-3
    assert result.iterations < 80
    sigma = np.choose(labels, [0.0, 1e-3, 0.0, carbon_s_cm])
    reference = reference_conductivity(sigma, axis=2)
    assert result.effective_conductivity_s_cm == pytest.approx(reference, rel=1e-5)
    for label in (1, 3):  # neither phase percolates by itself
        alone = effective_conductivity(labels, {label: table[label]}, axis=2)
        assert not alone.percolating
