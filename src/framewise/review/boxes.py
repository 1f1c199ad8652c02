"""Boxes a reviewer draws on an event a model missed: the checks the API and the session share.

A drawn box is ``{"label": CLASS, "xyxy": [x1, y1, x2, y2]}`` in video pixels (the decoded
frame's own size, which ``framewise export`` cuts its images at), on the frame shown at the
event's ``video_offset_seconds``. They live in the event's extra field ``boxes``.

Boxes are drawn on events a reviewer added only: export labels a model event's frame with the
boxes the run journaled there, and would ignore boxes drawn on it (see
:mod:`framewise.datasets.collect`), so accepting them would lose the reviewer's work silently.

Example:
    >>> xyxy_problem([10, 10, 5, 20])
    'x2 must be greater than x1 and y2 greater than y1, got [10, 10, 5, 20]'
    >>> clean_boxes([{"label": " boss ", "xyxy": [1, 2, 30.123, 40]}], subject="rev_00001")
    [{'label': 'boss', 'xyxy': [1.0, 2.0, 30.12, 40.0]}]
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from typing import Any

from framewise.core.errors import ConfigError
from framewise.core.events import Event, JsonValue

BOXES_KEY = "boxes"
"""The extra event field holding the drawn boxes."""

MAX_BOXES = 200
"""Boxes one event may carry (a frame with more is not drawn by hand)."""

MAX_LABEL = 100
"""Longest class name accepted."""

DECIMALS = 2
"""Coordinates are kept to a hundredth of a pixel (a drag is not more precise than that)."""

BOX_HINT = 'each box is {"label": CLASS, "xyxy": [x1, y1, x2, y2]} in video pixels'


def _text(xyxy: Sequence[float]) -> str:
    return "[" + ", ".join(f"{v:g}" for v in xyxy) + "]"


def xyxy_problem(xyxy: Sequence[float], size: tuple[int, int] | None = None) -> str | None:
    """What is wrong with a box's corners, or ``None`` when nothing is.

    Args:
        xyxy: ``[x1, y1, x2, y2]`` in video pixels.
        size: The video's ``(width, height)``, when known: the box must lie inside it
            (without it, corners off the picture are left to export, which clips them).
    """
    if len(xyxy) != 4:
        return f"xyxy needs 4 numbers [x1, y1, x2, y2], got {len(xyxy)}"
    if not all(math.isfinite(v) for v in xyxy):
        return f"xyxy must be finite numbers, got {list(xyxy)}"
    x1, y1, x2, y2 = xyxy
    if x2 <= x1 or y2 <= y1:
        return f"x2 must be greater than x1 and y2 greater than y1, got {_text(xyxy)}"
    if size is not None and (x1 < 0 or y1 < 0 or x2 > size[0] or y2 > size[1]):
        return f"box {_text(xyxy)} reaches outside the {size[0]}×{size[1]} video"
    return None


def _number(value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise TypeError(value)
    return float(value)


def clean_boxes(
    boxes: Sequence[Mapping[str, Any]],
    *,
    subject: str,
    size: tuple[int, int] | None = None,
) -> list[dict[str, JsonValue]]:
    """Checked copies of ``boxes``: labels stripped, corners rounded to :data:`DECIMALS`.

    Args:
        boxes: ``{"label", "xyxy"}`` mappings.
        subject: The event, for the error message.
        size: The video's ``(width, height)``, when known.

    Raises:
        ConfigError: A box without a label, with bad corners, outside the video, or too many.
    """
    if len(boxes) > MAX_BOXES:
        raise ConfigError(f"{len(boxes)} boxes on one event; at most {MAX_BOXES}", subject=subject)
    cleaned: list[dict[str, JsonValue]] = []
    for number, box in enumerate(boxes, start=1):
        label = box.get("label")
        if not isinstance(label, str) or not label.strip() or len(label.strip()) > MAX_LABEL:
            raise ConfigError(
                f"box {number} needs a class name (1–{MAX_LABEL} characters)",
                subject=subject,
                hint=BOX_HINT,
            )
        raw = box.get("xyxy")
        try:
            xyxy = [_number(v) for v in raw] if isinstance(raw, list | tuple) else []
        except TypeError:
            xyxy = []
        problem = xyxy_problem(xyxy, size) if xyxy else "xyxy must be a list of 4 numbers"
        if problem is not None:
            raise ConfigError(
                f"box {number} ({label.strip()}): {problem}", subject=subject, hint=BOX_HINT
            )
        cleaned.append({"label": label.strip(), "xyxy": [round(v, DECIMALS) for v in xyxy]})
    return cleaned


def boxes_of(event: Event) -> list[dict[str, JsonValue]]:
    """The boxes drawn on ``event`` (an empty list when none)."""
    value = (event.model_extra or {}).get(BOXES_KEY)
    return [dict(box) for box in value if isinstance(box, dict)] if isinstance(value, list) else []


def set_boxes(event: Event, boxes: Sequence[Mapping[str, JsonValue]]) -> None:
    """Replace the boxes of ``event``; an empty list removes the field."""
    if boxes:
        setattr(event, BOXES_KEY, [dict(box) for box in boxes])
    elif event.model_extra is not None:
        event.model_extra.pop(BOXES_KEY, None)


def drawn_labels(events: Sequence[Event]) -> list[str]:
    """The class names already drawn in the log, in first-seen order."""
    seen: dict[str, None] = {}
    for event in events:
        for box in boxes_of(event):
            label = box.get("label")
            if isinstance(label, str):
                seen.setdefault(label, None)
    return list(seen)
