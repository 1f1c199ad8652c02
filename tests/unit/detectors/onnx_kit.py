"""Tiny real ONNX models, built with ``onnx.helper``, shaped like Ultralytics exports.

Imported by the tests of this folder (``from tests.unit.detectors.onnx_kit import ...``).

Every model maps an image tensor ``images`` (N×3×H×W) to ``output0`` (N×C×A):

    output0 = base + mean(images) · brightness + H · height

``base`` is the output the test wants (e.g. known boxes in model-input pixels);
``brightness`` makes the output depend on each image's content (so batching bugs show);
``height`` makes it depend on the input height the detector chose (so letterbox shape
choices are observable). The metadata is written as Ultralytics writes it: every value a
string, ``names`` a dict literal, ``imgsz`` a list literal.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
import onnx
from numpy.typing import NDArray
from onnx import TensorProto, helper, numpy_helper

from framewise.core.frames import Frame

NAMES = ("person", "car", "sign")


def anchor_output(
    boxes: Sequence[tuple[float, float, float, float]],
    scores: Sequence[Sequence[float]],
    padding_anchors: int = 3,
) -> NDArray[np.float32]:
    """A YOLOv8/11 head output (4 + nc, A): one anchor per box, then empty anchors.

    Args:
        boxes: ``(cx, cy, w, h)`` per anchor, in model-input pixels.
        scores: Class scores per anchor.
        padding_anchors: Extra anchors with zero scores (as real heads have thousands).
    """
    classes = len(scores[0])
    out = np.zeros((4 + classes, len(boxes) + padding_anchors), np.float32)
    for anchor, (box, score) in enumerate(zip(boxes, scores, strict=True)):
        out[:4, anchor] = box
        out[4:, anchor] = score
    return out


def build_model(
    path: Path,
    base: NDArray[np.float32],
    *,
    names: Sequence[str] | None = NAMES,
    imgsz: tuple[int, int] = (640, 640),
    batch: int | None = None,
    dynamic_hw: bool = False,
    brightness: NDArray[np.float32] | None = None,
    height: NDArray[np.float32] | None = None,
    metadata: Mapping[str, str | None] | None = None,
    half: bool = False,
) -> Path:
    """Write an Ultralytics-like detection model to ``path`` and return ``path``.

    Args:
        base: The output (C, A) for every image.
        names: Class names written as Ultralytics' ``names`` metadata (``None``: omitted).
        imgsz: Input (height, width); fixed unless ``dynamic_hw``.
        batch: Fixed batch size, or ``None`` for a dynamic batch axis.
        dynamic_hw: Whether height and width are dynamic.
        brightness: (C, A) added per unit of the image's mean input value (0–1).
        height: (C, A) added per pixel of input height.
        metadata: Extra or replaced metadata values; ``None`` removes a key.
        half: Take a float16 input, as ``half=True`` exports do.
    """
    channels, anchors = base.shape
    zeros = np.zeros_like(base)
    initializers = [
        numpy_helper.from_array(base[None].astype(np.float32), "base"),
        numpy_helper.from_array((zeros if brightness is None else brightness)[None], "bright"),
        numpy_helper.from_array((zeros if height is None else height)[None], "per_h"),
        numpy_helper.from_array(np.array([2], np.int64), "h_axis"),
        numpy_helper.from_array(np.array([-1, 1, 1], np.int64), "mean_shape"),
    ]
    nodes = [
        helper.make_node("Cast", ["images"], ["pixels"], to=TensorProto.FLOAT),
        helper.make_node("ReduceMean", ["pixels"], ["mean4"], axes=[1, 2, 3], keepdims=1),
        helper.make_node("Reshape", ["mean4", "mean_shape"], ["mean"]),
        helper.make_node("Mul", ["mean", "bright"], ["bright_term"]),
        helper.make_node("Shape", ["images"], ["shape"]),
        helper.make_node("Gather", ["shape", "h_axis"], ["h_int"], axis=0),
        helper.make_node("Cast", ["h_int"], ["h"], to=TensorProto.FLOAT),
        helper.make_node("Mul", ["h", "per_h"], ["h_term"]),
        helper.make_node("Add", ["base", "bright_term"], ["partial"]),
        helper.make_node("Add", ["partial", "h_term"], ["output0"]),
    ]
    n: int | str = "batch" if batch is None else batch
    h: int | str = "height" if dynamic_hw else imgsz[0]
    w: int | str = "width" if dynamic_hw else imgsz[1]
    graph = helper.make_graph(
        nodes,
        "tiny_yolo",
        [
            helper.make_tensor_value_info(
                "images", TensorProto.FLOAT16 if half else TensorProto.FLOAT, [n, 3, h, w]
            )
        ],
        [helper.make_tensor_value_info("output0", TensorProto.FLOAT, [n, channels, anchors])],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    props: dict[str, str | None] = {
        "description": "tiny test model",
        "author": "Ultralytics",
        "stride": "32",
        "task": "detect",
        "batch": str(batch or 1),
        "imgsz": str(list(imgsz)),
        "names": None if names is None else str(dict(enumerate(names))),
        "args": str({"batch": batch or 1, "half": False, "dynamic": batch is None, "nms": False}),
    }
    props.update(metadata or {})
    for key, value in props.items():
        if value is not None:
            entry = model.metadata_props.add()
            entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, path)
    return path


def frame(width: int, height: int, *, value: int = 0, index: int = 0) -> Frame:
    """A BGR frame of one grey level (or seeded noise when ``value`` < 0)."""
    if value < 0:
        rng = np.random.default_rng(-value)
        image = rng.integers(0, 256, (height, width, 3), dtype=np.uint8)
    else:
        image = np.full((height, width, 3), value, dtype=np.uint8)
    return Frame(
        image=image,
        index=index,
        seconds=index / 10,
        wall_time=datetime(2026, 1, 1, tzinfo=UTC),
        source_id="test",
    )
