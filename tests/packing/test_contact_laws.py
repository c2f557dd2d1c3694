"""Contact laws: Hertz against the closed form, Thornton plasticity and unloading."""

from __future__ import annotations

import math

import numpy as np
import pytest

from cathodetwin.packing.contact_laws import (
    effective_modulus_mpa,
    plastic_loading_force,
    thornton_force,
    yield_overlap_um,
)
from cathodetwin.packing.forces import N_PAIR, P_COVER_I, P_COVER_J, P_FX, P_FZ, pair_forces
from cathodetwin.packing.shell_patches import PATCH_KAPPA, PATCHES_PER_PARTICLE, patch_field

E_NCM, NU_NCM = 199e3, 0.25  # MPa
E_LPS, NU_LPS, H_LPS = 22.1e3, 0.37, 1.9e3


def _two_sphere_force(r1: float, r2: float, overlap: float, kinds=(0, 0),
                      core1: float | None = None, coverage1: float = 1.0,
                      side: float = 1.0) -> float:
    """Force (µN) the pair kernel gives for two spheres at this overlap (µm) of outer radii.

    Particle 1 sits on the +x (``side`` = 1) or −x side of particle 0. Particle 0 may carry an
    SSE shell (kind 2, core radius ``core1``) whose patches, for ``coverage1`` < 1, all lie
    around −x: the +x side is bare CAM.
    """
    pos = np.array([[5.0, 5.0, 5.0], [5.0 + side * (r1 + r2 - overlap), 5.0, 5.0]])
    one = np.ones(2)
    dirs = np.zeros((2, PATCHES_PER_PARTICLE, 3))
    dirs[:, :, 0] = -1.0
    thr = np.full(2, patch_field(0.0, 1.0, 0.0, dirs[0], PATCH_KAPPA))  # edge at 90° from −x
    surf_e = np.array([E_LPS if kinds[0] == 2 else E_NCM, E_NCM])
    surf_nu = np.array([NU_LPS if kinds[0] == 2 else NU_NCM, NU_NCM])
    p_y = np.array([H_LPS if kinds[0] == 2 else 0.0, 0.0])
    args = [
        pos, np.array([r1, r2]), np.array(kinds, np.int8),
        np.array([r1 if core1 is None else core1, r2]),
        surf_e, surf_nu, p_y, E_NCM * one, NU_NCM * one, one,
        np.array([coverage1, 1.0]), dirs, thr, np.arange(2),
        np.array([0], np.int32), np.array([1], np.int32), np.zeros(1), np.zeros(1),
        100.0, 100.0, 10.0,
        np.zeros((1, N_PAIR)), np.zeros(1),
        pos.copy(), np.zeros(2), np.zeros(2), np.zeros(2), np.zeros((1, 3)),
        np.zeros((2, 3)), np.zeros((2, 3)),
    ]
    out = args[21]
    out[:] = np.nan  # rows of pairs that do not touch are marked by zero covers only
    pair_forces(*args)
    if out[0, P_COVER_I] == 0.0 and out[0, P_COVER_J] == 0.0:
        return 0.0
    fvec = out[:, P_FX:P_FZ + 1]
    assert fvec[0, 1] == 0.0 and fvec[0, 2] == 0.0
    assert side * fvec[0, 0] <= 0.0  # pushes particle 0 away from particle 1
    return abs(fvec[0, 0])


@pytest.mark.parametrize("r1, r2", [(2.0, 2.0), (5.0, 0.5)])
@pytest.mark.parametrize("rel", [1e-4, 1e-3, 1e-2, 3e-2])
def test_hertz_two_spheres_match_analytic_law(r1: float, r2: float, rel: float) -> None:
    overlap = rel * (r1 + r2)
    e_star = 1.0 / (2.0 * (1.0 - NU_NCM**2) / E_NCM)
    r_star = r1 * r2 / (r1 + r2)
    analytic = 4.0 / 3.0 * e_star * math.sqrt(r_star) * overlap**1.5
    assert _two_sphere_force(r1, r2, overlap) == pytest.approx(analytic, rel=0.01)


def test_separated_spheres_feel_no_force() -> None:
    assert _two_sphere_force(1.0, 1.0, -0.01) == 0.0


def test_thornton_is_hertz_below_yield_and_caps_mean_pressure() -> None:
    e_star = effective_modulus_mpa(E_LPS, NU_LPS, E_NCM, NU_NCM)
    r_star = 0.5
    dy = yield_overlap_um(e_star, r_star, H_LPS)
    f, _, _, plastic = thornton_force(0.5 * dy, 0.0, e_star, r_star, H_LPS)
    assert f == pytest.approx(4 / 3 * e_star * math.sqrt(r_star) * (0.5 * dy) ** 1.5, rel=1e-12)
    assert plastic == 0.0
    mean_pressure = []
    for delta in (2 * dy, 10 * dy, 100 * dy, 1000 * dy):
        f, _, _, _ = thornton_force(delta, 0.0, e_star, r_star, H_LPS)
        mean_pressure.append(f / (math.pi * r_star * delta))
    assert all(p <= H_LPS * (1 + 1e-12) for p in mean_pressure)
    assert np.all(np.diff(mean_pressure) > 0)
    assert mean_pressure[-1] == pytest.approx(H_LPS, rel=0.01)


def test_thornton_unloading_is_elastic_and_leaves_plastic_overlap() -> None:
    e_star, r_star = effective_modulus_mpa(E_LPS, NU_LPS, E_LPS, NU_LPS), 1.0
    dmax = 20 * yield_overlap_um(e_star, r_star, H_LPS)
    f_max, _, dm, plastic = thornton_force(dmax, 0.0, e_star, r_star, H_LPS)
    assert dm == dmax
    assert f_max == pytest.approx(plastic_loading_force(dmax, e_star, r_star, H_LPS)[0])
    assert 0.0 < plastic < dmax
    f_back, _, dm2, plastic2 = thornton_force(dmax * (1 - 1e-9), dmax, e_star, r_star, H_LPS)
    assert f_back == pytest.approx(f_max, rel=1e-6)  # continuous at the turning point
    assert (dm2, plastic2) == (dmax, plastic)
    half = 0.5 * (plastic + dmax)
    f_half = thornton_force(half, dmax, e_star, r_star, H_LPS)[0]
    assert 0.0 < f_half < f_max
    # reloading retraces the unloading curve (no new plasticity below the maximum)
    assert thornton_force(half, dmax, e_star, r_star, H_LPS)[0] == f_half
    assert thornton_force(0.999 * plastic, dmax, e_star, r_star, H_LPS)[0] == 0.0


def test_partial_shell_contact_meets_bare_core_outside_its_patches() -> None:
    core, shell, r2 = 2.0, 0.3, 2.0
    core_overlap = 0.01
    overlap = core_overlap + shell  # of the outer spheres
    e_star = 1.0 / (2.0 * (1.0 - NU_NCM**2) / E_NCM)
    hertz_cores = 4.0 / 3.0 * e_star * math.sqrt(core * r2 / (core + r2)) * core_overlap**1.5
    bare_side = _two_sphere_force(core + shell, r2, overlap, (2, 0), core, 0.5, side=1.0)
    assert bare_side == pytest.approx(hertz_cores, rel=1e-9)
    shell_side = _two_sphere_force(core + shell, r2, overlap, (2, 0), core, 0.5, side=-1.0)
    full_shell = _two_sphere_force(core + shell, r2, overlap, (2, 0), core, 1.0, side=1.0)
    assert shell_side == pytest.approx(full_shell, rel=1e-9)  # a patch acts as a full shell
    assert shell_side > bare_side  # the squeezed shell adds its plastic force
