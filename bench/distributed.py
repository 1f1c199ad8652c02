"""``process`` over a folder on Ray: local vs 1 and 2 workers, cost per task, N-node projection.

A folder of rendered Tarkov sessions (``--videos`` × ``--seconds``, 1280×720, cached under
``.bench/``) is processed with the Tarkov profile (YOLO + OCR + state machine), each run into a
fresh folder:

1. local: the videos one after another in this process (``process --video-dir``'s default);
2. Ray, 1 and 2 workers: the same videos as job specs to an actor pool on a Ray cluster
   started on this machine (one node, as many CPUs as it has), each actor building the pipeline
   once. Ray's start (``ray.init``) is timed apart; the run's wall time includes the actors'
   start and model load, as a user's job does.

Then the Ray overhead per task: ``--empty`` no-op tasks through the same actor pool (one
actor: submit, run, result back, one after another) and as plain Ray tasks.

Projection (a model, not a measurement): a worker processes ``r`` video-seconds per busy
second (measured, Ray with 1 worker); the driver spends ``o`` seconds per task (the empty
round trip); with ``N`` nodes of ``c`` workers and tasks of ``L`` video-seconds, throughput
is ``min(N·c·r, L/o)`` video-seconds per second, after a fixed start ``S`` (cluster connect +
actor start + model load, measured). Shared storage bandwidth and stragglers (the last long
video) are not in the model; with few, long videos, split them by time (sharded ``process``).

Usage:
    .venv/bin/python bench/distributed.py [--videos 4] [--seconds 30] [--empty 200]
        [--nodes 1,2,4,8,16] [--cpus-per-node 8] [--json F]
"""

from __future__ import annotations

import argparse
import os
import secrets
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from _clips import CACHE
from framewise.cli.options import load_pipeline_option
from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_json
from framewise.executors import Task
from framewise.executors.ray import RayExecutor
from framewise.pipeline.batch import iter_videos, run_videos
from framewise.pipeline.runner import Pipeline
from framewise.synth import RenderSettings, render_session


def sessions(count: int, seconds: float) -> list[Path]:
    """``count`` rendered sessions of ``seconds`` each, made once, in their own folder."""
    folder = CACHE / f"distributed-{count}x{seconds:g}s"
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for seed in range(count):
        path = folder / f"session-{seed}.mkv"
        if not path.exists():
            partial = path.with_name(f"partial-{path.name}")
            render_session(partial, RenderSettings(seconds=seconds, seed=100 + seed))
            partial.replace(path)
        paths.append(path)
    return paths


@dataclass(frozen=True)
class Nothing:
    """An empty worker: returns its input (the round trip is all that is timed)."""

    def __call__(self) -> Any:
        """The worker."""
        return _identity


def _identity(value: Any) -> Any:
    return value


def run_local(config: PipelineConfig, videos: list[Path], out: Path) -> float:
    """Wall seconds of the local loop (the pipeline built once, as the CLI does)."""
    began = time.perf_counter()
    pipeline = Pipeline(config)
    try:
        for _ in iter_videos(pipeline, videos, out):
            pass
    finally:
        pipeline.close()
    return time.perf_counter() - began


def run_ray(
    executor: RayExecutor, config: PipelineConfig, videos: list[Path], out: Path
) -> tuple[float, float, int]:
    """Wall seconds, busy seconds per video-second, and workers that took tasks."""
    began = time.perf_counter()
    outcomes = list(run_videos(executor, config, videos, out))
    wall = time.perf_counter() - began
    failed = [o for o in outcomes if o.error]
    if failed:
        raise SystemExit(f"a video failed on Ray: {failed[0].key}: {failed[0].error}")
    busy = sum(o.seconds for o in outcomes)
    video_s = sum(o.value.video_seconds for o in outcomes if o.value is not None)
    return wall, busy / video_s, len({o.worker for o in outcomes})


def empty_round_trip(executor: RayExecutor, count: int) -> tuple[float, float]:
    """Seconds per empty task: through one actor (sequential), and as plain Ray tasks."""
    tasks = [Task(str(i), i) for i in range(count)]
    list(executor.run(Nothing(), tasks[:5]))  # the actor's start is not per-task overhead
    began = time.perf_counter()
    list(executor.run(Nothing(), tasks))
    actor = (time.perf_counter() - began) / count
    list(executor.map(_identity, range(5)))
    began = time.perf_counter()
    list(executor.map(_identity, range(count)))
    plain = (time.perf_counter() - began) / count
    return actor, plain


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--videos", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=30.0)
    parser.add_argument("--empty", type=int, default=200, help="Empty tasks for the overhead.")
    parser.add_argument("--nodes", default="1,2,4,8,16", help="Node counts to project.")
    parser.add_argument("--cpus-per-node", type=int, default=8, help="Workers per node.")
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    args = parser.parse_args()
    # The local cluster's own token in the environment: Ray would otherwise save one in
    # ~/.ray/auth_token for every later run on this machine.
    os.environ.setdefault("RAY_AUTH_MODE", "token")
    os.environ.setdefault("RAY_AUTH_TOKEN", secrets.token_hex(32))
    videos = sessions(args.videos, args.seconds)
    total = args.videos * args.seconds
    config = load_pipeline_option("tarkov", None, None)
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-distributed-") as scratch:
        out = Path(scratch)
        wall = run_local(config, videos, out / "local")
        rows.append({"run": "local", "workers": 1, "wall_s": wall})
        figures: dict[str, float] = {}
        for workers in (1, 2):
            executor = RayExecutor(workers)
            began = time.perf_counter()
            executor.connect()  # Ray's own start, timed apart from the job
            figures[f"ray_start_s_{workers}"] = time.perf_counter() - began
            try:
                wall, busy_per_video_s, used = run_ray(
                    executor, config, videos, out / f"ray-{workers}"
                )
                rows.append({"run": "ray", "workers": workers, "wall_s": wall, "used": used})
                if workers == 1:
                    figures["worker_video_s_per_busy_s"] = 1 / busy_per_video_s
                    actor, plain = empty_round_trip(executor, args.empty)
                    figures["empty_task_actor_s"] = actor
                    figures["empty_task_plain_s"] = plain
                    # Fixed start: the 1-worker run's wall minus its busy time.
                    figures["fixed_start_s"] = max(wall - busy_per_video_s * total, 0.0)
            finally:
                executor.close()
    print(
        f"{args.videos} rendered sessions × {args.seconds:g} s, Tarkov profile, "
        f"{os.cpu_count()} CPUs on this machine"
    )
    print(f"{'run':<6} {'workers':>7} {'wall s':>8} {'video s/s':>10}")
    for row in rows:
        row["video_s_per_s"] = total / row["wall_s"]
        speed = row["video_s_per_s"]
        print(f"{row['run']:<6} {row['workers']:>7} {row['wall_s']:>8.1f} {speed:>10.2f}")
    rate = figures["worker_video_s_per_busy_s"]
    overhead = figures["empty_task_actor_s"]
    print(
        f"Ray start {figures['ray_start_s_1']:.1f} s; fixed job start (actors, models) "
        f"{figures['fixed_start_s']:.1f} s; a worker: {rate:.2f} video s per busy s"
    )
    print(
        f"empty task round trip: {overhead * 1000:.2f} ms through an actor, "
        f"{figures['empty_task_plain_s'] * 1000:.2f} ms as a plain task"
    )
    projection = []
    print(
        f"PROJECTION (model, not measured): {args.cpus_per_node} workers a node, "
        f"tasks of {args.seconds:g} video s"
    )
    for nodes in (int(n) for n in args.nodes.split(",")):
        workers = nodes * args.cpus_per_node
        speed = min(workers * rate, args.seconds / overhead)
        projection.append({"nodes": nodes, "workers": workers, "video_s_per_s": speed})
        hours = 100 * 3600 / speed / 3600 + figures["fixed_start_s"] / 3600
        print(f"  {nodes:>3} nodes: {speed:>9.1f} video s/s; 100 h of video in {hours:.2f} h")
    if args.json is not None:
        write_json(
            args.json,
            {"videos": args.videos, "seconds": args.seconds, "rows": rows,
             "figures": figures, "projection": projection},
        )  # fmt: skip


if __name__ == "__main__":
    main()
