"""Events and artefacts of the generic core: payloads are strict JSON objects, times are UTC."""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import ValidationError

from framewise.store_api.constants import PAYLOAD_MAX_BYTES, PAYLOAD_MAX_DEPTH
from framewise.store_api.records import ArtefactCreate, EventBatch, EventCreate


def _nested(depth: int) -> dict[str, Any]:
    payload: dict[str, Any] = {}
    for _ in range(depth - 1):
        payload = {"x": payload}
    return payload


def test_a_payload_keeps_its_json_types() -> None:
    payload: dict[str, Any] = {"weapon": "AK-74", "count": 3, "score": 0.5, "ok": True}
    payload["none"] = None
    event = EventCreate(type="kill", payload={**payload, "list": [1, "a", {"b": []}]})
    assert event.payload["list"] == [1, "a", {"b": []}]
    assert event.model_dump(mode="json")["payload"]["weapon"] == "AK-74"
    assert EventCreate(type="tick").payload == {}


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_non_finite_numbers_are_refused_at_any_depth(bad: float) -> None:
    with pytest.raises(ValidationError, match="finite"):
        EventCreate(type="kill", payload={"a": {"b": [1.0, bad]}})
    with pytest.raises(ValidationError, match="finite"):
        ArtefactCreate(kind="clip", uri="a.mp4", media_type="video/mp4", payload={"x": bad})


def test_depth_and_size_are_capped() -> None:
    EventCreate(type="deep", payload=_nested(PAYLOAD_MAX_DEPTH))
    with pytest.raises(ValidationError, match="deeper"):
        EventCreate(type="deep", payload=_nested(PAYLOAD_MAX_DEPTH + 1))
    fits = "x" * (PAYLOAD_MAX_BYTES - len('{"s":""}'))
    assert EventCreate(type="big", payload={"s": fits}).payload["s"] == fits
    with pytest.raises(ValidationError, match="bytes"):
        EventCreate(type="big", payload={"s": fits + "x"})
    # Counted as UTF-8: two bytes per "é", so half as many characters fit.
    with pytest.raises(ValidationError, match="bytes"):
        EventCreate(type="big", payload={"s": "é" * (PAYLOAD_MAX_BYTES // 2)})


@pytest.mark.parametrize("bad", [[1, 2], "text", 3])
def test_a_payload_must_be_an_object(bad: Any) -> None:
    with pytest.raises(ValidationError):
        EventCreate.model_validate({"type": "kill", "payload": bad})


def test_times_follow_the_contract_conventions() -> None:
    naive = EventCreate.model_validate({"type": "a", "timestamp": "2026-01-15T18:05:23.654321"})
    assert naive.timestamp == datetime(2026, 1, 15, 18, 5, 23, 654321, tzinfo=UTC)
    east = datetime(2026, 1, 15, 21, 5, tzinfo=timezone(timedelta(hours=3)))
    converted = EventCreate(type="a", timestamp=east).timestamp
    assert converted is not None and converted.utcoffset() == timedelta(0)
    assert converted == east
    with pytest.raises(ValidationError, match="ISO-8601"):
        EventCreate.model_validate({"type": "a", "timestamp": 1_768_500_000})


def test_confidence_offset_type_and_media_type_are_checked() -> None:
    refused: list[dict[str, Any]] = [
        {"confidence": 1.5},
        {"confidence": math.nan},
        {"confidence": True},  # strict: a JSON true is no confidence
        {"video_offset_seconds": -1},
        {"video_offset_seconds": "1.5"},
    ]
    for bad in refused:
        with pytest.raises(ValidationError):
            EventCreate.model_validate({"type": "a", **bad})
    with pytest.raises(ValidationError):
        EventCreate(type="")
    ArtefactCreate(kind="thumb", uri="file:///t/a.jpg", media_type="image/jpeg")
    for media_type in ("jpeg", "image/", "image/jpeg; q=1"):
        with pytest.raises(ValidationError):
            ArtefactCreate(kind="thumb", uri="a.jpg", media_type=media_type)
    with pytest.raises(ValidationError):
        ArtefactCreate(kind="thumb", uri="", media_type="image/jpeg")
    whole = ArtefactCreate.model_validate(
        {"kind": "t", "uri": "u", "media_type": "image/png", "event_id": 5.0}
    )
    assert whole.event_id == 5 and isinstance(whole.event_id, int)
    for event_id in (0, "5", True, 5.5):
        with pytest.raises(ValidationError):
            ArtefactCreate.model_validate(
                {"kind": "t", "uri": "u", "media_type": "image/png", "event_id": event_id}
            )


def test_unknown_fields_are_ignored_like_every_request_body() -> None:
    batch = EventBatch.model_validate({"events": [{"type": "a", "later": 1}], "extra": True})
    assert [e.type for e in batch.events] == ["a"]
