"""`cathodetwin study FILE -o DIR`: run a study with a progress bar (thin wrapper)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

console = Console()


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
) -> None:
    """Run every point of a study not yet stored in DIR; write results.parquet and the report."""
    # Imported here so that `cathodetwin --help` stays fast (pandas, matplotlib, dask).
    from cathodetwin.study import load_study, run_study
    from cathodetwin.study.outputs import REPORT_FILE, RESULTS_FILE
    from cathodetwin.study.runner import Progress as StudyProgress

    spec = load_study(file)
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}"),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(spec.name, total=None, note="planning")

        def show(p: StudyProgress) -> None:
            note = f"{p.n_reused} stored earlier" + (f", {p.n_failed} failed" if p.n_failed else "")
            bar.update(task, completed=p.n_done, total=p.n_todo, note=note)

        run = run_study(
            spec,
            out,
            scheduler=scheduler,
            n_workers=workers,
            progress=show,
            serial=serial,
            retry_failed=retry_failed,
        )
    console.print(
        f"{run.n_points} points ({run.n_designs} designs): {run.n_reused} recipes stored earlier, "
        f"{run.n_computed} computed, {run.n_failed} failed, in {run.elapsed_s:.1f} s"
    )
    console.print(f"results → {out / RESULTS_FILE}\nreport  → {out / REPORT_FILE}")
