"""What the driver shows while tasks run: a bar, per-worker throughput, then a summary.

:class:`TaskTracker` wraps the outcomes an executor yields: it counts them, keeps figures
per worker (tasks, failures, busy seconds and the work's own units, e.g. video seconds) and,
on a terminal, draws a rich progress bar with a table of workers under it.

Example:
    >>> tracker = TaskTracker(total=3, label="videos", unit="video s")  # doctest: +SKIP
    >>> for outcome in tracker.track(executor.run(factory, tasks)):  # doctest: +SKIP
    ...     print(outcome.key, outcome.error or "ok")
    >>> for line in tracker.summary_lines():  # doctest: +SKIP
    ...     print(line)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any

from rich.console import Console, Group
from rich.live import Live
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from framewise.executors.base import R, TaskOutcome


@dataclass
class WorkerFigures:
    """One worker's tally.

    Attributes:
        tasks: Tasks it finished (failed ones included).
        failed: Tasks that failed on it.
        busy: Seconds it spent in tasks.
        units: Work done in the caller's unit (e.g. video seconds); 0 when none is given.
    """

    tasks: int = 0
    failed: int = 0
    busy: float = 0.0
    units: float = 0.0

    def rate(self) -> float:
        """Units (or tasks) per busy second."""
        if self.busy <= 0:
            return 0.0
        return (self.units or self.tasks) / self.busy


class TaskTracker:
    """Counts outcomes as they stream back and draws them on a terminal.

    Args:
        total: Tasks to expect (None when unknown).
        label: What a task is (``videos``, ``rows``).
        unit: The name of ``units``' figure (``video s``); None counts tasks.
        units: A finished task's work in ``unit`` from its value.
        console: Where to draw; stderr by default. Nothing is drawn off a terminal.
    """

    def __init__(
        self,
        total: int | None,
        label: str,
        *,
        unit: str | None = None,
        units: Callable[[Any], float] | None = None,
        console: Console | None = None,
    ) -> None:
        self.total = total
        self.label = label
        self.unit = unit
        self.units = units
        self.console = console or Console(stderr=True)
        self.workers: dict[str, WorkerFigures] = {}
        self.errors: list[tuple[str, str]] = []
        self.done = 0
        self.wall = 0.0

    def track(self, outcomes: Iterable[TaskOutcome[R]]) -> Iterator[TaskOutcome[R]]:
        """Yield ``outcomes`` unchanged, tallying each as it arrives."""
        started = time.perf_counter()
        bar = Progress(
            TextColumn(self.label),
            BarColumn(),
            MofNCompleteColumn(),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=self.console,
        )
        job = bar.add_task(self.label, total=self.total)
        live = Live(
            Group(bar, self._table()),
            console=self.console,
            transient=False,
            auto_refresh=False,
            # A pipe or a log file gets only the summary, not a redraw per task.
            redirect_stdout=False,
            redirect_stderr=False,
        )
        drawing = self.console.is_terminal
        if drawing:
            live.start()
        try:
            for outcome in outcomes:
                self._add(outcome)
                self.wall = time.perf_counter() - started
                bar.update(job, completed=self.done)
                if drawing:
                    live.update(Group(bar, self._table()), refresh=True)
                yield outcome
        finally:
            self.wall = time.perf_counter() - started
            if drawing:
                live.stop()

    def _add(self, outcome: TaskOutcome[Any]) -> None:
        figures = self.workers.setdefault(outcome.worker, WorkerFigures())
        figures.tasks += 1
        figures.busy += outcome.seconds
        self.done += 1
        if outcome.error is not None:
            figures.failed += 1
            self.errors.append((outcome.key, outcome.error))
        elif self.units is not None and outcome.value is not None:
            figures.units += self.units(outcome.value)

    def _table(self) -> Table:
        rate = f"{self.unit}/s" if self.unit else "tasks/s"
        table = Table("worker", "tasks", "failed", "busy s", rate, box=None)
        for name, figures in sorted(self.workers.items()):
            table.add_row(
                name,
                str(figures.tasks),
                str(figures.failed),
                f"{figures.busy:.1f}",
                f"{figures.rate():.2f}",
            )
        return table

    def summary_lines(self) -> list[str]:
        """Totals, a line per worker, and a line per failed task."""
        failed = len(self.errors)
        units = sum(f.units for f in self.workers.values())
        rate = ""
        if self.unit and self.wall > 0:
            rate = f"; {units:.1f} {self.unit} in {self.wall:.1f} s = {units / self.wall:.2f}×"
        lines = [
            f"{self.done} {self.label} on {len(self.workers)} workers, "
            f"{self.done - failed} ok, {failed} failed{rate}"
        ]
        for name, figures in sorted(self.workers.items()):
            per = f"{self.unit}/s" if self.unit else "tasks/s"
            lines.append(
                f"  {name}: {figures.tasks} tasks ({figures.failed} failed), "
                f"{figures.busy:.1f} s busy, {figures.rate():.2f} {per}"
            )
        lines.extend(f"failed: {key}: {error}" for key, error in self.errors)
        return lines
