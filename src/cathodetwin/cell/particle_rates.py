"""Rate table of the particle-resolved cell: capacity, stranded particles by cause, per-particle
state of charge at the end of each discharge (a Record, so resumed builds read it back)."""

from __future__ import annotations

import time
from collections.abc import Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
from threadpoolctl import threadpool_limits

from cathodetwin.cell.energy import mean_voltage_v
from cathodetwin.cell.inputs import StackSpec
from cathodetwin.cell.particle_cell import (
    CAUSES,
    ParticleCell,
    ParticleCellOptions,
    ParticleStep,
)
from cathodetwin.cell.particle_network import ParticleNetwork
from cathodetwin.cell.rates import DEFAULT_C_RATES
from cathodetwin.errors import InputError
from cathodetwin.materials import Material
from cathodetwin.records import Record


@dataclass(frozen=True)
class StrandedCount(Record):
    """Stranded particles (delivered < 50 % of their window) by cause at one C-rate."""

    c_rate: float
    particles: int
    stranded: int
    ionic: int  # of which: no ionic path or the ionic drop is the largest loss
    electronic: int
    kinetic: int  # charge transfer + solid diffusion
    no_ionic_path: int
    no_electronic_path: int
    stranded_cam_volume_share: float


@dataclass(frozen=True)
class ParticleRateResult(Record):
    """Rate table of the particle-resolved cell (units in names; per g of total CAM)."""

    c_rates: tuple[float, ...]
    capacity_mah_g: tuple[float, ...]
    capacity_mah_cm2: tuple[float, ...]
    mean_voltage_v: tuple[float, ...]
    particles: int
    tiles: int  # copies of the twin stacked through-plane
    thickness_um: float
    soc_dependent_conductivity: bool
    stranded: tuple[StrandedCount, ...]
    end_of_discharge_soc: tuple[tuple[float, ...], ...]  # per rate, per particle (0..1)
    charge_balance_error: tuple[float, ...]
    wall_time_s: float
    discharge_curves: tuple[tuple[tuple[float, ...], tuple[float, ...]], ...] = ()
    # per rate, per particle: index into CAUSES of what strands it, −1 not stranded
    stranded_cause: tuple[tuple[int, ...], ...] = ()
    # per rate: whether the discharge reached the cut-off (False with capacity > 0: the solver
    # gave up first, so the capacity is only what was delivered until then; False with 0: the
    # cut-off was crossed at the first instant)
    reached_cutoff: tuple[bool, ...] = ()

    def stopped_early(self, k: int) -> bool:
        """Whether discharge ``k`` stopped before the cut-off (the solver gave up)."""
        return bool(self.reached_cutoff) and not self.reached_cutoff[k] \
            and self.capacity_mah_g[k] > 0.0

    def capacity_at(self, c_rate: float) -> float:
        """Discharge capacity (mAh/g CAM) at one of the simulated C-rates."""
        if c_rate not in self.c_rates:
            raise InputError(f"c_rate={c_rate!r} was not simulated; simulated: {self.c_rates}")
        return self.capacity_mah_g[self.c_rates.index(c_rate)]


def stranded_count(step: ParticleStep, volume_um3: np.ndarray) -> StrandedCount:
    """Stranded particles of one discharge by cause (module doc of particle_cell)."""
    stranded = step.cause >= 0
    by = {name: int(np.count_nonzero(step.cause == k)) for k, name in enumerate(CAUSES)}
    return StrandedCount(
        c_rate=step.c_rate, particles=int(step.cause.size), stranded=int(stranded.sum()),
        no_ionic_path=int(np.count_nonzero(step.no_ionic_path)),
        no_electronic_path=int(np.count_nonzero(step.no_electronic_path & ~step.no_ionic_path)),
        stranded_cam_volume_share=float(volume_um3[stranded].sum() / volume_um3.sum())
        if volume_um3.size else 0.0,
        **by)


def simulate_particle_rates(
    network: ParticleNetwork, c_rates: Sequence[float] = DEFAULT_C_RATES, *,
    stack: StackSpec | None = None, sse_material: Material | str = "Li6PS5Cl",
    options: ParticleCellOptions | None = None, tiles: int = 1, curve_points: int = 60,
    workers: int = 1,
) -> ParticleRateResult:
    """Discharge the particle-resolved cell from the charged rest state at each C-rate, in
    ``workers`` processes (each discharge starts afresh: the same numbers for any count)."""
    rates = tuple(float(c) for c in c_rates)
    if not rates or any(not c > 0.0 for c in rates):
        raise InputError(f"c_rates={c_rates!r} is not allowed; give positive C-rates")
    start = time.perf_counter()
    opts = options or ParticleCellOptions()
    cell = ParticleCell(network, stack=stack, sse_material=sse_material, options=opts)
    if workers > 1 and len(rates) > 1:
        # one BLAS thread per process: the processes share the cores, and threaded vector
        # products in each of them contend (a 60 000-long dot took milliseconds, not µs)
        with ProcessPoolExecutor(min(workers, len(rates)), initializer=threadpool_limits,
                                 initargs=(1,)) as pool:
            steps = list(pool.map(ParticleCell.discharge, [cell] * len(rates), rates))
    else:
        with threadpool_limits(1):  # threaded vector products cost more than they gain here
            steps = [cell.discharge(c) for c in rates]
    area_cm2 = network.box_um[0] * network.box_um[1] * 1e-8
    loading_g_cm2 = cell.cam_mass_g / area_cm2
    curves = []
    for s in steps:
        pick = np.unique(np.linspace(0, s.capacity_mah_g.size - 1, curve_points).astype(int))
        curves.append((tuple(np.round(s.capacity_mah_g[pick], 4).tolist()),
                       tuple(np.round(s.voltage_v[pick], 5).tolist())))
    return ParticleRateResult(
        c_rates=rates,
        capacity_mah_g=tuple(float(s.capacity_mah_g[-1]) for s in steps),
        capacity_mah_cm2=tuple(float(s.capacity_mah_g[-1]) * loading_g_cm2 for s in steps),
        mean_voltage_v=tuple(mean_voltage_v(s.capacity_mah_g, s.voltage_v) for s in steps),
        particles=network.size, tiles=tiles, thickness_um=float(network.box_um[2]),
        soc_dependent_conductivity=opts.soc_dependent_conductivity,
        stranded=tuple(stranded_count(s, network.volume_um3) for s in steps),
        end_of_discharge_soc=tuple(tuple(np.round(s.end_soc, 4).tolist()) for s in steps),
        charge_balance_error=tuple(s.charge_balance_error for s in steps),
        wall_time_s=time.perf_counter() - start,
        discharge_curves=tuple(curves),
        stranded_cause=tuple(tuple(int(k) for k in s.cause) for s in steps),
        reached_cutoff=tuple(bool(s.reached_cutoff) for s in steps),
    )
