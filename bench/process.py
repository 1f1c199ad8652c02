"""Process benchmark: the whole pipeline against decode alone, inference alone and Ultralytics.

On one cached 1080p60 H.264 clip with grain (made once under .bench/, 60 s by default), in one
process, this times, in video-seconds per wall-second:

1. decode only: ``FileSource`` sampling 10 fps with the pipeline's decode settings; then the
   same while rect inference runs in another process (``_contention.py``): the contention
   floor of a small machine, which no pipeline sharing it can beat;
2. inference only: the same frames, decoded beforehand and held in memory (1080p BGR; at most
   600, which longer clips cycle through), through ``YoloOnnxDetector`` in pipeline batches;
3. the whole pipeline: ``Pipeline.process_video`` (decode thread → queue → batched inference →
   temporal logic → JSON log with thumbnails), with the process's RSS sampled every second.
   Only frames events may still name are kept for thumbnails: RSS stays flat (``--seconds 180``);
4. Ultralytics' own loop with the same ONNX file:
   ``YOLO(onnx).predict(source=video, vid_stride=6, stream=True, imgsz=640)``; its predict
   defaults (``rect=True``, batch 1) letterbox a dynamic-axes model to the stride only, so it
   runs 640×384 on 16:9 video (the input shape it used is printed).

(2) and (3) run twice: at imgsz×imgsz, and with rect letterboxing (a 16:9 frame at 640 becomes
640×384, as in Ultralytics; in the pipeline YAML that is ``input_size: [384, 640]``). Targets
(issue 3, item 10): pipeline ≥ 2× the Ultralytics loop (same input size: the rect variant),
and pipeline wall ≤ 1.1 × the slower of (1) and (2). Run it on a quiet machine.

The model: YOLO11n from ``yolo11n.yaml``, exported by Ultralytics (dynamic axes, opset 17),
untrained, its batch-norm statistics set on a few frames of the clip so that its outputs depend
on the picture (~1.2 boxes per frame at the default ``--conf 0.05``; an untrained model
otherwise finds nothing). Needs the ``train`` extra: ``make train-deps``.

``--strategy dense|coarse-to-fine|both`` benches the Tarkov profile's read strategies on a
rendered session instead (see ``bench/_strategy.py``).

Usage:
    .venv/bin/python bench/process.py [--seconds 60] [--imgsz 640] [--conf 0.05] [--skip-frame
        NONREF] [--skip-loop-filter ALL] [--decode-threads 1] [--skip-ultralytics] [--json F]
"""

from __future__ import annotations

import argparse
import gc
import os
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from _clips import CACHE, ClipSpec, add_clip_arguments, cached_clip, spec_from_arguments
from _contention import beside_inference, floor_lines
from _timing import Measurement, machine, measure, memory_bytes, table
from framewise.config.pipeline import PipelineConfig
from framewise.core.atomic import write_json
from framewise.core.frames import Frame, batched
from framewise.detectors.letterbox import rect_shape
from framewise.detectors.yolo_onnx import YoloOnnxDetector
from framewise.pipeline.runner import Pipeline, VideoRun
from framewise.sources.file import DecodeOptions, FileSource

DETECTION_FPS = 10.0
BATCH = 8  # the pipeline's default batch_size
QUEUE = 4  # the pipeline's default queue_size (batches)
CALIBRATION_FRAMES = 8
MAX_HELD_FRAMES = 600  # ~3.7 GB of 1080p BGR; longer clips cycle through these

Decode = dict[str, Any]
"""The pipeline YAML's ``source.decode`` mapping."""


@dataclass
class RssSampler:
    """Samples this process's resident memory (``/proc/self/status``) every ``period`` s."""

    period: float = 1.0
    samples: list[tuple[float, int]] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)

    @contextmanager
    def running(self) -> Iterator[RssSampler]:
        """Sample in a background thread while the ``with`` block runs."""
        began = time.perf_counter()
        self._stop.clear()

        def sample() -> None:
            while True:
                self.samples.append((time.perf_counter() - began, memory_bytes("VmRSS")))
                if self._stop.wait(self.period):
                    return

        (thread := threading.Thread(target=sample, name="rss", daemon=True)).start()
        try:
            yield self
        finally:
            self._stop.set()
            thread.join()
            self.samples.append((time.perf_counter() - began, memory_bytes("VmRSS")))

    def summary(self) -> dict[str, Any]:
        """Start, peak and end RSS in MiB, RSS at each quarter of the run, and every sample."""
        mib = [value / 2**20 for _, value in self.samples]
        quarters = [round(mib[min(len(mib) - 1, len(mib) * q // 4)], 1) for q in (1, 2, 3)]
        ends = {"start_mib": mib[0], "peak_mib": max(mib), "end_mib": mib[-1]}
        return {key: round(value, 1) for key, value in ends.items()} | {
            "quarters_mib": quarters,
            "samples_s_mib": [(round(at, 1), round(v / 2**20, 1)) for at, v in self.samples],
        }


def bench_model(clip: Path, imgsz: int) -> Path:
    """The untrained YOLO11n ONNX export for ``imgsz``, made once under ``.bench/``."""
    path = CACHE / f"yolo11n-untrained-bn{CALIBRATION_FRAMES}-{clip.stem}-{imgsz}.onnx"
    if path.exists():
        return path
    from framewise.training.export import export_untrained_onnx

    with FileSource(clip, sample_fps=1.0, prefetch=0) as source:
        frames = [f.image for _, f in zip(range(CALIBRATION_FRAMES), source.read(), strict=False)]
    print(f"exporting {path.name} (once) ...", file=sys.stderr)
    return export_untrained_onnx(
        path, nc=80, imgsz=imgsz, dynamic=True, opset=17, calibration=frames
    )


def decode_options(decode: Decode) -> DecodeOptions:
    """What the pipeline's source makes of the YAML's ``source.decode`` (as runner.py does)."""
    return DecodeOptions(
        skip_nonref=decode["skip_frame"] == "NONREF",
        skip_loop_filter=decode["skip_loop_filter"] not in ("NONE", "DEFAULT"),
        threads=decode["threads"],
    )


def decode_only(clip: Path, decode: Decode) -> int:
    """Read every frame the pipeline's source would hand out (same options and prefetch)."""
    with FileSource(
        clip, sample_fps=DETECTION_FPS, decode=decode_options(decode), prefetch=QUEUE * BATCH
    ) as source:
        return sum(1 for _ in source.read())


def predecode(clip: Path) -> tuple[list[Frame], int]:
    """The first :data:`MAX_HELD_FRAMES` sampled frames in memory (1080p BGR: ~6 MB each).

    Returns:
        The frames held, and how many the source hands out in all.
    """
    held: list[Frame] = []
    count = 0
    with FileSource(clip, sample_fps=DETECTION_FPS, prefetch=QUEUE * BATCH) as source:
        for frame in source.read():
            count += 1
            if len(held) < MAX_HELD_FRAMES:
                held.append(frame)
    return held, count


def inference_only(
    model: Path,
    frames: list[Frame],
    count: int,
    settings: tuple[int, bool, float],
    boxes: list[int],
) -> Callable[[], int]:
    """Run the detector on ``count`` frames (cycling through ``frames``) in pipeline batches.

    ``settings`` is (imgsz, rect, confidence); the boxes found per frame go to ``boxes``.
    """
    imgsz, rect, conf = settings

    def run() -> int:
        stream = (frames[i % len(frames)] for i in range(count))
        with YoloOnnxDetector(
            model, imgsz=imgsz, rect=rect, batch=BATCH, confidence_threshold=conf
        ) as detector:
            for batch in batched(stream, BATCH):
                boxes.extend(len(found) for found in detector.detect(batch))
        return count

    return run


def pipeline_config(
    model: Path,
    input_size: int | tuple[int, int],
    conf: float,
    decode: Decode,
    out: Path,
) -> PipelineConfig:
    """The pipeline a profile would use: 10 fps, one detector, a catch-all episode rule."""
    source = {"detection_fps": DETECTION_FPS, "batch_size": BATCH, "queue_size": QUEUE}
    detector = {"kind": "yolo_onnx", "model": str(model), "input_size": input_size}
    return PipelineConfig.model_validate(
        {
            "name": "bench",
            "source": source | {"decode": decode},
            "detectors": [detector | {"confidence": conf}],
            "filters": [{"kind": "episode", "classes": []}],
            "sinks": [{"kind": "json_log", "output_dir": str(out), "thumbnails": True}],
        }
    )


def whole_pipeline(
    config: PipelineConfig, clip: Path, out: Path, rss: RssSampler, runs: list[VideoRun]
) -> Callable[[], int]:
    """``Pipeline.process_video`` from scratch (``force``), RSS sampled meanwhile."""
    pipeline = Pipeline(config)  # model loading is not part of the timing

    def run() -> int:
        try:
            with rss.running():
                done = pipeline.process_video(clip, out, force=True)
        finally:
            pipeline.close()
        runs.append(done)
        return done.frames

    return run


def ultralytics_loop(
    model: Path, clip: Path, imgsz: int, conf: float, config_dir: Path, shape: list[int]
) -> Callable[[], int]:
    """Ultralytics' streaming predict over the video file, every 6th frame.

    The model input shape its predictor used for a 1080p frame is left in ``shape``.
    """
    from framewise.training.ultralytics_env import configure_ultralytics, ultralytics_module

    configure_ultralytics(config_dir)
    yolo = ultralytics_module("ultralytics").YOLO(str(model), task="detect")

    def run() -> int:
        results = yolo.predict(
            source=str(clip), vid_stride=6, stream=True, imgsz=imgsz, conf=conf, verbose=False
        )
        frames = sum(1 for _ in results)
        picture = np.zeros((1080, 1920, 3), np.uint8)
        shape.extend(int(side) for side in yolo.predictor.preprocess([picture]).shape)
        return frames

    return run


def verdicts(results: dict[str, Measurement], variants: list[str]) -> list[str]:
    """The two target ratios for each detector variant."""
    lines = []
    decode, ultra = results.get("decode_only"), results.get("ultralytics")
    for variant in variants:
        pipe, infer = results.get(f"pipeline_{variant}"), results.get(f"inference_{variant}")
        if pipe and ultra:
            gain = pipe.speed / ultra.speed
            if variant == "rect":  # the input size Ultralytics' predict uses: the target
                verdict = f"same input; target ≥ 2: {'met' if gain >= 2.0 else 'MISSED'}"
            else:
                verdict = "larger input than Ultralytics' rect 640x384; no target"
            lines.append(f"[{variant}] pipeline vs Ultralytics: {gain:.2f}× ({verdict})")
        if pipe and decode and infer:
            ratio = pipe.wall_s / max(decode.wall_s, infer.wall_s)
            verdict = "met" if ratio <= 1.1 else "MISSED"
            slower = "decode" if decode.wall_s >= infer.wall_s else "inference"
            lines.append(
                f"[{variant}] pipeline wall / max(decode, inference) = {ratio:.2f} "
                f"(slower: {slower}; target ≤ 1.1: {verdict})"
            )
    return lines


def run_all(
    args: argparse.Namespace, spec: ClipSpec, clip: Path, model: Path
) -> tuple[dict[str, Measurement], dict[str, Any]]:
    """Every measurement, in order; returns them and the side figures (RSS, boxes, events)."""
    rect_h, rect_w = rect_shape(spec.height, spec.width, (args.imgsz, args.imgsz), 32)
    variants = {"square": (False, args.imgsz), "rect": (True, (rect_h, rect_w))}
    labels = {"square": f"{args.imgsz}x{args.imgsz}", "rect": f"{rect_w}x{rect_h} rect"}
    results: dict[str, Measurement] = {}
    extra: dict[str, Any] = {"boxes_per_frame": {}, "rss": {}, "events": {}}

    def record(key: str, label: str, run: Callable[[], int]) -> None:
        print(f"  {label} ...", file=sys.stderr, flush=True)
        results[key] = measure(key, label, run, spec.seconds)
        print(f"    {results[key].wall_s:.1f} s", file=sys.stderr, flush=True)

    decode = decode_settings(args)
    record("decode_only", "decode only (FileSource, 10 fps)", lambda: decode_only(clip, decode))
    beside = beside_inference(model, args.imgsz, True, lambda: decode_only(clip, decode))
    record("decode_beside_rect", "decode only, rect inference in another process", beside)
    with tempfile.TemporaryDirectory(prefix="bench-process-") as folder:
        # The pipelines run before anything holds pre-decoded frames: once freed, glibc keeps
        # most of those GBs in its heap, and the RSS figures would start from there.
        for variant, (_, input_size) in variants.items():
            out = Path(folder) / variant
            config = pipeline_config(model, input_size, args.conf, decode, out)
            rss, runs = RssSampler(), list[VideoRun]()
            label = f"pipeline, {labels[variant]}, thumbnails"
            record(f"pipeline_{variant}", label, whole_pipeline(config, clip, out, rss, runs))
            extra["rss"][variant] = rss.summary()
            thumbnails = len(list(out.glob("**/*.jpg")))
            extra["events"][variant] = {"events": runs[-1].events, "thumbnails": thumbnails}
        frames, count = predecode(clip)
        for variant, (rect, _) in variants.items():
            boxes: list[int] = []
            label = f"inference only, {labels[variant]}, batch {BATCH}"
            settings = (args.imgsz, rect, args.conf)
            run = inference_only(model, frames, count, settings, boxes)
            record(f"inference_{variant}", label, run)
            extra["boxes_per_frame"][variant] = round(sum(boxes) / max(1, len(boxes)), 2)
        del frames
        gc.collect()
        if not args.skip_ultralytics:
            shape: list[int] = []
            label = f"Ultralytics predict(stream, vid_stride=6, imgsz={args.imgsz})"
            config_dir = Path(folder) / "ultralytics"
            loop = ultralytics_loop(model, clip, args.imgsz, args.conf, config_dir, shape)
            record("ultralytics", label, loop)
            extra["ultralytics_input_shape"] = shape
    return results, extra


def decode_settings(args: argparse.Namespace) -> Decode:
    """The YAML's ``source.decode`` for the decoder flags."""
    return {
        "skip_frame": args.skip_frame,
        "skip_loop_filter": args.skip_loop_filter,
        "threads": args.decode_threads,
    }


def report(results: dict[str, Measurement], extra: dict[str, Any], conf: float) -> list[str]:
    """The table, the target verdicts, memory, and what the model found."""
    lines = ["", table(list(results.values()), results.get("ultralytics")), ""]
    lines += verdicts(results, ["square", "rect"]) + floor_lines(results)
    for variant, memory in extra["rss"].items():
        lines.append(
            f"[{variant}] pipeline RSS MiB: start {memory['start_mib']}, "
            f"peak {memory['peak_mib']}, end {memory['end_mib']}; "
            f"at 1/4, 1/2, 3/4 of the run: {memory['quarters_mib']}"
        )
    lines.append(f"Ultralytics' input for a 1080p frame: {extra.get('ultralytics_input_shape')}")
    lines.append(
        f"boxes per frame (conf {conf}): {extra['boxes_per_frame']}; events: {extra['events']}"
    )
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    add_clip_arguments(parser, ClipSpec())
    parser.add_argument("--imgsz", type=int, default=640, help="model input side")
    parser.add_argument("--conf", type=float, default=0.05, help="confidence threshold")
    decoder = parser.add_argument_group("decoder (the pipeline YAML's source.decode)")
    decoder.add_argument("--skip-frame", choices=["DEFAULT", "NONREF"], default="DEFAULT")
    decoder.add_argument("--skip-loop-filter", choices=["DEFAULT", "ALL"], default="DEFAULT")
    decoder.add_argument("--decode-threads", type=int, default=0, help="0: FFmpeg chooses")
    parser.add_argument("--json", type=Path, help="write the figures here")
    parser.add_argument("--skip-ultralytics", action="store_true", help="no baseline loop")
    import _strategy  # the --strategy bench (issue 23); it reuses RssSampler from here

    _strategy.add_arguments(parser)
    args = parser.parse_args(argv)
    if args.strategy:
        return _strategy.main(args)
    spec = spec_from_arguments(args)
    clip = cached_clip(spec)
    model = bench_model(clip.path, args.imgsz)
    env = machine()
    print(f"clip: {clip.path.name} ({clip.bit_rate / 1e6:.2f} Mb/s); model: {model.name}")
    print(f"machine: {env['cpus']} CPUs, load {env['load_average_1m']} at start")
    print(f"decoder: {decode_settings(args)}")
    results, extra = run_all(args, spec, clip.path, model)
    for line in report(results, extra, args.conf):
        print(line)
    load = os.getloadavg()[0]
    print(f"load average at the end: {load:.1f} on {env['cpus']} CPUs")
    if args.json:
        write_json(
            args.json,
            {
                "command": " ".join(["bench/process.py", *(argv or sys.argv[1:])]),
                "clip": {**spec.__dict__, "file": clip.path.name},
                "model": model.name,
                "decode": decode_settings(args),
                "confidence": args.conf,
                "machine": env,
                "results": {key: m.as_dict() for key, m in results.items()},
                **extra,
                "verdicts": verdicts(results, ["square", "rect"]),
                "load_average_1m_after": round(load, 2),
            },
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
