"""Closed-form relations of the papers: fractions, densities, shells, transport, capacity, energy.

Units are in the names. Paper numbers refer to ``/work/shared/papers``: 002 is Kim et al.,
Nano-Micro Lett. 2025 (core–shell AM@SE, Eqs. 1–5); 004 is Doerrer et al., ACS AMI 2021.
Bad numbers raise :class:`cathodetwin.errors.InputError` naming the parameter, the value and
what is allowed.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Mapping
from dataclasses import asdict, dataclass

import numpy as np
from scipy.optimize import brentq

from cathodetwin.errors import InputError
from cathodetwin.psd import LognormalPSD, TablePSD
from cathodetwin.recipe import Component, Recipe

# Densities of the stack layers that are not in a recipe (CRC Handbook, 20 °C).
LI_DENSITY_G_CM3 = 0.534
ALUMINIUM_DENSITY_G_CM3 = 2.70
COPPER_DENSITY_G_CM3 = 8.96
LI_SPECIFIC_CAPACITY_MAH_G = 3860.0  # F / (3.6 · M_Li)

# Recipe component role -> Microstructure role of each part of a (coated) particle.
_PART_ROLE = {"core": None, "buffer": "coating", "shell": "shell"}


def _positive(name: str, value: float) -> float:
    if not (isinstance(value, numbers.Real) and math.isfinite(value) and value > 0):
        raise InputError(f"{name}={value!r} is not allowed; expected a finite number > 0")
    return float(value)


def _non_negative(name: str, value: float) -> float:
    if not (isinstance(value, numbers.Real) and math.isfinite(value) and value >= 0):
        raise InputError(f"{name}={value!r} is not allowed; expected a finite number >= 0")
    return float(value)


def _in_range(name: str, value: float, low: float, high: float, low_open: bool = False) -> float:
    ok = isinstance(value, numbers.Real) and math.isfinite(value)
    ok = ok and (value > low if low_open else value >= low) and value <= high
    if not ok:
        bracket = "(" if low_open else "["
        raise InputError(
            f"{name}={value!r} is not allowed; expected a number in {bracket}{low}, {high}]"
        )
    return float(value)


# ---------------------------------------------------------------------------------------------
# Mass, volume and density
# ---------------------------------------------------------------------------------------------


def volume_fractions(
    weight_percents: Mapping[str, float], densities_g_cm3: Mapping[str, float]
) -> dict[str, float]:
    """Solid volume fractions (sum 1) from weight % and densities (g/cm³): φ_i ∝ w_i/ρ_i.

    Nominal volume fractions V_i of paper 002's Eq. 3 (Kim et al. 2025).
    """
    missing = sorted(set(weight_percents) - set(densities_g_cm3))
    if missing:
        raise InputError(f"densities_g_cm3 lacks {missing}; give a density for every component")
    if not weight_percents:
        raise InputError("weight_percents is empty; give at least one component")
    volumes = {
        k: _non_negative(f"weight_percents[{k!r}]", w)
        / _positive(f"densities_g_cm3[{k!r}]", densities_g_cm3[k])
        for k, w in weight_percents.items()
    }
    total = sum(volumes.values())
    if total <= 0:
        raise InputError(f"weight_percents={dict(weight_percents)} sum to 0; expected > 0")
    return {k: v / total for k, v in volumes.items()}


def weight_percents_from_volume_fractions(
    fractions: Mapping[str, float], densities_g_cm3: Mapping[str, float]
) -> dict[str, float]:
    """Weight % (sum 100) from solid volume fractions and densities (g/cm³): w_i ∝ φ_i·ρ_i."""
    missing = sorted(set(fractions) - set(densities_g_cm3))
    if missing:
        raise InputError(f"densities_g_cm3 lacks {missing}; give a density for every component")
    masses = {
        k: _non_negative(f"fractions[{k!r}]", f)
        * _positive(f"densities_g_cm3[{k!r}]", densities_g_cm3[k])
        for k, f in fractions.items()
    }
    total = sum(masses.values())
    if total <= 0:
        raise InputError(f"fractions={dict(fractions)} sum to 0; expected > 0")
    return {k: 100.0 * m / total for k, m in masses.items()}


def theoretical_density_g_cm3(
    weight_percents: Mapping[str, float], densities_g_cm3: Mapping[str, float]
) -> float:
    """Pore-free density of a mix (g/cm³): ρ_th = Σw_i / Σ(w_i/ρ_i), as in 002 Fig. 5a."""
    missing = sorted(set(weight_percents) - set(densities_g_cm3))
    if missing:
        raise InputError(f"densities_g_cm3 lacks {missing}; give a density for every component")
    mass = sum(_non_negative(f"weight_percents[{k!r}]", w) for k, w in weight_percents.items())
    volume = sum(
        w / _positive(f"densities_g_cm3[{k!r}]", densities_g_cm3[k])
        for k, w in weight_percents.items()
    )
    if mass <= 0:
        raise InputError(f"weight_percents={dict(weight_percents)} sum to 0; expected > 0")
    return mass / volume


def porosity_from_measured_volume(v_meas_cm3: float, v_theo_cm3: float) -> float:
    """Porosity Φ = (V_meas − V_theo)/V_meas (paper 002, Eq. 2); volumes in cm³."""
    v_meas = _positive("v_meas_cm3", v_meas_cm3)
    v_theo = _positive("v_theo_cm3", v_theo_cm3)
    if v_theo > v_meas:
        raise InputError(
            f"v_theo_cm3={v_theo_cm3} exceeds v_meas_cm3={v_meas_cm3}; the pore-free volume "
            "must not exceed the measured one"
        )
    return (v_meas - v_theo) / v_meas


def real_volume_fractions(
    nominal_fractions: Mapping[str, float], porosity: float
) -> dict[str, float]:
    """Real volume fractions Φ_i = (1 − Φ_porosity)·V_i (paper 002, Eq. 3); they sum to 1 − Φ."""
    p = _in_range("porosity", porosity, 0.0, 1.0)
    if p >= 1.0:
        raise InputError(f"porosity={porosity} is not allowed; expected a number in [0, 1)")
    return {
        k: (1.0 - p) * _non_negative(f"nominal_fractions[{k!r}]", v)
        for k, v in nominal_fractions.items()
    }


def electrode_density_g_cm3(areal_loading_mg_cm2: float, thickness_um: float) -> float:
    """Electrode density (g/cm³) = areal mass / thickness (paper 002, Fig. 5a)."""
    loading = _positive("areal_loading_mg_cm2", areal_loading_mg_cm2)
    return loading * 1e-3 / (_positive("thickness_um", thickness_um) * 1e-4)


def porosity_from_density(density_g_cm3: float, theoretical_density: float) -> float:
    """Porosity 1 − ρ/ρ_th of an electrode from its density and pore-free density (g/cm³)."""
    rho = _positive("density_g_cm3", density_g_cm3)
    rho_th = _positive("theoretical_density", theoretical_density)
    if rho > rho_th:
        raise InputError(
            f"density_g_cm3={density_g_cm3} exceeds the theoretical density {rho_th:.4g}; "
            "an electrode cannot be denser than its pore-free solid"
        )
    return 1.0 - rho / rho_th


# ---------------------------------------------------------------------------------------------
# Core–shell particles
# ---------------------------------------------------------------------------------------------


def shell_thickness_um(
    core_radius_um: float,
    shell_weight_percent: float,
    core_density_g_cm3: float,
    shell_density_g_cm3: float,
    coverage: float = 1.0,
) -> float:
    """Shell thickness (µm) on a spherical core from the shell's wt% of the coated particle.

    Exact concentric geometry: the shell volume per particle is
    m_s/ρ_s = c·(4π/3)·((r + t)³ − r³) with m_s/m_c = w/(100 − w). With coverage c < 1 the shell
    material covers only a share c of the surface (a spherical-cap patch of uniform thickness),
    so for the same mass it is thicker: t = r·((1 + R/c)^(1/3) − 1), R = w/(100−w)·ρ_c/ρ_s.
    For 002's NCM811:LPSCl 95:5, r = 3.75 µm, ρ 4.8/1.64 g/cm³, c = 1 this gives 183 nm
    (paper 002 reports 181 nm from Eq. 1 and 184 nm from FIB-SEM).
    """
    r = _positive("core_radius_um", core_radius_um)
    w = _in_range("shell_weight_percent", shell_weight_percent, 0.0, 100.0)
    if w >= 100.0:
        raise InputError(f"shell_weight_percent={w} is not allowed; expected a number in [0, 100)")
    c = _in_range("coverage", coverage, 0.0, 1.0, low_open=True)
    volume_ratio = (
        (w / (100.0 - w))
        * _positive("core_density_g_cm3", core_density_g_cm3)
        / (_positive("shell_density_g_cm3", shell_density_g_cm3))
    )
    return r * ((1.0 + volume_ratio / c) ** (1.0 / 3.0) - 1.0)


SURFACE_ROUGHNESS_UM = 0.2646  # mean asperity height of NCM secondary particles (see below)


def shell_coverage_from_roughness(
    equivalent_thickness_um: float, roughness_um: float = SURFACE_ROUGHNESS_UM
) -> float:
    """Covered surface share of a thin shell on a rough CAM particle: 1 − exp(−t/h).

    A secondary particle's surface is bumpy with primary particles; with asperity heights
    exponentially distributed (mean h, µm) a shell of equivalent (full-coverage) thickness t
    fills the valleys first and leaves the tops higher than t bare (paper 002: "thin SE layer
    cannot entirely cover the rough surface of NCM primary particles"). h = 0.2646 µm makes
    paper 002's 95:5 shell (183 nm on a 3.75 µm core) half-covered, as paper 002 assumes; it is
    about half the size of NCM811 primary particles.
    """
    t = _non_negative("equivalent_thickness_um", equivalent_thickness_um)
    h = _positive("roughness_um", roughness_um)
    return 1.0 - math.exp(-t / h)


def shell_weight_percent(
    core_radius_um: float,
    thickness_um: float,
    core_density_g_cm3: float,
    shell_density_g_cm3: float,
    coverage: float = 1.0,
) -> float:
    """Shell wt% of the coated particle from its thickness (µm); inverse of shell_thickness_um."""
    r = _positive("core_radius_um", core_radius_um)
    t = _non_negative("thickness_um", thickness_um)
    c = _in_range("coverage", coverage, 0.0, 1.0, low_open=True)
    mass_ratio = (
        c
        * ((1.0 + t / r) ** 3 - 1.0)
        * _positive("shell_density_g_cm3", shell_density_g_cm3)
        / _positive("core_density_g_cm3", core_density_g_cm3)
    )
    return 100.0 * mass_ratio / (1.0 + mass_ratio)


def shell_thickness_eq1_um(
    core_radius_um: float,
    weight_ratio_shell_to_core: float,
    core_density_g_cm3: float,
    shell_density_g_cm3: float,
    glitter_cake_half: bool = True,
) -> float:
    """Shell thickness (µm) from paper 002's Eq. 1 exactly as printed.

    Eq. 1: [(4/3)π(r+x)³ − (4/3)π(r−x)³] / [(4/3)π r³] = (W_LPSCl/W_NCM)·(ρ_NCM/ρ_LPSCl),
    with x "the shell thickness divided by 2", i.e. 6u + 2u³ = R with u = x/r, solved exactly
    (Cardano: the cubic has one real root). The thickness is 2x; with ``glitter_cake_half`` the
    paper's "half-covered glitter-cake" step ("used half of the thickness value") halves it,
    returning x. For r = 3.75 µm, ρ 4.8/1.64 g/cm³ this gives 2x = 192.5 nm (halved 96.3 nm)
    for 95:5 and 2x = 1209 nm (halved 604.5 nm) for 75:25; the paper prints 181 and 880 nm,
    which neither reading reproduces. Use :func:`shell_thickness_um` for the exact geometry.
    """
    r = _positive("core_radius_um", core_radius_um)
    ratio = _non_negative("weight_ratio_shell_to_core", weight_ratio_shell_to_core)
    rhs = (
        ratio
        * _positive("core_density_g_cm3", core_density_g_cm3)
        / _positive("shell_density_g_cm3", shell_density_g_cm3)
    )
    # u³ + 3u − rhs/2 = 0  ->  u = cbrt(q + √(q² + 1)) + cbrt(q − √(q² + 1)), q = rhs/4
    q = rhs / 4.0
    s = math.sqrt(q * q + 1.0)
    u = float(np.cbrt(q + s) + np.cbrt(q - s))
    thickness = 2.0 * u * r
    return thickness / 2.0 if glitter_cake_half else thickness


def _number_radius_moments_um(psd: LognormalPSD | TablePSD) -> tuple[float, float, float]:
    """Number-weighted moments E[r], E[r²], E[r³] of the particle radius (µm, µm², µm³)."""
    if isinstance(psd, LognormalPSD):
        cmd, s = psd.number_median_um(), psd.sigma_ln
        return tuple(  # type: ignore[return-value]
            (cmd / 2.0) ** k * math.exp(0.5 * k * k * s * s) for k in (1, 2, 3)
        )
    sizes = np.asarray(psd.sizes_um, dtype=float)
    cum = np.asarray(psd.cumulative, dtype=float)
    # Point mass at the first size, then each interval at its geometric-mean diameter.
    d = np.concatenate([[sizes[0]], np.sqrt(sizes[1:] * sizes[:-1])])
    share = np.concatenate([[cum[0]], np.diff(cum)])
    weight = share / d**3 if psd.basis == "volume" else share
    weight = weight / weight.sum()
    r = d / 2.0
    return tuple(float(np.sum(weight * r**k)) for k in (1, 2, 3))  # type: ignore[return-value]


def _mean_shell_volume_um3(
    moments: tuple[float, float, float], inner_um: float, t_um: float
) -> float:
    """E[(r+a+t)³ − (r+a)³] (µm³, the 4π/3 left out) over the size distribution; a in µm."""
    m1, m2, m3 = moments

    def cube(a: float) -> float:
        return m3 + 3.0 * a * m2 + 3.0 * a * a * m1 + a**3

    return cube(inner_um + t_um) - cube(inner_um)


def _split_for_thickness(
    moments: tuple[float, float, float],
    densities: tuple[float, float, float],
    buffer_um: float,
    shell_um: float,
    coverage: float,
) -> dict[str, float]:
    rho_core, rho_buffer, rho_shell = densities
    core = rho_core * moments[2]
    buffer = rho_buffer * _mean_shell_volume_um3(moments, 0.0, buffer_um)
    shell = rho_shell * coverage * _mean_shell_volume_um3(moments, buffer_um, shell_um)
    total = core + buffer + shell
    return {"core": core / total, "buffer": buffer / total, "shell": shell / total}


def _component_geometry(
    component: Component,
) -> tuple[tuple[float, float, float], tuple[float, float, float], float, float]:
    if component.shell is None and component.buffer is None:
        raise InputError(f"component {component.name!r} has no shell or buffer layer")
    if not isinstance(component.psd, LognormalPSD | TablePSD):
        raise InputError(
            f"component {component.name!r}: a coated CAM needs a lognormal or table psd for its "
            f"cores, got {type(component.psd).__name__}"
        )
    moments = _number_radius_moments_um(component.psd)
    rho_core = _positive(
        f"{component.name}.density_g_cm3", component.resolved_material().density_g_cm3
    )
    rho_buffer = (component.buffer.resolved_material().density_g_cm3 if component.buffer
                  else 1.0)
    rho_shell = component.shell.resolved_material().density_g_cm3 if component.shell else 1.0
    buffer_um = component.buffer.thickness_nm * 1e-3 if component.buffer else 0.0
    coverage = component.shell.coverage if component.shell else 1.0
    return moments, (rho_core, rho_buffer, rho_shell), buffer_um, coverage


def component_shell_thickness_um(component: Component) -> float:
    """One shell thickness (µm) for all cores of a core–shell recipe component.

    Given as thickness: returned as is. Given as wt% of the coated particle (core + buffer +
    shell): the uniform thickness t whose total shell mass over the core size distribution
    (number-weighted radius moments, Hatch–Choate for lognormal) gives that wt%, the shell
    sitting on the buffer layer and covering a share ``coverage`` of the surface. To first order
    in t/r this is the concentric formula at the Sauter-mean core radius r₃₂ = D[3,2]/2, and it is
    exactly :func:`shell_thickness_um` for monodisperse cores. The component's ``psd`` describes
    the uncoated cores.
    """
    if component.shell is None:
        raise InputError(f"component {component.name!r} has no shell; nothing to compute")
    if component.shell.thickness_um is not None:
        return component.shell.thickness_um
    moments, densities, buffer_um, coverage = _component_geometry(component)
    target = component.shell.weight_percent / 100.0

    def excess(t: float) -> float:
        return _split_for_thickness(moments, densities, buffer_um, t, coverage)["shell"] - target

    hi = moments[0]
    while excess(hi) < 0.0:
        hi *= 2.0
    return float(brentq(excess, 0.0, hi, xtol=1e-12, rtol=1e-12))


def component_mass_split(component: Component) -> dict[str, float]:
    """Mass shares (sum 1) of core, buffer and shell material in a recipe component's particles.

    Uncoated components are all core. The buffer (thickness in nm, full coverage) sits on the
    core; the shell on the buffer. Mass is summed over the core size distribution.
    """
    if component.shell is None and component.buffer is None:
        return {"core": 1.0, "buffer": 0.0, "shell": 0.0}
    moments, densities, buffer_um, coverage = _component_geometry(component)
    shell_um = component_shell_thickness_um(component) if component.shell else 0.0
    return _split_for_thickness(moments, densities, buffer_um, shell_um, coverage)


def _recipe_parts(recipe: Recipe) -> list[tuple[str, str, float, float]]:
    """(material, microstructure role, weight %, density g/cm³) of every material in the mix."""
    parts = []
    for comp in recipe.components:
        split = component_mass_split(comp)
        layers = {"core": comp, "buffer": comp.buffer, "shell": comp.shell}
        for part, share in split.items():
            if share <= 0.0:
                continue
            layer = layers[part]
            density = layer.resolved_material().density_g_cm3  # type: ignore[union-attr]
            role = _PART_ROLE[part] or comp.role
            parts.append(
                (
                    layer.material,  # type: ignore[union-attr]
                    role,
                    comp.weight_percent * share,
                    _positive(f"{comp.name}.{part}.density_g_cm3", density),
                )
            )
    return parts


def recipe_material_weight_percents(recipe: Recipe) -> dict[str, float]:
    """Weight % (sum 100) of each library material in the mix, shells and buffers split out."""
    out: dict[str, float] = {}
    for material, _, w, _ in _recipe_parts(recipe):
        out[material] = out.get(material, 0.0) + w
    return out


def recipe_volume_fractions(recipe: Recipe) -> dict[str, float]:
    """Solid volume fraction (sum 1) of each library material, with per-component overrides."""
    volumes: dict[str, float] = {}
    for material, _, w, rho in _recipe_parts(recipe):
        volumes[material] = volumes.get(material, 0.0) + w / rho
    total = sum(volumes.values())
    return {k: v / total for k, v in volumes.items()}


def recipe_role_volume_fractions(recipe: Recipe) -> dict[str, float]:
    """Solid volume fraction (sum 1) per Microstructure role: CAM, SSE, shell, coating, carbon…"""
    volumes: dict[str, float] = {}
    for _, role, w, rho in _recipe_parts(recipe):
        volumes[role] = volumes.get(role, 0.0) + w / rho
    total = sum(volumes.values())
    return {k: v / total for k, v in volumes.items()}


def recipe_theoretical_density_g_cm3(recipe: Recipe) -> float:
    """Pore-free density of the recipe's mix (g/cm³), shells and buffers included."""
    parts = _recipe_parts(recipe)
    return sum(w for _, _, w, _ in parts) / sum(w / rho for _, _, w, rho in parts)


# ---------------------------------------------------------------------------------------------
# Transport
# ---------------------------------------------------------------------------------------------


def conductivity_from_resistance_s_cm(
    thickness_um: float, resistance_ohm: float, area_cm2: float
) -> float:
    """Effective conductivity σ = L/(R·A) in S/cm (paper 002, Eq. 4); L in µm, A in cm²."""
    length_cm = _positive("thickness_um", thickness_um) * 1e-4
    return length_cm / (
        _positive("resistance_ohm", resistance_ohm) * _positive("area_cm2", area_cm2)
    )


def tortuosity_squared(sigma0_s_cm: float, phase_fraction: float, sigma_eff_s_cm: float) -> float:
    """Tortuosity factor τ² = σ₀·φ/σ_eff (paper 002, Eq. 5); conductivities in S/cm."""
    sigma0 = _positive("sigma0_s_cm", sigma0_s_cm)
    phi = _in_range("phase_fraction", phase_fraction, 0.0, 1.0, low_open=True)
    return sigma0 * phi / _positive("sigma_eff_s_cm", sigma_eff_s_cm)


def bruggeman_sigma_eff(sigma0_s_cm: float, phase_fraction: float, exponent: float = 1.5) -> float:
    """Bruggeman estimate σ_eff = σ₀·φ^α (S/cm), α = 1.5 for spheres (Bruggeman, Ann. Phys. 1935).

    Equivalent to τ² = φ^(1−α) in Eq. 5 of paper 002.
    """
    sigma0 = _non_negative("sigma0_s_cm", sigma0_s_cm)
    phi = _in_range("phase_fraction", phase_fraction, 0.0, 1.0)
    alpha = _in_range("exponent", exponent, 1.0, 10.0)
    return sigma0 * phi**alpha


# ---------------------------------------------------------------------------------------------
# Capacity and energy
# ---------------------------------------------------------------------------------------------


def specific_capacity_mah_g(cam_weight_percent: float, cam_specific_capacity_mah_g: float) -> float:
    """Capacity per gram of composite (mAh/g) = CAM wt% × CAM specific capacity."""
    w = _in_range("cam_weight_percent", cam_weight_percent, 0.0, 100.0, low_open=True)
    return w / 100.0 * _non_negative("cam_specific_capacity_mah_g", cam_specific_capacity_mah_g)


def areal_capacity_mah_cm2(
    areal_loading_mg_cm2: float, cam_weight_percent: float, cam_specific_capacity_mah_g: float
) -> float:
    """Areal capacity (mAh/cm²) of a composite loading (mg/cm²) with the given CAM wt%."""
    loading = _positive("areal_loading_mg_cm2", areal_loading_mg_cm2)
    return loading * 1e-3 * specific_capacity_mah_g(cam_weight_percent, cam_specific_capacity_mah_g)


def li_thickness_for_capacity_um(areal_capacity_mah_cm2: float, excess: float = 1.0) -> float:
    """Li metal thickness (µm) holding ``excess`` × the areal capacity (0.206 mAh/cm² per µm)."""
    q = _non_negative("areal_capacity_mah_cm2", areal_capacity_mah_cm2)
    n_p = _positive("excess", excess)
    return q * n_p / (LI_DENSITY_G_CM3 * LI_SPECIFIC_CAPACITY_MAH_G * 1e-4)


@dataclass(frozen=True)
class CathodeEnergy:
    """Capacity and energy of a composite cathode layer (units in the names)."""

    thickness_um: float
    areal_loading_mg_cm2: float
    density_g_cm3: float
    cam_weight_percent: float
    cam_specific_capacity_mah_g: float
    average_voltage_v: float
    specific_capacity_mah_g: float  # per g of composite
    areal_capacity_mah_cm2: float
    areal_energy_mwh_cm2: float
    gravimetric_energy_wh_kg: float  # per kg of composite
    volumetric_energy_wh_l: float  # per L of composite layer

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


def cathode_energy_density(
    areal_loading_mg_cm2: float,
    thickness_um: float,
    cam_weight_percent: float,
    cam_specific_capacity_mah_g: float,
    average_voltage_v: float,
) -> CathodeEnergy:
    """Gravimetric (Wh/kg) and volumetric (Wh/L) energy of the composite cathode layer alone.

    E_areal = loading·w_CAM·q_CAM·U (mWh/cm²); per mass divides by the loading, per volume by
    the thickness (paper 001 Fig. 2d and paper 002 Fig. 5b use these definitions).
    """
    loading = _positive("areal_loading_mg_cm2", areal_loading_mg_cm2)
    t = _positive("thickness_um", thickness_um)
    u = _positive("average_voltage_v", average_voltage_v)
    q_areal = areal_capacity_mah_cm2(loading, cam_weight_percent, cam_specific_capacity_mah_g)
    e_areal = q_areal * u
    return CathodeEnergy(
        thickness_um=t,
        areal_loading_mg_cm2=loading,
        density_g_cm3=electrode_density_g_cm3(loading, t),
        cam_weight_percent=cam_weight_percent,
        cam_specific_capacity_mah_g=cam_specific_capacity_mah_g,
        average_voltage_v=u,
        specific_capacity_mah_g=specific_capacity_mah_g(
            cam_weight_percent, cam_specific_capacity_mah_g
        ),
        areal_capacity_mah_cm2=q_areal,
        areal_energy_mwh_cm2=e_areal,
        gravimetric_energy_wh_kg=e_areal / (loading * 1e-3),
        volumetric_energy_wh_l=e_areal / (t * 1e-4),
    )


@dataclass(frozen=True)
class StackEnergy:
    """Energy of one cell stack unit: cathode, separator, Li and current collectors."""

    areal_energy_mwh_cm2: float
    thickness_um: float
    areal_mass_mg_cm2: float
    gravimetric_energy_wh_kg: float
    volumetric_energy_wh_l: float
    layer_thickness_um: dict[str, float]
    layer_mass_mg_cm2: dict[str, float]

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


def stack_energy_density(
    areal_capacity_mah_cm2: float,
    average_voltage_v: float,
    cathode_thickness_um: float,
    cathode_areal_mass_mg_cm2: float,
    li_thickness_um: float = 30.0,
    separator_thickness_um: float = 30.0,
    separator_density_g_cm3: float = 1.64,
    cathode_collector_thickness_um: float = 0.0,
    anode_collector_thickness_um: float = 0.0,
    cathode_collector_density_g_cm3: float = ALUMINIUM_DENSITY_G_CM3,
    anode_collector_density_g_cm3: float = COPPER_DENSITY_G_CM3,
    li_density_g_cm3: float = LI_DENSITY_G_CM3,
) -> StackEnergy:
    """Gravimetric (Wh/kg) and volumetric (Wh/L) energy of a single-sided stack unit.

    Energy = Q·U over the summed thickness and areal mass of cathode, separator (dense, density
    given), Li metal and current collectors (Al 2.70, Cu 8.96 g/cm³ by default). Defaults follow
    paper 002 (30 µm Li, 30 µm separator, collectors not counted); paper 004 used a 20 µm
    separator and counted Li foil and collectors. Double-sided designs: give half collectors.
    """
    q = _non_negative("areal_capacity_mah_cm2", areal_capacity_mah_cm2)
    u = _positive("average_voltage_v", average_voltage_v)
    thickness = {
        "cathode": _positive("cathode_thickness_um", cathode_thickness_um),
        "separator": _non_negative("separator_thickness_um", separator_thickness_um),
        "li": _non_negative("li_thickness_um", li_thickness_um),
        "cathode_collector": _non_negative(
            "cathode_collector_thickness_um", cathode_collector_thickness_um
        ),
        "anode_collector": _non_negative(
            "anode_collector_thickness_um", anode_collector_thickness_um
        ),
    }
    density = {
        "separator": _positive("separator_density_g_cm3", separator_density_g_cm3),
        "li": _positive("li_density_g_cm3", li_density_g_cm3),
        "cathode_collector": _positive(
            "cathode_collector_density_g_cm3", cathode_collector_density_g_cm3
        ),
        "anode_collector": _positive(
            "anode_collector_density_g_cm3", anode_collector_density_g_cm3
        ),
    }
    mass = {"cathode": _positive("cathode_areal_mass_mg_cm2", cathode_areal_mass_mg_cm2)}
    mass |= {k: thickness[k] * 1e-4 * rho * 1e3 for k, rho in density.items()}
    e_areal = q * u
    total_um = sum(thickness.values())
    total_mg = sum(mass.values())
    return StackEnergy(
        areal_energy_mwh_cm2=e_areal,
        thickness_um=total_um,
        areal_mass_mg_cm2=total_mg,
        gravimetric_energy_wh_kg=e_areal / (total_mg * 1e-3),
        volumetric_energy_wh_l=e_areal / (total_um * 1e-4),
        layer_thickness_um=thickness,
        layer_mass_mg_cm2=mass,
    )


@dataclass(frozen=True)
class RecipeCAM:
    """Capacity-relevant CAM content of a recipe: wt% of composite, capacity, mean voltage."""

    cam_weight_percent: float
    cam_specific_capacity_mah_g: float
    average_voltage_v: float

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


def recipe_cam(recipe: Recipe) -> RecipeCAM:
    """CAM core wt% in the composite, mass-averaged capacity (mAh/g) and capacity-averaged voltage.

    Shell and buffer mass count as composite, not CAM; capacities and voltages come from the
    library with each component's overrides.
    """
    cams = recipe.components_with_role("CAM")
    if not cams:
        raise InputError(f"recipe {recipe.name!r} has no CAM component; cannot compute capacity")
    w_total = q_total = e_total = 0.0
    for comp in cams:
        mat = comp.resolved_material()
        for prop in ("specific_capacity_mah_g", "average_voltage_v"):
            if getattr(mat, prop) is None:
                raise InputError(
                    f"component {comp.name!r}: material {mat.name!r} has no {prop}; "
                    f"set it in the component's overrides"
                )
        w = comp.weight_percent * component_mass_split(comp)["core"]
        w_total += w
        q_total += w * mat.specific_capacity_mah_g
        e_total += w * mat.specific_capacity_mah_g * mat.average_voltage_v
    return RecipeCAM(
        cam_weight_percent=w_total,
        cam_specific_capacity_mah_g=q_total / w_total,
        average_voltage_v=e_total / q_total,
    )


@dataclass(frozen=True)
class ElectrodeGeometry:
    """Thickness (µm), areal loading (mg/cm²), density and porosity of a recipe's electrode."""

    thickness_um: float
    areal_loading_mg_cm2: float
    density_g_cm3: float
    theoretical_density_g_cm3: float
    porosity: float

    def to_dict(self) -> dict:
        """JSON-serialisable record."""
        return asdict(self)


def recipe_electrode_geometry(recipe: Recipe, porosity: float | None = None) -> ElectrodeGeometry:
    """Complete the electrode's thickness / loading / porosity from what the recipe gives.

    Thickness and loading both given: the density and porosity follow (``porosity`` must then
    be None). Only one given: ``porosity`` is required and the other follows from
    ρ = ρ_th·(1 − porosity).
    """
    rho_th = recipe_theoretical_density_g_cm3(recipe)
    t, loading = recipe.electrode.thickness_um, recipe.electrode.areal_loading_mg_cm2
    if t is not None and loading is not None:
        if porosity is not None:
            raise InputError(
                f"porosity={porosity} is not allowed here: the recipe gives both thickness_um and "
                "areal_loading_mg_cm2, which fix the porosity; leave porosity unset"
            )
        rho = electrode_density_g_cm3(loading, t)
        return ElectrodeGeometry(t, loading, rho, rho_th, porosity_from_density(rho, rho_th))
    if porosity is None:
        raise InputError(
            "porosity=None is not allowed: the recipe gives only one of electrode.thickness_um "
            "and electrode.areal_loading_mg_cm2; give a porosity in [0, 1)"
        )
    p = _in_range("porosity", porosity, 0.0, 1.0)
    if p >= 1.0:
        raise InputError(f"porosity={porosity} is not allowed; expected a number in [0, 1)")
    rho = rho_th * (1.0 - p)
    if t is not None:
        return ElectrodeGeometry(t, rho * t * 1e-4 * 1e3, rho, rho_th, p)
    return ElectrodeGeometry(loading / 1e3 / rho * 1e4, loading, rho, rho_th, p)


def recipe_cathode_energy(
    recipe: Recipe, porosity: float | None = None, utilization: float = 1.0
) -> CathodeEnergy:
    """Cathode-layer energy of a recipe at library capacity × ``utilization`` (0–1]."""
    geom = recipe_electrode_geometry(recipe, porosity)
    cam = recipe_cam(recipe)
    util = _in_range("utilization", utilization, 0.0, 1.0, low_open=True)
    return cathode_energy_density(
        geom.areal_loading_mg_cm2,
        geom.thickness_um,
        cam.cam_weight_percent,
        cam.cam_specific_capacity_mah_g * util,
        cam.average_voltage_v,
    )
