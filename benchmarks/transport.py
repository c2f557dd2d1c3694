"""Benchmark: cathodetwin tortuosity factor against TauFactor on the same volumes.

Run in the benchmark environment, which has the peer tools installed::

    make bench-env
    .venv-bench/bin/python benchmarks/transport.py --sizes 100 200 300 --threads 2
    .venv-bench/bin/python benchmarks/transport.py --device cuda --sizes 500 --volumes blobs

Volumes: porespy blobs at porosity 0.3 (fixed seed; a scipy stand-in when porespy is absent)
and the void between randomly placed overlapping spheres (porosity 0.35-0.4), both with the
conducting phase = void and current along x (TauFactor's direction).

What keeps the comparison fair:

* both tools run with the same number of CPU threads (``--threads``, default 2): numba's
  (``numba.set_num_threads`` and the solver's ``threads=``) and torch's
  (``torch.set_num_threads``);
* before any timing, a warm-up solve compiles (or loads from numba's cache) every kernel that
  the timed solves use, and runs TauFactor once; the column ``jit`` counts the numba
  compilations that happened during a row anyway (it must be 0, else the row timed a compiler);
* both run back to back in one process on the same volume, and every row prints the 1-minute
  load average at its start and its end. The load includes the benchmark's own threads (about
  ``--threads`` by the end of a long row), so ``*`` marks a row that started above load 2 or
  ended above 2.5 (someone else used the CPU too): its ratio is not quotable.

``--device cuda`` times cathodetwin's CUDA path and TauFactor on the same GPU (each timed from
the host array to τ on the host, transfers included), and cathodetwin's CPU path for the τ
check (|Δτ|/τ between the CUDA and CPU paths must be ≤ 1e-6).
"""

from __future__ import annotations

import argparse
import importlib.metadata
import json
import os
import sys
import time
import tracemalloc

import numba
import numpy as np
from scipy import ndimage

from cathodetwin.analysis.transport import deflation, kernels, tortuosity_factor

try:
    import porespy
except ImportError:
    porespy = None
try:
    import taufactor
    import torch
except ImportError:
    taufactor = None

SEED = 7
POROSITY = 0.3
WARMUP_SIZE = 48  # three multigrid levels: the K-cycle's coarse Krylov steps run too
QUOTABLE_LOAD = 2.0  # at the start of a row
QUOTABLE_LOAD_END = 2.5  # at its end, the benchmark's own threads included


def blobs(n: int) -> tuple[np.ndarray, str]:
    """Porespy blobs (True = pore, porosity 0.3), or a Gaussian-noise stand-in without porespy."""
    if porespy is not None:
        image = porespy.generators.blobs([n, n, n], porosity=POROSITY, seed=SEED)
        return np.asarray(image, dtype=bool), "porespy blobs"
    noise = ndimage.gaussian_filter(np.random.default_rng(SEED).random((n, n, n)), n / 40)
    return noise > np.quantile(noise, 1.0 - POROSITY), "gaussian blobs"


def sphere_packing(n: int, radius: float = 6.0, solid_fraction: float = 0.65) -> np.ndarray:
    """Void (True) between overlapping spheres of ``radius`` voxels at uniform random centres."""
    # Boolean model: solid fraction 1 - exp(-density · 4/3 π r³).
    density = -np.log(1.0 - solid_fraction) / (4.0 / 3.0 * np.pi * radius**3)
    count = int(round(density * n**3))
    rng = np.random.default_rng(SEED)
    centres = np.zeros((n, n, n), dtype=bool)
    centres[tuple(rng.integers(0, n, count) for _ in range(3))] = True
    return ndimage.distance_transform_edt(~centres) > radius


def compiled_kernels() -> int:
    """Number of compiled numba signatures (CPU and, once imported, CUDA kernels)."""
    objects = [*vars(kernels.SERIAL).values(), *vars(kernels.PARALLEL).values(),
               *vars(kernels).values(), *vars(deflation).values()]
    cuda_module = sys.modules.get("cathodetwin.analysis.transport.kernels_cuda")
    if cuda_module is not None:
        objects += list(vars(cuda_module).values())
    unique = {id(o): o for o in objects if hasattr(o, "overloads")}
    return sum(len(o.overloads) for o in unique.values())


def run_cathodetwin(volume: np.ndarray, threads: int, device: str = "cpu") -> dict:
    """τ along x, wall time (host array in, τ out) and, on the CPU, the peak memory allocated."""
    if device == "cpu":
        tracemalloc.start()
    start = time.perf_counter()
    result = tortuosity_factor(volume, axis=0, threads=threads, device=device)
    wall = time.perf_counter() - start
    row = {"tau": result.tortuosity_factor, "time_s": wall, "iterations": result.iterations,
           "flux_mismatch": result.flux_mismatch}
    if device == "cpu":
        row["peak_mib"] = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return row


def run_taufactor(volume: np.ndarray, conv_crit: float | None, device: str = "cpu") -> dict:
    """TauFactor's solver with its default convergence (or ``conv_crit``), from the host array
    to τ (on a GPU: transfer and synchronisation included)."""
    start = time.perf_counter()
    solver = taufactor.Solver(volume.astype(np.uint8), device=device)
    kwargs = {} if conv_crit is None else {"conv_crit": conv_crit}
    tau = float(np.ravel(solver.solve(verbose=False, **kwargs))[0])
    if device == "cuda" and torch.cuda.is_available():
        torch.cuda.synchronize()
    return {"tau": tau, "time_s": time.perf_counter() - start, "iterations": solver.iter}


def load() -> float:
    """1-minute load average."""
    return os.getloadavg()[0]


def warm_up(args, use_taufactor: bool) -> None:
    """Compile (or load) every kernel the timed solves use, and run TauFactor once."""
    volume = sphere_packing(args.warmup_size, radius=3.0)
    for device in ("cpu", "cuda") if args.device == "cuda" else ("cpu",):
        for attempt in ("first", "second"):
            start = time.perf_counter()
            run_cathodetwin(volume, args.threads, device)
            print(f"warm-up cathodetwin {device} {args.warmup_size}³, {attempt} run: "
                  f"{time.perf_counter() - start:.2f} s", flush=True)
    if use_taufactor:
        start = time.perf_counter()
        run_taufactor(volume, args.tf_conv_crit, args.device)
        print(f"warm-up TauFactor {args.device}: {time.perf_counter() - start:.2f} s")


def cpu_row(volume: np.ndarray, args, use_taufactor: bool) -> tuple[dict, str]:
    """cathodetwin and TauFactor on the CPU, with the same thread count."""
    ct = run_cathodetwin(volume, args.threads)
    row = {"cathodetwin": ct}
    line = f"{ct['tau']:>11.5f}{ct['time_s']:>9.2f}{ct['iterations']:>4}{ct['peak_mib']:>10.0f}"
    if use_taufactor:
        tf = run_taufactor(volume, args.tf_conv_crit)
        row["taufactor"] = tf
        rel = abs(ct["tau"] - tf["tau"]) / tf["tau"]
        row["speedup"] = tf["time_s"] / ct["time_s"]
        line += (f"{tf['tau']:>11.5f}{tf['time_s']:>9.1f}{row['speedup']:>8.1f}x"
                 f"{rel:>10.1e}")
    return row, line


def cuda_row(volume: np.ndarray, args, use_taufactor: bool) -> tuple[dict, str]:
    """cathodetwin on the GPU and on the CPU (τ check), TauFactor on the same GPU."""
    gpu = run_cathodetwin(volume, args.threads, "cuda")
    cpu = run_cathodetwin(volume, args.threads, "cpu")
    rel_cpu = abs(gpu["tau"] - cpu["tau"]) / cpu["tau"]
    row = {"cathodetwin_cuda": gpu, "cathodetwin_cpu": cpu, "tau_rel_diff_cuda_cpu": rel_cpu}
    line = (f"{gpu['tau']:>11.6f}{gpu['time_s']:>9.2f}{gpu['iterations']:>4}"
            f"{cpu['tau']:>11.6f}{cpu['time_s']:>9.2f}{rel_cpu:>9.1e}")
    if use_taufactor:
        tf = run_taufactor(volume, args.tf_conv_crit, "cuda")
        row["taufactor_cuda"] = tf
        row["speedup"] = tf["time_s"] / gpu["time_s"]
        line += (f"{tf['tau']:>11.5f}{tf['time_s']:>9.2f}{tf['iterations']:>6}"
                 f"{row['speedup']:>8.1f}x")
    return row, line


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 300])
    parser.add_argument("--volumes", nargs="+", default=["blobs", "spheres"],
                        choices=["blobs", "spheres"])
    parser.add_argument("--threads", type=int, default=2,
                        help="CPU threads of both tools (numba and torch; default 2)")
    parser.add_argument("--device", choices=["cpu", "cuda"], default="cpu",
                        help="cuda: cathodetwin's CUDA path and TauFactor on the same GPU")
    parser.add_argument("--skip-taufactor", action="store_true")
    parser.add_argument("--tf-conv-crit", type=float, default=None,
                        help="TauFactor convergence criterion (default: its own, 1e-2)")
    parser.add_argument("--warmup-size", type=int, default=WARMUP_SIZE,
                        help=f"edge of the warm-up volume (default {WARMUP_SIZE}: every kernel "
                             "of the larger solves)")
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    args = parser.parse_args()

    if args.threads > numba.config.NUMBA_NUM_THREADS:
        parser.error(f"--threads {args.threads} exceeds numba's limit "
                     f"{numba.config.NUMBA_NUM_THREADS} (NUMBA_NUM_THREADS)")
    numba.set_num_threads(args.threads)
    use_taufactor = taufactor is not None and not args.skip_taufactor
    if taufactor is None:
        print("TauFactor not installed: timing cathodetwin only")
    else:
        torch.set_num_threads(args.threads)
        print(f"TauFactor {importlib.metadata.version('taufactor')} on {args.device}, "
              f"torch {torch.__version__}, {torch.get_num_threads()} torch threads")
    print(f"{os.cpu_count()} CPUs; numba {numba.__version__} with {args.threads} threads; "
          f"load average at start {load():.2f}; '*' marks rows not quotable (load above "
          f"{QUOTABLE_LOAD:g} at the start or {QUOTABLE_LOAD_END:g} at the end)")
    warm_up(args, use_taufactor)

    if args.device == "cuda":
        header = (f"{'volume':<16}{'n':>5}{'eps':>7}{'tau_cuda':>11}{'t_cuda_s':>9}{'it':>4}"
                  f"{'tau_cpu':>11}{'t_cpu_s':>9}{'dtau_rel':>9}")
        if use_taufactor:
            header += f"{'tau_tf':>11}{'t_tf_s':>9}{'tf_it':>6}{'speedup':>9}"
    else:
        header = (f"{'volume':<16}{'n':>5}{'eps':>7}{'tau_ct':>11}{'t_ct_s':>9}{'it':>4}"
                  f"{'peak_MiB':>10}")
        if use_taufactor:
            header += f"{'tau_tf':>11}{'t_tf_s':>9}{'speedup':>9}{'dtau_rel':>10}"
    print(header + f"{'jit':>4}{'load':>11}")
    rows = []
    for n in args.sizes:
        for kind in args.volumes:
            volume, name = blobs(n) if kind == "blobs" else (sphere_packing(n), "sphere void")
            compiled = compiled_kernels()
            load_before = load()
            make_row = cuda_row if args.device == "cuda" else cpu_row
            row, line = make_row(volume, args, use_taufactor)
            row.update(volume=name, n=n, porosity=float(volume.mean()), threads=args.threads,
                       device=args.device, load_before=load_before, load_after=load(),
                       compiled_during_row=compiled_kernels() - compiled)
            row["quotable"] = (row["load_before"] <= QUOTABLE_LOAD
                               and row["load_after"] <= QUOTABLE_LOAD_END)
            print(f"{name:<16}{n:>5}{volume.mean():>7.3f}{line}"
                  f"{row['compiled_during_row']:>4}{load_before:>5.2f}-{row['load_after']:<4.2f}"
                  f"{' ' if row['quotable'] else '*'}", flush=True)
            rows.append(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
