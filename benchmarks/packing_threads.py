"""Parallel efficiency of the compaction: the same powder pressed on 1 and on N threads.

For each size and thread count it prints wall and CPU time, the parallel efficiency as the
issue defines it (CPU time / (threads × wall)), the speed-up over one thread and the
strong-scaling efficiency (speed-up / threads, the stricter figure: CPU time also counts
threads that spin while waiting), and where the wall time goes: the force kernels
(``pair_forces`` + ``gather_forces``), the move kernel, the neighbour-list upkeep (rebuilds and
refreshes) and the rest (Python between kernels). The powder is ``benchmarks/packing.py``'s
(NCM811 D50 5 µm + Li6PS5Cl D50 0.5 µm, 85:15 wt%, 300 MPa, near-cubic die). Run on an
otherwise idle machine (the load average is printed at the start and end of each row)::

    python benchmarks/packing_threads.py --sizes 30000 100000 --threads 1 2
"""

from __future__ import annotations

import argparse
import os
import time
from collections import defaultdict

import numba
from packing import benchmark_recipe, die_um  # benchmarks/ is the script's dir

from cathodetwin.packing import CompactionSettings, compact, sample_powder
from cathodetwin.packing import compaction as engine

PHASES = {"evaluate": "forces", "refresh": "lists", "rebuild": "lists"}


def _timed(phase_s: dict[str, float]) -> list[tuple[str, object]]:
    """Wrap the _State methods and the move kernel so each adds its wall time to phase_s."""
    saved = []
    depth = [0]  # only the outermost timed call counts (refresh may call rebuild)

    def wrap(owner, name, phase):
        original = getattr(owner, name)
        saved.append((owner, name, original))

        def timed(*args, **kwargs):
            depth[0] += 1
            t0 = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                depth[0] -= 1
                if depth[0] == 0:
                    phase_s[phase] += time.perf_counter() - t0
        setattr(owner, name, timed)

    for name, phase in PHASES.items():
        wrap(engine._State, name, phase)
    wrap(engine, "fire_move", "move")
    return saved


def run(particles: int, threads: int) -> dict:
    """Press one powder on ``threads`` threads; wall, CPU and per-phase seconds."""
    recipe = benchmark_recipe(die_um(particles))
    powder = sample_powder(recipe)
    phase_s: dict[str, float] = defaultdict(float)
    saved = _timed(phase_s)
    load0 = os.getloadavg()[0]
    t0, c0 = time.perf_counter(), time.process_time()
    try:
        packing = compact(powder, recipe.processing, settings=CompactionSettings(threads=threads))
    finally:
        for owner, name, original in saved:
            setattr(owner, name, original)
    wall, cpu = time.perf_counter() - t0, time.process_time() - c0
    steps = packing.provenance["compaction"]["steps"]
    return {"particles": len(packing), "threads": threads, "wall_s": wall, "cpu_s": cpu,
            "steps": steps, "load": (load0, os.getloadavg()[0]),
            "us_per_particle_step": 1e6 * wall / (len(packing) * steps),
            **{k: phase_s[k] for k in ("forces", "move", "lists")},
            "other": wall - sum(phase_s.values())}


def main() -> None:
    """Print one row per size and thread count, then the efficiencies per size."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100_000])
    parser.add_argument("--threads", type=int, nargs="+", default=[1, 2])
    args = parser.parse_args()
    print(f"{os.cpu_count()} CPUs; numba {numba.__version__}, threading layer "
          f"{numba.config.THREADING_LAYER!r}; load {os.getloadavg()[0]:.2f}")
    run(2000, max(args.threads))  # compile (or load from numba's cache)
    print(f"threading layer in use: {numba.threading_layer()}")
    print(f"{'particles':>9} {'thr':>3} {'wall_s':>7} {'cpu_s':>7} {'steps':>6} "
          f"{'us/(p*step)':>11} {'forces':>7} {'move':>6} {'lists':>6} {'other':>6} "
          f"{'cpu/(thr*wall)':>14} {'speed-up':>8} {'speedup/thr':>11}  load")
    for n in args.sizes:
        rows = [run(n, t) for t in args.threads]
        base = next((r for r in rows if r["threads"] == 1), None)
        for r in rows:
            eff = r["cpu_s"] / (r["threads"] * r["wall_s"])
            # steps differ slightly between thread counts (summation order); compare per step
            speed = (base["wall_s"] / base["steps"]) / (r["wall_s"] / r["steps"]) if base else 0
            print(f"{r['particles']:>9d} {r['threads']:>3d} {r['wall_s']:>7.1f} "
                  f"{r['cpu_s']:>7.1f} {r['steps']:>6d} {r['us_per_particle_step']:>11.3f} "
                  f"{r['forces']:>7.1f} {r['move']:>6.1f} {r['lists']:>6.1f} "
                  f"{r['other']:>6.1f} {eff:>14.2f} {speed:>8.2f} "
                  f"{speed / r['threads']:>11.2f}  {r['load'][0]:.2f}-{r['load'][1]:.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
