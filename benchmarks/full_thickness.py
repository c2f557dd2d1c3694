"""Full-thickness twin: the whole build of a 60 µm electrode beside the default recipe's.

NCM811 + fine Li6PS5Cl + 3 wt% VGCF (the default recipe's materials) in a 40 × 40 × 60 µm box
(``examples/full_thickness.toml``: the box height is the electrode thickness), built from
packing to cell, next to the default recipe (24 × 24 × 20 µm). Each build runs in its own
process; per stage it prints the wall time, the peak resident memory of that stage (the
process's high-water mark, reset at each stage start through /proc/self/clear_refs), and the
time per particle and per voxel, so that growth with size is visible. Goal (issue 21): the
full-thickness build in ≤ 10 min and ≤ 12 GiB on a 2-core machine. An untimed default build
runs first so that numba's cache is warm (compilation is not timed). Run:
``python benchmarks/full_thickness.py [--only full|default] [--keep DIR] [--no-warmup]``.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing as mp
import os
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FULL = ROOT / "examples" / "full_thickness.toml"


def _peak_rss_gib() -> float:
    """High-water mark of this process's resident memory since the last reset (GiB)."""
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 2**20
    return float("nan")


def _reset_peak() -> None:
    """Reset the resident-memory high-water mark (Linux ≥ 4.0); silently a no-op elsewhere."""
    try:
        with open("/proc/self/clear_refs", "w", encoding="ascii") as fh:
            fh.write("5")
    except OSError:
        pass


def _build(recipe_path: str | None, out_dir: str, queue: mp.Queue) -> None:
    """Child process: one whole build, stage times and peak memory into ``queue``."""
    from cathodetwin.pipeline import BuildOptions, build
    from cathodetwin.recipe import default_recipe, load_recipe

    recipe = load_recipe(recipe_path) if recipe_path else default_recipe()
    stages: dict[str, dict[str, float]] = {}
    started: dict[str, float] = {}

    def progress(stage: str, info: dict) -> None:
        if info.get("start"):
            _reset_peak()
            started[stage] = time.perf_counter()
        elif info.get("done") and stage in started:
            stages[stage] = {"wall_s": time.perf_counter() - started[stage],
                             "peak_gib": _peak_rss_gib()}

    t0 = time.perf_counter()
    metrics = build(recipe, out_dir, BuildOptions(), progress=progress, resume=False)
    packing = metrics["packing"]
    queue.put({
        "name": recipe.name, "wall_s": time.perf_counter() - t0, "stages": stages,
        "particles": packing["n_particles"], "fibre_segments": packing["n_fibers"],
        "voxels": int(metrics["voxels"]["shape_voxels"][0] * metrics["voxels"]["shape_voxels"][1]
                      * metrics["voxels"]["shape_voxels"][2]),
        "box_um": packing["box_um"],
    })


def run(recipe_path: str | None, keep: Path | None) -> dict:
    """One build in a fresh process (no memory carried over from another build)."""
    ctx = mp.get_context("spawn")
    queue = ctx.Queue()
    with tempfile.TemporaryDirectory(prefix="cathodetwin-bench-") as tmp:
        out = keep / Path(recipe_path or "default").stem if keep else Path(tmp)
        proc = ctx.Process(target=_build, args=(recipe_path, str(out), queue))
        proc.start()
        result = queue.get()
        proc.join()
    return result


def report(result: dict) -> None:
    """Print one build's stage table."""
    print(f"\n{result['name']}: box {[round(b, 1) for b in result['box_um']]} µm, "
          f"{result['particles']} particles, {result['fibre_segments']} fibre segments, "
          f"{result['voxels'] / 1e6:.2f} M voxels; whole build {result['wall_s']:.0f} s")
    print(f"{'stage':10s} {'wall s':>8s} {'peak GiB':>9s} {'µs/particle':>12s} {'ns/voxel':>9s}")
    for stage, row in result["stages"].items():
        print(f"{stage:10s} {row['wall_s']:8.1f} {row['peak_gib']:9.2f} "
              f"{1e6 * row['wall_s'] / result['particles']:12.0f} "
              f"{1e9 * row['wall_s'] / result['voxels']:9.0f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--only", choices=("full", "default"))
    parser.add_argument("--keep", type=Path, help="keep the build directories here")
    parser.add_argument("--json", type=Path, help="also write the results as JSON")
    parser.add_argument("--no-warmup", action="store_true",
                        help="skip the untimed default build that fills numba's cache first")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.2f} on {os.cpu_count()} cores")
    if not args.no_warmup:  # a cold numba cache would time the compiler in the first build
        run(None, None)
    results = []
    for name, path in (("default", None), ("full", str(FULL))):
        if args.only in (None, name):
            results.append(run(path, args.keep))
            report(results[-1])
    if len(results) == 2:
        small, big = results
        print(f"\ngrowth full / default: particles {big['particles'] / small['particles']:.1f}×, "
              f"voxels {big['voxels'] / small['voxels']:.1f}×, "
              f"wall time {big['wall_s'] / small['wall_s']:.1f}×")
    print(f"load average at the end {os.getloadavg()[0]:.2f}")
    if args.json:
        args.json.write_text(json.dumps(results, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
