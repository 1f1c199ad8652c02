"""The text profile's rules on made-up readings: lines tracked by place and content (a misread
glyph does not split one, a new line in the same place does), one missed read is bridged, times
are midpoints between samples; cues, SRT and subtitle scoring."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np

from framewise.core.detections import Detections
from framewise.core.events import Event, EventLog, LogMetadata
from framewise.core.results import FrameOutput
from framewise.profiles.text.subtitles import (
    edit_distance,
    score_subtitles,
    srt,
    subtitle_cues,
    true_lines,
)
from framewise.temporal.state_machine import EventRecord
from framewise.temporal.text import TextSpans

BOTTOM = (100.0, 300.0, 500.0, 330.0)
TOP = (10.0, 10.0, 200.0, 40.0)


def _frame(*lines: tuple[tuple[float, ...], str]) -> FrameOutput:
    if not lines:
        return FrameOutput.empty()
    xyxy = np.array([box for box, _ in lines], np.float32)
    detections = Detections(
        xyxy,
        np.full(len(lines), 0.9, np.float32),
        ("text",) * len(lines),
        text=[t for _, t in lines],
    )
    return FrameOutput(detections)


def _run(frames: list[FrameOutput], period: float = 0.25) -> list[EventRecord]:
    spans = TextSpans()
    records: list[EventRecord] = []
    for i, output in enumerate(frames):
        records += spans.update(i * period, output)
    return records + spans.flush()


def test_lines_are_tracked_by_place_and_content() -> None:
    hello, hullo, other = (BOTTOM, "Hello there"), (BOTTOM, "Hullo there"), (BOTTOM, "Goodbye now")
    frames = [_frame(), _frame(hello), _frame(hullo), _frame(hello), _frame(other), _frame()]
    frames += [_frame(), _frame()]
    records = _run(frames)
    assert [(r.data["text"], r.data["start"], r.data["end"]) for r in records] == [
        ("Hello there", 0.125, 0.875),  # midpoints: shown from 0.25 to 0.75
        ("Goodbye now", 0.875, 1.125),
    ]
    assert records[0].data["readings"] == 3 and records[0].type == "text_shown"


def test_one_missed_read_is_bridged_and_lines_apart_are_apart() -> None:
    line, logo = (BOTTOM, "Subtitle"), (TOP, "LOGO")
    frames = [_frame(line, logo), _frame(logo), _frame(line, logo), _frame(logo), _frame(logo)]
    records = _run([*frames, _frame(), _frame()])
    assert sorted((r.data["text"], r.data["start"], r.data["end"]) for r in records) == [
        ("LOGO", 0.0, 1.125),
        ("Subtitle", 0.0, 0.625),
    ]


def test_a_changed_number_is_a_new_line() -> None:
    six, eleven = (TOP, "SCORE: 6"), (TOP, "SCORE: 11")
    records = _run([_frame(six), _frame(six), _frame(eleven), _frame(eleven), _frame(), _frame()])
    assert [(r.data["text"], r.data["start"], r.data["end"]) for r in records] == [
        ("SCORE: 6", 0.0, 0.375),
        ("SCORE: 11", 0.375, 0.875),
    ]


def _event(text: str, start: float, end: float, y1: float, number: int) -> Event:
    return Event(
        event_id=f"evt_{number:05d}",
        type="text_shown",
        timestamp=datetime(2026, 1, 1, tzinfo=UTC),
        video_offset_seconds=start,
        frame_number=0,
        confidence=0.9,
        data={"text": text, "start": start, "end": end, "y1": y1},
    )


def test_cues_srt_and_scores() -> None:
    events = [
        _event("我要去", 0.1, 4.6, 316, 1),
        _event("I'm going", 0.12, 4.62, 338, 2),
        _event("LOGO", 0.0, 9.0, 10, 3),
        _event("flash", 5.0, 5.1, 320, 4),  # under min_seconds (0.2)
    ]
    meta = LogMetadata(
        video_path="v.mp4",
        session_start_time=datetime(2026, 1, 1, tzinfo=UTC),
        video_duration_seconds=10,
        total_frames=100,
        detection_fps=4,
        processed_at=datetime(2026, 1, 1, tzinfo=UTC),
    )
    cues = subtitle_cues(EventLog(metadata=meta, events=events), min_y=200)
    assert [c.lines for c in cues] == [("我要去", "I'm going")]
    assert srt(cues) == "1\n00:00:00,100 --> 00:00:04,600\n我要去\nI'm going\n"
    truth = true_lines(
        {
            "subtitles": [
                {"start_s": 0.25, "end_s": 4.6, "text_zh": "我要 去", "text_en": "I'm gong"}
            ]
        }
    )
    score = score_subtitles(events, truth)
    assert (score.lines, score.found, score.edits, score.chars) == (2, 2, 1, 10)
    assert round(score.cer, 3) == 0.1 and round(score.start_error, 3) == 0.14
    assert edit_distance("kitten", "sitting") == 3
    missed = score_subtitles(events, [(20.0, 21.0, "gone")])
    assert (missed.found, missed.cer) == (0, 1.0)
