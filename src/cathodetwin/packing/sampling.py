"""Powder sampling: particle sizes per component from the recipe's PSDs and weight fractions.

Conventions (see docs/packing.md):
- A ``LognormalPSD`` or ``TablePSD`` with ``basis="volume"`` (laser diffraction) is converted to
  the number-weighted distribution before drawing particles (Hatch–Choate for the lognormal,
  division by d³ for a table); ``basis="number"`` (image counts) is drawn from directly.
- Tails are cut by volume: the finest ``lower_volume_cut`` and the coarsest
  ``upper_volume_cut`` share of each component's volume-weighted distribution are not drawn;
  the kept range is renormalised, so the component's volume is unchanged. If the coarsest kept
  particles would not fit the periodic die (diameter > half its width), the upper cut is
  raised until they do (at most 10 % of the volume). What was cut is reported in
  ``Powder.truncation``.
- For a core–shell CAM the PSD describes the uncoated cores; the component's weight % is that
  of the coated particle (core + buffer + shell).
- Carbon (and binder) is not drawn here: it is placed into the pore space after compaction
  (:mod:`cathodetwin.packing.carbon`); the powder only records its solid volume.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import brentq
from scipy.special import ndtr, ndtri

from cathodetwin.errors import InputError
from cathodetwin.formulas import component_mass_split, component_shell_thickness_um
from cathodetwin.materials import Material
from cathodetwin.psd import FiberPSD, LognormalPSD, TablePSD
from cathodetwin.recipe import Component, Recipe

STEEL_YOUNGS_MODULUS_GPA = 210.0  # die and punch (tool steel)
STEEL_POISSON_RATIO = 0.3
DEFAULT_AGGLOMERATE_DIAMETER_UM = 0.5  # carbon-black / binder agglomerate without a psd
MAX_PARTICLES = 3_000_000
MAX_UPPER_CUT = 0.1  # largest volume share cut off the coarse tail to fit the die
HARD_SOLID_FRACTION = 0.66  # default guess for powders without ductile SSE
SOFT_SOLID_FRACTION = 0.82  # default guess with ≥ 20 vol% SSE (pressed and unloaded)


@dataclass(frozen=True)
class ComponentSpec:
    """Mechanics and volumes of one recipe component as the compaction needs them.

    Moduli in GPa; ``surface_hardness_gpa`` is the limiting mean contact pressure of the
    particle surface (None = elastic surface, i.e. bare CAM). Volumes in µm³ are the solid
    volumes this powder must hold: core (CAM, SSE or carbon material), buffer and shell.
    """

    name: str
    role: str
    material: Material  # resolved: library values with the recipe's overrides
    density_g_cm3: float
    core_youngs_modulus_gpa: float
    core_poisson_ratio: float
    surface_youngs_modulus_gpa: float
    surface_poisson_ratio: float
    surface_hardness_gpa: float | None
    shell_material: Material | None
    buffer_material: Material | None
    core_volume_um3: float
    buffer_volume_um3: float
    shell_volume_um3: float
    placement: str  # "particles" (pressed), "fibers" or "agglomerates" (placed after pressing)
    fiber_diameter_um: float = 0.0
    fiber_length_um: float = 0.0
    agglomerate_diameter_um: float = 0.0
    agglomerate_psd: LognormalPSD | TablePSD | None = None

    @property
    def volume_um3(self) -> float:
        """Total solid volume of the component (µm³)."""
        return self.core_volume_um3 + self.buffer_volume_um3 + self.shell_volume_um3

    @property
    def plastic(self) -> bool:
        """Whether the particle surface yields (SSE or an SSE shell)."""
        return self.surface_hardness_gpa is not None


@dataclass(frozen=True)
class Powder:
    """Sampled powder: sphere sizes per particle plus component specs, box and truncation report.

    ``radius_um`` is the outer radius (core + buffer + shell). Only pressed components
    (CAM, SSE) have particles; carbon and binder are in ``components`` with their volumes.
    """

    box_xy_um: tuple[float, float]
    target_height_um: float
    solid_fraction_guess: float
    components: tuple[ComponentSpec, ...]
    radius_um: np.ndarray  # (N,)
    component: np.ndarray  # (N,) int16
    shell_thickness_um: np.ndarray  # (N,)
    buffer_thickness_um: np.ndarray  # (N,)
    coverage: np.ndarray  # (N,)
    seed: int
    truncation: dict = field(default_factory=dict)
    wall_youngs_modulus_gpa: float = STEEL_YOUNGS_MODULUS_GPA
    wall_poisson_ratio: float = STEEL_POISSON_RATIO

    def __len__(self) -> int:
        return int(self.radius_um.size)

    @property
    def core_radius_um(self) -> np.ndarray:
        """Radius of the CAM core (µm), the whole radius for particles without layers."""
        return self.radius_um - self.shell_thickness_um - self.buffer_thickness_um

    def solid_volume_um3(self) -> float:
        """Total solid volume of all components, carbon included (µm³)."""
        return float(sum(c.volume_um3 for c in self.components))


def _number_lognormal(psd: LognormalPSD) -> tuple[float, float]:
    """(ln of number median diameter in µm, sigma_ln) of the number-weighted distribution."""
    return math.log(psd.number_median_um()), psd.sigma_ln


class _SizeDistribution:
    """Number-weighted diameter sampler with the tails cut by volume share."""

    def __init__(self, psd: LognormalPSD | TablePSD, lower_cut: float, upper_cut: float):
        self.lower_cut, self.upper_cut = lower_cut, upper_cut
        self.psd = psd
        if isinstance(psd, LognormalPSD):
            mu_n, s = _number_lognormal(psd)
            self._lognormal = (mu_n, s)
            mu_v = mu_n + 3.0 * s * s
            if s == 0.0:
                self.d_lo = self.d_hi = math.exp(mu_n)
            else:
                self.d_lo = math.exp(mu_v + s * ndtri(lower_cut)) if lower_cut > 0 else 0.0
                self.d_hi = math.exp(mu_v + s * ndtri(1.0 - upper_cut)) if upper_cut > 0 else np.inf
        else:
            self._lognormal = None
            self._table(psd)

    def _table(self, psd: TablePSD) -> None:
        sizes = np.asarray(psd.sizes_um, float)
        cum = np.asarray(psd.cumulative, float)
        logd = np.linspace(math.log(sizes[0]), math.log(sizes[-1]), 4001)
        given = np.interp(logd, np.log(sizes), cum)
        share = np.diff(given)  # share of the table's basis in each log-bin
        mid = np.exp(0.5 * (logd[1:] + logd[:-1]))
        if psd.basis == "volume":
            vol, num = share, share / mid**3
        else:
            vol, num = share * mid**3, share
        vol_cdf = np.concatenate([[0.0], np.cumsum(vol)]) / vol.sum()
        keep = (vol_cdf[1:] > self.lower_cut) & (vol_cdf[:-1] < 1.0 - self.upper_cut)
        num = np.where(keep, num, 0.0)
        self._edges = logd
        self._num_cdf = np.concatenate([[0.0], np.cumsum(num)]) / num.sum()
        self.d_lo = float(np.exp(logd[:-1][keep][0]))
        self.d_hi = float(np.exp(logd[1:][keep][-1]))

    def volume_share_above(self, d_um: float) -> float:
        """Share of the untruncated volume-weighted distribution coarser than ``d_um``."""
        if self._lognormal is not None:
            mu_n, s = self._lognormal
            if s == 0.0:
                return float(math.exp(mu_n) > d_um)
            return float(1.0 - ndtr((math.log(d_um) - mu_n - 3.0 * s * s) / s))
        full = _SizeDistribution(self.psd, 0.0, 0.0)
        mid = np.exp(0.5 * (full._edges[1:] + full._edges[:-1]))
        vol = np.diff(full._num_cdf) * mid**3
        return float(vol[mid > d_um].sum() / vol.sum())

    def draw_um(self, rng: np.random.Generator, n: int) -> np.ndarray:
        """``n`` diameters (µm) from the truncated number-weighted distribution."""
        if self._lognormal is not None:
            mu, s = self._lognormal
            if s == 0.0:
                return np.full(n, math.exp(mu))
            lo = ndtr((math.log(self.d_lo) - mu) / s) if self.d_lo > 0 else 0.0
            hi = ndtr((math.log(self.d_hi) - mu) / s) if np.isfinite(self.d_hi) else 1.0
            u = lo + (hi - lo) * rng.random(n)
            return np.exp(mu + s * ndtri(u))
        u = rng.random(n)
        return np.exp(np.interp(u, self._num_cdf, self._edges))


def _draw_to_volume(
    sizes: _SizeDistribution, rng: np.random.Generator, volume_um3: float, layer_um: float
) -> np.ndarray:
    """Core diameters (µm) whose coated volumes sum closest to ``volume_um3``.

    ``layer_um`` is the estimated thickness of buffer + shell, used only to size the draw.
    """
    probe = sizes.draw_um(rng, 2048)
    mean_v = float(np.mean(np.pi / 6.0 * (probe + 2 * layer_um) ** 3))
    out: list[np.ndarray] = []
    total = 0.0
    while total < volume_um3:
        n = max(16, int(1.1 * (volume_um3 - total) / mean_v) + 16)
        if sum(a.size for a in out) + n > MAX_PARTICLES:
            raise InputError(
                f"the powder needs more than {MAX_PARTICLES} particles; reduce simulation.box_um "
                "or coarsen the powders (components.<name>.psd.d50_um)"
            )
        d = sizes.draw_um(rng, n)
        out.append(d)
        total += float(np.sum(np.pi / 6.0 * (d + 2 * layer_um) ** 3))
    d = np.concatenate(out)
    cum = np.cumsum(np.pi / 6.0 * (d + 2 * layer_um) ** 3)
    k = int(np.searchsorted(cum, volume_um3))
    if k > 0 and abs(cum[k - 1] - volume_um3) < abs(cum[k] - volume_um3):
        k -= 1
    return d[: k + 1]


def _part_volumes_per_mass(comp: Component) -> dict[str, float]:
    """Core, buffer and shell volume per gram of the weighed powder (cm³/g)."""
    split = component_mass_split(comp)
    rho = {
        "core": comp.resolved_material().density_g_cm3,
        "buffer": comp.buffer.resolved_material().density_g_cm3 if comp.buffer else 1.0,
        "shell": comp.shell.resolved_material().density_g_cm3 if comp.shell else 1.0,
    }
    return {k: split[k] / rho[k] for k in split}


def _component_material_volumes_um3(comp: Component, volume_um3: float) -> dict[str, float]:
    """Split a component's solid volume (µm³) into core, buffer and shell volumes."""
    vols = _part_volumes_per_mass(comp)
    total = sum(vols.values())
    return {k: volume_um3 * v / total for k, v in vols.items()}


def _component_volume_per_mass(comp: Component) -> float:
    """Solid volume per gram of the weighed powder (cm³/g), shells and buffers included."""
    return sum(_part_volumes_per_mass(comp).values())


def _layered_volumes(core_r: np.ndarray, buffer_um: float, shell_um: float, coverage: float):
    """(core, buffer, shell) volumes in µm³ of concentric particles with these layers."""
    rb = core_r + buffer_um
    core = float(np.sum(4.0 / 3.0 * np.pi * core_r**3))
    buf = float(np.sum(4.0 / 3.0 * np.pi * (rb**3 - core_r**3)))
    shell = coverage * float(np.sum(4.0 / 3.0 * np.pi * ((rb + shell_um) ** 3 - rb**3)))
    return core, buf, shell


def _fit_layers(
    comp: Component, core_d_um: np.ndarray, targets: dict[str, float]
) -> tuple[np.ndarray, float, float]:
    """Scale sampled cores and choose the shell thickness so the volumes match exactly.

    Returns (core radii µm, buffer thickness µm, shell thickness µm). The core radii are scaled
    by one factor (≈1) so the core volume equals its target; the shell thickness is the uniform
    thickness whose shell volume on these cores equals the shell target (for a shell given as
    thickness the recipe value is kept and the total is matched through the core scale).
    """
    core_r = core_d_um / 2.0
    buffer_um = comp.buffer.thickness_nm * 1e-3 if comp.buffer else 0.0
    coverage = comp.shell.coverage if comp.shell else 1.0
    if comp.shell is not None and comp.shell.thickness_um is not None:
        t = comp.shell.thickness_um
        total = sum(targets.values())

        def excess(scale: float) -> float:
            return sum(_layered_volumes(core_r * scale, buffer_um, t, coverage)) - total

        scale = brentq(excess, 0.5, 2.0, xtol=1e-14)
        return core_r * scale, buffer_um, t
    core_r = core_r * (targets["core"] / _layered_volumes(core_r, 0.0, 0.0, 1.0)[0]) ** (1 / 3)
    if comp.shell is None:
        return core_r, buffer_um, 0.0

    def shell_excess(t: float) -> float:
        return _layered_volumes(core_r, buffer_um, t, coverage)[2] - targets["shell"]

    hi = float(np.max(core_r))
    while shell_excess(hi) < 0:
        hi *= 2.0
    return core_r, buffer_um, float(brentq(shell_excess, 0.0, hi, xtol=1e-14))


def _surface_mechanics(comp: Component) -> tuple[float, float, float | None]:
    """(E GPa, ν, hardness GPa or None) of the particle surface that touches neighbours."""
    if comp.shell is not None:
        shell = comp.shell.resolved_material()
        return _elastic(shell, comp.name) + (_hardness(shell, comp.name),)
    mat = comp.resolved_material()
    if comp.role == "SSE":
        return _elastic(mat, comp.name) + (_hardness(mat, comp.name),)
    return _elastic(mat, comp.name) + (None,)


def _elastic(mat, name: str) -> tuple[float, float]:
    if mat.youngs_modulus_gpa is None or mat.poisson_ratio is None:
        raise InputError(
            f"component {name!r}: material {mat.name!r} lacks youngs_modulus_gpa or "
            "poisson_ratio; set them in the component's overrides"
        )
    return float(mat.youngs_modulus_gpa), float(mat.poisson_ratio)


def _hardness(mat, name: str) -> float:
    if mat.hardness_gpa is None or mat.hardness_gpa <= 0:
        raise InputError(
            f"component {name!r}: material {mat.name!r} has hardness_gpa={mat.hardness_gpa}; "
            "a ductile SSE surface needs a hardness > 0 (set it in the component's overrides)"
        )
    return float(mat.hardness_gpa)


def _carbon_geometry(comp: Component) -> tuple[str, float, float, float]:
    """(placement, fibre diameter µm, fibre length µm, agglomerate diameter µm)."""
    mat = comp.resolved_material()
    if isinstance(comp.psd, FiberPSD):
        return "fibers", comp.psd.diameter_um, comp.psd.length_um, 0.0
    if comp.psd is None and mat.fiber_diameter_um and mat.fiber_length_um:
        return "fibers", mat.fiber_diameter_um, mat.fiber_length_um, 0.0
    if isinstance(comp.psd, LognormalPSD | TablePSD):
        return "agglomerates", 0.0, 0.0, comp.psd.d50_um
    return "agglomerates", 0.0, 0.0, DEFAULT_AGGLOMERATE_DIAMETER_UM


def default_solid_fraction_guess(recipe: Recipe) -> float:
    """Expected solid fraction of the pressed, unloaded layer, used to size the powder for box z.

    0.82 when the ductile SSE (particles and shells) is at least 20 % of the solid volume —
    this model gives 0.78–0.85 for sulfide composites and pellets pressed at 300–500 MPa with
    the library hardness — falling linearly to 0.66 (jammed hard spheres) without SSE. The
    final height is whatever the compaction gives (``Packing.box_um[2]``).
    """
    volumes = {c.name: c.weight_percent * _component_volume_per_mass(c) for c in recipe.components}
    soft = sum(volumes[c.name] for c in recipe.components if c.role == "SSE" or c.shell)
    share = soft / sum(volumes.values())
    return HARD_SOLID_FRACTION + (SOFT_SOLID_FRACTION - HARD_SOLID_FRACTION) * min(1.0, share / 0.2)


def sample_powder(
    recipe: Recipe,
    solid_fraction_guess: float | None = None,
    lower_volume_cut: float = 0.01,
    upper_volume_cut: float = 0.005,
) -> Powder:
    """Draw the particles of a recipe for its simulated box (µm), reproducibly from its seed.

    The box is ``recipe.simulation.box_um`` = (x, y, z): x and y are the periodic lateral sizes,
    z the target pressed thickness. The solid volume drawn is ``solid_fraction_guess`` × box
    volume (default :func:`default_solid_fraction_guess`), split over components by weight %
    and densities; each component's particle volumes are matched to its share exactly by one
    common radius scale (≈1) after drawing the closest particle count.
    """
    cuts = (("lower_volume_cut", lower_volume_cut), ("upper_volume_cut", upper_volume_cut))
    for name, cut in cuts:
        if not 0.0 <= cut < 0.5:
            raise InputError(f"{name}={cut} is not allowed; expected a share in [0, 0.5)")
    guess = default_solid_fraction_guess(recipe) if solid_fraction_guess is None else float(
        solid_fraction_guess
    )
    if not 0.05 < guess <= 1.0:
        raise InputError(f"solid_fraction_guess={guess} is not allowed; expected (0.05, 1]")
    lx, ly, lz = recipe.simulation.box_um
    solid_um3 = guess * lx * ly * lz
    vpm = {c.name: c.weight_percent * _component_volume_per_mass(c) for c in recipe.components}
    vpm_total = sum(vpm.values())
    specs: list[ComponentSpec] = []
    drawn: list[_DrawnParticles] = []
    for index, comp in enumerate(recipe.components):
        volume = solid_um3 * vpm[comp.name] / vpm_total
        if comp.role == "coating":
            raise InputError(
                f"component {comp.name!r} has role 'coating'; give a buffer layer on the CAM "
                "component (Component.buffer) instead of a separate coating powder"
            )
        if comp.role in ("carbon", "binder"):
            specs.append(_placed_component(comp, volume))
            continue
        rng = np.random.default_rng([recipe.simulation.seed, index])
        spec, particles = _pressed_component(comp, index, volume, rng, min(lx, ly),
                                             lower_volume_cut, upper_volume_cut)
        specs.append(spec)
        drawn.append(particles)
    if not drawn:
        raise InputError(f"recipe {recipe.name!r} has no CAM or SSE component to press")
    return Powder(
        box_xy_um=(lx, ly),
        target_height_um=lz,
        solid_fraction_guess=guess,
        components=tuple(specs),
        radius_um=np.concatenate([d.radius_um for d in drawn]),
        component=np.concatenate([np.full(d.radius_um.size, d.index, np.int16) for d in drawn]),
        shell_thickness_um=np.concatenate([d.layer(d.shell_um) for d in drawn]),
        buffer_thickness_um=np.concatenate([d.layer(d.buffer_um) for d in drawn]),
        coverage=np.concatenate([d.layer(d.coverage) for d in drawn]),
        seed=recipe.simulation.seed,
        truncation={d.name: d.truncation for d in drawn},
    )


@dataclass(frozen=True)
class _DrawnParticles:
    """One pressed component's particles: outer radii (µm), layers and truncation report."""

    name: str
    index: int
    radius_um: np.ndarray
    shell_um: float
    buffer_um: float
    coverage: float
    truncation: dict

    def layer(self, value: float) -> np.ndarray:
        """A per-particle array of one of the component's uniform layer values."""
        return np.full(self.radius_um.size, value)


def _placed_component(comp: Component, volume_um3: float) -> ComponentSpec:
    """Spec of a carbon or binder component, placed into the pores after pressing."""
    mat = comp.resolved_material()
    targets = _component_material_volumes_um3(comp, volume_um3)
    placement, fd, fl, ad = _carbon_geometry(comp)
    psd = comp.psd if isinstance(comp.psd, LognormalPSD | TablePSD) else None
    return ComponentSpec(
        comp.name, comp.role, mat, mat.density_g_cm3,
        *_elastic_or_default(mat), *_elastic_or_default(mat), None, None, None,
        targets["core"], 0.0, 0.0, placement, fd, fl, ad, psd,
    )


def _pressed_component(
    comp: Component, index: int, volume_um3: float, rng: np.random.Generator, die_um: float,
    lower_volume_cut: float, upper_volume_cut: float,
) -> tuple[ComponentSpec, _DrawnParticles]:
    """Spec and drawn particles of a CAM or SSE component holding ``volume_um3`` of solid."""
    mat = comp.resolved_material()
    targets = _component_material_volumes_um3(comp, volume_um3)
    coverage = comp.shell.coverage if comp.shell else 1.0
    layer_est = (
        comp.buffer.thickness_nm * 1e-3 if comp.buffer else 0.0
    ) + (component_shell_thickness_um(comp) if comp.shell else 0.0)
    sizes, upper = _fitting_sizes(comp, lower_volume_cut, upper_volume_cut, die_um, layer_est)
    core_d = _draw_to_volume(sizes, rng, volume_um3, layer_est)
    core_r, buffer_um, shell_um = _fit_layers(comp, core_d, targets)
    core_v, buffer_v, shell_v = _layered_volumes(core_r, buffer_um, shell_um, coverage)
    e_core, nu_core = _elastic(mat, comp.name)
    e_s, nu_s, h_s = _surface_mechanics(comp)
    spec = ComponentSpec(
        comp.name, comp.role, mat, mat.density_g_cm3, e_core, nu_core, e_s, nu_s, h_s,
        comp.shell.resolved_material() if comp.shell else None,
        comp.buffer.resolved_material() if comp.buffer else None,
        core_v, buffer_v, shell_v, "particles",
    )
    truncation = {
        "particles": int(core_r.size),
        "d_min_um": float(sizes.d_lo),
        "d_max_um": float(sizes.d_hi),
        "volume_cut_below": lower_volume_cut,
        "volume_cut_above": upper,
        "number_cut_below": _number_share_below(comp.psd, sizes.d_lo),
        "radius_scale": float(2.0 * core_r[0] / core_d[0]),
        "shell_thickness_um": shell_um,
        "shell_thickness_recipe_um": component_shell_thickness_um(comp) if comp.shell else 0.0,
    }
    return spec, _DrawnParticles(comp.name, index, core_r + buffer_um + shell_um, shell_um,
                                 buffer_um, coverage if comp.shell else 0.0, truncation)


def _fitting_sizes(
    comp: Component, lower: float, upper: float, die_um: float, layer_um: float
) -> tuple[_SizeDistribution, float]:
    """Size sampler whose coarsest particles fit the die, and the upper volume cut used.

    Two touching particles must be closer than half the die width through one image, so the
    largest core diameter is kept below die/2 − 2·layer (SSE: die/2.6, allowing 30 % growth);
    the upper volume cut is raised to that size when needed (reported in the truncation).
    """
    sizes = _SizeDistribution(comp.psd, lower, upper)
    limit = die_um / (2.6 if comp.role == "SSE" else 2.0) - 2.0 * layer_um
    if sizes.d_hi <= limit:
        return sizes, upper
    needed = sizes.volume_share_above(limit) if limit > 0 else 1.0  # a box narrower than a layer
    if limit <= sizes.d_lo or needed > MAX_UPPER_CUT:
        raise InputError(
            f"component {comp.name!r}: simulation.box_um lateral size {die_um:g} µm is too small "
            f"for its particles (D50 {comp.psd.d50_um:g} µm); it would need cutting "
            f"{100 * needed:.0f} % of the volume; enlarge the box to at least "
            f"{2.0 * (sizes.d_hi + 2 * layer_um):.3g} µm"
        )
    return _SizeDistribution(comp.psd, lower, needed), needed


def _elastic_or_default(mat) -> tuple[float, float]:
    return (
        float(mat.youngs_modulus_gpa) if mat.youngs_modulus_gpa else 10.0,
        float(mat.poisson_ratio) if mat.poisson_ratio is not None else 0.2,
    )


def _number_share_below(psd: LognormalPSD | TablePSD, d_um: float) -> float:
    """Share of particles (by number) smaller than ``d_um`` in the untruncated distribution."""
    if d_um <= 0:
        return 0.0
    if isinstance(psd, LognormalPSD):
        mu, s = _number_lognormal(psd)
        return float(ndtr((math.log(d_um) - mu) / s)) if s > 0 else float(d_um > math.exp(mu))
    full = _SizeDistribution(psd, 0.0, 0.0)
    return float(np.interp(math.log(d_um), full._edges, full._num_cdf))
