"""Decode benchmark: FileSource sampling against ffmpeg's full decode and OpenCV.

Makes (once, cached under .bench/) a 60 s 1080p60 H.264 clip with noise at ~10 Mb/s and a
2 s GOP, then in one process times each reader over the whole file and prints
video-seconds per wall-second and the ratios against ``ffmpeg -f null -`` (the baseline).

Targets (issue 2, item 10): FileSource at 10 fps costs no more than ffmpeg's full decode
(wall/base ≤ 1.0); a keyframe-only scan runs ~60× faster than a full decode.

Usage:
    .venv/bin/python bench/decode.py [--repeat 3] [--json results.json] [--profile]
"""

from __future__ import annotations

import argparse
import cProfile
import io
import os
import pstats
import subprocess
import sys
from collections.abc import Callable
from dataclasses import asdict
from functools import partial
from pathlib import Path
from typing import Any

import av
import cv2

from _clips import ClipSpec, add_clip_arguments, cached_clip, spec_from_arguments
from _timing import Measurement, best, machine, measure, table
from framewise.core.atomic import write_json
from framewise.sources.base import SourceStats
from framewise.sources.file import DecodeOptions, FileSource

Runner = Callable[[Path], int]
KEYS = (
    "ffmpeg_null", "pyav_full", "filesource", "filesource_skip", "opencv_read", "opencv_grab",
    "keyframes",
)  # fmt: skip


def filesource(
    sample_fps: float | None,
    options: DecodeOptions,
    prefetch: int = 8,
    stats: dict[str, SourceStats] | None = None,
    key: str = "",
) -> Runner:
    """Read every frame FileSource hands out (converted to BGR, as a pipeline gets them).

    The source's counters (kept, skipped, gaps) are left in ``stats[key]``.
    """

    def run(path: Path) -> int:
        with FileSource(path, sample_fps=sample_fps, decode=options, prefetch=prefetch) as source:
            frames = sum(1 for _ in source.read())
        if stats is not None:
            stats[key] = source.stats
        return frames

    return run


def ffmpeg_null(path: Path) -> int:
    """``ffmpeg -f null -``: a full decode with ffmpeg's default threads; the baseline."""
    command = ["ffmpeg", "-hide_banner", "-nostdin", "-benchmark", "-i", str(path), "-f", "null"]
    done = subprocess.run([*command, "-"], capture_output=True, text=True, check=False)
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or ["no output"]
        raise SystemExit(f"ffmpeg failed on {path}: {tail[0]}")
    frames = [line for line in done.stderr.replace("\r", "\n").splitlines() if "frame=" in line]
    return int(frames[-1].split("frame=")[1].split()[0]) if frames else 0


def pyav_full(path: Path) -> int:
    """PyAV's own full decode, frame threads on, no colour conversion (same FFmpeg as ours)."""
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = "AUTO"
        return sum(1 for _ in container.decode(stream))


def opencv_read(path: Path) -> int:
    """A plain OpenCV loop: ``cap.read()`` of every frame (decode + BGR conversion)."""
    cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
    frames = 0
    try:
        while cap.read()[0]:
            frames += 1
    finally:
        cap.release()
    return frames


def opencv_grab(every: int) -> Runner:
    """OpenCV decoding every frame (``grab``) but converting only every ``every``-th."""

    def run(path: Path) -> int:
        cap = cv2.VideoCapture(str(path), cv2.CAP_FFMPEG)
        kept = index = 0
        try:
            while cap.grab():
                if index % every == 0 and cap.retrieve()[0]:
                    kept += 1
                index += 1
        finally:
            cap.release()
        return kept

    return run


def readers(
    sample_fps: float, fps: float, stats: dict[str, SourceStats]
) -> list[tuple[str, str, Runner]]:
    """(key, label, runner) for every reader measured, the baseline first."""
    every = max(1, round(fps / sample_fps))
    fast = DecodeOptions(skip_nonref=True, skip_loop_filter=True)
    return [
        ("ffmpeg_null", "ffmpeg -f null - (full decode, baseline)", ffmpeg_null),
        ("pyav_full", "PyAV full decode, no conversion", pyav_full),
        ("filesource", f"FileSource {sample_fps:g} fps",
         filesource(sample_fps, DecodeOptions(), stats=stats, key="filesource")),
        ("filesource_skip", f"FileSource {sample_fps:g} fps, skip nonref+loop filter",
         filesource(sample_fps, fast, stats=stats, key="filesource_skip")),
        ("opencv_read", "OpenCV cap.read() every frame", opencv_read),
        ("opencv_grab", f"OpenCV grab() all, retrieve() every {every}th", opencv_grab(every)),
        ("keyframes", "FileSource keyframes only (skip_frame=NONKEY)",
         filesource(None, DecodeOptions(keyframes_only=True), stats=stats, key="keyframes")),
    ]  # fmt: skip


def profile_filesource(path: Path, sample_fps: float, top: int) -> str:
    """Profile FileSource at ``sample_fps`` with no prefetch thread, so cProfile sees all."""
    profiler = cProfile.Profile()
    profiler.enable()
    frames = filesource(sample_fps, DecodeOptions(), prefetch=0)(path)
    profiler.disable()
    out = io.StringIO()
    stats = pstats.Stats(profiler, stream=out).strip_dirs().sort_stats("tottime")
    stats.print_stats(top)
    return f"{frames} frames\n{out.getvalue()}"


def verdicts(results: dict[str, Measurement]) -> list[str]:
    """The issue's two targets, judged."""
    lines = []
    base = results.get("ffmpeg_null")
    sampled, keys = results.get("filesource"), results.get("keyframes")
    if base and sampled:
        ratio = sampled.wall_s / base.wall_s
        verdict = "met" if ratio <= 1.0 else "MISSED"
        lines.append(
            f"target FileSource sampled, wall/base ≤ 1.0: {ratio:.2f} ({verdict});"
            f" cpu/base {sampled.cpu_s / base.cpu_s:.2f}"
        )
    if base and keys:
        lines.append(f"keyframe scan vs full decode: {keys.speed / base.speed:.1f}× (aim ~60×)")
    return lines


def run_all(
    chosen: list[tuple[str, str, Runner]], path: Path, video_s: float, repeat: int
) -> dict[str, Measurement]:
    """Each reader ``repeat`` times, interleaved; the best run of each."""
    runs: dict[str, list[Measurement]] = {key: [] for key, _, _ in chosen}
    for attempt in range(max(1, repeat)):
        for key, label, runner in chosen:
            result = measure(key, label, partial(runner, path), video_s)
            runs[key].append(result)
            print(f"  run {attempt + 1}: {label}: {result.wall_s:.2f} s", file=sys.stderr)
    return {key: best(found) for key, found in runs.items() if found}


def parse_arguments(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_clip_arguments(parser, ClipSpec())
    parser.add_argument("--sample-fps", type=float, default=10.0)
    parser.add_argument("--repeat", type=int, default=1, help="take the best of N runs")
    parser.add_argument("--only", help=f"comma-separated reader keys out of {', '.join(KEYS)}")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--profile", action="store_true", help="cProfile FileSource after")
    args = parser.parse_args(argv)
    unknown = set(args.only.split(",")) - set(KEYS) if args.only else set()
    if unknown:
        parser.error(f"unknown reader(s) {', '.join(sorted(unknown))}; choose from {KEYS}")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_arguments(argv)
    spec = spec_from_arguments(args)
    clip = cached_clip(spec)
    env = machine()
    stats: dict[str, SourceStats] = {}
    chosen = readers(args.sample_fps, spec.fps, stats)
    if args.only:
        chosen = [r for r in chosen if r[0] in args.only.split(",")]
    if env["ffmpeg_cli"] is None:
        print("no ffmpeg command: no baseline (`make tools` installs it)", file=sys.stderr)
        chosen = [r for r in chosen if r[0] != "ffmpeg_null"]
    print(f"clip: {clip.path.name}  ({clip.bit_rate / 1e6:.2f} Mb/s)")
    print(f"machine: {env['cpus']} CPUs, load {env['load_average_1m']}, PyAV {env['pyav']} "
          f"(libavcodec {env['pyav_ffmpeg_libavcodec']}), OpenCV {env['opencv']}, "
          f"{env['ffmpeg_cli'] or 'no ffmpeg command'}")  # fmt: skip
    results = run_all(chosen, clip.path, spec.seconds, args.repeat)
    load_after = os.getloadavg()[0]
    print()
    print(table(list(results.values()), results.get("ffmpeg_null")))
    print()
    for line in verdicts(results):
        print(line)
    if load_after > (os.cpu_count() or 1):
        print(f"warning: load average {load_after:.1f} on {os.cpu_count()} CPUs after the run; "
              "other processes competed, so wall-clock figures are pessimistic")  # fmt: skip
    for key, counted in stats.items():
        print(f"{key}: kept {counted.kept}, decoded {counted.decoded}, skipped "
              f"{counted.skipped}, gaps {counted.gaps}")  # fmt: skip
    if args.profile:
        profile = profile_filesource(clip.path, args.sample_fps, 20)
        print("\ncProfile, FileSource inline (prefetch=0):\n" + profile)
    if args.json:
        command = ["bench/decode.py", *(argv if argv is not None else sys.argv[1:])]
        payload: dict[str, Any] = {
            "command": " ".join(command),
            "clip": {**asdict(spec), "file": clip.path.name, "bit_rate": round(clip.bit_rate)},
            "machine": env,
            "repeat": args.repeat,
            "results": {key: m.as_dict() for key, m in results.items()},
            "source_stats": {key: counted.as_dict() for key, counted in stats.items()},
            "load_average_1m_after": round(load_after, 2),
            "verdicts": verdicts(results),
        }
        write_json(args.json, payload)
    return 0


if __name__ == "__main__":
    sys.exit(main())
