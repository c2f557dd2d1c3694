"""Rate table, result records and energy densities against hand calculations."""

from __future__ import annotations

import json

import numpy as np
import pytest

from cathodetwin.cell import (
    DEFAULT_C_RATES,
    CellInputs,
    RateResult,
    StackSpec,
    energy_densities,
    mean_voltage_v,
    simulate_rates,
)


def test_energy_density_equals_hand_calculation(good_twin: CellInputs) -> None:
    e = energy_densities(good_twin, 180.0, 3.8, StackSpec())
    # CAM loading 0.6 × 4.8 g/cm³ × 60e-4 cm = 17.28 mg/cm²
    # areal energy 180 mAh/g × 3.8 V × 17.28e-3 g/cm² = 11.81952 mWh/cm²
    assert e.areal_energy_mwh_cm2 == pytest.approx(11.81952)
    # composite 3.538 g/cm³ × 60e-4 cm = 21.228 mg/cm² -> 11.81952 / 21.228e-3 = 556.79 Wh/kg
    assert e.cathode_wh_kg == pytest.approx(556.789, abs=1e-3)
    # per volume: 11.81952 mWh/cm² / 60e-4 cm = 1969.92 Wh/L
    assert e.cathode_wh_l == pytest.approx(1969.92)
    # stack: + 30 µm LPSCl (1.86 g/cm³ -> 5.58 mg/cm²) + 30 µm Li (0.534 -> 1.602 mg/cm²)
    # 11.81952 / 28.41e-3 = 416.03 Wh/kg; 11.81952 / 120e-4 = 984.96 Wh/L
    assert e.stack_wh_kg == pytest.approx(416.034, abs=1e-3)
    assert e.stack_wh_l == pytest.approx(984.96)
    with_collectors = energy_densities(
        good_twin, 180.0, 3.8, StackSpec(cathode_collector_thickness_um=10.0)
    )
    # + 10 µm Al (2.70 g/cm³ -> 2.70 mg/cm²): 11.81952 / 31.11e-3 = 379.93 Wh/kg
    assert with_collectors.stack_wh_kg == pytest.approx(379.927, abs=1e-3)
    assert with_collectors.stack_wh_l == pytest.approx(11.81952 / 130e-4)


def test_mean_voltage_of_a_linear_curve() -> None:
    q = np.linspace(0.0, 100.0, 11)
    assert mean_voltage_v(q, 4.0 - q / 100.0) == pytest.approx(3.5)


def test_rate_result_records(good_rates: RateResult, good_twin: CellInputs) -> None:
    assert good_rates.c_rates == DEFAULT_C_RATES
    assert good_rates.one_c_current_ma_cm2 == pytest.approx(200.0 * 17.28e-3)
    for q_g, q_cm2 in zip(good_rates.capacity_mah_g, good_rates.capacity_mah_cm2, strict=True):
        assert q_cm2 == pytest.approx(q_g * good_twin.cam_loading_mg_cm2 * 1e-3)
    for curve, q in zip(good_rates.discharge_curves, good_rates.capacity_mah_g, strict=True):
        assert curve.capacity_mah_g[-1] == q
        assert curve.voltage_v[-1] == pytest.approx(2.5, abs=1e-6)
    row = good_rates.table()[4]
    assert row["c_rate"] == 1.0 and row["capacity_mah_g"] == good_rates.capacity_at(1.0)
    # energy per CAM mass (Wh/kg CAM) shrinks faster than capacity: the mean voltage drops too
    v_mean = [e.mean_voltage_v for e in good_rates.energy]
    assert v_mean[0] > v_mean[-1] > 3.0
    record = json.loads(json.dumps(good_rates.to_dict()))
    assert record["rates"][0]["capacity_mah_g"] == good_rates.capacity_mah_g[0]
    with pytest.raises(ValueError, match="c_rate=0.3 was not simulated"):
        good_rates.capacity_at(0.3)


def test_charge_curves_on_request(good_twin: CellInputs) -> None:
    result = simulate_rates(good_twin, (0.5,), charge=True)
    (curve,) = result.charge_curves
    assert curve.direction == "charge" and curve.voltage_v[-1] == pytest.approx(4.25, abs=1e-6)


def test_bad_c_rates(good_twin: CellInputs) -> None:
    with pytest.raises(ValueError, match="c_rates"):
        simulate_rates(good_twin, (0.1, -1.0))
