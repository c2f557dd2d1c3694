"""Cited electrochemical parameters of the half-cell model and the CAM stoichiometry window."""

from __future__ import annotations

import tomllib
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from importlib import resources

import numpy as np
from pybamm.input.parameters.lithium_ion import ORegan2022
from scipy.optimize import brentq

from cathodetwin.errors import InputError

FARADAY_C_MOL = 96485.33212
GAS_CONSTANT_J_MOL_K = 8.314462618
BOLTZMANN_EV_K = 8.617333262e-5
ZERO_CELSIUS_K = 273.15
REFERENCE_TEMPERATURE_K = 298.15  # reference of the O'Regan 2022 Arrhenius laws


@dataclass(frozen=True)
class Parameter:
    """One value of parameters.toml with its literature source."""

    value: float | str
    source: str


@cache
def _table() -> dict[str, dict[str, Parameter]]:
    text = resources.files("cathodetwin.cell").joinpath("parameters.toml").read_text("utf-8")
    raw = tomllib.loads(text)
    return {
        section: {k: Parameter(v["value"], str(v["source"])) for k, v in entries.items()}
        for section, entries in raw.items()
    }


def parameter(section: str, name: str) -> Parameter:
    """Entry ``name`` of section ``section`` in parameters.toml."""
    table = _table()
    if section not in table or name not in table[section]:
        known = {s: sorted(e) for s, e in table.items()}
        raise KeyError(f"no cell parameter {section}.{name}; known: {known}")
    return table[section][name]


def value(section: str, name: str) -> float:
    """Numeric value of a parameters.toml entry."""
    return float(parameter(section, name).value)


def cam_function(name: str) -> Callable:
    """Published PyBaMM function named in section [cam] (OCV, diffusivity, exchange current)."""
    return getattr(ORegan2022, str(parameter("cam", name).value))


def cam_ocv_v(stoichiometry: float) -> float:
    """Open-circuit potential (V vs Li/Li+) of the NMC811-class CAM at a Li stoichiometry."""
    return float(cam_function("ocv_function")(np.float64(stoichiometry)))


def charged_stoichiometry(voltage_max_v: float) -> float:
    """Li stoichiometry at which the CAM OCV equals the upper cut-off voltage (V vs Li)."""
    lo, hi = 1e-3, value("cam", "discharged_stoichiometry") - 1e-3
    if not cam_ocv_v(hi) < voltage_max_v < cam_ocv_v(lo):
        raise InputError(
            f"voltage_max_v={voltage_max_v} V is outside the NMC811-class OCV range "
            f"{cam_ocv_v(hi):.3f}-{cam_ocv_v(lo):.3f} V vs Li"
        )
    return float(brentq(lambda x: cam_ocv_v(x) - voltage_max_v, lo, hi, xtol=1e-12))


def max_concentration_mol_m3(
    specific_capacity_mah_g: float, density_g_cm3: float, voltage_max_v: float
) -> float:
    """Lattice Li concentration (mol/m³) that puts the practical capacity in the voltage window."""
    window = value("cam", "discharged_stoichiometry") - charged_stoichiometry(voltage_max_v)
    charge_c_m3 = specific_capacity_mah_g * 3.6 * density_g_cm3 * 1e6
    return charge_c_m3 / (FARADAY_C_MOL * window)


def arrhenius_factor(
    activation_energy_ev: float, temperature_c: float, reference_c: float
) -> float:
    """Ratio σ(T)/σ(T_ref) of a thermally activated conductivity (activation energy in eV)."""
    t_k, ref_k = temperature_c + ZERO_CELSIUS_K, reference_c + ZERO_CELSIUS_K
    return float(np.exp(-activation_energy_ev / BOLTZMANN_EV_K * (1.0 / t_k - 1.0 / ref_k)))
