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


@njit(cache=True)
def effective_shear_modulus_mpa(e1_mpa: float, nu1: float, e2_mpa: float, nu2: float) -> float:
    """Tangential contact modulus G* = 1 / ((2−ν₁)/G₁ + (2−ν₂)/G₂) in MPa, G = E/(2(1+ν))."""
    g1 = e1_mpa / (2.0 * (1.0 + nu1))
    g2 = e2_mpa / (2.0 * (1.0 + nu2))
    return 1.0 / ((2.0 - nu1) / g1 + (2.0 - nu2) / g2)


@njit(cache=True)
def mindlin_stiffness(overlap_um: float, g_star_mpa: float, r_star_um: float) -> float:
    """No-slip tangential stiffness k_t = 8 G* a (µN/µm), a = √(R*δ) the contact radius."""
    if overlap_um <= 0.0:
        return 0.0
    return 8.0 * g_star_mpa * math.sqrt(r_star_um * overlap_um)


@njit(cache=True)
def weld_pull_off_force(
    max_overlap_um: float, e_star_mpa: float, r_star_um: float, p_y_mpa: float, weld_mpa: float
) -> float:
    """Tensile strength (µN) of a cold-welded contact: weld_mpa × its largest plastic area.

    A contact that yielded keeps a welded junction of the area it had at its largest overlap,
    π a² with a² = R*δ_max (on the Thornton curve F_max/(πa²) → p_y); a contact that never
    yielded has none. The junction breaks in tension at weld_mpa (a share of
    the hardness fitted to pellet spring-back; see the material library).
    """
    if weld_mpa <= 0.0 or max_overlap_um <= 0.0:
        return 0.0
    fe = hertz_force(max_overlap_um, e_star_mpa, r_star_um)[0]
    fmax = plastic_loading_force(max_overlap_um, e_star_mpa, r_star_um, p_y_mpa)[0]
    if fmax >= fe:
        return 0.0
    return weld_mpa * math.pi * r_star_um * max_overlap_um


@njit(cache=True)
def welded_force(
    overlap_um: float, max_overlap_um: float, e_star_mpa: float, r_star_um: float,
    p_y_mpa: float, weld_mpa: float,
) -> tuple[float, float, float, float, float]:
    """Thornton's law with a cold-welded tensile branch below the plastic overlap.

    Above the plastic overlap δ_p as :func:`thornton_force`. Below it, a contact that yielded
    pulls back linearly with the stiffness it had at the start of unloading, k_u = 2E*a_max
    (a_max² = R_p(δ_max − δ_p)), up to the pull-off force F_c (:func:`weld_pull_off_force`)
    at δ_p − F_c/k_u, then softens linearly to zero at δ_p − 2F_c/k_u (the weld is broken;
    the work of separation is F_c²/k_u). Returns (force µN, positive = repulsive; stiffness
    µN/µm, ≥ 0 for the preconditioner; new max overlap µm; plastic overlap µm; pull-off µN).
    """
    f, k, dmax, plastic = thornton_force(overlap_um, max_overlap_um, e_star_mpa, r_star_um,
                                         p_y_mpa)
    fc = weld_pull_off_force(dmax, e_star_mpa, r_star_um, p_y_mpa, weld_mpa)
    if fc <= 0.0 or overlap_um >= plastic:
        return f, k, dmax, plastic, fc
    fe_max = hertz_force(dmax, e_star_mpa, r_star_um)[0]
    fmax = plastic_loading_force(dmax, e_star_mpa, r_star_um, p_y_mpa)[0]
    r_p = r_star_um * fe_max / fmax
    ku = 2.0 * e_star_mpa * math.sqrt(r_p * (dmax - plastic))
    stretch = plastic - overlap_um
    peak = fc / ku
    if stretch <= peak:
        return -ku * stretch, ku, dmax, plastic, fc
    if stretch <= 2.0 * peak:
        return -fc + ku * (stretch - peak), ku, dmax, plastic, fc
    return 0.0, 0.0, dmax, plastic, fc


@njit(cache=True)
def coulomb_spring(ft_x: float, ft_y: float, ft_z: float, nx: float, ny: float, nz: float,
                   du_x: float, du_y: float, du_z: float, k_t: float,
                   limit: float) -> tuple[float, float, float, bool]:
    """Incremental tangential spring with a Coulomb cap (history-dependent, Mindlin no-slip).

    ``ft`` is the stored tangential force (µN) on particle i, ``n`` the current unit normal
    from i to j and ``du`` the displacement increment (µm) of j relative to i since the last
    evaluation. The old force is turned into the current tangent plane (its magnitude kept),
    the tangential part of ``du`` adds k_t·du_t, and the result is capped at ``limit`` (µN,
    μ × normal force). Returns the new force and whether the contact slides.
    """
    fn = ft_x * nx + ft_y * ny + ft_z * nz
    tx = ft_x - fn * nx
    ty = ft_y - fn * ny
    tz = ft_z - fn * nz
    old = math.sqrt(ft_x * ft_x + ft_y * ft_y + ft_z * ft_z)
    now = math.sqrt(tx * tx + ty * ty + tz * tz)
    if now > 0.0:
        s = old / now
        tx *= s
        ty *= s
        tz *= s
    un = du_x * nx + du_y * ny + du_z * nz
    tx += k_t * (du_x - un * nx)
    ty += k_t * (du_y - un * ny)
    tz += k_t * (du_z - un * nz)
    mag = math.sqrt(tx * tx + ty * ty + tz * tz)
    if limit <= 0.0:
        return 0.0, 0.0, 0.0, mag > 0.0
    if mag > limit:
        s = limit / mag
        return tx * s, ty * s, tz * s, True
    return tx, ty, tz, False
