"""Tiny real ONNX detection models for tests and benchmarks, shaped like Ultralytics exports.

:func:`colour_model` "detects" colour: class ``red`` scores the frame's mean red level, class
``green`` its mean green level, each at a fixed box. Run on a clip of coloured segments it
gives detections whose times are known exactly, so whole pipelines can be checked against
ground truth without a trained network. Needs the ``onnx`` package (a dev dependency).
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np

COLOURS = ("red", "green")

COLOUR_SEGMENTS: tuple[tuple[str, float], ...] = (
    ("red", 2),
    ("black", 1),
    ("lime", 2),
    ("black", 1),
    ("red", 1.5),
    ("black", 1.5),
)
"""A clip for :func:`colour_model` (``(colour, seconds)``): red 0–2 s, green (lime) 3–5 s,
red 6–7.5 s, black between and after — three episodes whose times are known exactly."""

COLOUR_STATE_MACHINE = """\
name: colours
initial: idle
states:
  idle: {}
  raid: {classes: [red]}
  killed: {classes: [green]}
transitions:
  idle: [raid, killed]
  raid: [killed]
  killed: [raid]
events:
  - type: state_transition
    when: enter
    data: {from_state: from_state, to_state: state}
  - type: raid_start
    when: enter
    states: [raid]
    forbids: [raid]
    opens: [raid]
    data: {map_name: const:customs, character_type: const:pmc, game_mode: const:pve}
  - type: raid_end
    when: enter
    states: [killed]
    requires: [raid]
    closes: [raid]
    data: {outcome: const:killed, extract_location: "const:"}
  - type: kill
    when: episode
    classes: [red]
    requires: [raid]
    data: {enemy_type: const:scav, weapon: const:AK-74M, headshot: "const:"}
"""
"""A state machine table over the colour model's classes: red opens a raid and is a kill,
green ends it — enough to drive raid_start / kill / raid_end / state_transition in tests."""


def colour_model(
    path: Path,
    *,
    imgsz: int = 320,
    boxes: Sequence[tuple[float, float, float, float]] = ((80, 80, 100, 60), (240, 200, 80, 40)),
    dynamic_batch: bool = True,
) -> Path:
    """Write the colour model to ``path`` and return it.

    Args:
        path: The ``.onnx`` file to write.
        imgsz: Square input side (a multiple of 32).
        boxes: ``(cx, cy, w, h)`` in model-input pixels of the red and the green box.
        dynamic_batch: Give the model a dynamic batch axis (else batch 1).
    """
    import onnx
    from onnx import TensorProto, helper, numpy_helper

    classes = len(COLOURS)
    anchors = len(boxes)
    base = np.zeros((1, 4 + classes, anchors), np.float32)
    for anchor, box in enumerate(boxes):
        base[0, :4, anchor] = box
    masks = []
    for c in range(classes):
        mask = np.zeros_like(base)
        mask[0, 4 + c, c] = 1.0  # class c scores only at its own anchor
        masks.append(numpy_helper.from_array(mask, f"mask{c}"))
    initializers = [
        numpy_helper.from_array(base, "base"),
        numpy_helper.from_array(np.array([-1, 1, 1], np.int64), "col"),
        *masks,
        *(numpy_helper.from_array(np.array([c], np.int64), f"ch{c}") for c in range(classes)),
    ]
    nodes = [helper.make_node("ReduceMean", ["images"], ["means"], axes=[2, 3], keepdims=0)]
    terms = ["base"]
    for c in range(classes):  # input channels are RGB: red is 0, green is 1
        nodes += [
            helper.make_node("Gather", ["means", f"ch{c}"], [f"m{c}"], axis=1),
            helper.make_node("Reshape", [f"m{c}", "col"], [f"s{c}"]),
            helper.make_node("Mul", [f"s{c}", f"mask{c}"], [f"t{c}"]),
        ]
        terms.append(f"t{c}")
    for i in range(1, len(terms)):
        out = "output0" if i == len(terms) - 1 else f"sum{i}"
        nodes.append(
            helper.make_node("Add", [terms[i - 1] if i == 1 else f"sum{i - 1}", terms[i]], [out])
        )
    batch: int | str = "batch" if dynamic_batch else 1
    graph = helper.make_graph(
        nodes,
        "colour_model",
        [helper.make_tensor_value_info("images", TensorProto.FLOAT, [batch, 3, imgsz, imgsz])],
        [
            helper.make_tensor_value_info(
                "output0", TensorProto.FLOAT, [batch, 4 + classes, anchors]
            )
        ],
        initializer=initializers,
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 17)])
    model.ir_version = 8
    for key, value in {
        "author": "framewise tests",
        "task": "detect",
        "stride": "32",
        "batch": "1",
        "imgsz": str([imgsz, imgsz]),
        "names": str(dict(enumerate(COLOURS))),
    }.items():
        entry = model.metadata_props.add()
        entry.key, entry.value = key, value
    onnx.checker.check_model(model)
    onnx.save(model, str(path))
    return path
