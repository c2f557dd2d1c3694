"""Benchmark: the particle-resolved cell on a packed twin (7 rates) beside the DFN (7 rates).

Run: ``.venv/bin/python benchmarks/cell.py [--tiles 4] [--packing PATH]``. Builds (untimed)
the full-thickness example's packing (40 x 40 x 60 µm, ~740 CAM among ~43 000 particles and
~0.9 M fibre segments) once into a cache file, then times: the graphs of the packing, the
7-rate discharge sweep of the particle-resolved cell on the twin stacked ``--tiles`` times
through-plane (4: ~3 000 CAM particles, 240 µm), and the DFN's 7-rate sweep of the same
effective properties. Prints wall times, peak memory (RSS) and the load average; exits 1 when
the graphs and the particle sweep together take over 180 s.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from pathlib import Path

import numpy as np

from cathodetwin.cell import DEFAULT_C_RATES, CellInputs, simulate_rates
from cathodetwin.cell.inputs import cam_size_classes
from cathodetwin.cell.particle_cell import ParticleCellOptions
from cathodetwin.cell.particle_network import plane_conductance_s, tile_network
from cathodetwin.cell.particle_rates import simulate_particle_rates
from cathodetwin.cell.particle_twin import coarse_cell_size_um, reduced_network
from cathodetwin.packing import Packing, build_packing
from cathodetwin.recipe import load_recipe

BUDGET_S = 180.0
RECIPE = Path(__file__).resolve().parents[1] / "examples" / "full_thickness.toml"
CACHE = Path("/tmp/cathodetwin-bench-cell-packing.npz")


def _peak_gib() -> float:
    """Peak resident memory (GiB) of this process and of its finished worker processes."""
    return max(resource.getrusage(who).ru_maxrss
               for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)) / 2**20


def _inputs(packing: Packing, net, recipe) -> CellInputs:
    """DFN inputs with the same effective properties as the particle network."""
    box = packing.box_um
    volume = box[0] * box[1] * box[2]
    roles = packing.role_of()
    sphere = 4 / 3 * np.pi * packing.radius_um**3
    cam = float(np.sum(net.volume_um3)) / volume
    sse = float(np.sum(sphere[roles == "SSE"])) / volume
    area_cm2 = box[0] * box[1] * 1e-8
    sigma = [plane_conductance_s(g) * box[2] * 1e-4 / area_cm2
             for g in (net.ionic, net.electronic)]
    return CellInputs(
        cam_material=net.materials[0], cam_volume_fraction=min(cam, 0.9), cam_utilization=1.0,
        sse_volume_fraction=min(sse, 0.95 - min(cam, 0.9)), porosity=0.05,
        ionic_conductivity_eff_s_cm=sigma[0], electronic_conductivity_eff_s_cm=sigma[1],
        specific_cam_sse_area_per_um=float(net.reaction_area_um2.sum()) / volume,
        cam_classes=cam_size_classes(recipe), thickness_um=box[2])


def main() -> int:
    """Time the graphs, the particle sweep and the DFN sweep; 1 when over budget."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tiles", type=int, default=4)
    parser.add_argument("--packing", type=Path, default=CACHE)
    parser.add_argument("--workers", type=int, default=2, help="processes for the 7 rates")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    recipe = load_recipe(RECIPE)
    if args.packing.exists():
        packing = Packing.load(args.packing)
    else:
        t0 = time.perf_counter()
        packing = build_packing(recipe)
        packing.save(args.packing)
        print(f"packing built in {time.perf_counter() - t0:.0f} s (not timed), saved to "
              f"{args.packing}")
    t0 = time.perf_counter()
    size = coarse_cell_size_um(packing)
    twin = reduced_network(packing, size)
    graphs_s = time.perf_counter() - t0
    net = tile_network(twin, args.tiles)
    inputs = _inputs(packing, twin, recipe)
    t0 = time.perf_counter()
    result = simulate_particle_rates(net, DEFAULT_C_RATES, sse_material=inputs.sse_material,
                                     options=ParticleCellOptions(), tiles=args.tiles,
                                     workers=args.workers)
    particle_s = time.perf_counter() - t0
    t0 = time.perf_counter()
    dfn = simulate_rates(inputs.__class__(**{**{f: getattr(inputs, f) for f in (
        "cam_material", "cam_volume_fraction", "cam_utilization", "sse_volume_fraction",
        "porosity", "ionic_conductivity_eff_s_cm", "electronic_conductivity_eff_s_cm",
        "specific_cam_sse_area_per_um", "cam_classes")}, "thickness_um": net.box_um[2]}))
    dfn_s = time.perf_counter() - t0
    report = {
        "benchmark": "particle-resolved cell, 7-rate discharge sweep, beside the DFN",
        "particles_in_packing": len(packing), "fibre_segments": int(packing.fibers.radius_um.size),
        "cam_particles": net.size, "tiles": args.tiles, "workers": args.workers,
        "thickness_um": net.box_um[2],
        "coarse_cell_um": size, "ionic_nodes": net.ionic.n_nodes,
        "electronic_nodes": net.electronic.n_nodes,
        "graphs_s": round(graphs_s, 2), "particle_sweep_s": round(particle_s, 2),
        "dfn_sweep_s": round(dfn_s, 2), "budget_s": BUDGET_S, "peak_rss_gib": round(_peak_gib(), 2),
        "sigma_ion_eff_s_cm": inputs.ionic_conductivity_eff_s_cm,
        "sigma_e_eff_s_cm": inputs.electronic_conductivity_eff_s_cm,
        "rates": [{"c_rate": c, "particle_mah_g": round(q, 2), "dfn_mah_g": round(d, 2),
                   "stranded": s.stranded, "balance": e}
                  for c, q, d, s, e in zip(result.c_rates, result.capacity_mah_g,
                                           dfn.capacity_mah_g, result.stranded,
                                           result.charge_balance_error, strict=True)],
        "load_average_end": round(os.getloadavg()[0], 2),
    }
    print(json.dumps(report, indent=2))
    return 0 if graphs_s + particle_s <= BUDGET_S else 1


if __name__ == "__main__":
    sys.exit(main())
