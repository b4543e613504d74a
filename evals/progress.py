"""Progress of long runs in rows/s: a rich bar on a terminal, a log line every few seconds otherwise (CI, pipes)."""

from __future__ import annotations

import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TextIO

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    Task,
    TaskID,
    TextColumn,
    TimeRemainingColumn,
)
from rich.text import Text

LOG_EVERY_S = 5.0


class LineProgress:
    """Periodic plain lines: `qualifying leads.csv: 12000/50000 rows, 950 rows/s`."""

    def __init__(self, stream: TextIO, every: float = LOG_EVERY_S):
        self.stream, self.every = stream, every
        self.tasks: dict[int, list] = {}

    def add_task(self, description: str, total: int) -> TaskID:
        self.tasks[len(self.tasks)] = [description, total, 0, time.perf_counter(), time.perf_counter()]
        return TaskID(len(self.tasks) - 1)

    def advance(self, task: TaskID, n: int = 1) -> None:
        t = self.tasks[task]
        t[2] += n
        now = time.perf_counter()
        if now - t[4] >= self.every or t[2] == t[1]:
            t[4] = now
            self.stream.write(f"{t[0]}: {t[2]}/{t[1]} rows, {t[2] / max(now - t[3], 1e-9):.0f} rows/s\n")
            self.stream.flush()

    def log(self, message: str) -> None:
        self.stream.write(message + "\n")
        self.stream.flush()


class RateColumn(ProgressColumn):
    """Rows per second of a task."""

    def render(self, task: Task) -> Text:
        return Text(f"{task.speed or 0:>6.0f} rows/s")


class BarProgress(Progress):
    """A rich progress bar with a rows/s column; rich's own `log` prints above it."""


@contextmanager
def progress(console: Console | None = None) -> Iterator[BarProgress | LineProgress]:
    """A bar when stderr is a terminal, else periodic lines."""
    console = console or Console(stderr=True)
    if not console.is_terminal:
        yield LineProgress(sys.stderr)
        return
    bar = BarProgress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        RateColumn(),
        TimeRemainingColumn(),
        console=console,
        transient=True,
    )
    with bar:
        yield bar
