"""Issue 20, items 6, 8, 9, 10 and 11: honest resumes, visible runs, studies, the error contract."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pandas as pd
import pytest
from conftest import no_traceback

from cathodetwin.errors import InputError
from cathodetwin.pipeline import BuildOptions, remove_stale_temp_dirs, stage_fingerprints
from cathodetwin.recipe import default_recipe

REPO = Path(__file__).resolve().parents[2]


# --- item 6: resume honesty ------------------------------------------------------------------

def test_build_runs_the_particle_cell_by_default_and_can_leave_it_out(cli, cli_build,
                                                                     tmp_path: Path) -> None:
    out, first = cli_build
    assert "particle_cell: done" in first.stdout
    metrics = json.loads((out / "metrics.json").read_text(encoding="utf-8"))
    assert metrics["particle_cell"]["dfn_capacity_mah_g"]  # the DFN beside it
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    (copy / "metrics.json").write_text(json.dumps(  # as if it had never run
        {k: v for k, v in metrics.items() if k != "particle_cell"}
        | {"timings_s": {k: v for k, v in metrics["timings_s"].items()
                         if k != "particle_cell"}}), encoding="utf-8")
    result = cli("build", str(copy / "recipe.toml"), "-o", str(copy), "--no-mechanics",
                 "--no-report", "--no-particle-cell")
    assert result.returncode == 0, result.stderr
    assert "particle_cell" not in json.loads((copy / "metrics.json").read_text("utf-8"))


def test_other_transport_axes_recompute_transport_and_show_reuse(cli, cli_build,
                                                                  tmp_path: Path) -> None:
    out, first = cli_build
    assert "transport: done" in first.stdout
    copy = tmp_path / "copy"
    shutil.copytree(out, copy)
    result = cli("build", str(copy / "recipe.toml"), "-o", str(copy), "--axes", "all",
                         "--no-mechanics", "--no-report")
    assert result.returncode == 0, result.stderr
    for stage in ("packing", "voxels", "structure"):
        assert f"{stage}: reused from an earlier run" in result.stdout
    assert "transport: done" in result.stdout and "cell: done" in result.stdout
    assert "done 0:00:00" not in result.stdout
    metrics = json.loads((copy / "metrics.json").read_text(encoding="utf-8"))
    assert set(metrics["transport"]["ionic"]) == {"x", "y", "z"}  # 0.3.2 kept z only
    assert metrics["reused_stages"] == ["packing", "voxels", "structure"]
    assert re.search(r"packing \*.*voxels \*.*structure \*", result.stdout)  # timings table
    assert "transport *" not in result.stdout


def test_stage_fingerprints_follow_the_options_that_change_results() -> None:
    recipe = default_recipe()
    base = stage_fingerprints(recipe, BuildOptions())
    axes = stage_fingerprints(recipe, BuildOptions(transport_axes=(0, 1, 2)))
    rates = stage_fingerprints(recipe, BuildOptions(c_rates=(0.1, 1.0)))
    assert {s for s in base if base[s] != axes[s]} == {"transport", "cell", "particle_cell"}
    assert {s for s in base if base[s] != rates[s]} == {"cell", "particle_cell"}
    assert stage_fingerprints(recipe, BuildOptions(mechanics=False, report=False)) == base


# --- item 8: batch visibility ----------------------------------------------------------------

def test_a_build_without_a_terminal_logs_every_stage(cli_build) -> None:
    _, result = cli_build
    lines = result.stdout.splitlines()
    for stage in ("packing", "voxels", "structure", "transport", "cell", "report"):
        assert any(re.fullmatch(rf"\[\d+:\d\d:\d\d\] {stage}: started", ln) for ln in lines)
        assert any(re.match(rf"\[\d+:\d\d:\d\d\] {stage}: done in [\d.]+ s", ln) for ln in lines)
    shares = [int(m.group(1)) for ln in lines
              if (m := re.match(r"\[\d+:\d\d:\d\d\] packing: (\d+) %", ln))]
    assert len(shares) >= 5 and shares == sorted(shares) and shares[-1] == 100
    assert "estimate:" in result.stdout


def test_terminal_progress_shows_an_eta(tmp_path: Path) -> None:
    from rich.console import Console

    from cathodetwin.cli.build_progress import build_monitor

    console = Console(force_terminal=True, width=160, record=True)
    with build_monitor(console, ["packing"]) as show:
        show("packing", {"start": True})
        show("packing", {"fraction": 0.5, "stage": "load", "pressure_mpa": 30.0,
                         "porosity": 0.3})
        show("packing", {"done": True, "reused": False, "seconds": 3.0})
    text = console.export_text()
    assert "ETA" in text and "done in 3.0 s" in text


# --- item 9: studies -------------------------------------------------------------------------

def test_a_study_may_not_import_an_arbitrary_module(cli, tmp_path: Path) -> None:
    study = tmp_path / "s.toml"
    study.write_text(f'name = "x"\nrecipe = "{REPO / "src/cathodetwin/data/default_recipe.toml"}"'
                     '\nevaluator = "this:s"\n[[parameters]]\npath = "simulation.seed"\n'
                     "values = [1, 2]\n", encoding="utf-8")
    result = cli("study", str(study), "-o", str(tmp_path / "out"), "--serial")
    assert result.returncode == 2 and no_traceback(result)
    assert "not a registered evaluator" in result.stderr
    assert "Beautiful is better than ugly" not in result.stdout  # `this` was never imported


def test_registered_evaluators_include_the_pipeline() -> None:
    from cathodetwin.study.runner import registered_evaluators, resolve_evaluator

    assert registered_evaluators()["default"] == "cathodetwin.pipeline:evaluate"
    assert resolve_evaluator("default").__name__ == "evaluate"
    assert resolve_evaluator("cathodetwin.pipeline:evaluate").__name__ == "evaluate"
    assert resolve_evaluator("json:dumps", allow_module_paths=True) is json.dumps
    with pytest.raises(InputError, match="--allow-module-evaluator"):
        resolve_evaluator("json:dumps")


def test_design_table_of_many_metrics_raises_no_performance_warning() -> None:
    from cathodetwin.study.summary import design_table

    rows = [{"design_id": d, "f": float(d), "metric": f"m{k}", "mean": 1.0, "ci_low": 0.5,
             "ci_high": 1.5} for d in range(3) for k in range(60)]
    with warnings.catch_warnings():
        warnings.simplefilter("error", pd.errors.PerformanceWarning)
        table = design_table(pd.DataFrame(rows), ["f"])
    assert table.shape == (3, 2 + 3 * 60)


def _fails_for_seed_2(recipe) -> dict:
    if recipe.simulation.seed == 2:
        raise RuntimeError("toy failure")
    return {"value_um": float(recipe.simulation.seed)}


def test_progress_and_summary_count_failures_alike(tmp_path: Path) -> None:
    from cathodetwin.recipe import default_recipe_path
    from cathodetwin.study import run_study
    from cathodetwin.study.spec import study_from_dict

    study = study_from_dict({"name": "toy", "recipe": str(default_recipe_path()),
                             "parameters": [{"path": "simulation.seed", "values": [1, 2, 3]}]})
    run_study(study, tmp_path, point_fn=_fails_for_seed_2, serial=True)
    seen = []
    again = run_study(study, tmp_path, point_fn=_fails_for_seed_2, serial=True,
                      progress=seen.append)
    assert again.n_failed > 0 and again.n_computed == 0
    assert seen[-1].n_failed == again.n_failed  # 0.3.2: progress said 0, the summary N


def test_temp_dirs_of_killed_builds_are_removed(tmp_path: Path) -> None:
    done = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"],
                          capture_output=True, text=True, check=True)
    dead = tmp_path / f"cathodetwin-{done.stdout.strip()}-abc"
    alive = tmp_path / f"cathodetwin-{__import__('os').getpid()}-def"
    other = tmp_path / "cathodetwin-notapid"
    for d in (dead, alive, other):
        (d / "fields").mkdir(parents=True)
    assert remove_stale_temp_dirs(tmp_path) == [dead]
    assert not dead.exists() and alive.exists() and other.exists()


# --- item 10: the error contract -------------------------------------------------------------

def test_an_internal_error_exits_1_with_a_log_not_2(cli, tiny_recipe: Path, tmp_path: Path,
                                                     monkeypatch: pytest.MonkeyPatch) -> None:
    import cathodetwin.pipeline

    def broken(*args: object, **kwargs: object) -> None:
        raise ValueError("an internal invariant broke")

    monkeypatch.setattr(cathodetwin.pipeline, "measure_structure", broken)
    out = tmp_path / "out"
    result = cli("build", str(tiny_recipe), "-o", str(out), "--no-report")
    assert result.returncode == 1 and no_traceback(result)  # 0.3.2: exit 2, "bad input"
    assert "internal error, ValueError: an internal invariant broke" in result.stderr
    log = out / "cathodetwin-error.log"
    assert str(log) in result.stderr and "Traceback" in log.read_text(encoding="utf-8")


def test_a_solver_failure_exits_1_and_says_so(cli, tiny_recipe: Path, tmp_path: Path,
                                              monkeypatch: pytest.MonkeyPatch) -> None:
    import cathodetwin.pipeline
    from cathodetwin.errors import SolverError

    def stuck(*args: object, **kwargs: object) -> None:
        raise SolverError("PyBaMM failed on the discharge at 3C")

    monkeypatch.setattr(cathodetwin.pipeline, "predict_rates", stuck)
    out = tmp_path / "out"
    result = cli("build", str(tiny_recipe), "-o", str(out), "--no-report", "--no-mechanics")
    assert result.returncode == 1 and no_traceback(result)
    assert "solver failed: PyBaMM failed on the discharge at 3C" in result.stderr


def test_input_validation_raises_input_error() -> None:
    from cathodetwin.cell.model import CellSimulationError
    from cathodetwin.errors import InputError, SolverError
    from cathodetwin.structure.microstructure import Microstructure

    with pytest.raises(InputError):
        Microstructure(__import__("numpy").zeros((4, 4), "uint8"), (1.0, 1.0, 1.0), ())
    assert issubclass(CellSimulationError, SolverError)
    assert not issubclass(SolverError, ValueError)  # a solver failure is not bad input


# --- item 11: README -------------------------------------------------------------------------

def test_readme_analyze_example_runs_as_written(cli, tmp_path: Path) -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    command = re.search(r"^cathodetwin analyze (.*?)#", readme.replace("\\\n", " "), re.M | re.S)
    assert command
    args = [a.strip('"') for a in re.findall(r'"[^"]*"|\S+', command.group(1))]
    written = REPO / "scan-metrics.json"
    try:
        result = cli("analyze", *args, "--no-transport", cwd=REPO)
        assert result.returncode == 0, result.stderr
        assert written.exists()
    finally:
        written.unlink(missing_ok=True)


def test_readme_says_how_to_reach_the_command_and_install() -> None:
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    assert "source .venv/bin/activate" in readme and ".venv/bin/cathodetwin" in readme
    assert "pip install ." in readme


@pytest.mark.parametrize("doc", ["README.md", "examples/README.md", "docs/architecture.md",
                                 "docs/report.md"])
def test_relative_paths_in_docs_exist(doc: str) -> None:
    text = (REPO / doc).read_text(encoding="utf-8")
    for target in re.findall(r"`((?:examples|docs|src|papers)/[\w./-]+\.(?:md|toml|tif|py))`",
                             text):
        base = REPO if not target.startswith("papers/") else REPO / "examples"
        assert (base / target).exists(), f"{doc} names missing {target}"


def test_build_layout_lists_every_file_a_build_writes(cli_build) -> None:
    out, _ = cli_build
    layout = (REPO / "docs" / "architecture.md").read_text(encoding="utf-8")
    for path in out.iterdir():
        assert f"DIR/{path.name}" in layout or (path.is_dir() and f"DIR/{path.name}/" in layout)
