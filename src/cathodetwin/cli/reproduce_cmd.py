"""`cathodetwin reproduce`: paper value vs twin value for every number the twin computes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table
from rich.text import Text

from cathodetwin.cli.progress import study_progress

console = Console(markup=False, highlight=False)  # user strings are text


def reproduce(
    papers: Annotated[str, typer.Option(help="Comma list of papers: 000,001,002,003,004.")] = (
        "000,001,002,003,004"),
    examples: Annotated[Path, typer.Option(help="Folder with the papers' example recipes.")] = (
        Path("examples/papers")),
    out: Annotated[Path, typer.Option("--out", "-o", help="Output directory (resumable).")] = (
        Path("reproduce")),
    seeds: Annotated[int, typer.Option(min=1, help="Replicate seeds per case.")] = 1,
    workers: Annotated[int, typer.Option("--workers", "-w", min=1)] = 2,
    scheduler: Annotated[str | None, typer.Option(help="Running Dask scheduler address.")] = None,
    serial: Annotated[bool, typer.Option(help="Build every case in this process.")] = False,
) -> None:
    """Build the papers' example cases and print the paper-vs-twin table and rankings."""
    from cathodetwin.study.reproduce import reproduce as run_reproduce

    chosen = [p.strip() for p in papers.split(",") if p.strip()]
    with study_progress(console, "reproduce") as show:
        result = run_reproduce(chosen, examples, out, seeds=range(seeds), n_workers=workers,
                               scheduler=scheduler, serial=serial, progress=show)
    table = Table(title="paper value vs twin value")
    for col in ("paper", "case", "metric", "paper", "twin", "where"):
        table.add_column(col)
    for r in result.values.itertuples():
        twin = "n/a" if r.twin_value != r.twin_value else f"{r.twin_value:.4g}"
        table.add_row(r.paper, r.case, r.metric, f"{r.paper_value:.4g}", twin, r.where)
    console.print(table)
    ranks = Table(title="orderings")
    for col in ("paper", "metric", "paper order", "twin order", "agrees"):
        ranks.add_column(col)
    for r in result.orderings.itertuples():
        ranks.add_row(r.paper, r.metric, r.paper_order, r.twin_order,
                      Text("yes", style="green") if r.agrees else Text("no", style="red"))
    console.print(ranks)
    console.print(f"tables → {out / 'values.csv'}, {out / 'orderings.csv'}, {out / 'reproduce.md'}")
