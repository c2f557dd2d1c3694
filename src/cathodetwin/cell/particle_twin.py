"""The particle-resolved cell of a built twin: its packing's graphs, the reaction area the
structure stage measured, the electrode thickness by through-plane tiling."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.mechanics.contact import InterfaceTractions
from cathodetwin.cell.contact_loss import retained_contact_share
from cathodetwin.cell.energy import EnergyDensities, energy_densities
from cathodetwin.cell.inputs import CellInputs, StackSpec
from cathodetwin.cell.particle_cell import ParticleCellOptions
from cathodetwin.cell.particle_network import ParticleNetwork, particle_network, tile_network
from cathodetwin.cell.particle_rates import ParticleRateResult, simulate_particle_rates
from cathodetwin.cell.rates import DEFAULT_C_RATES
from cathodetwin.errors import SolverError
from cathodetwin.packing.packing import Packing
from cathodetwin.records import Record

RETENTION_C_RATE = 0.1  # discharge after charge at each stack pressure


def coarse_cell_size_um(packing: Packing) -> float | None:
    """Reduction cell (µm): the CAM Sauter radius; None (no merging) for small packings."""
    if len(packing) < 2000 and packing.fibers.radius_um.size < 20000:
        return None
    roles = packing.role_of()
    core = packing.core_radius_um[(roles == "CAM") & (packing.core_radius_um > 0)]
    if core.size == 0:
        return None
    return float(np.sum(core**3) / np.sum(core**2))


def reduced_network(packing: Packing,
                    coarse_cell_um: float | None | str = "auto") -> ParticleNetwork:
    """The packing's particle network, reduced per cell (µm; "auto": the Sauter radius above
    2000 particles) with each carbon cluster one node whenever it is reduced."""
    size = coarse_cell_size_um(packing) if coarse_cell_um == "auto" else coarse_cell_um
    return particle_network(packing, coarse_cell_um=size,  # type: ignore[arg-type]
                            carbon_equipotential=size is not None)


def twin_network(
    packing: Packing, inputs: CellInputs, *, coarse_cell_um: float | None | str = "auto",
    retained_share: np.ndarray | None = None,
) -> tuple[ParticleNetwork, int]:
    """The twin's particle network tiled to the electrode thickness, and the copy count.

    Reaction areas: each particle's contact circles, scaled so that their sum equals the
    CAM–electrolyte area the structure stage measured on the voxels (the DFN's area), times
    ``retained_share`` (per packing particle, 0..1: contact kept after breathing).
    """
    net = reduced_network(packing, coarse_cell_um)
    box = packing.box_um
    measured = inputs.specific_cam_sse_area_per_um * box[0] * box[1] * box[2]
    area = net.reaction_area_um2
    if area.sum() > 0 and measured > 0:
        area = area * measured / area.sum()
    if retained_share is not None:
        roles = packing.role_of()
        cam = np.flatnonzero((roles == "CAM") & (packing.core_radius_um > 0))
        area = area * np.clip(retained_share[cam], 0.0, 1.0)
    net = net.with_reaction_area(area)
    copies = max(1, int(round(inputs.thickness_um / box[2])))
    return tile_network(net, copies), copies


def simulate_twin_particle_rates(
    packing: Packing, inputs: CellInputs, c_rates: Sequence[float] = DEFAULT_C_RATES, *,
    stack: StackSpec | None = None, soc_dependent_conductivity: bool = True,
    retained_share: np.ndarray | None = None, coarse_cell_um: float | None | str = "auto",
) -> ParticleRateResult:
    """Rate table of a built twin from the particle-resolved cell (see docs/cell.md)."""
    net, copies = twin_network(packing, inputs, coarse_cell_um=coarse_cell_um,
                               retained_share=retained_share)
    options = ParticleCellOptions(
        soc_dependent_conductivity=soc_dependent_conductivity,
        temperature_c=inputs.temperature_c,
        conductivity_reference_c=inputs.conductivity_reference_c,
        counter_electrode=inputs.counter_electrode)
    return simulate_particle_rates(net, c_rates, stack=stack, sse_material=inputs.sse_material,
                                   options=options, tiles=copies)


@dataclass(frozen=True)
class AfterCharge(Record):
    """Discharge after a charge at one stack pressure: contacts lost to CAM shrinkage."""

    stack_pressure_mpa: float
    c_rate: float
    capacity_mah_g: float
    retention: float  # capacity / capacity with every contact kept (same rate)
    retained_contact_area_fraction: float  # of the reaction area


@dataclass(frozen=True)
class ParticleCellSection(Record):
    """The build's particle-resolved cell: rate table, the DFN beside it, contact loss."""

    rates: ParticleRateResult
    dfn_c_rates: tuple[float, ...]
    dfn_capacity_mah_g: tuple[float, ...]
    after_charge: tuple[AfterCharge, ...]
    coarse_cell_um: float | None
    wall_time_s: float
    energy: tuple[EnergyDensities, ...] = ()  # per C-rate, as the DFN's (cell.energy)


def particle_cell_section(
    packing: Packing, inputs: CellInputs, c_rates: Sequence[float] = DEFAULT_C_RATES, *,
    stack: StackSpec | None = None, dfn_rates: Sequence[dict] = (),
    tractions: InterfaceTractions | None = None, particle_ids: np.ndarray | None = None,
    stack_pressures_mpa: Sequence[float] = (), soc_dependent_conductivity: bool = True,
    bond_strength_mpa: float = 0.0,
) -> ParticleCellSection:
    """Rate table of the particle-resolved cell and, with the mechanics stage's faces, the
    discharge at ``RETENTION_C_RATE`` after a charge at each stack pressure (MPa); a face
    holds while its traction is at most ``bond_strength_mpa`` (MPa, the mechanics stage's).
    A failed rate table raises SolverError; a discharge after charge that fails or stops
    before the cut-off is left out (as is every one when the reference discharge does)."""
    start = time.perf_counter()
    size = coarse_cell_size_um(packing)
    rates = simulate_twin_particle_rates(packing, inputs, c_rates, stack=stack,
                                         soc_dependent_conductivity=soc_dependent_conductivity,
                                         coarse_cell_um=size)
    after: list[AfterCharge] = []
    full = None
    if tractions is not None and particle_ids is not None and stack_pressures_mpa:
        try:
            ref = rates if RETENTION_C_RATE in rates.c_rates else simulate_twin_particle_rates(
                packing, inputs, (RETENTION_C_RATE,), stack=stack, coarse_cell_um=size,
                soc_dependent_conductivity=soc_dependent_conductivity)
            k = ref.c_rates.index(RETENTION_C_RATE)
            full = None if ref.stopped_early(k) else ref.capacity_mah_g[k]
        except SolverError:  # no reference discharge: no contact loss to compare
            full = None
    if full is not None:
        roles = packing.role_of()
        cam = (roles == "CAM") & (packing.core_radius_um > 0)
        for p in sorted({float(x) for x in stack_pressures_mpa}):
            share = retained_contact_share(tractions, particle_ids, len(packing), p,
                                           bond_strength_mpa=bond_strength_mpa)
            try:
                run = simulate_twin_particle_rates(
                    packing, inputs, (RETENTION_C_RATE,), stack=stack, coarse_cell_um=size,
                    soc_dependent_conductivity=soc_dependent_conductivity,
                    retained_share=share)
            except SolverError:  # this pressure is left out of after_charge
                continue
            if run.stopped_early(0):  # the solver gave up before the cut-off: left out too
                continue
            q = run.capacity_mah_g[0]
            weights = packing.core_radius_um[cam] ** 2
            after.append(AfterCharge(p, RETENTION_C_RATE, q, q / full if full > 0 else 0.0,
                                     float(np.sum(share[cam] * weights) / np.sum(weights))))
    return ParticleCellSection(
        rates=rates,
        dfn_c_rates=tuple(float(r["c_rate"]) for r in dfn_rates),
        dfn_capacity_mah_g=tuple(float(r["capacity_mah_g"]) for r in dfn_rates),
        after_charge=tuple(after), coarse_cell_um=size,
        wall_time_s=time.perf_counter() - start,
        energy=tuple(energy_densities(inputs, q, v, stack or StackSpec())
                     for q, v in zip(rates.capacity_mah_g, rates.mean_voltage_v, strict=True)))
