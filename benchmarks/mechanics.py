"""Benchmark: CAM-breathing mechanics (two solves + pressure sweep) at 128³ and 256³.

Synthetic composite: overlapping NCM811 spheres (about 50 vol%) in Li6PS5Cl with about 15 vol%
pores as small spheres in the electrolyte. Each size runs in its own process and prints one
JSON line: wall and CPU seconds of the analysis (CPU time is the honest figure on a shared
machine), peak resident memory, solver statistics and headline results.
Run: .venv/bin/python benchmarks/mechanics.py [128 256]
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

import numpy as np

from cathodetwin.analysis.mechanics import analyze_microstructure_breathing
from cathodetwin.structure.microstructure import Microstructure, Phase

PHASES = (
    Phase(0, "pore", "pore", None),
    Phase(1, "NCM811", "CAM", "NCM811"),
    Phase(2, "Li6PS5Cl", "SSE", "Li6PS5Cl"),
)


def _add_spheres(labels: np.ndarray, value: int, radius_vox: float, target_fraction: float,
                 allowed: int, rng: np.random.Generator) -> None:
    """Stamp periodic spheres of ``value`` over voxels labelled ``allowed`` until the target."""
    n = np.array(labels.shape)
    r = int(np.ceil(radius_vox))
    offs = np.arange(-r, r + 1)
    ball = (offs[:, None, None] ** 2 + offs[None, :, None] ** 2 + offs[None, None, :] ** 2
            <= radius_vox ** 2)
    count = int(np.count_nonzero(labels == value))
    target = target_fraction * labels.size
    while count < target:
        c = rng.integers(0, n)
        idx = np.ix_(*[(c[a] + offs) % n[a] for a in range(3)])
        block = labels[idx]
        hit = ball & (block == allowed)
        count += int(hit.sum())
        block[hit] = value
        labels[idx] = block


def random_sphere_composite(n: int, seed: int = 0) -> Microstructure:
    """n³ voxels of 0.25 µm: CAM spheres (radius n/16) in SSE with ~15 % pores (radius n/64)."""
    rng = np.random.default_rng(seed)
    labels = np.full((n, n, n), 2, np.uint8)
    _add_spheres(labels, 1, n / 16, 0.50, 2, rng)
    _add_spheres(labels, 0, max(n / 64, 1.5), 0.15, 2, rng)
    return Microstructure(labels, (0.25, 0.25, 0.25), PHASES, {"generator": "benchmark"})


def run(n: int) -> dict:
    """Build the n³ composite, run the breathing analysis, return timings and results."""
    micro = random_sphere_composite(n)
    start, cpu_start = time.perf_counter(), time.process_time()
    result = analyze_microstructure_breathing(micro, state_of_charge=1.0)
    wall_s = time.perf_counter() - start
    cpu_s = time.process_time() - cpu_start
    peak_gib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    summary = result.to_dict()
    return {
        "voxels": f"{n}^3",
        "wall_s": round(wall_s, 1),
        "cpu_s": round(cpu_s, 1),
        "peak_rss_gib": round(peak_gib, 2),
        "iterations": {k: v["iterations"] for k, v in summary["solver"].items()},
        "volume_fractions": {
            p.name: round(float(np.mean(micro.labels == p.label)), 3) for p in PHASES
        },
        "contact_retention": summary["contact_retention"],
        "sse_strain_energy_mean_kj_m3": summary["sse_strain_energy_mean_kj_m3"],
        "sse_interface_strain_energy_mean_kj_m3": summary[
            "sse_interface_strain_energy_mean_kj_m3"],
        "stack_pressure_change_fixed_height_mpa": summary[
            "stack_pressure_change_fixed_height_mpa"],
    }


if __name__ == "__main__":
    if len(sys.argv) == 3 and sys.argv[1] == "--one":
        print(json.dumps(run(int(sys.argv[2]))), flush=True)
    else:
        for size in [int(a) for a in sys.argv[1:]] or [128, 256]:
            subprocess.run([sys.executable, __file__, "--one", str(size)], check=True)
