"""Powder sampling: number/volume conventions, truncation, per-component volumes, shells."""

from __future__ import annotations

import numpy as np
import pytest

from cathodetwin.formulas import shell_thickness_um
from cathodetwin.materials import get_material
from cathodetwin.packing import sample_powder
from cathodetwin.packing.sampling import _SizeDistribution
from cathodetwin.psd import LognormalPSD, TablePSD
from cathodetwin.recipe import recipe_from_dict


def _volume_median(d: np.ndarray) -> float:
    d = np.sort(d)
    cum = np.cumsum(d**3) / np.sum(d**3)
    return float(np.interp(0.5, cum, d))


def test_volume_basis_lognormal_sample_has_the_laser_d50() -> None:
    psd = LognormalPSD(d50_um=5.0, gsd=1.5, basis="volume")
    d = _SizeDistribution(psd, 0.0, 0.0).draw_um(np.random.default_rng(1), 400_000)
    assert _volume_median(d) == pytest.approx(5.0, rel=0.01)
    # number median is the Hatch–Choate count median, well below the volume median
    assert np.median(d) == pytest.approx(5.0 * np.exp(-3 * np.log(1.5) ** 2), rel=0.01)


def test_number_basis_lognormal_sample_has_the_counted_median() -> None:
    psd = LognormalPSD(d50_um=2.0, gsd=1.4, basis="number")
    d = _SizeDistribution(psd, 0.0, 0.0).draw_um(np.random.default_rng(2), 200_000)
    assert np.median(d) == pytest.approx(2.0, rel=0.01)


def test_volume_basis_table_matches_its_cumulative_curve() -> None:
    psd = TablePSD(sizes_um=[1.0, 2.0, 4.0, 8.0], cumulative=[0.0, 0.3, 0.8, 1.0])
    d = _SizeDistribution(psd, 0.0, 0.0).draw_um(np.random.default_rng(3), 400_000)
    d = np.sort(d)
    cum = np.cumsum(d**3) / np.sum(d**3)
    assert np.interp(2.0, d, cum) == pytest.approx(0.3, abs=0.01)
    assert np.interp(4.0, d, cum) == pytest.approx(0.8, abs=0.01)


def test_truncation_cuts_the_stated_volume_share() -> None:
    psd = LognormalPSD(d50_um=3.0, gsd=1.6)
    full = _SizeDistribution(psd, 0.0, 0.0).draw_um(np.random.default_rng(4), 400_000)
    cut = _SizeDistribution(psd, 0.02, 0.01)
    v = full**3
    below = v[full < cut.d_lo].sum() / v.sum()
    above = v[full > cut.d_hi].sum() / v.sum()
    assert below == pytest.approx(0.02, abs=0.002)
    assert above == pytest.approx(0.01, abs=0.002)
    d = cut.draw_um(np.random.default_rng(5), 10_000)
    assert d.min() >= cut.d_lo and d.max() <= cut.d_hi


def _recipe(components, seed=0, box=(20.0, 20.0, 10.0)):
    return recipe_from_dict({"name": "s", "components": components,
                             "simulation": {"box_um": list(box), "voxel_size_um": 0.5,
                                            "seed": seed}})


def test_component_volumes_follow_weight_fractions(composite_powder) -> None:
    p = composite_powder
    rho = {s.name: s.density_g_cm3 for s in p.components}
    vol = {s.name: 0.0 for s in p.components}
    for k, s in enumerate(p.components):
        vol[s.name] = float(np.sum(4 / 3 * np.pi * p.radius_um[p.component == k] ** 3))
        assert vol[s.name] == pytest.approx(s.volume_um3, rel=1e-9)
    mass = {k: vol[k] * rho[k] for k in vol}
    total = sum(mass.values())
    assert 100 * mass["NCM"] / total == pytest.approx(70.0, rel=0.01)
    assert 100 * mass["LPSCl"] / total == pytest.approx(30.0, rel=0.01)
    assert sum(vol.values()) == pytest.approx(
        p.solid_fraction_guess * 12 * 12 * 8, rel=1e-9)
    assert set(p.truncation) == {"NCM", "LPSCl"}
    assert p.truncation["LPSCl"]["number_cut_below"] > 0.0


def test_core_shell_thickness_matches_exact_concentric_formula() -> None:
    shell_wt = 5.0
    powder = sample_powder(_recipe([
        {"name": "BM05", "material": "NCM811", "role": "CAM", "weight_percent": 80.0,
         "psd": {"kind": "lognormal", "d50_um": 6.0, "gsd": 1.0},
         "shell": {"material": "Li6PS5Cl", "weight_percent": shell_wt}},
        {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 20.0,
         "psd": {"kind": "lognormal", "d50_um": 2.0, "gsd": 1.3}},
    ], box=(30.0, 30.0, 20.0)))
    cam = powder.component == 0
    core = powder.core_radius_um[cam]
    assert np.ptp(core) < 1e-12  # monodisperse cores
    t = powder.shell_thickness_um[cam][0]
    expected = shell_thickness_um(core[0], shell_wt, get_material("NCM811").density_g_cm3,
                                  get_material("Li6PS5Cl").density_g_cm3)
    assert t == pytest.approx(expected, rel=1e-9)
    spec = powder.components[0]
    shell_mass = spec.shell_volume_um3 * get_material("Li6PS5Cl").density_g_cm3
    core_mass = spec.core_volume_um3 * spec.density_g_cm3
    assert 100 * shell_mass / (shell_mass + core_mass) == pytest.approx(shell_wt, rel=1e-9)
    assert spec.plastic and spec.surface_hardness_gpa == get_material("Li6PS5Cl").hardness_gpa


def test_same_seed_same_powder_other_seed_other_powder() -> None:
    comps = [{"name": "S", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 100.0,
              "psd": {"kind": "lognormal", "d50_um": 2.0, "gsd": 1.4}}]
    a, b = sample_powder(_recipe(comps, 1)), sample_powder(_recipe(comps, 1))
    c = sample_powder(_recipe(comps, 2))
    assert np.array_equal(a.radius_um, b.radius_um)
    assert not np.array_equal(a.radius_um[:10], c.radius_um[:10])


def test_bad_cut_and_guess_raise_value_error() -> None:
    comps = [{"name": "S", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 100.0,
              "psd": {"kind": "lognormal", "d50_um": 2.0, "gsd": 1.4}}]
    with pytest.raises(ValueError, match="lower_volume_cut"):
        sample_powder(_recipe(comps), lower_volume_cut=0.7)
    with pytest.raises(ValueError, match="solid_fraction_guess"):
        sample_powder(_recipe(comps), solid_fraction_guess=1.5)
