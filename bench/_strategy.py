"""``bench/process.py --strategy``: dense against coarse-to-fine on a rendered session (issue 23).

On one rendered Tarkov session (1080p60, 2 s GOPs as OBS records; cached under ``.bench/``),
with the shipped model and the profile's own pipeline, this times in one process, in
video-seconds per wall-second (× real time):

1. decode only: ``FileSource`` sampling at the profile's ``detection_fps`` with its decoder
   settings, nothing else (the full-decode ceiling a dense run cannot pass);
2. the profile's whole pipeline read ``dense`` and ``coarse-to-fine``, interleaved
   (dense, coarse-to-fine, dense, ...: a loaded machine slows both alike), each scored
   against the session's ground truth, the process's RSS printed each minute;
3. the Ultralytics peer: ``YOLO(onnx).predict(source=video, vid_stride=6, stream=True)``
   with the same ONNX file at the profile's input size (YOLO only: no OCR, no events).

Targets (issue 23, item 3; a 10-minute session on a quiet 2-core machine): coarse-to-fine
≥ 12× real time and ≥ 2× dense.

Usage:
    .venv/bin/python bench/process.py --strategy both [--minutes 3] [--seed 923]
        [--pacing game|stream] [--repeats 2] [--gpu] [--skip-ultralytics]
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path
from typing import Any

from _clips import CACHE
from _timing import Measurement, machine, measure, table
from framewise.config.pipeline import PipelineConfig, load_pipeline
from framewise.eval.events import evaluate, read_events, read_truth
from framewise.pipeline.runner import Pipeline
from framewise.profiles import profile_dir
from framewise.sources.file import DecodeOptions, FileSource
from framewise.synth import RenderSettings, render_session
from framewise.synth.script import PACINGS
from process import RssSampler

MODEL = profile_dir("tarkov") / "model" / "yolo11n_tarkov.onnx"


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """The strategy bench's own flags."""
    group = parser.add_argument_group("--strategy (the Tarkov profile on a rendered session)")
    group.add_argument("--strategy", choices=["dense", "coarse-to-fine", "both"])
    group.add_argument("--minutes", type=float, default=3.0, help="session length")
    group.add_argument("--seed", type=int, default=923, help="session seed (held back)")
    group.add_argument(
        "--pacing",
        choices=list(PACINGS),
        default="game",
        help="game: a whole game in minutes (a kill every 6-30 s); stream: as real recordings "
        "(raids of 5-30 min, kills minutes apart)",
    )
    group.add_argument("--repeats", type=int, default=2, help="runs of each strategy")
    group.add_argument(
        "--gpu",
        action="store_true",
        help="YOLO on TensorRT/CUDA (else the CPU, with a warning) and hwaccel: cuda decoding",
    )


def session(minutes: float, seed: int, pacing: str = "game") -> Path:
    """The rendered 1080p60 session (2 s GOPs), rendered once into ``.bench/``."""
    paced = "" if pacing == "game" else f"-{pacing}"
    path = CACHE / f"tarkov-{minutes:g}min-seed{seed}{paced}-1080p60.mkv"
    if not path.exists():
        print(f"rendering {path.name} (once) ...", flush=True)
        CACHE.mkdir(parents=True, exist_ok=True)
        settings = RenderSettings(
            seconds=minutes * 60,
            seed=seed,
            width=1920,
            height=1080,
            fps=60.0,
            gop_seconds=2.0,
            pacing=pacing,
        )
        render_session(path, settings)
    return path


def on_gpu(config: PipelineConfig) -> PipelineConfig:
    """``config`` with its YOLO stage on TensorRT/CUDA and its decoder on CUDA.

    Missing providers or devices fall back to the CPU with one warning each (onnx_session,
    sources.hwaccel), so the same command runs anywhere.
    """
    providers = ["TensorrtExecutionProvider", "CUDAExecutionProvider", "CPUExecutionProvider"]
    detectors = [
        d.model_copy(update={"providers": providers}) if d.kind == "yolo_onnx" else d
        for d in config.detectors
    ]
    decode = config.source.decode.model_copy(update={"hwaccel": "cuda"})
    source = config.source.model_copy(update={"decode": decode})
    return config.model_copy(update={"detectors": detectors, "source": source})


def with_kind(config: PipelineConfig, kind: str) -> PipelineConfig:
    """The profile's pipeline read with strategy ``kind``."""
    return config.model_copy(update={"strategy": config.strategy.model_copy(update={"kind": kind})})


def run_strategy(
    config: PipelineConfig, video: Path, out: Path, truth: Path, rss: RssSampler
) -> tuple[int, dict[str, Any]]:
    """One whole run (models loaded before the clock starts is not possible here: included)."""
    pipeline = Pipeline(config)
    try:
        with rss.running():
            run = pipeline.process_video(video, out, force=True)
    finally:
        pipeline.close()
    report = evaluate(read_events(run.log_path), read_truth(truth)).as_dict()
    figures = pipeline.strategy_figures.get("strategy", {})
    summary = {
        "overall": report["overall"],
        "time_p95": report["time_error_seconds"].get("p95"),
        "fields": {k: v["accuracy"] for k, v in report["fields"].items()},
        "decoded": run.stats.decoded,
        "dense_ticks": figures.get("dense_ticks"),
        "repeated_ticks": figures.get("repeated_ticks"),
    }
    return run.frames, summary


def decode_only(config: PipelineConfig, video: Path) -> int:
    """Frames the profile's source settings hand out, decoded and dropped."""
    source = FileSource(
        video,
        sample_fps=config.source.detection_fps,
        decode=DecodeOptions.from_config(config.source),
        prefetch=0,
    )
    return sum(1 for _ in source.read())


def ultralytics_peer(video: Path, imgsz: int, folder: Path) -> int:
    """Ultralytics' streaming predict over the file, every 6th frame."""
    from framewise.training.ultralytics_env import configure_ultralytics, ultralytics_module

    configure_ultralytics(folder)
    yolo = ultralytics_module("ultralytics").YOLO(str(MODEL), task="detect")
    results = yolo.predict(source=str(video), vid_stride=6, stream=True, imgsz=imgsz, verbose=False)
    return sum(1 for _ in results)


def minute_rss(rss: RssSampler) -> str:
    """RSS (MiB) at each whole minute of a run, and its peak."""
    marks, minute = [], 0.0
    for at, value in rss.samples:
        if at >= minute:
            marks.append(f"{at / 60:.0f} min {value / 2**20:.0f}")
            minute += 60.0
    peak = max(value for _, value in rss.samples) / 2**20
    return ", ".join(marks) + f"; peak {peak:.0f} MiB"


def main(args: argparse.Namespace) -> int:
    """Run the strategy bench and print its table, ratios and scores."""
    video = session(args.minutes, args.seed, args.pacing)
    truth = video.with_name(video.stem + ".groundtruth.json")
    seconds = args.minutes * 60
    config = load_pipeline(profile_dir("tarkov") / "pipeline.yaml")
    if args.gpu:
        config = on_gpu(config)
    kinds = ["dense", "coarse-to-fine"] if args.strategy == "both" else [args.strategy]
    env = machine()
    print(f"session: {video.name}; model: {MODEL.name}; strategy: {config.strategy}")
    print(f"machine: {env['cpus']} CPUs, load {env['load_average_1m']} at start")
    results: dict[str, list[Measurement]] = {}
    extra: dict[str, Any] = {}
    with tempfile.TemporaryDirectory(prefix="bench-strategy-") as folder:
        results["decode"] = [
            measure("decode", "decode only", lambda: decode_only(config, video), seconds)
        ]
        for turn in range(args.repeats):
            for kind in kinds:  # interleaved: A, B, A, B
                rss = RssSampler(period=5.0)
                out = Path(folder) / kind
                done: dict[str, Any] = {}

                def run(
                    kind: str = kind,
                    out: Path = out,
                    rss: RssSampler = rss,
                    done: dict[str, Any] = done,
                ) -> int:
                    frames, done["summary"] = run_strategy(
                        with_kind(config, kind), video, out, truth, rss
                    )
                    return frames

                timed = measure(kind, f"pipeline, {kind}", run, seconds)
                results.setdefault(kind, []).append(timed)
                extra[kind] = done["summary"]
                print(f"  [{turn + 1}] {kind}: {timed.speed:.2f}× real time; RSS {minute_rss(rss)}")
        if not args.skip_ultralytics:
            imgsz = 320
            peer = lambda: ultralytics_peer(video, imgsz, Path(folder) / "ul")  # noqa: E731
            results["ultralytics"] = [measure("ultralytics", f"Ultralytics {imgsz}", peer, seconds)]
    rows = [min(runs, key=lambda m: m.wall_s) for runs in results.values()]
    print("\n" + table(rows, results.get("dense", [None])[0]))
    if "dense" in results and "coarse-to-fine" in results:
        pairs = zip(results["dense"], results["coarse-to-fine"], strict=True)
        ratios = [f"{d.wall_s / c.wall_s:.2f}" for d, c in pairs]
        fine = min(results["coarse-to-fine"], key=lambda m: m.wall_s).speed
        print(f"coarse-to-fine / dense, pair by pair: {', '.join(ratios)}×")
        print(f"coarse-to-fine {fine:.2f}× real time (target ≥ 12 on a quiet 2-core machine)")
    for kind in kinds:
        print(f"{kind}: {extra[kind]}")
    print(f"load average at the end: {os.getloadavg()[0]:.1f} on {env['cpus']} CPUs")
    return 0
