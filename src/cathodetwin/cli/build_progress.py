"""What a running build shows: a rich progress display in a terminal, log lines otherwise.

Both read the pipeline's ``progress(stage, info)`` events: ``start``, a ``fraction`` done
(packing dicts with the pressure and porosity; the transport steps; the mechanics' solves as
they converge),
``note`` and ``done`` (``reused`` or computed, with its seconds). Without a terminal (output
redirected, a batch job) every stage start and end is one line, and long stages add a line
every ``LOG_EVERY`` of their progress.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    Progress,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

LOG_EVERY = 0.1  # share of a stage between two log lines


def _clock(seconds: float) -> str:
    m, s = divmod(int(seconds), 60)
    h, m = divmod(m, 60)
    return f"{h}:{m:02d}:{s:02d}"


def _detail(info: dict[str, Any]) -> str:
    """Packing progress in words: compaction stage, pressure and porosity."""
    if "pressure_mpa" not in info:
        return ""
    porosity = info.get("porosity")
    return (f"{info.get('stage', '')} {info['pressure_mpa']:.3g} MPa"
            + (f", porosity {porosity:.3f}" if isinstance(porosity, float) else ""))


class LogLines:
    """One line per stage start and end (and per ``LOG_EVERY`` inside long stages)."""

    def __init__(self, console: Console):
        self.console = console
        self.t0 = time.perf_counter()
        self.logged: dict[str, float] = {}

    def line(self, text: str) -> None:
        """Print one time-stamped line."""
        self.console.print(f"[{_clock(time.perf_counter() - self.t0)}] {text}", soft_wrap=True)

    def __call__(self, stage: str, info: dict[str, Any]) -> None:
        if "note" in info:
            self.line(f"{stage}: note: {info['note']}")
        elif info.get("start"):
            self.logged[stage] = 0.0
            self.line(f"{stage}: started")
        elif info.get("done"):
            seconds = float(info.get("seconds", 0.0))
            self.line(f"{stage}: reused from an earlier run (computed in {seconds:.1f} s)"
                      if info.get("reused") else f"{stage}: done in {seconds:.1f} s")
        elif "fraction" in info:
            fraction = float(info["fraction"])
            if fraction - self.logged.get(stage, 0.0) >= LOG_EVERY - 1e-9:
                self.logged[stage] = fraction
                detail = _detail(info)
                self.line(f"{stage}: {100 * fraction:.0f} %" + (f" ({detail})" if detail else ""))


class Bars:
    """A rich progress display: one row per stage; a bar with ETA where the stage says how far."""

    def __init__(self, bar: Progress, stages: list[str]):
        self.bar = bar
        self.tasks: dict[str, TaskID] = {
            s: bar.add_task(s, total=None, info="waiting", start=False) for s in stages}

    def __call__(self, stage: str, info: dict[str, Any]) -> None:
        if "note" in info:
            self.bar.console.print(f"note ({stage}): {info['note']}", style="yellow")
            return
        task = self.tasks.get(stage)
        if task is None:
            return
        if info.get("start"):
            self.bar.start_task(task)
            self.bar.update(task, info="running")
        elif info.get("done"):
            seconds = float(info.get("seconds", 0.0))
            self.bar.update(task, total=1, completed=1,
                            info=f"reused (computed earlier in {seconds:.1f} s)"
                            if info.get("reused") else f"done in {seconds:.1f} s")
            self.bar.stop_task(task)
        elif "fraction" in info:
            self.bar.update(task, total=100, completed=100 * float(info["fraction"]),
                            info=_detail(info))


@contextmanager
def build_monitor(console: Console, stages: list[str]) -> Iterator[Any]:
    """The progress callback for a build: rich bars in a terminal, log lines otherwise."""
    if not console.is_terminal:
        yield LogLines(console)
        return
    columns = (SpinnerColumn(),
               TextColumn("{task.description:<10}", style="bold", markup=False), BarColumn(),
               TextColumn("{task.fields[info]}", markup=False), TimeElapsedColumn(),
               TextColumn("ETA"), TimeRemainingColumn())
    with Progress(*columns, console=console, transient=False) as bar:
        yield Bars(bar, stages)
