"""Many videos through one pipeline: a run folder per video and a ``summary.json``.

The per-video loop lives here, not in the CLI, so Python callers and executors get the same
runs, lines and summary as ``framewise process --video-dir``.

Example:
    >>> with Pipeline(config) as pipeline:  # doctest: +SKIP
    ...     batch = process_videos(pipeline, videos, Path("events"))
    >>> batch.summary()["events"]  # doctest: +SKIP
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json
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

    def summary(self) -> dict[str, Any]:
        """The ``summary.json`` payload: per-video figures and totals by event type."""
        total: Counter[str] = Counter()
        for run in self.runs:
            total.update(run.counts)
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
