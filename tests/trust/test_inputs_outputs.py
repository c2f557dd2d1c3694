"""Issue 20, items 1-5 and 7: nothing a user gives is lost, every failure is a clear message."""

from __future__ import annotations

import json
import math
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from conftest import CAM_NAME, NASTY_NAME, SSE_NAME, TINY_TOML, no_traceback

from cathodetwin.headline import headline_metrics
from cathodetwin.packing import build_packing
from cathodetwin.recipe import default_recipe_path, recipe_from_dict
from cathodetwin.study import load_study, plan_study

REPO = Path(__file__).resolve().parents[2]
IMAGE = REPO / "examples" / "images" / "synthetic_composite_48.tif"
PHASES = "0=pore,85=CAM:NCM811,170=SSE:Li6PS5Cl"


# --- item 1: never overwrite an input -------------------------------------------------------

def test_build_into_the_recipes_own_directory_keeps_the_recipe(cli, tmp_path: Path) -> None:
    recipe = tmp_path / "recipe.toml"
    recipe.write_text(TINY_TOML, encoding="utf-8")
    result = cli("build", "recipe.toml", "-o", ".", cwd=tmp_path)
    assert result.returncode == 2 and no_traceback(result)
    assert "recipe.toml" in result.stderr and "did not write" in result.stderr
    assert recipe.read_text(encoding="utf-8") == TINY_TOML  # comments and all
    assert not (tmp_path / "metrics.json").exists()


def test_a_build_directory_is_rebuilt_over_its_own_recipe(cli_build) -> None:
    out, _ = cli_build
    text = (out / "recipe.toml").read_text(encoding="utf-8")
    assert text.startswith("# Resolved recipe written by `cathodetwin build`")


# --- item 2: carbon that does not fit is a result --------------------------------------------

DENSE = {"name": "dense", "components": [
    {"name": "NCM811", "material": "NCM811", "role": "CAM", "weight_percent": 70.0,
     "psd": {"kind": "lognormal", "d50_um": 2.0, "gsd": 1.2}},
    {"name": "LPSCl", "material": "Li6PS5Cl", "role": "SSE", "weight_percent": 22.0,
     "psd": {"kind": "lognormal", "d50_um": 0.8, "gsd": 1.2}},
    {"name": "VGCF", "material": "VGCF", "role": "carbon", "weight_percent": 8.0}],
    "processing": {"pressing_pressure_mpa": 500.0, "stack_pressure_mpa": 10.0},
    "electrode": {"thickness_um": 50.0},
    "simulation": {"box_um": [8.0, 8.0, 6.0], "voxel_size_um": 0.2, "seed": 3}}


def test_carbon_the_pores_cannot_take_is_reported_not_raised() -> None:
    packing = build_packing(recipe_from_dict(DENSE))  # raised ValueError in 0.3.2
    rec = packing.provenance["carbon"]["VGCF"]
    assert rec["pore_space_full"] and 0.0 < rec["placed_fraction"] < 1.0
    assert rec["placed_fraction"] == pytest.approx(
        rec["placed_volume_um3"] / rec["target_volume_um3"])
    # what is reported is what is there: the fibres hold the placed volume
    f = packing.fibers
    length = np.linalg.norm(f.end_um - f.start_um, axis=1)
    assert len(f) > 0 and np.sum(np.pi * f.radius_um**2 * length) <= rec["placed_volume_um3"]
    flat = headline_metrics({"packing": {"carbon": packing.provenance["carbon"]}})
    assert flat["carbon_placed_fraction"] == rec["placed_fraction"]  # a study sees it


@pytest.mark.slow
def test_the_bundled_example_studys_fine_sse_point_builds() -> None:
    study = load_study(REPO / "examples" / "studies" / "sse_size_cam_loading.toml")
    point = next(p for p in plan_study(study)
                 if p.factors["sse_d50_um"] == 0.8 and p.factors["cam_wt_pct"] == 80.0)
    packing = build_packing(point.recipe)
    assert 0.5 < packing.provenance["carbon"]["VGCF"]["placed_fraction"] <= 1.0


# --- item 3: user strings are text -----------------------------------------------------------

def test_recipe_check_prints_names_with_markup_as_given(cli, tiny_recipe: Path) -> None:
    result = cli("recipe", "check", str(tiny_recipe))
    assert result.returncode == 0, result.stderr
    for name in (NASTY_NAME, CAM_NAME, SSE_NAME):
        assert name in result.stdout


def test_build_with_markup_and_mathtext_names_finishes_with_its_report(cli_build) -> None:
    out, result = cli_build
    assert no_traceback(result)
    assert f"{NASTY_NAME}: estimate" in result.stdout  # 0.3.2: "Zhou 2025   $\\badcmd$"
    assert "headline" in result.stdout and "wall time" in result.stdout
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "Figure failed" not in page
    assert "NCM811 [bold]x[/bold]" in page and "LPSCl $\\alpha$ [/]" in page


def test_report_of_a_name_that_is_broken_mathtext(tmp_path: Path) -> None:
    from cathodetwin.report import figures

    with figures.plain_text():
        fig = figures.phase_fraction_figure(["NCM811 $\\badcmd$"], [0.5], ["#d1603d"])
        png = figures.figure_png(fig)  # 0.3.2: ValueError from the mathtext parser
    assert png.startswith(b"\x89PNG")


# --- item 4: tracebacks become messages ------------------------------------------------------

def test_output_that_is_a_file_is_refused(cli, tiny_recipe: Path, tmp_path: Path) -> None:
    target = tmp_path / "file"
    target.write_text("x", encoding="utf-8")
    result = cli("build", str(tiny_recipe), "-o", str(target))
    assert result.returncode == 2 and no_traceback(result)
    assert "is a file" in result.stderr


def test_unwritable_output_is_refused_before_computing(cli, tiny_recipe: Path) -> None:
    result = cli("build", str(tiny_recipe), "-o", "/proc/cathodetwin-out")
    assert result.returncode == 2 and no_traceback(result)
    assert "not writable" in result.stderr or "not a directory" in result.stderr


def test_disk_full_is_one_line_and_a_log(cli, tiny_recipe: Path, tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import errno

    import cathodetwin.pipeline

    def full(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, "No space left on device", "metrics.json")

    monkeypatch.setattr(cathodetwin.pipeline, "write_json_atomic", full)
    out = tmp_path / "out"
    result = cli("build", str(tiny_recipe), "-o", str(out), "--no-report")
    assert result.returncode == 1 and no_traceback(result)
    lines = [ln for ln in result.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1 and "No space left on device" in lines[0]
    assert "Traceback" in (out / "cathodetwin-error.log").read_text(encoding="utf-8")


def test_analyze_into_a_directory_is_refused_before_the_analysis(cli, tmp_path: Path) -> None:
    result = cli("analyze", str(IMAGE), "--phases", PHASES, "--voxel-size", "0.25",
                         "-o", str(tmp_path))
    assert result.returncode == 2 and no_traceback(result)
    assert "is a directory" in result.stderr and "porosity" not in result.stdout


def test_corrupt_stage_files_are_computed_again(cli, cli_build, tmp_path: Path) -> None:
    out, _ = cli_build
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    packing = copy / "packing.npz"
    packing.write_bytes(packing.read_bytes()[: packing.stat().st_size // 2])
    result = cli("build", str(copy / "recipe.toml"), "-o", str(copy), "--no-mechanics",
                         "--no-cell", "--no-report")
    assert result.returncode == 0 and no_traceback(result), result.stderr
    assert "packing.npz is unreadable" in result.stdout and "packing: done" in result.stdout
    assert "structure: reused" in result.stdout  # the packing is deterministic


def test_corrupt_metrics_json_is_named_and_recomputed(cli, cli_build, tmp_path: Path) -> None:
    out, _ = cli_build
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "metrics.json").write_text('{"timings_s": {"packing": 1', encoding="utf-8")
    result = cli("build", str(copy / "recipe.toml"), "-o", str(copy), "--no-mechanics",
                         "--no-cell", "--no-report")
    assert result.returncode == 0 and no_traceback(result), result.stderr
    assert f"{copy / 'metrics.json'} is unreadable" in result.stdout
    assert json.loads((copy / "metrics.json").read_text(encoding="utf-8"))["structure"]


def test_corrupt_study_record_is_named(tmp_path: Path) -> None:
    from cathodetwin.study import ResultStore
    from cathodetwin.study.store import StoreWarning

    store = ResultStore(tmp_path)
    store.path("abc").write_text("{not json", encoding="utf-8")
    with pytest.warns(StoreWarning, match=re.escape(str(store.path("abc")))):
        assert store.get("abc") is None


# --- item 5: pre-flight ----------------------------------------------------------------------

RECIPE_FIELDS = re.compile(r"\b((?:simulation|processing|electrode|components)\.[\w<>.-]+)")
IMPOSSIBLE = {
    "10 mm box": '"simulation.box_um" = [10000.0, 10000.0, 10000.0]',
    "1 nm electrolyte": '"components.LPSCl-fine.psd.d50_um" = 0.001',
    "1 nm voxels": '"simulation.voxel_size_um" = 0.001',
}


def _impossible(tmp_path: Path, change: str) -> Path:
    from cathodetwin.recipe import load_recipe

    key, value = (s.strip() for s in change.split("="))
    recipe = load_recipe(default_recipe_path()).with_changes({key.strip('"'): json.loads(value)})
    path = tmp_path / "impossible.toml"
    path.write_text(recipe.to_toml(), encoding="utf-8")
    return path


@pytest.mark.parametrize("case", sorted(IMPOSSIBLE))
def test_recipe_check_refuses_what_build_cannot_hold(cli, case: str, tmp_path: Path) -> None:
    path = _impossible(tmp_path, IMPOSSIBLE[case])
    result = cli("recipe", "check", str(path))
    assert result.returncode == 2 and no_traceback(result)
    assert re.search(r"\d[\d,.]* (particles|voxels)", result.stdout + result.stderr)
    data = json.loads(json.dumps(__import__("tomllib").loads(path.read_text("utf-8"))))
    for field in RECIPE_FIELDS.findall(result.stderr):  # only real recipe fields are named
        node: object = data
        for part in field.rstrip(".").split("."):
            if part == "<name>":
                node = node[0]  # type: ignore[index]
            elif isinstance(node, list):
                node = next(c for c in node if c["name"] == part)
            else:
                assert isinstance(node, dict) and part in node, f"{field} is not a recipe field"
                node = node[part]
    out = tmp_path / "out"
    built = cli("build", str(path), "-o", str(out))
    assert built.returncode == 2 and no_traceback(built)
    assert not out.exists()  # nothing written, no stray recipe.toml


def test_recipe_check_shows_the_estimate(cli) -> None:
    result = cli("recipe", "check", str(default_recipe_path()))
    assert result.returncode == 0
    found = re.search(r"estimate: ([\d,]+) particles, (\d+) x (\d+) x (\d+) = ([\d,]+) voxels",
                      result.stdout)
    assert found
    nx, ny, nz = (int(found.group(k)) for k in (2, 3, 4))
    assert nx * ny * nz == int(found.group(5).replace(",", ""))
    assert int(found.group(1).replace(",", "")) > 1000


# --- item 7: analyze sanity ------------------------------------------------------------------

@pytest.mark.parametrize("voxel", ["1e6", "1e-9"])
def test_analyze_warns_of_an_implausible_voxel_size(cli, voxel: str, tmp_path: Path) -> None:
    result = cli("analyze", str(IMAGE), "--phases", PHASES, "--voxel-size", voxel,
                         "--no-transport", "-o", str(tmp_path / "m.json"))
    assert result.returncode == 0 and no_traceback(result)
    assert "warning: --voxel-size" in result.stderr
    assert "CAM particles are" in result.stderr


def test_analyze_at_a_plausible_voxel_size_does_not_warn(tmp_path: Path) -> None:
    from cathodetwin.cli.analyze_cmd import sanity_warnings
    from cathodetwin.structure.io import import_image

    micro = import_image(IMAGE, PHASES, "0.25")
    ids = np.zeros(micro.shape, np.int32)
    ids[micro.labels == 85] = 1 + (np.arange(int(np.sum(micro.labels == 85))) % 40)
    assert sanity_warnings(micro.voxel_size_um, ids) == []
    assert math.isfinite(micro.voxel_size_um[0])
