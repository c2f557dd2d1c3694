"""The particle-resolved cell against the papers (issue 19): 002, 000, 004 and 003.

Each case (examples/papers/<stem>.toml) is built once into a cache directory
(``cathodetwin.pipeline.build``, resumed on later runs) and each discharge of the
particle-resolved cell is cached beside it as JSON, so re-runs only print; no parameter is set
per paper. Printed, as markdown: per case and C-rate the particle cell's and the DFN's
capacity beside the paper's, the stranded particles by cause; for 000 and 004, per stack
pressure of the mechanics sweep, the contact kept after charge (reaction area, particles that
lose every contact, the CAM volume share still in contact = low-rate retention), and the
particle-resolved discharge at 0.1C with every contact and after a charge at 2 / 10 / 30 MPa
and the recipe's stack pressure (capacity, retention, stranded particles); the orderings
the papers state, each with its verdict; the load average. Run with one numba thread:

    NUMBA_NUM_THREADS=1 .venv/bin/python benchmarks/particle_cell_papers.py \
        [--cache /tmp/particle_cell_papers] [--box X Y Z] [--tile] [--fixed-cam-sigma] [stem ...]

The particle cell runs on one copy of the twin box (the DFN beside it on the full electrode
thickness) unless ``--tile`` stacks it to the recipe's thickness (3x the unknowns, slow today).
"""

from __future__ import annotations

import argparse
import json
import os
import time
import tomllib
from dataclasses import replace
from importlib import resources
from pathlib import Path

import numpy as np

from cathodetwin.analysis.structure_metrics import StructureMetrics
from cathodetwin.analysis.transport.measure import TransportMetrics
from cathodetwin.atomic import write_json_atomic
from cathodetwin.cell import CellInputs, simulate_rates
from cathodetwin.cell.contact_loss import load_tractions, retained_contact_share
from cathodetwin.cell.particle_twin import simulate_twin_particle_rates
from cathodetwin.errors import SolverError
from cathodetwin.packing import Packing
from cathodetwin.pipeline import TRACTIONS_FILE, BuildOptions, build
from cathodetwin.recipe import Recipe, load_recipe

PAPERS = Path(__file__).resolve().parents[1] / "examples" / "papers"
RETENTION_C_RATE = 0.1  # paper 000 cycles at 0.1C; paper 004's 0.2 mA/cm² is ≈ 0.067C
# the particle cell after charge: stack pressures (MPa) besides the recipe's; the C-rate per
# case where it is not RETENTION_C_RATE (004: 0.2 mA/cm² over 14 mg/cm² x 200 mAh/g)
AFTER_CHARGE_PRESSURES_MPA = (2.0, 10.0, 30.0)
AFTER_CHARGE_C_RATE: dict[str, float] = {}
# per case: C-rates of the rate table and whether the mechanics stage (contact loss) runs
CASES: dict[str, tuple[tuple[float, ...], bool]] = {
    "002_model1_85wt": ((0.05, 0.2), False),
    "002_model2_85wt": ((0.05, 0.2), False),
    "002_model3_85wt": ((0.05, 0.2), False),
    "002_model4_85wt": ((0.05, 0.2), False),
    "003_lno_nmc": ((1.0, 2.0), False),
    "003_bm05": ((1.0, 2.0), False),
    "000_coarse_lpsc": ((0.1,), True),
    "000_fine_lpsc": ((0.1,), True),
    "004_single_crystal": ((0.1,), True),
}
# Paper 000 (Zhou et al., ACS Energy Lett. 2025), main text: capacity retention after 100
# cycles at 0.1C, 30 °C — "84.0%, 74.3%, and 63.3% capacity retention after 100 cycles at 30,
# 10, and 2 MPa" (coarse), "retaining 90.3% and 88.9% capacity at 30 and 10 MPa" and "at
# 2 MPa, the fine-LPSC cathode composite retained 85.6% capacity" (fine). Paper 004 (Doerrer et
# al., ACS AMI 2021): initial discharge 204 / 205 mAh/g at 2.5 / 10 MPa and 205 at 0.2 MPa
# (8.7 mAh/cm² cathode); retention after 10 cycles 99.4 / 101.1 % at 2.5 / 10 MPa.
PAPER_RETENTION: dict[str, dict[float, float]] = {
    "000_coarse_lpsc": {30.0: 0.840, 10.0: 0.743, 2.0: 0.633},
    "000_fine_lpsc": {30.0: 0.903, 10.0: 0.889, 2.0: 0.856},
    "004_single_crystal": {10.0: 1.011, 2.5: 0.994},
}
# (metric, stems low → high) the papers state; each is checked on the twin's numbers
ORDERINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("capacity 0.05C", ("002_model1_85wt", "002_model2_85wt", "002_model3_85wt",
                        "002_model4_85wt")),
    ("capacity 0.2C", ("002_model1_85wt", "002_model2_85wt", "002_model3_85wt",
                       "002_model4_85wt")),
    ("capacity 1C", ("003_lno_nmc", "003_bm05")),
    ("capacity 2C", ("003_lno_nmc", "003_bm05")),
    ("capacity 0.1C", ("000_coarse_lpsc", "000_fine_lpsc")),
    ("retention 2 MPa", ("000_coarse_lpsc", "000_fine_lpsc")),
    ("retention 10 MPa", ("000_coarse_lpsc", "000_fine_lpsc")),
    ("retention 30 MPa", ("000_coarse_lpsc", "000_fine_lpsc")),
)


def paper_capacities() -> dict[tuple[str, float], float]:
    """(stem, C-rate) → the paper's discharge capacity (mAh/g) from data/paper_values.toml."""
    text = resources.files("cathodetwin").joinpath("data", "paper_values.toml").read_text("utf-8")
    out = {}
    for v in tomllib.loads(text)["values"]:
        metric = v["metric"]
        if metric.startswith("capacity_") and metric.endswith("c_mah_g"):
            rate = float(metric[len("capacity_"):-len("c_mah_g")].replace("p", "."))
            out.setdefault((v["case"], rate), v["value"] * v.get("scale", 1.0))
    return out


def run_case(stem: str, cache: Path, box: tuple[float, float, float] | None,
             one_copy: bool, soc_sigma: bool, with_after_charge: bool = True) -> dict:
    """Build (or resume) one case with the particle cell; its particle_cell and cell sections."""
    recipe = load_recipe(PAPERS / f"{stem}.toml")
    if box is not None:
        simulation = recipe.simulation.model_copy(update={"box_um": tuple(box)})
        recipe = recipe.model_copy(update={"simulation": simulation})
    rates, mechanics = CASES[stem]
    start = time.perf_counter()
    metrics = build(recipe, cache / stem, BuildOptions(
        c_rates=rates, mechanics=mechanics, particle_cell=False, report=False), resume=True)
    row = {"contact_loss": contact_loss(recipe, cache / stem, metrics) if mechanics else [],
           "after_charge": after_charge(recipe, cache / stem, metrics, one_copy, soc_sigma)
           if mechanics and with_after_charge else [],
           "particle_cell": [] if mechanics else [
               particle_rate(recipe, cache / stem, metrics, c, one_copy, soc_sigma)
               for c in rates]}
    return row | {"dfn": metrics.get("cell", {}).get("rates", []),
                  "timings_s": metrics.get("timings_s", {}),
                  "reused": metrics.get("reused_stages", []),
                  "wall_s": round(time.perf_counter() - start, 1),
                  "load_average": round(os.getloadavg()[0], 2)}


def particle_rate(recipe: Recipe, build_dir: Path, metrics: dict, c_rate: float,
                  one_copy: bool, soc_sigma: bool) -> dict:
    """One discharge of the particle-resolved cell (cached as JSON beside the build); a
    solver failure is kept as ``{"c_rate", "error"}``."""
    inputs = CellInputs.from_twin(recipe, StructureMetrics.from_dict(metrics["structure"]),
                                  TransportMetrics.from_dict(metrics["transport"]))
    if one_copy:  # the twin box alone, not tiled to the electrode thickness
        inputs = replace(inputs, thickness_um=recipe.simulation.box_um[2])
    dfn = simulate_rates(inputs, (c_rate,)).capacity_mah_g[0]  # same thickness, beside it
    path = build_dir / (f"particle_cell_{c_rate:g}C{'_1copy' if one_copy else ''}"
                        f"{'' if soc_sigma else '_fixed_sigma'}.json")
    cached = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
    if "error" in cached or "reached_cutoff" in cached:  # else (an older cache) again
        return cached | {"dfn_same_thickness": dfn}
    start = time.perf_counter()
    try:
        result = simulate_twin_particle_rates(
            Packing.load(build_dir / "packing.npz"), inputs, (c_rate,),
            soc_dependent_conductivity=soc_sigma).to_dict()
        out = {"c_rate": c_rate, "capacity_mah_g": result["capacity_mah_g"][0],
               "stranded": result["stranded"][0], "tiles": result["tiles"],
               "charge_balance_error": result["charge_balance_error"][0],
               "reached_cutoff": result["reached_cutoff"][0]}
    except SolverError as error:  # the Newton of the first step did not converge
        out = {"c_rate": c_rate, "error": str(error)}
    out |= {"wall_s": round(time.perf_counter() - start, 1),
            "load_average": round(os.getloadavg()[0], 2)}
    write_json_atomic(path, out)
    return out | {"dfn_same_thickness": dfn}


def contact_loss(recipe: Recipe, build_dir: Path, metrics: dict) -> list[dict]:
    """Per stack pressure (MPa) of the mechanics sweep: the reaction area kept after charge,
    the CAM volume share of particles that keep any contact over those that had one, and the
    DFN's 0.1C capacity with both (area and utilization) scaled, over the DFN's own."""
    inputs = CellInputs.from_twin(recipe, StructureMetrics.from_dict(metrics["structure"]),
                                  TransportMetrics.from_dict(metrics["transport"]))
    full = simulate_rates(inputs, (RETENTION_C_RATE,)).capacity_mah_g[0]
    packing = Packing.load(build_dir / "packing.npz")
    owners = np.load(build_dir / "particle_ids.npy")
    faces = load_tractions(build_dir / TRACTIONS_FILE)
    mech = metrics["mechanics"]
    cam = (packing.role_of() == "CAM") & (packing.core_radius_um > 0)
    volume = packing.core_radius_um**3 * cam
    had = np.bincount(owners.reshape(-1)[faces.cam_voxel_index].clip(0), minlength=len(packing))
    had = (had > 0) & cam
    out = []
    for p in sorted({float(r["stack_pressure_mpa"]) for r in mech["contact_retention"]}):
        share = retained_contact_share(faces, owners, len(packing), p,
                                       bond_strength_mpa=float(mech["bond_strength_mpa"]))
        detached = had & (share <= 0.0)
        kept = next(r["retained_contact_area_fraction"] for r in mech["contact_retention"]
                    if r["stack_pressure_mpa"] == p)
        kept_volume = float(volume[had & ~detached].sum() / volume[had].sum())
        after = replace(inputs, cam_utilization=inputs.cam_utilization * kept_volume,
                        specific_cam_sse_area_per_um=inputs.specific_cam_sse_area_per_um * kept)
        out.append({"stack_pressure_mpa": p, "retained_contact_area_fraction": kept,
                    "detached_particles": int(detached.sum()), "particles": int(had.sum()),
                    "retention": kept_volume,
                    "dfn_retention": simulate_rates(after, (RETENTION_C_RATE,)).capacity_mah_g[0]
                    / full})
    return out


def after_charge(recipe: Recipe, build_dir: Path, metrics: dict, one_copy: bool,
                 soc_sigma: bool) -> list[dict]:
    """The particle-resolved discharge at the retention rate with every contact, then after a
    charge at each stack pressure of ``AFTER_CHARGE_PRESSURES_MPA`` and the recipe's (MPa):
    the reaction area of each CAM particle times its kept share of faces (the pipeline's
    ``particle_cell.after_charge``); each discharge cached as JSON beside the build."""
    inputs = CellInputs.from_twin(recipe, StructureMetrics.from_dict(metrics["structure"]),
                                  TransportMetrics.from_dict(metrics["transport"]))
    if one_copy:
        inputs = replace(inputs, thickness_um=recipe.simulation.box_um[2])
    c_rate = AFTER_CHARGE_C_RATE.get(build_dir.name, RETENTION_C_RATE)
    packing = Packing.load(build_dir / "packing.npz")
    owners = np.load(build_dir / "particle_ids.npy")
    faces = load_tractions(build_dir / TRACTIONS_FILE)
    bond = float(metrics["mechanics"]["bond_strength_mpa"])
    pressures = sorted({*AFTER_CHARGE_PRESSURES_MPA, recipe.processing.stack_pressure_mpa})
    tag = f"{c_rate:g}C{'_1copy' if one_copy else ''}{'' if soc_sigma else '_fixed_sigma'}"
    out = []
    for p in (None, *pressures):
        path = build_dir / f"after_charge_{'all' if p is None else f'{p:g}MPa'}_{tag}.json"
        cached = json.loads(path.read_text(encoding="utf-8")) if path.exists() else {}
        if cached and "error" not in cached and "reached_cutoff" in cached:  # else again
            out.append(cached)
            continue
        share = None if p is None else retained_contact_share(
            faces, owners, len(packing), p, bond_strength_mpa=bond)
        start = time.perf_counter()
        try:
            result = simulate_twin_particle_rates(
                packing, inputs, (c_rate,), soc_dependent_conductivity=soc_sigma,
                retained_share=share).to_dict()
            row = {"capacity_mah_g": result["capacity_mah_g"][0],
                   "reached_cutoff": result["reached_cutoff"][0],
                   "stranded": result["stranded"][0], "tiles": result["tiles"],
                   "charge_balance_error": result["charge_balance_error"][0]}
        except SolverError as error:
            row = {"error": str(error)}
        row |= {"stack_pressure_mpa": p, "c_rate": c_rate,
                "wall_s": round(time.perf_counter() - start, 1),
                "load_average": round(os.getloadavg()[0], 2)}
        write_json_atomic(path, row)
        print(build_dir.name, json.dumps({k: v for k, v in row.items() if k != "stranded"}),
              flush=True)
        out.append(row)
    def complete(row: dict) -> float | None:  # None: the solver stopped before the cut-off
        q = row.get("capacity_mah_g")
        return None if q is None or (not row.get("reached_cutoff") and q > 0) else q

    full = complete(out[0])
    for row in out:  # a discharge the solver stopped before the cut-off gives no retention
        q = complete(row)
        row["retention"] = q / full if q is not None and full else None
    return out


def capacity(row: dict, c_rate: float) -> float | None:
    """The particle cell's capacity (mAh/g) of one case at one simulated C-rate."""
    return next((r.get("capacity_mah_g") for r in row["particle_cell"]
                 if r["c_rate"] == c_rate), None)


def retention(row: dict, pressure_mpa: float) -> float | None:
    """Retention after charge at one stack pressure (MPa), None if not computed."""
    for a in row["contact_loss"]:
        if abs(a["stack_pressure_mpa"] - pressure_mpa) < 1e-9:
            return a["retention"]
    return None


def after_retention(row: dict | None, pressure_mpa: float) -> float | None:
    """The particle cell's retention after charge at one stack pressure (MPa), if computed."""
    for a in (row or {}).get("after_charge", []):
        p = a["stack_pressure_mpa"]
        if p is not None and abs(p - pressure_mpa) < 1e-9:
            return a.get("retention")
    return None


def fmt(x: float | None, spec: str = ".1f") -> str:
    """A number or an em dash."""
    return "—" if x is None else format(x, spec)


def print_tables(rows: dict[str, dict]) -> None:
    """Markdown tables: rates with the stranded breakdown, contact loss, orderings."""
    paper = paper_capacities()
    print("\n| case | C-rate | particle cell (mAh/g) | DFN same thickness | "
          "DFN electrode (mAh/g) | paper (mAh/g) | "
          "stranded / CAM particles | stranded CAM volume share | no ionic path | "
          "no electronic path | ionic | electronic | kinetic |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|---|")
    for stem, row in rows.items():
        for r in row["particle_cell"]:
            c = r["c_rate"]
            dfn = {d["c_rate"]: d["capacity_mah_g"] for d in row["dfn"]}.get(c)
            if "error" in r:
                print(f"| {stem} | {c:g} | failed ({r['error']}) | "
                      f"{r['dfn_same_thickness']:.1f} | {fmt(dfn)} | "
                      f"{fmt(paper.get((stem, c)))} |" + " |" * 7)
                continue
            s = r["stranded"]
            stop = "" if r["reached_cutoff"] or not r["capacity_mah_g"] > 0 else \
                ", stopped before the cut-off"
            print(f"| {stem} | {c:g} | {r['capacity_mah_g']:.1f} ({r['tiles']} copy{stop}) | "
                  f"{r['dfn_same_thickness']:.1f} | {fmt(dfn)} | "
                  f"{fmt(paper.get((stem, c)))} | {s['stranded']} / {s['particles']} | "
                  f"{s['stranded_cam_volume_share']:.3f} | {s['no_ionic_path']} | "
                  f"{s['no_electronic_path']} | {s['ionic']} | {s['electronic']} | "
                  f"{s['kinetic']} |")
    print("\n| case | stack pressure (MPa) | reaction area kept | CAM particles detached | "
          "CAM volume still in contact | DFN 0.1C retention | paper retention |")
    print("|---|---|---|---|---|---|---|")
    for stem, row in rows.items():
        for a in row["contact_loss"]:
            p = a["stack_pressure_mpa"]
            print(f"| {stem} | {p:g} | {a['retained_contact_area_fraction']:.3f} | "
                  f"{a['detached_particles']} / {a['particles']} | {a['retention']:.4f} | "
                  f"{a['dfn_retention']:.4f} | "
                  f"{fmt(PAPER_RETENTION.get(stem, {}).get(p), '.3f')} |")

    print("\n| case | stack pressure (MPa) | C-rate | particle cell after charge (mAh/g) | "
          "retention | stranded / CAM particles | stranded CAM volume share | no ionic path "
          "| ionic | electronic | kinetic | paper retention |")
    print("|---|---|---|---|---|---|---|---|---|---|---|---|")
    for stem, row in rows.items():
        for a in row.get("after_charge", []):
            p = a["stack_pressure_mpa"]
            where = "all contacts" if p is None else f"{p:g}"
            if "error" in a:
                print(f"| {stem} | {where} | {a['c_rate']:g} | failed ({a['error']}) |"
                      + " |" * 8)
                continue
            s = a["stranded"]
            stop = "" if a.get("reached_cutoff") or not a["capacity_mah_g"] > 0 else \
                " (solver stopped before the cut-off)"
            print(f"| {stem} | {where} | {a['c_rate']:g} | {a['capacity_mah_g']:.2f}{stop} | "
                  f"{fmt(a['retention'], '.4f')} | {s['stranded']} / {s['particles']} | "
                  f"{s['stranded_cam_volume_share']:.4f} | {s['no_ionic_path']} | "
                  f"{s['ionic']} | {s['electronic']} | {s['kinetic']} | "
                  f"{fmt(PAPER_RETENTION.get(stem, {}).get(p), '.3f')} |")
    print()
    for stem in ("000_coarse_lpsc", "000_fine_lpsc", "004_single_crystal"):
        seq = [after_retention(rows.get(stem), p) for p in (2.0, 10.0, 30.0)]
        if all(x is not None for x in seq):
            print(f"particle cell retention {stem} 2 < 10 < 30 MPa: "
                  f"{'holds' if seq[0] < seq[1] < seq[2] else 'does not hold'} "
                  f"({', '.join(f'{x:.4f}' for x in seq)})")
    for p in (2.0, 10.0, 30.0):
        pair = [after_retention(rows.get(s), p) for s in ("000_coarse_lpsc", "000_fine_lpsc")]
        if all(x is not None for x in pair):
            print(f"particle cell retention at {p:g} MPa fine > coarse: "
                  f"{'holds' if pair[1] > pair[0] else 'does not hold'} "
                  f"({pair[1]:.4f} vs {pair[0]:.4f})")
    print()
    for metric, stems in ORDERINGS:
        if not all(s in rows for s in stems):
            continue
        kind, value = metric.split(" ", 1)
        number = float(value.split()[0].rstrip("C"))
        seq = [capacity(rows[s], number) if kind == "capacity" else retention(rows[s], number)
               for s in stems]
        if any(x is None for x in seq):
            continue
        holds = all(b > a for a, b in zip(seq, seq[1:], strict=False))
        print(f"paper order {metric} {' < '.join(stems)}: "
              f"{'holds' if holds else 'does not hold'} ({', '.join(f'{x:.4g}' for x in seq)})")
    for stem in ("000_coarse_lpsc", "000_fine_lpsc", "004_single_crystal"):
        if stem in rows:
            seq = [retention(rows[stem], p) for p in (2.0, 10.0, 30.0)]
            if all(x is not None for x in seq):
                holds = seq[0] < seq[1] < seq[2]
                print(f"retention {stem} 2 < 10 < 30 MPa: "
                      f"{'holds' if holds else 'does not hold'} "
                      f"({', '.join(f'{x:.4f}' for x in seq)})")


def main() -> None:
    """Build every case (or the named ones), print the tables and the load average."""
    parser = argparse.ArgumentParser()
    parser.add_argument("stems", nargs="*", default=list(CASES))
    parser.add_argument("--cache", default="/tmp/particle_cell_papers")
    parser.add_argument("--box", nargs=3, type=float)
    parser.add_argument("--tile", action="store_true",
                        help="stack the twin to the electrode thickness (default: one copy)")
    parser.add_argument("--fixed-cam-sigma", action="store_true",
                        help="CAM electronic conductivity independent of its state of charge")
    args = parser.parse_args()
    cache = Path(args.cache)
    rows = {}
    for stem in args.stems:
        rows[stem] = run_case(stem, cache, tuple(args.box) if args.box else None,
                              one_copy=not args.tile, soc_sigma=not args.fixed_cam_sigma)
        summary = {k: rows[stem][k] for k in ("wall_s", "load_average", "reused")}
        summary["particle_cell_s"] = [r["wall_s"] for r in rows[stem]["particle_cell"]]
        print(stem, json.dumps(summary), flush=True)
    print_tables(rows)
    print(f"\nload average (1, 5, 15 min): {os.getloadavg()}; "
          f"NUMBA_NUM_THREADS={os.environ.get('NUMBA_NUM_THREADS', 'unset')}")


if __name__ == "__main__":
    main()
