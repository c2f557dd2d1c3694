"""Normal contact laws of spheres: Hertz (elastic) and Thornton elastic–perfectly-plastic.

Units: lengths in µm, moduli and pressures in MPa, forces in µN (MPa·µm² = µN), stiffness in
µN/µm. All functions are numba-compiled scalars used inside the force kernels.

Thornton (1997) / Thornton & Ning (1998), with the limiting contact pressure p_y taken as the
indentation hardness (mean pressure under a fully plastic contact):
- elastic up to δ_y = R*(π p_y / 2E*)² where the Hertz peak pressure reaches p_y;
- loading beyond: F = F_y + π p_y R* (δ − δ_y), so F/(π R* δ) → p_y;
- unloading/reloading below δ_max: Hertz with the flattened radius R_p = R*·F_e(δ_max)/F_max
  about the plastic overlap δ_p = δ_max·(1 − F_max/F_e(δ_max)), F_e the Hertz force;
  F = 0 for δ ≤ δ_p (the permanent flattening stays).
"""

from __future__ import annotations

import math

from numba import njit


@njit(cache=True)
def effective_modulus_mpa(e1_mpa: float, nu1: float, e2_mpa: float, nu2: float) -> float:
    """Contact modulus E* = 1 / ((1−ν₁²)/E₁ + (1−ν₂²)/E₂) in MPa."""
    return 1.0 / ((1.0 - nu1 * nu1) / e1_mpa + (1.0 - nu2 * nu2) / e2_mpa)


@njit(cache=True)
def effective_radius_um(r1_um: float, r2_um: float) -> float:
    """Effective radius R* = r₁r₂/(r₁+r₂) in µm (r₂ = inf for a plane: pass r₂ <= 0)."""
    if r2_um <= 0.0:
        return r1_um
    return r1_um * r2_um / (r1_um + r2_um)


@njit(cache=True)
def hertz_force(overlap_um: float, e_star_mpa: float, r_star_um: float) -> tuple[float, float]:
    """Hertz normal force (µN) F = 4/3 E* √R* δ^(3/2) and stiffness dF/dδ (µN/µm)."""
    if overlap_um <= 0.0:
        return 0.0, 0.0
    a = math.sqrt(r_star_um * overlap_um)
    return 4.0 / 3.0 * e_star_mpa * a * overlap_um, 2.0 * e_star_mpa * a


@njit(cache=True)
def yield_overlap_um(e_star_mpa: float, r_star_um: float, p_y_mpa: float) -> float:
    """Overlap (µm) at which the Hertz peak pressure reaches the limiting pressure p_y."""
    q = math.pi * p_y_mpa / (2.0 * e_star_mpa)
    return r_star_um * q * q


@njit(cache=True)
def plastic_loading_force(
    overlap_um: float, e_star_mpa: float, r_star_um: float, p_y_mpa: float
) -> tuple[float, float]:
    """Force (µN) and stiffness (µN/µm) on the Thornton loading curve at overlap δ (µm)."""
    dy = yield_overlap_um(e_star_mpa, r_star_um, p_y_mpa)
    if overlap_um <= dy:
        return hertz_force(overlap_um, e_star_mpa, r_star_um)
    fy = hertz_force(dy, e_star_mpa, r_star_um)[0]
    k = math.pi * p_y_mpa * r_star_um
    return fy + k * (overlap_um - dy), k


@njit(cache=True)
def thornton_force(
    overlap_um: float, max_overlap_um: float, e_star_mpa: float, r_star_um: float, p_y_mpa: float
) -> tuple[float, float, float, float]:
    """Elastic–perfectly-plastic normal contact.

    Returns (force µN, stiffness µN/µm, new max overlap µm, plastic overlap µm). A new
    maximum loads along the plastic curve; below the maximum the contact unloads elastically.
    """
    if overlap_um >= max_overlap_um:
        f, k = plastic_loading_force(overlap_um, e_star_mpa, r_star_um, p_y_mpa)
        dmax = overlap_um
    else:
        dmax = max_overlap_um
        f = -1.0
        k = 0.0
    fe_max = hertz_force(dmax, e_star_mpa, r_star_um)[0]
    fmax = plastic_loading_force(dmax, e_star_mpa, r_star_um, p_y_mpa)[0]
    if fe_max <= 0.0 or fmax >= fe_max:  # never yielded: elastic
        if f < 0.0:
            f, k = hertz_force(overlap_um, e_star_mpa, r_star_um)
        return f, k, dmax, 0.0
    plastic = dmax * (1.0 - fmax / fe_max)
    if f < 0.0:
        r_p = r_star_um * fe_max / fmax
        f, k = hertz_force(overlap_um - plastic, e_star_mpa, r_p)
    return f, k, dmax, plastic
