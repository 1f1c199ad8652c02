"""Annotation benchmark (W3): frames per second of the chain at batch 1, 4, 8, 16 vs per frame.

Builds (once, cached under ``.bench/annotate-models/``) random-weight checkpoints of the
published architectures — CLIP ViT-B/32, OWLv2 base/16 at 960 or Grounding DINO Swin-T, SAM
ViT-B — weights do not change the cost, so timings are real. Frames come from the bundled real
clip (``framewise/cli/demo_data/people.mp4``, 640×360). In one process it times:

- the **baseline**, the seed's per-frame loop: every model called once per frame, and object
  crops embedded one at a time (every stage's ``batch_size`` 1, one frame per chain call);
- the batched chain at each ``--batches`` size (one model call per stage per batch, crops of
  the whole batch in one call).

(``--fit``: each run on one batch of at least 4 frames rather than on all ``--frames``; the
full-size chain costs a minute or more a frame on a 2-core CPU) and prints frames per second
and the ratio to the baseline, with the machine's load average
before and after (other jobs on a shared machine slow every run). No gate runs (every frame is
annotated), so the figures are the models' cost. ``--size tiny`` runs the test-size models
(seconds instead of hours on a small CPU) to check the script itself. ``describer`` (BLIP base,
one crop per call as the seed does) may be added to ``--stages``; it is not batched, so it is
left out by default.

Each run's peak resident memory is printed beside its time (the kernel's high-water mark, reset
before each run). A large batch of full-size models can outgrow a small machine's memory: one
16-image OWLv2-at-960 and SAM call did on this 24 GiB machine (killed by the kernel at 24.4 GB).
``--max-call N`` caps the images (or crops) per model call of the batched runs (each stage's
``batch_size``) while the chain still takes ``--batches`` frames at a time.

Usage:
    .venv/bin/python bench/annotate.py [--frames 16] [--fit] [--batches 1,4,8,16] [--detector owlv2]
        [--stages tagger,open_vocab_detector,segmenter,clip_features] [--device cpu]
        [--size full|tiny] [--max-call N] [--json results.json]
"""

from __future__ import annotations

import argparse
import os
import platform
import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from pydantic import TypeAdapter

from _timing import memory_bytes, reset_peak_memory
from framewise.cli.annotate_commands import DEMO_DATA
from framewise.config.detectors import DetectorConfig
from framewise.core.atomic import write_json
from framewise.core.frames import Frame, batched
from framewise.pipeline.chain import DetectorChain, build_chain
from framewise.sources.stills import pictures_at
from framewise.testing import hf_models

CACHE = Path(".bench") / "annotate-models"
BUILDERS = {
    "clip": hf_models.tiny_clip,
    "owlv2": hf_models.tiny_owlv2,
    "grounding-dino": hf_models.tiny_grounding_dino,
    "sam": hf_models.tiny_sam,
    "blip": hf_models.tiny_blip,
}
STAGES = ("tagger", "open_vocab_detector", "segmenter", "clip_features")
TAGS = ["person", "table", "floor", "window", "wall", "chair", "car", "dog"]


def models(size: str, detector: str, stages: Sequence[str]) -> dict[str, Path]:
    """The checkpoint folders (built once per size)."""
    import torch

    found = {}
    for name in ("clip", detector, "sam", *(["blip"] if "describer" in stages else [])):
        folder = CACHE / size / name
        if not (folder / "config.json").is_file():
            torch.manual_seed(0)
            print(f"building {size} {name} (once) in {folder}", file=sys.stderr)
            BUILDERS[name](folder, full=size == "full")
        found[name] = folder
    return found


def stage_configs(
    folders: dict[str, Path],
    detector: str,
    stages: Sequence[str],
    device: str,
    per_item: bool,
    max_call: int | None = None,
) -> list[Any]:
    """The chain's stage configs.

    ``per_item`` sets every ``batch_size`` to 1 (the baseline); else ``max_call`` (if given)
    caps the images per model call.
    """
    cap = 1 if per_item else max_call
    size = {} if cap is None else {"batch_size": cap}
    every = {"device": device, **size}
    raw: dict[str, dict[str, Any]] = {
        "tagger": {"kind": "tagger", "model": str(folders["clip"]), "tags": TAGS, "top_k": 3},
        "open_vocab_detector": {
            "kind": "open_vocab_detector",
            "model": str(folders[detector]),
            "prompts": ["person", "table"],
            "threshold": 0.0,  # random weights score low: keep boxes so later stages work
            "max_detections": 4,
        },
        "segmenter": {"kind": "segmenter", "model": str(folders["sam"])},
        "clip_features": {"kind": "clip_features", "model": str(folders["clip"])},
        "describer": {"kind": "describer", "model": str(folders.get("blip", ""))},
    }
    adapter: TypeAdapter[Any] = TypeAdapter(DetectorConfig)
    return [adapter.validate_python({**raw[s], **every}) for s in stages]


def frames(count: int) -> list[Frame]:
    """``count`` frames of the bundled clip, 0.2 s apart."""
    times = [i * 0.2 for i in range(count)]
    start = datetime(2026, 1, 1, tzinfo=UTC)
    pictures = pictures_at(DEMO_DATA / "people.mp4", times)
    try:
        return [Frame(p, i, t, start, "people.mp4") for i, (t, p) in enumerate(pictures)]
    finally:
        pictures.close()


def timed(chain: DetectorChain, batch: list[Frame], size: int) -> tuple[float, int]:
    """Seconds to annotate ``batch`` in batches of ``size``, and the boxes found."""
    began = time.perf_counter()
    boxes = sum(len(out.detections) for part in batched(batch, size) for out in chain.run(part))
    return time.perf_counter() - began, boxes


def frames_for(size: int, available: int, fit: bool) -> int:
    """How many frames a run at batch ``size`` times: all, or (``fit``) one batch of at least 4.

    Frames per second is the figure, and on a CPU each frame costs the same whatever its place
    in the run, so ``fit`` times the baseline and batch 1 on 4 frames and batch ``b`` on one
    batch of ``b``: the full-size chain costs minutes a frame here, and 16 frames per run took
    hours.
    """
    return min(available, max(size, 4)) if fit else available


def positive(text: str) -> int:
    """``--max-call``'s value: a whole number of at least 1."""
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {value}")
    return value


def main(argv: Sequence[str] | None = None) -> int:
    """Run the benchmark and print the table."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=16)
    parser.add_argument("--batches", default="1,4,8,16")
    parser.add_argument("--detector", choices=("owlv2", "grounding-dino"), default="owlv2")
    parser.add_argument("--stages", default=",".join(STAGES))
    parser.add_argument("--device", default="cpu")
    parser.add_argument("--size", choices=("full", "tiny"), default="full")
    parser.add_argument(
        "--fit", action="store_true",
        help="time each run on one batch (at least 4 frames), not on all --frames",
    )  # fmt: skip
    parser.add_argument(
        "--max-call", type=positive, default=None,
        help="images (or crops) per model call in the batched runs (default: the whole batch)",
    )  # fmt: skip
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    import torch

    stages = [s for s in args.stages.split(",") if s]
    folders = models(args.size, args.detector, stages)
    batch = frames(args.frames)
    load_before = os.getloadavg()[0]
    rows: list[dict[str, Any]] = []
    runs = [("baseline (per frame)", 1, True)]
    runs += [(f"batch {b}", int(b), False) for b in args.batches.split(",")]
    chains: dict[bool, DetectorChain] = {}
    for label, size, per_item in runs:
        if per_item not in chains:  # the batched runs share one chain (and one warm-up)
            chains[per_item] = build_chain(
                stage_configs(folders, args.detector, stages, args.device, per_item, args.max_call)
            )
            chains[per_item].run(batch[:1])  # first-call allocations are not the steady state
        count = frames_for(size, len(batch), args.fit)
        reset_peak_memory()
        seconds, boxes = timed(chains[per_item], batch[:count], size)
        peak = memory_bytes("VmHWM") / 1e9
        rows.append({"run": label, "batch": size, "frames": count, "seconds": seconds,
                     "boxes": boxes, "peak_rss_gb": peak})  # fmt: skip
        print(f"{label}: {count} frames in {seconds:.1f} s, peak RSS {peak:.1f} GB, "
              f"load {os.getloadavg()[0]:.1f}", file=sys.stderr)  # fmt: skip
    for chain in chains.values():
        chain.close()
    base = rows[0]["frames"] / rows[0]["seconds"]
    load = (load_before, os.getloadavg()[0])
    print(f"annotation chain {stages} ({args.size} {args.detector}, up to {args.frames} frames "
          f"640x360, {args.device}, {os.cpu_count()} CPUs, torch {torch.__version__}, "
          f"{torch.get_num_threads()} threads; load average {load[0]:.1f} before, "
          f"{load[1]:.1f} after)")  # fmt: skip
    cap = "whole batch" if args.max_call is None else f"at most {args.max_call}"
    print(f"images per model call in the batched runs: {cap}")
    print(f"{'run':<22}{'frames':>7}{'s':>9}{'frames/s':>10}{'vs base':>9}{'boxes':>7}"
          f"{'peak GB':>9}")  # fmt: skip
    for row in rows:
        row["fps"] = row["frames"] / row["seconds"]
        row["speedup"] = row["fps"] / base
        print(
            f"{row['run']:<22}{row['frames']:>7}{row['seconds']:>9.2f}{row['fps']:>10.3f}"
            f"{row['speedup']:>8.2f}×{row['boxes']:>7}{row['peak_rss_gb']:>9.1f}"
        )
    if args.json is not None:
        machine = {"platform": platform.platform(), "cpus": os.cpu_count()}
        write_json(args.json, {"args": vars(args) | {"json": str(args.json)}, "rows": rows,
                               "machine": machine, "load_1m": load})  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
