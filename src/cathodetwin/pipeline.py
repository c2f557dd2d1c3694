"""Recipe → packing → voxel twin → structure, transport, mechanics → cell: one build directory.

Each stage's output is written atomically as soon as it exists, so a killed build loses
nothing: run it again and every stage whose result is already in the directory for the same
recipe (fingerprint) and cathodetwin version is read back instead of recomputed, with the same
types as when it was computed. This module only composes the stages; the physics and the
choices it implies live in the stage packages.
"""

from __future__ import annotations

import json
import math
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import numpy as np

from cathodetwin import __version__
from cathodetwin.analysis.mechanics import BreathingResult, analyze_microstructure_breathing
from cathodetwin.analysis.structure_metrics import StructureMetrics, measure_structure
from cathodetwin.analysis.transport.measure import TransportMetrics, measure_transport
from cathodetwin.atomic import save_npy_atomic, write_json_atomic
from cathodetwin.cell import DEFAULT_C_RATES, CellInputs, StackSpec, predict_rates
from cathodetwin.headline import headline_metrics
from cathodetwin.packing import Packing, build_packing
from cathodetwin.recipe import Recipe, save_recipe
from cathodetwin.records import Record
from cathodetwin.structure.io import load_microstructure, save_microstructure
from cathodetwin.structure.voxelize import voxelize_with_owners

STAGES: tuple[str, ...] = ("packing", "voxels", "structure", "transport", "mechanics", "cell")
Progress = Callable[[str, dict[str, Any]], None]
R = TypeVar("R", bound=Record)


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

    def record(self, stage: str, seconds: float, section: Record | dict | None = None) -> None:
        """Store a finished stage's section and time, and write metrics.json at once."""
        if section is not None:
            data = section.to_dict() if isinstance(section, Record) else section
            self.metrics[stage] = _json_safe(data)
        self.metrics["timings_s"][stage] = round(seconds, 3)
        write_json_atomic(self.metrics_path, self.metrics)

    def result(self, stage: str, compute: Callable[[], R], kind: type[R]) -> R:
        """The stage's result: read back when done earlier, else computed and recorded."""
        if self.done(stage):
            return kind.from_dict(self.metrics[stage])
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
        b.record("packing", time.perf_counter() - t0, packing.summary())
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

    structure = b.result("structure", lambda: measure_structure(
        micro, packing, particle_ids=owners), StructureMetrics)
    notify("structure", {"done": True})

    transport = b.result("transport", lambda: measure_transport(
        micro, packing, axes=options.transport_axes, particle_ids=owners), TransportMetrics)
    notify("transport", {"done": True})

    if options.mechanics and not b.done("mechanics"):
        mech = b.result("mechanics", lambda: analyze_microstructure_breathing(
            micro, stack_pressure_mpa=recipe.processing.stack_pressure_mpa,
            particle_ids=owners, return_fields=True), BreathingResult)
        save_npy_atomic(b.dir / "fields" / "strain_energy_kj_m3_xz.npy", _mid_xz(mech))
    notify("mechanics", {"done": True})

    if options.cell and not b.done("cell"):
        t0 = time.perf_counter()
        inputs = CellInputs.from_twin(recipe, structure, transport)
        section = predict_rates(inputs, options.c_rates, stack=options.stack)
        b.record("cell", time.perf_counter() - t0, section)
    notify("cell", {"done": True})

    if options.report:
        from cathodetwin.report import write_report

        t0 = time.perf_counter()
        write_report(b.dir)
        b.record("report", time.perf_counter() - t0)
        notify("report", {"done": True})
    return b.metrics


def _mid_xz(mech: BreathingResult) -> np.ndarray:
    """x–z map of strain energy density (kJ/m³) through the middle of y, as float32."""
    field = mech.fields.strain_energy_density_kj_m3  # type: ignore[union-attr]
    return np.ascontiguousarray(field[:, field.shape[1] // 2, :], dtype=np.float32)


# Studies also sweep 0.3C, a rate papers 000 and 003 report.
STUDY_C_RATES: tuple[float, ...] = tuple(sorted({*DEFAULT_C_RATES, 0.3}))


def evaluate(recipe: Recipe) -> dict[str, Any]:
    """Build ``recipe`` in a temporary directory (no report) and return headline metrics."""
    with tempfile.TemporaryDirectory(prefix="cathodetwin-") as tmp:
        metrics = build(recipe, tmp, BuildOptions(c_rates=STUDY_C_RATES, report=False))
    return headline_metrics(metrics)
