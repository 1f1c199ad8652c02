"""A reviewer who knows the ground truth: applies to a log the corrections a person would make.

Used by the training-loop test and the loop benchmark: it works through the real
:class:`~framewise.review.session.ReviewSession` (the API the review UI calls), so the
corrections land in the log exactly as a person's would: false positives deleted, missed
events added with the boxes a person would draw on their frame, wrong fields fixed, the rest
approved.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from framewise.core.events import JsonValue
from framewise.eval.events import IGNORED_TYPES, match_events, read_events
from framewise.review.session import ReviewSession
from framewise.synth.groundtruth import GroundTruth


@dataclass(frozen=True)
class Corrections:
    """What the reviewer changed."""

    approved: int
    fixed: int
    deleted: int
    added: int
    boxes_drawn: int


def review_from_truth(log_path: Path, truth_path: Path, *, tolerance: float = 2.0) -> Corrections:
    """Correct the event log at ``log_path`` to agree with the ground truth at ``truth_path``."""
    truth = GroundTruth.load(truth_path)
    true_events = read_events(truth_path)
    session = ReviewSession.open(log_path)
    events = [e for e in session.payload()["events"] if e["type"] not in IGNORED_TYPES]
    detected = read_events(log_path)
    pairs = match_events(detected, true_events, tolerance=tolerance)
    paired = {found.event_id for found, _ in pairs}
    seen = {id(true) for _, true in pairs}
    fixed = 0
    for found, true in pairs:
        wrong = {k: v for k, v in true.data.items() if found.data.get(k) != v}
        if wrong:
            session.update(found.event_id, data=wrong)
            fixed += 1
    session.approve(sorted(paired))
    false = [e["event_id"] for e in events if e["event_id"] not in paired]
    session.delete(false)
    drawn = 0
    missed = [t for t in true_events if id(t) not in seen and t.type not in IGNORED_TYPES]
    for true in missed:
        boxes = _boxes_on_screen(truth, true.video_offset_seconds)
        data: dict[str, JsonValue] = dict(true.data)
        session.add(true.type, true.video_offset_seconds, data, boxes=boxes)
        drawn += len(boxes)
    return Corrections(len(paired), fixed, len(false), len(missed), drawn)


def _boxes_on_screen(truth: GroundTruth, seconds: float) -> list[dict[str, JsonValue]]:
    """Every element a person would box on the frame shown at ``seconds``."""
    index = truth.frame_at(seconds)
    return [
        {"label": item.cls, "xyxy": [float(v) for v in item.box]}
        for item in truth.boxes_at([index])[index]
    ]
