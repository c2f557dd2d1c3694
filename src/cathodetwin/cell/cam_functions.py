"""The DFN's CAM functions (OCV, diffusivity, exchange current) as NumPy tables for the
particle-resolved model: the same published PyBaMM fits, tabulated in Li stoichiometry x."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache

import numpy as np
import pybamm

from cathodetwin.cell import parameters as par
from cathodetwin.materials import Material

TABLE_POINTS = 4001
# Li content of the charged end of Amin & Chiang's conductivity data (Li_{1-x}NMC, x = 0.75)
DELITHIATED_LI_FRACTION = 0.25


def _evaluate(symbol, x: np.ndarray) -> np.ndarray:
    """Value of a PyBaMM expression (or array) on the grid ``x``."""
    values = pybamm.ParameterValues({
        "Initial concentration in electrolyte [mol.m-3]": par.value(
            "electrolyte", "nominal_concentration_mol_m3"),
    })
    if isinstance(symbol, pybamm.Symbol):
        symbol = values.process_symbol(symbol).evaluate()
    return np.broadcast_to(np.asarray(symbol, float).reshape(-1), x.shape).copy()


@dataclass(frozen=True)
class CamTables:
    """OCV (V), its slope (V), solid diffusivity (m²/s) and exchange current at c_e = c_ref
    (A/m² of contact) on a uniform grid of Li stoichiometry 0..1, at one temperature."""

    x: np.ndarray
    ocv_v: np.ndarray
    docv_dx_v: np.ndarray
    diffusivity_m2_s: np.ndarray
    exchange_current_a_m2: np.ndarray
    dexchange_dx_a_m2: np.ndarray

    def ocv(self, x: np.ndarray) -> np.ndarray:
        """OCV (V vs Li) at stoichiometry x."""
        return np.interp(x, self.x, self.ocv_v)

    def docv(self, x: np.ndarray) -> np.ndarray:
        """dOCV/dx (V)."""
        return np.interp(x, self.x, self.docv_dx_v)

    def diffusivity(self, x: np.ndarray) -> np.ndarray:
        """Solid diffusivity (m²/s)."""
        return np.interp(x, self.x, self.diffusivity_m2_s)

    def exchange_current(self, x: np.ndarray) -> np.ndarray:
        """Exchange current density per contact area (A/m²)."""
        return np.interp(x, self.x, self.exchange_current_a_m2)

    def dexchange(self, x: np.ndarray) -> np.ndarray:
        """d j0 / dx (A/m²)."""
        return np.interp(x, self.x, self.dexchange_dx_a_m2)


@cache
def cam_tables(temperature_k: float) -> CamTables:
    """Tables of the cited NMC811-class functions (parameters.toml [cam]) at ``temperature_k``."""
    x = np.linspace(0.0, 1.0, TABLE_POINTS)
    xs = pybamm.Array(x.reshape(-1, 1))
    inner = np.clip(x, 1e-9, 1.0)
    ocv = _evaluate(par.cam_function("ocv_function")(pybamm.Array(inner.reshape(-1, 1))), x)
    diff = _evaluate(par.cam_function("diffusivity_function")(xs, temperature_k), x)
    c_ref = par.value("electrolyte", "nominal_concentration_mol_m3")
    j0 = _evaluate(par.cam_function("exchange_current_function")(
        pybamm.Scalar(c_ref), xs, pybamm.Scalar(1.0), temperature_k), x)
    j0 = np.maximum(j0, 0.0)
    return CamTables(x, ocv, np.gradient(ocv, x), diff, j0, np.gradient(j0, x))


def electronic_conductivity_s_cm(material: Material, stoichiometry: np.ndarray) -> np.ndarray:
    """CAM electronic conductivity (S/cm) at Li stoichiometry x: log-linear between the
    library's delithiated (x = 0.25) and lithiated (x = 1) values; the constant library value
    where the material has no such pair."""
    lo = material.electronic_conductivity_delithiated_s_cm
    hi = material.electronic_conductivity_lithiated_s_cm
    x = np.asarray(stoichiometry, float)
    if lo is None or hi is None:
        return np.full(x.shape, float(material.electronic_conductivity_s_cm or 0.0))
    t = np.clip((x - DELITHIATED_LI_FRACTION) / (1.0 - DELITHIATED_LI_FRACTION), 0.0, 1.0)
    return 10.0 ** ((1.0 - t) * np.log10(lo) + t * np.log10(hi))
