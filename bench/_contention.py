"""The machine's contention floor: decode beside an independent inference process.

On a small machine two busy cores slow each other down (shared caches, memory bandwidth, a
hypervisor's neighbours) even when the two jobs share nothing. This runs the inference loop in
a separate process — no shared GIL, queue or Python — and times decode-only meanwhile. That
time is the fastest the pipeline's decode thread can go while inference runs beside it; the
pipeline's wall time over it is the pipeline's own overhead.
"""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from _timing import Measurement

CHILD = """
import sys
from datetime import UTC, datetime
import numpy as np
from framewise.core.frames import Frame
from framewise.detectors.yolo_onnx import YoloOnnxDetector
model, imgsz, rect = sys.argv[1], int(sys.argv[2]), sys.argv[3] == "1"
picture = np.random.default_rng(0).integers(0, 255, (1080, 1920, 3), np.uint8)
frames = [Frame(picture, i, i / 10, datetime.now(UTC), "bench") for i in range(8)]
with YoloOnnxDetector(model, imgsz=imgsz, rect=rect, batch=8) as detector:
    detector.detect(frames)
    print("ready", flush=True)
    while True:
        detector.detect(frames)
"""


def beside_inference(
    model: Path, imgsz: int, rect: bool, run: Callable[[], int]
) -> Callable[[], int]:
    """``run`` (decode only), wrapped to run while another process infers without pause."""

    def wrapped() -> int:
        child = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(model), str(imgsz), "1" if rect else "0"],
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            assert child.stdout is not None
            if child.stdout.readline().strip() != "ready":
                raise RuntimeError("the inference process did not start")
            return run()
        finally:
            child.terminate()
            child.wait(timeout=30)

    return wrapped


def floor_lines(results: dict[str, Measurement]) -> list[str]:
    """How the pipeline compares with decode beside inference (when measured)."""
    decode, beside = results.get("decode_only"), results.get("decode_beside_rect")
    pipe = results.get("pipeline_rect")
    if decode is None or beside is None or pipe is None:
        return []
    floor = beside.wall_s
    return [
        f"[rect] decode beside an independent inference process: {floor:.2f} s = "
        f"{floor / decode.wall_s:.2f}× decode alone (this machine's contention floor); "
        f"pipeline / floor = {pipe.wall_s / floor:.2f}"
    ]
