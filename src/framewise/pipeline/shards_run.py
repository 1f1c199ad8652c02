"""``process --shard-sec``: one long video, its detection step split by time over workers.

The driver plans the shards on the sampling grid, hands the unfinished ones to an executor
(``local`` processes or ``ray``; workers build their detectors once and keep them), then
merges the journal shards and replays them through the temporal logic
(:mod:`framewise.pipeline.shards_replay`). The run folder ends as a whole-file run's does —
``events.json``, thumbnails, the journal, ``config.yaml`` and ``manifest.json`` with the same
config hash — so either kind of run skips a complete one, and the events are the same.

A killed run resumes from what is on disk: finished shards are kept, the rest are redone.

Example:
    >>> with make_executor("local", 2) as executor:  # doctest: +SKIP
    ...     run = process_sharded(config, Path("long.mkv"), Path("events/long"),
    ...                           shard_seconds=60, executor=executor)
"""

from __future__ import annotations

import logging
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import InputError
from framewise.core.events import LogMetadata
from framewise.events.log import read_event_log
from framewise.executors.base import Executor, Task
from framewise.pipeline.rundir import RunDir, RunState, config_hash
from framewise.pipeline.runner import VideoRun
from framewise.pipeline.shards import (
    ShardDone,
    ShardSpec,
    ShardWorkers,
    finished_shard,
    plan_shards,
    remove_shards,
    sharding_fps,
)
from framewise.pipeline.shards_replay import merge_shards, replay_merged, write_merged
from framewise.sources.base import SourceStats
from framewise.sources.probe import VideoInfo, probe

log = logging.getLogger(__name__)

ShardProgress = Callable[[int, int], None]
"""Called with (shards finished, shards in all) as shards finish."""


@dataclass(frozen=True)
class ShardOptions:
    """How to split: shard length and where the shards run.

    Attributes:
        shard_seconds: Seconds of video per shard (rounded to whole sampling ticks).
        executor: Runs the shards (its ``run``: workers built once, outcomes as they finish).
        on_progress: Told as shards finish.
    """

    shard_seconds: float
    executor: Executor
    on_progress: ShardProgress | None = None


def model_version(config: PipelineConfig) -> str:
    """The stem of the first stage's model file, as the detector chain names it."""
    for stage in config.detectors:
        model = stage.model_path()
        if model is not None:
            return model.stem
    return ""


def log_metadata(
    config: PipelineConfig, video: Path, info: VideoInfo, session_type: str
) -> LogMetadata:
    """The event log's metadata block (the whole-file runner's, without loading the models)."""
    start = info.session_start
    return LogMetadata(
        video_path=str(video.resolve()),
        session_start_time=start.time,
        session_start_origin=start.origin,
        session_type=session_type,
        video_duration_seconds=info.duration_seconds,
        total_frames=info.frame_count,
        detection_fps=config.source.detection_fps,
        model_version=model_version(config),
        processed_at=datetime.now(UTC),
        pipeline=config.name,
    )


def _skipped_run(video: Path, run_dir: RunDir) -> VideoRun:
    existing = read_event_log(run_dir.log)
    counts = Counter(e.type for e in existing.events)
    duration = existing.metadata.video_duration_seconds
    return VideoRun(video, run_dir.log, dict(counts), 0, duration, 0.0, None, True)


def _detect_all(
    specs: list[ShardSpec],
    config: PipelineConfig,
    confidence: float | None,
    options: ShardOptions,
    on_done: Callable[[ShardDone], None],
) -> tuple[list[ShardDone], list[ShardDone]]:
    """Every shard's detection step: finished ones read back, the rest run on the executor.

    Returns:
        All shards, and those an earlier leg had finished (not run again).
    """
    kept = [done for spec in specs if (done := finished_shard(spec)) is not None]
    for done in kept:
        on_done(done)
    dones = list(kept)
    finished = {done.shard.number for done in kept}
    tasks = [
        Task(f"shard-{s.shard.number:05d}", s) for s in specs if s.shard.number not in finished
    ]
    failures: list[str] = []
    outcomes = options.executor.run(ShardWorkers(config, confidence), tasks)
    for outcome in outcomes:
        if outcome.value is None:
            failures.append(f"{outcome.key}: {outcome.error}")
            continue
        dones.append(outcome.value)
        on_done(outcome.value)
    if failures:  # the shards that finished are kept: a rerun redoes only these
        raise InputError(
            f"{len(failures)} of {len(specs)} shards failed ({failures[0]})",
            subject=specs[0].video,
            hint="fix the cause and run the same command again: finished shards are kept",
        )
    return dones, kept


def process_sharded(
    config: PipelineConfig,
    video: Path,
    out_dir: Path,
    options: ShardOptions,
    *,
    confidence: float | None = None,
    start_time: datetime | None = None,
    session_type: str = "stream",
    force: bool = False,
    info: VideoInfo | None = None,
) -> VideoRun:
    """Process one video with its detection step split into time shards.

    Same folder, resume and refusal rules as :meth:`Pipeline.process_video`, and the same
    log: the events equal those of a whole-file run.

    Raises:
        ConfigError: The pipeline cannot be split (not a file, every frame read), a bad
            shard length, or the folder holds a run made with another configuration.
        InputError: A shard failed, or the shards do not join.
    """
    began = time.monotonic()
    sample_fps = sharding_fps(config)
    info = info or probe(video, start_time=start_time)
    metadata = log_metadata(config, video, info, session_type)
    run_dir = RunDir(out_dir)
    # The whole-file runner's parameters: the same run hashes the same however it is split.
    parameters = {
        "confidence": confidence,
        "session_start": metadata.session_start_time.isoformat(),
        "session_type": metadata.session_type,
    }
    if force:
        remove_shards(out_dir)
    if run_dir.prepare(config, parameters, overwrite=force) is RunState.COMPLETE:
        return _skipped_run(video, run_dir)
    run_hash = config_hash(config, parameters)
    earlier_wall = sum(float(leg.get("wall_seconds", 0.0)) for leg in run_dir.legs)
    plan = plan_shards(info.duration_seconds, sample_fps, options.shard_seconds)
    specs = [
        ShardSpec(
            # Absolute: a worker (a Ray actor) may run in another folder than the driver.
            str(video.absolute()),
            shard,
            str(out_dir.absolute()),
            config,
            confidence,
            info.session_start,
            run_hash,
        )
        for shard in plan
    ]
    finished: list[ShardDone] = []

    def shard_done(done: ShardDone) -> None:
        finished.append(done)
        # The manifest records this leg's wall time, so a killed driver's time still counts.
        run_dir.checkpoint({}, time.monotonic() - began)
        if options.on_progress is not None:
            options.on_progress(len(finished), len(plan))

    dones, kept = _detect_all(specs, config, confidence, options, shard_done)
    temporal_began = time.monotonic()
    merged = merge_shards(out_dir, dones, sample_fps, video)
    write_merged(run_dir.journal, merged.entries)
    core = replay_merged(config, video, out_dir, merged, metadata, info.session_start)
    temporal = time.monotonic() - temporal_began
    stats = merged.source_stats
    wall = earlier_wall + time.monotonic() - began
    summary: dict[str, Any] = {
        "events": sum(core.counts.values()),
        "by_type": dict(core.counts),
        "frames": core.frames,
        "wall_seconds": round(wall, 3),
        "legs": len(run_dir.legs) + 1,
        "source_stats": stats,
        "shards": {
            "count": len(plan),
            "shard_seconds": options.shard_seconds,
            "executor": options.executor.name,
            "workers": options.executor.workers,
            "reused": len(kept),
            "detect_seconds": round(sum(d.wall_seconds for d in dones), 3),
            "temporal_seconds": round(temporal, 3),  # merge, replay and thumbnails
        },
    }
    run_dir.finish(summary)
    remove_shards(out_dir)
    return VideoRun(
        video,
        run_dir.log,
        dict(core.counts),
        core.frames,
        metadata.video_duration_seconds,
        wall,
        None,
        False,
        SourceStats(**stats),
        sum(done.frames for done in kept),
    )
