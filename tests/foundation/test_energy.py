"""Capacity and energy density of the cathode layer and of a stack: by hand and vs papers."""

from __future__ import annotations

import pytest

from cathodetwin import formulas as F
from cathodetwin.errors import InputError
from cathodetwin.recipe import load_recipe

from .test_examples import PAPERS


def test_002_model4_85wt_by_hand() -> None:
    """Paper 002, Model 4 at 85 wt%, 60 °C: 198.88 mAh/g, 30.6 mg/cm², 87.7 % of theoretical.

    Theoretical density: 100 / (85/4.8 + 12.66/1.64 + 2.34/2.0) = 100/26.59785 = 3.75971 g/cm³
    Electrode density:   0.877 × 3.75971 = 3.29727 g/cm³
    Thickness:           30.6e-3 g/cm² / 3.29727 g/cm³ = 92.804e-4 cm = 92.804 µm
    Areal capacity:      30.6e-3 g × 0.85 × 198.88 mAh/g = 5.17288 mAh/cm²
    Areal energy at U:   5.17288 × U mWh/cm²
    Stack thickness:     92.804 + 30 (Li) + 30 (separator) = 152.804 µm = 0.0152804 cm
    Stack Wh/L:          5.17288·U / 0.0152804 = 338.53·U  → U = 3.7 V: 1252.6 Wh/L
    Stack mass:          30.6 + 30e-4·0.534e3 + 30e-4·1.64e3 = 30.6 + 1.602 + 4.92 = 37.122 mg/cm²
    Stack Wh/kg:         5.17288·3.7 / 37.122e-3 = 515.6 Wh/kg
    """
    rho = 0.877 * F.theoretical_density_g_cm3(
        {"NCM811": 85, "LPSCl": 12.66, "VGCF": 2.34}, {"NCM811": 4.8, "LPSCl": 1.64, "VGCF": 2.0}
    )
    assert rho == pytest.approx(3.29727, rel=1e-5)
    thickness_um = 30.6e-3 / rho * 1e4
    assert thickness_um == pytest.approx(92.804, abs=1e-3)
    cathode = F.cathode_energy_density(30.6, thickness_um, 85.0, 198.88, 3.7)
    assert cathode.areal_capacity_mah_cm2 == pytest.approx(5.17288, rel=1e-5)
    assert cathode.volumetric_energy_wh_l == pytest.approx(5.17288 * 3.7 / 92.804e-4, rel=1e-5)
    assert cathode.gravimetric_energy_wh_kg == pytest.approx(0.85 * 198.88 * 3.7, rel=1e-12)
    stack = F.stack_energy_density(cathode.areal_capacity_mah_cm2, 3.7, thickness_um, 30.6)
    assert stack.thickness_um == pytest.approx(152.804, abs=1e-3)
    assert stack.areal_mass_mg_cm2 == pytest.approx(37.122, abs=1e-3)
    assert stack.volumetric_energy_wh_l == pytest.approx(1252.6, abs=0.5)
    assert stack.gravimetric_energy_wh_kg == pytest.approx(515.6, abs=0.5)


def test_002_1258_wh_l_implies_a_plausible_mean_voltage() -> None:
    # The paper does not state the mean discharge voltage; backing it out of its 1258 Wh/L must
    # give a value typical of NCM811 vs Li at 0.05C (3.6–3.85 V).
    recipe = load_recipe(PAPERS / "002_model4_85wt.toml")
    geometry = F.recipe_electrode_geometry(recipe, porosity=1 - 0.877)
    q = F.areal_capacity_mah_cm2(geometry.areal_loading_mg_cm2, 85.0, 198.88)
    per_volt = F.stack_energy_density(q, 1.0, geometry.thickness_um, 30.6).volumetric_energy_wh_l
    implied = 1258.0 / per_volt
    assert 3.6 < implied < 3.85
    assert implied == pytest.approx(3.716, abs=0.005)


def test_stack_with_collectors_by_hand() -> None:
    # 3 mAh/cm², 3.8 V → 11.4 mWh/cm². Layers (µm): cathode 60 (18 mg), separator 20 (1.64),
    # Li 20 (0.534), Al 10 (2.70), Cu 8 (8.96).
    # thickness 118 µm; mass 18 + 3.28 + 1.068 + 2.70 + 7.168 = 32.216 mg/cm²
    s = F.stack_energy_density(
        3.0,
        3.8,
        60.0,
        18.0,
        li_thickness_um=20.0,
        separator_thickness_um=20.0,
        cathode_collector_thickness_um=10.0,
        anode_collector_thickness_um=8.0,
    )
    assert s.thickness_um == pytest.approx(118.0)
    assert s.areal_mass_mg_cm2 == pytest.approx(32.216)
    assert s.volumetric_energy_wh_l == pytest.approx(11.4 / 118e-4)
    assert s.gravimetric_energy_wh_kg == pytest.approx(11.4 / 32.216e-3)
    assert s.to_dict()["layer_mass_mg_cm2"]["anode_collector"] == pytest.approx(7.168)


def test_004_stack_estimate_with_stated_assumptions() -> None:
    # Paper 004: 8.7 mAh/cm², ~200 µm cathode, 20 µm separator, Li foil and collectors counted
    # (its Table S4, not in the text) → 405 Wh/kg, 1069 Wh/L. ASSUMED here: 43 mg/cm² CAM at
    # 75 wt% (57.33 mg/cm² composite), mean voltage 3.7 V, Li 50 µm, Al 20 µm, Cu 10 µm.
    s = F.stack_energy_density(
        8.7,
        3.7,
        200.0,
        43 / 0.75,
        li_thickness_um=50.0,
        separator_thickness_um=20.0,
        cathode_collector_thickness_um=20.0,
        anode_collector_thickness_um=10.0,
    )
    assert s.gravimetric_energy_wh_kg == pytest.approx(405, rel=0.05)
    assert s.volumetric_energy_wh_l == pytest.approx(1069, rel=0.05)


def test_li_thickness_for_capacity() -> None:
    # 1 µm of Li on 1 cm²: 1e-4 cm³ · 0.534 g/cm³ · 3860 mAh/g = 0.20612 mAh/cm²
    assert F.li_thickness_for_capacity_um(0.206124) == pytest.approx(1.0, rel=1e-5)
    assert F.li_thickness_for_capacity_um(8.7, excess=2.0) == pytest.approx(84.42, abs=0.01)


def test_recipe_energy_blend_averages_by_capacity() -> None:
    # 001 CAM7:3: 63 wt% NCWA (215 mAh/g) + 27 wt% NCM (201.9 mAh/g override), both 3.8 V.
    recipe = load_recipe(PAPERS / "001_cam7-3.toml")
    cam = F.recipe_cam(recipe)
    assert cam.cam_weight_percent == pytest.approx(90.0)
    assert cam.cam_specific_capacity_mah_g == pytest.approx((63 * 215 + 27 * 201.9) / 90)
    energy = F.recipe_cathode_energy(recipe, porosity=0.1)
    rho = F.recipe_theoretical_density_g_cm3(recipe) * 0.9
    assert energy.areal_loading_mg_cm2 == pytest.approx(rho * 50e-4 * 1e3)
    assert energy.volumetric_energy_wh_l == pytest.approx(
        rho * 1e3 * 0.9 * cam.cam_specific_capacity_mah_g * 3.8 * 1e-3
    )


def test_recipe_energy_counts_only_core_as_cam() -> None:
    recipe = load_recipe(PAPERS / "003_bm05.toml")
    cam = F.recipe_cam(recipe)
    # 78.9474 wt% coated particles; 5 % shell; LiNbO3 buffer is not CAM either
    assert cam.cam_weight_percent < 75.0
    assert cam.cam_weight_percent == pytest.approx(
        75.0 - F.recipe_material_weight_percents(recipe)["LiNbO3"], abs=1e-3
    )


def test_electrode_geometry_rules() -> None:
    both = load_recipe(PAPERS / "004_single_crystal_8p7mah.toml")
    g = F.recipe_electrode_geometry(both)
    assert g.density_g_cm3 == pytest.approx(57.3333e-3 / 200e-4, rel=1e-5)
    assert 0.0 < g.porosity < 0.2  # paper 004: relative density ~90 %
    with pytest.raises(InputError, match="porosity"):
        F.recipe_electrode_geometry(both, porosity=0.1)
    only_loading = load_recipe(PAPERS / "002_model1_75wt.toml")
    with pytest.raises(InputError, match="porosity"):
        F.recipe_electrode_geometry(only_loading)
    g = F.recipe_electrode_geometry(only_loading, porosity=0.2)
    assert g.thickness_um == pytest.approx(30.6e-3 / (0.8 * g.theoretical_density_g_cm3) * 1e4)


def test_cam_without_capacity_is_an_input_error() -> None:
    recipe = load_recipe(PAPERS / "000_fine_lpsc.toml").with_changes(
        {"components.NCM811.material": "VGCF"}
    )
    with pytest.raises(InputError, match="specific_capacity_mah_g"):
        F.recipe_cam(recipe)


def test_results_are_json_serialisable() -> None:
    import json

    recipe = load_recipe(PAPERS / "004_single_crystal_8p7mah.toml")
    energy = F.recipe_cathode_energy(recipe)
    stack = F.stack_energy_density(
        energy.areal_capacity_mah_cm2,
        energy.average_voltage_v,
        energy.thickness_um,
        energy.areal_loading_mg_cm2,
    )
    for record in (
        energy.to_dict(),
        stack.to_dict(),
        F.recipe_cam(recipe).to_dict(),
        F.recipe_electrode_geometry(recipe).to_dict(),
    ):
        assert json.loads(json.dumps(record)) == record
