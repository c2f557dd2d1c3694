"""`cathodetwin study FILE -o DIR`: run a study with a progress bar (thin wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from cathodetwin.cli.failure import set_output_dir
from cathodetwin.cli.progress import study_progress
from cathodetwin.pipeline import check_output_dir

console = Console(markup=False, highlight=False)  # user strings are text


def study(
    file: Annotated[Path, typer.Argument(help="Study TOML file.")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (also the store).")],
    scheduler: Annotated[
        str | None,
        typer.Option(help="Address of a running Dask scheduler, e.g. tcp://host:8786."),
    ] = None,
    workers: Annotated[
        int, typer.Option("--workers", "-w", min=1, help="Worker processes of the local cluster.")
    ] = 2,
    serial: Annotated[
        bool, typer.Option(help="Run every point in this process (for debugging).")
    ] = False,
    retry_failed: Annotated[bool, typer.Option(help="Compute stored failed points again.")] = False,
    allow_module_evaluator: Annotated[bool, typer.Option(
        help="Let the study's evaluator be any module:function (imports and runs that "
             "module); without it only registered evaluators run.")] = False,
) -> None:
    """Run every point of a study not yet stored in DIR; write results.parquet and the report."""
    # Imported here so that `cathodetwin --help` stays fast (pandas, matplotlib, dask).
    from cathodetwin.study import load_study, run_study
    from cathodetwin.study.outputs import REPORT_FILE, RESULTS_FILE

    check_output_dir(out)
    spec = load_study(file)
    set_output_dir(out)
    with study_progress(console, spec.name) as show:
        run = run_study(
            spec,
            out,
            scheduler=scheduler,
            n_workers=workers,
            progress=show,
            serial=serial,
            retry_failed=retry_failed,
            allow_module_evaluator=allow_module_evaluator,
        )
    console.print(
        f"{run.n_points} points ({run.n_designs} designs): {run.n_reused} recipes stored earlier, "
        f"{run.n_computed} computed, {run.n_failed} failed, in {run.elapsed_s:.1f} s"
    )
    console.print(f"results → {out / RESULTS_FILE}\nreport  → {out / REPORT_FILE}")
