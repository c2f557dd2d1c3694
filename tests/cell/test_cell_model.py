"""Physics of the PyBaMM half-cell: capacity limits, rate and conductivity trends, errors."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pybamm
import pytest

from cathodetwin.cell import CellInputs, CellSimulationError, HalfCell, RateResult, StackSpec
from cathodetwin.cell import model as cell_model
from cathodetwin.cell import parameters as par

VANISHING_C_RATE = 0.01


@pytest.mark.parametrize(
    "variant",
    [
        {},
        {"cam_utilization": 0.7, "ionic_conductivity_eff_s_cm": 1e-5},
        {"cam_classes": ((6.0, 0.7, "NCWA"), (1.5, 0.3, "NCM811")), "thickness_um": 100.0},
        {"counter_electrode": "LTO", "temperature_c": 60.0},
    ],
    ids=["good", "poor", "bimodal-blend", "lto-60C"],
)
def test_vanishing_rate_capacity_is_utilized_practical_capacity(
    good_twin: CellInputs, variant: dict
) -> None:
    twin = replace(good_twin, **variant)
    step = HalfCell(twin).run(VANISHING_C_RATE)
    expected = twin.cam_utilization * twin.practical_capacity_mah_g
    assert step.reached_cutoff
    assert step.capacity_mah_g[-1] == pytest.approx(expected, rel=0.02)
    assert step.capacity_mah_g[-1] <= expected * (1 + 1e-6)


def test_lto_counter_shifts_the_voltage_by_its_plateau(good_twin: CellInputs) -> None:
    vs_li = HalfCell(good_twin).run(0.1)
    vs_lto = HalfCell(replace(good_twin, counter_electrode="LTO")).run(0.1)
    assert vs_lto.capacity_mah_g[-1] == pytest.approx(vs_li.capacity_mah_g[-1], rel=1e-6)
    assert vs_li.voltage_v[0] - vs_lto.voltage_v[0] == pytest.approx(1.55, abs=1e-6)


@pytest.mark.parametrize("fixture", ["good_rates", "poor_rates"])
def test_capacity_decreases_with_c_rate(fixture: str, request: pytest.FixtureRequest) -> None:
    result: RateResult = request.getfixturevalue(fixture)
    q = np.array(result.capacity_mah_g)
    assert np.all(np.diff(q) < 0.0), q


def test_poor_twin_loses_more_capacity_at_high_rate(
    good_rates: RateResult, poor_rates: RateResult
) -> None:
    good, poor = np.array(good_rates.capacity_mah_g), np.array(poor_rates.capacity_mah_g)
    assert np.all(poor < good)
    assert poor[-1] / poor[0] < good[-1] / good[0]


@pytest.mark.parametrize(
    "variant",
    [{}, {"cam_classes": ((8.0, 0.7), (1.5, 0.3)), "thickness_um": 120.0}],
    ids=["unimodal-60um", "bimodal-120um"],
)
def test_halving_ionic_conductivity_never_raises_capacity(
    good_twin: CellInputs, variant: dict
) -> None:
    # Where solid diffusion limits (σ_ion ≥ 1e-4 S/cm here), a lower σ_ion makes the reaction
    # non-uniform: particles near the separator saturate first and relax while the current moves
    # deeper, which can add up to 0.5 % capacity. The 1 % tolerance allows that, no more.
    rates = (0.2, 1.0, 3.0)
    sigmas = 1e-3 * 0.5 ** np.arange(7)  # 1e-3 ... 1.6e-5 S/cm
    table = []
    for sigma in sigmas:
        cell = HalfCell(replace(good_twin, ionic_conductivity_eff_s_cm=float(sigma), **variant))
        table.append([cell.run(c).capacity_mah_g[-1] for c in rates])
    q = np.array(table)
    assert np.all(q[1:] <= q[:-1] * 1.01), q
    assert q[-1, -1] < 0.8 * q[0, -1]  # and σ_ion does limit at 3C once it is low enough


def test_pybamm_receives_the_twin_conductivities(good_twin: CellInputs) -> None:
    twin = replace(good_twin, temperature_c=60.0)
    values = cell_model.parameter_values(twin, StackSpec())
    kappa = values["Electrolyte conductivity [S.m-1]"]
    t_k = 333.15
    bulk_s_m = kappa(1000.0, t_k)
    eps = values["Positive electrode porosity"]
    tau = values["Positive electrode tortuosity factor (electrolyte)"]
    expected_s_cm = cell_model.ionic_conductivity_at_temperature_s_cm(twin)
    assert bulk_s_m * eps / tau / 100.0 == pytest.approx(expected_s_cm)
    # σ_eff(60 °C) = 1e-4 S/cm × exp(4177.6 K × (1/298.15 − 1/333.15) K⁻¹) = 1e-4 × 4.358
    assert expected_s_cm == pytest.approx(4.358e-4, rel=1e-3)
    sigma_s = values["Positive electrode conductivity [S.m-1]"]
    tau_s = values["Positive electrode tortuosity factor (electrode)"]
    assert sigma_s * (1.0 - eps) / tau_s / 100.0 == pytest.approx(1e-2)


def test_contact_area_ratio_and_size_groups(good_twin: CellInputs) -> None:
    # smooth spheres: 3 × 0.57 / 5 µm = 0.342 µm⁻¹; twin area 0.15 µm⁻¹
    assert cell_model.contact_area_ratio(good_twin) == pytest.approx(0.15 / 0.342)
    three = replace(good_twin, cam_classes=((1.0, 0.2), (1.5, 0.2), (8.0, 0.6)))
    small, large = cell_model.particle_phases(three)
    assert small.radius_um == pytest.approx(0.4 / (0.2 / 1.0 + 0.2 / 1.5))  # Sauter mean
    assert (small.volume_share, large.radius_um, large.volume_share) == (0.4, 8.0, 0.6)
    assert cell_model.contact_area_ratio(three) == pytest.approx(
        0.15 / (3 * 0.57 * (0.2 / 1.0 + 0.2 / 1.5 + 0.6 / 8.0))
    )


def test_ionic_tortuosity_factor_is_eq5_of_paper_002(good_twin: CellInputs) -> None:
    # τ² = σ0 ε / σ_eff = 2e-3 × 0.3 / 1e-4 = 6
    assert cell_model.ionic_tortuosity_factor(good_twin) == pytest.approx(6.0)


def test_mesh_is_converged(good_twin: CellInputs) -> None:
    coarse = HalfCell(good_twin).run(3.0).capacity_mah_g[-1]
    fine = HalfCell(good_twin, mesh_refinement=2).run(3.0).capacity_mah_g[-1]
    assert coarse == pytest.approx(fine, rel=0.02)


def test_charge_mirrors_discharge(good_twin: CellInputs) -> None:
    cell = HalfCell(good_twin)
    charge, discharge = cell.run(0.05, "charge"), cell.run(0.05, "discharge")
    # charge starts near full lithiation where j0 -> 0: a small kinetic dip, then a rising curve
    rising = charge.capacity_mah_g > 0.05 * charge.capacity_mah_g[-1]
    assert np.all(np.diff(charge.voltage_v[rising]) > -1e-6)
    assert np.all(np.diff(discharge.voltage_v) < 1e-6)
    assert charge.voltage_v[-1] == pytest.approx(good_twin.voltage_window_v[1], abs=1e-6)
    window_loss = (1.0 - par.value("cam", "charge_start_stoichiometry")) / (
        1.0 - par.charged_stoichiometry(4.25)
    )
    assert charge.capacity_mah_g[-1] == pytest.approx(
        discharge.capacity_mah_g[-1] * (1 - window_loss), rel=0.01
    )


def test_cutoff_crossed_at_once_gives_zero_capacity(good_twin: CellInputs) -> None:
    # 300C ≈ 1 A/cm² through 60 µm at σ_ion = 1e-6 S/cm: ohmic drop of order 10³ V
    step = HalfCell(replace(good_twin, ionic_conductivity_eff_s_cm=1e-6)).run(300.0)
    assert not step.reached_cutoff
    assert step.capacity_mah_g[-1] == 0.0


def test_solver_failure_names_the_c_rate(
    good_twin: CellInputs, monkeypatch: pytest.MonkeyPatch
) -> None:
    cell = HalfCell(good_twin)

    def fail(*args, **kwargs):
        raise pybamm.SolverError("IDA_CONV_FAIL")

    monkeypatch.setattr(cell._sim, "solve", fail)
    with pytest.raises(CellSimulationError, match="discharge at 2C"):
        cell.run(2.0)
    with pytest.raises(ValueError, match="c_rate=0"):
        cell.run(0)
