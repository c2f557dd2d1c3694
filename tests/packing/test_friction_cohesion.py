"""Tangential friction and cold welding: analytic contact solutions and history upkeep."""

from __future__ import annotations

import math

import numpy as np
import pytest
from packing_support import composite_recipe

from cathodetwin.packing import CompactionSettings, sample_powder
from cathodetwin.packing.compaction import _relax, _State
from cathodetwin.packing.contact_laws import (
    coulomb_spring,
    effective_modulus_mpa,
    effective_shear_modulus_mpa,
    hertz_force,
    mindlin_stiffness,
    plastic_loading_force,
    thornton_force,
    weld_pull_off_force,
    welded_force,
)
from cathodetwin.packing.forces import N_PAIR, P_FX, P_FZ, _wall_spring, pair_forces
from cathodetwin.packing.shell_patches import PATCHES_PER_PARTICLE

E_LPS, NU_LPS, H_LPS = 22.1e3, 0.37, 1.9e3  # MPa


def _cycle(k_t: float, limit: float, amplitude: float, steps: int) -> tuple[np.ndarray, ...]:
    """Tangential force along x of a contact (normal z) driven 0 → +U → −U → +U in steps."""
    path = np.concatenate([np.linspace(0, amplitude, steps),
                           np.linspace(amplitude, -amplitude, 2 * steps),
                           np.linspace(-amplitude, amplitude, 2 * steps)])
    f = np.zeros(path.size)
    fx = fy = fz = 0.0
    for n in range(1, path.size):
        fx, fy, fz, _ = coulomb_spring(fx, fy, fz, 0.0, 0.0, 1.0, path[n] - path[n - 1], 0.0,
                                       0.0, k_t, limit)
        f[n] = fx
    return path, f


def test_sliding_block_follows_the_spring_then_the_coulomb_limit() -> None:
    k_t, limit, amp = 50.0, 2.0, 0.2  # slip at u = limit/k_t = 0.04
    u, f = _cycle(k_t, limit, amp, 400)
    first = u[:400]
    expected = np.minimum(k_t * first, limit)  # stuck, then sliding at μF
    np.testing.assert_allclose(f[:400], expected, atol=k_t * (u[1] - u[0]) + 1e-12)
    assert np.max(np.abs(f)) <= limit * (1 + 1e-12)
    # on reversal the contact sticks again: the force falls with the same stiffness
    back = f[400:410] - f[399]
    np.testing.assert_allclose(back, k_t * (u[400:410] - u[399]), rtol=1e-9, atol=1e-12)


def test_friction_loop_dissipates_the_analytic_work() -> None:
    # closed cycle ±U with slip force S: loop area 4 S (U − S/k), never energy gained
    k_t, limit, amp = 50.0, 2.0, 0.2
    u, f = _cycle(k_t, limit, amp, 4000)
    steady = slice(4000, u.size)  # +U → −U → +U: one closed loop
    # j is driven against the contact force −f it feels: the drive puts in ∮ f du (> 0)
    work = np.sum(0.5 * (f[steady][1:] + f[steady][:-1]) * np.diff(u[steady]))
    assert work == pytest.approx(4 * limit * (amp - limit / k_t), rel=2e-3)
    stored = 0.5 * f[-1] ** 2 / k_t
    assert stored <= 0.5 * limit**2 / k_t + 1e-12  # the spring energy stays bounded


def test_tangential_force_turns_with_the_contact_and_stays_tangent() -> None:
    fx, fy, fz, slide = coulomb_spring(1.0, 0.0, 0.0, 0.0, 0.0, 1.0, 0.0, 0.0, 0.0, 10.0, 5.0)
    assert (fx, fy, fz, slide) == (1.0, 0.0, 0.0, False)
    n = np.array([math.sin(0.1), 0.0, math.cos(0.1)])  # the contact normal turned by 0.1 rad
    t = np.array(coulomb_spring(1.0, 0.0, 0.0, *n, 0.0, 0.0, 0.0, 10.0, 5.0)[:3])
    assert abs(t @ n) < 1e-12
    assert np.linalg.norm(t) == pytest.approx(1.0, rel=1e-12)


def test_mindlin_stiffness_of_two_spheres_in_the_pair_kernel() -> None:
    # two SSE spheres, elastic range; move j along y: force along y is k_t·u = 8G*√(R*δ)·u
    r, delta, mu = 1.0, 1e-4, 0.3
    pos = np.array([[5.0, 5.0, 5.0], [5.0 + 2 * r - delta, 5.0, 5.0]])
    last = pos.copy()
    pos[1, 1] += 1e-6
    row, ft = _pair_row(pos, last, r, mu, np.zeros((1, 3)))
    g = effective_shear_modulus_mpa(E_LPS, NU_LPS, E_LPS, NU_LPS)
    k_t = mindlin_stiffness(delta, g, 0.5 * r)
    assert k_t == pytest.approx(8 * g * math.sqrt(0.5 * r * delta))
    assert row[P_FX + 1] == pytest.approx(k_t * 1e-6, rel=1e-3)  # j drags i along +y
    es = effective_modulus_mpa(E_LPS, NU_LPS, E_LPS, NU_LPS)
    dist = math.hypot(2 * r - delta, 1e-6)
    fn = hertz_force(2 * r - dist, es, 0.5 * r)[0]
    assert -row[P_FX] == pytest.approx(fn * (2 * r - delta) / dist, rel=1e-6)
    # a slide well past μF_n/k_t (≈ 3e-5 µm here): capped at μ × normal force
    pos[1, 1] += 1e-3
    row, _ = _pair_row(pos, last, r, mu, np.zeros((1, 3)))
    normal = (pos[1] - pos[0]) / np.linalg.norm(pos[1] - pos[0])
    fvec = row[P_FX:P_FZ + 1]
    tang = fvec - (fvec @ normal) * normal
    fn_now = -(fvec @ normal)
    assert fn_now > 0.0
    assert np.linalg.norm(tang) == pytest.approx(mu * fn_now, rel=1e-9)


def _pair_row(pos, last, r, mu, ft, spin=None):
    spin = np.zeros((2, 3)) if spin is None else spin
    one = np.ones(2)
    kind = np.array([1, 1], np.int8)
    out = np.zeros((1, N_PAIR))
    pair_forces(pos, r * one, kind, 0.0 * one, E_LPS * one, NU_LPS * one, H_LPS * one,
                E_LPS * one, NU_LPS * one, one, one, np.zeros((2, PATCHES_PER_PARTICLE, 3)),
                one, np.arange(2), np.array([0], np.int32), np.array([1], np.int32),
                np.zeros(1), np.zeros(1), 100.0, 100.0, 10.0, out, np.zeros(1), last,
                mu * one, mu * one, 0.0 * one, ft, spin, np.zeros((2, 3)))
    return out[0], ft


def test_wall_friction_sticks_then_slides() -> None:
    fx, fy = 0.0, 0.0
    for _ in range(10):
        fx, fy = _wall_spring(fx, fy, 0.01, 0.0, 20.0, 1.0)
    assert fx == pytest.approx(-1.0)  # 20 × 0.1 = 2 > 1: sliding, opposing the motion
    assert _wall_spring(0.0, 0.0, 0.01, 0.0, 20.0, 1.0) == pytest.approx((-0.2, 0.0))


def test_two_particle_load_unload_keeps_a_plastic_set() -> None:
    es = effective_modulus_mpa(E_LPS, NU_LPS, E_LPS, NU_LPS)
    rs, dmax = 0.5, 0.05
    f_max, _, _, plastic = thornton_force(dmax, 0.0, es, rs, H_LPS)
    fe = hertz_force(dmax, es, rs)[0]
    assert plastic == pytest.approx(dmax * (1 - f_max / fe))
    assert plastic > 0.0
    # unloaded to zero force the pair rests at the plastic overlap, with and without a weld
    for weld in (0.0, 50.0):
        f, _, _, p, _ = welded_force(plastic, dmax, es, rs, H_LPS, weld)
        assert f == 0.0 and p == plastic
        above = welded_force(0.5 * (plastic + dmax), dmax, es, rs, H_LPS, weld)[0]
        assert above > 0.0
    # an elastic (never yielded) contact springs back completely
    dy = 0.5 * (math.pi * H_LPS / (2 * es)) ** 2 * rs
    assert thornton_force(dy, 0.0, es, rs, H_LPS)[3] == 0.0


def test_weld_pull_off_force_and_work_of_separation() -> None:
    es = effective_modulus_mpa(E_LPS, NU_LPS, E_LPS, NU_LPS)
    rs, dmax, weld = 0.5, 0.05, 50.0
    fc = weld_pull_off_force(dmax, es, rs, H_LPS, weld)
    assert fc == pytest.approx(weld * math.pi * rs * dmax)  # weld × plastic contact area
    assert weld_pull_off_force(1e-9, es, rs, H_LPS, weld) == 0.0  # elastic: not welded
    f_max, _, _, plastic = thornton_force(dmax, 0.0, es, rs, H_LPS)
    overlap = np.linspace(plastic - 0.02, plastic, 20001)
    force = np.array([welded_force(d, dmax, es, rs, H_LPS, weld)[0] for d in overlap])
    assert force.min() == pytest.approx(-fc, rel=1e-3)  # the pull-off force
    assert force[0] == 0.0  # broken beyond 2 F_c/k_u
    fe = hertz_force(dmax, es, rs)[0]
    k_u = 2 * es * math.sqrt(rs * fe / f_max * (dmax - plastic))
    work = -np.sum(0.5 * (force[1:] + force[:-1]) * np.diff(overlap))
    assert work == pytest.approx(fc**2 / k_u, rel=1e-3)
    assert plastic_loading_force(dmax, es, rs, H_LPS)[0] == pytest.approx(f_max)


def test_tangential_history_survives_a_neighbour_list_rebuild() -> None:
    recipe = composite_recipe()
    st = _State(sample_powder(recipe), CompactionSettings())
    history = {k: [] for k in ("step", "stage", "pressure_mpa", "height_um", "solid_fraction",
                               "punch_pressure_mpa", "bottom_pressure_mpa", "residual")}
    _relax(st, "load", 1.0, 100.0, 50, CompactionSettings(max_stage_steps=60), history, None, 0)
    key = {(min(a, b), max(a, b)): st.ft[k].copy()
           for k, (a, b) in enumerate(zip(st.ids[st.pi], st.ids[st.pj], strict=True))
           if np.any(st.ft[k] != 0.0)}
    assert len(key) > 10
    st.rebuild()
    after = {(min(a, b), max(a, b)): st.ft[k]
             for k, (a, b) in enumerate(zip(st.ids[st.pi], st.ids[st.pj], strict=True))}
    for pair, value in key.items():
        np.testing.assert_array_equal(after[pair], value)


def test_rolling_without_slip_leaves_no_tangential_force() -> None:
    # j at +x of i; i turns by dθ about z: its contact point moves +y by a_i·dθ, so i feels
    # −k_t·a_i·dθ along y; j turning the other way, like a meshed gear (a_i dθ_i = −a_j dθ_j),
    # moves its contact point along, and the pair rolls without slip
    r, delta, mu, dtheta = 1.0, 1e-4, 0.3, 1e-7
    pos = np.array([[5.0, 5.0, 5.0], [5.0 + 2 * r - delta, 5.0, 5.0]])
    arm = r - delta / 2
    g = effective_shear_modulus_mpa(E_LPS, NU_LPS, E_LPS, NU_LPS)
    k_t = mindlin_stiffness(delta, g, 0.5 * r)
    spin = np.zeros((2, 3))
    spin[0, 2] = r * dtheta  # arc coordinates r·θ
    row, _ = _pair_row(pos, pos.copy(), r, mu, np.zeros((1, 3)), spin)
    assert row[P_FX + 1] == pytest.approx(-k_t * arm * dtheta, rel=1e-6)
    spin[1, 2] = -r * dtheta
    row, _ = _pair_row(pos, pos.copy(), r, mu, np.zeros((1, 3)), spin)
    assert abs(row[P_FX + 1]) < 1e-12 * k_t
