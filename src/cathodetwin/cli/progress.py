"""Rich progress bars shared by the CLI commands that run many twins."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextmanager
def study_progress(console: Console, title: str) -> Iterator[Callable[[Any], None]]:
    """A bar over a study's points; yields the callback that run_study calls with Progress."""
    columns = (
        TextColumn("{task.description}", style="bold", markup=False),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.fields[note]}", markup=False),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console) as bar:
        task = bar.add_task(title, total=None, note="planning")

        def show(p: Any) -> None:
            note = f"{p.n_reused} stored earlier, {p.n_failed} failed"
            bar.update(task, completed=p.n_done, total=p.n_todo, note=note)

        yield show
