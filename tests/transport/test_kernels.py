"""Numba kernels against plain NumPy/SciPy versions of the same linear algebra."""

import numba
import numpy as np
import pytest
import scipy.sparse as sp

from cathodetwin.analysis.transport.kernels import PARALLEL, SERIAL
from cathodetwin.analysis.transport.multigrid import operator_matrix
from cathodetwin.analysis.transport.reference import assemble

kernels = SERIAL  # the single-kernel checks below use the serial build


def _faces(sigma, spacing=(1.0, 1.0, 1.0), periodic=False):
    """Float32 face conductances, as the solver uses them."""
    sigma = sigma.astype(np.float32)
    n0, n1, n2 = sigma.shape
    g0 = np.empty((n0 + 1, n1, n2), dtype=np.float32)
    g1 = np.empty(sigma.shape, dtype=np.float32)
    g2 = np.empty(sigma.shape, dtype=np.float32)
    d0, d1, d2 = spacing
    kernels.face_conductances(
        sigma, d1 * d2 / d0, d0 * d2 / d1, d0 * d1 / d2, periodic, periodic, g0, g1, g2
    )
    return g0, g1, g2


def _random_sigma(shape, seed, fill=0.7):
    rng = np.random.default_rng(seed)
    return np.where(rng.random(shape) < fill, rng.uniform(0.5, 2.0, shape), 0.0)


def _aggregation(shape):
    """Piecewise-constant prolongation P from ceil(n/2) aggregates, as a sparse matrix."""
    fine = np.indices(shape).reshape(3, -1)
    coarse_shape = tuple((n + 1) // 2 for n in shape)
    cols = np.ravel_multi_index(tuple(fine // 2), coarse_shape)
    return sp.csr_matrix(
        (np.ones(fine.shape[1]), (np.arange(fine.shape[1]), cols)),
        shape=(fine.shape[1], int(np.prod(coarse_shape))),
    ), coarse_shape


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("shape", [(6, 5, 7), (4, 3, 2), (5, 1, 4)])
def test_operator_matches_independent_assembly(shape, periodic):
    sigma = _random_sigma(shape, 1, fill=1.0)  # all conducting: every voxel is an unknown
    spacing = (1.0, 2.0, 0.5)
    g0, g1, g2 = _faces(sigma, spacing, periodic)
    reference, rhs, index = assemble(sigma, spacing, axis=0, periodic=periodic)
    x = np.random.default_rng(2).random(shape)
    out = np.empty(shape)
    kernels.apply_operator(x, g0, g1, g2, out)
    assert np.array_equal(index.ravel(), np.arange(x.size))  # C order, as the kernels
    np.testing.assert_allclose(out.ravel(), reference @ x.ravel(), rtol=1e-6, atol=1e-6)
    b = np.zeros(shape)
    b[0] = g0[0]
    np.testing.assert_allclose(b.ravel(), rhs, rtol=1e-6)


def test_residual_is_b_minus_ax():
    sigma = _random_sigma((5, 6, 4), 3)
    g0, g1, g2 = _faces(sigma)
    rng = np.random.default_rng(4)
    x, b = rng.random(sigma.shape), rng.random(sigma.shape)
    out = np.empty(sigma.shape)
    kernels.residual(x, b, g0, g1, g2, out)
    expected = b.ravel() - operator_matrix(g0, g1, g2) @ x.ravel()
    np.testing.assert_allclose(out.ravel(), expected, rtol=1e-6, atol=1e-6)


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("reverse", [False, True])
def test_gauss_seidel_colour_matches_dense_update(periodic, reverse):
    shape = (6, 4, 6)  # even lateral axes: no equal-colour coupling, order is irrelevant
    sigma = _random_sigma(shape, 5)
    g0, g1, g2 = _faces(sigma, periodic=periodic)
    a = operator_matrix(g0, g1, g2).toarray()
    rng = np.random.default_rng(6)
    # The solver never puts a source on a voxel without conducting faces.
    b = (rng.random(shape) * (np.diag(a) > 0).reshape(shape)).astype(np.float32)
    colour = (np.indices(shape).sum(axis=0) % 2).ravel()
    for c in (0, 1):
        x0 = rng.random(shape).astype(np.float32)
        d = np.diag(a)
        off = a @ x0.ravel() - d * x0.ravel()
        expected = np.where(colour == c, np.where(d > 0, (b.ravel() - off) / np.where(
            d > 0, d, 1.0), 0.0), x0.ravel())
        x = x0.copy()
        kernels.gauss_seidel_colour(x, b, g0, g1, g2, c, reverse)
        np.testing.assert_allclose(x.ravel(), expected, rtol=1e-5, atol=1e-6)


def test_reversed_sweep_is_adjoint_of_forward_on_odd_periodic_axes():
    """Forward red-black then reversed black-red is a symmetric smoother (needed by CG)."""
    shape = (4, 5, 3)
    sigma = _random_sigma(shape, 7, fill=1.0)
    g0, g1, g2 = _faces(sigma, periodic=True)
    n = sigma.size

    def smooth(b, forward):
        x = np.zeros(shape, dtype=np.float32)
        order = ((0, False), (1, False)) if forward else ((1, True), (0, True))
        for colour, reverse in order:
            kernels.gauss_seidel_colour(x, b.reshape(shape).astype(np.float32), g0, g1, g2,
                                        colour, reverse)
        return x.ravel()

    a = operator_matrix(g0, g1, g2).toarray()
    eye = np.eye(n)
    # Forward then backward smoothing from a zero guess: M = S_b + S_f - S_b A S_f
    sf = np.stack([smooth(e, True) for e in eye], axis=1)
    sb = np.stack([smooth(e, False) for e in eye], axis=1)
    m = sb + sf - sb @ a @ sf
    np.testing.assert_allclose(m, m.T, atol=1e-6)
    np.testing.assert_allclose(sb, sf.T, atol=1e-6)


@pytest.mark.parametrize("periodic", [False, True])
@pytest.mark.parametrize("shape", [(6, 4, 8), (5, 7, 3), (3, 2, 1)])
def test_coarse_operator_is_galerkin_product(shape, periodic):
    sigma = _random_sigma(shape, 8)
    g0, g1, g2 = _faces(sigma, periodic=periodic)
    p, coarse_shape = _aggregation(shape)
    c0 = np.empty((coarse_shape[0] + 1, *coarse_shape[1:]), dtype=np.float32)
    c1 = np.empty(coarse_shape, dtype=np.float32)
    c2 = np.empty(coarse_shape, dtype=np.float32)
    kernels.coarsen_conductances(g0, g1, g2, c0, c1, c2)
    galerkin = (p.T @ operator_matrix(g0, g1, g2) @ p).toarray()
    np.testing.assert_allclose(operator_matrix(c0, c1, c2).toarray(), galerkin, atol=1e-5)


def test_restriction_and_prolongation_are_transposes_of_p():
    shape = (5, 6, 7)
    sigma = _random_sigma(shape, 9)
    g0, g1, g2 = _faces(sigma)
    p, coarse_shape = _aggregation(shape)
    rng = np.random.default_rng(10)
    x, b = rng.random(shape).astype(np.float32), rng.random(shape).astype(np.float32)
    coarse = np.empty(coarse_shape, dtype=np.float32)
    kernels.restrict_residual(x, b, g0, g1, g2, coarse)
    expected = p.T @ (b.ravel() - operator_matrix(g0, g1, g2) @ x.ravel())
    np.testing.assert_allclose(coarse.ravel(), expected, rtol=1e-5, atol=1e-5)
    values = rng.random(coarse_shape).astype(np.float32)
    y = x.copy()
    kernels.prolong_add(y, values, 0.5)
    np.testing.assert_allclose(y.ravel(), x.ravel() + 0.5 * (p @ values.ravel()), rtol=1e-6)


def test_plane_currents_are_equal_for_the_exact_solution():
    sigma = _random_sigma((8, 6, 5), 11, fill=1.0)
    g0, g1, g2 = _faces(sigma)
    a = operator_matrix(g0, g1, g2)
    b = np.zeros(sigma.shape)
    b[0] = g0[0]
    x = sp.linalg.spsolve(a.tocsc(), b.ravel()).reshape(sigma.shape)
    currents = kernels.plane_currents(x, g0, 1.0, 0.0)
    assert currents.shape == (9,)
    np.testing.assert_allclose(currents, currents.mean(), rtol=1e-10)


def test_harmonic_mean_face_conductance():
    sigma = np.array([[[1.0]], [[3.0]]])  # two voxels in series along axis 0
    g0, _, _ = _faces(sigma)
    assert g0[1, 0, 0] == pytest.approx(2 * 1.0 * 3.0 / 4.0)  # two half-voxels in series
    assert g0[0, 0, 0] == pytest.approx(2.0) and g0[2, 0, 0] == pytest.approx(6.0)


@pytest.mark.skipif(numba.config.NUMBA_NUM_THREADS < 2, reason="needs two Numba threads")
def test_threaded_kernels_match_serial_ones():
    shape = (9, 7, 5)  # odd periodic axes: equal-colour neighbours across the wrap
    rng = np.random.default_rng(12)
    sigma = _random_sigma(shape, 13).astype(np.float32)
    x32, b32 = rng.random(shape, dtype=np.float32), rng.random(shape, dtype=np.float32)
    x64 = rng.random(shape)
    coarse_shape = tuple((n + 1) // 2 for n in shape)
    previous = numba.get_num_threads()
    numba.set_num_threads(2)
    try:
        outputs = []
        for ops in (SERIAL, PARALLEL):
            g0 = np.empty((shape[0] + 1, *shape[1:]), dtype=np.float32)
            g1, g2 = np.empty(shape, np.float32), np.empty(shape, np.float32)
            ops.face_conductances(sigma, 1.0, 2.0, 0.5, True, True, g0, g1, g2)
            c = [np.empty((coarse_shape[0] + 1, *coarse_shape[1:]), np.float32),
                 np.empty(coarse_shape, np.float32), np.empty(coarse_shape, np.float32)]
            ops.coarsen_conductances(g0, g1, g2, *c)
            ax, res = np.empty(shape), np.empty(shape)
            ops.apply_operator(x64, g0, g1, g2, ax)
            ops.residual(x64, ax * 0.5, g0, g1, g2, res)
            smoothed = x32.copy()
            for colour, reverse in ((0, False), (1, False), (1, True), (0, True)):
                ops.gauss_seidel_colour(smoothed, b32, g0, g1, g2, colour, reverse)
            restricted = np.empty(coarse_shape, np.float32)
            ops.restrict_residual(x32, b32, g0, g1, g2, restricted)
            prolonged = x32.copy()
            ops.prolong_add(prolonged, restricted, 0.5)
            currents = ops.plane_currents(x64, g0, 1.0, 0.0)
            outputs.append((g0, g1, g2, *c, ax, res, smoothed, restricted, prolonged, currents))
    finally:
        numba.set_num_threads(previous)
    for serial, threaded in zip(*outputs, strict=True):
        np.testing.assert_allclose(threaded, serial, rtol=1e-6, atol=1e-6)
