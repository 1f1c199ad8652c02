"""``framewise process --video V --shard-sec S``: one long video, detection split by time.

The sharding bits of ``process``: the shards run on the executor ``--executor``/``--workers``
name (the same options ``--video-dir`` hands videos out with), a progress bar counts
finished shards, and the run line says how the video was split.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import typer

from framewise.cli.executor_options import open_executor
from framewise.cli.progress import frame_progress
from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import ConfigError
from framewise.pipeline.batch import run_line
from framewise.pipeline.shards import plan_shards, sharding_fps
from framewise.pipeline.shards_run import ShardOptions, process_sharded
from framewise.sources.probe import probe

SHARD_SEC_HELP = (
    "Split one long video (--video) into shards of this many seconds of video: their "
    "detection runs in parallel on --workers processes (or --executor ray), then the "
    "filters and state machine replay the merged journal; the events equal a whole-file "
    "run's. A killed run keeps its finished shards."
)


def process_in_shards(
    video: Path | None,
    config: PipelineConfig,
    shard_seconds: float,
    out: Path,
    *,
    executor: str,
    workers: int | None,
    address: str | None,
    confidence: float | None,
    session_type: str,
    force: bool,
    start_time: datetime | None,
) -> None:
    """Process ``video`` into ``out/<stem>`` with its detection step split into shards.

    Raises:
        ConfigError: No single video given, or the pipeline or length cannot be split.
    """
    if video is None:
        raise ConfigError(
            "--shard-sec splits one video",
            subject="--video-dir",
            hint="give --video FILE, or drop --shard-sec (--workers hands a folder's videos out)",
        )
    sample_fps = sharding_fps(config)
    info = probe(video, start_time=start_time)
    count = len(plan_shards(info.duration_seconds, sample_fps, shard_seconds))
    with (
        open_executor(executor, workers, address) as pool,
        frame_progress(f"{video.name} (shards)", count) as advance,
    ):
        options = ShardOptions(shard_seconds, pool, lambda done, _total: advance(done))
        run = process_sharded(
            config,
            video,
            out / video.stem,
            options,
            confidence=confidence,
            start_time=start_time,
            session_type=session_type,
            force=force,
            info=info,
        )
    kept = f", {run.replayed} frames from finished shards" if run.replayed else ""
    split = "" if run.skipped else f" [{count} shards of {shard_seconds:g} s, {pool.name}{kept}]"
    typer.echo(run_line(run) + split)
