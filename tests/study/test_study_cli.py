"""`cathodetwin study FILE -o DIR`: runs, resumes, and refuses bad study files."""

from __future__ import annotations

from pathlib import Path

import typer
from typer.testing import CliRunner

from cathodetwin.cli.study_cmd import study
from cathodetwin.errors import InputError
from cathodetwin.recipe import default_recipe_path

app = typer.Typer()
app.command()(study)

STUDY = f"""
name = "cli toy"
recipe = "{default_recipe_path()}"
replicate_seeds = [1, 2]
evaluator = "study_support:counted_metrics"

[[parameters]]
path = "components.LPSCl-fine.psd.d50_um"
name = "sse_d50_um"
values = [1.0, 2.0, 4.0]
"""


def test_study_command_runs_then_resumes(tmp_path: Path, calls_dir: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text(STUDY, encoding="utf-8")
    out = tmp_path / "out"
    args = [str(f), "-o", str(out), "--serial", "--allow-module-evaluator"]
    first = CliRunner().invoke(app, args)
    assert first.exit_code == 0, first.output
    assert "6 points (3 designs): 0 recipes stored earlier, 6 computed, 0 failed" in first.output
    assert (out / "results.parquet").exists() and (out / "study_report.html").exists()
    second = CliRunner().invoke(app, args)
    assert "6 recipes stored earlier, 0 computed" in second.output
    assert len(list(calls_dir.iterdir())) == 6


def test_bad_study_file_is_an_input_error(tmp_path: Path) -> None:
    f = tmp_path / "s.toml"
    f.write_text(STUDY.replace("values = [1.0, 2.0, 4.0]", "low = 1.0"), encoding="utf-8")
    result = CliRunner().invoke(app, [str(f), "-o", str(tmp_path / "out")])
    assert isinstance(result.exception, InputError)
    assert "give both low and high" in str(result.exception)
    assert not (tmp_path / "out").exists()
