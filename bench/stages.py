"""Stage-runner benchmark (workflow W4): clips per minute per stage, flat memory, stage 2 speed.

1. Builds the real-vs-manipulated set from ``../shared/data/real`` (``--real``), runs every
   stage in a fresh root and prints clips per minute of each.
2. Peak memory of scaling a short and a 4× longer clip, streamed (what stage 3 does) against a
   "decode everything into a list" loop; each run in its own process (peak RSS). Target: the
   streamed peak does not grow with the video's length.
3. Stage 2's features against the seed's per-frame Python loop (8×8 blocks one by one with
   ``cv2.dct``, block boundaries and tiles in Python loops) on the same clips. Target ≥ 5×.

Usage:
    .venv/bin/python bench/stages.py [--real ../shared/data/real] [--long 40] [--json out.json]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from framewise.cli.stages_commands import DEMO_MODELS, DEMO_PIPELINE, REAL_VIDEOS
from framewise.core.atomic import write_json, write_text
from framewise.core.errors import InputError
from framewise.datasets.manipulate import build_set
from framewise.features.frames import sampled_frames
from framewise.features.handcrafted import frame_features, luma
from framewise.pipeline.stages import load_pipeline, run_pipeline
from framewise.sources.directory import list_videos

MEMORY_SCRIPT = """
import sys
from fractions import Fraction
from pathlib import Path
from framewise.pipeline.stages.scale import letterbox
from framewise.pipeline.stages.video_io import Mp4Writer, iter_frames
source, target, mode = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
frames = (rgb for _, rgb in iter_frames(source))
if mode == "list":
    frames = iter([rgb for rgb in frames])  # the seed's loop: the whole video in a list
with Mp4Writer(target, Fraction(30)) as writer:
    for rgb in frames:
        writer.write(letterbox(rgb, 256))
# VmHWM, not ru_maxrss: Linux keeps ru_maxrss across exec, so a child of a big parent
# would report the parent's peak.
status = Path("/proc/self/status").read_text().splitlines()
print(next(int(line.split()[1]) for line in status if line.startswith("VmHWM:")))
"""


def seed_loop_frame(rgb: np.ndarray) -> list[float]:
    """The seed's way, per frame: Python loops over 8×8 blocks, block boundaries and tiles."""
    gray = luma(rgb)
    residual = gray - cv2.medianBlur(gray, 3)
    high = total = 0.0
    for y in range(0, gray.shape[0] - 7, 8):
        for x in range(0, gray.shape[1] - 7, 8):
            energy = cv2.dct(np.ascontiguousarray(gray[y : y + 8, x : x + 8])) ** 2
            total += float(energy.sum() - energy[0, 0])
            high += float(sum(energy[u, v] for u in range(8) for v in range(8) if u + v >= 8))
    edge = [
        abs(float(gray[r, c + 1] - gray[r, c]))
        for r in range(gray.shape[0])
        for c in range(7, gray.shape[1] - 1, 8)
    ]
    tiles = [
        float(residual[y : y + 16, x : x + 16].std())
        for y in range(0, gray.shape[0] - 15, 16)
        for x in range(0, gray.shape[1] - 15, 16)
    ]
    return [high / max(total, 1e-12), float(np.mean(edge)), float(np.std(tiles))]


def sample_real_frames(real: Path, videos: int, per_video: int) -> list[np.ndarray]:
    """``per_video`` frames sampled by time from each of the first ``videos`` real videos."""
    frames: list[np.ndarray] = []
    for path in list_videos(real, recursive=True)[:videos]:
        try:
            frames.extend(rgb for _, rgb in sampled_frames(path, per_video))
        except InputError:
            continue
    return frames


def lavfi_clip(path: Path, seconds: float) -> Path:
    """A 640×360 30 fps H.264 test clip."""
    if not path.exists():
        subprocess.run(
            [
                "ffmpeg",
                "-v",
                "error",
                "-y",
                "-f",
                "lavfi",
                "-i",
                f"testsrc2=size=640x360:rate=30:duration={seconds}",
                "-c:v",
                "libx264",
                "-pix_fmt",
                "yuv420p",
                str(path),
            ],
            check=True,
        )
    return path


def peak_kib(source: Path, mode: str, folder: Path) -> int:
    """Peak RSS (KiB) of scaling ``source`` in a fresh process, streamed or from a list."""
    done = subprocess.run(
        [sys.executable, "-c", MEMORY_SCRIPT, str(source), str(folder / f"{mode}.mp4"), mode],
        check=True,
        capture_output=True,
        text=True,
    )
    return int(done.stdout.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--real", type=Path, default=REAL_VIDEOS)
    parser.add_argument("--long", type=float, default=40.0, help="seconds of the long clip")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="w4-bench-") as name:
        work = Path(name)
        build_set(args.real, work, seconds=2.0, segments=1, max_side=160, seed=0)
        pipeline = work / "w4.yaml"
        write_text(pipeline, DEMO_PIPELINE.format(count=1, folds=4, models=DEMO_MODELS))
        print("stage                 clips   seconds   clips/min")
        for s in run_pipeline(load_pipeline(pipeline)):
            rate = s.ran_rows / s.seconds * 60 if s.seconds else 0.0
            results[f"stage_{s.name}"] = {"clips": s.ran_rows, "seconds": s.seconds}
            print(f"{s.name:<20} {s.ran_rows:>6} {s.seconds:>9.1f} {rate:>11.1f}")

        frames = sample_real_frames(args.real, 8, 3)
        pixels = sum(f.shape[0] * f.shape[1] for f in frames) / len(frames)
        began = time.perf_counter()
        for rgb in frames:
            frame_features(rgb)
        ours = time.perf_counter() - began
        began = time.perf_counter()
        for rgb in frames:
            seed_loop_frame(rgb)
        seed = time.perf_counter() - began
        results["stage2"] = {"frames": len(frames), "ours_s": ours, "seed_loop_s": seed}
        print(
            f"\nstage 2 per-frame features on {len(frames)} real frames "
            f"(~{pixels / 1e6:.2f} Mpx, decode excluded): ours {ours:.2f} s (12 features), "
            f"the seed's loop {seed:.2f} s (3 of them): {seed / ours:.1f}× (target ≥ 5×)"
        )

        short = lavfi_clip(work / "short.mp4", args.long / 4)
        long = lavfi_clip(work / "long.mp4", args.long)
        print(f"\npeak memory scaling 640x360 clips ({args.long / 4:g} s and {args.long:g} s):")
        for mode in ("stream", "list"):
            small, big = peak_kib(short, mode, work), peak_kib(long, mode, work)
            results[f"memory_{mode}"] = {"short_kib": small, "long_kib": big}
            print(
                f"  {mode:<7} {small / 1024:7.0f} MiB  {big / 1024:7.0f} MiB  "
                f"(long/short {big / small:.2f})"
            )
    if args.json:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
