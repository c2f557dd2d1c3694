"""`cathodetwin build` and `cathodetwin demo`: the whole pipeline with a progress display."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer
from rich.console import Console
from rich.table import Table

from cathodetwin.cli.build_progress import build_monitor
from cathodetwin.cli.failure import set_output_dir
from cathodetwin.errors import InputError
from cathodetwin.recipe import Recipe, default_recipe, load_recipe

if TYPE_CHECKING:
    from cathodetwin.pipeline import BuildOptions

# User strings (recipe and component names) are text: no rich markup anywhere.
console = Console(markup=False, highlight=False)
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
    """Check the output and the recipe's needs, run the pipeline with progress, print a summary."""
    from cathodetwin.pipeline import STAGES, build, check_output_dir, protect_recipe_file
    from cathodetwin.preflight import check_build

    check_output_dir(out_dir)
    protect_recipe_file(out_dir)
    estimate = check_build(recipe, mechanics=options.mechanics)
    console.print(f"{recipe.name}: {estimate.summary()}")
    set_output_dir(out_dir)
    stages = [s for s in STAGES if (s != "mechanics" or options.mechanics)
              and (s != "cell" or options.cell)
              and (s != "particle_cell" or (options.cell and options.particle_cell))]
    stages += ["report"] if options.report else []
    t0 = time.perf_counter()
    with build_monitor(console, stages) as monitor:
        metrics = build(recipe, out_dir, options, progress=monitor, resume=resume)
    _print_summary(metrics, time.perf_counter() - t0, out_dir)
    return metrics


def _print_summary(metrics: dict, wall_s: float, out_dir: Path) -> None:
    from cathodetwin.headline import HEADLINES, headline_metrics

    reused = set(metrics.get("reused_stages", []))
    timings = Table(title="stage timings (s); * reused from an earlier run")
    for stage in metrics["timings_s"]:
        timings.add_column(stage + (" *" if stage in reused else ""))
    timings.add_row(*(f"{v:.1f}" for v in metrics["timings_s"].values()))
    console.print(timings)
    head = Table(title=f"{metrics['recipe']['name']}: headline metrics")
    head.add_column("metric")
    head.add_column("value", justify="right")
    flat = headline_metrics(metrics)
    for k, v in flat.items():
        head.add_row(k, f"{v:.4g}" if isinstance(v, float) else str(v))
    console.print(head)
    for h in HEADLINES:
        if h.meaning and h.key in flat:
            console.print(f"{h.key}: {h.meaning}.")
    report = out_dir / "report.html"
    console.print(f"wall time {wall_s:.1f} s; outputs in {out_dir}"
                  + (f"; report: {report}" if report.exists() else ""))


def build_command(
    recipe_path: Annotated[Path, typer.Argument(help="Recipe TOML file.")],
    output: Annotated[Path, typer.Option("-o", "--output", help="Build directory.")] = Path(
        "out"),
    axes: Annotated[str, typer.Option(help="Transport axes: 'z' (through-plane), 'x,y,z' or "
                                      "'all'.")] = "z",
    mechanics: Annotated[bool, typer.Option(help="Run the CAM-breathing mechanics.")] = True,
    cell: Annotated[bool, typer.Option(help="Run the PyBaMM rate sweep.")] = True,
    particle_cell: Annotated[bool, typer.Option(
        help="Run the particle-resolved cell beside the DFN (with --cell): every CAM particle "
             "on its own wiring, and the discharge after charge at each stack pressure; the "
             "headline capacities come from it. --no-particle-cell keeps the DFN alone (the "
             "fast path; minutes less per build).")] = True,
    report: Annotated[bool, typer.Option(help="Write report.html.")] = True,
    fresh: Annotated[bool, typer.Option(help="Recompute every stage, ignoring earlier "
                                       "results in the directory.")] = False,
) -> None:
    """Build a recipe's twin: packing → voxels → structure, transport, mechanics → cell → report."""
    from cathodetwin.pipeline import BuildOptions

    options = BuildOptions(transport_axes=parse_axes(axes), mechanics=mechanics, cell=cell,
                           particle_cell=particle_cell, report=report)
    run_build(load_recipe(recipe_path), output, options, resume=not fresh)


def demo_command(
    output: Annotated[Path, typer.Option("-o", "--output", help="Build directory.")] = Path(
        "out"),
) -> None:
    """Build the bundled default recipe (NCM811 + fine LPSCl + VGCF) and write its report."""
    from cathodetwin.pipeline import BuildOptions

    recipe = default_recipe()
    console.print(f"cathodetwin demo: {recipe.name}", style="bold")
    run_build(recipe, output, BuildOptions(), resume=True)
