"""Recipe → packing → voxel twin → structure, transport, mechanics → cell: one build directory.

Each stage's output is written atomically as soon as it exists, so a killed build loses
nothing: run it again and every stage whose result is already in the directory for the same
recipe (fingerprint) and cathodetwin version is read back instead of recomputed.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from cathodetwin import __version__
from cathodetwin.analysis.mechanics import analyze_microstructure_breathing
from cathodetwin.analysis.structure_metrics import measure_structure
from cathodetwin.analysis.transport import entry_reach, ionic_and_electronic
from cathodetwin.atomic import save_npy_atomic, write_json_atomic
from cathodetwin.cell import DEFAULT_C_RATES, StackSpec, cell_inputs_from_metrics, simulate_rates
from cathodetwin.formulas import recipe_electrode_geometry
from cathodetwin.packing import Packing, build_packing
from cathodetwin.psd import LognormalPSD
from cathodetwin.recipe import Recipe, save_recipe
from cathodetwin.structure.io import load_microstructure, save_microstructure
from cathodetwin.structure.microstructure import Microstructure
from cathodetwin.structure.voxelize import voxelize_with_owners

STAGES: tuple[str, ...] = ("packing", "voxels", "structure", "transport", "mechanics", "cell")
Progress = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class BuildOptions:
    """What a build computes: transport axes (0=x, 1=y, 2=z), C-rates, optional stages."""

    transport_axes: tuple[int, ...] = (2,)
    c_rates: tuple[float, ...] = DEFAULT_C_RATES
    mechanics: bool = True
    cell: bool = True
    report: bool = True
    stack: StackSpec = StackSpec()


def _json_safe(value: Any) -> Any:
    """Replace non-finite floats by None so the metrics stay strict JSON."""
    if isinstance(value, dict):
        return {k: _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return _json_safe(value.item())
    return value


def cam_size_classes(recipe: Recipe) -> list[tuple[float, float, str]]:
    """(radius µm, CAM volume share, material) per CAM component; radius = Sauter mean core.

    The Sauter radius D[3,2]/2 keeps the CAM surface-to-volume ratio of the distribution,
    which is what sets solid-diffusion limits in a single-size-per-class cell model.
    """
    cams = recipe.components_with_role("CAM")
    if not cams:
        raise ValueError(f"recipe {recipe.name!r} has no CAM component; a cell needs one")
    volumes = [c.weight_percent / c.resolved_material().density_g_cm3 for c in cams]
    total = sum(volumes)
    classes = []
    for comp, vol in zip(cams, volumes, strict=True):
        psd = comp.psd
        radius = (psd.sauter_diameter_um() if isinstance(psd, LognormalPSD) else psd.d50_um) / 2
        classes.append((float(radius), vol / total, comp.material))
    return classes


def cell_metrics(recipe: Recipe, structure: dict, transport: dict) -> dict[str, Any]:
    """The flat twin metrics cathodetwin.cell needs, from the structure and transport sections."""
    roles = structure["fractions"]["role_volume_fraction"]
    porosity = structure["fractions"]["porosity"]
    pairs = structure["interfaces"]["role_pair_areas_um2"]
    cam_ion_area = sum(v for k, v in pairs.items() if set(k.split("|")) in ({"CAM", "SSE"},
                                                                               {"CAM", "shell"}))
    volume_um3 = structure["fractions"]["volume_um3"]
    # Electrons: the packing's contact network (resolves sub-voxel fibres and thin shells),
    # else the voxel solve. A network that stops short of the opposite face still feeds the
    # CAM it reaches (counted by the utilization): the carrier then sees the conductivity of
    # the slab it reaches from its entry face.
    electronic = structure.get("electronic_contact_network") or transport["electronic"]["z"]
    sigma = {"ionic": transport["ionic"]["z"]["effective_conductivity_s_cm"],
             "electronic": electronic["effective_conductivity_s_cm"]}
    for carrier, value in sigma.items():
        reach = transport.get(f"{carrier}_entry_reach")
        if not value > 0.0 and reach:
            sigma[carrier] = reach["effective_conductivity_s_cm"]
    fixed = (recipe.electrode.thickness_um is not None
             and recipe.electrode.areal_loading_mg_cm2 is not None)  # both fix the thickness
    geometry = recipe_electrode_geometry(recipe, porosity=None if fixed else porosity)
    main_cam = max(recipe.components_with_role("CAM"), key=lambda c: c.weight_percent)
    sses = recipe.components_with_role("SSE")
    sse_material = (max(sses, key=lambda c: c.weight_percent).material if sses
                    else main_cam.shell.material if main_cam.shell else "Li6PS5Cl")
    return {
        "cam_material": main_cam.material,
        "cam_volume_fraction": roles.get("CAM", 0.0),
        "cam_utilization": structure["utilization_voxel"]["ionic_electronic_cam_volume_fraction"],
        "sse_volume_fraction": roles.get("SSE", 0.0) + roles.get("shell", 0.0),
        "porosity": porosity,
        "ionic_conductivity_eff_s_cm": sigma["ionic"],
        "electronic_conductivity_eff_s_cm": sigma["electronic"],
        "specific_cam_sse_area_per_um": cam_ion_area / volume_um3,
        "cam_classes": cam_size_classes(recipe),
        "thickness_um": geometry.thickness_um,
        "temperature_c": recipe.processing.temperature_c,
        "sse_material": sse_material,
    }


def dead_end_reach(micro: Microstructure, carrier: str, network: dict) -> dict[str, Any]:
    """How far a non-spanning carrier network reaches and its σ there (EntryReach dict).

    Electrons: the contact network's own reach where the twin has one (it sees sub-voxel
    collector contacts, as for σ_e); otherwise, and for ions, the voxel network's.
    """
    if carrier == "electronic" and network.get("entry_reach"):
        return network["entry_reach"]
    return entry_reach(micro, carrier).to_dict()


def no_path_cell(c_rates: Sequence[float], blocked: Sequence[str]) -> dict[str, Any]:
    """Cell section of a twin whose ions or electrons reach no CAM: nothing discharges."""
    zero = {"capacity_mah_g": 0.0, "capacity_mah_cm2": 0.0, "cathode_wh_kg": 0.0,
            "cathode_wh_l": 0.0, "stack_wh_kg": 0.0, "stack_wh_l": 0.0}
    return {
        "no_conducting_path": list(blocked),
        "note": "the twin has no conducting path from the entry face for " + " and ".join(blocked)
                + ", so no capacity can be drawn at any rate",
        "rates": [{"c_rate": float(c)} | zero for c in c_rates],
    }


def packing_summary(packing: Packing) -> dict[str, Any]:
    """Particle count, porosity, height, coordination and pressing history of a packing."""
    return {
        "n_particles": len(packing),
        "n_fibers": len(packing.fibers),
        "box_um": list(packing.box_um),
        "height_um": packing.box_um[2],
        "porosity": packing.porosity(),
        "solid_fraction": 1.0 - packing.porosity(),
        "n_contacts": len(packing.contacts),
        "coordination": packing.coordination_numbers(),
        "history": {k: np.asarray(v).tolist() for k, v in packing.history.items()},
        "compaction": packing.provenance.get("compaction", {}),
    }


class Build:
    """One recipe's build directory: stage outputs on disk, read back when still valid."""

    def __init__(self, recipe: Recipe, out_dir: str | Path, resume: bool = True):
        self.recipe = recipe
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.metrics_path = self.dir / "metrics.json"
        self.stamp = {"name": recipe.name, "fingerprint": recipe.fingerprint()}
        self.metrics: dict[str, Any] = {
            "cathodetwin_version": __version__, "recipe": self.stamp, "timings_s": {},
        }
        if resume and self.metrics_path.exists():
            old = json.loads(self.metrics_path.read_text(encoding="utf-8"))
            if old.get("recipe") == self.stamp and old.get("cathodetwin_version") == __version__:
                self.metrics = old

    def done(self, stage: str) -> bool:
        """Whether ``stage`` finished earlier for this very recipe and version."""
        return stage in self.metrics["timings_s"]

    def record(self, stage: str, seconds: float, section: dict | None = None) -> None:
        """Store a finished stage's section and time, and write metrics.json at once."""
        if section is not None:
            self.metrics[stage] = _json_safe(section)
        self.metrics["timings_s"][stage] = round(seconds, 3)
        write_json_atomic(self.metrics_path, self.metrics)


def build(
    recipe: Recipe,
    out_dir: str | Path,
    options: BuildOptions = BuildOptions(),
    progress: Progress | None = None,
    resume: bool = True,
) -> dict[str, Any]:
    """Run every stage for ``recipe`` into ``out_dir``; return the metrics (also metrics.json)."""
    notify = progress or (lambda stage, info: None)
    b = Build(recipe, out_dir, resume=resume)
    save_recipe(recipe, b.dir / "recipe.toml")
    packing_path, micro_path = b.dir / "packing.npz", b.dir / "microstructure.zarr"
    owners_path = b.dir / "particle_ids.npy"

    if b.done("packing") and packing_path.exists():
        packing = Packing.load(packing_path)
    else:
        t0 = time.perf_counter()
        packing = build_packing(recipe, progress=lambda info: notify("packing", info))
        packing.save(packing_path)
        b.record("packing", time.perf_counter() - t0, packing_summary(packing))
    notify("packing", {"done": True})

    if b.done("voxels") and micro_path.exists() and owners_path.exists():
        micro, owners = load_microstructure(micro_path), np.load(owners_path)
    else:
        t0 = time.perf_counter()
        micro, owners = voxelize_with_owners(packing, recipe.simulation.voxel_size_um)
        save_microstructure(micro, micro_path)
        save_npy_atomic(owners_path, owners)
        b.record("voxels", time.perf_counter() - t0, {"shape_voxels": list(micro.shape),
                                                       "voxel_size_um": list(micro.voxel_size_um)})
    notify("voxels", {"done": True})

    if not b.done("structure"):
        t0 = time.perf_counter()
        structure = measure_structure(micro, packing, particle_ids=owners)
        b.record("structure", time.perf_counter() - t0, structure.to_dict())
    notify("structure", {"done": True})

    if not b.done("transport"):
        t0 = time.perf_counter()
        axes = tuple(sorted(set(options.transport_axes) | {2}))
        transport = ionic_and_electronic(micro, axes=axes)
        section = transport.to_dict()
        network = b.metrics["structure"].get("electronic_contact_network") or {}
        spans = {"ionic": transport.ionic[axes.index(2)].percolating,
                 "electronic": network.get("percolating",
                                           transport.electronic[axes.index(2)].percolating)}
        for carrier, ok in spans.items():
            if not ok:  # a dead-end network still feeds the CAM it reaches
                section[f"{carrier}_entry_reach"] = dead_end_reach(micro, carrier, network)
        b.record("transport", time.perf_counter() - t0, section)
    notify("transport", {"done": True})

    if options.mechanics and not b.done("mechanics"):
        t0 = time.perf_counter()
        mech = _mechanics(micro, owners, recipe)
        save_npy_atomic(b.dir / "fields" / "strain_energy_kj_m3_xz.npy", _mid_xz(mech))
        b.record("mechanics", time.perf_counter() - t0, mech.to_dict())
    notify("mechanics", {"done": True})

    if options.cell and not b.done("cell"):
        t0 = time.perf_counter()
        twin = cell_metrics(recipe, b.metrics["structure"], b.metrics["transport"])
        blocked = [k for k in ("ionic_conductivity_eff_s_cm", "electronic_conductivity_eff_s_cm")
                   if not twin[k] > 0.0]
        if blocked:
            section = no_path_cell(options.c_rates, blocked)
        else:
            rates = simulate_rates(cell_inputs_from_metrics(twin), options.c_rates,
                                   stack=options.stack)
            section = rates.to_dict()
        b.record("cell", time.perf_counter() - t0, section)
    notify("cell", {"done": True})

    if options.report:
        from cathodetwin.report import write_report

        t0 = time.perf_counter()
        write_report(b.dir)
        b.record("report", time.perf_counter() - t0)
        notify("report", {"done": True})
    return b.metrics


def _mechanics(micro: Microstructure, owners: np.ndarray, recipe: Recipe):
    """CAM breathing at the recipe's stack pressure, with the default pressure sweep."""
    return analyze_microstructure_breathing(
        micro,
        stack_pressure_mpa=recipe.processing.stack_pressure_mpa,
        particle_ids=owners,
        return_fields=True,
    )


def _mid_xz(mech) -> np.ndarray:
    """x–z map of strain energy density (kJ/m³) through the middle of y, as float32."""
    field = mech.fields.strain_energy_density_kj_m3
    return np.ascontiguousarray(field[:, field.shape[1] // 2, :], dtype=np.float32)


# Headline metrics a study tabulates: flat key → path in metrics.json.
HEADLINE: dict[str, tuple[str, ...]] = {
    "porosity": ("structure", "fractions", "porosity"),
    "cam_volume_fraction": ("structure", "fractions", "role_volume_fraction", "CAM"),
    "utilization_ionic_electronic": ("structure", "utilization_voxel",
                                     "ionic_electronic_cam_volume_fraction"),
    "specific_cam_sse_area_per_um": ("structure", "interfaces", "specific_cam_sse_area_per_um"),
    "mean_pore_diameter_um": ("structure", "pores", "mean_pore_diameter_um"),
    "sse_geometric_tortuosity_median": ("structure", "ionic_geometric_tortuosity",
                                        "median_tortuosity"),
    "ionic_tortuosity_factor": ("transport", "ionic", "z", "tortuosity_factor"),
    "ionic_conductivity_eff_s_cm": ("transport", "ionic", "z", "effective_conductivity_s_cm"),
    "electronic_tortuosity_factor": ("structure", "electronic_contact_network",
                                     "tortuosity_factor"),
    "electronic_conductivity_eff_s_cm": ("structure", "electronic_contact_network",
                                         "effective_conductivity_s_cm"),
    "electronic_tortuosity_factor_voxel": ("transport", "electronic", "z", "tortuosity_factor"),
    "electronic_conductivity_voxel_s_cm": ("transport", "electronic", "z",
                                           "effective_conductivity_s_cm"),
    "sse_strain_energy_mean_kj_m3": ("mechanics", "sse_strain_energy_mean_kj_m3"),
    "sse_interface_strain_energy_mean_kj_m3": ("mechanics",
                                               "sse_interface_strain_energy_mean_kj_m3"),
    "stack_pressure_change_fixed_height_mpa": ("mechanics",
                                               "stack_pressure_change_fixed_height_mpa"),
}


def _rate_tag(c_rate: float) -> str:
    return f"{c_rate:g}c".replace(".", "p")


def headline_metrics(metrics: dict[str, Any], energy_rates: Sequence[float] = (0.1, 1.0)) -> dict:
    """Flat scalar metrics of a build (for studies and paper comparisons).

    HEADLINE paths, paper 000's contact utilization per overlap threshold, contact retention
    and post-charge utilization per stack pressure, capacity at every simulated C-rate, and
    energy densities at ``energy_rates``.
    """
    flat: dict[str, Any] = {}
    for key, path in HEADLINE.items():
        node: Any = metrics
        for part in path:
            node = node.get(part) if isinstance(node, dict) else None
        if node is not None:
            flat[key] = node
    if "porosity" in flat:
        flat["relative_density"] = 1.0 - flat["porosity"]
    for key, voxel in (("electronic_tortuosity_factor", "electronic_tortuosity_factor_voxel"),
                       ("electronic_conductivity_eff_s_cm", "electronic_conductivity_voxel_s_cm")):
        if key not in flat and voxel in flat:  # no packing (imported image): the voxel value
            flat[key] = flat[voxel]
    structure = metrics.get("structure") or {}
    particle = structure.get("utilization_particle_contacts") or {}
    for pct, entry in (particle.get("by_min_overlap_percent") or {}).items():
        flat[f"utilization_contact_{pct}pct"] = entry["particle_fraction"]
    contacts = structure.get("cam_contacts") or {}
    if contacts.get("n_cam_particles_packing"):
        flat["cam_cam_contacts_per_particle"] = (
            2.0 * contacts["n_cam_cam_contacts_packing"] / contacts["n_cam_particles_packing"]
        )
    for entry in (metrics.get("mechanics") or {}).get("contact_retention", []):
        p = f"{entry['stack_pressure_mpa']:g}".replace(".", "p")
        flat[f"contact_retention_{p}mpa"] = entry["retained_contact_area_fraction"]
        flat[f"utilization_after_charge_{p}mpa"] = entry["cam_utilization_volume_fraction"]
        flat[f"retained_area_per_cam_volume_{p}mpa_per_um"] = entry.get(
            "retained_area_per_cam_volume_per_um")
    for row in (metrics.get("cell") or {}).get("rates", []):
        tag = _rate_tag(row["c_rate"])
        flat[f"capacity_{tag}_mah_g"] = row["capacity_mah_g"]
        if any(math.isclose(row["c_rate"], c) for c in energy_rates):
            for key in ("cathode_wh_kg", "cathode_wh_l", "stack_wh_kg", "stack_wh_l"):
                flat[f"{key}_{tag}"] = row[key]
    return {k: v for k, v in flat.items() if v is not None}


# Studies also sweep 0.3C, a rate papers 000 and 003 report.
STUDY_C_RATES: tuple[float, ...] = tuple(sorted({*DEFAULT_C_RATES, 0.3}))


def evaluate(recipe: Recipe) -> dict[str, Any]:
    """Build ``recipe`` in a temporary directory (no report) and return headline metrics."""
    with tempfile.TemporaryDirectory(prefix="cathodetwin-") as tmp:
        metrics = build(recipe, tmp, BuildOptions(c_rates=STUDY_C_RATES, report=False))
    return headline_metrics(metrics)
