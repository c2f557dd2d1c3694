"""Energy densities of the composite cathode and of a stack around it, from capacity and voltage."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from cathodetwin import formulas
from cathodetwin.cell.inputs import CellInputs, StackSpec
from cathodetwin.records import Record


@dataclass(frozen=True)
class EnergyDensities(Record):
    """Discharge energy of one step per CAM, composite cathode and stack (units in the names)."""

    capacity_mah_g: float  # per g of CAM
    mean_voltage_v: float
    areal_energy_mwh_cm2: float
    cathode_wh_kg: float  # per mass of composite cathode (CAM + SSE + carbon)
    cathode_wh_l: float  # per volume of composite cathode
    stack_wh_kg: float  # cathode + separator + anode + current collectors
    stack_wh_l: float


def mean_voltage_v(capacity_mah_g: np.ndarray, voltage_v: np.ndarray) -> float:
    """Capacity-weighted mean voltage ∫V dQ / Q of a galvanostatic curve (V)."""
    q = np.asarray(capacity_mah_g, dtype=float)
    v = np.asarray(voltage_v, dtype=float)
    if q[-1] <= q[0]:
        return float(v[-1])
    return float(np.trapezoid(v, q) / (q[-1] - q[0]))


def energy_densities(
    inputs: CellInputs, capacity_mah_g: float, mean_voltage: float, stack: StackSpec
) -> EnergyDensities:
    """Energy densities for a discharge delivering ``capacity_mah_g`` at ``mean_voltage`` (V)."""
    composite_mg_cm2 = inputs.composite_density_g_cm3 * inputs.thickness_um * 1e-1
    cathode = formulas.cathode_energy_density(
        areal_loading_mg_cm2=composite_mg_cm2,
        thickness_um=inputs.thickness_um,
        cam_weight_percent=100.0 * inputs.cam_mass_fraction,
        cam_specific_capacity_mah_g=capacity_mah_g,
        average_voltage_v=mean_voltage,
    )
    cell = formulas.stack_energy_density(
        areal_capacity_mah_cm2=cathode.areal_capacity_mah_cm2,
        average_voltage_v=mean_voltage,
        cathode_thickness_um=inputs.thickness_um,
        cathode_areal_mass_mg_cm2=composite_mg_cm2,
        li_thickness_um=stack.anode_thickness_um,
        separator_thickness_um=stack.separator_thickness_um,
        separator_density_g_cm3=inputs.sse_material.density_g_cm3,
        cathode_collector_thickness_um=stack.cathode_collector_thickness_um,
        anode_collector_thickness_um=stack.anode_collector_thickness_um,
        li_density_g_cm3=inputs.counter_material.density_g_cm3,
    )
    return EnergyDensities(
        capacity_mah_g=capacity_mah_g,
        mean_voltage_v=mean_voltage,
        areal_energy_mwh_cm2=cathode.areal_energy_mwh_cm2,
        cathode_wh_kg=cathode.gravimetric_energy_wh_kg,
        cathode_wh_l=cathode.volumetric_energy_wh_l,
        stack_wh_kg=cell.gravimetric_energy_wh_kg,
        stack_wh_l=cell.volumetric_energy_wh_l,
    )
