"""``features extract --executor …``: one video's extraction as a job spec for an executor.

Each task is :class:`ExtractJob` (the video, its table, its labels file, the settings); a
worker runs :func:`~framewise.datasets.task_extract.extract_video` on it and writes the table
itself (atomically). A video that fails fails its own task, as in a local folder run.

Example:
    >>> jobs = extract_jobs(None, Path("clips"), Path("tables"), None, settings)  # doctest: +SKIP
    >>> results = extract_on_executor(make_executor("ray"), jobs)  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from framewise.cli.executor_options import echo_summary, tracked
from framewise.datasets.task_extract import (
    ExtractResult,
    ExtractSettings,
    extract_video,
    videos_in,
)
from framewise.datasets.task_labels import TaskLabels
from framewise.executors import Executor, Task


@dataclass(frozen=True)
class ExtractJob:
    """One video's extraction.

    Attributes:
        video: The video (a path every worker can open).
        output: Its Parquet table.
        labels: Its labels CSV, if any (a missing file means unlabelled).
        settings: How to extract.
        force: Extract again over a table made with other settings.
    """

    video: Path
    output: Path
    labels: Path | None
    settings: ExtractSettings
    force: bool = False


def extract_job(job: ExtractJob) -> ExtractResult:
    """Run one :class:`ExtractJob` (on a worker)."""
    labels = TaskLabels.read(job.labels) if job.labels and job.labels.exists() else None
    return extract_video(job.video, job.output, job.settings, labels, force=job.force)


@dataclass(frozen=True)
class ExtractWorker:
    """The worker factory (the stages are built per video by ``extract_video``)."""

    def __call__(self) -> Callable[[ExtractJob], ExtractResult]:
        """The worker: :func:`extract_job`."""
        return extract_job


def extract_jobs(
    video: Path | None,
    video_dir: Path | None,
    output: Path,
    labels: Path | None,
    settings: ExtractSettings,
    *,
    force: bool = False,
) -> list[ExtractJob]:
    """The jobs of ``--video`` (table ``output``, labels file ``labels``) or ``--video-dir``.

    A folder's videos are those a local run takes (by name), each into
    ``output/<stem>.parquet`` with ``labels/<stem>.csv`` when that exists.
    """
    if video is not None:
        return [ExtractJob(video, output, labels, settings, force)]
    return [
        ExtractJob(
            path,
            output / f"{path.stem}.parquet",
            labels / f"{path.stem}.csv" if labels is not None else None,
            settings,
            force,
        )
        for path in videos_in(video_dir or Path())
    ]


def extract_on_executor(executor: Executor, jobs: Sequence[ExtractJob]) -> list[ExtractResult]:
    """Run the jobs on the executor's workers; results in the jobs' order."""
    tasks = [Task(str(job.video), job) for job in jobs]
    with executor:
        outcomes, tracker = tracked(executor.run(ExtractWorker(), tasks), len(tasks), "videos")
    echo_summary(tracker)
    by_key = {o.key: o for o in outcomes}
    results = []
    for task in tasks:
        outcome = by_key[task.key]
        if outcome.value is not None:
            results.append(outcome.value)
        else:
            results.append(ExtractResult(task.spec.video, task.spec.output, error=outcome.error))
    return results
