"""Pre-flight: what a recipe's build will need (particles, voxels, memory, time) before it runs.

``recipe check`` prints the estimate and ``build`` refuses, before writing anything, a recipe
this machine cannot hold: more particles than the packing takes, or a peak memory above what
is available. The messages name only recipe fields. The memory is the largest of the stages'
own models (:func:`cathodetwin.analysis.transport.conduction.required_memory_bytes`,
:func:`cathodetwin.analysis.mechanics.breathing.estimate_memory_gib`, the DEM's per-particle
state); the time is a rough guide (within about 3×) from throughputs measured on the
project's 2-core machine.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from cathodetwin.analysis.mechanics.breathing import estimate_memory_gib
from cathodetwin.analysis.transport.conduction import required_memory_bytes
from cathodetwin.errors import InputError
from cathodetwin.packing.sampling import (
    MAX_PARTICLES,
    default_solid_fraction_guess,
    sample_powder,
)
from cathodetwin.psd import LognormalPSD, TablePSD
from cathodetwin.recipe import Component, Recipe
from cathodetwin.records import Record

GIB = 2**30
# Largest DEM arrays per particle: positions, velocities, forces, neighbour and pair rows
# (about 40 neighbours of 12 float64 each) and the contact list.
DEM_BYTES_PER_PARTICLE = 8 * 1024
# Voxel arrays that live through the build: labels (1 B), particle owners (4 B) and one
# float64 distance map of the structure analysis (8 B).
RESIDENT_BYTES_PER_VOXEL = 13
# Throughputs of cathodetwin 0.3.2 on the project's 2-core machine (a tiny build, 485
# particles, 40 x 40 x 32 voxels, and the default recipe): DEM seconds per particle and
# compaction step, steps of a typical compaction, analysis seconds per voxel (structure +
# transport, then mechanics), and the cell + report stages.
DEM_S_PER_PARTICLE_STEP = 2.5e-6
DEM_STEPS = 1500
ANALYSIS_S_PER_VOXEL = 3e-5
MECHANICS_S_PER_VOXEL = 3e-5
FIXED_S = 25.0


@dataclass(frozen=True)
class BuildEstimate(Record):
    """What a recipe's build needs: particles, voxels, peak memory (GiB), wall time (s)."""

    n_particles: int
    n_particles_by_component: dict[str, int]
    shape_voxels: tuple[int, int, int]
    n_voxels: int
    memory_gib: float
    memory_by_stage_gib: dict[str, float]
    available_memory_gib: float | None
    time_s: float
    problems: tuple[str, ...] = ()

    @property
    def fits(self) -> bool:
        """Whether this machine can run the build."""
        return not self.problems

    def summary(self) -> str:
        """One line: particles, voxels, memory and time, for ``recipe check`` and ``build``."""
        avail = (f" of {self.available_memory_gib:.1f} GiB available"
                 if self.available_memory_gib is not None else "")
        shape = " x ".join(_count(n) for n in self.shape_voxels)
        return (f"estimate: {_count(self.n_particles)} particles, {shape} = "
                f"{_count(self.n_voxels)} voxels, "
                f"peak memory {_gib(self.memory_gib)}{avail}, "
                f"about {_duration(self.time_s)}")


def _gib(x: float) -> str:
    return f"{x:.3g} GiB" if x >= 0.01 else f"{x * 1024:.3g} MiB"


def _duration(seconds: float) -> str:
    if seconds < 120:
        return f"{seconds:.0f} s"
    if seconds < 7200:
        return f"{seconds / 60:.0f} min"
    return f"{seconds / 3600:.3g} h"


def available_memory_gib() -> float | None:
    """MemAvailable from /proc/meminfo in GiB, None where the system does not say."""
    try:
        with open("/proc/meminfo", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) / 2**20
    except (OSError, ValueError):
        return None
    return None


def _mean_particle_volume_um3(psd: LognormalPSD | TablePSD) -> float:
    """Mean volume (µm³) of one particle of the number-weighted distribution."""
    if isinstance(psd, LognormalPSD):
        return math.pi / 6.0 * psd.mean_volume_diameter_um() ** 3
    d = np.asarray(psd.sizes_um, float)
    share = np.diff(np.asarray(psd.cumulative, float))
    mid = np.sqrt(d[1:] * d[:-1])
    if psd.basis == "volume":  # number ∝ volume share / d³
        return float(math.pi / 6.0 * share.sum() / np.sum(share / mid**3))
    return float(math.pi / 6.0 * np.sum(share * mid**3) / share.sum())


def _volume_per_gram(comp: Component) -> float:
    return 1.0 / comp.resolved_material().density_g_cm3


def particle_counts(recipe: Recipe) -> dict[str, int]:
    """Estimated number of pressed particles per CAM or SSE component for the recipe's box."""
    lx, ly, lz = recipe.simulation.box_um
    solid = default_solid_fraction_guess(recipe) * lx * ly * lz
    volumes = {c.name: c.weight_percent * _volume_per_gram(c) for c in recipe.components}
    total = sum(volumes.values())
    counts = {}
    for c in recipe.components:
        if c.role in ("CAM", "SSE") and isinstance(c.psd, LognormalPSD | TablePSD):
            share = solid * volumes[c.name] / total
            ratio = share / max(_mean_particle_volume_um3(c.psd), 1e-300)
            counts[c.name] = max(1, round(min(ratio, 1e30)))  # capped: beyond any machine
    return counts


def _real(n: int) -> float:
    """``n`` as a float, infinity where it is beyond floats (absurd recipes)."""
    return float(n) if n.bit_length() < 1000 else math.inf


def _count(n: int) -> str:
    """A count for messages: digits with separators, or powers of ten when astronomical."""
    return f"{n:,}" if n < 10**15 else f"{_real(n):.3g}"


def _linear(model, shape: tuple[int, ...]) -> float:
    """A stage's memory model at ``shape``, scaled from a smaller shape where the count would
    overflow the model's integer arithmetic (the models are linear in the voxel count)."""
    n = math.prod(shape)
    if n < 2**40:
        return float(model(shape))
    ref = (512, 512, 512)
    return float(model(ref)) * (_real(n) / math.prod(ref))


def estimate_build(recipe: Recipe, mechanics: bool = True,
                   available_gib: float | None = None) -> BuildEstimate:
    """Particles, voxels, peak memory and time of ``recipe``'s build, and why it cannot run.

    ``available_gib`` defaults to the memory available now (MemAvailable).
    """
    sim = recipe.simulation
    shape = tuple(max(1, round(min(b / sim.voxel_size_um, 1e30))) for b in sim.box_um)
    n_vox = math.prod(shape)
    counts = particle_counts(recipe)
    n_part = sum(counts.values())
    problems = []
    if n_part <= MAX_PARTICLES:  # drawing the powder is cheap and checks what the DEM needs
        try:
            powder = sample_powder(recipe)
            counts = {c.name: int(np.sum(powder.component == k))
                      for k, c in enumerate(powder.components) if c.placement == "particles"}
            n_part = len(powder)
        except InputError as err:
            problems.append(str(err))
    resident = _real(n_vox) * RESIDENT_BYTES_PER_VOXEL / GIB
    memory = {
        "packing": n_part * DEM_BYTES_PER_PARTICLE / GIB,
        "structure": resident,
        "transport": _linear(lambda s: required_memory_bytes(s) / GIB, shape) + resident,
    }
    if mechanics:
        memory["mechanics"] = _linear(
            lambda s: estimate_memory_gib(s, return_fields=True), shape) + resident
    peak = max(memory.values())
    time_s = (n_part * DEM_STEPS * DEM_S_PER_PARTICLE_STEP + _real(n_vox) * ANALYSIS_S_PER_VOXEL
              + (_real(n_vox) * MECHANICS_S_PER_VOXEL if mechanics else 0.0) + FIXED_S)
    available = available_memory_gib() if available_gib is None else available_gib
    if n_part > MAX_PARTICLES:
        biggest = max(counts, key=counts.__getitem__)
        problems.append(
            f"the powder needs about {_count(n_part)} particles ({_count(counts[biggest])} of them "
            f"{biggest!r}); the packing takes at most {MAX_PARTICLES:,}: reduce "
            f"simulation.box_um (now {list(sim.box_um)} µm) or raise "
            f"components.{biggest}.psd.d50_um (now {recipe.component(biggest).psd.d50_um:g} µm)"  # type: ignore[union-attr]
        )
    stage = max(memory, key=memory.__getitem__)
    if available is not None and peak > available and not (stage == "packing" and problems):
        fix = (f"reduce simulation.box_um (now {list(sim.box_um)} µm) or coarsen the powders "
               "(components.<name>.psd.d50_um)" if stage == "packing" else
               f"raise simulation.voxel_size_um (now {sim.voxel_size_um:g} µm) or reduce "
               f"simulation.box_um (now {list(sim.box_um)} µm)")
        what = f"{_count(n_part)} particles" if stage == "packing" else (
            f"{_count(n_vox)} voxels ({' x '.join(_count(n) for n in shape)})")
        problems.append(f"the {stage} stage needs about {_gib(peak)} of memory for {what} but "
                        f"{_gib(available)} is available: {fix}")
    return BuildEstimate(n_part, counts, shape, n_vox, peak, memory, available,  # type: ignore[arg-type]
                         time_s, tuple(problems))


def check_build(recipe: Recipe, mechanics: bool = True) -> BuildEstimate:
    """The estimate of :func:`estimate_build`; InputError listing the problems if it cannot run."""
    estimate = estimate_build(recipe, mechanics=mechanics)
    if not estimate.fits:
        raise InputError(f"recipe {recipe.name!r} cannot be built on this machine: "
                         + "; ".join(estimate.problems))
    return estimate
