"""``--executor``, ``--address`` and ``--workers``: where a batch command's work runs.

``process``, ``annotate``, ``features extract`` and ``stages run`` take the same three
options; this module holds their declarations and the driver's loop (progress with
per-worker throughput, then a summary) so the commands read alike.

Example:
    >>> executor = open_executor("local", None, None)  # doctest: +SKIP
    >>> outcomes = tracked(executor.run(factory, tasks), len(tasks), "videos")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console

from framewise.config.pipeline import PipelineConfig
from framewise.executors import Executor, TaskOutcome, TaskTracker, make_executor
from framewise.executors.base import R
from framewise.pipeline.batch import BatchRun, collect, run_videos
from framewise.sources.directory import list_videos

ExecutorOption = Annotated[
    str,
    typer.Option(
        "--executor",
        help="Where the work runs: local (this machine) or ray (a Ray cluster; needs the "
        "ray extra).",
    ),
]
AddressOption = Annotated[
    str | None,
    # No envvar here: RAY_ADDRESS is read by the ray executor only, so a shell that exports
    # it still runs local commands (an explicit --address with local is refused).
    typer.Option(
        "--address",
        help="The Ray cluster (host:6379 or ray://host:10001; default $RAY_ADDRESS, else a "
        "cluster on this machine). Only with --executor ray.",
    ),
]
WorkersOption = Annotated[
    int | None,
    typer.Option(
        "--workers",
        min=1,
        help="Worker processes (local; default 1) or Ray actors (ray; default one per CPU "
        "of the cluster, at most one per task).",
    ),
]


def uses_executor(executor: str, workers: int | None, address: str | None = None) -> bool:
    """Whether the command hands its work out (otherwise it runs as it always has, in-process).

    An ``--address`` counts, so that ``make_executor`` refuses it with ``local`` rather than the
    command ignoring it.
    """
    return executor != "local" or (workers or 1) > 1 or address is not None


def open_executor(name: str, workers: int | None, address: str | None) -> Executor:
    """The executor the options name (``ray`` without ``--workers``: one per cluster CPU)."""
    return make_executor(name, workers, address)


def tracked(
    outcomes: Iterator[TaskOutcome[R]],
    total: int,
    label: str,
    *,
    unit: str | None = None,
    units: Callable[[Any], float] | None = None,
) -> tuple[list[TaskOutcome[R]], TaskTracker]:
    """All outcomes, with a progress bar and per-worker figures drawn on stderr meanwhile."""
    tracker = TaskTracker(total, label, unit=unit, units=units, console=Console(stderr=True))
    return list(tracker.track(outcomes)), tracker


def echo_summary(tracker: TaskTracker) -> None:
    """The tracker's summary on stderr (failed tasks included, one line each)."""
    for line in tracker.summary_lines():
        typer.echo(line, err=True)


def handed_out_videos(video: Path | None, video_dir: Path | None) -> list[Path]:
    """The videos to hand out: the one given, or the folder's by name.

    The driver only lists the folder: each worker probes and reads its own videos, so one
    that is not a video fails its own task.
    """
    return [video] if video is not None else list_videos(video_dir or Path())


def videos_on_executor(
    executor: Executor,
    config: PipelineConfig,
    videos: list[Path],
    out: Path,
    **options: Any,
) -> BatchRun:
    """The videos on the executor's workers (progress per worker, then its summary on stderr).

    Args:
        executor: Where they run (closed after).
        config: The pipeline config every worker builds its pipeline from.
        videos: The videos, each one task.
        out: The folder of the run folders.
        **options: As :func:`framewise.pipeline.batch.run_videos` takes them.
    """
    with executor:
        outcomes, tracker = tracked(
            run_videos(executor, config, videos, out, **options),
            len(videos),
            "videos",
            unit="video s",
            units=lambda run: run.video_seconds,
        )
    echo_summary(tracker)
    return collect(outcomes, videos)
