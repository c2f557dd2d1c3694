"""Numba force kernels: pair contact forces, per-particle sums, walls and volume-keeping growth.

Units: µm, MPa, µN, µN/µm. Particle kinds: 0 = bare CAM (elastic surface), 1 = SSE (plastic),
2 = CAM with an SSE shell (plastic surface, elastic core).

Pair laws: CAM–CAM Hertz on the particle radii; any pair with a plastic surface follows
Thornton's elastic–perfectly-plastic law (limiting pressure = hardness of the softer surface);
two CAM particles of which one is shelled add a Hertz term between their cores once the cores
overlap (the shell yields, the cores carry load elastically). A partial shell (coverage < 1) is
there only where its patches are (``shell_patches``): a contact whose direction, when the pair
first touches, misses them meets the bare core, so the pair acts on the core radius with the
CAM's elastic surface.
Walls (bottom z = 0, punch z = h) are planes of tool steel with the same laws and a
per-particle plastic history; a partially shelled particle whose patches miss the direction
facing a wall (``wall_bare``, fixed: particles do not rotate) meets it with its bare core.

Volumes counted once: a pair's lens is split by the radical plane (which holds the
intersection circle); a plastic particle touching a bare CAM is charged the whole lens (the
hard CAM stays whole); wall caps are charged to the particle. Plastic particles then grow their
outer radius so that sphere volume − charged caps stays at their initial volume
(volume-conserving radius growth after Arzt, Acta Metall. 30 (1982) 1883).

Confinement: when less than CONFINED_FREE_SURFACE of a plastic particle's surface is free
(growing it would mostly create more overlap, as for a particle enclosed by neighbours near
full density), its limiting contact pressure rises as p_y·CONFINED_FREE_SURFACE/free — a simple
stand-in for the incompressibility that multi-contact DEM models treat explicitly (Harthong et
al., Int. J. Solids Struct. 46 (2009) 3357). Below MIN_FREE_SURFACE_TO_GROW a particle stops
growing: there the pairwise lens sum over-counts regions shared by three or more spheres, and
growing to make up for it would feed back without bound. Both only act near full density.

Each kernel works in fixed blocks and writes per-block partial sums, summed afterwards in
block order, so the results do not depend on the number of threads.
"""

from __future__ import annotations

import math

import numpy as np
from numba import njit, prange

from cathodetwin.packing.contact_laws import (
    coulomb_spring,
    effective_modulus_mpa,
    effective_radius_um,
    effective_shear_modulus_mpa,
    hertz_force,
    mindlin_stiffness,
    thornton_force,
    welded_force,
)
from cathodetwin.packing.geometry import cap_volume_um3, radical_cap_heights_um
from cathodetwin.packing.neighbors import move_um
from cathodetwin.packing.shell_patches import covered

BLOCK = 4096
MAX_GROWTH_STEP = 0.01  # largest relative radius change per step
CONFINED_FREE_SURFACE = 0.25  # below this free-surface share a plastic particle hardens
MIN_FREE_SURFACE_TO_GROW = 0.1  # an almost enclosed particle no longer grows
GROWTH_RELAXATION = 0.5  # under-relaxed Newton step of the volume-keeping radius

# Columns of the per-pair results written by pair_forces (one row per pair, so that gathering
# a particle's pairs reads one or two cache lines each): stiffness, force on i from j (µN),
# surface of each sphere inside the other (µm²; both 0: the pair does not touch and the other
# columns are stale), charged lens parts (µm³) and their derivatives with respect to each
# particle's own radius (µm²).
P_K = 0
P_FX = 1
P_FY = 2
P_FZ = 3
P_COVER_I = 4
P_COVER_J = 5
P_LOST_I = 6
P_LOST_J = 7
P_AREA_I = 8
P_AREA_J = 9
# rotation: n × tangential force on i (µN; torque on i = a_i·C, on j = a_j·C), the lever arms
# a_i, a_j (µm, centre to the radical plane) and the tangential stiffness (µN/µm)
P_CX = 10
P_CY = 11
P_CZ = 12
P_ARM_I = 13
P_ARM_J = 14
P_KT = 15
N_PAIR = 16

# Indices of the per-block sums returned by gather_forces.
S_FORCE_BOTTOM = 0
S_FORCE_TOP = 1
S_SPHERE_VOLUME = 2
S_LOST_VOLUME = 3
S_POWER = 4
S_VV = 5
S_VA = 6
S_AA = 7
S_RESULTANT = 8
S_AFFINE_K = 9
S_MAX_MOVE = 10
S_VIRIAL = 11
S_CONTACT_FORCE = 12
S_CONTACTS = 13
N_SUMS = 14


@njit(cache=True)
def _wall(overlap, dmax, e_star, radius, p_y):
    """Force, stiffness, new max overlap of a sphere on a plane (plastic when p_y > 0)."""
    if overlap <= 0.0:
        return 0.0, 0.0, dmax
    if p_y > 0.0:
        f, k, dm, _ = thornton_force(overlap, dmax, e_star, radius, p_y)
        return f, k, dm
    f, k = hertz_force(overlap, e_star, radius)
    return f, k, max(dmax, overlap)


@njit(cache=True)
def _wall_spring(fx, fy, ux, uy, k_t, limit):
    """Lateral friction force (µN) of a fixed flat wall on a particle that moved (ux, uy) µm."""
    fx -= k_t * ux
    fy -= k_t * uy
    mag = math.sqrt(fx * fx + fy * fy)
    if mag > limit:
        s = limit / mag if mag > 0.0 else 0.0
        return fx * s, fy * s
    return fx, fy


@njit(cache=True)
def confinement(free: float) -> float:
    """Factor (≥ 1) on the limiting contact pressure of a particle with this free surface."""
    return max(1.0, CONFINED_FREE_SURFACE / max(free, 1e-3))


@njit(cache=True)
def contact_faces(k, i, j, nx, ny, nz, kind, coverage, patch_dirs, patch_thr, ids, faces):
    """Whether the contact k meets the bare core of i and of j (n: unit vector from i to j).

    Decided when the pair first touches and kept in ``faces`` (0 = not yet; else 1 + bare(lower
    id) + 2·bare(higher id)), so that a contact does not flip between shell and core while the
    particles settle; the code follows the pair through neighbour-list rebuilds by particle id.
    """
    lo_is_i = ids[i] < ids[j]
    if faces[k] == 0.0:
        bi = kind[i] == 2 and not covered(nx, ny, nz, coverage[i], patch_dirs[i], patch_thr[i])
        bj = kind[j] == 2 and not covered(-nx, -ny, -nz, coverage[j], patch_dirs[j],
                                          patch_thr[j])
        b_lo, b_hi = (bi, bj) if lo_is_i else (bj, bi)
        faces[k] = 1.0 + (1.0 if b_lo else 0.0) + (2.0 if b_hi else 0.0)
    code = int(faces[k]) - 1
    b_lo = (code & 1) == 1
    b_hi = (code & 2) == 2
    return (b_lo, b_hi) if lo_is_i else (b_hi, b_lo)


@njit(cache=True, parallel=True)
def pair_forces(pos, radius, kind, core_r, surf_e, surf_nu, p_y, core_e, core_nu, free,
                coverage, patch_dirs, patch_thr, ids, pi, pj, dmax, faces, lx, ly, height, out,
                plastic, pos_last, mu_surf, mu_core, weld, ft, spin, spin_last):
    """Per pair (row of ``out``, columns P_*): stiffness, contact force on i from j, the surface
    of each sphere inside the other, the charged lens parts and their derivatives with respect
    to each particle's own radius.

    Updates the per-pair maximum overlap ``dmax``, plastic overlap and tangential force ``ft``
    (µN on i, world frame; moved with the relative displacement since ``pos_last``, capped at
    μ × (normal force + weld pull-off), μ the mean of the two surfaces' coefficients); the row's
    force is normal + tangential. Returns per-block sums of the affine-mode stiffness
    k·(n_z Δz/h)² used as the punch's preconditioning mass.
    """
    npair = pi.size
    nblock = (npair + BLOCK - 1) // BLOCK
    aff = np.zeros(nblock)
    for b in prange(nblock):
        acc = 0.0
        for k in range(b * BLOCK, min(npair, (b + 1) * BLOCK)):
            i = pi[k]
            j = pj[k]
            dx = pos[j, 0] - pos[i, 0]
            dx -= lx * math.floor(dx / lx + 0.5)
            dy = pos[j, 1] - pos[i, 1]
            dy -= ly * math.floor(dy / ly + 0.5)
            dz = pos[j, 2] - pos[i, 2]
            dist = math.sqrt(dx * dx + dy * dy + dz * dz)
            ri = radius[i]
            rj = radius[j]
            ki = kind[i]
            kj = kind[j]
            delta = ri + rj - dist
            partial = (ki == 2 and coverage[i] < 1.0) or (kj == 2 and coverage[j] < 1.0)
            if delta > 0.0 and dist > 0.0 and partial:
                bare_i, bare_j = contact_faces(k, i, j, dx / dist, dy / dist, dz / dist, kind,
                                               coverage, patch_dirs, patch_thr, ids, faces)
                if bare_i:
                    ki = 0
                    ri = core_r[i]
                if bare_j:
                    kj = 0
                    rj = core_r[j]
                delta = ri + rj - dist
            if delta <= 0.0 or dist == 0.0:  # zero covers mark the row unused (gather_forces)
                out[k, P_COVER_I] = 0.0
                out[k, P_COVER_J] = 0.0
                plastic[k] = 0.0
                ft[k, 0] = 0.0
                ft[k, 1] = 0.0
                ft[k, 2] = 0.0
                continue
            rs = effective_radius_um(ri, rj)
            ei, nui = (core_e[i], core_nu[i]) if ki == 0 else (surf_e[i], surf_nu[i])
            ej, nuj = (core_e[j], core_nu[j]) if kj == 0 else (surf_e[j], surf_nu[j])
            mu = 0.5 * ((mu_core[i] if ki == 0 else mu_surf[i])
                        + (mu_core[j] if kj == 0 else mu_surf[j]))
            fpull = 0.0
            if ki == 0 and kj == 0:
                es = effective_modulus_mpa(ei, nui, ej, nuj)
                f, kk = hertz_force(delta, es, rs)
                dmax[k] = max(dmax[k], delta)
                plastic[k] = 0.0
            else:
                es = effective_modulus_mpa(ei, nui, ej, nuj)
                if ki == 0:
                    py = p_y[j] * confinement(free[j])
                    wd = weld[j]
                elif kj == 0:
                    py = p_y[i] * confinement(free[i])
                    wd = weld[i]
                else:
                    py = min(p_y[i], p_y[j]) * max(confinement(free[i]), confinement(free[j]))
                    wd = min(weld[i], weld[j])
                f, kk, dm, dp, fpull = welded_force(delta, dmax[k], es, rs, py, wd)
                dmax[k] = dm
                plastic[k] = dp
                if ki != 1 and kj != 1:
                    dc = core_r[i] + core_r[j] - dist
                    if dc > 0.0:
                        ec = effective_modulus_mpa(core_e[i], core_nu[i], core_e[j], core_nu[j])
                        fc, kc = hertz_force(dc, ec, effective_radius_um(core_r[i], core_r[j]))
                        f += fc
                        kk += kc
            inv = 1.0 / dist
            nx = dx * inv
            ny = dy * inv
            nz = dz * inv
            kt = 0.0
            hi, hj = radical_cap_heights_um(dist, ri, rj)
            arm_i = ri - hi
            arm_j = rj - hj
            if mu > 0.0:
                kt = mindlin_stiffness(delta, effective_shear_modulus_mpa(ei, nui, ej, nuj), rs)
                # rotation increments (rad) from the arc coordinates spin = r·θ (µm)
                wx = arm_i * (spin[i, 0] - spin_last[i, 0]) / radius[i] \
                    + arm_j * (spin[j, 0] - spin_last[j, 0]) / radius[j]
                wy = arm_i * (spin[i, 1] - spin_last[i, 1]) / radius[i] \
                    + arm_j * (spin[j, 1] - spin_last[j, 1]) / radius[j]
                wz = arm_i * (spin[i, 2] - spin_last[i, 2]) / radius[i] \
                    + arm_j * (spin[j, 2] - spin_last[j, 2]) / radius[j]
                # contact-point slip: Δx_j − Δx_i − (a_iΔθ_i + a_jΔθ_j) × n
                tx, ty, tz, _ = coulomb_spring(
                    ft[k, 0], ft[k, 1], ft[k, 2], nx, ny, nz,
                    (pos[j, 0] - pos_last[j, 0]) - (pos[i, 0] - pos_last[i, 0])
                    - (wy * nz - wz * ny),
                    (pos[j, 1] - pos_last[j, 1]) - (pos[i, 1] - pos_last[i, 1])
                    - (wz * nx - wx * nz),
                    (pos[j, 2] - pos_last[j, 2]) - (pos[i, 2] - pos_last[i, 2])
                    - (wx * ny - wy * nx),
                    kt, mu * max(f + fpull, 0.0))
            else:
                tx = ty = tz = 0.0
            ft[k, 0] = tx
            ft[k, 1] = ty
            ft[k, 2] = tz
            out[k, P_FX] = -f * nx + tx
            out[k, P_FY] = -f * ny + ty
            out[k, P_FZ] = -f * nz + tz
            out[k, P_K] = kk + kt
            out[k, P_CX] = ny * tz - nz * ty
            out[k, P_CY] = nz * tx - nx * tz
            out[k, P_CZ] = nx * ty - ny * tx
            out[k, P_ARM_I] = arm_i
            out[k, P_ARM_J] = arm_j
            out[k, P_KT] = kt
            ci = cap_volume_um3(hi, ri)
            cj = cap_volume_um3(hj, rj)
            if ki != 0 and kj == 0:
                out[k, P_LOST_I] = ci + cj
                out[k, P_LOST_J] = 0.0
            elif kj != 0 and ki == 0:
                out[k, P_LOST_I] = 0.0
                out[k, P_LOST_J] = ci + cj
            else:
                out[k, P_LOST_I] = ci
                out[k, P_LOST_J] = cj
            # d(charged volume)/d(own radius): area inside the partner for a whole lens,
            # cap growth with the moving radical plane for a split lens
            out[k, P_COVER_I] = 2.0 * math.pi * ri * hi  # surface of i inside j
            out[k, P_COVER_J] = 2.0 * math.pi * rj * hj
            if ki != 0 and kj == 0:
                out[k, P_AREA_I] = out[k, P_COVER_I]
                out[k, P_AREA_J] = 0.0
            elif kj != 0 and ki == 0:
                out[k, P_AREA_I] = 0.0
                out[k, P_AREA_J] = out[k, P_COVER_J]
            else:
                out[k, P_AREA_I] = max(
                    0.0, math.pi * hi * (hi + (2.0 * ri - hi) * (1.0 - ri / dist))
                )
                out[k, P_AREA_J] = max(
                    0.0, math.pi * hj * (hj + (2.0 * rj - hj) * (1.0 - rj / dist))
                )
            acc += kk * (nz * dz / height) ** 2
        aff[b] = acc
    return aff


@njit(cache=True, parallel=True)
def gather_forces(pos, vel, radius, kind, core_r, surf_e, surf_nu, p_y, core_e, core_nu, free,
                  vol0, start, entries, pair, wall_dmax, wall_bare, wall_e, wall_nu, height,
                  mass_floor, force, mass, pos_ref, radius_ref, grow, pos_last, mu_wall,
                  wall_ft, spin, spin_last, spin_vel, torque, spin_mass, rotate):
    """Total force and preconditioning mass of each particle, walls included; grow plastic radii
    and update each particle's free-surface share ``free``.

    Returns per-block sums (see the S_* indices): wall forces (µN), sphere and charged volumes
    (µm³), FIRE dot products, Σ|resultant force| and Σ|contact force| with the number of
    contacts (each pair seen from both sides; for the unbalanced-force ratio), the affine
    stiffness of the wall contacts, and the largest non-affine move + growth of a particle since
    its list reference, relative to its radius there (``neighbors.move_um``).

    Wall friction: per particle and wall a lateral tangential force ``wall_ft`` (µN, x and y)
    follows the particle's lateral move since ``pos_last`` with the Mindlin stiffness, capped
    at ``mu_wall`` × the wall's normal force (die walls do not weld).

    Rotation: each particle's arc coordinates ``spin`` = r·θ (µm) get the generalised force
    ``torque`` = τ/r (µN) and the Jacobi mass ``spin_mass`` = Σ k_t a²/r² (µN/µm); FIRE's
    power and norms include them (``spin_vel``).
    """
    n = radius.size
    nblock = (n + BLOCK - 1) // BLOCK
    sums = np.zeros((nblock, N_SUMS))
    for b in prange(nblock):
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            fx = 0.0
            fy = 0.0
            fz = 0.0
            m = mass_floor[i]
            lost = 0.0
            area = 0.0
            cover = 0.0
            fsum = 0.0
            nc = 0
            r = radius[i]
            qx = 0.0
            qy = 0.0
            qz = 0.0
            mr = mass_floor[i]
            for s in range(start[i], start[i + 1]):
                e = entries[s]
                k = e if e >= 0 else -e - 1
                if pair[k, P_COVER_I] == 0.0 and pair[k, P_COVER_J] == 0.0:
                    continue  # not touching: the rest of the row is not written
                kk = pair[k, P_K]
                if kk > 0.0:
                    fsum += math.sqrt(pair[k, P_FX] ** 2 + pair[k, P_FY] ** 2 + pair[k, P_FZ] ** 2)
                    nc += 1
                m += kk
                kt = pair[k, P_KT]
                if kt > 0.0:
                    arm = pair[k, P_ARM_I] if e >= 0 else pair[k, P_ARM_J]
                    qx += arm * pair[k, P_CX] / r
                    qy += arm * pair[k, P_CY] / r
                    qz += arm * pair[k, P_CZ] / r
                    mr += kt * arm * arm / (r * r)
                if e >= 0:
                    fx += pair[k, P_FX]
                    fy += pair[k, P_FY]
                    fz += pair[k, P_FZ]
                    lost += pair[k, P_LOST_I]
                    area += pair[k, P_AREA_I]
                    cover += pair[k, P_COVER_I]
                else:
                    fx -= pair[k, P_FX]
                    fy -= pair[k, P_FY]
                    fz -= pair[k, P_FZ]
                    lost += pair[k, P_LOST_J]
                    area += pair[k, P_AREA_J]
                    cover += pair[k, P_COVER_J]
            z = pos[i, 2]
            ki = kind[i]
            ew = effective_modulus_mpa(surf_e[i], surf_nu[i], wall_e, wall_nu)
            pyw = p_y[i] * confinement(free[i])
            ec = effective_modulus_mpa(core_e[i], core_nu[i], wall_e, wall_nu)
            s_rel = z / height
            aff = 0.0
            # bottom wall (current collector) at z = 0; a bare patch facing it: the core
            rw = core_r[i] if wall_bare[i, 0] else r
            ob = rw - z
            fb = 0.0
            if ob <= 0.0:
                wall_ft[i, 0, 0] = 0.0
                wall_ft[i, 0, 1] = 0.0
            else:
                if wall_bare[i, 0]:
                    fb, kb, wall_dmax[i, 0] = _wall(ob, wall_dmax[i, 0], ec, rw, 0.0)
                else:
                    fb, kb, wall_dmax[i, 0] = _wall(ob, wall_dmax[i, 0], ew, r, pyw)
                    if ki == 2 and core_r[i] - z > 0.0:
                        fcb, kcb = hertz_force(core_r[i] - z, ec, core_r[i])
                        fb += fcb
                        kb += kcb
                if mu_wall[i] > 0.0:
                    gw = effective_shear_modulus_mpa(
                        core_e[i] if wall_bare[i, 0] else surf_e[i],
                        core_nu[i] if wall_bare[i, 0] else surf_nu[i], wall_e, wall_nu)
                    ktw = mindlin_stiffness(ob, gw, rw)
                    arm = z  # centre to the wall; contact point at −arm·ẑ
                    wx, wy = _wall_spring(
                        wall_ft[i, 0, 0], wall_ft[i, 0, 1],
                        pos[i, 0] - pos_last[i, 0] - arm * (spin[i, 1] - spin_last[i, 1]) / r,
                        pos[i, 1] - pos_last[i, 1] + arm * (spin[i, 0] - spin_last[i, 0]) / r,
                        ktw, mu_wall[i] * fb)
                    wall_ft[i, 0, 0] = wx
                    wall_ft[i, 0, 1] = wy
                    fx += wx
                    fy += wy
                    qx += arm * wy / r
                    qy -= arm * wx / r
                    mr += ktw * arm * arm / (r * r)
                    kb += ktw
                m += kb
                lost += cap_volume_um3(ob, rw)
                area += 2.0 * math.pi * rw * ob
                cover += 2.0 * math.pi * rw * ob
                aff += kb * s_rel * s_rel
            # punch at z = height
            rw = core_r[i] if wall_bare[i, 1] else r
            ot = z + rw - height
            ft = 0.0
            if ot <= 0.0:
                wall_ft[i, 1, 0] = 0.0
                wall_ft[i, 1, 1] = 0.0
            else:
                if wall_bare[i, 1]:
                    ft, kt, wall_dmax[i, 1] = _wall(ot, wall_dmax[i, 1], ec, rw, 0.0)
                else:
                    ft, kt, wall_dmax[i, 1] = _wall(ot, wall_dmax[i, 1], ew, r, pyw)
                    if ki == 2 and z + core_r[i] - height > 0.0:
                        fct, kct = hertz_force(z + core_r[i] - height, ec, core_r[i])
                        ft += fct
                        kt += kct
                if mu_wall[i] > 0.0:
                    gw = effective_shear_modulus_mpa(
                        core_e[i] if wall_bare[i, 1] else surf_e[i],
                        core_nu[i] if wall_bare[i, 1] else surf_nu[i], wall_e, wall_nu)
                    ktw = mindlin_stiffness(ot, gw, rw)
                    arm = height - z  # contact point at +arm·ẑ
                    wx, wy = _wall_spring(
                        wall_ft[i, 1, 0], wall_ft[i, 1, 1],
                        pos[i, 0] - pos_last[i, 0] + arm * (spin[i, 1] - spin_last[i, 1]) / r,
                        pos[i, 1] - pos_last[i, 1] - arm * (spin[i, 0] - spin_last[i, 0]) / r,
                        ktw, mu_wall[i] * ft)
                    wall_ft[i, 1, 0] = wx
                    wall_ft[i, 1, 1] = wy
                    fx += wx
                    fy += wy
                    qx -= arm * wy / r
                    qy += arm * wx / r
                    mr += ktw * arm * arm / (r * r)
                    kt += ktw
                m += kt
                lost += cap_volume_um3(ot, rw)
                area += 2.0 * math.pi * rw * ot
                cover += 2.0 * math.pi * rw * ot
                aff += kt * (1.0 - s_rel) * (1.0 - s_rel)
            fz += fb - ft
            if fb > 0.0:
                fsum += fb
                nc += 1
            if ft > 0.0:
                fsum += ft
                nc += 1
            force[i, 0] = fx
            force[i, 1] = fy
            force[i, 2] = fz
            mass[i] = m
            torque[i, 0] = qx
            torque[i, 1] = qy
            torque[i, 2] = qz
            spin_mass[i] = mr
            bx = qx / mr if rotate else 0.0
            by = qy / mr if rotate else 0.0
            bz = qz / mr if rotate else 0.0
            wvx = spin_vel[i, 0]
            wvy = spin_vel[i, 1]
            wvz = spin_vel[i, 2]
            ax = fx / m
            ay = fy / m
            az = fz / m
            vx = vel[i, 0]
            vy = vel[i, 1]
            vz = vel[i, 2]
            sphere = 4.0 / 3.0 * math.pi * r * r * r
            row = sums[b]
            row[S_FORCE_BOTTOM] += fb
            row[S_FORCE_TOP] += ft
            row[S_SPHERE_VOLUME] += sphere
            row[S_LOST_VOLUME] += lost
            row[S_POWER] += fx * vx + fy * vy + fz * vz + qx * wvx + qy * wvy + qz * wvz
            row[S_VV] += vx * vx + vy * vy + vz * vz + wvx * wvx + wvy * wvy + wvz * wvz
            row[S_VA] += vx * ax + vy * ay + vz * az + wvx * bx + wvy * by + wvz * bz
            row[S_AA] += ax * ax + ay * ay + az * az + bx * bx + by * by + bz * bz
            row[S_RESULTANT] += math.sqrt(fx * fx + fy * fy + fz * fz)
            row[S_CONTACT_FORCE] += fsum
            row[S_CONTACTS] += nc
            row[S_AFFINE_K] += aff
            row[S_VIRIAL] += fz * s_rel
            full = 4.0 * math.pi * r * r
            free[i] = max(full - cover, 0.0) / full
            if grow and ki != 0:
                dr = GROWTH_RELAXATION * (vol0[i] - (sphere - lost)) / max(full - area, 0.1 * full)
                if free[i] < MIN_FREE_SURFACE_TO_GROW:
                    dr = min(dr, 0.0)
                dr = min(max(dr, -MAX_GROWTH_STEP * r), MAX_GROWTH_STEP * r)
                radius[i] = r + dr
            move = move_um(i, pos, pos_ref, radius, radius_ref, height) / radius_ref[i]
            if move > row[S_MAX_MOVE]:
                row[S_MAX_MOVE] = move
    return sums


@njit(cache=True)
def _fire_step(x, v, push, inertia, i, dt_old, dt_new, mix_v, mix_a, reset):
    """FIRE 2.0 update of row i of coordinates ``x`` and velocities ``v`` under ``push``."""
    for d in range(3):
        a = push[i, d] / inertia[i]
        u = v[i, d]
        if reset:
            x[i, d] -= 0.5 * dt_old * u
            u = 0.0
        u += dt_new * a
        u = mix_v * u + mix_a * a
        v[i, d] = u
        x[i, d] += dt_new * u


@njit(cache=True, parallel=True)
def fire_move(pos, vel, force, mass, dt_old, dt_new, mix_v, mix_a, reset, h_old, h_new,
              spin, spin_vel, torque, spin_mass, rotate):
    """One FIRE 2.0 move: optional half back-step and stop, kick, velocity mixing, drift, and
    the affine z-rescale that carries the particles with the punch from h_old to h_new; with
    ``rotate`` the arc coordinates ``spin`` (r·θ, µm) move the same way under ``torque``."""
    n = mass.size
    nblock = (n + BLOCK - 1) // BLOCK
    stretch = h_new / h_old
    for b in prange(nblock):
        for i in range(b * BLOCK, min(n, (b + 1) * BLOCK)):
            if rotate:
                _fire_step(spin, spin_vel, torque, spin_mass, i, dt_old, dt_new, mix_v, mix_a,
                           reset)
            _fire_step(pos, vel, force, mass, i, dt_old, dt_new, mix_v, mix_a, reset)
            pos[i, 2] *= stretch
