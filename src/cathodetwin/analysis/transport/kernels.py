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

The grid kernels below are plain functions compiled twice: ``SERIAL`` (fast to compile, best
when other processes keep the cores busy) and ``PARALLEL`` (threads over axis 0). Every
parallel loop writes only its own slice along axis 0, so both give the same result except for
the summation order of reductions.

``SERIAL`` and ``PARALLEL`` are op tables: besides the grid kernels they hold the array
handling (allocation, copies, host transfer), the spanning-cluster setup and the deflation
kernels, so that the solver, the multigrid and the deflation run unchanged on the CUDA table
of :mod:`ops_cuda`, which has the same entries.
"""

from __future__ import annotations

import types
from types import SimpleNamespace

import numpy as np
from numba import njit, prange

from cathodetwin.analysis.transport.percolation import connected_to_both_faces

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
def _flux_sum(k, km, kp, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz):
    """(A x)_k as the sum of face currents g (x_k − x_neighbour): conservative to round-off."""
    x = xr[k]
    return (gl[k] * (x - xim[k]) + gh[k] * (x - xip[k]) + gyl[k] * (x - xjm[k])
            + gyh[k] * (x - xjp[k]) + gz[km] * (x - xr[km]) + gz[k] * (x - xr[kp]))


@njit(cache=True, fastmath=True)
def _row_apply(out, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz):
    """out = (A x) along one row."""
    n2 = xr.size
    for k in range(1, n2 - 1):
        out[k] = _flux_sum(k, k - 1, k + 1, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
    for k in (0, n2 - 1):
        out[k] = _flux_sum(k, _wrap_prev(k, n2), _wrap_next(k, n2),
                           xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)


@njit(cache=True, fastmath=True)
def _row_residual(out, br, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz):
    """out = b − (A x) along one row."""
    n2 = xr.size
    for k in range(1, n2 - 1):
        out[k] = br[k] - _flux_sum(k, k - 1, k + 1, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
    for k in (0, n2 - 1):
        out[k] = br[k] - _flux_sum(k, _wrap_prev(k, n2), _wrap_next(k, n2),
                                   xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)


@njit(cache=True, fastmath=True)
def _row_gauss_seidel(xr, br, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz, start, reverse, tmp):
    """Gauss-Seidel update of the voxels k = start, start + 2, ... of one row.

    Interior voxels of one colour do not couple within a row, so their updates are computed
    for the whole row into ``tmp`` (vectorised) and blended in; the two row ends, which an odd
    periodic axis couples, are updated one after the other in sweep order.
    """
    n2 = xr.size
    for k in range(1, n2 - 1):
        diag, s = _point(k, k - 1, k + 1, xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
        tmp[k] = (br[k] + s) / max(diag, TINY)
    for k in range(1, n2 - 1):
        xr[k] = tmp[k] if (k - start) % 2 == 0 else xr[k]
    first = n2 - 1 if reverse else 0
    last = 0 if reverse else n2 - 1
    for k in (first, last):
        if (k - start) % 2 == 0 and (k == first or last != first):
            diag, s = _point(k, _wrap_prev(k, n2), _wrap_next(k, n2),
                             xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
            xr[k] = (br[k] + s) / max(diag, TINY)


@njit(cache=True, inline="always")
def _rows(x, zero, g0, g1, g2, i, j):
    """Row views around (i, j): the row itself, its four neighbours and the face rows."""
    n0, n1, _ = x.shape
    jm = _wrap_prev(j, n1)
    jp = _wrap_next(j, n1)
    xim = x[i - 1, j] if i > 0 else zero
    xip = x[i + 1, j] if i < n0 - 1 else zero
    return (x[i, j], xim, xip, x[i, jm], x[i, jp],
            g0[i, j], g0[i + 1, j], g1[i, jm], g1[i, j], g2[i, j])


def apply_operator(x, g0, g1, g2, out):
    """out = A x for the conduction operator with homogeneous Dirichlet faces."""
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for i in prange(n0):
        for j in range(n1):
            xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j)
            _row_apply(out[i, j], xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)


def residual(x, b, g0, g1, g2, out):
    """out = b - A x."""
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for i in prange(n0):
        for j in range(n1):
            xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j)
            _row_residual(out[i, j], b[i, j], xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)


def gauss_seidel_colour(x, b, g0, g1, g2, colour, reverse):
    """One red-black Gauss-Seidel half-sweep over voxels with (i + j + k) % 2 == colour.

    ``reverse`` walks j and the row ends backwards, which makes a reversed sweep the exact
    adjoint of a forward one even where odd periodic axes couple voxels of equal colour.
    """
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for i in prange(n0):
        tmp = np.empty(n2, dtype=x.dtype)
        for jj in range(n1):
            j = n1 - 1 - jj if reverse else jj
            xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j)
            _row_gauss_seidel(xr, b[i, j], xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz,
                              (i + j + colour) % 2, reverse, tmp)


@njit(cache=True, fastmath=True)
def _row_jacobi_start(xr, br, gl, gh, gyl, gyh, gz, start):
    """Row of x = b / diag on voxels k = start, start + 2, ... and 0 on the others."""
    n2 = xr.size
    for k in range(1, n2):
        diag = gl[k] + gh[k] + gyl[k] + gyh[k] + gz[k - 1] + gz[k]
        xr[k] = br[k] / max(diag, TINY) if (k - start) % 2 == 0 else 0.0
    diag = gl[0] + gh[0] + gyl[0] + gyh[0] + gz[n2 - 1] + gz[0]
    xr[0] = br[0] / max(diag, TINY) if start == 0 else 0.0


def jacobi_start(x, b, g0, g1, g2, colour):
    """Set x = b / diag on one colour and 0 elsewhere: a red-black sweep from a zero guess."""
    n0, n1, n2 = x.shape
    for i in prange(n0):
        for j in range(n1):
            jm = _wrap_prev(j, n1)
            _row_jacobi_start(x[i, j], b[i, j], g0[i, j], g0[i + 1, j], g1[i, jm], g1[i, j],
                              g2[i, j], (i + j + colour) % 2)


@njit(cache=True)
def _row_restrict(cr, res):
    """Add pairs of a fine residual row into a coarse row."""
    n2 = res.size
    for ck in range(n2 // 2):
        cr[ck] += res[2 * ck] + res[2 * ck + 1]
    if n2 % 2 == 1:
        cr[cr.size - 1] += res[n2 - 1]


def restrict_residual(x, b, g0, g1, g2, coarse):
    """coarse = Pᵀ (b - A x): sum the residual over 2×2×2 aggregates."""
    n0, n1, n2 = x.shape
    zero = np.zeros(n2, dtype=x.dtype)
    for ci in prange(coarse.shape[0]):
        coarse[ci] = 0.0
        res = np.empty(n2, dtype=x.dtype)
        for i in range(2 * ci, min(2 * ci + 2, n0)):
            for j in range(n1):
                xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz = _rows(x, zero, g0, g1, g2, i, j)
                _row_residual(res, b[i, j], xr, xim, xip, xjm, xjp, gl, gh, gyl, gyh, gz)
                _row_restrict(coarse[ci, j // 2], res)


@njit(cache=True)
def _row_prolong(xr, cr, weight):
    """xr[k] += weight · cr[k // 2]."""
    for k in range(xr.size):
        xr[k] += weight * cr[k // 2]


def prolong_add(x, coarse, weight):
    """x += weight · P coarse: piecewise-constant interpolation from 2×2×2 aggregates."""
    n0, n1, _ = x.shape
    for i in prange(n0):
        for j in range(n1):
            _row_prolong(x[i, j], coarse[i // 2, j // 2], weight)


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


def face_conductances(sigma, scale0, scale1, scale2, periodic1, periodic2, g0, g1, g2):
    """Face conductances from voxel conductivities: harmonic means, half-voxel Dirichlet faces.

    ``scale_a`` is (face area / voxel length) along axis a; sigma = 0 marks insulating voxels.
    A periodic axis of length 1 has no faces (a voxel does not conduct to itself).
    """
    n0, n1, n2 = sigma.shape
    periodic1 = periodic1 and n1 > 1
    periodic2 = periodic2 and n2 > 1
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


def dot(a, b):
    """Float64 inner product of two equally shaped arrays."""
    fa = a.ravel()
    fb = b.ravel()
    acc = 0.0
    for n in prange(fa.size):
        acc += np.float64(fa[n]) * np.float64(fb[n])
    return acc


def cg_update(x, r, p, q, alpha):
    """x += alpha p; r -= alpha q."""
    fx = x.ravel()
    fr = r.ravel()
    fp = p.ravel()
    fq = q.ravel()
    for n in prange(fx.size):
        fx[n] += alpha * fp[n]
        fr[n] -= alpha * fq[n]


def cg_direction(p, z, beta):
    """p = z + beta p."""
    fp = p.ravel()
    fz = z.ravel()
    for n in prange(fp.size):
        fp[n] = fz[n] + beta * fp[n]


def lincomb(out, a, x, b, y):
    """out = a x + b y."""
    fo = out.ravel()
    fx = x.ravel()
    fy = y.ravel()
    for n in prange(fo.size):
        fo[n] = a * fx[n] + b * fy[n]


def mask_inactive(x, g0, g1, g2):
    """Set x to 0 on inactive voxels (all six face conductances zero)."""
    n0, n1, n2 = x.shape
    for i in prange(n0):
        for j in range(n1):
            jm = _wrap_prev(j, n1)
            for k in range(n2):
                km = _wrap_prev(k, n2)
                diag = (g0[i, j, k] + g0[i + 1, j, k] + g1[i, jm, k] + g1[i, j, k]
                        + g2[i, j, km] + g2[i, j, k])
                if diag == 0.0:
                    x[i, j, k] = 0.0


@njit(cache=True)
def cluster_residual_sums(z, r, g0, g1, g2, ids, count):
    """Σ over each coarse basis function's voxels (``ids`` 1..count) of (r − A z), float64."""
    n0, n1, n2 = z.shape
    out = np.zeros(count)
    for i in range(n0):
        for j in range(n1):
            jm = j - 1 if j > 0 else n1 - 1
            jp = j + 1 if j + 1 < n1 else 0
            for k in range(n2):
                c = ids[i, j, k]
                if c == 0:
                    continue
                km = k - 1 if k > 0 else n2 - 1
                kp = k + 1 if k + 1 < n2 else 0
                x = np.float64(z[i, j, k])
                below = np.float64(z[i - 1, j, k]) if i > 0 else 0.0
                above = np.float64(z[i + 1, j, k]) if i < n0 - 1 else 0.0
                az = (g0[i, j, k] * (x - below) + g0[i + 1, j, k] * (x - above)
                      + g1[i, jm, k] * (x - z[i, jm, k]) + g1[i, j, k] * (x - z[i, jp, k])
                      + g2[i, j, km] * (x - z[i, j, km]) + g2[i, j, k] * (x - z[i, j, kp]))
                out[c - 1] += r[i, j, k] - az
    return out


@njit(cache=True)
def add_coarse(z, ids, values):
    """z += Z values: add each basis function's coefficient (``values[id - 1]``) to its voxels."""
    n0, n1, n2 = z.shape
    for i in range(n0):
        for j in range(n1):
            for k in range(n2):
                c = ids[i, j, k]
                if c > 0:
                    z[i, j, k] += values[c - 1]


@njit(cache=True)
def flatten_islands(x, ids, islands):
    """Replace x on every island (``ids`` 1..islands) by the island's mean, in place."""
    sums = np.zeros(islands + 1)
    sizes = np.zeros(islands + 1)
    fx = x.ravel()
    fi = ids.ravel()
    for n in range(fx.size):
        c = fi[n]
        if 0 < c <= islands:
            sums[c] += fx[n]
            sizes[c] += 1.0
    for n in range(fx.size):
        c = fi[n]
        if 0 < c <= islands:
            fx[n] = sums[c] / sizes[c]


GRID_KERNELS = (
    apply_operator, residual, gauss_seidel_colour, jacobi_start, restrict_residual,
    prolong_add, coarsen_conductances, face_conductances, plane_currents, dot, cg_update,
    cg_direction, lincomb, mask_inactive,
)


def copy(dst: np.ndarray, src: np.ndarray) -> None:
    """dst = src, cast to dst's dtype; ``src`` may be any host array."""
    np.copyto(dst, src, casting="same_kind")


def fill(x: np.ndarray, value: float) -> None:
    """x = value everywhere."""
    x.fill(value)


def boundary_rhs(b: np.ndarray, g0: np.ndarray, v_in: float, v_out: float) -> None:
    """b = right-hand side of the inlet (``v_in``) and outlet (``v_out``) faces, 0 inside."""
    b[...] = 0.0
    b[0] = g0[0] * v_in
    b[-1] += g0[-1] * v_out


def linear_profile(x: np.ndarray, v_in: float, v_out: float) -> None:
    """x = potential falling linearly from ``v_in`` to ``v_out`` across the voxel centres."""
    n0 = x.shape[0]
    x[...] = (v_in + (v_out - v_in) * ((np.arange(n0) + 0.5) / n0))[:, None, None]


def wrap_faces_conduct(g1: np.ndarray, g2: np.ndarray) -> tuple[bool, bool]:
    """Whether any wrap-around face along axis 1 and along axis 2 conducts."""
    return bool(np.any(g1[:, -1])), bool(np.any(g2[:, :, -1]))


def spanning_cluster(labels: np.ndarray, conducting: np.ndarray, periodic: bool) -> np.ndarray:
    """Voxels whose label is ``conducting`` (bool per label) connected to both axis-0 faces."""
    return connected_to_both_faces(conducting[labels], 0, (1, 2) if periodic else ())


def present_labels(labels: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Sorted labels that occur inside ``mask``."""
    return np.unique(labels[mask])


def conductivity_field(labels: np.ndarray, table: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """Float32 conductivity ``table[label]`` on ``mask`` and 0 elsewhere."""
    field = table.astype(np.float32, copy=False)[labels]
    field[~mask] = 0.0
    return field


def _available_memory_bytes() -> int | None:
    """MemAvailable from /proc/meminfo in bytes, or None where the system does not say."""
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        return None
    return None


HOST_OPS = dict(
    name="cpu",
    empty=np.empty,
    zeros=np.zeros,
    to_host=np.asarray,
    to_device=np.ascontiguousarray,
    copy=copy,
    fill=fill,
    synchronize=lambda: None,
    available_memory_bytes=_available_memory_bytes,
    boundary_rhs=boundary_rhs,
    linear_profile=linear_profile,
    wrap_faces_conduct=wrap_faces_conduct,
    spanning_cluster=spanning_cluster,
    count_nonzero=np.count_nonzero,
    present_labels=present_labels,
    conductivity_field=conductivity_field,
    cluster_residual_sums=cluster_residual_sums,
    add_coarse=add_coarse,
    flatten_islands=flatten_islands,
)


def _compile(parallel: bool) -> SimpleNamespace:
    """Op table: numba dispatchers of the grid kernels, threaded or not (separately cached),
    with the host array handling and the serial setup and deflation kernels."""
    dispatchers = {}
    for kernel in GRID_KERNELS:
        function = kernel
        if parallel:
            # A distinct qualified name gives the threaded build its own on-disk cache entry.
            function = types.FunctionType(kernel.__code__, kernel.__globals__, kernel.__name__,
                                          kernel.__defaults__, kernel.__closure__)
            function.__qualname__ = f"{kernel.__qualname__}_parallel"
        dispatchers[kernel.__name__] = njit(parallel=parallel, cache=True, fastmath=True)(function)
    return SimpleNamespace(**HOST_OPS, **dispatchers)


SERIAL = _compile(parallel=False)
PARALLEL = _compile(parallel=True)
