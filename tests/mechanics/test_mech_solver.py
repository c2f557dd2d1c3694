"""Elasticity solver against analytic solutions: eigenstrain, Eshelby, uniaxial, laminates."""

from __future__ import annotations

import numpy as np
import pytest
from mech_geometry import random_composite, sphere_labels

from cathodetwin.analysis.mechanics import label_elasticity, solve_elasticity, stress_field

FREE = (True, True, True)


def lame(e_gpa: float, nu: float) -> tuple[float, float]:
    """Lamé lambda and mu in MPa."""
    e = 1e3 * e_gpa
    return e * nu / ((1 + nu) * (1 - 2 * nu)), e / (2 * (1 + nu))


def test_free_porous_body_with_uniform_eigenstrain_is_stress_free():
    labels = np.where(random_composite(24, seed=4) == 0, 0, 1).astype(np.uint8)
    table = label_elasticity({0: 0.0, 1: 80.0}, {0: 0.0, 1: 0.3}, {1: -0.012})
    sol = solve_elasticity(labels, table, (0.3, 0.3, 0.3), stress_controlled=FREE, rtol=1e-7)
    sigma = stress_field(sol.displacement_um, labels, table, (0.3, 0.3, 0.3), sol.macro_strain)
    clamped = 3 * 80e3 / (3 * (1 - 0.6)) * 0.012  # 3K |e*|, the stress if it were held
    assert np.abs(sigma).max() < 1e-3 * clamped
    np.testing.assert_allclose(sol.macro_strain[:3], -0.012, rtol=1e-4)


def test_clamped_homogeneous_body_feels_minus_3k_eigenstrain():
    labels = np.ones((8, 8, 8), np.uint8)
    table = label_elasticity({1: 100.0}, {1: 0.25}, {1: 0.01})
    sol = solve_elasticity(labels, table, (1.0, 1.0, 1.0))
    lam, mu = lame(100.0, 0.25)
    np.testing.assert_allclose(sol.mean_stress_mpa[:3], -(3 * lam + 2 * mu) * 0.01, rtol=1e-5)


@pytest.mark.parametrize("e_gpa, nu", [(22.1, 0.37), (199.0, 0.25)])
def test_uniaxial_compression_of_homogeneous_cube_returns_e_and_nu(e_gpa, nu):
    labels = np.ones((6, 6, 6), np.uint8)
    table = label_elasticity({1: e_gpa}, {1: nu})
    sol = solve_elasticity(labels, table, (1.0, 1.0, 1.0), stress_controlled=FREE,
                           macro_stress_mpa=(0.0, 0.0, -30.0))
    assert -30.0 / sol.macro_strain[2] / 1e3 == pytest.approx(e_gpa, rel=1e-5)
    assert -sol.macro_strain[0] / sol.macro_strain[2] == pytest.approx(nu, rel=1e-5)


def eshelby_interior_stress_mpa(e_in, nu_in, e_out, nu_out, eigenstrain):
    """Hydrostatic stress inside a misfitting sphere in an infinite matrix (MPa)."""
    k_in = 1e3 * e_in / (3 * (1 - 2 * nu_in))
    mu_out = 1e3 * e_out / (2 * (1 + nu_out))
    return -3 * k_in * 4 * mu_out * eigenstrain / (3 * k_in + 4 * mu_out)


def inclusion_interior_stress(n, radius, e_in, nu_in, eigenstrain, e_out=22.1, nu_out=0.37):
    labels = sphere_labels(n, radius)
    table = label_elasticity({0: e_out, 1: e_in}, {0: nu_out, 1: nu_in}, {1: eigenstrain})
    sol = solve_elasticity(labels, table, (1.0, 1.0, 1.0), stress_controlled=FREE, rtol=1e-6)
    sigma = stress_field(sol.displacement_um, labels, table, (1.0, 1.0, 1.0), sol.macro_strain)
    core = sphere_labels(n, 0.6 * radius).astype(bool)
    return np.array([sigma[a][core].mean() for a in range(3)])


@pytest.mark.parametrize("e_in, nu_in", [(199.0, 0.25), (22.1, 0.37)])
def test_spherical_inclusion_matches_eshelby_within_5_percent(e_in, nu_in):
    got = inclusion_interior_stress(96, 16, e_in, nu_in, -0.016)
    want = eshelby_interior_stress_mpa(e_in, nu_in, 22.1, 0.37, -0.016)
    assert want > 0  # a shrinking inclusion is pulled into tension
    np.testing.assert_allclose(got, want, rtol=0.05)


def test_coarse_spherical_inclusion_within_10_percent():
    got = inclusion_interior_stress(40, 7, 199.0, 0.25, 0.02)
    want = eshelby_interior_stress_mpa(199.0, 0.25, 22.1, 0.37, 0.02)
    assert want < 0
    np.testing.assert_allclose(got, want, rtol=0.10)


class TestLaminate:
    """Layers normal to z: 5 voxels of phase 1, 3 of phase 2, anisotropic voxels."""

    voxel = (0.3, 0.5, 0.2)
    e = {1: 199.0, 2: 22.1}
    nu = {1: 0.25, 2: 0.37}

    def setup_method(self):
        self.labels = np.ones((4, 4, 8), np.uint8)
        self.labels[:, :, 5:] = 2
        self.table = label_elasticity(self.e, self.nu)
        frac = np.array([5 / 8, 3 / 8])
        lm = [lame(self.e[k], self.nu[k]) for k in (1, 2)]
        self.frac = frac
        self.lam = np.array([x[0] for x in lm])
        self.mu = np.array([x[1] for x in lm])
        self.m = self.lam + 2 * self.mu

    def mean_stress(self, macro):
        return solve_elasticity(self.labels, self.table, self.voxel, macro,
                                rtol=1e-7).mean_stress_mpa

    def test_through_thickness_modulus_is_reuss_of_p_wave_moduli(self):
        s = self.mean_stress((0, 0, 1e-3, 0, 0, 0))
        assert s[2] / 1e-3 == pytest.approx(1 / np.sum(self.frac / self.m), rel=1e-4)

    def test_in_plane_modulus_is_backus_average(self):
        s = self.mean_stress((1e-3, 0, 0, 0, 0, 0))
        f, lam, m = self.frac, self.lam, self.m
        c11 = np.sum(f * (m - lam**2 / m)) + np.sum(f * lam / m) ** 2 / np.sum(f / m)
        assert s[0] / 1e-3 == pytest.approx(c11, rel=1e-4)

    def test_in_plane_shear_is_voigt_and_transverse_shear_is_reuss(self):
        s_xy = self.mean_stress((0, 0, 0, 1e-3, 0, 0))[3]
        s_xz = self.mean_stress((0, 0, 0, 0, 1e-3, 0))[4]
        assert s_xy / 2e-3 == pytest.approx(np.sum(self.frac * self.mu), rel=1e-4)
        assert s_xz / 2e-3 == pytest.approx(1 / np.sum(self.frac / self.mu), rel=1e-4)


def test_invalid_inputs_are_refused():
    with pytest.raises(ValueError, match="poisson_ratio"):
        label_elasticity({1: 10.0}, {1: 0.5})
    with pytest.raises(ValueError, match="youngs_modulus_gpa"):
        label_elasticity({1: -1.0}, {1: 0.3})
    table = label_elasticity({0: 0.0}, {0: 0.0})
    with pytest.raises(ValueError, match="zero stiffness"):
        solve_elasticity(np.zeros((4, 4, 4), np.uint8), table, (1.0, 1.0, 1.0))
    with pytest.raises(ValueError, match="uint8"):
        solve_elasticity(np.zeros((4, 4, 4), np.int32), table, (1.0, 1.0, 1.0))
