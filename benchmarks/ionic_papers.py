"""Re-measure the papers' composites with the ionic contact network (issue 18).

For each case (examples/papers/<stem>.toml) the packing is built and the ionic network gives
σ_ion,eff and τ (σ0 = the electrolyte's pellet σ), and τ once more with no grain-boundary or
interface ASR (the geometry's share, what an image-based τ sees); the papers' reported values
and ionic orderings come from data/paper_values.toml.
Prints a markdown table (twin, paper, ratio) and
each ordering's verdict. Packings are the expensive part (DEM); ``--box X Y Z`` shrinks every
box for a quicker, noisier run; ``--packings DIR`` keeps each built packing there (DIR/<stem>.npz,
or DIR/<stem>_<box>.npz with ``--box``) and reuses it on the next run. Run with
NUMBA_NUM_THREADS=1:

    .venv/bin/python benchmarks/ionic_papers.py [--box 24 24 20] [--packings DIR] [--out rows.json]
        [stem ...]
"""

from __future__ import annotations

import argparse
import json
import os
import time
import tomllib
from importlib import resources
from pathlib import Path

from cathodetwin.analysis.transport.ionic_network import ionic_network
from cathodetwin.packing.build import build_packing
from cathodetwin.packing.packing import Packing
from cathodetwin.recipe import load_recipe

PAPERS = Path(__file__).resolve().parents[1] / "examples" / "papers"
CASES = ("000_fine_lpsc", "000_coarse_lpsc", "001_cam10-0", "001_cam8-2", "001_cam7-3",
         "001_cam6-4", "001_cam0-10", "002_model1_75wt", "002_model2_75wt", "002_model3_75wt",
         "002_model4_75wt", "002_model1_85wt", "002_model2_85wt", "002_model3_85wt",
         "002_model4_85wt", "003_lno_nmc", "004_polycrystalline", "004_single_crystal")
METRICS = ("ionic_conductivity_eff_s_cm", "ionic_tortuosity_factor")


def paper_values() -> dict:
    """The bundled paper numbers and orderings."""
    text = resources.files("cathodetwin").joinpath("data", "paper_values.toml").read_text("utf-8")
    return tomllib.loads(text)


def measure(stem: str, box: tuple[float, float, float] | None, packings: Path | None) -> dict:
    """σ_ion,eff (S/cm), τ and timings of one case's packing (cached under ``packings``)."""
    recipe = load_recipe(PAPERS / f"{stem}.toml")
    if box is not None:
        simulation = recipe.simulation.model_copy(update={"box_um": tuple(box)})
        recipe = recipe.model_copy(update={"simulation": simulation})
    name = stem if box is None else f"{stem}_{'x'.join(f'{b:g}' for b in box)}"
    cached = packings / f"{name}.npz" if packings is not None else None
    t0 = time.perf_counter()
    if cached is not None and cached.exists():
        packing = Packing.load(cached)
    else:
        packing = build_packing(recipe)
        if cached is not None:
            packing.save(cached)
    built = time.perf_counter() - t0
    net = ionic_network(packing)
    no_boundaries = ionic_network(packing, grain_boundary_asr_ohm_cm2=0.0,
                                  cam_interface_asr_ohm_cm2=0.0)
    return {"ionic_conductivity_eff_s_cm": net.effective_conductivity_s_cm,
            "ionic_tortuosity_factor": net.tortuosity_factor,
            "ionic_tortuosity_factor_without_boundaries": no_boundaries.tortuosity_factor,
            "sse_shells_ignored": net.sse_shells_ignored, "particles": len(packing),
            "build_s": round(built, 1), "network_s": round(net.wall_time_s, 2),
            "sse_volume_fraction": net.sse_volume_fraction, "porosity": packing.porosity(),
            "utilization_by_access_number": net.utilization_by_access_number,
            "utilization_by_contact_access_number": net.utilization_by_contact_access_number,
            "path_cam_volume_fraction": net.path_cam_volume_fraction,
            "load_average": round(os.getloadavg()[0], 2)}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("stems", nargs="*", default=list(CASES))
    parser.add_argument("--box", nargs=3, type=float)
    parser.add_argument("--packings", type=Path)
    parser.add_argument("--out")
    args = parser.parse_args()
    data = paper_values()
    rows = {}
    for stem in args.stems:
        try:
            rows[stem] = measure(stem, args.box, args.packings)
        except Exception as error:  # e.g. a box too small for the PSD's tail: say so, go on
            print(stem, "FAILED:", error, flush=True)
            continue
        print(stem, json.dumps(rows[stem]), flush=True)
        if args.out:
            Path(args.out).write_text(json.dumps(rows, indent=1))
    print("\n| case | metric | twin | paper | twin/paper |\n|---|---|---|---|---|")
    for stem, row in rows.items():
        for v in data["values"]:
            if v["case"] == stem and v["metric"] in METRICS:
                paper = v["value"] * v.get("scale", 1.0)
                twin = row[v["metric"]]
                print(f"| {stem} | {v['metric']} | {twin:.4g} | {paper:.4g} | "
                      f"{twin / paper:.2f} |")
    for o in data.get("orderings", []):
        if o["metric"] in METRICS and all(s in rows for s in o["order"]):
            seq = [rows[s][o["metric"]] for s in o["order"]]
            ok = all(b > a for a, b in zip(seq, seq[1:], strict=False))
            if o["direction"] != "ascending":
                ok = all(b < a for a, b in zip(seq, seq[1:], strict=False))
            print(f"ordering {o['metric']} {o['direction']} {o['order']}: "
                  f"{'holds' if ok else 'FAILS'} ({', '.join(f'{x:.3g}' for x in seq)})")


if __name__ == "__main__":
    main()
