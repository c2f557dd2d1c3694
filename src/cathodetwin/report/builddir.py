"""Read a build directory (recipe, packing, labelled volume, metrics, fields), tolerating gaps."""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from cathodetwin.errors import InputError, RecipeError
from cathodetwin.packing import Packing
from cathodetwin.recipe import Recipe, load_recipe
from cathodetwin.structure.io import load_microstructure
from cathodetwin.structure.microstructure import Microstructure

RECIPE_FILE = "recipe.toml"
PACKING_FILE = "packing.npz"
MICROSTRUCTURE_FILE = "microstructure.zarr"
METRICS_FILE = "metrics.json"
STRAIN_ENERGY_FILE = "fields/strain_energy_kj_m3_xz.npy"
REPORT_FILE = "report.html"


@dataclass(frozen=True)
class BuildData:
    """What a build directory holds; a part that is missing or unreadable is None (see problems)."""

    build_dir: Path
    metrics: dict
    recipe: Recipe | None
    packing: Packing | None
    micro: Microstructure | None
    strain_energy_xz_kj_m3: np.ndarray | None
    problems: tuple[str, ...]

    def section(self, *path: str) -> dict | None:
        """Nested metrics section (e.g. ``section("transport", "ionic")``) or None if absent."""
        node: object = self.metrics
        for key in path:
            if not isinstance(node, dict) or not isinstance(node.get(key), dict):
                return None
            node = node[key]
        return node  # type: ignore[return-value]


def _read_metrics(path: Path, problems: list[str]) -> dict:
    if not path.exists():
        problems.append(f"{METRICS_FILE} is missing: no measured numbers to report")
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as err:
        problems.append(f"{METRICS_FILE} cannot be read: {err}")
        return {}
    if not isinstance(data, dict):
        problems.append(f"{METRICS_FILE} holds a {type(data).__name__}, not a JSON object")
        return {}
    return data


def _read_recipe(path: Path, problems: list[str]) -> Recipe | None:
    if not path.exists():
        problems.append(f"{RECIPE_FILE} is missing: no recipe summary or PSD plot")
        return None
    try:
        return load_recipe(path)
    except RecipeError as err:
        problems.append(f"{RECIPE_FILE} is not a valid recipe: {'; '.join(err.problems)}")
        return None


def _read_packing(path: Path, problems: list[str]) -> Packing | None:
    if not path.exists():
        problems.append(f"{PACKING_FILE} is missing: no particle render or sampled sizes")
        return None
    try:
        return Packing.load(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
        problems.append(f"{PACKING_FILE} cannot be read: {err}")
        return None


def _read_micro(path: Path, problems: list[str]) -> Microstructure | None:
    if not path.exists():
        problems.append(f"{MICROSTRUCTURE_FILE} is missing: no slices or SSE network render")
        return None
    try:
        return load_microstructure(path)
    except (OSError, ValueError, KeyError) as err:
        problems.append(f"{MICROSTRUCTURE_FILE} cannot be read: {err}")
        return None


def _read_map(path: Path, problems: list[str]) -> np.ndarray | None:
    if not path.exists():
        return None
    try:
        arr = np.load(path)
    except (OSError, ValueError) as err:
        problems.append(f"{STRAIN_ENERGY_FILE} cannot be read: {err}")
        return None
    if arr.ndim != 2:
        problems.append(f"{STRAIN_ENERGY_FILE} has shape {arr.shape}; expected a 2D (x, z) map")
        return None
    return arr


def load_build(build_dir: str | Path) -> BuildData:
    """Everything a report needs from ``build_dir``; raises ValueError if it is not a directory."""
    build_dir = Path(build_dir)
    if not build_dir.is_dir():
        raise InputError(f"build_dir: {build_dir} is not a directory")
    problems: list[str] = []
    return BuildData(
        build_dir=build_dir,
        metrics=_read_metrics(build_dir / METRICS_FILE, problems),
        recipe=_read_recipe(build_dir / RECIPE_FILE, problems),
        packing=_read_packing(build_dir / PACKING_FILE, problems),
        micro=_read_micro(build_dir / MICROSTRUCTURE_FILE, problems),
        strain_energy_xz_kj_m3=_read_map(build_dir / STRAIN_ENERGY_FILE, problems),
        problems=tuple(problems),
    )
