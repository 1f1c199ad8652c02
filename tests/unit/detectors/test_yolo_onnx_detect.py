"""yolo_onnx on tiny real ONNX models: boxes in source pixels, NMS, thresholds, batching."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from numpy.typing import NDArray

from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.detectors.yolo_onnx import YoloOnnxDetector
from tests.unit.detectors.onnx_kit import NAMES, anchor_output, build_model, frame


def one_box(cx: float, cy: float, w: float, h: float, score: float = 0.9) -> NDArray[np.float32]:
    return anchor_output([(cx, cy, w, h)], [[score, 0.0, 0.0]])


@pytest.mark.parametrize(
    ("source", "box", "expected"),
    [
        # 1280x720 in 640x640: scale 0.5, content 640x360, 140 rows of padding on top.
        ((1280, 720), (200, 290, 200, 100), (200, 200, 600, 400)),
        # 1280x722: content 640x361, odd padding 279: 139 rows above, 140 below (Ultralytics).
        ((1280, 722), (200, 289, 200, 100), (200, 200, 600, 400)),
        # Portrait 720x1280: scale 0.5, content 360x640, 140 columns of padding on the left.
        ((720, 1280), (290, 200, 100, 200), (200, 200, 400, 600)),
        # A small 320x240 picture is scaled up by 2: content 640x480, 80 rows on top.
        ((320, 240), (320, 320, 64, 32), (144, 112, 176, 128)),
        # Boxes reaching into the padding are clipped to the picture.
        ((1280, 720), (320, 100, 100, 100), (540, 0, 740, 20)),
    ],
)
def test_boxes_come_back_in_source_pixels(
    tmp_path: Path,
    source: tuple[int, int],
    box: tuple[float, float, float, float],
    expected: tuple[float, float, float, float],
) -> None:
    model = build_model(tmp_path / "m.onnx", one_box(*box))
    with YoloOnnxDetector(model) as detector:
        (result,) = detector.detect([frame(*source)])
    assert result.class_name == ("person",)
    np.testing.assert_allclose(result.xyxy[0], expected, atol=1e-3)
    assert result.confidence[0] == pytest.approx(0.9)


def test_rectangular_fixed_input_maps_1080p_back(tmp_path: Path) -> None:
    # imgsz [384, 640]: 1920x1080 scales by 1/3 to 640x360, 12 rows of padding on top.
    model = build_model(tmp_path / "m.onnx", one_box(320, 192, 64, 36), imgsz=(384, 640))
    with YoloOnnxDetector(model) as detector:
        assert detector.imgsz == (384, 640)
        (result,) = detector.detect([frame(1920, 1080)])
    np.testing.assert_allclose(result.xyxy[0], (864, 486, 1056, 594), atol=1e-3)


def test_nms_suppresses_overlapping_boxes_of_one_class_only(tmp_path: Path) -> None:
    boxes = [
        (100, 100, 100, 100),  # A: person 0.9
        (105, 100, 100, 100),  # B: person 0.8, IoU with A ≈ 0.90 → suppressed
        (105, 100, 100, 100),  # C: car 0.85 at B's place → kept (other class)
        (150, 100, 100, 100),  # D: person 0.7, IoU with A = 1/3 → kept at iou 0.7
    ]
    scores = [[0.9, 0.1, 0], [0.8, 0, 0], [0.1, 0.85, 0], [0.7, 0, 0]]
    model = build_model(tmp_path / "m.onnx", anchor_output(boxes, scores))
    with YoloOnnxDetector(model) as detector:
        (result,) = detector.detect([frame(640, 640)])
    assert result.class_name == ("person", "car", "person")
    np.testing.assert_allclose(result.confidence, [0.9, 0.85, 0.7], atol=1e-6)
    np.testing.assert_allclose(result.xyxy[:, 0], [50, 55, 100], atol=1e-3)
    with YoloOnnxDetector(model, iou_threshold=0.3) as strict:
        (result,) = strict.detect([frame(640, 640)])
    assert result.class_name == ("person", "car")


def test_confidence_threshold_applies(tmp_path: Path) -> None:
    boxes = [(100, 100, 50, 50), (300, 300, 50, 50), (500, 500, 50, 50)]
    scores = [[0.3, 0, 0], [0, 0.2, 0], [0, 0, 0.25]]
    model = build_model(tmp_path / "m.onnx", anchor_output(boxes, scores))
    with YoloOnnxDetector(model) as detector:
        (default,) = detector.detect([frame(640, 640)])
    with YoloOnnxDetector(model, confidence_threshold=0.1) as detector:
        (low,) = detector.detect([frame(640, 640)])
    with YoloOnnxDetector(model, confidence_threshold=0.5) as detector:
        (high,) = detector.detect([frame(640, 640)])
    assert default.class_name == ("person", "sign")  # 0.25 itself is kept (>=)
    assert low.class_name == ("person", "sign", "car")
    assert len(high) == 0


def test_class_filter_and_max_detections(tmp_path: Path) -> None:
    boxes = [(60.0 * i + 40, 100, 40, 40) for i in range(6)]
    scores = [[0.9 - i * 0.1, 0, 0] if i % 2 else [0, 0.9 - i * 0.1, 0] for i in range(6)]
    model = build_model(tmp_path / "m.onnx", anchor_output(boxes, scores))
    with YoloOnnxDetector(model, classes=["car"]) as detector:
        (cars,) = detector.detect([frame(640, 640)])
    assert cars.class_name == ("car", "car", "car")
    with YoloOnnxDetector(model, max_detections=2) as detector:
        (top,) = detector.detect([frame(640, 640)])
    np.testing.assert_allclose(top.confidence, [0.9, 0.8], atol=1e-6)
    with pytest.raises(ConfigError, match="unknown classes \\['truck'\\]"):
        YoloOnnxDetector(model, classes=["car", "truck"])


def _varied_frames() -> list[Frame]:
    sizes = [(1280, 720), (720, 1280), (640, 480), (1920, 1080), (300, 500)]
    levels = [20, 60, 100, 160, 220]
    return [
        frame(w, h, value=v, index=i)
        for i, ((w, h), v) in enumerate(zip(sizes, levels, strict=True))
    ]


def _brightness_model(path: Path, **options: object) -> Path:
    base = anchor_output(
        [(200, 300, 80, 60), (210, 300, 80, 60), (400, 200, 120, 90)],
        [[0.5, 0, 0], [0.45, 0, 0], [0, 0.4, 0.3]],
    )
    brightness = np.zeros_like(base)
    brightness[0, :3] = 100  # cx moves with the image's brightness
    brightness[4, :3] = 0.3  # so does the person score (anchor 2 turns person when bright)
    return build_model(path, base, brightness=brightness, **options)  # type: ignore[arg-type]


def _same(a: list[Detections], b: list[Detections]) -> None:
    assert len(a) == len(b)
    for x, y in zip(a, b, strict=True):
        assert x.class_name == y.class_name
        np.testing.assert_allclose(x.xyxy, y.xyxy, atol=1e-3)
        np.testing.assert_allclose(x.confidence, y.confidence, atol=1e-5)


def test_batching_matches_one_by_one(tmp_path: Path) -> None:
    frames = _varied_frames()
    with YoloOnnxDetector(_brightness_model(tmp_path / "dyn.onnx")) as detector:
        assert detector.batch_size is None
        batched = detector.detect(frames)
        single = [detector.detect([f])[0] for f in frames]
    _same(batched, single)
    with YoloOnnxDetector(_brightness_model(tmp_path / "dyn.onnx"), batch=2) as capped:
        _same(capped.detect(frames), single)  # 5 frames in calls of 2, 2 and 1
    # The output depends on content, so the frames really differ from one another.
    assert len({round(float(d.xyxy[0, 0]), 1) for d in batched}) == len(frames)


@pytest.mark.parametrize("batch", [1, 2])
def test_fixed_batch_models_run_in_chunks(tmp_path: Path, batch: int) -> None:
    frames = _varied_frames()
    with YoloOnnxDetector(_brightness_model(tmp_path / "dyn.onnx")) as dynamic:
        expected = dynamic.detect(frames)
    with YoloOnnxDetector(_brightness_model(tmp_path / "fix.onnx", batch=batch)) as fixed:
        assert fixed.batch_size == batch
        _same(fixed.detect(frames), expected)  # 5 frames: chunks of `batch`, last one padded


def _height_probe(path: Path, **options: object) -> Path:
    # A small box at the centre of the input whose score is input height / 1000.
    base = anchor_output([(0, 0, 8, 8)], [[0.0, 0, 0]])
    height = np.zeros_like(base)
    height[0, 0] = height[1, 0] = 0.5  # cx = cy = H / 2: square inputs only
    height[4, 0] = 0.001
    return build_model(path, base, height=height, dynamic_hw=True, **options)  # type: ignore[arg-type]


def test_imgsz_override_on_dynamic_model(tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    model = _height_probe(tmp_path / "m.onnx")
    with YoloOnnxDetector(model) as detector:
        (result,) = detector.detect([frame(640, 640)])
    assert result.confidence[0] == pytest.approx(0.64)  # the export's imgsz
    with YoloOnnxDetector(model, imgsz=320) as detector:
        (result,) = detector.detect([frame(1280, 1280)])
    assert detector.imgsz == (320, 320)
    assert result.confidence[0] == pytest.approx(0.32)
    np.testing.assert_allclose(result.xyxy[0], (624, 624, 656, 656), atol=1e-3)
    with YoloOnnxDetector(model, imgsz=300) as detector:
        assert detector.imgsz == (320, 320)
    assert "not a multiple of stride 32" in caplog.text


def test_rect_pads_only_to_the_stride(tmp_path: Path) -> None:
    base = anchor_output([(320, 0, 64, 8)], [[0.0, 0, 0]])
    height = np.zeros_like(base)
    height[1, 0] = 0.5  # cy = H / 2, the centre row of whatever input the detector chose
    height[4, 0] = 0.001  # score = H / 1000
    model = build_model(tmp_path / "m.onnx", base, height=height, dynamic_hw=True)
    with YoloOnnxDetector(model, rect=True) as detector:
        results = detector.detect([frame(1280, 720)])
        mixed = detector.detect([frame(1280, 720), frame(720, 1280)])
    # 1280x720 → 640x360 content → 640x384 input (12 rows of padding above, 12 below).
    assert results[0].confidence[0] == pytest.approx(0.384)
    np.testing.assert_allclose(results[0].xyxy[0], (576, 352, 704, 368), atol=1e-3)
    # A portrait frame in the same batch needs 640 rows: the batch's input grows to fit both.
    assert mixed[0].confidence[0] == pytest.approx(0.64)
    np.testing.assert_allclose(mixed[0].xyxy[0], (576, 352, 704, 368), atol=1e-3)
    # With one frame per call (batch=1), each frame gets its own, smaller input again.
    with YoloOnnxDetector(model, rect=True, batch=1) as detector:
        apart = detector.detect([frame(1280, 720), frame(720, 1280)])
    assert [d.confidence[0] for d in apart] == pytest.approx([0.384, 0.64])
    fixed = build_model(tmp_path / "fixed.onnx", base)
    with pytest.raises(ConfigError, match="rect=True needs dynamic height and width"):
        YoloOnnxDetector(fixed, rect=True)
    with pytest.raises(ConfigError, match="fixed at 640x640"):
        YoloOnnxDetector(fixed, imgsz=320)


def test_end_to_end_output_is_used_as_is(tmp_path: Path) -> None:
    rows = np.zeros((300, 6), np.float32)
    rows[0] = (100, 240, 300, 340, 0.8, 1)  # car
    rows[1] = (100, 240, 300, 340, 0.7, 1)  # overlapping, but the model already ran NMS
    rows[2] = (0, 140, 64, 180, 0.1, 2)  # below the threshold
    model = build_model(tmp_path / "e2e.onnx", rows, metadata={"end2end": "True"})
    with YoloOnnxDetector(model) as detector:
        assert detector.end_to_end
        (result,) = detector.detect([frame(1280, 720)])
    assert result.class_name == ("car", "car")
    np.testing.assert_allclose(result.xyxy[0], (200, 200, 600, 400), atol=1e-3)


def test_empty_batch_bad_frames_and_closed_detector(tmp_path: Path) -> None:
    detector = YoloOnnxDetector(build_model(tmp_path / "m.onnx", one_box(10, 10, 4, 4)))
    assert detector.detect([]) == []
    gray = frame(64, 64)
    bad = type(gray)(gray.image[:, :, 0], 0, 0.0, gray.wall_time, "cam")
    with pytest.raises(ValueError, match="frame 0 of cam: expected an H×W×3 uint8"):
        detector.detect([bad])
    detector.close()
    with pytest.raises(RuntimeError, match="is closed"):
        detector.detect([gray])


def test_results_have_one_entry_per_frame_in_order(tmp_path: Path) -> None:
    model = _brightness_model(tmp_path / "m.onnx")
    frames = _varied_frames()
    with YoloOnnxDetector(model) as detector:
        forward = detector.detect(frames)
        backward = detector.detect(frames[::-1])
        again = detector.detect(frames)
    _same(forward, backward[::-1])
    for first, second in zip(forward, again, strict=True):  # deterministic, bit for bit
        assert first.class_name == second.class_name
        np.testing.assert_array_equal(first.xyxy, second.xyxy)
        np.testing.assert_array_equal(first.confidence, second.confidence)
    assert all(name in NAMES for d in forward for name in d.class_name)


def test_a_single_class_name_is_not_split_into_letters(tmp_path: Path) -> None:
    base = anchor_output([(320, 320, 64, 64)], [[0.9]])
    model = build_model(tmp_path / "m.onnx", base, names=["ball"])
    with YoloOnnxDetector(model, classes="ball") as detector:
        assert detector.detect([frame(640, 640)])[0].class_name == ("ball",)
    with YoloOnnxDetector(model, names="puck") as detector:
        assert detector.names == ("puck",)
