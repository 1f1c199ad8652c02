"""yolo_onnx loading: metadata, bad files, providers, arguments, and the detector registry."""

from __future__ import annotations

import logging
from pathlib import Path

import numpy as np
import onnxruntime
import pytest

from framewise.core.errors import ConfigError, ModelError
from framewise.detectors.base import Detector
from framewise.detectors.yolo_meta import YoloMetadata
from framewise.detectors.yolo_onnx import YoloOnnxDetector
from tests.unit.detectors.onnx_kit import NAMES, anchor_output, build_model, frame

BOX = anchor_output([(320, 320, 64, 64)], [[0.0, 0.9, 0.0]])


def test_names_imgsz_stride_and_batch_come_from_the_model(tmp_path: Path) -> None:
    dynamic = build_model(tmp_path / "d.onnx", BOX, imgsz=(480, 640), dynamic_hw=True)
    with YoloOnnxDetector(dynamic) as detector:
        assert detector.names == NAMES
        assert detector.imgsz == (480, 640)
        assert detector.stride == 32
        assert detector.batch_size is None
        assert not detector.end_to_end
    fixed = build_model(tmp_path / "f.onnx", BOX, batch=4, metadata={"stride": "64"})
    with YoloOnnxDetector(fixed) as detector:
        assert (detector.imgsz, detector.stride, detector.batch_size) == ((640, 640), 64, 4)
        assert "batch=4" in repr(detector)


def test_half_precision_input(tmp_path: Path) -> None:
    model = build_model(tmp_path / "half.onnx", BOX, half=True)
    with YoloOnnxDetector(model) as detector:
        (result,) = detector.detect([frame(1280, 1280)])
    assert result.class_name == ("car",)
    np.testing.assert_allclose(result.xyxy[0], (576, 576, 704, 704), atol=1e-2)


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "nowhere" / "best.onnx"
    with pytest.raises(ModelError) as caught:
        YoloOnnxDetector(missing)
    line = caught.value.one_line()
    assert line.startswith(f"{missing}: model file not found")
    assert "yolo export model=best.pt format=onnx" in line
    assert "\n" not in line
    assert caught.value.exit_code == 5


@pytest.mark.parametrize(
    "content",
    [b"", b"this is a text file, not a model\n", b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8],
    ids=["empty", "text", "png"],
)
def test_not_onnx(tmp_path: Path, content: bytes) -> None:
    path = tmp_path / "model.onnx"
    path.write_bytes(content)
    with pytest.raises(ModelError, match="not a loadable ONNX model") as caught:
        YoloOnnxDetector(path)
    assert caught.value.subject == str(path)
    assert "\n" not in caught.value.one_line()


def test_truncated_onnx_and_directory(tmp_path: Path) -> None:
    whole = build_model(tmp_path / "whole.onnx", BOX).read_bytes()
    cut = tmp_path / "cut.onnx"
    cut.write_bytes(whole[: len(whole) // 2])
    with pytest.raises(ModelError, match="not a loadable ONNX model"):
        YoloOnnxDetector(cut)
    with pytest.raises(ModelError, match="model path is not a file"):
        YoloOnnxDetector(tmp_path)


def test_class_names_missing_overridden_or_mismatched(tmp_path: Path) -> None:
    unnamed = build_model(tmp_path / "unnamed.onnx", BOX, names=None)
    with pytest.raises(ModelError, match="no class names in its metadata"):
        YoloOnnxDetector(unnamed)
    with YoloOnnxDetector(unnamed, names=["a", "b", "c"]) as detector:
        (result,) = detector.detect([frame(640, 640)])
    assert result.class_name == ("b",)
    with pytest.raises(ModelError, match=r"neither a YOLOv8/11 head \(N, 6, anchors\)"):
        YoloOnnxDetector(unnamed, names=["a", "b"])
    with pytest.raises(ConfigError, match="class names repeat"):
        YoloOnnxDetector(unnamed, names=["a", "a", "c"])


@pytest.mark.parametrize(
    ("metadata", "message"),
    [
        ({"names": "__import__('os').system('touch pwned')"}, "metadata 'names' is malformed"),
        ({"names": "{0: 'a', 2: 'b', 3: 'c'}"}, "indices must run 0..n-1"),
        ({"names": "{'a': 0}"}, "expected \\{index: 'name'"),
        ({"imgsz": "[640]"}, "metadata 'imgsz' is malformed"),
        ({"imgsz": "[640, -1]"}, "metadata 'imgsz' is malformed"),
        ({"stride": "thirty-two"}, "metadata 'stride' is malformed"),
        ({"task": "segment"}, "this is a 'segment' model, not a detection model"),
    ],
)
def test_bad_metadata(tmp_path: Path, metadata: dict[str, str], message: str) -> None:
    model = build_model(tmp_path / "m.onnx", BOX, metadata=metadata)
    with pytest.raises(ModelError, match=message):
        YoloOnnxDetector(model)
    assert not (Path.cwd() / "pwned").exists()


@pytest.mark.parametrize(
    ("metadata", "names", "imgsz"),
    [
        ({"names": "['x', 'y', 'z']", "imgsz": "320"}, ("x", "y", "z"), (320, 320)),
        ({"names": "{1: 'y', 0: 'x', 2: 'z'}", "imgsz": "(320, 480)"}, ("x", "y", "z"), (320, 480)),
        ({"imgsz": None, "stride": None}, NAMES, (640, 640)),
    ],
)
def test_metadata_forms(
    tmp_path: Path,
    metadata: dict[str, str | None],
    names: tuple[str, ...],
    imgsz: tuple[int, int],
) -> None:
    model = build_model(tmp_path / "m.onnx", BOX, dynamic_hw=True, metadata=metadata)
    with YoloOnnxDetector(model) as detector:
        assert detector.names == names
        assert detector.imgsz == imgsz
        assert detector.stride == 32


def test_missing_providers_fall_back_to_cpu(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    available = set(onnxruntime.get_available_providers())
    missing = next(p for p in onnxruntime.get_all_providers() if p not in available)
    model = build_model(tmp_path / "m.onnx", BOX)
    with caplog.at_level(logging.WARNING, logger="framewise.detectors"):
        alone = YoloOnnxDetector(model, providers=[missing])
        ordered = YoloOnnxDetector(model, providers=[(missing, {}), "CPUExecutionProvider"])
    assert alone.providers == ("CPUExecutionProvider",)
    assert ordered.providers == ("CPUExecutionProvider",)
    warnings = [r for r in caplog.records if missing in r.getMessage()]
    assert len(warnings) == 2
    assert all(r.levelno == logging.WARNING for r in warnings)
    assert alone.detect([frame(640, 640)])[0].class_name == ("car",)
    with YoloOnnxDetector(model, providers=[("CPUExecutionProvider", {})]) as options:
        assert options.providers == ("CPUExecutionProvider",)


def test_thread_counts_give_the_same_boxes(tmp_path: Path) -> None:
    model = build_model(tmp_path / "m.onnx", BOX)
    results = []
    for threads in (1, 2, 0):
        with YoloOnnxDetector(model, intra_op_threads=threads) as detector:
            results.append(detector.detect([frame(800, 600, value=90)])[0])
    for other in results[1:]:
        np.testing.assert_array_equal(other.xyxy, results[0].xyxy)


@pytest.mark.parametrize(
    ("argument", "message"),
    [
        ({"confidence_threshold": 1.5}, r"confidence_threshold must be in \[0.0, 1.0\]"),
        ({"iou_threshold": -0.1}, r"iou_threshold must be in \[0.0, 1.0\]"),
        ({"batch": 0}, "batch must be >= 1"),
        ({"max_detections": 0}, "max_detections must be >= 1"),
        ({"intra_op_threads": -1}, "intra_op_threads must be >= 0"),
        ({"imgsz": 0}, "imgsz must be positive"),
    ],
)
def test_bad_arguments(tmp_path: Path, argument: dict[str, float], message: str) -> None:
    model = build_model(tmp_path / "m.onnx", BOX, dynamic_hw=True)
    with pytest.raises(ConfigError, match=message):
        YoloOnnxDetector(model, **argument)  # type: ignore[arg-type]


def test_the_detector_fits_the_protocol(tmp_path: Path) -> None:
    with YoloOnnxDetector(build_model(tmp_path / "m.onnx", BOX)) as detector:
        assert isinstance(detector, Detector)


@pytest.mark.parametrize(
    ("props", "expected"),
    [
        ({}, None),
        ({"end2end": "True"}, True),
        ({"end2end": "False"}, False),
        ({"args": "{'batch': 1, 'nms': True}"}, True),
        ({"args": "{'batch': 1, 'nms': False}", "end2end": "True"}, True),
        ({"args": "not a literal"}, None),  # a hint that does not parse is silence
    ],
)
def test_end_to_end_hints(props: dict[str, str], expected: bool | None) -> None:
    meta = YoloMetadata.parse(props, Path("m.onnx"))
    assert meta.end_to_end is expected
    assert (meta.names, meta.imgsz, meta.stride, meta.task) == (None, None, 32, None)
