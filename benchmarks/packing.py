"""Compaction benchmark: particles, wall seconds and the cost-scaling exponent.

NCM811 (D50 5 µm) with Li6PS5Cl (D50 0.5 µm; CAM:SSE size ratio 10), 70:30 wt%, pressed to
300 MPa and unloaded to 10 MPa, in a 24 × 24 µm die whose thickness sets the particle count
(about 10 k, 30 k and 100 k). Run: ``python benchmarks/packing.py [--sizes 10000 30000 100000]
[--threads N]``. Timings include powder sampling and loose placement, not numba compilation
(a small warm-up run compiles first). The machine may be shared: compare within one run.
"""

from __future__ import annotations

import argparse
import math
import time

import numpy as np

from cathodetwin.packing import CompactionSettings, compact, sample_powder
from cathodetwin.recipe import Recipe, recipe_from_dict

LATERAL_UM = 24.0
PARTICLES_PER_UM_THICKNESS = 1420.0  # measured for this recipe at the default density guess


def benchmark_recipe(thickness_um: float, seed: int = 0) -> Recipe:
    """The benchmark's composite in a 24 × 24 µm die of the given thickness (µm)."""
    return recipe_from_dict(
        {
            "name": "benchmark NCM811 + fine LPSCl",
            "components": [
                {"name": "NCM811", "material": "NCM811", "role": "CAM", "weight_percent": 70.0,
                 "psd": {"kind": "lognormal", "d50_um": 5.0, "gsd": 1.3}},
                {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 30.0,
                 "psd": {"kind": "lognormal", "d50_um": 0.5, "gsd": 1.4}},
            ],
            "processing": {"pressing_pressure_mpa": 300.0, "stack_pressure_mpa": 10.0},
            "simulation": {"box_um": [LATERAL_UM, LATERAL_UM, thickness_um],
                           "voxel_size_um": 0.1, "seed": seed},
        }
    )


def run(particles: int, threads: int | None) -> dict:
    """Sample, press and unload one powder of about ``particles``; returns the timings."""
    recipe = benchmark_recipe(max(2.0, particles / PARTICLES_PER_UM_THICKNESS))
    t0 = time.perf_counter()
    powder = sample_powder(recipe)
    packing = compact(
        powder, recipe.processing.pressing_pressure_mpa, recipe.processing.stack_pressure_mpa,
        settings=CompactionSettings(threads=threads),
    )
    wall = time.perf_counter() - t0
    info = packing.provenance["compaction"]
    return {
        "particles": len(packing),
        "wall_s": wall,
        "steps": info["steps"],
        "rebuilds": info["neighbor_rebuilds"],
        "porosity_pressed": 1.0 - float(np.min(1.0 - packing.history["solid_fraction"])),
        "porosity": packing.porosity(),
        "converged": all(info["converged"].values()),
    }


def main() -> None:
    """Print one line per size and the fitted exponent of wall time ∝ particles^b."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--threads", type=int, default=None)
    args = parser.parse_args()
    run(500, args.threads)  # compile
    rows = []
    print(f"{'particles':>10} {'wall_s':>8} {'steps':>7} {'rebuilds':>8} {'porosity':>9} conv")
    for n in args.sizes:
        row = run(n, args.threads)
        rows.append(row)
        print(f"{row['particles']:>10d} {row['wall_s']:>8.1f} {row['steps']:>7d} "
              f"{row['rebuilds']:>8d} {row['porosity']:>9.4f} {row['converged']}", flush=True)
    if len(rows) >= 2:
        x = np.log([r["particles"] for r in rows])
        y = np.log([r["wall_s"] for r in rows])
        slope = float(np.polyfit(x, y, 1)[0])
        print(f"scaling exponent (wall_s ∝ particles^b): b = {slope:.2f}")
        per = rows[-1]["wall_s"] / rows[-1]["particles"] * 1e6
        print(f"cost at the largest size: {per:.0f} µs per particle "
              f"({math.ceil(rows[-1]['wall_s'] / 60)} min)")


if __name__ == "__main__":
    main()
