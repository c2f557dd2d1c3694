"""Benchmark: cathodetwin tortuosity factor against TauFactor on the same volumes.

Run in the benchmark environment, which has the peer tools installed::

    python3 -m venv .venv-bench
    .venv-bench/bin/pip install -e . torch==2.13.0 taufactor porespy
    .venv-bench/bin/python benchmarks/transport.py --sizes 100 200 300

Volumes: porespy blobs at porosity 0.3 (fixed seed; a scipy stand-in when porespy is absent)
and the void between randomly placed overlapping spheres (porosity 0.35-0.4), both with the
conducting phase = void and current along x (TauFactor's direction). For each volume it prints
both wall times, both τ, their ratio and the peak memory that cathodetwin allocated. Both codes
run one after the other in the same process, so they see the same machine load; the load
average is printed with every row because the CPU may be shared.
"""

from __future__ import annotations

import argparse
import json
import os
import time
import tracemalloc

import numpy as np
from scipy import ndimage

from cathodetwin.analysis.transport import tortuosity_factor

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


def blobs(n: int) -> tuple[np.ndarray, str]:
    """Porespy blobs (True = pore, porosity 0.3), or a Gaussian-noise stand-in without porespy."""
    if porespy is not None:
        image = porespy.generators.blobs([n, n, n], porosity=POROSITY, seed=SEED)
        return np.asarray(image, dtype=bool), "porespy blobs"
    noise = ndimage.gaussian_filter(np.random.default_rng(SEED).random((n, n, n)), n / 40)
    return noise > np.quantile(noise, 1.0 - POROSITY), "gaussian blobs (porespy not installed)"


def sphere_packing(n: int, radius: float = 6.0, solid_fraction: float = 0.65) -> np.ndarray:
    """Void (True) between overlapping spheres of ``radius`` voxels at uniform random centres."""
    # Boolean model: solid fraction 1 - exp(-density · 4/3 π r³).
    density = -np.log(1.0 - solid_fraction) / (4.0 / 3.0 * np.pi * radius**3)
    count = int(round(density * n**3))
    rng = np.random.default_rng(SEED)
    centres = np.zeros((n, n, n), dtype=bool)
    centres[tuple(rng.integers(0, n, count) for _ in range(3))] = True
    return ndimage.distance_transform_edt(~centres) > radius


def run_cathodetwin(volume: np.ndarray, threads: int | None) -> dict:
    """τ along x, wall time and the peak memory allocated during the call."""
    tracemalloc.start()
    start = time.perf_counter()
    result = tortuosity_factor(volume, axis=0, threads=threads)
    wall = time.perf_counter() - start
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return {"tau": result.tortuosity_factor, "time_s": wall, "peak_mib": peak / 2**20,
            "iterations": result.iterations, "flux_mismatch": result.flux_mismatch}


def run_taufactor(volume: np.ndarray, conv_crit: float | None) -> dict:
    """TauFactor's CPU solver with its default convergence (or ``conv_crit``)."""
    start = time.perf_counter()
    solver = taufactor.Solver(volume.astype(np.uint8), device="cpu")
    kwargs = {} if conv_crit is None else {"conv_crit": conv_crit}
    tau = float(np.ravel(solver.solve(verbose=False, **kwargs))[0])
    return {"tau": tau, "time_s": time.perf_counter() - start, "iterations": solver.iter}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 200, 300])
    parser.add_argument("--volumes", nargs="+", default=["blobs", "spheres"],
                        choices=["blobs", "spheres"])
    parser.add_argument("--threads", type=int, default=None,
                        help="cathodetwin threads (default: the idle cores)")
    parser.add_argument("--skip-taufactor", action="store_true")
    parser.add_argument("--tf-conv-crit", type=float, default=None,
                        help="TauFactor convergence criterion (default: its own, 1e-2)")
    parser.add_argument("--json", default=None, help="also write the rows to this file")
    args = parser.parse_args()

    use_taufactor = taufactor is not None and not args.skip_taufactor
    if taufactor is None:
        print("TauFactor not installed: timing cathodetwin only")
    else:
        print(f"TauFactor {taufactor.__version__ if hasattr(taufactor, '__version__') else ''}"
              f" on CPU, torch {torch.__version__}, {torch.get_num_threads()} torch threads")
    print(f"{os.cpu_count()} CPUs; load average is printed per row (shared machine)")

    start = time.perf_counter()
    tortuosity_factor(sphere_packing(24, radius=3.0), axis=0, threads=args.threads)
    print(f"numba warm-up (compile or load from cache): {time.perf_counter() - start:.1f} s")

    rows = []
    header = (f"{'volume':<16}{'n':>5}{'eps':>7}{'tau_ct':>11}{'t_ct_s':>9}{'it':>4}"
              f"{'peak_MiB':>10}{'tau_tf':>11}{'t_tf_s':>9}{'speedup':>9}{'dtau_rel':>10}"
              f"{'3sf':>5}{'load':>6}")
    print(header)
    for n in args.sizes:
        for kind in args.volumes:
            volume, name = blobs(n) if kind == "blobs" else (sphere_packing(n), "sphere void")
            ct = run_cathodetwin(volume, args.threads)
            row = {"volume": name, "n": n, "porosity": float(volume.mean()),
                   "cathodetwin": ct, "load_before": os.getloadavg()[0]}
            line = (f"{name.split(' (')[0]:<16}{n:>5}{volume.mean():>7.3f}{ct['tau']:>11.5f}"
                    f"{ct['time_s']:>9.2f}{ct['iterations']:>4}{ct['peak_mib']:>10.0f}")
            if use_taufactor:
                tf = run_taufactor(volume, args.tf_conv_crit)
                row["taufactor"] = tf
                rel = abs(ct["tau"] - tf["tau"]) / tf["tau"]
                same = "yes" if f"{ct['tau']:.3g}" == f"{tf['tau']:.3g}" else "no"
                line += (f"{tf['tau']:>11.5f}{tf['time_s']:>9.1f}"
                         f"{tf['time_s'] / ct['time_s']:>8.1f}x{rel:>10.1e}{same:>5}")
            row["load_after"] = os.getloadavg()[0]
            print(line + f"{row['load_after']:>6.1f}", flush=True)
            rows.append(row)
    if args.json:
        with open(args.json, "w") as f:
            json.dump(rows, f, indent=2)


if __name__ == "__main__":
    main()
