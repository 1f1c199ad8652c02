"""The OCR stage on rendered text, and the field parsers, with RapidOCR's shipped models."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

import cv2
import numpy as np
import pytest

from framewise.config.detectors import FieldParserConfig, OcrConfig
from framewise.core.detections import Detections
from framewise.core.frames import Frame
from framewise.detectors.fields import FieldParser, similarity
from framewise.detectors.ocr import OcrReader
from tests.unit.detectors.ocr_kit import CountingReader

KILL_PARSER = {
    "pattern": r"(?P<enemy_type>[A-Za-z]+)\s+(?P<weapon>[\w.-]+)(?P<headshot>\s+HS)?",
    "fields": {
        "enemy_type": {"vocabulary": ["Scav", "PMC", "Boss", "Raider", "Rogue"]},
        "weapon": {"vocabulary": ["AK-74M", "M4A1", "MP-133", "SVD-S", "Mosin"]},
        "headshot": {"cast": "bool"},
    },
}


@pytest.mark.parametrize(
    ("text", "enemy", "weapon", "headshot"),
    [
        ("PMC AK-74M HS", "PMC", "AK-74M", True),
        ("pmc AK-74N", "PMC", "AK-74M", False),  # one misread letter still matches
        ("Raidr SVD-5 HS", "Raider", "SVD-S", True),
        ("Scav Mosin", "Scav", "Mosin", False),
    ],
)
def test_kill_line_parser(text: str, enemy: str, weapon: str, headshot: bool) -> None:
    fields = FieldParser(FieldParserConfig.model_validate(KILL_PARSER)).parse(text, 0.9)
    assert fields["enemy_type"]["value"] == enemy
    assert fields["weapon"]["value"] == weapon
    assert fields["headshot"]["value"] is headshot
    assert 0 < fields["weapon"]["confidence"] <= 0.9


def test_unmatched_text_gives_empty_fields() -> None:
    fields = FieldParser(FieldParserConfig.model_validate(KILL_PARSER)).parse("???", 0.9)
    assert fields["weapon"] == {"value": None, "confidence": 0.0}
    words = {"pattern": r"(?P<weapon>\S+)", "fields": {"weapon": {"vocabulary": ["M4A1"]}}}
    far = FieldParser(FieldParserConfig.model_validate(words)).parse("Shovel", 0.9)
    assert far["weapon"]["value"] is None


def test_casts() -> None:
    config = {"pattern": r"(?P<n>\d+) (?P<x>\S+)", "fields": {"n": {"cast": "int"}}}
    fields = FieldParser(FieldParserConfig.model_validate(config)).parse("12 abc", 0.8)
    assert fields["n"] == {"value": 12, "confidence": 0.8}
    assert similarity("abc", "abc") == 1.0


def test_ocr_reads_boxes_of_chosen_classes_only() -> None:
    pytest.importorskip("rapidocr")
    from framewise.detectors.ocr import OcrReader

    image = np.full((360, 640, 3), 40, np.uint8)
    cv2.putText(
        image, "PMC  M4A1  HS", (330, 60), cv2.FONT_HERSHEY_SIMPLEX, 0.9, (235, 235, 235), 2
    )
    cv2.putText(image, "Customs", (40, 300), cv2.FONT_HERSHEY_SIMPLEX, 1.2, (235, 235, 235), 2)
    frame = Frame(image, 0, 0.0, datetime(2026, 1, 15, tzinfo=UTC), "test")
    boxes = np.array([[320, 30, 600, 72], [30, 260, 220, 315]], np.float32)
    detections = Detections(
        boxes, np.array([0.9, 0.8], np.float32), ("kill_notification", "map_select")
    )
    config = OcrConfig(
        kind="ocr",
        classes=["kill_notification"],
        recognition_only=["kill_notification"],
        parsers={"kill_notification": FieldParserConfig.model_validate(KILL_PARSER)},
    )
    reader = OcrReader(config)
    [result] = reader.read([frame], [detections])
    reader.close()
    assert result.text[1] is None  # map_select is not a class this stage reads
    assert result.text[0] is not None
    assert result.text[0].replace(" ", "") == "PMCM4A1HS"
    fields = result.attributes[0]
    assert fields["weapon"]["value"] == "M4A1"
    assert fields["enemy_type"]["value"] == "PMC"
    assert fields["headshot"]["value"] is True
    assert result.xyxy.tolist() == boxes.tolist()


def test_multi_line_read_after_a_recognition_only_read() -> None:
    pytest.importorskip("rapidocr")
    from framewise.detectors.ocr import OcrReader

    reader = OcrReader(OcrConfig(kind="ocr", classes=["a", "b"], recognition_only=["a"]))
    line = np.full((48, 320, 3), 30, np.uint8)
    cv2.putText(line, "SCAV MP-133", (8, 34), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (230, 230, 230), 2)
    panel = np.full((160, 420, 3), 30, np.uint8)
    cv2.putText(panel, "SURVIVED", (20, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.4, (230, 230, 230), 3)
    cv2.putText(panel, "CROSSROADS", (20, 130), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (230, 230, 230), 2)
    assert reader.text(line, single_line=True)[0].replace(" ", "") == "SCAVMP-133"
    text, _ = reader.text(panel, single_line=False)  # detection must run again
    reader.close()
    assert text.split() == ["SURVIVED", "CROSSROADS"]


def _line(text: str) -> np.ndarray:
    """One kill-feed line: light text on a dark panel."""
    image = np.full((120, 400, 3), 30, np.uint8)
    cv2.putText(image, text, (8, 60), cv2.FONT_HERSHEY_SIMPLEX, 1.0, (230, 230, 230), 2)
    return image


def _read_line_by_line(
    reader: OcrReader,
    pictures: Sequence[np.ndarray],
) -> list[str | None]:
    """Each picture as the 10 fps frame of one box around the line, and what was read."""
    box = Detections(
        np.array([[0, 20, 300, 80]], np.float32),
        np.array([0.9], np.float32),
        ("kill_notification",),
    )
    stamp = datetime(2026, 1, 15, tzinfo=UTC)
    texts = [
        reader.read([Frame(picture, i, i / 10, stamp, "t")], [box])[0].text[0]
        for i, picture in enumerate(pictures)
    ]
    reader.close()
    return [t.replace(" ", "") if t else t for t in texts]


KILL_FEED = OcrConfig(
    kind="ocr",
    classes=["kill_notification"],
    recognition_only=["kill_notification"],
    reread_seconds=1.0,
)


def test_a_slot_is_read_again_only_after_reread_seconds() -> None:
    pytest.importorskip("rapidocr")

    reader = CountingReader(KILL_FEED)
    texts = _read_line_by_line(reader, [_line("SCAV MP-133")] * 25)
    assert reader.reads == 3  # 2.5 s at 10 fps: read at 0.0, 1.0 and 2.0 s
    assert texts == ["SCAVMP-133"] * 25


def test_new_text_in_the_same_place_is_read_at_once() -> None:
    """A kill-feed row replaced by a newer entry must not keep the old reading for 1 s."""
    pytest.importorskip("rapidocr")
    shown = [_line("SCAV MP-133")] * 3 + [_line("PMC AK-74M")] * 3
    texts = _read_line_by_line(OcrReader(KILL_FEED), shown)
    assert texts == ["SCAVMP-133"] * 3 + ["PMCAK-74M"] * 3


def test_a_read_started_at_state_since_reads_as_an_uninterrupted_one() -> None:
    """Readings are reused within fixed windows, so a shard's warm-up rebuilds the cache."""
    pytest.importorskip("rapidocr")
    config = KILL_FEED.model_copy(update={"reread_seconds": 1.5})
    picture = _line("SCAV MP-133")
    box = Detections(
        np.array([[0, 20, 300, 80]], np.float32), np.array([0.9], np.float32),
        ("kill_notification",),
    )  # fmt: skip
    stamp = datetime(2026, 1, 15, tzinfo=UTC)

    def fresh_reads(reader: CountingReader, ticks: range) -> list[int]:
        """The ticks at which the reader really read (not from its cache)."""
        read = []
        for i in ticks:
            before = reader.reads
            reader.read([Frame(picture, i, i / 10, stamp, "t")], [box])
            if reader.reads > before:
                read.append(i)
        return read

    whole = CountingReader(config)
    uninterrupted = [i for i in fresh_reads(whole, range(0, 60)) if i >= 37]
    assert uninterrupted == [45]  # windows of 1.5 s from the start: 3.0-4.5, 4.5-6.0
    shard = CountingReader(config)
    since = shard.state_since(3.7)
    assert since == pytest.approx(3.0)
    warm = [i for i in fresh_reads(shard, range(round(since * 10), 60)) if i >= 37]
    assert warm == uninterrupted
    started_late = CountingReader(config)
    cold = fresh_reads(started_late, range(37, 60))
    assert cold == [37, 45]  # without the warm-up, the shard's first frame is read anew
    for reader in (whole, shard, started_late):
        reader.close()
