"""Recipe → packing → voxel twin → structure, transport, mechanics → cell: one build directory.

Each stage's output is written atomically as soon as it exists, so a killed build loses
nothing: run it again and every stage whose result is already in the directory for the same
recipe (fingerprint) and cathodetwin version is read back instead of recomputed, with the same
types as when it was computed. This module only composes the stages; the physics and the
choices it implies live in the stage packages.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from cathodetwin import __version__
from cathodetwin.analysis.mechanics import BreathingResult, analyze_microstructure_breathing
from cathodetwin.analysis.mechanics.contact import InterfaceTractions
from cathodetwin.analysis.structure_metrics import StructureMetrics, measure_structure
from cathodetwin.analysis.transport.measure import TransportMetrics, measure_transport
from cathodetwin.atomic import save_npy_atomic, write_json_atomic, write_text_atomic
from cathodetwin.cell import (
    DEFAULT_C_RATES,
    CellInputs,
    StackSpec,
    blocked_carriers,
    predict_rates,
)
from cathodetwin.cell.contact_loss import load_tractions, save_tractions
from cathodetwin.cell.particle_twin import particle_cell_section
from cathodetwin.errors import InputError, SolverError
from cathodetwin.headline import headline_metrics
from cathodetwin.packing import CompactionSettings, Packing, build_packing
from cathodetwin.preflight import check_build
from cathodetwin.recipe import Recipe, recipe_from_toml
from cathodetwin.records import Record
from cathodetwin.structure.io import load_microstructure, save_microstructure
from cathodetwin.structure.voxelize import voxelize_with_owners

STAGES: tuple[str, ...] = ("packing", "voxels", "structure", "transport", "mechanics", "cell",
                           "particle_cell")
# The stages each stage reads; a stage is recomputed when any of them changes.
INPUTS: dict[str, tuple[str, ...]] = {
    "packing": (), "voxels": ("packing",), "structure": ("voxels",), "transport": ("voxels",),
    "mechanics": ("voxels",), "cell": ("structure", "transport"),
    "particle_cell": ("packing", "structure", "transport", "mechanics", "cell"),
}
RESOLVED_HEADER = ("# Resolved recipe written by `cathodetwin build`: the build directory's copy "
                   "of its input.\n# Edit your own recipe file, not this one; the next build "
                   "writes this file again.\n")
Progress = Callable[[str, dict[str, Any]], None]
R = TypeVar("R", bound=Record)
# The mechanics stage's per-face tractions, kept for the particle cell's contact loss.
TRACTIONS_FILE = "fields/interface_tractions.npz"
# metrics.json key that says why the particle-resolved cell did not run (its solver gave up).
PARTICLE_CELL_FAILURE = "particle_cell_failure"
# What a corrupt or truncated stage file raises when it is read back.
UNREADABLE = (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile)


@dataclass(frozen=True)
class BuildOptions:
    """What a build computes: transport axes (0=x, 1=y, 2=z), C-rates, optional stages."""

    transport_axes: tuple[int, ...] = (2,)
    c_rates: tuple[float, ...] = DEFAULT_C_RATES
    mechanics: bool = True
    cell: bool = True
    # the particle-resolved cell beside the DFN (docs/cell.md): on by default, since a build
    # always has a packing; the DFN alone is what an imported image gets
    particle_cell: bool = True
    report: bool = True
    stack: StackSpec = StackSpec()

    def stage_options(self) -> dict[str, dict[str, Any]]:
        """Per stage, the options that change its results (part of its fingerprint)."""
        return {
            "transport": {"axes": sorted({*self.transport_axes, 2})},
            "cell": {"c_rates": sorted(float(c) for c in self.c_rates),
                     "stack": self.stack.to_dict()},
            "particle_cell": {"c_rates": sorted(float(c) for c in self.c_rates),
                              "stack": self.stack.to_dict()},
        }


def json_safe(value: Any) -> Any:
    """Replace non-finite floats by None so the metrics stay strict JSON."""
    if isinstance(value, dict):
        return {k: json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(v) for v in value]
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, np.generic):
        return json_safe(value.item())
    return value


def stage_fingerprints(recipe: Recipe, options: BuildOptions) -> dict[str, str]:
    """Per stage, a digest of the recipe, the version, its options and its inputs' digests."""
    opts = options.stage_options()
    out: dict[str, str] = {}
    for stage in STAGES:
        canon = json.dumps({"recipe": recipe.fingerprint(), "version": __version__,
                            "options": opts.get(stage, {}),
                            "inputs": [out[s] for s in INPUTS[stage]]}, sort_keys=True)
        out[stage] = hashlib.sha256(canon.encode()).hexdigest()[:16]
    return out


def check_output_dir(out_dir: Path) -> None:
    """InputError unless ``out_dir`` is (or can be made) a writable directory."""
    if out_dir.exists() and not out_dir.is_dir():
        raise InputError(f"output {out_dir}: is a file, not a directory; give a directory "
                         "(it is created if missing)")
    existing = next((p for p in (out_dir, *out_dir.parents) if p.exists()), None)
    if existing is None or not existing.is_dir():
        raise InputError(f"output {out_dir}: {existing} is not a directory")
    try:  # a real write: access() says yes to root on a read-only file system
        with tempfile.TemporaryFile(dir=existing):
            pass
    except OSError as err:
        raise InputError(f"output {out_dir}: {existing} is not writable ({err.strerror}); "
                         "choose another directory") from None


def protect_recipe_file(out_dir: Path) -> None:
    """InputError if ``out_dir/recipe.toml`` is a file the build did not write (a user's recipe)."""
    path = out_dir / "recipe.toml"
    if not path.exists():
        return
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        text = ""
    if text.startswith(RESOLVED_HEADER) or _earlier_build_recipe(out_dir, text):
        return
    raise InputError(
        f"output {out_dir}: it holds {path.name}, which this build did not write (your recipe?); "
        "the build writes its resolved recipe under that name. Choose another output "
        "directory (-o), or move the file"
    )


def _earlier_build_recipe(out_dir: Path, text: str) -> bool:
    """Whether ``text`` is the recipe of the build recorded in ``out_dir/metrics.json``."""
    try:
        stamp = json.loads((out_dir / "metrics.json").read_text(encoding="utf-8"))["recipe"]
        return recipe_from_toml(text).fingerprint() == stamp["fingerprint"]
    except (OSError, ValueError, KeyError, TypeError):
        return False


class Build:
    """One recipe's build directory: stage outputs on disk, read back when still valid."""

    def __init__(self, recipe: Recipe, out_dir: str | Path, resume: bool = True,
                 options: BuildOptions = BuildOptions(), notify: Progress | None = None):
        self.recipe = recipe
        self.dir = Path(out_dir)
        self.dir.mkdir(parents=True, exist_ok=True)
        self.notify = notify or (lambda stage, info: None)
        self.metrics_path = self.dir / "metrics.json"
        self.stamp = {"name": recipe.name, "fingerprint": recipe.fingerprint()}
        self.fingerprints = stage_fingerprints(recipe, options)
        self.reused: list[str] = []
        self.metrics: dict[str, Any] = {
            "cathodetwin_version": __version__, "recipe": self.stamp, "timings_s": {},
        }
        old = self._read_metrics() if resume else None
        if old is not None and old.get("recipe") == self.stamp and (
                old.get("cathodetwin_version") == __version__):
            self.metrics = old
        self.metrics["stage_fingerprints"] = {
            s: fp for s, fp in self.metrics.get("stage_fingerprints", {}).items()
            if self.done(s)}
        self.metrics["reused_stages"] = []
        self.metrics["timings_s"].pop("report", None)  # the report is written anew each time

    def _read_metrics(self) -> dict[str, Any] | None:
        if not self.metrics_path.exists():
            return None
        try:
            old = json.loads(self.metrics_path.read_text(encoding="utf-8"))
            if isinstance(old, dict) and isinstance(old.get("timings_s"), dict):
                return old
            problem = "not a metrics record"
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
            problem = str(err)
        self.notify("build", {"note": f"{self.metrics_path} is unreadable ({problem}); "
                                      "every stage is computed again"})
        return None

    def done(self, stage: str) -> bool:
        """Whether ``stage`` finished earlier for this recipe, version, options and inputs."""
        recorded = self.metrics.get("stage_fingerprints", {}).get(stage)
        return stage in self.metrics["timings_s"] and recorded == self.fingerprints.get(stage)

    def record(self, stage: str, seconds: float, section: Record | dict | None = None) -> None:
        """Store a finished stage's section and time, and write metrics.json at once."""
        if section is not None:
            data = section.to_dict() if isinstance(section, Record) else section
            self.metrics[stage] = json_safe(data)
        self.metrics["timings_s"][stage] = round(seconds, 3)
        if stage in self.fingerprints:
            self.metrics["stage_fingerprints"][stage] = self.fingerprints[stage]
        write_json_atomic(self.metrics_path, self.metrics)
        self.notify(stage, {"done": True, "reused": False, "seconds": seconds})

    def reuse(self, stage: str) -> None:
        """Mark ``stage`` as read back from an earlier run (shown as "reused")."""
        self.reused.append(stage)
        self.metrics["reused_stages"] = list(self.reused)
        write_json_atomic(self.metrics_path, self.metrics)
        self.notify(stage, {"done": True, "reused": True,
                            "seconds": self.metrics["timings_s"].get(stage, 0.0)})

    def read_back(self, stage: str, read: Callable[[], Any], what: str) -> Any:
        """``read()``'s value, or None (with a note) when the stage file is unreadable."""
        try:
            return read()
        except UNREADABLE as err:
            self.notify(stage, {"note": f"{what} is unreadable ({type(err).__name__}: {err}); "
                                        f"the {stage} stage is computed again"})
            return None

    def result(self, stage: str, compute: Callable[[], R], kind: type[R]) -> R:
        """The stage's result: read back when done earlier, else computed and recorded."""
        if self.done(stage):
            value = self.read_back(stage, lambda: kind.from_dict(self.metrics[stage]),
                                   f"the {stage} section of {self.metrics_path}")
            if value is not None:
                self.reuse(stage)
                return value
        self.notify(stage, {"start": True})
        t0 = time.perf_counter()
        result = compute()
        self.record(stage, time.perf_counter() - t0, result)
        return result


def build(
    recipe: Recipe,
    out_dir: str | Path,
    options: BuildOptions = BuildOptions(),
    progress: Progress | None = None,
    resume: bool = True,
) -> dict[str, Any]:
    """Run every stage for ``recipe`` into ``out_dir``; return the metrics (also metrics.json).

    Before writing anything: InputError when ``out_dir`` is not a writable directory, holds a
    ``recipe.toml`` the build did not write, or the recipe does not fit this machine
    (:func:`cathodetwin.preflight.check_build`). ``progress(stage, info)`` receives
    ``{"start": True}``, packing progress dicts (with ``fraction``), ``{"note": text}`` and
    ``{"done": True, "reused": bool, "seconds": s}``.
    """
    notify = progress or (lambda stage, info: None)
    out_dir = Path(out_dir)
    check_output_dir(out_dir)
    protect_recipe_file(out_dir)
    check_build(recipe, mechanics=options.mechanics)
    b = Build(recipe, out_dir, resume=resume, options=options, notify=notify)
    write_text_atomic(b.dir / "recipe.toml", RESOLVED_HEADER + recipe.to_toml())
    packing_path, micro_path = b.dir / "packing.npz", b.dir / "microstructure.zarr"
    owners_path = b.dir / "particle_ids.npy"

    packing = None
    if b.done("packing"):
        packing = b.read_back("packing", lambda: Packing.load(packing_path), str(packing_path))
    if packing is not None:
        b.reuse("packing")
    else:
        notify("packing", {"start": True})
        t0 = time.perf_counter()
        packing = build_packing(recipe, progress=packing_progress(recipe, notify))
        packing.save(packing_path)
        carbon = packing.provenance.get("carbon", {})
        b.record("packing", time.perf_counter() - t0,
                 packing.summary() | ({"carbon": carbon} if carbon else {}))
        _note_carbon(packing, notify)

    voxels = None
    if b.done("voxels"):
        voxels = b.read_back("voxels", lambda: (load_microstructure(micro_path),
                                                np.load(owners_path)),
                             f"{micro_path} or {owners_path}")
    if voxels is not None:
        micro, owners = voxels
        b.reuse("voxels")
    else:
        notify("voxels", {"start": True})
        t0 = time.perf_counter()
        micro, owners = voxelize_with_owners(packing, recipe.simulation.voxel_size_um)
        save_microstructure(micro, micro_path)
        save_npy_atomic(owners_path, owners)
        b.record("voxels", time.perf_counter() - t0, {"shape_voxels": list(micro.shape),
                                                       "voxel_size_um": list(micro.voxel_size_um)})

    structure = b.result("structure", lambda: measure_structure(
        micro, packing, particle_ids=owners), StructureMetrics)

    transport = b.result("transport", lambda: measure_transport(
        micro, packing, axes=options.transport_axes, particle_ids=owners,
        progress=lambda share: notify("transport", {"fraction": share})), TransportMetrics)

    mech: BreathingResult | None = None
    if options.mechanics:
        fields_path = b.dir / "fields" / "strain_energy_kj_m3_xz.npy"
        faces_path = b.dir / TRACTIONS_FILE
        if b.done("mechanics") and fields_path.exists() and (
                not options.particle_cell or faces_path.exists()):
            b.reuse("mechanics")
        else:
            notify("mechanics", {"start": True})
            t0 = time.perf_counter()
            mech = analyze_microstructure_breathing(
                micro, stack_pressure_mpa=recipe.processing.stack_pressure_mpa,
                particle_ids=owners, return_fields=True,
                progress=lambda share: notify("mechanics", {"fraction": share}))
            save_npy_atomic(fields_path, _mid_xz(mech))
            if mech.interface is not None:
                save_tractions(faces_path, mech.interface)
            b.record("mechanics", time.perf_counter() - t0, mech)

    if options.cell:
        if b.done("cell"):
            b.reuse("cell")
        else:
            notify("cell", {"start": True})
            t0 = time.perf_counter()
            inputs = CellInputs.from_twin(recipe, structure, transport)
            section = predict_rates(inputs, options.c_rates, stack=options.stack)
            b.record("cell", time.perf_counter() - t0, section)
        if options.particle_cell:
            _particle_cell_stage(b, recipe, packing, structure, transport, mech, owners,
                                 options)

    if options.report:
        from cathodetwin.report import write_report

        notify("report", {"start": True})
        t0 = time.perf_counter()
        write_report(b.dir)
        b.record("report", time.perf_counter() - t0)
    return b.metrics


def _particle_cell_stage(b: Build, recipe: Recipe, packing: Packing, structure, transport,
                         mech: BreathingResult | None, owners: np.ndarray,
                         options: BuildOptions) -> None:
    """The particle-resolved cell beside the DFN; contact loss from the mechanics faces."""
    if b.done("particle_cell"):
        b.reuse("particle_cell")
        return
    inputs = CellInputs.from_twin(recipe, structure, transport)
    if blocked_carriers(inputs):
        return  # the DFN section already says that nothing discharges
    b.notify("particle_cell", {"start": True})
    t0 = time.perf_counter()
    interface, pressures, bond_mpa = _contact_loss_inputs(b, recipe, mech)
    b.metrics.pop(PARTICLE_CELL_FAILURE, None)
    try:
        section = particle_cell_section(
            packing, inputs, options.c_rates, stack=options.stack,
            dfn_rates=b.metrics.get("cell", {}).get("rates", []), tractions=interface,
            particle_ids=owners, stack_pressures_mpa=pressures, bond_strength_mpa=bond_mpa)
    except SolverError as err:  # the DFN's section stands; the next build tries again
        b.metrics[PARTICLE_CELL_FAILURE] = str(err)
        b.metrics.pop("particle_cell", None)  # an earlier build's, for other inputs
        b.metrics["timings_s"].pop("particle_cell", None)
        write_json_atomic(b.metrics_path, b.metrics)
        b.notify("particle_cell", {"note": f"the particle-resolved cell failed ({err}); the "
                                           "build reports the DFN's capacities"})
        return
    b.record("particle_cell", time.perf_counter() - t0, section)


def _contact_loss_inputs(b: Build, recipe: Recipe, mech: BreathingResult | None,
                         ) -> tuple[InterfaceTractions | None, list[float], float]:
    """Mechanics faces (computed now or read back), the stack pressures (MPa) of its sweep and
    the recipe, and the bond strength (MPa); no faces where mechanics did not run."""
    if mech is not None:
        return (mech.interface, sorted({r.stack_pressure_mpa for r in mech.retention}
                                       | {recipe.processing.stack_pressure_mpa}),
                mech.bond_strength_mpa)
    saved = b.metrics.get("mechanics", {})
    path = b.dir / TRACTIONS_FILE
    if not saved or not path.exists():
        return None, [], 0.0
    try:
        faces = load_tractions(path)
    except UNREADABLE:
        b.notify("particle_cell", {"note": f"{path} is unreadable; no contact loss"})
        return None, [], 0.0
    sweep = {float(r["stack_pressure_mpa"]) for r in saved.get("contact_retention", [])}
    return (faces, sorted(sweep | {recipe.processing.stack_pressure_mpa}),
            float(saved.get("bond_strength_mpa", 0.0)))


def packing_progress(recipe: Recipe, notify: Progress) -> Callable[[dict[str, Any]], None]:
    """Compaction progress dicts → ``notify("packing", info)`` with a ``fraction`` done (0–1).

    The fraction follows the punch pressure on a log scale: loading up to the pressing
    pressure is the first 70 % of the steps, unloading to the stack pressure the rest.
    """
    start = CompactionSettings().start_pressure_mpa
    top = recipe.processing.pressing_pressure_mpa
    bottom = max(recipe.processing.stack_pressure_mpa, 1e-3 * top)

    def share(p: float, lo: float, hi: float) -> float:
        return 1.0 if hi <= lo else min(1.0, max(0.0, math.log(p / lo) / math.log(hi / lo)))

    def forward(info: dict[str, Any]) -> None:
        stage, p = info.get("stage"), float(info.get("pressure_mpa", start))
        if stage == "load":
            fraction = 0.7 * share(p, min(start, top), top)
        elif stage == "unload":
            fraction = 0.7 + 0.3 * (1.0 - share(p, bottom, top))
        else:
            fraction = 1.0 if stage == "carbon" else 0.0
        notify("packing", info | {"fraction": fraction})

    return forward


def _note_carbon(packing: Packing, notify: Progress) -> None:
    """A note for each carbon component the pressed pore space could not fully take."""
    for name, rec in packing.provenance.get("carbon", {}).items():
        placed, target = rec.get("placed_volume_um3", 0.0), rec.get("target_volume_um3", 0.0)
        if target > 0 and placed < 0.99 * target:
            notify("packing", {"note": f"carbon {name!r}: the pressed pore space took "
                                       f"{placed:.4g} of {target:.4g} µm³ "
                                       f"({100 * placed / target:.0f} %); the twin has less "
                                       "carbon than the recipe"})


def _mid_xz(mech: BreathingResult) -> np.ndarray:
    """x–z map of strain energy density (kJ/m³) through the middle of y, as float32."""
    field = mech.fields.strain_energy_density_kj_m3  # type: ignore[union-attr]
    return np.ascontiguousarray(field[:, field.shape[1] // 2, :], dtype=np.float32)


# Studies also sweep 0.3C, a rate papers 000 and 003 report.
STUDY_C_RATES: tuple[float, ...] = tuple(sorted({*DEFAULT_C_RATES, 0.3}))


TEMP_PREFIX = "cathodetwin-"


def remove_stale_temp_dirs(root: str | Path | None = None) -> list[Path]:
    """Delete ``cathodetwin-<pid>-*`` build directories whose process is gone (a killed study).

    Only directories named with a process id that no longer runs are removed, so other
    running builds keep theirs. Returns the removed paths.
    """
    removed = []
    for path in Path(root or tempfile.gettempdir()).glob(f"{TEMP_PREFIX}*-*"):
        pid = path.name[len(TEMP_PREFIX):].split("-", 1)[0]
        if not (pid.isdigit() and path.is_dir()) or _alive(int(pid)):
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path)
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # another user's process
        return True
    return True


def evaluate(recipe: Recipe) -> dict[str, Any]:
    """Build ``recipe`` in a temporary directory (no report) and return headline metrics.

    A study point runs the DFN alone (the fast path), not the particle-resolved cell that
    ``cathodetwin build`` adds by default. The directory is named after this process and
    removed afterwards; directories left by killed processes are removed first
    (:func:`remove_stale_temp_dirs`).
    """
    remove_stale_temp_dirs()
    with tempfile.TemporaryDirectory(prefix=f"{TEMP_PREFIX}{os.getpid()}-") as tmp:
        metrics = build(recipe, tmp, BuildOptions(c_rates=STUDY_C_RATES, particle_cell=False,
                                                  report=False))
    return headline_metrics(metrics)
