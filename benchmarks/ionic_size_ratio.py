"""Utilization at 80 wt% CAM vs the electrolyte/CAM size ratio (issue 18).

Builds the packings of examples/size_ratio_sse{05,1,2}x.toml (per seed, optionally in another
box) and prints, per recipe, the ionic network's σ_ion,eff, τ, the CAM volume share with any
ionic path to the separator, and the CAM utilization by the path-inclusive access number N and
by the local contact access number N_c (docs/transport.md). ``--packings DIR`` keeps each
packing as DIR/<stem>_s<seed>_<X>x<Y>x<Z>.npz and reuses it. Run with NUMBA_NUM_THREADS=1:

    .venv/bin/python benchmarks/ionic_size_ratio.py [--seeds 0 1 2] [--box 28 28 20]
        [--packings DIR] [--out rows.json]
"""

from __future__ import annotations

import argparse
import json
import os
import time
from pathlib import Path

import numpy as np

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.packing.build import build_packing
from cathodetwin.packing.packing import Packing
from cathodetwin.recipe import load_recipe

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
RATIOS = {"0.5": "size_ratio_sse05x", "1": "size_ratio_sse1x", "2": "size_ratio_sse2x"}


def packing_of(stem: str, seed: int, box: tuple[float, ...] | None,
               packings: Path | None) -> tuple[Packing, float]:
    """The recipe's packing at ``seed`` (and ``box``), built or read from the cache; build s."""
    recipe = load_recipe(EXAMPLES / f"{stem}.toml")
    update = {"seed": seed} | ({"box_um": tuple(box)} if box is not None else {})
    recipe = recipe.model_copy(update={"simulation": recipe.simulation.model_copy(update=update)})
    tag = "x".join(f"{b:g}" for b in recipe.simulation.box_um)
    cached = packings / f"{stem}_s{seed}_{tag}.npz" if packings is not None else None
    if cached is not None and cached.exists():
        return Packing.load(cached), 0.0
    t0 = time.perf_counter()
    packing = build_packing(recipe)
    if cached is not None:
        packing.save(cached)
    return packing, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seeds", nargs="+", type=int, default=[0])
    parser.add_argument("--box", nargs=3, type=float)
    parser.add_argument("--packings", type=Path)
    parser.add_argument("--out")
    args = parser.parse_args()
    rows = []
    for seed in args.seeds:
        for ratio, stem in RATIOS.items():
            packing, built = packing_of(stem, seed, args.box, args.packings)
            net = ionic_network(packing)
            volume = net.cam_volume_um3
            finite = np.isfinite(net.contact_access_number)
            rows.append({
                "ratio": ratio, "seed": seed, "box_um": list(packing.box_um),
                "particles": len(packing), "build_s": round(built, 1),
                "network_s": round(net.wall_time_s, 2),
                "sigma_ion_eff_ms_cm": net.effective_conductivity_s_cm * 1e3,
                "tortuosity_factor": net.tortuosity_factor,
                "path_share": float(volume[finite].sum() / volume.sum()),
                "median_contact_access_number": float(np.median(
                    net.contact_access_number[finite])) if finite.any() else None,
                "utilization_by_access_number": net.utilization_by_access_number,
                "utilization_by_contact_access_number":
                    net.utilization_by_contact_access_number,
                "load_average": round(os.getloadavg()[0], 2),
            })
            print(json.dumps(rows[-1]), flush=True)
            if args.out:
                Path(args.out).write_text(json.dumps(rows, indent=1))


if __name__ == "__main__":
    main()
