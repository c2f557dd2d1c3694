"""Pressure-controlled uniaxial compaction of a powder by FIRE relaxation (quasi-static DEM).

The die is periodic in x and y; the bottom wall (current collector) is fixed at z = 0 and the
punch at z = h is a degree of freedom driven by the applied pressure. The relaxation minimises
the enthalpy U + P·A·h with FIRE 2.0 (Guénolé et al., Comput. Mater. Sci. 175 (2020) 109584):
particle masses are the diagonal contact stiffness (Jacobi preconditioning, so fine and coarse
particles relax at the same rate), and the punch moves the particles affinely in z with it.
Stages: ``settle`` (optional: jam the loose powder at a low pressure), ``load`` (ramp to the
pressing pressure, then hold to equilibrium) and ``unload`` (ramp down to the stack pressure,
then hold: elastic spring-back, the plastic flattening stays).
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass

import numba
import numpy as np

from cathodetwin.errors import InputError
from cathodetwin.packing.forces import (
    N_PAIR,
    N_SUMS,
    P_COVER_I,
    P_COVER_J,
    P_FX,
    P_FZ,
    S_AA,
    S_AFFINE_K,
    S_CONTACT_FORCE,
    S_CONTACTS,
    S_FORCE_BOTTOM,
    S_FORCE_TOP,
    S_LOST_VOLUME,
    S_MAX_MOVE,
    S_POWER,
    S_RESULTANT,
    S_SPHERE_VOLUME,
    S_VA,
    S_VIRIAL,
    S_VV,
    fire_move,
    gather_forces,
    pair_forces,
)
from cathodetwin.packing.neighbors import (
    build_pairs,
    carry_history,
    incidence,
    moves_um,
    refresh_pairs,
    size_levels,
    touching_unseen,
)
from cathodetwin.packing.packing import Contacts, Packing
from cathodetwin.packing.placement import loose_packing
from cathodetwin.packing.sampling import Powder
from cathodetwin.packing.shell_patches import covered_along, shell_patches
from cathodetwin.recipe import Processing

PARALLEL_MIN_PARTICLES = 10_000  # docs/scale.md: 2 threads pay off (0.93 efficiency at 100 k)
GROWTH_ALLOWANCE = 1.3  # lateral-size check: SSE radii may grow 30 %, SSE shells may double
GPA_TO_MPA = 1e3
UN_TO_N = 1e-6
PATCH_SEED = 0  # shell patches of partial coverage; voxelize draws the same ones
# Verlet-list upkeep: particles that moved beyond MOVER_SHARE of the skin left get their
# partners re-searched (a refresh); the whole list is rebuilt instead when more than
# REBUILD_MOVERS of the particles would be re-searched, when the punch strain since the oldest
# reference has eaten a quarter of the skin, or when appended pairs grew the list by STALE_PAIRS.
MOVER_SHARE = 0.5
REBUILD_MOVERS = 0.05
STALE_PAIRS = 1.3

Progress = Callable[[dict], None]


@dataclass(frozen=True)
class CompactionSettings:
    """Numerical settings of the compaction (defaults suit cathode powders).

    Pressures in MPa; tolerances are relative. Equilibrium: punch and bottom-wall pressures
    within ``wall_tolerance`` of the applied pressure and the unbalanced-force ratio (mean
    |resultant force| per particle over mean contact force) below ``residual_tolerance``, for
    ``calm_steps`` consecutive steps.
    """

    start_pressure_mpa: float = 1.0
    settle: bool = False  # equilibrate at start_pressure_mpa before loading (jammed powder)
    loose_solid_fraction: float = 0.3
    skin: float = 0.3  # relative Verlet skin σ: pairs closer than (r_i + r_j)(1 + σ) are listed
    ramp_steps: int = 600
    unload_steps: int = 200
    max_stage_steps: int = 60000
    wall_tolerance: float = 5e-3
    residual_tolerance: float = 3e-2
    calm_steps: int = 10
    dt_start: float = 0.05
    dt_max: float = 1.0
    fire_alpha: float = 0.25  # FIRE mixing α at a restart
    fire_delay: int = 5  # FIRE steps with P > 0 before dt grows and α shrinks
    report_every: int = 100
    grow_plastic: bool = True
    friction: bool = True  # Coulomb friction between particles and at the die walls (library μ)
    cohesion: bool = True  # cold-welded tensile branch of yielded contacts (library weld)
    rotation: bool = True  # particles rotate under the friction torques (with friction only)
    threads: int | None = None  # numba threads; None: 1 below PARALLEL_MIN_PARTICLES, else all

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


class _Fire:
    """FIRE 2.0 controller state (dimensionless time; masses are stiffnesses)."""

    def __init__(self, settings: CompactionSettings):
        self.dt, self.dt_max = settings.dt_start, settings.dt_max
        self.dt_min = settings.dt_start * 0.02
        self.alpha0 = settings.fire_alpha
        self.delay = settings.fire_delay
        self.alpha = self.alpha0
        self.n_pos = 0

    def decide(self, power: float) -> tuple[bool, float, float]:
        """(reset velocities?, old dt, new dt) from the power F·v."""
        old = self.dt
        if power > 0.0:
            self.n_pos += 1
            if self.n_pos > self.delay:
                self.dt = min(self.dt * 1.1, self.dt_max)
                self.alpha *= 0.99
            return False, old, self.dt
        self.n_pos = 0
        self.dt = max(self.dt * 0.5, self.dt_min)
        self.alpha = self.alpha0
        return True, old, self.dt


class _State:
    """Particle and pair arrays of a running compaction (internal units µm, MPa, µN)."""

    def __init__(self, powder: Powder, settings: CompactionSettings):
        specs = powder.components
        comp = powder.component.astype(np.int64)
        self.n = len(powder)
        self.lx, self.ly = (float(v) for v in powder.box_xy_um)
        self.area = self.lx * self.ly
        self.radius = powder.radius_um.astype(np.float64).copy()
        shelled = np.array([s.shell_material is not None for s in specs])
        role_sse = np.array([s.role == "SSE" for s in specs])
        self.kind = np.where(role_sse[comp], 1, np.where(shelled[comp], 2, 0)).astype(np.int8)
        self.core_r = np.where(
            self.kind == 1, 0.0, self.radius - powder.shell_thickness_um
        ).astype(np.float64)
        self.coverage = np.where(self.kind == 2, powder.coverage, 1.0).astype(np.float64)
        self.patch_dirs, self.patch_thr = shell_patches(self.coverage, PATCH_SEED)
        down = np.tile([[0.0, 0.0, -1.0]], (self.n, 1))
        ids = np.arange(self.n)
        self.wall_bare = np.column_stack([
            ~covered_along(sign * down, ids, self.coverage, self.patch_dirs, self.patch_thr)
            for sign in (1.0, -1.0)
        ]) & (self.kind == 2)[:, None]  # bottom (−z) and punch (+z) faces bare
        gpa = GPA_TO_MPA
        self.surf_e = np.array([s.surface_youngs_modulus_gpa * gpa for s in specs])[comp]
        self.surf_nu = np.array([s.surface_poisson_ratio for s in specs])[comp]
        self.p_y = np.array([(s.surface_hardness_gpa or 0.0) * gpa for s in specs])[comp]
        self.core_e = np.array([s.core_youngs_modulus_gpa * gpa for s in specs])[comp]
        self.core_nu = np.array([s.core_poisson_ratio for s in specs])[comp]
        surface = [s.shell_material or s.material for s in specs]
        on = 1.0 if settings.friction else 0.0
        self.mu_surf = on * np.array([m.friction_coefficient or 0.0 for m in surface])[comp]
        self.mu_core = on * np.array([s.material.friction_coefficient or 0.0 for s in specs])[comp]
        self.mu_wall = on * np.array([m.wall_friction_coefficient or 0.0 for m in surface])[comp]
        weld = [(m.weld_strength_mpa or 0.0) if s.plastic and settings.cohesion else 0.0
                for m, s in zip(surface, specs, strict=True)]
        self.weld = np.array(weld)[comp]
        self.wall_e = powder.wall_youngs_modulus_gpa * gpa
        self.wall_nu = powder.wall_poisson_ratio
        self.vol0 = 4.0 / 3.0 * np.pi * self.radius**3
        self.mass_floor = 1e-3 * self.surf_e * self.radius
        self.level, self.n_levels = size_levels(self.radius)
        self.skin = settings.skin
        reach = np.where(self.kind == 1, GROWTH_ALLOWANCE * self.radius,
                         np.where(self.kind == 2, 2.0 * self.radius - self.core_r, self.radius))
        reach = np.sort(reach)
        cut = float(reach[-2:].sum()) if self.n > 1 else 0.0
        if min(self.lx, self.ly) <= 2.0 * cut:
            raise InputError(
                f"simulation.box_um lateral sizes {self.lx:g} x {self.ly:g} µm are too small for "
                f"the largest particles (radius {self.radius.max():.3g} µm): each must exceed "
                f"{2 * cut:.3g} µm (twice the largest contact distance, SSE growth allowed)"
            )
        self.pos, self.height = loose_packing(
            self.radius, powder.box_xy_um, settings.loose_solid_fraction, powder.seed
        )
        self.vel = np.zeros_like(self.pos)
        self.pos_last = self.pos.copy()  # positions at the last force evaluation (friction)
        self.wall_ft = np.zeros((self.n, 2, 2))  # lateral friction of bottom wall and punch
        self.rotate = bool(settings.rotation and settings.friction)
        self.spin = np.zeros((self.n, 3))  # arc coordinates r·θ (µm) of the rotations
        self.spin_last = np.zeros((self.n, 3))
        self.spin_vel = np.zeros((self.n, 3))
        self.torque = np.zeros((self.n, 3))  # τ/r (µN), the force on the arc coordinates
        self.spin_mass = self.mass_floor.copy()
        self.force = np.zeros_like(self.pos)
        self.mass = self.mass_floor.copy()
        self.wall_dmax = np.zeros((self.n, 2))
        self.free = np.ones(self.n)
        self.v_h = 0.0
        self.ids = np.arange(self.n)  # powder index of each (spatially sorted) slot
        self.pi = np.zeros(0, np.int32)
        self.pj = np.zeros(0, np.int32)
        self.dmax = np.zeros(0)
        self.ft = np.zeros((0, 3))  # per pair: tangential force on i (µN, world frame)
        self.faces = np.zeros(0)  # per pair: shell or bare core met (see forces.contact_faces)
        self.partial_shells = bool(np.any(self.coverage < 1.0))
        self.rebuilds = 0
        self.refreshes = 0
        self.slots = 16  # pair-search slots per particle (grows once if a block overflows)
        self.rebuild()

    def _check_fits(self) -> None:
        """The minimum image needs the die wider than twice the two largest radii."""
        top2 = np.partition(self.radius, -2)[-2:].sum() if self.n > 1 else 0.0
        if 2.0 * top2 >= min(self.lx, self.ly):
            raise InputError(
                f"SSE particles grew to radius {self.radius.max():.3g} µm, too large for the "
                f"lateral box {self.lx:g} x {self.ly:g} µm; enlarge simulation.box_um"
            )

    def rebuild(self) -> bool:
        """New Verlet list; carry each surviving pair's loading history over. Returns whether
        a pair without recorded overlap touches (the last evaluation may have missed it)."""
        self._check_fits()
        old_i, old_j = self.ids[self.pi], self.ids[self.pj]
        self._sort_spatially()
        pi, pj, self.slots = build_pairs(self.pos, self.radius, self.level, self.n_levels,
                                         (self.lx, self.ly), self.skin, self.slots)
        new_i, new_j = self.ids[pi], self.ids[pj]
        dmax = carry_history(old_i, old_j, self.dmax, new_i, new_j, self.n)
        ft = np.zeros((pi.size, 3))
        if self.mu_surf.any() or self.mu_core.any():
            for c in range(3):
                ft[:, c] = carry_history(old_i, old_j, self.ft[:, c], new_i, new_j, self.n)
        if self.partial_shells:
            faces = carry_history(old_i, old_j, self.faces, new_i, new_j, self.n)
        else:
            faces = np.zeros(pi.size)
        self._set_pairs(pi, pj, dmax, faces, ft)
        self.pairs_at_build = pi.size
        self.pos_ref = self.pos.copy()
        self.pos_ref[:, 2] /= self.height
        self.radius_ref = self.radius.copy()
        self.height_lo = self.height_hi = self.height
        self.rebuilds += 1
        return touching_unseen(self.pos, self.radius, pi, pj, dmax, self.lx, self.ly)

    def skin_left(self) -> float:
        """Relative skin left after the punch strain since the oldest list reference."""
        h = self.height
        strain = max(abs(h / self.height_lo - 1.0), abs(h / self.height_hi - 1.0))
        return self.skin - strain * (1.0 + 2.0 * self.skin)

    def refresh(self) -> bool:
        """Re-search the partners of the particles that moved most (or rebuild the list);
        returns whether a newly listed pair touches."""
        self._check_fits()
        left = self.skin_left()
        move = moves_um(self.pos, self.pos_ref, self.radius, self.radius_ref, self.height)
        movers = np.flatnonzero(move > MOVER_SHARE * left * self.radius_ref)
        if (movers.size > REBUILD_MOVERS * self.n or left < 0.75 * self.skin
                or self.pi.size > STALE_PAIRS * self.pairs_at_build):
            return self.rebuild()
        move[movers] = 0.0
        add_i, add_j = refresh_pairs(self.pos, self.radius, self.level, self.n_levels,
                                     (self.lx, self.ly), self.skin, movers,
                                     move * (1.0 + self.skin), self.start, self.entries,
                                     self.pi, self.pj)
        self._set_pairs(np.concatenate([self.pi, add_i]), np.concatenate([self.pj, add_j]),
                        np.concatenate([self.dmax, np.zeros(add_i.size)]),
                        np.concatenate([self.faces, np.zeros(add_i.size)]),
                        np.concatenate([self.ft, np.zeros((add_i.size, 3))]))
        self.pos_ref[movers] = self.pos[movers]
        self.pos_ref[movers, 2] /= self.height
        self.radius_ref[movers] = self.radius[movers]
        self.height_lo = min(self.height_lo, self.height)
        self.height_hi = max(self.height_hi, self.height)
        self.refreshes += 1
        return touching_unseen(self.pos, self.radius, add_i, add_j, np.zeros(add_i.size),
                               self.lx, self.ly)

    def _set_pairs(self, pi, pj, dmax, faces, ft) -> None:
        """Install a pair list with its history and fresh per-pair work arrays."""
        self.pi, self.pj, self.dmax, self.faces, self.ft = pi, pj, dmax, faces, ft
        self.start, self.entries = incidence(pi, pj, self.n)
        k = pi.size  # pair_forces writes each row's covers (and, if touching, the rest)
        self.pair = np.empty((k, N_PAIR))
        self.plastic = np.empty(k)

    def _sort_spatially(self) -> None:
        """Reorder the particle slots along z, y, x cells (memory locality for the kernels)."""
        cell = 2.0 * float(np.median(self.radius))
        nx = max(1, int(self.lx // cell))
        ny = max(1, int(self.ly // cell))
        ix = np.floor(np.mod(self.pos[:, 0], self.lx) / (self.lx / nx)).astype(np.int64) % nx
        iy = np.floor(np.mod(self.pos[:, 1], self.ly) / (self.ly / ny)).astype(np.int64) % ny
        iz = np.floor(self.pos[:, 2] / cell).astype(np.int64)
        perm = np.argsort((iz * ny + iy) * nx + ix, kind="stable")
        for name in _PARTICLE_ARRAYS:
            setattr(self, name, getattr(self, name)[perm])

    def evaluate(self, grow: bool) -> np.ndarray:
        """Forces, masses and (optionally) plastic growth; returns the summed diagnostics."""
        aff = pair_forces(
            self.pos, self.radius, self.kind, self.core_r, self.surf_e, self.surf_nu, self.p_y,
            self.core_e, self.core_nu, self.free, self.coverage, self.patch_dirs, self.patch_thr,
            self.ids, self.pi, self.pj, self.dmax, self.faces, self.lx, self.ly,
            self.height, self.pair, self.plastic, self.pos_last, self.mu_surf, self.mu_core,
            self.weld, self.ft, self.spin, self.spin_last,
        )
        sums = gather_forces(
            self.pos, self.vel, self.radius, self.kind, self.core_r, self.surf_e, self.surf_nu,
            self.p_y, self.core_e, self.core_nu, self.free, self.vol0, self.start, self.entries,
            self.pair, self.wall_dmax, self.wall_bare,
            self.wall_e, self.wall_nu, self.height, self.mass_floor, self.force,
            self.mass, self.pos_ref, self.radius_ref, grow, self.pos_last, self.mu_wall,
            self.wall_ft, self.spin, self.spin_last, self.spin_vel, self.torque, self.spin_mass,
            self.rotate,
        )
        self.pos_last[:] = self.pos
        self.spin_last[:] = self.spin
        total = np.zeros(N_SUMS + 1)
        for row in sums:  # fixed order: independent of threads
            total[:N_SUMS] += row
        total[S_MAX_MOVE] = float(sums[:, S_MAX_MOVE].max()) if len(sums) else 0.0
        total[N_SUMS] = float(np.sum(aff))
        return total

    def solid_fraction(self, sums: np.ndarray) -> float:
        """Solid volume counted once over the box volume A·h."""
        return (sums[S_SPHERE_VOLUME] - sums[S_LOST_VOLUME]) / (self.area * self.height)


_PARTICLE_ARRAYS = (
    "pos", "vel", "force", "mass", "radius", "kind", "core_r", "surf_e", "surf_nu", "p_y",
    "core_e", "core_nu", "vol0", "mass_floor", "level", "wall_dmax", "free", "ids",
    "coverage", "patch_dirs", "patch_thr", "wall_bare", "pos_last", "wall_ft", "mu_surf",
    "mu_core", "mu_wall", "weld", "spin", "spin_last", "spin_vel", "torque", "spin_mass",
)


def _relax(
    st: _State,
    stage: str,
    p_from: float,
    p_to: float,
    ramp_steps: int,
    settings: CompactionSettings,
    history: dict[str, list],
    progress: Progress | None,
    step0: int,
) -> tuple[int, bool]:
    """Ramp the applied pressure geometrically from p_from to p_to, then hold to equilibrium."""
    fire = _Fire(settings)
    calm = 0
    step = 0
    sums = st.evaluate(settings.grow_plastic)
    while step < settings.max_stage_steps:
        t = min(1.0, step / ramp_steps) if ramp_steps > 0 else 1.0
        p = p_from * (p_to / p_from) ** t
        # generalised force on the punch height (affine coordinates) and its preconditioning
        # mass: the affine-mode stiffness, floored so a loose powder closes by ~1 % h per step²
        g = sums[S_VIRIAL] + sums[S_FORCE_TOP] - p * st.area
        m_h = sums[N_SUMS] + sums[S_AFFINE_K] + p * st.area / (0.01 * st.height)
        a_h = g / m_h
        power = sums[S_POWER] + g * st.v_h
        reset, dt_old, dt = fire.decide(power)
        vv = sums[S_VV] + st.v_h**2
        va = sums[S_VA] + st.v_h * a_h
        aa = sums[S_AA] + a_h**2
        v2 = dt * dt * aa if reset else vv + 2.0 * dt * va + dt * dt * aa
        mix_a = fire.alpha * math.sqrt(max(v2, 0.0) / aa) if aa > 0.0 else 0.0
        mix_v = 1.0 - fire.alpha
        v_h = 0.0 if reset else st.v_h
        h_old = st.height - (0.5 * dt_old * st.v_h if reset else 0.0)
        v_h = mix_v * (v_h + dt * a_h) + mix_a * a_h
        h_new = h_old + dt * v_h
        fire_move(st.pos, st.vel, st.force, st.mass, dt_old, dt, mix_v, mix_a, reset,
                  st.height, h_new, st.spin, st.spin_vel, st.torque, st.spin_mass, st.rotate)
        st.height, st.v_h = h_new, v_h
        step += 1
        sums = st.evaluate(settings.grow_plastic)
        if sums[S_MAX_MOVE] > st.skin_left() and st.refresh():
            sums = st.evaluate(False)
        top = sums[S_FORCE_TOP] / st.area
        bottom = sums[S_FORCE_BOTTOM] / st.area
        residual = _unbalanced(sums, st.n)
        ok = (
            t >= 1.0
            and abs(top - p) <= settings.wall_tolerance * p
            and abs(bottom - p) <= settings.wall_tolerance * p
            and residual <= settings.residual_tolerance
        )
        calm = calm + 1 if ok else 0
        done = calm >= settings.calm_steps
        if done or step % settings.report_every == 0:
            phi = st.solid_fraction(sums)
            _record(history, step0 + step, stage, p, st.height, phi, top, bottom, residual)
            if progress is not None:
                progress(
                    {
                        "stage": stage,
                        "step": step0 + step,
                        "pressure_mpa": p,
                        "punch_pressure_mpa": top,
                        "bottom_pressure_mpa": bottom,
                        "porosity": 1.0 - phi,
                        "height_um": st.height,
                    }
                )
        if done:
            return step, True
    return step, False


STAGES = ("settle", "load", "unload")  # each stage ramps the pressure, then holds


def _unbalanced(sums: np.ndarray, n: int) -> float:
    """Mean |resultant force| per particle over the mean contact force (0 at equilibrium)."""
    if sums[S_CONTACTS] == 0:
        return 1.0
    return (sums[S_RESULTANT] / n) / (sums[S_CONTACT_FORCE] / sums[S_CONTACTS])


def _record(history, step, stage, p, h, phi, top, bottom, residual) -> None:
    history["step"].append(step)
    history["stage"].append(STAGES.index(stage))
    history["pressure_mpa"].append(p)
    history["height_um"].append(h)
    history["solid_fraction"].append(phi)
    history["punch_pressure_mpa"].append(top)
    history["bottom_pressure_mpa"].append(bottom)
    history["residual"].append(residual)


def compact(
    powder: Powder,
    processing: Processing,
    progress: Progress | None = None,
    settings: CompactionSettings | None = None,
) -> Packing:
    """Press a powder to ``processing.pressing_pressure_mpa``, hold, unload to the stack pressure.

    Returns the Packing at equilibrium under ``processing.stack_pressure_mpa`` (0 is replaced by
    1e-3 × the pressing pressure so the punch stays in contact). ``progress`` receives dicts
    with stage, step, pressure_mpa, punch_pressure_mpa, bottom_pressure_mpa, porosity and
    height_um.
    """
    settings = settings or CompactionSettings()
    pressing, stack = processing.pressing_pressure_mpa, processing.stack_pressure_mpa
    if not stack <= pressing:
        raise InputError(
            f"stack_pressure_mpa={stack} exceeds pressing_pressure_mpa={pressing}; the layer is "
            "unloaded from the pressing pressure to the stack pressure"
        )
    threads = settings.threads
    if threads is None:
        threads = 1 if len(powder) < PARALLEL_MIN_PARTICLES else numba.config.NUMBA_NUM_THREADS
    if not 1 <= threads <= numba.config.NUMBA_NUM_THREADS:
        raise InputError(
            f"threads={threads}; expected 1..{numba.config.NUMBA_NUM_THREADS} (NUMBA_NUM_THREADS)"
        )
    previous = numba.get_num_threads()
    numba.set_num_threads(threads)
    try:
        return _compact(powder, pressing, stack, progress, settings)
    finally:
        numba.set_num_threads(previous)


def _compact(powder, pressing_pressure_mpa, stack_pressure_mpa, progress, settings) -> Packing:
    t0 = time.perf_counter()
    st = _State(powder, settings)
    history: dict[str, list] = {
        k: [] for k in ("step", "stage", "pressure_mpa", "height_um", "solid_fraction",
                        "punch_pressure_mpa", "bottom_pressure_mpa", "residual")
    }
    p_start = min(settings.start_pressure_mpa, pressing_pressure_mpa)
    p_stack = max(stack_pressure_mpa, 1e-3 * pressing_pressure_mpa)
    plan = [("settle", p_start, p_start, 0)] if settings.settle else []
    plan += [
        ("load", p_start, pressing_pressure_mpa, settings.ramp_steps),
        ("unload", pressing_pressure_mpa, p_stack, settings.unload_steps),
    ]
    steps = 0
    converged = {}
    for stage, p0, p1, ramp in plan:
        n, ok = _relax(st, stage, p0, p1, ramp, settings, history, progress, steps)
        steps += n
        converged[stage] = ok
    sums = st.evaluate(False)
    return _to_packing(st, powder, sums, history, {
        "pressing_pressure_mpa": pressing_pressure_mpa,
        "stack_pressure_mpa": p_stack,
        "steps": steps,
        "neighbor_rebuilds": st.rebuilds,
        "neighbor_refreshes": st.refreshes,
        "converged": converged,
        "wall_seconds": time.perf_counter() - t0,
        "settings": settings.to_dict(),
    })


def _to_packing(st: _State, powder: Powder, sums, history, info: dict) -> Packing:
    specs = powder.components
    back = np.argsort(st.ids)  # slot of each powder particle
    pos = st.pos[back]
    pos[:, 0] %= st.lx
    pos[:, 1] %= st.ly
    radius = st.radius[back]
    overlap = st.radius[st.pi] + st.radius[st.pj] - _distance(st)
    in_contact = overlap > 0.0  # flattened contacts that opened on unloading included (F = 0)
    i = st.ids[st.pi[in_contact]]
    j = st.ids[st.pj[in_contact]]
    swap = i > j
    i, j = np.where(swap, j, i), np.where(swap, i, j)
    order = np.lexsort((j, i))
    row = st.pair[in_contact]
    touching = (row[:, P_COVER_I] > 0.0) | (row[:, P_COVER_J] > 0.0)  # else the row is stale
    d = st.pos[st.pj[in_contact]] - st.pos[st.pi[in_contact]]
    d[:, 0] -= st.lx * np.floor(d[:, 0] / st.lx + 0.5)
    d[:, 1] -= st.ly * np.floor(d[:, 1] / st.ly + 0.5)
    unit = d / np.maximum(np.linalg.norm(d, axis=1), 1e-300)[:, None]
    normal = -np.einsum("ij,ij->i", row[:, P_FX:P_FZ + 1], unit)  # repulsive > 0, weld < 0
    force_n = np.where(touching, normal, 0.0) * UN_TO_N
    contacts = Contacts(
        i=i[order].astype(np.int32),
        j=j[order].astype(np.int32),
        overlap_um=overlap[in_contact][order],
        force_n=force_n[order],
        plastic_overlap_um=st.plastic[in_contact][order],
    )
    kind, core_r = st.kind[back], st.core_r[back]
    shell = np.where(kind == 2, radius - core_r, 0.0)  # grown shell; core_r includes the buffer
    info = info | {
        "seed": powder.seed,
        "patch_seed": PATCH_SEED,
        "solid_fraction_guess": powder.solid_fraction_guess,
        "target_height_um": powder.target_height_um,
        "truncation": powder.truncation,
        "component_volumes_um3": {s.name: s.volume_um3 for s in specs},
        "final_punch_pressure_mpa": sums[S_FORCE_TOP] / st.area,
        "final_bottom_pressure_mpa": sums[S_FORCE_BOTTOM] / st.area,
    }
    return Packing(
        box_um=(st.lx, st.ly, st.height),
        center_um=pos,
        radius_um=radius,
        component=powder.component.astype(np.int16),
        component_names=tuple(s.name for s in specs),
        component_roles=tuple(s.role for s in specs),
        component_materials=tuple(s.material for s in specs),
        shell_thickness_um=shell,
        coverage=powder.coverage.copy(),
        buffer_thickness_um=powder.buffer_thickness_um.copy(),
        contacts=contacts,
        history={k: np.asarray(v) for k, v in history.items()},
        shell_materials=tuple(s.shell_material for s in specs),
        buffer_materials=tuple(s.buffer_material for s in specs),
        provenance={"compaction": info},
    )


def _distance(st: _State) -> np.ndarray:
    d = st.pos[st.pj] - st.pos[st.pi]
    d[:, 0] -= st.lx * np.floor(d[:, 0] / st.lx + 0.5)
    d[:, 1] -= st.ly * np.floor(d[:, 1] / st.ly + 0.5)
    return np.linalg.norm(d, axis=1)
