"""numba.cuda kernels and the CUDA op table of the voxel conduction solver.

The table :data:`CUDA` has the entries of ``kernels.SERIAL`` and computes the same numbers on
device arrays: the same canonical layout (current along axis 0, ``g0`` of shape
``(n0 + 1, n1, n2)``), the same arithmetic in the same order and precision per voxel, and
red-black Gauss-Seidel sweeps that reproduce the CPU's sweep order where odd periodic axes
couple voxels of equal colour (the wrap-around row and column are updated after the rest, in
the CPU's order). Reductions (dot products, plane currents) sum in a different order than the
CPU, which changes results at round-off level only. The spanning cluster is labelled on the
device with union-find (Playne & Hawick, IEEE TPDS 29 (2018) 1217) so that the volume crosses
to the GPU once, as uint8 labels.

Kernels loop over their index range with grid strides, so any launch shape covers any volume;
under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, used by the tests on machines
without a GPU) they are launched with a handful of threads, each covering many voxels.

Importing this module imports numba.cuda; :mod:`devices` does so only for ``device="cuda"``.
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numba
import numpy as np
from numba import cuda

from cathodetwin.analysis.transport.kernels import TINY

# Under the simulator numba.cuda's API comes from numba.cuda.simulator (both numba's built-in
# target and the numba-cuda package).
SIMULATED = "simulator" in getattr(cuda.jit, "__module__", "")
# Threads per block of the 3D grid kernels (along k, j, i) and of the reductions.
BLOCK = (2, 2, 1) if SIMULATED else (64, 4, 1)
REDUCE_THREADS = 2 if SIMULATED else 256  # a power of two, at most REDUCE_CACHE
REDUCE_CACHE = 256
MAX_BLOCKS = 2 if SIMULATED else 4096  # grid-stride loops cover the rest
FLAT_THREADS = 2 if SIMULATED else 256

# Coarse multigrid levels are small grids by design.
warnings.filterwarnings("ignore", message="Grid size .* will likely result in GPU under")


def _grid3(n0: int, n1: int, n2: int) -> tuple[int, int, int]:
    """Blocks along (k, j, i) for a grid-stride launch over an (n0, n1, n2) box."""
    if SIMULATED:
        return (1, 1, 1)
    bk, bj, bi = BLOCK
    return (min(-(-n2 // bk), 65535), min(-(-n1 // bj), 65535), min(-(-n0 // bi), 65535))


def _blocks(size: int, threads: int) -> int:
    """Blocks for a grid-stride launch over ``size`` elements."""
    return max(1, min(MAX_BLOCKS, -(-size // threads)))


def _flat(a):
    """1D view of a C-contiguous device array."""
    return a.reshape(a.size)


# --------------------------------------------------------------------------------------------
# Point functions (same expressions, in the same order, as kernels.py)

@cuda.jit(device=True)
def _flux(x, g0, g1, g2, i, j, k):
    """(A x) at (i, j, k) as the sum of face currents g (x_c − x_neighbour)."""
    n0, n1, n2 = x.shape
    jm = j - 1 if j > 0 else n1 - 1
    jp = j + 1 if j + 1 < n1 else 0
    km = k - 1 if k > 0 else n2 - 1
    kp = k + 1 if k + 1 < n2 else 0
    c = x[i, j, k]
    zero = c - c
    below = x[i - 1, j, k] if i > 0 else zero
    above = x[i + 1, j, k] if i < n0 - 1 else zero
    return (g0[i, j, k] * (c - below) + g0[i + 1, j, k] * (c - above)
            + g1[i, jm, k] * (c - x[i, jm, k]) + g1[i, j, k] * (c - x[i, jp, k])
            + g2[i, j, km] * (c - x[i, j, km]) + g2[i, j, k] * (c - x[i, j, kp]))


@cuda.jit(device=True)
def _gauss_seidel_value(x, b, g0, g1, g2, i, j, k):
    """Gauss-Seidel update of voxel (i, j, k): (b + Σ g x_neighbour) / Σ g."""
    n0, n1, n2 = x.shape
    jm = j - 1 if j > 0 else n1 - 1
    jp = j + 1 if j + 1 < n1 else 0
    km = k - 1 if k > 0 else n2 - 1
    kp = k + 1 if k + 1 < n2 else 0
    c = x[i, j, k]
    zero = c - c
    below = x[i - 1, j, k] if i > 0 else zero
    above = x[i + 1, j, k] if i < n0 - 1 else zero
    diag = (g0[i, j, k] + g0[i + 1, j, k] + g1[i, jm, k] + g1[i, j, k] + g2[i, j, km]
            + g2[i, j, k])
    s = (g0[i, j, k] * below + g0[i + 1, j, k] * above + g1[i, jm, k] * x[i, jm, k]
         + g1[i, j, k] * x[i, jp, k] + g2[i, j, km] * x[i, j, km] + g2[i, j, k] * x[i, j, kp])
    return (b[i, j, k] + s) / max(diag, TINY)


@cuda.jit(device=True)
def _residual_pair(x, b, g0, g1, g2, i, j, k):
    """Residual b − A x of voxel (i, j, k) plus that of (i, j, k + 1) where it exists."""
    value = b[i, j, k] - _flux(x, g0, g1, g2, i, j, k)
    if k + 1 < x.shape[2]:
        value = value + (b[i, j, k + 1] - _flux(x, g0, g1, g2, i, j, k + 1))
    return value


@cuda.jit(device=True)
def _block_sum(cache, t, nt):
    """Tree sum of cache[0:nt] into cache[0] (nt a power of two; all threads call it)."""
    h = nt // 2
    while h > 0:
        if t < h:
            cache[t] += cache[t + h]
        cuda.syncthreads()
        h //= 2


# --------------------------------------------------------------------------------------------
# Grid kernels

@cuda.jit(cache=True)
def _apply_operator(x, g0, g1, g2, out):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                out[i, j, k] = _flux(x, g0, g1, g2, i, j, k)


@cuda.jit(cache=True)
def _residual(x, b, g0, g1, g2, out):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                out[i, j, k] = b[i, j, k] - _flux(x, g0, g1, g2, i, j, k)


@cuda.jit(cache=True)
def _gauss_seidel_box(x, b, g0, g1, g2, colour, j_lo, j_hi, k_lo, k_hi, skip_j, skip_k):
    """Update voxels of ``colour`` with j in [j_lo, j_hi), k in [k_lo, k_hi), except the
    wrap-around row ``skip_j`` and column ``skip_k`` (−1: none)."""
    n0 = x.shape[0]
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j_lo + j0, j_hi, sj):
            if j == skip_j:
                continue
            for k in range(k_lo + k0, k_hi, sk):
                if k != skip_k and (i + j + k) % 2 == colour:
                    x[i, j, k] = _gauss_seidel_value(x, b, g0, g1, g2, i, j, k)


@cuda.jit(cache=True)
def _jacobi_start(x, b, g0, g1, g2, colour):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            jm = j - 1 if j > 0 else n1 - 1
            for k in range(k0, n2, sk):
                km = k - 1 if k > 0 else n2 - 1
                if (i + j + k) % 2 == colour:
                    diag = (g0[i, j, k] + g0[i + 1, j, k] + g1[i, jm, k] + g1[i, j, k]
                            + g2[i, j, km] + g2[i, j, k])
                    x[i, j, k] = b[i, j, k] / max(diag, TINY)
                else:
                    x[i, j, k] = 0.0


@cuda.jit(cache=True)
def _restrict_residual(x, b, g0, g1, g2, coarse):
    n0, n1, _ = x.shape
    m0, m1, m2 = coarse.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for ci in range(i0, m0, si):
        i = 2 * ci
        for cj in range(j0, m1, sj):
            j = 2 * cj
            for ck in range(k0, m2, sk):
                k = 2 * ck
                # Same order as the CPU: rows (i, j), (i, j+1), (i+1, j), (i+1, j+1).
                acc = _residual_pair(x, b, g0, g1, g2, i, j, k)
                if j + 1 < n1:
                    acc += _residual_pair(x, b, g0, g1, g2, i, j + 1, k)
                if i + 1 < n0:
                    acc += _residual_pair(x, b, g0, g1, g2, i + 1, j, k)
                    if j + 1 < n1:
                        acc += _residual_pair(x, b, g0, g1, g2, i + 1, j + 1, k)
                coarse[ci, cj, ck] = acc


@cuda.jit(cache=True)
def _prolong_add(x, coarse, weight):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                x[i, j, k] += weight * coarse[i // 2, j // 2, k // 2]


@cuda.jit(cache=True)
def _coarsen_conductances(g0, g1, g2, c0, c1, c2):
    n0, n1, n2 = g1.shape
    m0, m1, m2 = c1.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for ci in range(i0, m0 + 1, si):
        fi = n0 if ci == m0 else 2 * ci
        for cj in range(j0, m1, sj):
            j = 2 * cj
            jf = min(j + 1, n1 - 1)  # the fine face between aggregates cj and cj + 1
            for ck in range(k0, m2, sk):
                k = 2 * ck
                kf = min(k + 1, n2 - 1)
                acc = g0[fi, j, k]
                if k + 1 < n2:
                    acc += g0[fi, j, k + 1]
                if j + 1 < n1:
                    acc += g0[fi, j + 1, k]
                    if k + 1 < n2:
                        acc += g0[fi, j + 1, k + 1]
                c0[ci, cj, ck] = acc
                if ci == m0:
                    continue
                i = fi
                a1 = g1[i, jf, k]
                if k + 1 < n2:
                    a1 += g1[i, jf, k + 1]
                a2 = g2[i, j, kf]
                if j + 1 < n1:
                    a2 += g2[i, j + 1, kf]
                if i + 1 < n0:
                    a1 += g1[i + 1, jf, k]
                    if k + 1 < n2:
                        a1 += g1[i + 1, jf, k + 1]
                    a2 += g2[i + 1, j, kf]
                    if j + 1 < n1:
                        a2 += g2[i + 1, j + 1, kf]
                c1[ci, cj, ck] = a1 if m1 > 1 else 0.0
                c2[ci, cj, ck] = a2 if m2 > 1 else 0.0


@cuda.jit(cache=True)
def _face_conductances(sigma, scale0, scale1, scale2, periodic1, periodic2, g0, g1, g2):
    n0, n1, n2 = sigma.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0 + 1, si):
        for j in range(j0, n1, sj):
            jp = j + 1 if j + 1 < n1 else 0
            for k in range(k0, n2, sk):
                if i == 0:
                    g0[i, j, k] = 2.0 * scale0 * sigma[0, j, k]
                elif i == n0:
                    g0[i, j, k] = 2.0 * scale0 * sigma[n0 - 1, j, k]
                else:
                    a = sigma[i - 1, j, k]
                    c = sigma[i, j, k]
                    g0[i, j, k] = 2.0 * scale0 * a * c / (a + c) if a > 0.0 and c > 0.0 else 0.0
                if i == n0:
                    continue
                kp = k + 1 if k + 1 < n2 else 0
                a = sigma[i, j, k]
                c = sigma[i, jp, k]
                ok = a > 0.0 and c > 0.0 and (periodic1 or jp > j)
                g1[i, j, k] = 2.0 * scale1 * a * c / (a + c) if ok else 0.0
                c = sigma[i, j, kp]
                ok = a > 0.0 and c > 0.0 and (periodic2 or kp > k)
                g2[i, j, k] = 2.0 * scale2 * a * c / (a + c) if ok else 0.0


@cuda.jit(cache=True)
def _plane_currents(x, g0, v_in, v_out, out):
    """One block per plane normal to axis 0: Σ g (φ_up − φ_down) over the plane."""
    n0, n1, n2 = x.shape
    cache = cuda.shared.array(REDUCE_CACHE, numba.float64)
    t = cuda.threadIdx.x
    nt = cuda.blockDim.x
    for i in range(cuda.blockIdx.x, n0 + 1, cuda.gridDim.x):
        acc = 0.0
        for f in range(t, n1 * n2, nt):
            j = f // n2
            k = f - j * n2
            up = v_in if i == 0 else numba.float64(x[i - 1, j, k])
            down = v_out if i == n0 else numba.float64(x[i, j, k])
            acc += numba.float64(g0[i, j, k]) * (up - down)
        cache[t] = acc
        cuda.syncthreads()
        _block_sum(cache, t, nt)
        if t == 0:
            out[i] = cache[0]
        cuda.syncthreads()


@cuda.jit(cache=True)
def _dot(a, b, partial):
    """Per-block float64 partial sums of a·b (1D arrays)."""
    cache = cuda.shared.array(REDUCE_CACHE, numba.float64)
    t = cuda.threadIdx.x
    acc = 0.0
    for n in range(cuda.grid(1), a.size, cuda.gridsize(1)):
        acc += numba.float64(a[n]) * numba.float64(b[n])
    cache[t] = acc
    cuda.syncthreads()
    _block_sum(cache, t, cuda.blockDim.x)
    if t == 0:
        partial[cuda.blockIdx.x] = cache[0]


@cuda.jit(cache=True)
def _cg_update(x, r, p, q, alpha):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        x[n] += alpha * p[n]
        r[n] -= alpha * q[n]


@cuda.jit(cache=True)
def _cg_direction(p, z, beta):
    for n in range(cuda.grid(1), p.size, cuda.gridsize(1)):
        p[n] = z[n] + beta * p[n]


@cuda.jit(cache=True)
def _lincomb(out, a, x, b, y):
    for n in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[n] = a * x[n] + b * y[n]


@cuda.jit(cache=True)
def _copy(dst, src):
    for n in range(cuda.grid(1), dst.size, cuda.gridsize(1)):
        dst[n] = src[n]


@cuda.jit(cache=True)
def _fill(x, value):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        x[n] = value


@cuda.jit(cache=True)
def _mask_inactive(x, g0, g1, g2):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            jm = j - 1 if j > 0 else n1 - 1
            for k in range(k0, n2, sk):
                km = k - 1 if k > 0 else n2 - 1
                diag = (g0[i, j, k] + g0[i + 1, j, k] + g1[i, jm, k] + g1[i, j, k]
                        + g2[i, j, km] + g2[i, j, k])
                if diag == 0.0:
                    x[i, j, k] = 0.0


@cuda.jit(cache=True)
def _boundary_rhs(b, g0, v_in, v_out):
    n0, n1, n2 = b.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                value = 0.0
                if i == 0:
                    value = g0[0, j, k] * v_in
                if i == n0 - 1:
                    value += g0[n0, j, k] * v_out
                b[i, j, k] = value


@cuda.jit(cache=True)
def _linear_profile(x, v_in, v_out):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        value = v_in + (v_out - v_in) * ((i + 0.5) / n0)
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                x[i, j, k] = value


@cuda.jit(cache=True)
def _wrap_faces(g1, g2, flags):
    """flags[0] = 1 if a wrap face along axis 1 conducts, flags[1] likewise along axis 2."""
    n0, n1, n2 = g1.shape
    _, a0, i0 = cuda.grid(3)
    _, sa, si = cuda.gridsize(3)
    if cuda.grid(3)[0] > 0:
        return
    for i in range(i0, n0, si):
        for a in range(a0, max(n1, n2), sa):
            if a < n2 and g1[i, n1 - 1, a] != 0.0:
                flags[0] = 1
            if a < n1 and g2[i, a, n2 - 1] != 0.0:
                flags[1] = 1


# --------------------------------------------------------------------------------------------
# Spanning cluster: union-find labelling on the device

@cuda.jit(device=True)
def _find(parent, a):
    """Root of ``a``'s tree (parents only ever decrease, so this terminates)."""
    p = parent[a]
    while p != a:
        a = p
        p = parent[a]
    return a


@cuda.jit(device=True)
def _union(parent, a, b):
    """Join the trees of a and b, linking the larger root under the smaller one."""
    while True:
        a = _find(parent, a)
        b = _find(parent, b)
        if a == b:
            return
        if a < b:
            a, b = b, a
        old = cuda.atomic.min(parent, a, b)
        if old == a:
            return
        a = old  # a was linked elsewhere meanwhile: join that tree too


@cuda.jit(cache=True)
def _ccl_init(labels, lut, parent):
    n0, n1, n2 = labels.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                n = (i * n1 + j) * n2 + k
                parent[n] = n if lut[labels[i, j, k]] else -1


@cuda.jit(cache=True)
def _ccl_union(labels, lut, parent, periodic1, periodic2):
    n0, n1, n2 = labels.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                if not lut[labels[i, j, k]]:
                    continue
                n = (i * n1 + j) * n2 + k
                if i > 0 and lut[labels[i - 1, j, k]]:
                    _union(parent, n, n - n1 * n2)
                if j > 0 and lut[labels[i, j - 1, k]]:
                    _union(parent, n, n - n2)
                elif j == 0 and periodic1 and lut[labels[i, n1 - 1, k]]:
                    _union(parent, n, n + (n1 - 1) * n2)
                if k > 0 and lut[labels[i, j, k - 1]]:
                    _union(parent, n, n - 1)
                elif k == 0 and periodic2 and lut[labels[i, j, n2 - 1]]:
                    _union(parent, n, n + n2 - 1)


@cuda.jit(cache=True)
def _ccl_flatten(parent):
    for n in range(cuda.grid(1), parent.size, cuda.gridsize(1)):
        if parent[n] >= 0:
            parent[n] = _find(parent, n)


@cuda.jit(cache=True)
def _ccl_faces(parent, layer, inlet, outlet):
    """Mark the roots of the clusters in the first and in the last layer (``layer`` voxels)."""
    last = parent.size - layer
    for n in range(cuda.grid(1), layer, cuda.gridsize(1)):
        if parent[n] >= 0:
            inlet[parent[n]] = 1
        if parent[last + n] >= 0:
            outlet[parent[last + n]] = 1


@cuda.jit(cache=True)
def _ccl_spanning(parent, inlet, outlet, mask):
    for n in range(cuda.grid(1), parent.size, cuda.gridsize(1)):
        root = parent[n]
        mask[n] = 1 if root >= 0 and inlet[root] and outlet[root] else 0


@cuda.jit(cache=True)
def _present_labels(labels, mask, seen):
    for n in range(cuda.grid(1), labels.size, cuda.gridsize(1)):
        if mask[n]:
            seen[labels[n]] = 1


@cuda.jit(cache=True)
def _conductivity_field(labels, table, mask, out):
    for n in range(cuda.grid(1), labels.size, cuda.gridsize(1)):
        out[n] = table[labels[n]] if mask[n] else 0.0


# --------------------------------------------------------------------------------------------
# Island deflation

@cuda.jit(cache=True)
def _cluster_residual_sums(z, r, g0, g1, g2, ids, out):
    n0, n1, n2 = z.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            jm = j - 1 if j > 0 else n1 - 1
            jp = j + 1 if j + 1 < n1 else 0
            for k in range(k0, n2, sk):
                c = ids[i, j, k]
                if c == 0:
                    continue
                km = k - 1 if k > 0 else n2 - 1
                kp = k + 1 if k + 1 < n2 else 0
                x = numba.float64(z[i, j, k])
                below = numba.float64(z[i - 1, j, k]) if i > 0 else 0.0
                above = numba.float64(z[i + 1, j, k]) if i < n0 - 1 else 0.0
                az = (g0[i, j, k] * (x - below) + g0[i + 1, j, k] * (x - above)
                      + g1[i, jm, k] * (x - z[i, jm, k]) + g1[i, j, k] * (x - z[i, jp, k])
                      + g2[i, j, km] * (x - z[i, j, km]) + g2[i, j, k] * (x - z[i, j, kp]))
                cuda.atomic.add(out, c - 1, r[i, j, k] - az)


@cuda.jit(cache=True)
def _add_coarse(z, ids, values):
    for n in range(cuda.grid(1), z.size, cuda.gridsize(1)):
        c = ids[n]
        if c > 0:
            z[n] += values[c - 1]


@cuda.jit(cache=True)
def _island_sums(x, ids, islands, sums, sizes):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        c = ids[n]
        if 0 < c <= islands:
            cuda.atomic.add(sums, c, numba.float64(x[n]))
            cuda.atomic.add(sizes, c, 1.0)


@cuda.jit(cache=True)
def _island_means(x, ids, islands, sums, sizes):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        c = ids[n]
        if 0 < c <= islands:
            x[n] = sums[c] / sizes[c]


# --------------------------------------------------------------------------------------------
# The op table: host-side wrappers with the signatures of kernels.SERIAL

def _launch3(kernel, shape, *args) -> None:
    """Launch a 3D grid-stride kernel over a box of ``shape`` (i, j, k)."""
    kernel[_grid3(*shape), BLOCK](*args)


def _launch1(kernel, size, *args) -> None:
    """Launch a 1D grid-stride kernel over ``size`` elements."""
    kernel[_blocks(size, FLAT_THREADS), FLAT_THREADS](*args)


def empty(shape, dtype=np.float64):
    """Uninitialised device array."""
    return cuda.device_array(shape, dtype=dtype)


def fill(x, value: float) -> None:
    """x = value everywhere."""
    _launch1(_fill, x.size, _flat(x), value)


def zeros(shape, dtype=np.float64):
    """Device array of zeros."""
    x = empty(shape, dtype)
    fill(x, 0.0)
    return x


def to_host(a) -> np.ndarray:
    """Host copy of a device array (host arrays pass through)."""
    return np.asarray(a) if isinstance(a, np.ndarray) else a.copy_to_host()


def to_device(a):
    """Device copy of a host array."""
    return cuda.to_device(np.ascontiguousarray(a))


def copy(dst, src) -> None:
    """dst = src cast to dst's dtype; ``src`` may be a host array."""
    if isinstance(src, np.ndarray):
        dst.copy_to_device(np.ascontiguousarray(src, dtype=dst.dtype))
    else:
        _launch1(_copy, dst.size, _flat(dst), _flat(src))


def available_memory_bytes() -> int | None:
    """Free memory of the GPU in bytes (None where the driver does not say)."""
    free = cuda.current_context().get_memory_info()[0]
    return int(free) if math.isfinite(free) else None


def apply_operator(x, g0, g1, g2, out) -> None:
    """out = A x."""
    _launch3(_apply_operator, x.shape, x, g0, g1, g2, out)


def residual(x, b, g0, g1, g2, out) -> None:
    """out = b − A x."""
    _launch3(_residual, x.shape, x, b, g0, g1, g2, out)


def gauss_seidel_colour(x, b, g0, g1, g2, colour, reverse) -> None:
    """Red-black half-sweep over voxels with (i + j + k) % 2 == colour, in the CPU's order.

    Equal colours couple only across the wrap faces of odd axes; the CPU updates the last
    row/column of the sweep after the first, so here they follow in separate launches.
    """
    n0, n1, n2 = x.shape
    late_j = (0 if reverse else n1 - 1) if n1 % 2 == 1 and n1 > 1 else -1
    late_k = (0 if reverse else n2 - 1) if n2 % 2 == 1 and n2 > 1 else -1
    args = (x, b, g0, g1, g2, colour)
    _launch3(_gauss_seidel_box, (n0, n1, n2), *args, 0, n1, 0, n2, late_j, late_k)
    if late_j >= 0:
        _launch3(_gauss_seidel_box, (n0, 1, n2), *args, late_j, late_j + 1, 0, n2, -1, late_k)
    if late_k >= 0:
        _launch3(_gauss_seidel_box, (n0, n1, 1), *args, 0, n1, late_k, late_k + 1, late_j, -1)
    if late_j >= 0 and late_k >= 0:
        _launch3(_gauss_seidel_box, (n0, 1, 1), *args, late_j, late_j + 1, late_k,
                 late_k + 1, -1, -1)


def jacobi_start(x, b, g0, g1, g2, colour) -> None:
    """x = b / diag on one colour and 0 elsewhere."""
    _launch3(_jacobi_start, x.shape, x, b, g0, g1, g2, colour)


def restrict_residual(x, b, g0, g1, g2, coarse) -> None:
    """coarse = Pᵀ (b − A x)."""
    _launch3(_restrict_residual, coarse.shape, x, b, g0, g1, g2, coarse)


def prolong_add(x, coarse, weight) -> None:
    """x += weight · P coarse."""
    _launch3(_prolong_add, x.shape, x, coarse, weight)


def coarsen_conductances(g0, g1, g2, c0, c1, c2) -> None:
    """Galerkin coarse operator Pᵀ A P of 2×2×2 aggregation."""
    _launch3(_coarsen_conductances, c0.shape, g0, g1, g2, c0, c1, c2)


def face_conductances(sigma, scale0, scale1, scale2, periodic1, periodic2, g0, g1, g2) -> None:
    """Face conductances from voxel conductivities (see kernels.face_conductances)."""
    n0, n1, n2 = sigma.shape
    _launch3(_face_conductances, (n0 + 1, n1, n2), sigma, float(scale0), float(scale1),
             float(scale2), bool(periodic1 and n1 > 1), bool(periodic2 and n2 > 1), g0, g1, g2)


def plane_currents(x, g0, v_in, v_out) -> np.ndarray:
    """Current through every plane normal to axis 0 (n0 + 1 planes, inlet first), on the host."""
    out = cuda.device_array(x.shape[0] + 1, dtype=np.float64)
    _plane_currents[min(out.size, MAX_BLOCKS), REDUCE_THREADS](x, g0, float(v_in),
                                                               float(v_out), out)
    return out.copy_to_host()


_partial_sums: dict[int, object] = {}  # per-block sums of dot(), one buffer per GPU context


def dot(a, b) -> float:
    """Float64 inner product of two equally shaped device arrays."""
    blocks = _blocks(a.size, REDUCE_THREADS)
    context = id(cuda.current_context())
    if context not in _partial_sums:
        _partial_sums[context] = cuda.device_array(MAX_BLOCKS, dtype=np.float64)
    partial = _partial_sums[context][:blocks]
    _dot[blocks, REDUCE_THREADS](_flat(a), _flat(b), partial)
    return float(np.sum(partial.copy_to_host()))


def cg_update(x, r, p, q, alpha) -> None:
    """x += alpha p; r −= alpha q."""
    _launch1(_cg_update, x.size, _flat(x), _flat(r), _flat(p), _flat(q), float(alpha))


def cg_direction(p, z, beta) -> None:
    """p = z + beta p."""
    _launch1(_cg_direction, p.size, _flat(p), _flat(z), float(beta))


def lincomb(out, a, x, b, y) -> None:
    """out = a x + b y."""
    _launch1(_lincomb, out.size, _flat(out), float(a), _flat(x), float(b), _flat(y))


def mask_inactive(x, g0, g1, g2) -> None:
    """x = 0 on inactive voxels."""
    _launch3(_mask_inactive, x.shape, x, g0, g1, g2)


def boundary_rhs(b, g0, v_in, v_out) -> None:
    """b = right-hand side of the inlet and outlet faces, 0 inside."""
    _launch3(_boundary_rhs, b.shape, b, g0, float(v_in), float(v_out))


def linear_profile(x, v_in, v_out) -> None:
    """x = potential falling linearly from ``v_in`` to ``v_out`` across the voxel centres."""
    _launch3(_linear_profile, x.shape, x, float(v_in), float(v_out))


def wrap_faces_conduct(g1, g2) -> tuple[bool, bool]:
    """Whether any wrap-around face along axis 1 and along axis 2 conducts."""
    n0, n1, n2 = g1.shape
    flags = zeros(2, np.int32)
    _launch3(_wrap_faces, (n0, max(n1, n2), 1), g1, g2, flags)
    found = flags.copy_to_host()
    return bool(found[0]), bool(found[1])


def spanning_cluster(labels, conducting: np.ndarray, periodic: bool):
    """uint8 mask of the voxels whose label is ``conducting`` (bool per label, host) and that
    are face-connected to both axis-0 faces (joined across periodic lateral faces)."""
    n0, n1, n2 = labels.shape
    lut = to_device(np.asarray(conducting, dtype=np.uint8))
    parent = empty(labels.size, np.int32 if labels.size < 2**31 else np.int64)
    _launch3(_ccl_init, labels.shape, labels, lut, parent)
    _launch3(_ccl_union, labels.shape, labels, lut, parent, bool(periodic and n1 > 1),
             bool(periodic and n2 > 1))
    _launch1(_ccl_flatten, parent.size, parent)
    inlet, outlet = zeros(labels.size, np.uint8), zeros(labels.size, np.uint8)
    _launch1(_ccl_faces, n1 * n2, parent, n1 * n2, inlet, outlet)
    mask = empty(labels.shape, np.uint8)
    _launch1(_ccl_spanning, parent.size, parent, inlet, outlet, _flat(mask))
    return mask


def count_nonzero(mask) -> int:
    """Number of non-zero voxels of a uint8 mask."""
    return int(round(dot(mask, mask)))


def present_labels(labels, mask) -> np.ndarray:
    """Sorted labels (uint8) that occur inside ``mask``."""
    seen = zeros(256, np.int32)
    _launch1(_present_labels, labels.size, _flat(labels), _flat(mask), seen)
    return np.flatnonzero(seen.copy_to_host()).astype(np.uint8)


def conductivity_field(labels, table: np.ndarray, mask):
    """Float32 conductivity ``table[label]`` on ``mask`` and 0 elsewhere."""
    out = empty(labels.shape, np.float32)
    _launch1(_conductivity_field, labels.size, _flat(labels),
             to_device(np.asarray(table, dtype=np.float32)), _flat(mask), _flat(out))
    return out


def cluster_residual_sums(z, r, g0, g1, g2, ids, count) -> np.ndarray:
    """Σ over each coarse basis function's voxels of (r − A z), on the host."""
    out = zeros(count, np.float64)
    _launch3(_cluster_residual_sums, z.shape, z, r, g0, g1, g2, ids, out)
    return out.copy_to_host()


def add_coarse(z, ids, values: np.ndarray) -> None:
    """z += Z values (``values`` on the host)."""
    _launch1(_add_coarse, z.size, _flat(z), _flat(ids), to_device(values))


def flatten_islands(x, ids, islands) -> None:
    """Replace x on every island (ids 1..islands) by the island's mean."""
    sums, sizes = zeros(islands + 1, np.float64), zeros(islands + 1, np.float64)
    _launch1(_island_sums, x.size, _flat(x), _flat(ids), islands, sums, sizes)
    _launch1(_island_means, x.size, _flat(x), _flat(ids), islands, sums, sizes)


CUDA = SimpleNamespace(
    name="cuda",
    empty=empty, zeros=zeros, to_host=to_host, to_device=to_device, copy=copy, fill=fill,
    synchronize=cuda.synchronize, available_memory_bytes=available_memory_bytes,
    boundary_rhs=boundary_rhs, linear_profile=linear_profile,
    wrap_faces_conduct=wrap_faces_conduct, spanning_cluster=spanning_cluster,
    count_nonzero=count_nonzero, present_labels=present_labels,
    conductivity_field=conductivity_field, cluster_residual_sums=cluster_residual_sums,
    add_coarse=add_coarse, flatten_islands=flatten_islands,
    apply_operator=apply_operator, residual=residual, gauss_seidel_colour=gauss_seidel_colour,
    jacobi_start=jacobi_start, restrict_residual=restrict_residual, prolong_add=prolong_add,
    coarsen_conductances=coarsen_conductances, face_conductances=face_conductances,
    plane_currents=plane_currents, dot=dot, cg_update=cg_update, cg_direction=cg_direction,
    lincomb=lincomb, mask_inactive=mask_inactive,
)
