"""Command-line interface: thin typer wrappers over the public Python functions."""

from __future__ import annotations

import signal
import sys
import warnings

import typer

from cathodetwin.cli import analyze_cmd, build_cmd, calc_cmd, recipe_cmd, reproduce_cmd, study_cmd
from cathodetwin.cli.failure import err_console, exit_code, set_output_dir

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


def _terminated(signum: int, frame: object) -> None:
    """SIGTERM ends the command like Ctrl-C: temporary directories are cleaned up."""
    raise SystemExit(128 + signum)


def _show_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                  file: object = None, line: str | None = None) -> None:
    """Warnings as one line on stderr, without the source location."""
    err_console.print(f"warning: {message}", style="yellow")


def main(argv: list[str] | None = None) -> None:
    """Console entry point (``argv`` defaults to the command line): exits 0 on success, 2 on
    bad input with a message, 1 on any other failure (see cathodetwin.errors)."""
    signal.signal(signal.SIGTERM, _terminated)
    warnings.showwarning = _show_warning
    set_output_dir(None)
    try:
        app(args=argv, prog_name="cathodetwin")
    except Exception as err:  # the error contract: one line each, never a bare traceback
        sys.exit(exit_code(err))
