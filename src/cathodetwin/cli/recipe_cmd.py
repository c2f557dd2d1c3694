"""`cathodetwin recipe ...`: validate and inspect recipe files."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.table import Table

from cathodetwin.errors import InputError
from cathodetwin.recipe import load_recipe

app = typer.Typer(help="Validate and inspect recipe files.", no_args_is_help=True)
console = Console(markup=False, highlight=False)  # user strings are text, never markup


@app.command("check")
def check(path: Annotated[Path, typer.Argument(help="Recipe TOML file.")]) -> None:
    """Validate a recipe file, print its components and what its build will need.

    Exits 2 when the recipe is invalid or its build would not fit this machine.
    """
    from cathodetwin.preflight import estimate_build

    recipe = load_recipe(path)
    estimate = estimate_build(recipe)
    verdict = "✓ valid" if estimate.fits else "✗ cannot be built on this machine"
    table = Table(title=f"{recipe.name}  {verdict}")
    for col in ("component", "material", "role", "wt%", "size", "shell"):
        table.add_column(col)
    for c in recipe.components:
        size = f"D50 {c.psd.d50_um:g} µm" if c.psd is not None else "-"
        if c.shell is None:
            shell = "-"
        elif c.shell.thickness_um is not None:
            shell = f"{c.shell.material} {c.shell.thickness_um:g} µm × {c.shell.coverage:g}"
        else:
            shell = f"{c.shell.material} {c.shell.weight_percent:g} wt% × {c.shell.coverage:g}"
        if c.buffer is not None:
            shell += f" on {c.buffer.material} {c.buffer.thickness_nm:g} nm"
        table.add_row(c.name, c.material, c.role, f"{c.weight_percent:g}", size, shell)
    console.print(table)
    p, s = recipe.processing, recipe.simulation
    console.print(
        f"pressing {p.pressing_pressure_mpa:g} MPa, stack {p.stack_pressure_mpa:g} MPa, "
        f"{p.temperature_c:g} °C; box {list(s.box_um)} µm at {s.voxel_size_um:g} µm/voxel, "
        f"seed {s.seed}"
    )
    console.print(estimate.summary())
    if not estimate.fits:
        raise InputError(f"recipe {recipe.name!r} cannot be built on this machine: "
                         + "; ".join(estimate.problems))
