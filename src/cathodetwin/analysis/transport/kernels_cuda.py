"""numba.cuda kernels of the voxel conduction solver (launched by :mod:`ops_cuda`).

Same canonical layout as :mod:`kernels` (current along axis 0, ``g0`` of shape
``(n0 + 1, n1, n2)``) and the same arithmetic per voxel, in the same order and precision.
Every kernel loops over its index range with grid strides (3D kernels: x threads along k,
y along j, z along i), so any launch shape covers any volume. The spanning cluster is labelled
with union-find (Playne & Hawick, IEEE TPDS 29 (2018) 1217).

Importing this module imports numba.cuda; :mod:`devices` does so only for ``device="cuda"``.
"""

from __future__ import annotations

import numba
from numba import cuda

from cathodetwin.analysis.transport.kernels import TINY

REDUCE_CACHE = 256  # shared-memory slots of the block reductions: the most threads per block


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
def apply_operator(x, g0, g1, g2, out):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                out[i, j, k] = _flux(x, g0, g1, g2, i, j, k)


@cuda.jit(cache=True)
def residual(x, b, g0, g1, g2, out):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                out[i, j, k] = b[i, j, k] - _flux(x, g0, g1, g2, i, j, k)


@cuda.jit(cache=True)
def gauss_seidel_box(x, b, g0, g1, g2, colour, j_lo, j_hi, k_lo, k_hi, skip_j, skip_k):
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
def jacobi_start(x, b, g0, g1, g2, colour):
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
def restrict_residual(x, b, g0, g1, g2, coarse):
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
def prolong_add(x, coarse, weight):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                x[i, j, k] += weight * coarse[i // 2, j // 2, k // 2]


@cuda.jit(cache=True)
def coarsen_conductances(g0, g1, g2, c0, c1, c2):
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
def face_conductances(sigma, scale0, scale1, scale2, periodic1, periodic2, g0, g1, g2):
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
def plane_currents(x, g0, v_in, v_out, out):
    """One block per plane normal to axis 0: Σ g (φ_up − φ_down) over the plane."""
    n0, n1, n2 = x.shape
    cache = cuda.shared.array(REDUCE_CACHE, numba.float64)
    t = cuda.threadIdx.x
    nt = cuda.blockDim.x
    for i in range(cuda.blockIdx.x, n0 + 1, cuda.gridDim.x):
        acc = 0.0
        for j in range(n1):
            for k in range(t, n2, nt):
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
def dot(a, b, partial):
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
def cg_update(x, r, p, q, alpha):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        x[n] += alpha * p[n]
        r[n] -= alpha * q[n]


@cuda.jit(cache=True)
def cg_direction(p, z, beta):
    for n in range(cuda.grid(1), p.size, cuda.gridsize(1)):
        p[n] = z[n] + beta * p[n]


@cuda.jit(cache=True)
def lincomb(out, a, x, b, y):
    for n in range(cuda.grid(1), out.size, cuda.gridsize(1)):
        out[n] = a * x[n] + b * y[n]


@cuda.jit(cache=True)
def copy(dst, src):
    for n in range(cuda.grid(1), dst.size, cuda.gridsize(1)):
        dst[n] = src[n]


@cuda.jit(cache=True)
def fill(x, value):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        x[n] = value


@cuda.jit(cache=True)
def mask_inactive(x, g0, g1, g2):
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
def boundary_rhs(b, g0, v_in, v_out):
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
def linear_profile(x, v_in, v_out):
    n0, n1, n2 = x.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        value = v_in + (v_out - v_in) * ((i + 0.5) / n0)
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                x[i, j, k] = value


@cuda.jit(cache=True)
def wrap_faces(g1, g2, flags):
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
def ccl_init(labels, lut, parent):
    n0, n1, n2 = labels.shape
    k0, j0, i0 = cuda.grid(3)
    sk, sj, si = cuda.gridsize(3)
    for i in range(i0, n0, si):
        for j in range(j0, n1, sj):
            for k in range(k0, n2, sk):
                n = (i * n1 + j) * n2 + k
                parent[n] = n if lut[labels[i, j, k]] else -1


@cuda.jit(cache=True)
def ccl_union(labels, lut, parent, periodic1, periodic2):
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
def ccl_flatten(parent):
    for n in range(cuda.grid(1), parent.size, cuda.gridsize(1)):
        if parent[n] >= 0:
            parent[n] = _find(parent, n)


@cuda.jit(cache=True)
def ccl_faces(parent, layer, inlet, outlet):
    """Mark the roots of the clusters in the first and in the last layer (``layer`` voxels)."""
    last = parent.size - layer
    for n in range(cuda.grid(1), layer, cuda.gridsize(1)):
        if parent[n] >= 0:
            inlet[parent[n]] = 1
        if parent[last + n] >= 0:
            outlet[parent[last + n]] = 1


@cuda.jit(cache=True)
def ccl_spanning(parent, inlet, outlet, mask):
    for n in range(cuda.grid(1), parent.size, cuda.gridsize(1)):
        root = parent[n]
        mask[n] = 1 if root >= 0 and inlet[root] and outlet[root] else 0


@cuda.jit(cache=True)
def present_labels(labels, mask, seen):
    for n in range(cuda.grid(1), labels.size, cuda.gridsize(1)):
        if mask[n]:
            seen[labels[n]] = 1


@cuda.jit(cache=True)
def conductivity_field(labels, table, mask, out):
    for n in range(cuda.grid(1), labels.size, cuda.gridsize(1)):
        out[n] = table[labels[n]] if mask[n] else 0.0


# --------------------------------------------------------------------------------------------
# Island deflation

@cuda.jit(cache=True)
def cluster_residual_sums(z, r, g0, g1, g2, ids, out):
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
def add_coarse(z, ids, values):
    for n in range(cuda.grid(1), z.size, cuda.gridsize(1)):
        c = ids[n]
        if c > 0:
            z[n] += values[c - 1]


@cuda.jit(cache=True)
def island_sums(x, ids, islands, sums, sizes):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        c = ids[n]
        if 0 < c <= islands:
            cuda.atomic.add(sums, c, numba.float64(x[n]))
            cuda.atomic.add(sizes, c, 1.0)


@cuda.jit(cache=True)
def island_means(x, ids, islands, sums, sizes):
    for n in range(cuda.grid(1), x.size, cuda.gridsize(1)):
        c = ids[n]
        if 0 < c <= islands:
            x[n] = sums[c] / sizes[c]
