"""Task-feature benchmark (workflow W2): our extraction against the seed's loop, same video.

The seed's loop reads every frame with OpenCV and runs MediaPipe Pose then Hands on it, one
after the other. Ours runs ``framewise features extract --detector fusion`` on every frame:
PyAV decoding in its own thread, the stages as a line of threads (pose on the next batch while
hands is on this one, features built meanwhile), the Parquet written at the end. Both run in
this process on the same clip (the whole video, or its first ``--frames`` frames), interleaved
``--repeat`` times (best kept); graph construction is timed in both. The figure is frames per
second and the ratio ours / seed (target ≥ 1.5), with the CPU time each spent per frame (all
threads: the same graphs do the same work, so ours gains only by running them side by side
on idle cores), the cores each kept busy and the load average before and after — on a
shared 2-core machine the load decides the ratio more than the code does: with the kernel's
autogroup scheduling, a busy machine gives this process one share whatever its thread count,
and the ratio falls towards seed CPU / our CPU per frame.

Then one live prediction's latency: a model trained on the same frames' features, fed
frame after frame through :class:`~framewise.features.task_live.TaskPredictor` (rolling
window, resampling, ONNX, smoothing); p50 / p95 over every prediction (target p95 ≤ 20 ms,
on top of the pose model).

Usage:
    .venv/bin/python bench/features.py [--video PATH] [--frames N] [--repeat 3] [--json F]
"""

from __future__ import annotations

import argparse
import os
import resource
import tempfile
import time
from pathlib import Path
from typing import Any

import cv2
import numpy as np

from framewise.core.atomic import write_json
from framewise.datasets.task_extract import ExtractSettings, extract_video
from framewise.datasets.task_labels import TaskLabels
from framewise.datasets.task_table import read_feature_table
from framewise.features.task import MODEL_FEATURES
from framewise.features.task_live import TaskPredictor
from framewise.features.task_model import OnnxTaskModel

ROOT = Path(__file__).resolve().parents[1]
VIDEO = ROOT.parent / "shared/data/real/intel-sample-videos/one-by-one-person-detection.mp4"
LABELS = ROOT / "docs/task-labels/one-by-one-person-detection.csv"


def cpu_seconds() -> float:
    """CPU time of this process so far, every thread (user + system)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def seed_loop(video: Path, frames: int) -> float:
    """The seed's extract_features loop: cv2 read, Pose then Hands per frame; frames/s."""
    from mediapipe.python.solutions import hands, pose  # type: ignore[import-untyped]

    began, done = time.perf_counter(), 0  # graphs are built inside the timing, as ours are
    capture = cv2.VideoCapture(str(video))
    pose_graph = pose.Pose(static_image_mode=False, model_complexity=1)
    hands_graph = hands.Hands(static_image_mode=False, max_num_hands=2, model_complexity=1)
    try:
        while done < frames:
            ok, image = capture.read()
            if not ok:
                break
            rgb = cv2.cvtColor(image, cv2.COLOR_BGR2RGB)
            pose_graph.process(rgb)
            hands_graph.process(rgb)
            done += 1
    finally:
        capture.release()
        pose_graph.close()
        hands_graph.close()
    return done / (time.perf_counter() - began)


def cut(video: Path, frames: int | None, out: Path) -> tuple[Path, int]:
    """``video``'s first ``frames`` frames (None: all) as ``out/clip.mp4``, and their count."""
    clip = out / "clip.mp4"
    capture = cv2.VideoCapture(str(video))
    fps = capture.get(cv2.CAP_PROP_FPS) or 10.0
    writer = None
    count = 0
    while frames is None or count < frames:
        ok, image = capture.read()
        if not ok:
            break
        count += 1
        if writer is None:
            size = (image.shape[1], image.shape[0])
            writer = cv2.VideoWriter(str(clip), cv2.VideoWriter.fourcc(*"mp4v"), fps, size)
        writer.write(image)
    capture.release()
    if writer is not None:
        writer.release()
    return clip, count


def ours(clip: Path, out: Path) -> tuple[float, float]:
    """``features extract --detector fusion`` on every frame of ``clip``.

    Returns:
        Frames per second and CPU milliseconds per frame (every thread).
    """
    settings = ExtractSettings(detector="fusion", sample_rate=1)
    began, cpu = time.perf_counter(), cpu_seconds()
    result = extract_video(clip, out / "clip.parquet", settings, force=True)
    cpu_ms = (cpu_seconds() - cpu) / max(result.frames, 1) * 1000
    return result.frames / (time.perf_counter() - began), cpu_ms


def live_latency(out: Path) -> dict[str, float]:
    """p50/p95 of one prediction (features already built) with a model trained here."""
    from framewise.datasets.spec import read_dataset_spec
    from framewise.datasets.windows import WindowSpec, build_dataset
    from framewise.training.tabular import TabularTrainer, TaskTrainSettings

    table = out / "train.parquet"
    labels = TaskLabels.read(LABELS)
    extract_video(VIDEO, table, ExtractSettings(detector="pose", sample_fps=2.0), labels)
    spec = WindowSpec(window_sec=2.0, step_sec=0.5, group_sec=20.0, balance="upsample")
    build_dataset([table], out / "d", spec)
    TabularTrainer(TaskTrainSettings(model="rf", n_estimators=200)).fit(
        read_dataset_spec(out / "d"), out / "run"
    )
    rows = read_feature_table(table).to_pylist()
    vectors = [
        np.array([np.nan if r[n] is None else float(r[n]) for n in MODEL_FEATURES], np.float32)
        for r in rows
    ]
    predictor = TaskPredictor(OnnxTaskModel.load(out / "run"))
    times = []
    for row, vector in zip(rows, vectors, strict=True):
        began = time.perf_counter()
        prediction = predictor.update(float(row["t"]), vector)
        if prediction is not None:
            times.append((time.perf_counter() - began) * 1000)
    return {
        "predictions": len(times),
        "p50_ms": float(np.percentile(times, 50)),
        "p95_ms": float(np.percentile(times, 95)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--video", type=Path, default=VIDEO)
    # The whole video by default: building the four MediaPipe graphs costs both loops the same
    # ~0.4 s once per video, which a 10 s clip weighs as much as a fifth of its frames.
    parser.add_argument("--frames", type=int, default=None, help="First N frames (default: all).")
    parser.add_argument("--repeat", type=int, default=3, help="Interleaved runs; best kept.")
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        # Interleaved and best-of: other work on a shared machine slows single runs.
        seeds, mines, seed_cpu, our_cpu = [], [], [], []
        clip, frames = cut(args.video, args.frames, out)
        load_before = os.getloadavg()
        for _ in range(args.repeat):
            cpu = cpu_seconds()
            seeds.append(seed_loop(clip, frames))
            seed_cpu.append((cpu_seconds() - cpu) / frames * 1000)
            fps, cpu_ms = ours(clip, out)
            mines.append(fps)
            our_cpu.append(cpu_ms)
        load_after = os.getloadavg()
        seed, mine = max(seeds), max(mines)
        # Cores each loop kept busy (CPU per frame × frames per second): the seed needs one,
        # ours gains only where a second one is free — on a loaded machine neither gets it.
        seed_cores = [c * f / 1000 for c, f in zip(seed_cpu, seeds, strict=True)]
        our_cores = [c * f / 1000 for c, f in zip(our_cpu, mines, strict=True)]
        latency = live_latency(out)
    results: dict[str, Any] = {
        "video": str(args.video),
        "frames": frames,
        "seed_fps": round(seed, 2),
        "ours_fps": round(mine, 2),
        "ratio": round(mine / seed, 2),
        "runs": {
            "seed_fps": [round(v, 2) for v in seeds],
            "ours_fps": [round(v, 2) for v in mines],
        },
        "cpu_ms_per_frame": {"seed": round(min(seed_cpu), 1), "ours": round(min(our_cpu), 1)},
        "cores_busy": {"seed": round(max(seed_cores), 2), "ours": round(max(our_cores), 2)},
        "load_average": {
            "before": [round(v, 2) for v in load_before],
            "after": [round(v, 2) for v in load_after],
        },
        "live_prediction": {k: round(v, 3) for k, v in latency.items()},
    }
    print(f"seed loop (cv2 read, Pose then Hands): {seed:6.2f} frames/s")
    print(f"features extract --detector fusion:   {mine:6.2f} frames/s  ({mine / seed:.2f}×)")
    print(
        f"CPU per frame (all threads): seed {min(seed_cpu):.1f} ms, ours {min(our_cpu):.1f} ms; "
        f"cores busy: seed {max(seed_cores):.2f}, ours {max(our_cores):.2f}; "
        f"load average {load_before[0]:.2f} before, {load_after[0]:.2f} after"
    )
    print(
        "pairwise ratios (run k ours / run k seed): "
        + ", ".join(f"{m / s:.2f}" for m, s in zip(mines, seeds, strict=True))
    )
    print(
        f"live prediction: p50 {latency['p50_ms']:.2f} ms, p95 {latency['p95_ms']:.2f} ms "
        f"over {latency['predictions']} predictions"
    )
    if args.json is not None:
        write_json(args.json, results)


if __name__ == "__main__":
    main()
