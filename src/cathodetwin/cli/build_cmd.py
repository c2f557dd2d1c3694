"""`cathodetwin build` and `cathodetwin demo`: the whole pipeline with a progress display."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn
from rich.table import Table

from cathodetwin.errors import InputError
from cathodetwin.recipe import Recipe, default_recipe, load_recipe

if TYPE_CHECKING:
    from cathodetwin.pipeline import BuildOptions

console = Console()
AXES = {"x": 0, "y": 1, "z": 2}


def parse_axes(text: str) -> tuple[int, ...]:
    """'z', 'x,y,z' or 'all' → axis indices (0 = x, 1 = y, 2 = z)."""
    if text == "all":
        return (0, 1, 2)
    axes = tuple(AXES.get(a.strip()) for a in text.split(","))
    if None in axes:
        raise InputError(f"--axes: got {text!r}; allowed: 'all' or a comma list of x, y, z")
    return axes  # type: ignore[return-value]


def run_build(recipe: Recipe, out_dir: Path, options: BuildOptions, resume: bool) -> dict:
    """Run the pipeline under a rich progress display; print stage timings and headlines."""
    from cathodetwin.pipeline import STAGES, build

    stages = [*STAGES, "report"] if options.report else list(STAGES)
    columns = (SpinnerColumn(), TextColumn("[bold]{task.description:<10}"), BarColumn(),
               TextColumn("{task.fields[info]}"), TimeElapsedColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        tasks = {s: bar.add_task(s, total=1, info="", start=False) for s in stages}
        started = {s: False for s in stages}

        def on_progress(stage: str, info: dict[str, Any]) -> None:
            if not started[stage]:
                bar.start_task(tasks[stage])
                started[stage] = True
            if info.get("done"):
                bar.update(tasks[stage], completed=1, info="done")
                nxt = stages.index(stage) + 1
                if nxt < len(stages) and not started[stages[nxt]]:
                    bar.start_task(tasks[stages[nxt]])
                    started[stages[nxt]] = True
            elif "pressure_mpa" in info:
                bar.update(tasks[stage], info=f"{info.get('stage', '')}: "
                           f"{info['pressure_mpa']:.3g} MPa, porosity {info['porosity']:.3f}")

        bar.start_task(tasks[stages[0]])
        started[stages[0]] = True
        t0 = time.perf_counter()
        metrics = build(recipe, out_dir, options, progress=on_progress, resume=resume)
    _print_summary(metrics, time.perf_counter() - t0, out_dir)
    return metrics


def _print_summary(metrics: dict, wall_s: float, out_dir: Path) -> None:
    from cathodetwin.headline import headline_metrics

    timings = Table(title="stage timings (s)")
    for stage in metrics["timings_s"]:
        timings.add_column(stage)
    timings.add_row(*(f"{v:.1f}" for v in metrics["timings_s"].values()))
    console.print(timings)
    head = Table(title=f"{metrics['recipe']['name']}: headline metrics")
    head.add_column("metric")
    head.add_column("value", justify="right")
    for k, v in headline_metrics(metrics).items():
        head.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    console.print(head)
    console.print(f"wall time {wall_s:.1f} s; outputs in [bold]{out_dir}[/]"
                  + (f"; report: {out_dir / 'report.html'}" if (out_dir / "report.html").exists()
                     else ""))


def build_command(
    recipe_path: Annotated[Path, typer.Argument(help="Recipe TOML file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Build directory.")] = Path(
        "out"),
    axes: Annotated[str, typer.Option(help="Transport axes: 'z' (through-plane), 'x,y,z' or "
                                      "'all'.")] = "z",
    mechanics: Annotated[bool, typer.Option(help="Run the CAM-breathing mechanics.")] = True,
    cell: Annotated[bool, typer.Option(help="Run the PyBaMM rate sweep.")] = True,
    report: Annotated[bool, typer.Option(help="Write report.html.")] = True,
    fresh: Annotated[bool, typer.Option(help="Recompute every stage, ignoring earlier "
                                       "results in the directory.")] = False,
) -> None:
    """Build a recipe's twin: packing → voxels → structure, transport, mechanics → cell → report."""
    from cathodetwin.pipeline import BuildOptions

    options = BuildOptions(transport_axes=parse_axes(axes), mechanics=mechanics, cell=cell,
                           report=report)
    run_build(load_recipe(recipe_path), output, options, resume=not fresh)


def demo_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Build directory.")] = Path(
        "out"),
) -> None:
    """Build the bundled default recipe (NCM811 + fine LPSCl + VGCF) and write its report."""
    from cathodetwin.pipeline import BuildOptions

    recipe = default_recipe()
    console.print(f"[bold]cathodetwin demo[/]: {recipe.name}")
    run_build(recipe, output, BuildOptions(), resume=True)
