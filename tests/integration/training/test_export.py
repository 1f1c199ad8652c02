"""An untrained YOLO11n built offline, exported by Ultralytics, run by our ONNX detector.

Needs the ``train`` extra (``make train-deps``); skipped without it. The model's batch-norm
statistics are calibrated on the test pictures so its outputs depend on the picture (with
Ultralytics' initial statistics every anchor scores the same, and any two implementations
would "agree" trivially).
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import numpy as np
import onnx
import pytest

from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.detectors.yolo_onnx import YoloOnnxDetector
from framewise.testing.pictures import busy_picture
from framewise.training.export import export_untrained_onnx

pytestmark = pytest.mark.slow

NAMES = ("kill_notification", "death_screen", "map_select")
IMGSZ = 320
WHEN = datetime(2026, 1, 1, tzinfo=UTC)


@dataclass(frozen=True)
class Exported:
    onnx_path: Path
    network_calls: list[str]


def _record_network(calls: list[str], monkeypatch: pytest.MonkeyPatch) -> None:
    def lookup(host: Any, *args: Any, **kwargs: Any) -> Any:
        calls.append(f"getaddrinfo {host}")
        raise OSError("network access in a test")

    def connect(self: socket.socket, address: Any) -> None:
        calls.append(f"connect {address}")
        raise OSError("network access in a test")

    monkeypatch.setattr(socket, "getaddrinfo", lookup)
    monkeypatch.setattr(socket.socket, "connect", connect)


@pytest.fixture(scope="module")
def exported(
    tmp_path_factory: pytest.TempPathFactory, ultralytics_installed: None
) -> Iterator[Exported]:
    root = tmp_path_factory.mktemp("export")
    calls: list[str] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        _record_network(calls, monkeypatch)
        path = export_untrained_onnx(
            root / "untrained.onnx",
            names=NAMES,
            imgsz=IMGSZ,
            calibration=[busy_picture(seed) for seed in range(4)],
            config_dir=root / "ultralytics",
        )
        yield Exported(path, calls)


def test_export_makes_no_network_call(exported: Exported) -> None:
    assert exported.network_calls == []
    font = exported.onnx_path.parent / "ultralytics" / "Ultralytics" / "Arial.ttf"
    assert font.stat().st_size > 100_000  # a real TTF, so no plot ever downloads one


def test_exported_model_loads_with_its_names_and_size(exported: Exported) -> None:
    assert exported.onnx_path.with_suffix(".pt").is_file()
    model = onnx.load(str(exported.onnx_path))
    assert model.opset_import[0].version == 17
    dims = [d.dim_param or d.dim_value for d in model.graph.input[0].type.tensor_type.shape.dim]
    assert dims == ["batch", 3, "height", "width"]  # dynamic: batching and rect both work
    with YoloOnnxDetector(exported.onnx_path) as detector:
        assert detector.names == NAMES
        assert detector.imgsz == (IMGSZ, IMGSZ)
        assert detector.stride == 32
        assert detector.batch_size is None
        assert not detector.end_to_end


def test_onnx_detector_agrees_with_ultralytics_on_the_checkpoint(exported: Exported) -> None:
    from framewise.training.ultralytics_env import configure_ultralytics, ultralytics_module

    configure_ultralytics(exported.onnx_path.parent / "ultralytics")
    yolo = ultralytics_module("ultralytics").YOLO(
        str(exported.onnx_path.with_suffix(".pt")), task="detect"
    )
    picture = busy_picture(seed=11)  # not one of the calibration pictures
    # Ultralytics letterboxes a .pt model's input to the stride only (1920x1080 → 320x192):
    # our rect=True does the same.
    theirs = yolo.predict(picture, imgsz=IMGSZ, conf=0.001, iou=0.7, max_det=300, verbose=False)
    boxes = theirs[0].boxes
    their_xyxy = boxes.xyxy.numpy()
    their_conf = boxes.conf.numpy()
    their_names = [NAMES[int(c)] for c in boxes.cls.numpy()]
    with YoloOnnxDetector(
        exported.onnx_path, confidence_threshold=0.001, iou_threshold=0.7, rect=True
    ) as detector:
        ours = detector.detect([Frame(picture, 0, 0.0, WHEN, "test")])[0]

    assert len(ours) >= 20, "the calibrated model should find many low-score boxes"
    assert abs(len(ours) - len(their_conf)) <= max(2, len(ours) // 20)
    assert float(ours.confidence.max()) > 0.01
    for i in range(20):  # our 20 best boxes each have a twin in Ultralytics' output
        # Within 1 source pixel (a model-input pixel is 6 here): the same letterbox and decode.
        near = np.abs(their_xyxy - ours.xyxy[i]).max(axis=1) <= 1.0
        twins = near & (np.array(their_names) == ours.class_name[i])
        assert twins.any(), f"box {i} {ours.xyxy[i]} {ours.class_name[i]} has no twin"
        # Boxes clipped to the frame can coincide; the twin is the one with the nearest score.
        closest = float(np.min(np.abs(their_conf[twins] - ours.confidence[i])))
        assert closest <= 1e-3 + 0.01 * float(ours.confidence[i])


def test_bad_arguments_are_config_errors(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"\.onnx"):
        export_untrained_onnx(tmp_path / "model.pt", names=NAMES)
    with pytest.raises(ConfigError, match="either names or nc"):
        export_untrained_onnx(tmp_path / "model.onnx", names=NAMES, nc=3)
    with pytest.raises(ConfigError, match="distinct"):
        export_untrained_onnx(tmp_path / "model.onnx", names=["a", "a"])
    with pytest.raises(ConfigError, match="multiple of 32"):
        export_untrained_onnx(tmp_path / "model.onnx", nc=2, imgsz=300)
