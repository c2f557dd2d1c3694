"""Cell prediction: PyBaMM half-cell of a twin's composite cathode, rate table, energy density."""

from cathodetwin.cell.energy import EnergyDensities, energy_densities, mean_voltage_v
from cathodetwin.cell.inputs import (
    OPTIONAL_METRICS,
    REQUIRED_METRICS,
    CamClass,
    CellInputs,
    StackSpec,
    cell_inputs_from_metrics,
)
from cathodetwin.cell.model import CellSimulationError, HalfCell
from cathodetwin.cell.rates import DEFAULT_C_RATES, RateResult, VoltageCurve, simulate_rates

__all__ = [
    "DEFAULT_C_RATES",
    "OPTIONAL_METRICS",
    "REQUIRED_METRICS",
    "CamClass",
    "CellInputs",
    "CellSimulationError",
    "EnergyDensities",
    "HalfCell",
    "RateResult",
    "StackSpec",
    "VoltageCurve",
    "cell_inputs_from_metrics",
    "energy_densities",
    "mean_voltage_v",
    "simulate_rates",
]
