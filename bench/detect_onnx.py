"""Benchmark the yolo_onnx detector: ms per image at 320 and 640, batch 1 against batch 8.

The model is built here with ``onnx.helper``: a YOLO-shaped network (a stride-2 conv
backbone to strides 8/16/32, one 1×1 head per level, 80 classes, output (N, 84, anchors))
with random weights, about 2.9 GFLOPs at 640 (YOLO11n: 6.5). Its scores are biased so that a
few dozen anchors per image pass the threshold, as with a trained model on a busy frame.

Also measured in the same run, as baselines for the choices in the detector:
- NMS: OpenCV's ``NMSBoxesBatched`` against a vectorised numpy loop, at typical box counts;
- ONNX Runtime intra-op threads: 1 against 2;
- pre/post-processing overhead: the detector against a bare ``session.run`` on a ready blob.

Run: ``.venv/bin/python bench/detect_onnx.py [--frames 24] [--threads 1]``.
"""

from __future__ import annotations

import argparse
import os
import tempfile
import time
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NamedTuple

import numpy as np
import onnx
import onnxruntime
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

from framewise.core.frames import Frame
from framewise.detectors.letterbox import rect_shape
from framewise.detectors.yolo_decode import nms
from framewise.detectors.yolo_onnx import YoloOnnxDetector
from framewise.testing.pictures import busy_picture

CLASSES = 80
# (out channels, stride) per conv: stride-2 convs halve the map, stride-1 convs refine it.
BACKBONE = [(16, 2), (32, 2), (32, 1), (64, 2), (64, 1), (128, 2), (128, 1), (256, 2), (256, 1)]
LEVELS = {4: 8, 6: 16, 8: 32}  # backbone layer index → head stride


def build_model(path: Path) -> Path:
    """Write a YOLO-shaped detector with dynamic batch, height and width to ``path``."""
    rng = np.random.default_rng(0)
    nodes: list[onnx.NodeProto] = []
    inits: list[onnx.TensorProto] = []
    x, channels, heads = "images", 3, []
    for i, (out, stride) in enumerate(BACKBONE):
        weight = rng.normal(0, np.sqrt(2 / (channels * 9)), (out, channels, 3, 3))
        inits += [
            numpy_helper.from_array(weight.astype(np.float32), f"w{i}"),
            numpy_helper.from_array(np.zeros(out, np.float32), f"b{i}"),
        ]
        nodes += [
            helper.make_node(
                "Conv", [x, f"w{i}", f"b{i}"], [f"c{i}"], kernel_shape=[3, 3],
                strides=[stride, stride], pads=[1, 1, 1, 1],
            ),
            helper.make_node("Relu", [f"c{i}"], [f"a{i}"]),
        ]  # fmt: skip
        x, channels = f"a{i}", out
        if i in LEVELS:
            heads.append(_head(nodes, inits, x, channels, LEVELS[i], rng))
    nodes += [
        helper.make_node("Concat", heads, ["raw"], axis=2),
        helper.make_node("Sigmoid", ["raw"], ["unit"]),
        helper.make_node("Mul", ["unit", "scale"], ["output0"]),
    ]
    scale = np.ones((1, 4 + CLASSES, 1), np.float32)
    scale[0, :4, 0] = (640, 640, 160, 160)  # boxes anywhere in the input, up to 160 px
    inits.append(numpy_helper.from_array(scale, "scale"))
    graph = helper.make_graph(
        nodes,
        "bench_yolo",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, ["batch", 3, "h", "w"])],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, ["batch", 84, "anchors"])],
        initializer=inits,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    meta = {"stride": "32", "task": "detect", "imgsz": "[640, 640]"}
    meta["names"] = str({i: f"class{i}" for i in range(CLASSES)})
    for key, value in meta.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.save(model, path)
    return path


def _head(
    nodes: list[onnx.NodeProto],
    inits: list[onnx.TensorProto],
    x: str,
    channels: int,
    stride: int,
    rng: np.random.Generator,
) -> str:
    weight = rng.normal(0, 1 / np.sqrt(channels), (4 + CLASSES, channels, 1, 1))
    bias = np.zeros(4 + CLASSES, np.float32)
    bias[4:] = -3.6  # most anchors score ~0.05; a few dozen per frame pass 0.25
    inits += [
        numpy_helper.from_array(weight.astype(np.float32), f"hw{stride}"),
        numpy_helper.from_array(bias, f"hb{stride}"),
        numpy_helper.from_array(np.array([0, 4 + CLASSES, -1], np.int64), f"hs{stride}"),
    ]
    nodes += [
        helper.make_node("Conv", [x, f"hw{stride}", f"hb{stride}"], [f"h{stride}"]),
        helper.make_node("Reshape", [f"h{stride}", f"hs{stride}"], [f"p{stride}"]),
    ]
    return f"p{stride}"


class Timing(NamedTuple):
    """Milliseconds per image: wall clock, and CPU time of this process."""

    wall: float
    cpu: float

    def __str__(self) -> str:
        return f"{self.wall:6.1f} ({self.cpu:5.1f} cpu)"


def per_image_ms(run: Callable[[], object], images: int, frames: int) -> Timing:
    """Median of 3 rounds of ``frames`` images, per image.

    CPU time is reported beside wall time because the machine is shared: with one
    intra-op thread the CPU time is the work itself, whatever else runs.
    """
    run()  # warm-up: first runs allocate and tune kernels
    rounds = max(1, frames // images)
    walls, cpus = [], []
    for _ in range(3):
        wall, cpu = time.perf_counter(), time.process_time()
        for _ in range(rounds):
            run()
        walls.append((time.perf_counter() - wall) / rounds / images)
        cpus.append((time.process_time() - cpu) / rounds / images)
    return Timing(1000 * float(np.median(walls)), 1000 * float(np.median(cpus)))


def numpy_nms(xyxy: NDArray[np.float32], conf: NDArray[np.float32], cls: NDArray[np.int32],
              iou: float) -> NDArray[np.intp]:  # fmt: skip
    """The vectorised numpy alternative to OpenCV's NMS (class offset trick)."""
    boxes = xyxy + (cls.astype(np.float32) * 7680)[:, None]
    x1, y1, x2, y2 = boxes.T
    areas = (x2 - x1) * (y2 - y1)
    order, keep = np.argsort(-conf, kind="stable"), []
    while order.size:
        i, rest = order[0], order[1:]
        keep.append(i)
        w = np.clip(np.minimum(x2[i], x2[rest]) - np.maximum(x1[i], x1[rest]), 0, None)
        h = np.clip(np.minimum(y2[i], y2[rest]) - np.maximum(y1[i], y1[rest]), 0, None)
        inter = w * h
        order = rest[inter / np.maximum(areas[i] + areas[rest] - inter, 1e-9) <= iou]
    return np.array(keep, np.intp)


def bench_nms() -> None:
    rng = np.random.default_rng(0)
    print("\nNMS (class-aware, IoU 0.7): CPU µs per image")
    for n in (10, 100, 300, 1000, 3000):
        centres = rng.uniform(50, 600, (max(1, n // 10), 2))[rng.integers(0, max(1, n // 10), n)]
        centres += rng.normal(0, 5, (n, 2))
        sizes = rng.uniform(20, 150, (n, 2))
        xyxy = np.concatenate([centres - sizes / 2, centres + sizes / 2], 1).astype(np.float32)
        conf = rng.uniform(0.25, 1, n).astype(np.float32)
        cls = rng.integers(0, 3, n).astype(np.int32)
        assert set(nms(xyxy, conf, cls, 0.7).tolist()) == set(numpy_nms(xyxy, conf, cls, 0.7))
        reps = max(10, 5000 // n)
        timings = []
        for fn in (nms, numpy_nms):
            start = time.process_time()
            for _ in range(reps):
                fn(xyxy, conf, cls, 0.7)
            timings.append((time.process_time() - start) / reps * 1e6)
        print(f"  {n:5d} boxes: opencv {timings[0]:8.0f}  numpy {timings[1]:8.0f}  "
              f"numpy/opencv {timings[1] / timings[0]:5.1f}x")  # fmt: skip


def bare_session(model: Path, threads: int) -> onnxruntime.InferenceSession:
    """An ONNX Runtime session with the detector's settings, to time the model alone."""
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads, options.inter_op_num_threads = threads, 1
    return onnxruntime.InferenceSession(
        str(model), sess_options=options, providers=["CPUExecutionProvider"]
    )


def measure(
    model: Path, size: int, threads: int, frames: list[Frame], count: int, rect: bool = False
) -> str:
    """One row of the table: batch 1, batch 8, their ratio, and the bare model's time."""
    with YoloOnnxDetector(model, imgsz=size, intra_op_threads=threads, rect=rect) as detector:
        found = np.mean([len(d) for d in detector.detect(frames)])
        one = per_image_ms(lambda: [detector.detect([f]) for f in frames], len(frames), count)
        eight = per_image_ms(lambda: detector.detect(frames), len(frames), count)
    session = bare_session(model, threads)
    # What the detector feeds the model for these 1920x1080 frames.
    height = rect_shape(1080, 1920, (size, size), 32)[0] if rect else size
    blob = np.random.default_rng(0).random((len(frames), 3, height, size), np.float32)
    bare = per_image_ms(lambda: session.run(None, {"images": blob}), len(frames), count)
    return (
        f"  {size}x{height}: batch 1 {one}  batch 8 {eight}  "
        f"batch-8/batch-1 {eight.wall / one.wall:4.2f} ({eight.cpu / one.cpu:4.2f} cpu)"
        f"  | model alone, batch 8: {bare}  [{found:.0f} boxes/frame]"
    )


def single_ms(model: Path, threads: int, frames: list[Frame], count: int) -> Timing:
    """Milliseconds per image at 640, one image per call, on ``threads`` intra-op threads."""
    with YoloOnnxDetector(model, intra_op_threads=threads) as detector:
        return per_image_ms(lambda: [detector.detect([f]) for f in frames], len(frames), count)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--frames", type=int, default=24, help="images per measurement")
    parser.add_argument("--threads", type=int, default=1, help="intra-op threads")
    args = parser.parse_args()
    load = os.getloadavg()[0]
    print(
        f"onnxruntime {onnxruntime.__version__}, {os.cpu_count()} CPUs "
        f"(1-min load {load:.1f} at start: figures are only comparable when it is low), "
        f"1920x1080 frames"
    )
    frames = [
        Frame(busy_picture(seed=i), i, i / 10, datetime(2026, 1, 1, tzinfo=UTC), "bench")
        for i in range(8)
    ]
    with tempfile.TemporaryDirectory() as folder:
        model = build_model(Path(folder) / "bench_yolo.onnx")
        print(f"\nyolo_onnx detect(), {args.threads} intra-op thread(s): ms per image")
        for size in (320, 640):
            print(measure(model, size, args.threads, frames, args.frames))
        print("  rect=True (dynamic height/width, padded to the stride only):")
        for size in (320, 640):
            print(measure(model, size, args.threads, frames, args.frames, rect=True))
        print("\nintra-op threads at 640, batch 1: ms per image")
        for threads in (1, 2):
            print(f"  {threads} thread(s): {single_ms(model, threads, frames, args.frames)}")
    bench_nms()


if __name__ == "__main__":
    main()
