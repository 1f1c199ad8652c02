"""OCR ``titles``: panels that differ only in their title are told apart by reading it."""

from __future__ import annotations

from datetime import UTC, datetime

import cv2
import numpy as np
import pytest
from pydantic import ValidationError

from framewise.config.detectors import FieldParserConfig, OcrConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame

TITLES = {"map_select": r"MODE\W*P\w\w", "experience_screen": "EXPERIE", "survived": "SURVIV"}


def _panel(*lines: str) -> np.ndarray:
    """A 640×360 frame with a dark panel of light text lines at (100, 80)-(540, 260)."""
    image = np.full((360, 640, 3), 40, np.uint8)
    image[80:260, 100:540] = 15
    for row, text in enumerate(lines):
        cv2.putText(
            image, text, (130, 140 + 70 * row), cv2.FONT_HERSHEY_SIMPLEX, 1.3, (235, 235, 235), 3
        )
    return image


def _read(image: np.ndarray, name: str, config: OcrConfig) -> Detections:
    from framewise.detectors.ocr import OcrReader

    reader = OcrReader(config)
    frame = Frame(image, 0, 0.0, datetime(2026, 1, 15, tzinfo=UTC), "test")
    boxes = np.array([[100, 80, 540, 260], [0, 0, 50, 20]], np.float32)
    detections = Detections(
        boxes, np.array([0.76, 0.9], np.float32), (name, "gameplay_hud"), class_id=[3, 9]
    )
    [result] = reader.read([frame], [detections])
    reader.close()
    return result


CONFIG = OcrConfig(
    kind="ocr",
    classes=["map_select", "experience_screen", "survived"],
    titles=TITLES,
    parsers={
        "map_select": FieldParserConfig.model_validate(
            {"pattern": r"^\s*(?P<map_name>.+?)\s+MODE", "fields": {"map_name": {}}}
        )
    },
)


def test_a_panel_whose_title_is_another_class_becomes_that_class() -> None:
    pytest.importorskip("rapidocr")
    result = _read(_panel("EXPERIENCE", "+39653 XP"), "map_select", CONFIG)
    assert result.class_name == ("experience_screen", "gameplay_hud")
    assert result.text[0] is not None and "EXPERIENCE" in result.text[0]
    # No earlier stage numbers its class (the reader runs alone): -1; others keep theirs.
    assert result.class_id is not None and result.class_id.tolist() == [-1, 9]
    assert result.confidence.tolist() == pytest.approx([0.76, 0.9])
    assert "map_name" not in result.attributes[0]  # the map parser does not read it


def test_a_panel_with_its_own_title_or_none_keeps_its_class() -> None:
    pytest.importorskip("rapidocr")
    own = _read(_panel("CUSTOMS", "MODE: PVE"), "map_select", CONFIG)
    assert own.class_name[0] == "map_select"
    assert own.class_id is not None and own.class_id.tolist() == [3, 9]
    assert own.attributes[0]["map_name"]["value"] == "CUSTOMS"
    blank = _read(_panel(), "map_select", CONFIG)  # nothing read is no evidence
    assert blank.class_name[0] == "map_select"
    both = _read(_panel("SURVIVED", "EXPERIENCE"), "map_select", CONFIG)  # ambiguous: kept
    assert both.class_name[0] == "map_select"


def test_titles_must_name_read_classes_and_be_patterns() -> None:
    with pytest.raises(ValidationError, match="titles names classes that are not read"):
        OcrConfig(kind="ocr", classes=["a"], titles={"b": "B"})
    with pytest.raises(ValidationError, match=r"titles\.a"):
        OcrConfig(kind="ocr", classes=["a"], titles={"a": "(unclosed"})


def test_a_panel_read_only_for_its_title_is_read_once_a_visit() -> None:
    pytest.importorskip("rapidocr")
    from tests.unit.detectors.ocr_kit import CountingReader

    reader = CountingReader(CONFIG)
    image = _panel("EXPERIENCE", "+39653 XP")
    stamp = datetime(2026, 1, 15, tzinfo=UTC)
    names = []
    for i in range(50):  # 5 s at 10 fps: a title-only class, then a parsed one
        box = Detections(
            np.array([[100, 80, 540, 260]], np.float32), np.array([0.8], np.float32),
            ("experience_screen" if i < 25 else "map_select",),
        )  # fmt: skip
        names.append(reader.read([Frame(image, i, i / 10, stamp, "t")], [box])[0].class_name[0])
    reader.close()
    assert names == ["experience_screen"] * 50
    # experience_screen: read once (title_reread_seconds 8); map_select: at 2.5, 3.0 and 4.0 s
    # (the 1 s windows from the start it is seen in).
    assert reader.reads == 4
    assert reader.state_since(19.3) == pytest.approx(16.0)  # the 8 s window holding 19.3 s


def test_a_renamed_box_takes_the_id_the_earlier_stages_give_its_class() -> None:
    pytest.importorskip("rapidocr")
    from framewise.detectors.ocr import OcrReader

    reader = OcrReader(CONFIG)
    reader.know_classes({"map_select": 3, "experience_screen": 15, "gameplay_hud": 9})
    frame = Frame(_panel("EXPERIENCE", "+39653 XP"), 0, 0.0, datetime(2026, 1, 15, tzinfo=UTC), "t")
    boxes = Detections(
        np.array([[100, 80, 540, 260], [0, 0, 50, 20]], np.float32),
        np.array([0.76, 0.9], np.float32), ("map_select", "gameplay_hud"), class_id=[3, 9],
    )  # fmt: skip
    [result] = reader.read([frame], [boxes])
    reader.close()
    assert result.class_name == ("experience_screen", "gameplay_hud")
    assert result.class_id is not None and result.class_id.tolist() == [15, 9]
