"""Mass ↔ volume fractions, theoretical density, porosity (002 Eq. 2–3), electrode density."""

from __future__ import annotations

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cathodetwin import formulas as F
from cathodetwin.errors import InputError
from cathodetwin.recipe import load_recipe

from .test_examples import PAPERS

# Paper 002 densities (Fig. 5a): NCM811 4.8, LPSCl 1.64, VGCF 2.0 g/cm³.
RHO_002 = {"NCM811": 4.8, "LPSCl": 1.64, "VGCF": 2.0}

mixes = st.dictionaries(
    st.sampled_from(["a", "b", "c", "d"]),
    st.tuples(st.floats(0.1, 100.0), st.floats(0.5, 10.0)),
    min_size=1,
)


@settings(max_examples=200, deadline=None)
@given(mixes)
def test_mass_to_volume_round_trip(mix: dict) -> None:
    weights = {k: w for k, (w, _) in mix.items()}
    rho = {k: r for k, (_, r) in mix.items()}
    phi = F.volume_fractions(weights, rho)
    assert math.isclose(sum(phi.values()), 1.0, rel_tol=1e-12)
    back = F.weight_percents_from_volume_fractions(phi, rho)
    total = sum(weights.values())
    for k in weights:
        assert back[k] == pytest.approx(100.0 * weights[k] / total, rel=1e-10)
    # mass balance: ρ_th = Σ φ_i ρ_i
    rho_th = F.theoretical_density_g_cm3(weights, rho)
    assert rho_th == pytest.approx(sum(phi[k] * rho[k] for k in phi), rel=1e-12)
    assert min(rho.values()) <= rho_th * (1 + 1e-12) and rho_th <= max(rho.values()) * (1 + 1e-12)


def test_002_composite_volume_fractions_by_hand() -> None:
    # 85:12.66:2.34 wt% → per 100 g: 85/4.8 = 17.7083, 12.66/1.64 = 7.7195, 2.34/2.0 = 1.17 cm³
    w = {"NCM811": 85.0, "LPSCl": 12.66, "VGCF": 2.34}
    total_volume = 85 / 4.8 + 12.66 / 1.64 + 2.34 / 2.0  # 26.5978 cm³ per 100 g
    phi = F.volume_fractions(w, RHO_002)
    assert phi["NCM811"] == pytest.approx(17.70833 / 26.59785, rel=1e-5)
    assert F.theoretical_density_g_cm3(w, RHO_002) == pytest.approx(100 / total_volume)
    assert F.theoretical_density_g_cm3(w, RHO_002) == pytest.approx(3.7597, abs=1e-4)


def test_porosity_eq2_and_real_fractions_eq3() -> None:
    # 10 mm pellet, 100 µm thick: V_meas = π·0.5²·0.01 = 7.854e-3 cm³; 25 mg of a 3.2 g/cm³ mix.
    v_meas = math.pi * 0.5**2 * 0.01
    v_theo = 0.025 / 3.2
    phi = F.porosity_from_measured_volume(v_meas, v_theo)
    assert phi == pytest.approx(1 - 7.8125e-3 / (math.pi * 0.25e-2), rel=1e-12)  # 0.53 %
    nominal = {"CAM": 0.6, "SSE": 0.35, "carbon": 0.05}
    real = F.real_volume_fractions(nominal, 0.15)
    assert real == pytest.approx({"CAM": 0.51, "SSE": 0.2975, "carbon": 0.0425})
    assert sum(real.values()) == pytest.approx(0.85)


def test_porosity_and_density_are_consistent() -> None:
    rho_th = 3.7597
    rho = F.electrode_density_g_cm3(30.6, 92.8)  # mg/cm², µm → 3.297 g/cm³
    assert rho == pytest.approx(30.6e-3 / 92.8e-4)
    p = F.porosity_from_density(rho, rho_th)
    # Eq. 2 on 1 cm² of the same layer gives the same porosity
    assert F.porosity_from_measured_volume(92.8e-4, 30.6e-3 / rho_th) == pytest.approx(p)


@pytest.mark.parametrize(
    ("call", "name"),
    [
        (lambda: F.volume_fractions({"a": 1.0}, {"a": -2.0}), "densities_g_cm3"),
        (lambda: F.volume_fractions({"a": 1.0}, {}), "densities_g_cm3"),
        (lambda: F.porosity_from_measured_volume(1.0, 2.0), "v_theo_cm3"),
        (lambda: F.porosity_from_measured_volume(float("nan"), 1.0), "v_meas_cm3"),
        (lambda: F.real_volume_fractions({"a": 1.0}, 1.0), "porosity"),
        (lambda: F.porosity_from_density(5.0, 3.0), "density_g_cm3"),
        (lambda: F.electrode_density_g_cm3(10.0, 0.0), "thickness_um"),
    ],
)
def test_bad_input_names_the_parameter(call, name: str) -> None:
    with pytest.raises(InputError, match=name):
        call()


def test_recipe_fractions_match_paper_002_model_1() -> None:
    recipe = load_recipe(PAPERS / "002_model1_85wt.toml")
    w = {"NCM811": 85.0, "LPSCl": 12.66, "VGCF": 2.34}
    expected = F.volume_fractions(w, RHO_002)
    got = F.recipe_volume_fractions(recipe)
    assert got["NCM811"] == pytest.approx(expected["NCM811"])
    assert got["Li6PS5Cl"] == pytest.approx(expected["LPSCl"])
    assert F.recipe_theoretical_density_g_cm3(recipe) == pytest.approx(3.7597, abs=1e-4)


@pytest.mark.parametrize("model", [1, 2, 3, 4])
@pytest.mark.parametrize("am", [75, 85])
def test_002_models_share_one_composition(model: int, am: int) -> None:
    # All four Models at one AM content are the same 3-material mix, only arranged differently.
    recipe = load_recipe(PAPERS / f"002_model{model}_{am}wt.toml")
    weights = F.recipe_material_weight_percents(recipe)
    assert weights["NCM811"] == pytest.approx(am, abs=1e-3)
    lpscl = weights.get("Li6PS5Cl", 0.0) + weights.get("Li6PS5Cl-fine", 0.0)
    assert lpscl == pytest.approx(100 - am - 2.34, abs=1e-3)
    rho = F.recipe_theoretical_density_g_cm3(recipe)
    assert rho == pytest.approx(
        F.theoretical_density_g_cm3(
            {"a": am, "s": 100 - am - 2.34, "c": 2.34}, {"a": 4.8, "s": 1.64, "c": 2.0}
        ),
        rel=1e-6,
    )


def test_003_bm05_theoretical_density_against_paper() -> None:
    # Paper 003: BM-05 theoretical packing density 3.27 g/cm³ (measured 2.97 = 90.3 %). Our
    # chosen composition (75 wt% LNO@NMC811 + 25 wt% LPSCl, no carbon) gives 3.44 g/cm³ with
    # the crystallographic LPSCl density (1.86, library since 0.5.0), 5 % above the paper; with
    # 1.64 g/cm³ (paper 002's value) it gives 3.24, so paper 003 probably used a value near
    # 1.64 (it does not state it). The paper's relative densities are used as printed.
    recipe = load_recipe(PAPERS / "003_bm05.toml")
    rho = F.recipe_theoretical_density_g_cm3(recipe)
    assert rho == pytest.approx(3.44, abs=0.01)
    low = recipe.with_changes({
        "components.LPSCl.overrides": {"density_g_cm3": 1.64},
        "components.LPSCl@LNO@NMC.shell.overrides": {"density_g_cm3": 1.64},
    })
    assert F.recipe_theoretical_density_g_cm3(low) == pytest.approx(3.27, rel=0.015)


def test_role_fractions_split_shell_from_sse() -> None:
    recipe = load_recipe(PAPERS / "002_model4_85wt.toml")
    roles = F.recipe_role_volume_fractions(recipe)
    assert set(roles) == {"CAM", "SSE", "shell", "carbon"}
    assert sum(roles.values()) == pytest.approx(1.0)
    materials = F.recipe_volume_fractions(recipe)
    assert roles["shell"] + roles["SSE"] == pytest.approx(
        materials["Li6PS5Cl"] + materials["Li6PS5Cl-fine"]
    )
