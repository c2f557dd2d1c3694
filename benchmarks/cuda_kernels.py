"""Benchmark: time of each CUDA op of the transport solver on one volume, and its bandwidth.

Needs a GPU (numba.cuda)::

    python benchmarks/cuda_kernels.py --size 500

Builds the solver's arrays for Gaussian blobs at ε = 0.3 (current along axis 0), then times
each op of the CUDA table over ``--repeat`` calls (synchronised) and prints ms per call and the
memory bandwidth it reaches, counting the bytes each voxel must at least move (neighbours
assumed cached). Also times the setup steps, one K-cycle and one whole solve, so a slow
``benchmarks/transport.py --device cuda`` row can be traced to its op. Prints the load too.
"""

from __future__ import annotations

import argparse
import os
import time

import numpy as np
from numba import cuda
from scipy import ndimage

from cathodetwin.analysis.transport import tortuosity_factor
from cathodetwin.analysis.transport.multigrid import MultigridPreconditioner
from cathodetwin.analysis.transport.ops_cuda import CUDA as ops

POROSITY = 0.3


def timed(call, repeat: int) -> float:
    """Mean seconds per call, synchronised."""
    call()
    cuda.synchronize()
    start = time.perf_counter()
    for _ in range(repeat):
        call()
    cuda.synchronize()
    return (time.perf_counter() - start) / repeat


def device_name() -> str:
    """Name of the current GPU ("simulator" under numba's CUDA simulator)."""
    try:
        name = cuda.get_current_device().name
    except AttributeError:
        return "simulator"
    return name.decode() if isinstance(name, bytes) else name


def time_setup(labels: np.ndarray) -> tuple:
    """Time the setup steps on the GPU; the face arrays and the multigrid hierarchy."""
    lut = np.zeros(256, bool)
    lut[1] = True
    table = np.zeros(256, np.float32)
    table[1] = 1.0
    n0, n1, n2 = labels.shape
    steps = {}
    start = time.perf_counter()
    d_labels = ops.to_device(labels)
    cuda.synchronize()
    steps["labels to device"] = time.perf_counter() - start
    start = time.perf_counter()
    spanning = ops.spanning_cluster(d_labels, lut, False)
    cuda.synchronize()
    steps["spanning cluster"] = time.perf_counter() - start
    start = time.perf_counter()
    sigma = ops.conductivity_field(d_labels, table, spanning)
    g = (ops.empty((n0 + 1, n1, n2), dtype=np.float32), ops.empty(labels.shape, np.float32),
         ops.empty(labels.shape, np.float32))
    ops.face_conductances(sigma, 1.0, 1.0, 1.0, False, False, *g)
    cuda.synchronize()
    steps["conductances"] = time.perf_counter() - start
    start = time.perf_counter()
    precond = MultigridPreconditioner(*g, ops)
    cuda.synchronize()
    steps["multigrid hierarchy"] = time.perf_counter() - start
    for name, seconds in steps.items():
        print(f"setup {name:<22}{seconds * 1e3:>9.1f} ms")
    return g, precond


def time_ops(g: tuple, precond: MultigridPreconditioner, repeat: int) -> None:
    """Time each op of the CG iteration and the multigrid cycle on the fine grid."""
    g0, g1, g2 = g
    shape = g1.shape
    voxels = int(np.prod(shape))
    x64, r64, p64 = (ops.zeros(shape, np.float64) for _ in range(3))
    x32, b32 = ops.zeros(shape, np.float32), ops.zeros(shape, np.float32)
    ops.linear_profile(x64, 1.0, 0.0)
    ops.copy(x32, x64)
    ops.copy(b32, x64)
    coarse = precond.levels[1].work[1]
    cases = [  # name, call, bytes per voxel
        ("apply_operator f64", lambda: ops.apply_operator(x64, g0, g1, g2, r64), 28),
        ("residual f64", lambda: ops.residual(x64, r64, g0, g1, g2, p64), 36),
        ("gauss_seidel_colour f32",
         lambda: ops.gauss_seidel_colour(x32, b32, g0, g1, g2, 0, False), 22),
        ("jacobi_start f32", lambda: ops.jacobi_start(x32, b32, g0, g1, g2, 0), 20),
        ("restrict_residual f32",
         lambda: ops.restrict_residual(x32, b32, g0, g1, g2, coarse), 20.5),
        ("prolong_add f32", lambda: ops.prolong_add(x32, coarse, 1.0), 8.5),
        ("dot f64.f32", lambda: ops.dot(x64, x32), 12),
        ("cg_update", lambda: ops.cg_update(x64, r64, p64, r64, 1e-9), 48),
        ("cg_direction", lambda: ops.cg_direction(p64, x32, 0.5), 20),
        ("copy f64->f32", lambda: ops.copy(b32, r64), 12),
        ("plane_currents", lambda: ops.plane_currents(x64, g0, 1.0, 0.0), 12),
        ("K-cycle (whole hierarchy)", lambda: precond.apply(b32, x32), None),
    ]
    print(f"{'op':<28}{'ms/call':>9}{'GB/s':>8}")
    for name, call, per_voxel in cases:
        seconds = timed(call, repeat)
        rate = f"{per_voxel * voxels / seconds / 1e9:>8.0f}" if per_voxel else ""
        print(f"{name:<28}{seconds * 1e3:>9.2f}{rate}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=500)
    parser.add_argument("--repeat", type=int, default=10)
    args = parser.parse_args()
    n = args.size
    noise = ndimage.gaussian_filter(np.random.default_rng(7).random((n, n, n)), n / 40)
    volume = noise > np.quantile(noise, 1.0 - POROSITY)
    del noise
    print(f"{device_name()}; {n}³ blobs; load {os.getloadavg()[0]:.2f}")
    tortuosity_factor(volume[:24, :24, :24], axis=0, device="cuda")  # load the kernels
    time_ops(*time_setup(volume.astype(np.uint8)), args.repeat)
    result = tortuosity_factor(volume, axis=0, device="cuda")
    print(f"whole solve: {result.wall_time_s:.2f} s wall (setup {result.solver_setup_time_s:.2f}"
          f" s, iterations {result.solver_time_s:.2f} s, {result.iterations} its), "
          f"tau {result.tortuosity_factor:.6f}; load {os.getloadavg()[0]:.2f}")


if __name__ == "__main__":
    main()
