"""Many videos through one pipeline: a run folder per video and a ``summary.json``.

The per-video loop lives here, not in the CLI, so Python callers and executors get the same
runs, lines and summary as ``framewise process --video-dir``. :func:`run_videos` hands the
videos to an executor (worker processes, or a Ray cluster) as :class:`VideoJob` specs: each
worker builds the pipeline once from its config and writes each video's run folder itself.

Example:
    >>> with Pipeline(config) as pipeline:  # doctest: +SKIP
    ...     batch = process_videos(pipeline, videos, Path("events"))
    >>> batch.summary()["events"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_json
from framewise.executors import Executor, Task, TaskOutcome
from framewise.pipeline.runner import Pipeline, Progress, VideoRun
from framewise.sources.probe import probe

SUMMARY_NAME = "summary.json"

ProgressFactory = Callable[[str, int], AbstractContextManager[Callable[[int], None]]]
"""``(label, total) → context manager yielding advance(done)``: a progress bar per video."""


def run_line(run: VideoRun) -> str:
    """One line saying what a video's run did."""
    if run.skipped:
        return f"{run.video.name}: already complete ({run.events} events) → {run.log_path}"
    speed = run.video_seconds / run.wall_seconds if run.wall_seconds else 0.0
    resumed = ""
    if run.resumed_at is not None:
        resumed = f", resumed at {run.resumed_at:.1f} s ({run.replayed} frames from the journal)"
    types = ", ".join(f"{k} {v}" for k, v in sorted(run.counts.items())) or "none"
    return (
        f"{run.video.name}: {run.events} events ({types}); {run.frames} frames in "
        f"{run.wall_seconds:.1f} s = {speed:.1f}× real time{resumed} → {run.log_path}"
    )


@dataclass
class BatchRun:
    """The runs of a batch, in order."""

    runs: list[VideoRun] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)
    """Videos whose task failed (executors): ``(video, one-line error)``."""

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` payload: per-video figures and totals by event type."""
        total: Counter[str] = Counter()
        for run in self.runs:
            total.update(run.counts)
        failed = {"failed": [{"video": v, "error": e} for v, e in self.failed]}
        return {
            "videos": [
                {
                    "video": str(r.video),
                    "log": str(r.log_path),
                    "events": r.events,
                    "by_type": r.counts,
                    "frames": r.frames,
                    "skipped": r.skipped,
                    "wall_seconds": round(r.wall_seconds, 3),
                }
                for r in self.runs
            ],
            "events": sum(total.values()),
            "by_type": dict(sorted(total.items())),
            **(failed if self.failed else {}),
        }

    def write_summary(self, output: Path) -> Path:
        """Write ``output/summary.json`` atomically; returns its path."""
        path = output / SUMMARY_NAME
        write_json(path, self.summary())
        return path


def _no_progress(label: str, total: int) -> AbstractContextManager[Callable[[int], None]]:
    return nullcontext(lambda done: None)


def iter_videos(
    pipeline: Pipeline,
    videos: Sequence[Path],
    output: Path,
    *,
    start_time: datetime | None = None,
    session_type: str = "stream",
    force: bool = False,
    progress: ProgressFactory = _no_progress,
) -> Iterator[VideoRun]:
    """Process ``videos`` one after another into ``output/<video stem>``, yielding each run.

    Args:
        pipeline: The pipeline (its models are loaded once for all videos).
        videos: The files, in the order to process them.
        output: The folder of the run folders.
        start_time: Wall time of the first frame (one video only).
        session_type: The logs' session type.
        force: Start over where a run folder exists.
        progress: Makes a progress bar per video (video seconds).
    """
    for path in videos:
        info = probe(path, start_time=start_time)
        with progress(f"{path.name} (video s)", round(info.duration_seconds)) as advance:
            on_progress: Progress = lambda seconds: advance(round(seconds))  # noqa: E731
            yield pipeline.process_video(
                path,
                output / path.stem,
                start_time=start_time,
                session_type=session_type,
                force=force,
                on_progress=on_progress,
                info=info,
            )


def process_videos(
    pipeline: Pipeline,
    videos: Sequence[Path],
    output: Path,
    **options: Any,
) -> BatchRun:
    """All of :func:`iter_videos`, collected; writes ``summary.json`` for two or more videos."""
    batch = BatchRun(list(iter_videos(pipeline, videos, output, **options)))
    if len(batch.runs) > 1:
        batch.write_summary(output)
    return batch


@dataclass(frozen=True)
class VideoJob:
    """One video's job spec for an executor: the input and its run folder.

    Paths stay as the user gave them (the journal names its source so); executors run
    workers from the driver's folder, so relative paths mean the same on a cluster with
    shared storage mounted at the same path on every node.

    Attributes:
        video: The file.
        out_dir: Its run folder, written by the worker (atomically, resumably).
        session_type: The log's session type.
        force: Start over where the run folder exists.
        start_time: Wall time of the first frame (one video only).
    """

    video: Path
    out_dir: Path
    session_type: str = "stream"
    force: bool = False
    start_time: datetime | None = None


@dataclass(frozen=True)
class VideoWorkerFactory:
    """Builds a worker's pipeline once (models loaded once per process or actor).

    Attributes:
        config: The resolved pipeline config (it pickles; the models do not travel).
        confidence: The detector confidence override, if any.
    """

    config: PipelineConfig
    confidence: float | None = None

    def __call__(self) -> Callable[[VideoJob], VideoRun]:
        """The worker: this pipeline, processing one :class:`VideoJob` per call."""
        return _VideoWorker(Pipeline(self.config, confidence=self.confidence))


@dataclass
class _VideoWorker:
    pipeline: Pipeline

    def __call__(self, job: VideoJob) -> VideoRun:
        return self.pipeline.process_video(
            job.video,
            job.out_dir,
            start_time=job.start_time,
            session_type=job.session_type,
            force=job.force,
        )


def video_jobs(
    videos: Iterable[Path],
    output: Path,
    *,
    session_type: str = "stream",
    force: bool = False,
    start_time: datetime | None = None,
) -> list[Task[VideoJob]]:
    """A task per video, keyed by its path, its run folder ``output/<stem>``."""
    return [
        Task(str(path), VideoJob(path, output / path.stem, session_type, force, start_time))
        for path in videos
    ]


def run_videos(
    executor: Executor,
    config: PipelineConfig,
    videos: Sequence[Path],
    output: Path,
    *,
    confidence: float | None = None,
    session_type: str = "stream",
    force: bool = False,
    start_time: datetime | None = None,
) -> Iterator[TaskOutcome[VideoRun]]:
    """Process ``videos`` on ``executor``'s workers; outcomes as each video finishes.

    A video that fails (not a video, damaged beyond reading) fails its own task; the others
    go on. Each worker resumes a run folder an earlier, interrupted run left.
    """
    tasks = video_jobs(
        videos, output, session_type=session_type, force=force, start_time=start_time
    )
    yield from executor.run(VideoWorkerFactory(config, confidence), tasks)


def collect(outcomes: Iterable[TaskOutcome[VideoRun]], videos: Sequence[Path]) -> BatchRun:
    """The outcomes as a :class:`BatchRun` in the videos' order (they finish in any order)."""
    order = {str(path): position for position, path in enumerate(videos)}
    done = sorted(outcomes, key=lambda o: order.get(o.key, len(order)))
    return BatchRun(
        [o.value for o in done if o.value is not None],
        [(o.key, o.error) for o in done if o.error is not None],
    )
