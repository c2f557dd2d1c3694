"""Numba kernels for the 7-point finite-volume conduction operator on a voxel grid.

Canonical layout used by every kernel: arrays are C-contiguous with shape ``(n0, n1, n2)`` and
current flows along axis 0. Conductances live on voxel faces:

* ``g0`` has shape ``(n0 + 1, n1, n2)``; ``g0[i]`` is the face below voxel ``i`` along axis 0,
  so ``g0[0]`` couples the first layer to the inlet potential and ``g0[n0]`` the last layer to
  the outlet potential (Dirichlet faces), the others couple voxels ``i - 1`` and ``i``.
* ``g1[i, j, k]`` couples ``(i, j, k)`` and ``(i, (j + 1) % n1, k)``; ``g2`` likewise along
  axis 2. The wrap-around faces are zero unless the axis is periodic.

A voxel whose six conductances are all zero is inactive: its operator row is empty and the
smoothers set it to zero. Vectors may be float32 or float64; all reductions use float64.
Loops run over rows along axis 2 so that the interior of every row vectorises.
"""

from __future__ import annotations

import numpy as np
from numba import njit, prange

TINY = 1e-30  # guards 0/0 on inactive voxels; far below any active diagonal


@njit(cache=True, inline="always")
def _wrap_next(j: int, n: int) -> int:
    return j + 1 if j + 1 < n else 0


@njit(cache=True, inline="always")
def _wrap_prev(j: int, n: int) -> int:
    return j - 1 if j > 0 else n - 1


@njit(cache=True, inline="always")
def _point(k, km, kp, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz):
    """Diagonal and conductance-weighted neighbour sum of voxel k of a row."""
    diag = gl[k] + gh[k] + gyl[k] + gyh[k] + gz[km] + gz[k]
    s = (gl[k] * xim[k] + gh[k] * xip[k] + gyl[k] * xjm[k] + gyh[k] * xjp[k]
         + gz[km] * xr[km] + gz[k] * xr[kp])
    return diag, s


@njit(cache=True, inline="always")
def _rows(x, zero, g0, g1, g2, i, j, n0, n1):
    """Row views around (i, j): the row itself, its four neighbours and the face rows."""
    jm = _wrap_prev(j, n1)
    jp = _wrap_next(j, n1)
    xim = x[i - 1, j] if i > 0 else zero
    xip = x[i + 1, j] if i < n0 - 1 else zero
    return (x[i, j], xim, xip, x[i, jm], x[i, jp],
            g0[i, j], g0[i + 1, j], g1[i, jm], g1[i, j], g2[i, j])


@njit(parallel=True, cache=True, fastmath=True)
def apply_operator(x, g0, g1, g2, out):
    """out = A x for the conduction operator with homogeneous Dirichlet faces."""
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for i in prange(n0):
        for j in range(n1):
            xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j, n0, n1)
            o = out[i, j]
            for k in range(1, n2 - 1):
                d, s = _point(k, k - 1, k + 1, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                o[k] = d * xr[k] - s
            for k in (0, n2 - 1):
                d, s = _point(k, _wrap_prev(k, n2), _wrap_next(k, n2),
                              xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                o[k] = d * xr[k] - s


@njit(parallel=True, cache=True, fastmath=True)
def residual(x, b, g0, g1, g2, out):
    """out = b - A x, accumulated in float64."""
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for i in prange(n0):
        for j in range(n1):
            xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j, n0, n1)
            o = out[i, j]
            br = b[i, j]
            for k in range(n2):
                km = _wrap_prev(k, n2)
                kp = _wrap_next(k, n2)
                d = (np.float64(gl[k]) + gh[k] + gyl[k] + gyh[k] + gz[km] + gz[k])
                s = (np.float64(gl[k]) * xim[k] + np.float64(gh[k]) * xip[k]
                     + np.float64(gyl[k]) * xjm[k] + np.float64(gyh[k]) * xjp[k]
                     + np.float64(gz[km]) * xr[km] + np.float64(gz[k]) * xr[kp])
                o[k] = br[k] - (d * xr[k] - s)


@njit(parallel=True, cache=True, fastmath=True)
def gauss_seidel_colour(x, b, g0, g1, g2, colour, reverse):
    """One red-black Gauss-Seidel half-sweep over voxels with (i + j + k) % 2 == colour.

    ``reverse`` walks j and the row ends backwards, which makes a reversed sweep the exact
    adjoint of a forward one even where odd periodic axes couple voxels of equal colour.
    """
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for i in prange(n0):
        for jj in range(n1):
            j = n1 - 1 - jj if reverse else jj
            xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j, n0, n1)
            br = b[i, j]
            start = (i + j + colour) % 2
            first = n2 - 1 if reverse else 0
            if (first - start) % 2 == 0:
                d, s = _point(first, _wrap_prev(first, n2), _wrap_next(first, n2),
                              xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                xr[first] = (br[first] + s) / max(d, TINY)
            for k in range(2 - start if start == 0 else 1, n2 - 1, 2):
                d, s = _point(k, k - 1, k + 1, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                xr[k] = (br[k] + s) / max(d, TINY)
            last = 0 if reverse else n2 - 1
            if last != first and (last - start) % 2 == 0:
                d, s = _point(last, _wrap_prev(last, n2), _wrap_next(last, n2),
                              xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                xr[last] = (br[last] + s) / max(d, TINY)


@njit(parallel=True, cache=True, fastmath=True)
def jacobi_start(x, b, g0, g1, g2, colour):
    """Set x = b / diag on one colour and 0 elsewhere: a red-black sweep from a zero guess."""
    n0, n1, n2 = x.shape
    for i in prange(n0):
        for j in range(n1):
            jm = _wrap_prev(j, n1)
            gl, gh, gyl, gyh, gz = g0[i, j], g0[i + 1, j], g1[i, jm], g1[i, j], g2[i, j]
            xr = x[i, j]
            br = b[i, j]
            xr[:] = 0.0
            start = (i + j + colour) % 2
            for k in range(start, n2, 2):
                d = gl[k] + gh[k] + gyl[k] + gyh[k] + gz[_wrap_prev(k, n2)] + gz[k]
                xr[k] = br[k] / max(d, TINY)


@njit(parallel=True, cache=True, fastmath=True)
def restrict_residual(x, b, g0, g1, g2, coarse):
    """coarse = Pᵀ (b - A x): sum the residual over 2×2×2 aggregates."""
    n0, n1, n2 = x.shape
    c0, c1, c2 = coarse.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for ci in prange(c0):
        coarse[ci] = 0.0
        res = np.empty(n2, dtype=x.dtype)
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(
                    x, zero, g0, g1, g2, i, j, n0, n1)
                br = b[i, j]
                for k in range(1, n2 - 1):
                    d, s = _point(k, k - 1, k + 1, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                    res[k] = br[k] - (d * xr[k] - s)
                for k in (0, n2 - 1):
                    d, s = _point(k, _wrap_prev(k, n2), _wrap_next(k, n2),
                                  xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                    res[k] = br[k] - (d * xr[k] - s)
                cr = coarse[ci, j // 2]
                for ck in range(n2 // 2):
                    cr[ck] += res[2 * ck] + res[2 * ck + 1]
                if n2 % 2 == 1:
                    cr[c2 - 1] += res[n2 - 1]


@njit(parallel=True, cache=True, fastmath=True)
def prolong_add(x, coarse, weight):
    """x += weight · P coarse: piecewise-constant interpolation from 2×2×2 aggregates."""
    n0, n1, n2 = x.shape
    for i in prange(n0):
        for j in range(n1):
            xr = x[i, j]
            cr = coarse[i // 2, j // 2]
            for k in range(n2):
                xr[k] += weight * cr[k // 2]


@njit(parallel=True, cache=True)
def coarsen_conductances(g0, g1, g2, c0, c1, c2):
    """Galerkin coarse operator Pᵀ A P for 2×2×2 aggregation: sum fine faces between aggregates."""
    n0, n1, n2 = g1.shape
    m0, m1, m2 = c1.shape
    for ci in prange(m0 + 1):
        c0[ci] = 0.0
        # Face below aggregate ci: fine face 2ci, or the outlet face when ci == m0.
        fi = n0 if ci == m0 else 2 * ci
        for j in range(n1):
            for k in range(n2):
                c0[ci, j // 2, k // 2] += g0[fi, j, k]
    for ci in prange(m0):
        c1[ci] = 0.0
        c2[ci] = 0.0
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                # Faces between aggregates along axis 1: odd j, or the wrap face j = n1 - 1.
                if j == n1 - 1 or j % 2 == 1:
                    cj = m1 - 1 if j == n1 - 1 else (j - 1) // 2
                    for k in range(n2):
                        c1[ci, cj, k // 2] += g1[i, j, k]
                for k in range(n2):
                    if k == n2 - 1 or k % 2 == 1:
                        ck = m2 - 1 if k == n2 - 1 else (k - 1) // 2
                        c2[ci, j // 2, ck] += g2[i, j, k]
    if m1 == 1:
        c1[:, :, :] = 0.0
    if m2 == 1:
        c2[:, :, :] = 0.0


@njit(parallel=True, cache=True)
def face_conductances(sigma, scale0, scale1, scale2, periodic1, periodic2, g0, g1, g2):
    """Face conductances from voxel conductivities: harmonic means, half-voxel Dirichlet faces.

    ``scale_a`` is (face area / voxel length) along axis a; sigma = 0 marks insulating voxels.
    """
    n0, n1, n2 = sigma.shape
    for i in prange(n0 + 1):
        for j in range(n1):
            for k in range(n2):
                if i == 0:
                    g0[i, j, k] = 2.0 * scale0 * sigma[0, j, k]
                elif i == n0:
                    g0[i, j, k] = 2.0 * scale0 * sigma[n0 - 1, j, k]
                else:
                    a = sigma[i - 1, j, k]
                    c = sigma[i, j, k]
                    g0[i, j, k] = 2.0 * scale0 * a * c / (a + c) if a > 0.0 and c > 0.0 else 0.0
    for i in prange(n0):
        for j in range(n1):
            jp = _wrap_next(j, n1)
            for k in range(n2):
                kp = _wrap_next(k, n2)
                a = sigma[i, j, k]
                c = sigma[i, jp, k]
                ok = a > 0.0 and c > 0.0 and (periodic1 or jp > j)
                g1[i, j, k] = 2.0 * scale1 * a * c / (a + c) if ok else 0.0
                c = sigma[i, j, kp]
                ok = a > 0.0 and c > 0.0 and (periodic2 or kp > k)
                g2[i, j, k] = 2.0 * scale2 * a * c / (a + c) if ok else 0.0


@njit(parallel=True, cache=True)
def plane_currents(x, g0, v_in, v_out):
    """Current through every plane normal to axis 0 (n0 + 1 planes, inlet first)."""
    n0, n1, n2 = x.shape
    out = np.zeros(n0 + 1)
    for i in prange(n0 + 1):
        acc = 0.0
        for j in range(n1):
            gr = g0[i, j]
            for k in range(n2):
                up = v_in if i == 0 else np.float64(x[i - 1, j, k])
                down = v_out if i == n0 else np.float64(x[i, j, k])
                acc += np.float64(gr[k]) * (up - down)
        out[i] = acc
    return out


@njit(parallel=True, cache=True, fastmath=True)
def dot(a, b):
    """Float64 inner product of two equally shaped arrays."""
    fa = a.ravel()
    fb = b.ravel()
    acc = 0.0
    for n in prange(fa.size):
        acc += np.float64(fa[n]) * np.float64(fb[n])
    return acc


@njit(parallel=True, cache=True, fastmath=True)
def cg_update(x, r, p, q, alpha):
    """x += alpha p; r -= alpha q."""
    fx = x.ravel()
    fr = r.ravel()
    fp = p.ravel()
    fq = q.ravel()
    for n in prange(fx.size):
        fx[n] += alpha * fp[n]
        fr[n] -= alpha * fq[n]


@njit(parallel=True, cache=True, fastmath=True)
def cg_direction(p, z, beta):
    """p = z + beta p."""
    fp = p.ravel()
    fz = z.ravel()
    for n in prange(fp.size):
        fp[n] = fz[n] + beta * fp[n]
