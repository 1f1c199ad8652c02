"""Progress bars for long work: frames done / total, rate and ETA (rich)."""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Callable, Iterator

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)


@contextlib.contextmanager
def frame_progress(label: str, total: int | None) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields ``update(done)``. Silent when stderr is not a terminal."""
    console = Console(stderr=True)
    progress = Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TaskProgressColumn(),
        TimeElapsedColumn(),
        TextColumn("eta"),
        TimeRemainingColumn(),
        console=console,
        disable=not sys.stderr.isatty(),
        transient=False,
    )
    with progress:
        task = progress.add_task(label, total=total)

        def update(done: int) -> None:
            progress.update(task, completed=done)

        yield update
