"""Cell prediction: PyBaMM half-cell of a twin's composite cathode, rate table, energy density."""

from cathodetwin.cell.energy import EnergyDensities, energy_densities, mean_voltage_v
from cathodetwin.cell.inputs import (
    OPTIONAL_METRICS,
    REQUIRED_METRICS,
    CamClass,
    CellInputs,
    StackSpec,
    cam_size_classes,
    cell_inputs_from_metrics,
)
from cathodetwin.cell.model import CellSimulationError, HalfCell
from cathodetwin.cell.rates import (
    DEFAULT_C_RATES,
    NoConductingPath,
    RateResult,
    VoltageCurve,
    blocked_carriers,
    cell_result_from_dict,
    predict_rates,
    simulate_rates,
)

__all__ = [
    "DEFAULT_C_RATES",
    "OPTIONAL_METRICS",
    "REQUIRED_METRICS",
    "CamClass",
    "CellInputs",
    "CellSimulationError",
    "EnergyDensities",
    "HalfCell",
    "NoConductingPath",
    "RateResult",
    "StackSpec",
    "VoltageCurve",
    "blocked_carriers",
    "cam_size_classes",
    "cell_result_from_dict",
    "cell_inputs_from_metrics",
    "energy_densities",
    "mean_voltage_v",
    "predict_rates",
    "simulate_rates",
]
