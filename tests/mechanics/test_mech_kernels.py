"""Staggered-grid kernels against a plain-NumPy reference and operator identities."""

from __future__ import annotations

import numpy as np
import pytest

from cathodetwin.analysis.mechanics import kernels
from cathodetwin.analysis.mechanics.energy import energy_density_mpa
from cathodetwin.analysis.mechanics.solver import (
    _Operator,
    label_elasticity,
    strain_field,
    stress_field,
)

VOXEL = (0.5, 0.4, 0.7)
SHAPE = (10, 12, 14)


@pytest.fixture(scope="module")
def setup():
    rng = np.random.default_rng(1)
    labels = rng.integers(0, 3, SHAPE).astype(np.uint8)
    table = label_elasticity({0: 0.0, 1: 199.0, 2: 22.1}, {0: 0.0, 1: 0.25, 2: 0.37},
                             {1: -0.016, 2: 0.004})
    u = rng.standard_normal((3, *SHAPE)).astype(np.float32) * 0.01
    macro = np.array([1e-3, -2e-3, 3e-3, 4e-4, -5e-4, 6e-4])
    return labels, table, u, macro


def reference_stress(labels, table, u, macro, eig_scale):
    """NumPy stress: isotropic law at centres, harmonic-mean shear modulus on edges."""
    eps = strain_field(u, macro, VOXEL).astype(np.float64)
    lam = table.lame_lambda_mpa[labels].astype(np.float64)
    mu = table.shear_modulus_mpa[labels].astype(np.float64)
    e_star = table.eigenstrain[labels].astype(np.float64) * eig_scale
    tr = eps[0] + eps[1] + eps[2] - 3 * e_star
    sigma = np.empty_like(eps)
    for a in range(3):
        sigma[a] = lam * tr + 2 * mu * (eps[a] - e_star)
    with np.errstate(divide="ignore"):
        inv = np.where(mu > 0, 1 / mu, np.inf)
    for comp, (a, b) in zip((3, 4, 5), ((0, 1), (0, 2), (1, 2)), strict=True):
        s = inv + np.roll(inv, -1, a) + np.roll(inv, -1, b) + np.roll(np.roll(inv, -1, a), -1, b)
        sigma[comp] = 4.0 / s * 2 * eps[comp]
    return sigma


def test_stress_kernel_matches_numpy_reference(setup):
    labels, table, u, macro = setup
    got = stress_field(u, labels, table, VOXEL, macro, 0.7)
    want = reference_stress(labels, table, u, macro, 0.7)
    np.testing.assert_allclose(got, want, rtol=2e-4, atol=2e-3 * np.abs(want).max())


def test_operator_is_symmetric_and_energy_positive(setup):
    labels, table, _, _ = setup
    op = _Operator(labels, table, VOXEL, (False, False, False))
    rng = np.random.default_rng(2)
    u = rng.standard_normal((3, *SHAPE)).astype(np.float32)
    v = rng.standard_normal((3, *SHAPE)).astype(np.float32)
    ku = np.empty_like(u)
    kv = np.empty_like(v)
    _, uku = op.apply(u, np.zeros(0), ku)
    _, vkv = op.apply(v, np.zeros(0), kv)
    assert uku > 0 and vkv > 0
    vku = float(np.sum(v.astype(np.float64) * ku))
    ukv = float(np.sum(u.astype(np.float64) * kv))
    assert vku == pytest.approx(ukv, rel=1e-4)
    assert uku == pytest.approx(float(np.sum(u.astype(np.float64) * ku)), rel=1e-5)


def test_energy_density_sums_to_the_quadratic_form(setup):
    labels, table, u, macro = setup
    sigma = stress_field(u, labels, table, VOXEL, macro, 0.0).astype(np.float64)
    eps = strain_field(u, macro, VOXEL).astype(np.float64)
    quadratic = 0.5 * (np.sum(sigma[:3] * eps[:3]) + 2 * np.sum(sigma[3:] * eps[3:]))
    w = energy_density_mpa(sigma.astype(np.float32), labels, table)
    assert w.min() >= 0
    assert np.all(w[labels == 0] == 0)
    assert float(w.sum(dtype=np.float64)) == pytest.approx(quadratic, rel=1e-4)


def test_green_preconditioner_inverts_the_homogeneous_operator():
    labels = np.ones(SHAPE, np.uint8)
    table = label_elasticity({1: 50.0}, {1: 0.3})
    op = _Operator(labels, table, VOXEL, (False, False, False))
    rng = np.random.default_rng(3)
    u = rng.standard_normal((3, *SHAPE)).astype(np.float32)
    u -= u.mean(axis=(1, 2, 3), keepdims=True)
    ku = np.empty_like(u)
    op.apply(u, np.zeros(0), ku)
    back = np.empty_like(u)
    _, rz = op.precondition(ku, np.zeros(0), back)
    np.testing.assert_allclose(back, u, atol=2e-4 * np.abs(u).max())
    assert rz == pytest.approx(float(np.sum(ku.astype(np.float64) * back)), rel=1e-4)


def test_fused_cg_update():
    x = np.arange(5, dtype=np.float32)
    r = np.ones(5, np.float32)
    p = np.full(5, 2.0, np.float32)
    q = np.full(5, 3.0, np.float32)
    kernels.cg_step(x, p, r, q, 0.5)
    np.testing.assert_allclose(x, np.arange(5) + 1.0)
    np.testing.assert_allclose(r, -0.5)
    kernels.xpby(x, 2.0, p)
    np.testing.assert_allclose(p, np.arange(5) + 1.0 + 4.0)
