"""Study test support: cheap, deterministic, seed-dependent point functions (importable by Dask
workers and subprocesses: this directory is on sys.path under pytest) and a toy study."""

from __future__ import annotations

import json
import os
import uuid

import numpy as np

from cathodetwin.recipe import Recipe, default_recipe_path

CALLS_ENV = "CATHODETWIN_TEST_CALLS_DIR"  # directory where every call drops a marker file
DIE_AFTER_ENV = "CATHODETWIN_TEST_DIE_AFTER"  # hard-exit on the call after this many calls
NOISE_SD_MAH_G = 2.0


def noiseless_capacity_mah_g(cam_wt_pct: float, sse_d50_um: float) -> float:
    """Toy capacity: best at SSE D50 1.5 µm, falling as CAM wt% leaves less SSE."""
    return 200.0 - 8.0 * np.log(sse_d50_um / 1.5) ** 2 - 0.05 * (cam_wt_pct - 60.0) ** 2


def toy_metrics(recipe: Recipe) -> dict[str, float | str]:
    """Capacity with seed noise and an energy density that trades off against it."""
    cam = recipe.components_with_role("CAM")[0].weight_percent
    sse = recipe.components_with_role("SSE")[0]
    noise = np.random.default_rng(recipe.simulation.seed).normal(0.0, NOISE_SD_MAH_G)
    capacity = noiseless_capacity_mah_g(cam, sse.psd.d50_um) + noise
    return {
        "capacity_1c_mah_g": capacity,
        "cathode_wh_l": capacity * cam / 100.0 * 3.7 * 3.0,
        "sse_weight_percent": sse.weight_percent,
        "cam_material": recipe.components_with_role("CAM")[0].material,
    }


def counted_metrics(recipe: Recipe) -> dict[str, float | str]:
    """``toy_metrics``, leaving one marker file per call; dies hard (os._exit) when told to."""
    calls_dir = os.environ[CALLS_ENV]
    die_after = os.environ.get(DIE_AFTER_ENV)
    if die_after is not None and len(os.listdir(calls_dir)) >= int(die_after):
        os._exit(3)
    marker = {"fingerprint": recipe.fingerprint(), "pid": os.getpid()}
    with open(os.path.join(calls_dir, f"{uuid.uuid4().hex}.json"), "w") as f:
        json.dump(marker, f)
    return toy_metrics(recipe)


def fails_for_coarse_sse(recipe: Recipe) -> dict[str, float | str]:
    """``counted_metrics`` that raises for SSE D50 above 2 µm."""
    d50 = recipe.components_with_role("SSE")[0].psd.d50_um
    if d50 > 2.0:
        raise RuntimeError(f"toy failure at SSE D50 {d50} µm")
    return counted_metrics(recipe)


def nested_metrics(recipe: Recipe) -> dict:
    """Not flat: must be recorded as a failure."""
    return {"curve_v": [3.7, 3.6]}


def toy_study_data(**changes: object) -> dict:
    """A 2 × 2 grid (SSE D50, CAM wt% balanced by SSE) × 3 seeds on the default recipe."""
    data: dict = {
        "name": "toy",
        "recipe": str(default_recipe_path()),
        "parameters": [
            {
                "path": "components.LPSCl-fine.psd.d50_um",
                "name": "sse_d50_um",
                "values": [0.8, 3.0],
            },
            {
                "path": "components.NCM811.weight_percent",
                "name": "cam_wt_pct",
                "values": [60, 75],
                "balance": "LPSCl-fine",
            },
        ],
        "replicate_seeds": [1, 2, 3],
        "objectives": [
            {"metric": "cathode_wh_l", "direction": "maximize"},
            {"metric": "capacity_1c_mah_g", "direction": "maximize"},
        ],
        "evaluator": "study_support:toy_metrics",
    }
    return data | changes


def dies_for_seed_99(recipe: Recipe) -> dict[str, float | str]:
    """``toy_metrics``, but kills its process (a crashing worker) for seed 99."""
    if recipe.simulation.seed == 99:
        os._exit(9)
    return toy_metrics(recipe)
