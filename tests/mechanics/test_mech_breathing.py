"""CAM breathing analysis: superposition, volume change, tractions, contact retention."""

from __future__ import annotations

import json

import numpy as np
import pytest
from mech_geometry import random_composite, sphere_labels

from cathodetwin.analysis.mechanics import (
    CamParticles,
    PhaseElasticInputs,
    analyze_breathing,
    analyze_microstructure_breathing,
    cam_particles,
    contact_retention,
    elastic_inputs,
    label_elasticity,
    solve_elasticity,
    stress_field,
)
from cathodetwin.structure.microstructure import Microstructure, Phase

E = {0: 0.0, 1: 199.0, 2: 22.1}
NU = {0: 0.0, 1: 0.25, 2: 0.37}
VOXEL = (0.25, 0.25, 0.25)


def run(labels, eigenstrain, **kw):
    phases = PhaseElasticInputs(E, NU, {1: eigenstrain}, {0: "pore", 1: "CAM", 2: "SSE"},
                                (1,), (2,), {})
    return analyze_breathing(labels, phases, voxel_size_um=VOXEL, **kw)


@pytest.fixture(scope="module")
def composite():
    return random_composite(32, seed=7)


@pytest.fixture(scope="module")
def shrinking(composite):
    return run(composite, -0.016, stack_pressure_mpa=10.0, rtol=1e-4,
               sweep_pressures_mpa=(0.0, 0.2, 2.0, 10.0, 30.0, 300.0))


def test_retention_falls_as_stack_pressure_drops(shrinking, composite):
    kept = [r.retained_area_fraction for r in shrinking.retention]
    assert all(b >= a for a, b in zip(kept, kept[1:], strict=False))
    assert kept[-1] > kept[0]
    util = [r.cam_utilization_volume_fraction for r in shrinking.retention]
    assert all(b >= a for a, b in zip(util, util[1:], strict=False))
    before = shrinking.cam_utilization_before_charge_volume_fraction
    assert all(u <= before + 1e-12 for u in util)
    cam_volume_um3 = np.count_nonzero(composite == 1) * np.prod(VOXEL)
    for r in shrinking.retention:
        total = r.retained_area_um2 + r.opened_area_um2
        assert total == pytest.approx(shrinking.interface.face_area_um2.sum())
        assert r.retained_area_per_cam_volume_per_um == pytest.approx(
            r.retained_area_um2 / cam_volume_um3, rel=1e-12)


def test_utilization_threshold_on_retained_contact_share(shrinking, composite):
    ids = cam_particles(composite, (1,))
    particles = CamParticles.from_ids(ids, composite == 1, shrinking.interface.cam_voxel_index)
    shares = (0.0, 0.2, 0.5, 0.9)
    util = [contact_retention(shrinking.interface, particles, (2.0,), 0.0, s)[0]
            .cam_utilization_particle_fraction for s in shares]
    assert util[0] == shrinking.retention_at(2.0).cam_utilization_particle_fraction
    assert util == sorted(util, reverse=True)
    assert util[-1] < util[0]
    with pytest.raises(ValueError, match="utilization_min_retained_share"):
        run(composite, -0.01, utilization_min_retained_share=1.0)


def test_superposed_tractions_equal_a_direct_pressure_controlled_solve(composite):
    res = run(composite, -0.016, separator_pad_voxels=0, rtol=1e-5)
    p = 10.0
    table = label_elasticity(E, NU, {1: -0.016})
    direct = solve_elasticity(composite, table, VOXEL, stress_controlled=(False, False, True),
                              macro_stress_mpa=(0.0, 0.0, -p), rtol=1e-5)
    sigma = stress_field(direct.displacement_um, composite, table, VOXEL, direct.macro_strain)
    t = res.interface.normal_traction_after_charge_mpa(p)
    i = np.unravel_index(res.interface.cam_voxel_index, composite.shape)
    side = res.interface.electrolyte_side.astype(int)
    want = np.empty(t.size)
    for axis in range(3):
        sel = res.interface.axis == axis
        here = tuple(c[sel] for c in i)
        there = list(here)
        there[axis] = (there[axis] + side[sel]) % composite.shape[axis]
        want[sel] = 0.5 * (sigma[axis][here] + sigma[axis][tuple(there)])
    scale = np.abs(want).max()
    np.testing.assert_allclose(t, want, atol=2e-3 * scale)


@pytest.mark.parametrize("eigenstrain, sign", [(0.01, -1), (-0.01, 1)])
def test_interface_traction_sign_for_expanding_and_shrinking_inclusion(eigenstrain, sign):
    labels = sphere_labels(24, 6, inside=1, outside=2)
    res = run(labels, eigenstrain, stack_pressure_mpa=0.0, sweep_pressures_mpa=(0.0,),
              rtol=1e-5)
    t = res.interface.normal_traction_after_charge_mpa(0.0)
    assert np.all(np.sign(t) == sign)
    expected_kept = 1.0 if sign < 0 else 0.0
    assert res.retention[0].retained_area_fraction == expected_kept
    assert res.retention[0].cam_utilization_volume_fraction == expected_kept


def test_isolated_shrinking_particle_recovers_contact_under_high_pressure():
    labels = sphere_labels(24, 6, inside=1, outside=2)
    res = run(labels, -0.005, sweep_pressures_mpa=(0.0, 20.0, 200.0, 2000.0), rtol=1e-5)
    kept = [r.retained_area_fraction for r in res.retention]
    assert kept[0] == 0.0
    assert kept[-1] == 1.0
    assert kept == sorted(kept)


def test_homogeneous_cam_volume_change_and_clamped_pressure():
    labels = np.ones((6, 6, 6), np.uint8)
    e_star, nu = -0.016, 0.25
    lam, mu = 199e3 * nu / ((1 + nu) * (1 - 2 * nu)), 199e3 / (2 * (1 + nu))
    confined = run(labels, e_star, rtol=1e-8)
    assert confined.separator_pad_voxels == 0  # no electrolyte phase, nothing to pad with
    assert confined.composite_volume_change_percent == pytest.approx(
        100 * e_star * (1 + nu) / (1 - nu), rel=1e-5)
    assert confined.stack_pressure_change_fixed_height_mpa == pytest.approx(
        (3 * lam + 2 * mu) * e_star, rel=1e-5)
    free = run(labels, e_star, lateral="free", rtol=1e-8)
    assert free.composite_volume_change_percent == pytest.approx(300 * e_star, rel=1e-5)
    assert free.stack_pressure_change_fixed_height_mpa == pytest.approx(199e3 * e_star,
                                                                        rel=1e-5)


def test_strain_energy_statistics_and_clapeyron(composite):
    res = run(composite, -0.016, stack_pressure_mpa=0.0, separator_pad_voxels=0,
              return_fields=True, rtol=1e-5)
    by_name = {e.name: e for e in res.strain_energy}
    assert by_name["pore"].mean_kj_m3 == 0.0
    for name in ("CAM", "SSE"):
        e = by_name[name]
        assert 0 < e.mean_kj_m3 <= e.max_kj_m3
        assert e.percentiles_kj_m3[50] <= e.percentiles_kj_m3[90] <= e.percentiles_kj_m3[99]
        assert sum(e.histogram_counts) == np.count_nonzero(composite == e.label)
    assert res.electrolyte_strain_energy_mean_kj_m3 == pytest.approx(by_name["SSE"].mean_kj_m3)
    # free of macro stress with E = c e_z: total energy = -1/2 <sigma : eps*> (Clapeyron)
    sigma = res.fields.stress_mpa.astype(np.float64)
    e_star = np.where(composite == 1, -0.016, 0.0)
    clapeyron = -0.5 * np.mean((sigma[0] + sigma[1] + sigma[2]) * e_star) * 1e3
    total = float(res.fields.strain_energy_density_kj_m3.mean(dtype=np.float64))
    assert total == pytest.approx(clapeyron, rel=2e-3)


def test_interface_layer_is_face_neighbours_periodic_in_x_y_only():
    labels = np.full((6, 5, 4), 2, np.uint8)
    labels[0, 2, 0] = 1
    labels[3, 0, 3] = 0
    res = run(labels, -0.01, sweep_pressures_mpa=(0.0,), rtol=1e-5)
    layer = np.unravel_index(res.interface.electrolyte_voxels(labels.shape), labels.shape)
    want = {(1, 2, 0), (5, 2, 0), (0, 1, 0), (0, 3, 0), (0, 2, 1)}  # x wraps, z does not
    assert set(zip(*layer, strict=True)) == want
    assert not np.any(labels[layer] == 0)  # pores are not electrolyte


def test_interface_layer_energy_matches_eshelby_exterior_field():
    """Matrix around a misfitting sphere: w(r) = 6 mu_m A^2 (a/r)^6, A = 3K_i e*/(3K_i + 4mu_m)."""
    n, a, e_star = 64, 10, -0.016
    labels = sphere_labels(n, a, inside=1, outside=2)
    res = run(labels, e_star, stack_pressure_mpa=0.0, sweep_pressures_mpa=(0.0,),
              lateral="free", separator_pad_voxels=0, rtol=1e-5)
    k_in, mu_out = 199e3 / (3 * (1 - 2 * 0.25)), 22.1e3 / (2 * (1 + 0.37))
    amp = 3 * k_in * e_star / (3 * k_in + 4 * mu_out)
    layer = np.unravel_index(res.interface.electrolyte_voxels(labels.shape), labels.shape)
    x = np.arange(n) - n / 2 + 0.5
    r = np.sqrt(x[:, None, None] ** 2 + x[None, :, None] ** 2 + x[None, None, :] ** 2)
    want = np.mean(6 * mu_out * amp**2 * (a / r[layer]) ** 6) * 1e3
    got = res.electrolyte_interface_strain_energy
    assert got["volume_fraction"] == pytest.approx(layer[0].size / labels.size)
    assert got["mean_kj_m3"] == pytest.approx(want, rel=0.12)  # staircase surface: -8.5 %
    assert got["p50_kj_m3"] <= got["p90_kj_m3"] <= got["p99_kj_m3"]
    assert res.electrolyte_strain_energy_mean_kj_m3 < 0.05 * got["mean_kj_m3"]


def test_particles_merge_across_periodic_faces_and_ids_drive_utilization():
    labels = np.full((12, 12, 6), 2, np.uint8)
    labels[0:2, 3:6, 1:4] = 1
    labels[10:12, 3:6, 1:4] = 1  # same particle through the x boundary
    labels[5:8, 8:10, 1:4] = 1
    ids = cam_particles(labels, (1,))
    assert len(np.unique(ids[labels == 1])) == 2
    assert ids[0, 3, 1] == ids[11, 3, 1]
    custom = np.where(labels == 1, 1 + (np.arange(12)[:, None, None] >= 6), 0)
    res = run(labels, -0.01, particle_ids=custom, sweep_pressures_mpa=(0.0,), rtol=1e-5)
    assert res.cam_utilization_before_charge_particle_fraction == 1.0
    assert res.retention[0].cam_utilization_particle_fraction == 0.0


def test_microstructure_wrapper_uses_library_values(composite):
    phases = (Phase(0, "pore", "pore"), Phase(1, "NCM811", "CAM", "NCM811"),
              Phase(2, "LPSCl", "SSE", "Li6PS5Cl"))
    micro = Microstructure(composite, VOXEL, phases)
    inputs = elastic_inputs(micro, state_of_charge=0.5)
    assert inputs.eigenstrain == {1: pytest.approx(-4.8 / 100 / 3 * 0.5)}
    assert inputs.youngs_modulus_gpa[0] == 0.0
    assert inputs.electrolyte_labels == (2,)
    res = analyze_microstructure_breathing(micro, state_of_charge=0.5, stack_pressure_mpa=2.0)
    d = json.loads(json.dumps(res.to_dict()))
    assert d["stack_pressure_mpa"] == 2.0
    assert [r["stack_pressure_mpa"] for r in d["contact_retention"]] == [0.2, 2.0, 10.0, 30.0]
    assert d["composite_volume_change_percent"] < 0
    assert d["stack_pressure_change_fixed_height_mpa"] < 0
    assert res.retention_at(2.0).stack_pressure_mpa == 2.0


def test_wrapper_refuses_unknown_labels_and_missing_materials():
    labels = np.zeros((4, 4, 4), np.uint8)
    labels[0] = 3
    micro = Microstructure(labels, VOXEL, (Phase(0, "SSE", "SSE", "Li6PS5Cl"),))
    with pytest.raises(ValueError, match="phase legend"):
        elastic_inputs(micro)
    micro = Microstructure(labels, VOXEL, (Phase(0, "SSE", "SSE", "Li6PS5Cl"),
                                           Phase(3, "glue", "binder", None)))
    with pytest.raises(ValueError, match="glue"):
        elastic_inputs(micro)
    with pytest.raises(ValueError, match="state_of_charge"):
        elastic_inputs(micro, state_of_charge=1.5)


def test_breathing_refuses_bad_arguments(composite):
    with pytest.raises(ValueError, match="lateral"):
        run(composite, -0.01, lateral="sideways")
    with pytest.raises(ValueError, match="stack pressures"):
        run(composite, -0.01, sweep_pressures_mpa=(-1.0,))
    with pytest.raises(ValueError, match="youngs_modulus_gpa"):
        analyze_breathing(composite,
                          PhaseElasticInputs({1: 1.0}, {1: 0.3}, {}, {}, (1,), (2,), {}),
                          voxel_size_um=VOXEL)


def test_progress_rises_to_the_end_of_both_solves(composite):
    shares: list[float] = []
    res = run(composite, -0.01, progress=shares.append)
    assert res.solver["eigenstrain"].iterations > 0
    assert shares == sorted(shares) and 0.0 < shares[0] and 0.85 <= shares[-1] <= 0.9
