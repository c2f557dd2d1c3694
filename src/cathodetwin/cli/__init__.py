"""Command-line interface: thin typer wrappers over the public Python functions."""

from __future__ import annotations

import sys

import typer
from rich.console import Console

from cathodetwin.cli import analyze_cmd, build_cmd, calc_cmd, recipe_cmd, reproduce_cmd, study_cmd
from cathodetwin.errors import RecipeError

app = typer.Typer(
    name="cathodetwin",
    help="Digital twins of composite cathodes for sulfide all-solid-state batteries.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(recipe_cmd.app, name="recipe")
app.add_typer(calc_cmd.app, name="calc")
app.command("build")(build_cmd.build_command)
app.command("demo")(build_cmd.demo_command)
app.command("analyze")(analyze_cmd.analyze)
app.command("study")(study_cmd.study)
app.command("reproduce")(reproduce_cmd.reproduce)

err_console = Console(stderr=True)


def main() -> None:
    """Console entry point: run the app; bad input prints a clear message and exits 2."""
    try:
        app()
    except RecipeError as err:
        err_console.print(f"[bold red]error:[/] invalid recipe [bold]{err.source}[/]")
        for problem in err.problems:
            err_console.print(f"  • {problem}", highlight=False)
        sys.exit(2)
    except ValueError as err:  # InputError and the library's own input checks
        err_console.print(f"[bold red]error:[/] {err}", highlight=False)
        sys.exit(2)
