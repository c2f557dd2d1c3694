"""How a command ends on an error: one line on stderr; exit 2 for bad input, 1 for the rest.

A solver failure or a bug also leaves its traceback in ``cathodetwin-error.log`` in the
command's output directory (or the temporary directory when there is none or it is not
writable), and the line on stderr says where.
"""

from __future__ import annotations

import datetime as dt
import sys
import tempfile
import traceback
from pathlib import Path

from rich.console import Console

from cathodetwin import __version__
from cathodetwin.errors import InputError, RecipeError, SolverError

LOG_NAME = "cathodetwin-error.log"
EXIT_INPUT = 2
EXIT_FAILURE = 1
_output_dir: list[Path] = []  # the running command's output directory, if it has one

err_console = Console(stderr=True, markup=False, highlight=False, soft_wrap=True)


def set_output_dir(path: Path | None) -> None:
    """Record where the running command writes (None: nowhere yet); a failure's traceback
    goes there."""
    _output_dir[:] = [] if path is None else [Path(path)]


def write_traceback(err: BaseException) -> Path | None:
    """Write ``err``'s traceback to the log file; its path, or None if nowhere is writable."""
    text = (f"cathodetwin {__version__}, {dt.datetime.now().isoformat(timespec='seconds')}\n"
            f"command: {' '.join(sys.argv)}\n\n"
            + "".join(traceback.format_exception(err)))
    places = [p for p in _output_dir if p.is_dir()] + [Path(tempfile.gettempdir())]
    for place in places:
        path = place / LOG_NAME
        try:
            path.write_text(text, encoding="utf-8")
        except OSError:
            continue
        return path
    return None


def _one_line(err: BaseException) -> str:
    text = " ".join(str(err).split())
    return text or type(err).__name__


def exit_code(err: BaseException) -> int:
    """Print ``err`` as the error contract says and return the exit status."""
    if isinstance(err, RecipeError):
        err_console.print(f"error: invalid recipe {err.source}", style="bold red")
        for problem in err.problems:
            err_console.print(f"  • {problem}")
        return EXIT_INPUT
    if isinstance(err, InputError):
        err_console.print(f"error: {err}", style="bold red")
        return EXIT_INPUT
    log = write_traceback(err)
    where = f" (traceback in {log})" if log is not None else ""
    if isinstance(err, SolverError):
        err_console.print(f"error: solver failed: {_one_line(err)}{where}", style="bold red")
    elif isinstance(err, OSError):
        name = f"{err.filename}: " if err.filename else ""
        err_console.print(f"error: cannot read or write {name}{err.strerror or err}{where}",
                          style="bold red")
    else:
        err_console.print(f"error: internal error, {type(err).__name__}: {_one_line(err)}"
                          f"{where}; please report it with that file", style="bold red")
    return EXIT_FAILURE
