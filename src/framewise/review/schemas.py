"""Request and response bodies of the review API (validated; unknown fields refused).

Every number in a request is finite, ``data`` values included: the log is JSON, which has no
NaN or Infinity (the strict body reader refuses them as text; these models refuse them when
built from Python).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from framewise.core.events import JsonData, JsonValue
from framewise.review.boxes import MAX_BOXES, MAX_LABEL, xyxy_problem


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class DrawnBox(_Body):
    """A box a reviewer drew: a class name and ``[x1, y1, x2, y2]`` in video pixels.

    Whether it lies inside the video is checked against the video's size by the route (the
    size is the server's, not the request's).
    """

    label: str = Field(min_length=1, max_length=MAX_LABEL)
    xyxy: list[float] = Field(min_length=4, max_length=4)

    @field_validator("label")
    @classmethod
    def _named(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("a box needs a class name")
        return value.strip()

    @field_validator("xyxy")
    @classmethod
    def _ordered(cls, value: list[float]) -> list[float]:
        problem = xyxy_problem(value)
        if problem is not None:
            raise ValueError(problem)
        return value

    def as_json(self) -> dict[str, JsonValue]:
        """The box as stored in the log."""
        return {"label": self.label, "xyxy": list(self.xyxy)}


Boxes = list[DrawnBox]


class EventPatch(_Body):
    """Changes to one event; absent fields stay as they are, a ``null`` data value is removed.

    ``boxes`` replaces the boxes drawn on an event a reviewer added (``[]`` removes them).
    """

    type: str | None = Field(default=None, min_length=1, max_length=100)
    data: JsonData | None = None
    video_offset_seconds: float | None = Field(default=None, ge=0)
    boxes: Boxes | None = Field(default=None, max_length=MAX_BOXES)


class NewEvent(_Body):
    """An event the model missed, added at a time of the video, with the boxes drawn on it."""

    type: str = Field(min_length=1, max_length=100)
    video_offset_seconds: float = Field(ge=0)
    data: JsonData = Field(default_factory=dict)
    confidence: float = Field(default=1.0, ge=0, le=1)
    boxes: Boxes | None = Field(default=None, max_length=MAX_BOXES)


class ApproveRequest(_Body):
    """Confirm events (or take a confirmation back with ``approved: false``)."""

    ids: list[str] = Field(min_length=1)
    approved: bool = True


class BulkRequest(_Body):
    """One action on a selection (``ids``) or on a time range (``start`` to ``end`` seconds)."""

    action: Literal["approve", "unapprove", "delete"]
    ids: list[str] | None = None
    start: float | None = Field(default=None, ge=0)
    end: float | None = Field(default=None, ge=0)

    @model_validator(mode="after")
    def _one_target(self) -> BulkRequest:
        by_range = self.start is not None or self.end is not None
        if (self.ids is None) == (not by_range):
            raise ValueError("give either ids or a time range (start and end), not both")
        if by_range and (self.start is None or self.end is None or self.end < self.start):
            raise ValueError("a time range needs start <= end")
        return self

    def span(self) -> tuple[float, float]:
        """The time range, in seconds (meaningful when no ``ids`` are given)."""
        return (self.start or 0.0, self.end or 0.0)


class ErrorResponse(BaseModel):
    """Every refusal: a sentence for the page, or where and why for a refused body."""

    detail: str | list[dict[str, Any]]


ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    status: {"model": ErrorResponse, "description": why}
    for status, why in (
        (400, "Malformed request body"),
        (403, "A change from another origin"),
        (404, "No such event, or no review queue"),
        (409, "Nothing to undo"),
        (413, "Body too large"),
        (422, "Body breaks the contract, or the change does not fit the log or video"),
    )
}
"""The documented error answers of every API route (the OpenAPI document lists them)."""


class ChangeResponse(BaseModel):
    """The outcome of a change: the ids it touched, the undo depth and the whole log."""

    changed: list[str]
    undo_depth: int
    log: dict[str, Any]


class MetaResponse(BaseModel):
    """What the page needs besides the log."""

    log_name: str
    threshold: float
    video_url: str | None
    video_name: str | None
    fps: float
    duration: float
    suggestions: dict[str, list[str]]
    fields_by_type: dict[str, list[str]]
    undo_depth: int
    queue_url: str | None = None
    box_labels: list[str] = Field(default_factory=list)
    video_width: int | None = None
    video_height: int | None = None


class JournaledBoxes(BaseModel):
    """The model's boxes on the sampled frame nearest a time (``seconds``: that frame's)."""

    seconds: float | None
    boxes: list[dict[str, Any]]


class QueueEntry(BaseModel):
    """One frame of the review queue, in the log under review."""

    key: str
    seconds: float
    frame_index: int
    score: float
    reasons: dict[str, float]
    main_reason: str
    classes: list[str]


class QueueResponse(BaseModel):
    """The review queue's items of the log under review, in time order."""

    queue_name: str
    created_at: str
    options: dict[str, Any]
    total: int
    items: list[QueueEntry]
