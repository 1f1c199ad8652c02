"""Sharded ``process`` against the whole-file run: one long session, same events, wall time.

A rendered Tarkov session (``--minutes``, 1280×720, cached under ``.bench/``) is processed with
the Tarkov profile (YOLO + OCR + state machine) three ways, each into a fresh run folder:

1. whole file: ``Pipeline.process_video`` (decode thread beside batched inference);
2. sharded, ``--workers 1``: the same shards in this process, one after another (the cost of
   splitting: seeks back to each shard's keyframe, the merge, the replay, the thumbnails);
3. sharded, ``--workers 2``: two local worker processes.

It prints video-seconds per wall-second for each (model loading included, as a user pays it),
the ratio to (1), the worker time the shards took, and checks that the events of (2) and (3)
equal those of (1). On a machine with N free cores the detection step
scales with the workers up to N; the temporal step (merge + replay) is serial and small.

Usage:
    .venv/bin/python bench/shards.py [--minutes 5] [--shard-sec 60] [--workers 2] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path
from typing import Any

from _clips import CACHE
from framewise.cli.options import load_pipeline_option
from framewise.core.atomic import write_json
from framewise.executors import make_executor
from framewise.pipeline.runner import Pipeline
from framewise.pipeline.shards_run import ShardOptions, process_sharded
from framewise.synth import RenderSettings, render_session


def session(minutes: float) -> Path:
    """The rendered session, made once."""
    path = CACHE / f"shards-session-{minutes:g}min.mkv"
    if not path.exists():
        CACHE.mkdir(parents=True, exist_ok=True)
        partial = path.with_name(f"partial-{path.name}")
        render_session(partial, RenderSettings(seconds=minutes * 60, seed=11, short_raids=True))
        partial.replace(path)
    return path


def events(folder: Path) -> list[dict[str, Any]]:
    payload: dict[str, Any] = json.loads((folder / "events.json").read_text())
    found: list[dict[str, Any]] = payload["events"]
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--minutes", type=float, default=5.0)
    parser.add_argument("--shard-sec", type=float, default=60.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--json", type=Path, help="Write the figures here too.")
    args = parser.parse_args()
    video = session(args.minutes)
    config = load_pipeline_option("tarkov", None, None)
    seconds = args.minutes * 60
    rows: list[dict[str, Any]] = []
    with tempfile.TemporaryDirectory(prefix="bench-shards-") as scratch:
        out = Path(scratch)
        began = time.perf_counter()  # models loaded inside, as each sharded worker loads them
        pipeline = Pipeline(config)
        pipeline.process_video(video, out / "whole")
        pipeline.close()
        whole = time.perf_counter() - began
        rows.append({"run": "whole file", "workers": 1, "wall_s": whole})
        reference = events(out / "whole")
        for workers in sorted({1, args.workers}):
            folder = out / f"sharded-{workers}"
            with make_executor("local", workers) as executor:
                began = time.perf_counter()
                run = process_sharded(config, video, folder, ShardOptions(args.shard_sec, executor))
                wall = time.perf_counter() - began
            same = events(folder) == reference
            manifest = json.loads((folder / "manifest.json").read_text())
            shards = manifest["summary"]["shards"]
            row = {"run": "sharded", "workers": workers, "wall_s": wall, "same": same}
            rows.append(
                {
                    **row,
                    "shard_seconds_sum": float(shards["detect_seconds"]),
                    "temporal_s": float(shards["temporal_seconds"]),
                }
            )
            if not same:
                raise SystemExit(f"sharded events differ from the whole file's ({run.counts})")
    print(
        f"{args.minutes:g} min rendered session, Tarkov profile, shards of {args.shard_sec:g} s, "
        f"{os.cpu_count()} CPUs"
    )
    print(f"{'run':<12} {'workers':>7} {'wall s':>8} {'video s/s':>10} {'vs whole':>9}")
    for row in rows:
        row["video_s_per_s"] = seconds / row["wall_s"]
        row["ratio"] = whole / row["wall_s"]
        print(
            f"{row['run']:<12} {row['workers']:>7} {row['wall_s']:>8.1f} "
            f"{row['video_s_per_s']:>10.1f} {row['ratio']:>8.2f}x"
        )
    for row in rows[1:]:
        print(
            f"workers {row['workers']}: the shards took {row['shard_seconds_sum']:.1f} s of "
            f"worker time in all; merge, replay and thumbnails {row['temporal_s']:.1f} s"
        )
    print(f"events: {len(reference)}, equal in every sharded run")
    if args.json is not None:
        write_json(args.json, {"minutes": args.minutes, "shard_sec": args.shard_sec, "rows": rows})


if __name__ == "__main__":
    main()
