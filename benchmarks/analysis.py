"""Time and peak memory of the full structural analysis (measure_structure) on a synthetic twin.

Usage: python benchmarks/analysis.py [N ...]   (default 200 400). Each size runs in a fresh
subprocess so that the peak resident memory (ru_maxrss) belongs to that size alone. CPU time
(all threads) and the 1-minute load average are printed too: on a shared machine the wall time
says more about the neighbours than about the code.
The synthetic composite is a Boolean model of spheres: CAM (r = 2.5 µm ± 20 %) and SSE
(r = 0.75 µm ± 30 %) with random centres, ~60 : 25 vol % nominal and ~15 % pores, voxel 0.2 µm.
"""

from __future__ import annotations

import json
import os
import resource
import subprocess
import sys
import time

import numpy as np

from cathodetwin.packing import Packing

VOXEL_UM = 0.2


def synthetic_packing(n_voxels: int, seed: int = 0) -> Packing:
    """Random overlapping CAM and SSE spheres filling a cube of n_voxels × 0.2 µm per edge."""
    rng = np.random.default_rng(seed)
    edge = n_voxels * VOXEL_UM
    box = edge**3
    centers, radii, comps = [], [], []
    # Boolean model: volume fraction covered by a species = 1 − exp(−n V)
    for comp, (r_mean, spread, n_v) in enumerate(((2.5, 0.2, 1.0), (0.75, 0.3, 0.9))):
        mean_v = 4.0 / 3.0 * np.pi * r_mean**3 * (1 + 3 * spread**2)
        count = rng.poisson(n_v * box / mean_v)
        radii.append(r_mean * np.exp(spread * rng.standard_normal(count) - spread**2 / 2))
        centers.append(rng.random((count, 3)) * edge)
        comps.append(np.full(count, comp, np.int16))
    r = np.concatenate(radii)
    n = r.size
    return Packing(
        box_um=(edge, edge, edge),
        center_um=np.concatenate(centers),
        radius_um=r,
        component=np.concatenate(comps),
        component_names=("NCM811", "Li6PS5Cl"),
        component_roles=("CAM", "SSE"),
        component_materials=("NCM811", "Li6PS5Cl"),
        shell_thickness_um=np.zeros(n),
        coverage=np.zeros(n),
        buffer_thickness_um=np.zeros(n),
        provenance={"source": "benchmarks/analysis.py Boolean model", "seed": seed},
    )


def run_one(n_voxels: int) -> dict:
    """Voxelize and measure one size; returns timings, peak RSS and headline numbers."""
    from cathodetwin.analysis.structure_metrics import measure_structure
    from cathodetwin.structure.voxelize import voxelize_with_owners

    packing = synthetic_packing(n_voxels)
    t = time.perf_counter()
    micro, owners = voxelize_with_owners(packing, VOXEL_UM)
    t_vox = time.perf_counter() - t
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20
    load_before = os.getloadavg()[0]
    cpu0 = resource.getrusage(resource.RUSAGE_SELF)
    t = time.perf_counter()
    metrics = measure_structure(micro, packing, particle_ids=owners)
    t_all = time.perf_counter() - t
    cpu1 = resource.getrusage(resource.RUSAGE_SELF)
    cpu = cpu1.ru_utime - cpu0.ru_utime + cpu1.ru_stime - cpu0.ru_stime
    d = metrics.to_dict()
    return {
        "n_voxels_per_edge": n_voxels,
        "voxels": int(micro.labels.size),
        "n_particles": len(packing),
        "voxelize_s": round(t_vox, 2),
        "measure_structure_s": round(t_all, 2),
        "measure_structure_cpu_s": round(cpu, 2),
        "load_average_1min": [round(load_before, 2), round(os.getloadavg()[0], 2)],
        "steps_s": d["timings_s"],
        "peak_rss_gib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 2**20, 3),
        "rss_before_analysis_gib": round(rss_before, 3),
        "porosity": round(d["fractions"]["porosity"], 4),
        "median_ionic_tortuosity": d["ionic_geometric_tortuosity"]["median_tortuosity"],
        "utilization_particle": d["utilization_particle_contacts"]["by_min_overlap_percent"],
    }


def main(argv: list[str]) -> None:
    """Run each size in its own subprocess and print one JSON line per size plus a summary."""
    if len(argv) == 2 and argv[0] == "--one":
        print(json.dumps(run_one(int(argv[1]))))
        return
    sizes = [int(a) for a in argv] or [200, 400]
    rows = []
    for n in sizes:
        out = subprocess.run([sys.executable, __file__, "--one", str(n)], check=True,
                             capture_output=True, text=True).stdout.strip().splitlines()[-1]
        rows.append(json.loads(out))
        print(out, flush=True)
    base = rows[0]
    for r in rows:
        scale = r["voxels"] / base["voxels"]
        print(f"{r['n_voxels_per_edge']}^3: measure_structure {r['measure_structure_s']:.1f} s "
              f"wall, {r['measure_structure_cpu_s']:.1f} s CPU "
              f"(wall x{r['measure_structure_s'] / base['measure_structure_s']:.2f} for "
              f"x{scale:.0f} voxels), peak RSS {r['peak_rss_gib']:.2f} GiB, "
              f"voxelize {r['voxelize_s']:.1f} s, load {r['load_average_1min']}")


if __name__ == "__main__":
    main(sys.argv[1:])
