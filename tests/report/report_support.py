"""A small but real build directory for the report tests (hand-made packing, real stages)."""

from __future__ import annotations

import functools
import json
from html.parser import HTMLParser
from pathlib import Path

import numpy as np

from cathodetwin import __version__
from cathodetwin.analysis.mechanics import analyze_microstructure_breathing
from cathodetwin.analysis.structure_metrics import measure_structure
from cathodetwin.analysis.transport import CarrierTransport, ConductionResult
from cathodetwin.cell import CellInputs, simulate_rates
from cathodetwin.packing import Fibers, Packing
from cathodetwin.recipe import default_recipe, save_recipe
from cathodetwin.structure.io import save_microstructure
from cathodetwin.structure.voxelize import voxelize_with_owners

BOX_UM = (10.0, 10.0, 10.0)
VOXEL_UM = 0.25
C_RATES = (0.1, 1.0, 2.0)


def small_recipe():
    """The default recipe shrunk to a 10 µm box at 0.25 µm voxels (40³)."""
    return default_recipe().with_changes({
        "simulation.box_um": list(BOX_UM), "simulation.voxel_size_um": VOXEL_UM,
    })


@functools.cache
def random_packing(seed: int = 3, n_cam: int = 10, n_sse: int = 420) -> Packing:
    """NCM811 + LPSCl spheres placed at random with at most 10 % overlap, plus a few fibres.

    Cached: callers must not change the returned packing.
    """
    rng = np.random.default_rng(seed)
    lx, ly, lz = BOX_UM
    centers, radii, comp = [], [], []
    wanted = [(0, r) for r in rng.uniform(1.2, 2.0, n_cam)]
    wanted += [(1, r) for r in rng.uniform(0.45, 0.8, n_sse)]
    for k, r in wanted:
        trial = rng.random((64, 3)) * (lx, ly, lz - 2 * r) + (0.0, 0.0, r)
        if centers:
            d = trial[:, None, :] - np.asarray(centers)[None, :, :]
            d[..., :2] -= np.round(d[..., :2] / (lx, ly)) * (lx, ly)
            free = np.all(np.linalg.norm(d, axis=2) >= 0.9 * (np.asarray(radii) + r), axis=1)
            if not free.any():
                continue
            trial = trial[free]
        centers.append(trial[0])
        radii.append(r)
        comp.append(k)
    n = len(radii)
    start = rng.random((6, 3)) * BOX_UM
    direction = rng.normal(size=(6, 3))
    direction /= np.linalg.norm(direction, axis=1)[:, None]
    fibers = Fibers(start, start + 6.0 * direction, np.full(6, 0.075), np.full(6, 2, np.int16))
    pressure = np.linspace(0.0, 375.0, 30)
    release = np.linspace(375.0, 10.0, 8)  # unloading to the stack pressure
    return Packing(
        box_um=BOX_UM, center_um=np.asarray(centers), radius_um=np.asarray(radii),
        component=np.asarray(comp, np.int16),
        component_names=("NCM811", "LPSCl-fine", "VGCF"),
        component_roles=("CAM", "SSE", "carbon"),
        component_materials=("NCM811", "Li6PS5Cl-fine", "VGCF"),
        shell_thickness_um=np.zeros(n), coverage=np.zeros(n), buffer_thickness_um=np.zeros(n),
        fibers=fibers,
        history={"pressure_mpa": np.concatenate([pressure, release]),
                 "solid_fraction": np.concatenate([0.45 + 0.3 * pressure / 375.0,
                                                   0.72 + 0.03 * release / 375.0]),
                 "height_um": np.concatenate([14.0 - 4.0 * pressure / 375.0,
                                              10.4 - 0.4 * release / 375.0]),
                 "stage": np.concatenate([np.ones(pressure.size), np.full(release.size, 2)])},
    )


def conduction(mode: str, volume_fraction: float, shape: tuple[int, int, int]
               ) -> ConductionResult:
    """A through-plane conduction result with plausible numbers (no solve: keeps tests fast)."""
    bulk_s_cm, relative = (2.5e-3, 0.08) if mode == "ionic" else (4.5, 0.02)
    return ConductionResult(
        axis=2, shape=shape, voxel_size_um=(VOXEL_UM,) * 3, periodic=False, percolating=True,
        volume_fraction=volume_fraction, percolating_fraction=0.9 * volume_fraction,
        bulk_conductivity_s_cm=bulk_s_cm, effective_conductivity_s_cm=relative * bulk_s_cm,
        flux_mismatch=3.1e-6, iterations=41, converged=True, wall_time_s=0.21,
        solver_setup_time_s=0.05, solver_time_s=0.15,
    )


def build_directory(root: Path) -> Path:
    """Write recipe, packing, zarr volume, metrics.json (real stage results) and a strain map."""
    root.mkdir(parents=True, exist_ok=True)
    recipe = small_recipe()
    save_recipe(recipe, root / "recipe.toml")
    packing = random_packing()
    packing.save(root / "packing.npz")
    micro, owners = voxelize_with_owners(packing, VOXEL_UM)
    save_microstructure(micro, root / "microstructure.zarr")
    structure = measure_structure(micro, packing, particle_ids=owners).to_dict()
    mech = analyze_microstructure_breathing(micro, return_fields=True, rtol=1e-2)
    emap = mech.fields.strain_energy_density_kj_m3[:, micro.shape[1] // 2, :]
    (root / "fields").mkdir(exist_ok=True)
    np.save(root / "fields" / "strain_energy_kj_m3_xz.npy", np.asarray(emap, np.float32))
    vf = structure["fractions"]["role_volume_fraction"]
    cell = simulate_rates(CellInputs(
        cam_material="NCM811", cam_volume_fraction=vf["CAM"], cam_utilization=0.9,
        sse_volume_fraction=vf["SSE"], porosity=vf["pore"],
        ionic_conductivity_eff_s_cm=2e-4, electronic_conductivity_eff_s_cm=5e-3,
        specific_cam_sse_area_per_um=0.12, cam_classes=((1.6, 1.0),), thickness_um=60.0,
    ), C_RATES, charge=True, samples=60)
    history = {k: [float(x) for x in v] for k, v in packing.history.items()}
    metrics = {
        "cathodetwin_version": __version__,
        "recipe": {"name": recipe.name, "fingerprint": recipe.fingerprint()},
        "timings_s": {"packing": 12.5, "voxelize": 0.8, "structure": 1.9, "transport": 2.2,
                      "mechanics": 6.1, "cell": 3.4},
        "packing": {
            "n_particles": len(packing), "porosity": vf["pore"],
            "solid_fraction": 1.0 - vf["pore"], "height_um": BOX_UM[2], "history": history,
            "coordination": {"mean": 4.2, "cam_cam_mean": 1.1},
        },
        "structure": structure,
        "transport": CarrierTransport(
            ionic=(conduction("ionic", vf["SSE"], micro.shape),),
            electronic=(conduction("electronic", vf["CAM"], micro.shape),),
        ).to_dict(),
        "mechanics": mech.to_dict(),
        "cell": cell.to_dict(),
    }
    (root / "metrics.json").write_text(json.dumps(metrics, indent=1), encoding="utf-8")
    return root


class ReportParser(HTMLParser):
    """Collects the report's images, metric-table rows and other keyed numbers."""

    def __init__(self) -> None:
        super().__init__()
        self.images: list[tuple[str, str]] = []  # (alt, src)
        self.classes: list[str] = []
        self.metric_rows: list[dict] = []  # key, attrs, text, unit
        self.keyed: list[dict] = []  # data-key elements outside metrics tables
        self.scripts = 0
        self._tables: list[bool] = []
        self._row: list[dict] | None = None
        self._cell: dict | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if "class" in a:
            self.classes.append(a["class"])
        if tag == "script":
            self.scripts += 1
        elif tag == "img":
            self.images.append((a.get("alt", ""), a.get("src", "")))
        elif tag == "table":
            self._tables.append("metrics" in a.get("class", "").split())
        elif tag == "tr" and self._tables and self._tables[-1]:
            self._row = []
        if tag in ("td", "th", "div") and self._cell is None and (
            self._row is not None or "data-key" in a
        ):
            self._cell = {"tag": tag, "attrs": a, "text": ""}

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell["text"] += data

    def handle_endtag(self, tag: str) -> None:
        if self._cell is not None and tag == self._cell["tag"]:
            cell, self._cell = self._cell, None
            if self._row is not None:
                self._row.append(cell)
            else:
                self.keyed.append(cell)
        elif tag == "tr" and self._row is not None:
            keyed = [c for c in self._row if "data-key" in c["attrs"]]  # none in the header
            if keyed:
                self.metric_rows.append({"key": keyed[0]["attrs"]["data-key"],
                                         "attrs": keyed[0]["attrs"], "text": keyed[0]["text"],
                                         "unit": self._row[-1]["text"]})
            self._row = None
        elif tag == "table" and self._tables:
            self._tables.pop()


def parse_report(path: Path) -> ReportParser:
    """Parse a report.html."""
    parser = ReportParser()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def json_numbers(obj: object) -> list[float]:
    """Every number (not bool) anywhere in a JSON object."""
    if isinstance(obj, dict):
        return [x for v in obj.values() for x in json_numbers(v)]
    if isinstance(obj, list):
        return [x for v in obj for x in json_numbers(v)]
    if isinstance(obj, int | float) and not isinstance(obj, bool):
        return [obj]
    return []
