"""Every example recipe in examples/papers loads; paper-level invariants hold."""

from __future__ import annotations

from pathlib import Path

import pytest

from cathodetwin import formulas as F
from cathodetwin.recipe import load_recipe

PAPERS = Path(__file__).resolve().parents[2] / "examples" / "papers"
FILES = sorted(PAPERS.glob("[0-9][0-9][0-9]_*.toml"))  # recipes; study_*.toml are studies


def test_there_is_an_example_for_every_paper() -> None:
    assert {f.name[:3] for f in FILES} == {"000", "001", "002", "003", "004"}
    assert len(FILES) >= 20


@pytest.mark.parametrize("path", FILES, ids=[f.stem for f in FILES])
def test_example_loads(path: Path) -> None:
    recipe = load_recipe(path)
    assert sum(F.recipe_material_weight_percents(recipe).values()) == pytest.approx(100.0)
    sim = recipe.simulation
    voxels = 1
    for edge in sim.box_um:
        voxels *= round(edge / sim.voxel_size_um)
    assert voxels <= 200**3, "example boxes must stay small enough to build quickly"


@pytest.mark.parametrize(
    ("tag", "ncwa"), [("10-0", 90), ("8-2", 72), ("7-3", 63), ("6-4", 54), ("0-10", 0)]
)
def test_001_blends_keep_90_wt_percent_cam(tag: str, ncwa: float) -> None:
    recipe = load_recipe(PAPERS / f"001_cam{tag}.toml")
    cam = F.recipe_cam(recipe)
    assert cam.cam_weight_percent == pytest.approx(90.0)
    weights = F.recipe_material_weight_percents(recipe)
    assert weights.get("NCWA", 0.0) == pytest.approx(ncwa)


@pytest.mark.parametrize(
    ("tag", "shell"), [("lno_nmc", 0.0), ("bm03", 3.0), ("bm05", 5.0), ("bm10", 10.0)]
)
def test_003_keeps_75_wt_percent_lno_nmc(tag: str, shell: float) -> None:
    recipe = load_recipe(PAPERS / f"003_{tag}.toml")
    weights = F.recipe_material_weight_percents(recipe)
    assert weights["NCM811"] + weights["LiNbO3"] == pytest.approx(75.0, abs=1e-3)
    cam = recipe.components_with_role("CAM")[0]
    assert F.component_mass_split(cam)["shell"] == pytest.approx(shell / 100.0, abs=1e-9)
