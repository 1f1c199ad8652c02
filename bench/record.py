"""Recording benchmark (workflow W1): two 720p60 cameras with detection, stereo and recording on.

Renders a synthetic stereo rig (or reuses ``--rig``), then, in this process:

1. the baseline: both videos decoded side by side and nothing else (the floor every
   recorder pays on this machine);
2. ``framewise record``'s :class:`~framewise.record.session.Recorder` on the same two files
   with the rig's config and its true calibration: frame sets per second (= frames per
   second per camera), each set's processing time (ball detection in both views, pairing,
   epipolar check, triangulation: what a live capture → 3-D observation adds on top of
   decoding) p50/p95, frame retention per camera from ``session.json``, and the episodes.

The targets of issue 20 are ≥ 60 frames per second per camera, p95 ≤ 20 ms and retention
≥ 99.9 %; files are never dropped, so retention under real-time load is what the live test
measures. ``--pitches 120`` makes a ~5-minute session.

Usage:
    .venv/bin/python bench/record.py [--rig DIR] [--pitches 10] [--json F]
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import threading
import time
from fractions import Fraction
from pathlib import Path

import numpy as np

from framewise.config.loader import load_config
from framewise.core.atomic import write_json
from framewise.record.config import RecordConfig
from framewise.record.pairing import Camera, FrameSet
from framewise.record.session import Processed, Recorder
from framewise.sources.file import FileSource
from framewise.synth.stereo import calibration_of
from framewise.synth.stereo_render import StereoSettings, render_stereo


class TimedRecorder(Recorder):
    """A recorder that times each frame set's processing."""

    times_ms: list[float]

    def _process(self, frames: FrameSet) -> Processed:
        began = time.perf_counter()
        out = super()._process(frames)
        self.times_ms.append(1000 * (time.perf_counter() - began))
        return out


def decode_both(rig: Path) -> tuple[float, int]:
    """Seconds to decode both videos side by side, and frames per camera."""
    counts: dict[str, int] = {}

    def run(name: str) -> None:
        with FileSource(rig / f"{name}.mp4") as source:
            counts[name] = sum(1 for _ in source.read())

    began = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in ("left", "right")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return time.perf_counter() - began, min(counts.values())


def main() -> None:
    """Run the benchmark and print its figures."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rig", type=Path, help="A folder `framewise synth-stereo` wrote.")
    parser.add_argument("--pitches", type=int, default=10)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as scratch:
        rig = args.rig or Path(scratch) / "rig"
        if not (rig / "truth.json").is_file():
            began = time.perf_counter()
            render_stereo(rig, StereoSettings(seed=11, pitches=args.pitches, calibration_poses=4))
            print(f"rendered {rig} in {time.perf_counter() - began:.0f} s")
        truth = json.loads((rig / "truth.json").read_text())
        load = os.getloadavg()[0]
        decode_s, frames = decode_both(rig)
        config = load_config(rig / "rec.yaml", RecordConfig)
        cameras = [Camera(n, FileSource(rig / f"{n}.mp4")) for n in ("left", "right")]
        folder = Path(scratch) / "session-bench_001"
        recorder = TimedRecorder(
            config, cameras, calibration_of(truth["rig"]), folder, Fraction(60)
        )
        recorder.times_ms = []
        began = time.perf_counter()
        report = recorder.run()
        record_s = time.perf_counter() - began
        summary = json.loads((folder / "session.json").read_text())
        times = np.asarray(recorder.times_ms)
        result = {
            "frames_per_camera": frames,
            "video_seconds": truth["duration_seconds"],
            "load_average_before": load,
            "decode_only_fps_per_camera": frames / decode_s,
            "record_fps_per_camera": report.frame_sets / record_s,
            "record_vs_decode": decode_s / record_s,
            "processing_ms_p50": float(np.percentile(times, 50)),
            "processing_ms_p95": float(np.percentile(times, 95)),
            "retention_pct": {k: v["frame_retention_pct"] for k, v in summary["cameras"].items()},
            "episodes": len(report.episodes),
            "pitches": len(truth["episodes"]),
            "observations": report.observations,
        }
    print(
        f"{frames} frames per camera ({result['video_seconds']:.0f} s of 720p60, load "
        f"{load:.1f}): decode only {result['decode_only_fps_per_camera']:.1f} fps per camera; "
        f"record (detect + stereo + episodes) {result['record_fps_per_camera']:.1f} fps per "
        f"camera ({result['record_vs_decode']:.2f}x the decode floor); per frame set "
        f"p50 {result['processing_ms_p50']:.1f} ms, p95 {result['processing_ms_p95']:.1f} ms; "
        f"retention {result['retention_pct']}; {result['episodes']} episodes for "
        f"{result['pitches']} pitches, {result['observations']} observations"
    )
    if args.json:
        write_json(args.json, result)


if __name__ == "__main__":
    main()
