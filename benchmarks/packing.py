"""Compaction benchmark: particles, wall seconds and the cost-scaling exponent.

NCM811 (D50 5 µm, GSD 1.1) with Li6PS5Cl (D50 0.5 µm, GSD 1.2; CAM:SSE size ratio 10),
85:15 wt%, pressed to 300 MPa and unloaded to 10 MPa, in a near-cubic die sized for about 10 k,
30 k and 100 k particles (at least 13.5 µm wide so the largest CAM fit). Run:
``python benchmarks/packing.py [--sizes 10000 30000 100000] [--threads N] [--geometry slab]``
(``slab``: dies of fixed height that grow sideways, i.e. wider twins of one electrode). With
``--papers [NAME ...]`` it instead presses the example recipes of papers 000, 001, 003 and 004
(``examples/papers``) and paper 000's pure-LPSC pellets, printing the porosity under the
pressing pressure and after unloading next to the papers' values. Timings include
powder sampling and loose placement, not numba compilation (a small warm-up run compiles
first). The version of the engine imported and the 1-minute load average are printed per row,
so an older engine can be timed on the same case with ``PYTHONPATH=<worktree of it>/src``
(the benchmark's LPSCl density is pinned to 1.64 g/cm³, the library value before 0.5.0, so
both engines press the same powder); ``--no-friction`` times this engine frictionless and
without welds. wall_s is elapsed time, cpu_s the process CPU time (all threads): on a shared machine
wall_s grows with the other load, cpu_s much less. The number of relaxation steps varies
chaotically from run to run, so the cost per particle-step is the figure to compare.
"""

from __future__ import annotations

import argparse
import inspect
import math
import os
import time
from pathlib import Path

import numpy as np

import cathodetwin
from cathodetwin.packing import CompactionSettings, build_packing, compact, sample_powder
from cathodetwin.recipe import Recipe, load_recipe, recipe_from_dict

EXAMPLES = Path(__file__).resolve().parents[1] / "examples" / "papers"
# Porosity (%) the papers report for the pressed layer (ex situ, after unloading).
PAPER_POROSITY = {
    "000_coarse_pellet": "11.3 (FIB surface porosity of the coarse-LPSC pellet)",
    "000_fine_pellet": "4.4 (FIB surface porosity; relative density 90 %)",
    "000_coarse_lpsc": "not reported (composite)",
    "000_fine_lpsc": "not reported (composite)",
    "001_cam10-0": "16.8 SEM; 11-13 He pycnometry (unimodal)",
    "001_cam8-2": "10.2 SEM; 8-11 He pycnometry (bimodal)",
    "001_cam7-3": "7.6 SEM; 8-11 He pycnometry (bimodal, lowest)",
    "001_cam6-4": "10.9 SEM; 8-11 He pycnometry (bimodal)",
    "001_cam0-10": "18.0 SEM; 11-13 He pycnometry (unimodal)",
    "003_bm05": "9.7 (90.3 % of theoretical density)",
    "003_lno_nmc": "19.6 (2.63 of 3.27 g/cm3)",
    "004_single_crystal": "~10 (relative density ~90 % at 500 MPa)",
}

MIN_LATERAL_UM = 13.5
PARTICLES_PER_UM3 = 4.69  # measured for this recipe at the default density guess


SLAB_HEIGHT_UM = 20.0  # loose-powder height of the "slab" dies (about a 15 µm pressed layer)


def die_um(particles: int, geometry: str = "cube") -> tuple[float, float, float]:
    """Die (µm) holding about ``particles``: near-cubic, or a slab of fixed height.

    "slab" is a wider twin of the same electrode (fixed thickness), "cube" a larger one in
    every direction; the table shows how steps, list upkeep and the cost per particle-step grow.
    """
    volume = particles / PARTICLES_PER_UM3
    if geometry == "slab":
        side = max(MIN_LATERAL_UM, math.sqrt(volume / SLAB_HEIGHT_UM))
    else:
        side = max(MIN_LATERAL_UM, volume ** (1.0 / 3.0))
    return side, side, volume / side**2


def benchmark_recipe(box_um: tuple[float, float, float], seed: int = 0) -> Recipe:
    """The benchmark's composite in a die of this size (µm)."""
    return recipe_from_dict(
        {
            "name": "benchmark NCM811 + fine LPSCl",
            "components": [
                {"name": "NCM811", "material": "NCM811", "role": "CAM", "weight_percent": 85.0,
                 "psd": {"kind": "lognormal", "d50_um": 5.0, "gsd": 1.1}},
                {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 15.0,
                 "psd": {"kind": "lognormal", "d50_um": 0.5, "gsd": 1.2},
                 "overrides": {"density_g_cm3": 1.64}},  # same powder for every version
            ],
            "processing": {"pressing_pressure_mpa": 300.0, "stack_pressure_mpa": 10.0},
            "simulation": {"box_um": list(box_um),
                           "voxel_size_um": 0.1, "seed": seed},
        }
    )


def _settings(threads: int | None, friction: bool) -> CompactionSettings:
    """Compaction settings; friction and welds off on request (engines that have them)."""
    known = inspect.signature(CompactionSettings).parameters
    extra = {k: friction for k in ("friction", "cohesion") if k in known}
    return CompactionSettings(threads=threads, **extra)


def run(particles: int, threads: int | None, geometry: str = "cube",
        friction: bool = True) -> dict:
    """Sample, press and unload one powder of about ``particles``; returns the timings."""
    recipe = benchmark_recipe(die_um(particles, geometry))
    t0 = time.perf_counter()
    c0 = time.process_time()
    powder = sample_powder(recipe)
    packing = compact(powder, recipe.processing, settings=_settings(threads, friction))
    wall = time.perf_counter() - t0
    cpu = time.process_time() - c0
    info = packing.provenance["compaction"]
    return {
        "particles": len(packing),
        "wall_s": wall,
        "cpu_s": cpu,
        "steps": info["steps"],
        "rebuilds": info["neighbor_rebuilds"],
        "refreshes": info["neighbor_refreshes"],
        "porosity_pressed": 1.0 - float(np.max(packing.history["solid_fraction"])),
        "porosity": packing.porosity(),
        "converged": all(info["converged"].values()),
        "height_um": packing.box_um[2],
        "us_per_particle_step": 1e6 * wall / (len(packing) * info["steps"]),
        "cpu_us_per_particle_step": 1e6 * cpu / (len(packing) * info["steps"]),
        "load": os.getloadavg()[0],
    }


def pellet_recipe(name: str) -> Recipe:
    """Paper 000's pure-LPSC pellets: the example recipe's LPSC alone, pressed the same way."""
    base = load_recipe(EXAMPLES / f"000_{name}_lpsc.toml")
    sse = base.components_with_role("SSE")[0].model_dump(mode="json", exclude_none=True)
    data = base.model_dump(mode="json", exclude_none=True)
    data["components"] = [sse | {"weight_percent": 100.0}]
    data["name"] = f"000 {name} LPSC pellet"
    return recipe_from_dict(data)


def papers(names: list[str] | None) -> None:
    """Press the papers' example recipes; print porosities (pressed, unloaded) and the paper's."""
    cases: dict[str, Recipe] = {f"000_{k}_pellet": pellet_recipe(k) for k in ("coarse", "fine")}
    cases |= {
        key: load_recipe(EXAMPLES / f"{key}.toml")
        for key in PAPER_POROSITY
        if not key.endswith("pellet") and (EXAMPLES / f"{key}.toml").exists()
    }
    if names:
        cases = {k: v for k, v in cases.items() if k in names}
    print(f"cathodetwin {cathodetwin.__version__}")
    print(f"{'case':<20} {'particles':>9} {'P_MPa':>6} {'pressed_%':>9} {'unloaded_%':>10} "
          f"{'height/target':>13} {'cpu_s':>6} {'load':>5}  paper porosity %")
    for key, recipe in cases.items():
        c0 = time.process_time()
        try:
            packing = build_packing(recipe)
        except ValueError as err:
            print(f"{key:<20} failed: {err}", flush=True)
            continue
        cpu = time.process_time() - c0
        h = packing.history
        k = int(np.argmax(h["solid_fraction"]))
        carbon = sum(r["placed_volume_um3"] for r in packing.provenance.get("carbon", {}).values())
        area = packing.box_um[0] * packing.box_um[1]
        pressed = 100.0 * (1.0 - h["solid_fraction"][k] - carbon / (area * h["height_um"][k]))
        ratio = packing.box_um[2] / recipe.simulation.box_um[2]
        print(f"{key:<20} {len(packing):>9d} {recipe.processing.pressing_pressure_mpa:>6.0f} "
              f"{pressed:>9.1f} {100.0 * packing.porosity():>10.1f} {ratio:>13.2f} "
              f"{cpu:>6.0f} {os.getloadavg()[0]:>5.2f}  {PAPER_POROSITY[key]}", flush=True)


def main() -> None:
    """Print one line per size and the fitted exponent of wall time ∝ particles^b."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[10_000, 30_000, 100_000])
    parser.add_argument("--threads", type=int, default=None)
    parser.add_argument("--geometry", choices=("cube", "slab"), default="cube",
                        help="near-cubic dies, or dies of fixed height growing sideways")
    parser.add_argument("--papers", nargs="*", default=None, metavar="NAME")
    parser.add_argument("--no-friction", action="store_true",
                        help="press frictionless and without welds (0.5.0 and later)")
    args = parser.parse_args()
    if args.papers is not None:
        papers(args.papers)
        return
    friction = not args.no_friction
    run(2000, args.threads, friction=friction)  # compile
    rows = []
    print(f"cathodetwin {cathodetwin.__version__} ({Path(cathodetwin.__file__).parent}), "
          f"geometry: {args.geometry}, friction: {friction}")
    print(f"{'particles':>10} {'height_um':>9} {'wall_s':>8} {'cpu_s':>8} {'steps':>7} "
          f"{'rebuilds':>8} {'refreshes':>9} {'us/(p*step)':>11} {'cpu_us/(p*step)':>15} "
          f"{'porosity':>9} {'pressed':>8} conv  load")
    for n in args.sizes:
        row = run(n, args.threads, args.geometry, friction)
        rows.append(row)
        print(f"{row['particles']:>10d} {row['height_um']:>9.1f} {row['wall_s']:>8.1f} "
              f"{row['cpu_s']:>8.1f} {row['steps']:>7d} {row['rebuilds']:>8d} "
              f"{row['refreshes']:>9d} {row['us_per_particle_step']:>11.3f} "
              f"{row['cpu_us_per_particle_step']:>15.3f} {row['porosity']:>9.4f} "
              f"{row['porosity_pressed']:>8.4f} {row['converged']}  {row['load']:.2f}",
              flush=True)
    if len(rows) >= 2:
        x = np.log([r["particles"] for r in rows])
        for key in ("wall_s", "cpu_s", "steps"):
            slope = float(np.polyfit(x, np.log([r[key] for r in rows]), 1)[0])
            print(f"scaling exponent ({key} ∝ particles^b): b = {slope:.2f}")
        per = rows[-1]["wall_s"] / rows[-1]["particles"] * 1e6
        print(f"cost at the largest size: {per:.0f} µs per particle "
              f"({math.ceil(rows[-1]['wall_s'] / 60)} min)")


if __name__ == "__main__":
    main()
