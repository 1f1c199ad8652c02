"""The model card of a YOLO run: what the model is, how it was made, how good it is."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

from framewise.datasets.spec import DatasetSpec
from framewise.training.augment import describe

if TYPE_CHECKING:  # the run's types; yolo.py imports this module, not the other way round
    from framewise.training.yolo import TrainResult, TrainSettings


def model_card(result: TrainResult, settings: TrainSettings, spec: DatasetSpec) -> str:
    """The model card: what the model is, how it was made, how good it is."""
    classes = list(spec.names)
    recipe = spec.raw.get("recipe")
    lines = [
        f"# {result.onnx.name}",
        "",
        f"YOLO detector ({settings.start}) trained by `framewise train yolo`.",
        "",
        "## How it was made",
        "",
        f"- Command: `{result.command}`",
        f"- Dataset: `{settings.data}` ({len(classes)} classes: {', '.join(classes)})",
        f"- Data recipe: {json.dumps(recipe) if recipe else 'see the dataset folder'}",
        f"- Epochs {settings.epochs}, imgsz {settings.imgsz}, batch {settings.batch}, "
        f"seed {settings.seed}, device {settings.device}",
        f"- Augmentations: {describe(settings.augment)}",
        f"- Training time: {result.train_seconds / 60:.1f} min; versions: "
        + ", ".join(f"{k} {v}" for k, v in result.versions.items()),
        "",
        "## Metrics (validation split)",
        "",
        "| class | precision | recall | mAP50 | mAP50-95 |",
        "|---|---|---|---|---|",
        "| **all** | "
        + " | ".join(
            f"{result.metrics[k]:.3f}" for k in ("precision", "recall", "mAP50", "mAP50-95")
        )
        + " |",
    ]
    for name, values in result.per_class.items():
        lines.append(
            f"| {name} | "
            + " | ".join(f"{values[k]:.3f}" for k in ("precision", "recall", "mAP50", "mAP50-95"))
            + " |"
        )
    parity = result.parity
    lines += [
        "",
        "## ONNX export",
        "",
        f"`{result.onnx.name}`: opset 17, dynamic batch/height/width. Checked against the "
        f"PyTorch weights on {parity.images} validation images: {parity.matched} of "
        f"{parity.reference_boxes} boxes matched (same class, IoU ≥ {parity.iou}), "
        f"{parity.extra_boxes} extra; largest confidence difference "
        f"{parity.max_confidence_delta:.4f}. Verdict: "
        f"{'same detections' if parity.ok else 'DIFFERENT — do not ship'}.",
        "",
    ]
    return "\n".join(lines)
