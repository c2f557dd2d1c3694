"""Cited parameter file, stoichiometry window and Arrhenius scaling."""

from __future__ import annotations

import pytest

from cathodetwin.cell import parameters as par


def test_every_parameter_has_a_source() -> None:
    for section, entries in par._table().items():
        for name, entry in entries.items():
            assert len(entry.source) > 10, f"{section}.{name} lacks a literature source"


def test_cam_functions_are_published_pybamm_functions() -> None:
    for name in ("ocv_function", "diffusivity_function", "exchange_current_function"):
        assert callable(par.cam_function(name))


@pytest.mark.parametrize("v_max", [4.2, 4.25, 4.3])
def test_charged_stoichiometry_inverts_the_ocv(v_max: float) -> None:
    x = par.charged_stoichiometry(v_max)
    assert par.cam_ocv_v(x) == pytest.approx(v_max, abs=1e-9)
    assert 0.0 < x < 1.0


def test_window_holds_the_practical_capacity() -> None:
    # c_max × F × (x_dis − x_ch) = Q·ρ: 200 mAh/g × 3.6 C/mAh × 4.8e6 g/m³ = 3.456e9 C/m³
    c_max = par.max_concentration_mol_m3(200.0, 4.8, 4.25)
    window = 1.0 - par.charged_stoichiometry(4.25)
    assert c_max * par.FARADAY_C_MOL * window == pytest.approx(3.456e9)


def test_ocv_range_error_names_the_voltage() -> None:
    with pytest.raises(ValueError, match="voltage_max_v=5.5"):
        par.charged_stoichiometry(5.5)


def test_arrhenius_factor() -> None:
    assert par.arrhenius_factor(0.36, 25.0, 25.0) == 1.0
    # 0.36 eV from 30 to 60 °C: exp(4177.6 K × (1/303.15 − 1/333.15) K⁻¹) = exp(1.2409) = 3.459
    assert par.arrhenius_factor(0.36, 60.0, 30.0) == pytest.approx(3.459, abs=1e-3)
    assert par.arrhenius_factor(0.36, 0.0, 25.0) < 1.0
