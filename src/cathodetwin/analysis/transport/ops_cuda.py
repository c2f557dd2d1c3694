"""The CUDA op table of the voxel conduction solver: launches of :mod:`kernels_cuda` on device
arrays, with the entries of ``kernels.SERIAL``.

:data:`CUDA` computes the same numbers as the CPU tables: the kernels repeat the CPU's
arithmetic per voxel, and the red-black Gauss-Seidel sweeps reproduce the CPU's sweep order
where odd periodic axes couple voxels of equal colour (the wrap-around row and column are
updated after the rest, in the CPU's order). Reductions (dot products, plane currents) sum in
another order, which changes results at round-off level only. The volume crosses to the GPU
once, as uint8 labels; per iteration only the plane currents, the dot products and the
coarsest multigrid level (≤ 4096 values) come back to the host.

Under numba's CUDA simulator (``NUMBA_ENABLE_CUDASIM=1``, used by the tests on machines without
a GPU) kernels are launched with a handful of threads, each covering many voxels.
"""

from __future__ import annotations

import math
import warnings
from types import SimpleNamespace

import numpy as np
from numba import cuda

from cathodetwin.analysis.transport import kernels_cuda as k

# Under the simulator numba.cuda's API comes from numba.cuda.simulator (both numba's built-in
# target and the numba-cuda package).
SIMULATED = "simulator" in getattr(cuda.jit, "__module__", "")
# Threads per block of the 3D grid kernels (along k, j, i) and of the reductions.
BLOCK = (2, 2, 1) if SIMULATED else (64, 4, 1)
REDUCE_THREADS = 2 if SIMULATED else k.REDUCE_CACHE  # a power of two, ≤ REDUCE_CACHE
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
    _launch1(k.fill, x.size, _flat(x), value)


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
        _launch1(k.copy, dst.size, _flat(dst), _flat(src))


def available_memory_bytes() -> int | None:
    """Free memory of the GPU in bytes (None where the driver does not say)."""
    free = cuda.current_context().get_memory_info()[0]
    return int(free) if math.isfinite(free) else None


def apply_operator(x, g0, g1, g2, out) -> None:
    """out = A x."""
    _launch3(k.apply_operator, x.shape, x, g0, g1, g2, out)


def residual(x, b, g0, g1, g2, out) -> None:
    """out = b − A x."""
    _launch3(k.residual, x.shape, x, b, g0, g1, g2, out)


def gauss_seidel_colour(x, b, g0, g1, g2, colour, reverse) -> None:
    """Red-black half-sweep over voxels with (i + j + k) % 2 == colour, in the CPU's order.

    Equal colours couple only across the wrap faces of odd axes; the CPU updates the last
    row/column of the sweep after the first, so here they follow in separate launches.
    """
    n0, n1, n2 = x.shape
    late_j = (0 if reverse else n1 - 1) if n1 % 2 == 1 and n1 > 1 else -1
    late_k = (0 if reverse else n2 - 1) if n2 % 2 == 1 and n2 > 1 else -1
    args = (x, b, g0, g1, g2, colour)
    sweep = k.gauss_seidel_box
    _launch3(sweep, (n0, n1, n2), *args, 0, n1, 0, n2, late_j, late_k)
    if late_j >= 0:
        _launch3(sweep, (n0, 1, n2), *args, late_j, late_j + 1, 0, n2, -1, late_k)
    if late_k >= 0:
        _launch3(sweep, (n0, n1, 1), *args, 0, n1, late_k, late_k + 1, late_j, -1)
    if late_j >= 0 and late_k >= 0:
        _launch3(sweep, (n0, 1, 1), *args, late_j, late_j + 1, late_k, late_k + 1, -1, -1)


def jacobi_start(x, b, g0, g1, g2, colour) -> None:
    """x = b / diag on one colour and 0 elsewhere."""
    _launch3(k.jacobi_start, x.shape, x, b, g0, g1, g2, colour)


def restrict_residual(x, b, g0, g1, g2, coarse) -> None:
    """coarse = Pᵀ (b − A x)."""
    _launch3(k.restrict_residual, coarse.shape, x, b, g0, g1, g2, coarse)


def prolong_add(x, coarse, weight) -> None:
    """x += weight · P coarse."""
    _launch3(k.prolong_add, x.shape, x, coarse, weight)


def coarsen_conductances(g0, g1, g2, c0, c1, c2) -> None:
    """Galerkin coarse operator Pᵀ A P of 2×2×2 aggregation."""
    _launch3(k.coarsen_conductances, c0.shape, g0, g1, g2, c0, c1, c2)


def face_conductances(sigma, scale0, scale1, scale2, periodic1, periodic2, g0, g1, g2) -> None:
    """Face conductances from voxel conductivities (see kernels.face_conductances)."""
    n0, n1, n2 = sigma.shape
    _launch3(k.face_conductances, (n0 + 1, n1, n2), sigma, float(scale0), float(scale1),
             float(scale2), bool(periodic1 and n1 > 1), bool(periodic2 and n2 > 1), g0, g1, g2)


def plane_currents(x, g0, v_in, v_out) -> np.ndarray:
    """Current through every plane normal to axis 0 (n0 + 1 planes, inlet first), on the host."""
    out = cuda.device_array(x.shape[0] + 1, dtype=np.float64)
    k.plane_currents[min(out.size, MAX_BLOCKS), REDUCE_THREADS](x, g0, float(v_in),
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
    k.dot[blocks, REDUCE_THREADS](_flat(a), _flat(b), partial)
    return float(np.sum(partial.copy_to_host()))


def cg_update(x, r, p, q, alpha) -> None:
    """x += alpha p; r −= alpha q."""
    _launch1(k.cg_update, x.size, _flat(x), _flat(r), _flat(p), _flat(q), float(alpha))


def cg_direction(p, z, beta) -> None:
    """p = z + beta p."""
    _launch1(k.cg_direction, p.size, _flat(p), _flat(z), float(beta))


def lincomb(out, a, x, b, y) -> None:
    """out = a x + b y."""
    _launch1(k.lincomb, out.size, _flat(out), float(a), _flat(x), float(b), _flat(y))


def mask_inactive(x, g0, g1, g2) -> None:
    """x = 0 on inactive voxels."""
    _launch3(k.mask_inactive, x.shape, x, g0, g1, g2)


def boundary_rhs(b, g0, v_in, v_out) -> None:
    """b = right-hand side of the inlet and outlet faces, 0 inside."""
    _launch3(k.boundary_rhs, b.shape, b, g0, float(v_in), float(v_out))


def linear_profile(x, v_in, v_out) -> None:
    """x = potential falling linearly from ``v_in`` to ``v_out`` across the voxel centres."""
    _launch3(k.linear_profile, x.shape, x, float(v_in), float(v_out))


def wrap_faces_conduct(g1, g2) -> tuple[bool, bool]:
    """Whether any wrap-around face along axis 1 and along axis 2 conducts."""
    n0, n1, n2 = g1.shape
    flags = zeros(2, np.int32)
    _launch3(k.wrap_faces, (n0, max(n1, n2), 1), g1, g2, flags)
    found = flags.copy_to_host()
    return bool(found[0]), bool(found[1])


def spanning_cluster(labels, conducting: np.ndarray, periodic: bool):
    """uint8 mask of the voxels whose label is ``conducting`` (bool per label, host) and that
    are face-connected to both axis-0 faces (joined across periodic lateral faces)."""
    n0, n1, n2 = labels.shape
    lut = to_device(np.asarray(conducting, dtype=np.uint8))
    parent = empty(labels.size, np.int32 if labels.size < 2**31 else np.int64)
    _launch3(k.ccl_init, labels.shape, labels, lut, parent)
    _launch3(k.ccl_union, labels.shape, labels, lut, parent, bool(periodic and n1 > 1),
             bool(periodic and n2 > 1))
    _launch1(k.ccl_flatten, parent.size, parent)
    inlet, outlet = zeros(labels.size, np.uint8), zeros(labels.size, np.uint8)
    _launch1(k.ccl_faces, n1 * n2, parent, n1 * n2, inlet, outlet)
    mask = empty(labels.shape, np.uint8)
    _launch1(k.ccl_spanning, parent.size, parent, inlet, outlet, _flat(mask))
    return mask


def count_nonzero(mask) -> int:
    """Number of non-zero voxels of a uint8 mask."""
    return int(round(dot(mask, mask)))


def present_labels(labels, mask) -> np.ndarray:
    """Sorted labels (uint8) that occur inside ``mask``."""
    seen = zeros(256, np.int32)
    _launch1(k.present_labels, labels.size, _flat(labels), _flat(mask), seen)
    return np.flatnonzero(seen.copy_to_host()).astype(np.uint8)


def conductivity_field(labels, table: np.ndarray, mask):
    """Float32 conductivity ``table[label]`` on ``mask`` and 0 elsewhere."""
    out = empty(labels.shape, np.float32)
    _launch1(k.conductivity_field, labels.size, _flat(labels),
             to_device(np.asarray(table, dtype=np.float32)), _flat(mask), _flat(out))
    return out


def cluster_residual_sums(z, r, g0, g1, g2, ids, count) -> np.ndarray:
    """Σ over each coarse basis function's voxels of (r − A z), on the host."""
    out = zeros(count, np.float64)
    _launch3(k.cluster_residual_sums, z.shape, z, r, g0, g1, g2, ids, out)
    return out.copy_to_host()


def add_coarse(z, ids, values: np.ndarray) -> None:
    """z += Z values (``values`` on the host)."""
    _launch1(k.add_coarse, z.size, _flat(z), _flat(ids), to_device(values))


def flatten_islands(x, ids, islands) -> None:
    """Replace x on every island (ids 1..islands) by the island's mean."""
    sums, sizes = zeros(islands + 1, np.float64), zeros(islands + 1, np.float64)
    _launch1(k.island_sums, x.size, _flat(x), _flat(ids), islands, sums, sizes)
    _launch1(k.island_means, x.size, _flat(x), _flat(ids), islands, sums, sizes)


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
