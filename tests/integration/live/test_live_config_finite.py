"""POST /config refuses NaN, ±Infinity and absurd periods with 422 (it answered 500 on them)."""

from __future__ import annotations

import math

import httpx
import pytest
from pydantic import ValidationError

from framewise.live.service import LiveService
from framewise.live.thresholds import FilterUpdate, ThresholdUpdate

# The probe's requests (reliability-probe.md, failure 7), as the raw text curl sent.
NON_FINITE_BODIES = [
    '{"confidence": NaN}',
    '{"confidence": 0.5, "iou": NaN}',
    '{"filters":[{"index":0,"hold_seconds": Infinity}]}',
    '{"confidence_threshold": NaN}',
    '{"filters":[{"index":0,"min_confidence": -Infinity}]}',
    '{"iou": 1e999}',
]


def test_non_finite_numbers_are_refused_as_bad_json(replay_service: LiveService) -> None:
    url = f"{replay_service.url}/config"
    before = httpx.get(url).json()
    for body in NON_FINITE_BODIES:
        answer = httpx.post(url, content=body, headers={"content-type": "application/json"})
        assert answer.status_code == 422, (body, answer.text)
        (error,) = answer.json()["detail"]
        assert error["type"] == "json_invalid", body
        assert "is not a finite number" in error["ctx"]["error"], body
    assert httpx.get(url).json() == before  # nothing changed, and the server still answers


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"filters": [{"index": 0, "period_seconds": 1e-300}]}, "period_seconds"),
        ({"filters": [{"index": 0, "period_seconds": 0.0001}]}, "period_seconds"),
        ({"confidence": "NaN"}, "confidence"),  # a string pydantic would read as a float
        ({"filters": [{"index": 0, "hold_seconds": "Infinity"}]}, "hold_seconds"),
    ],
)
def test_absurd_values_are_refused_with_their_field(
    replay_service: LiveService, body: dict[str, object], field: str
) -> None:
    url = f"{replay_service.url}/config"
    answer = httpx.post(url, json=body)
    assert answer.status_code == 422, answer.text
    assert [e["loc"][-1] for e in answer.json()["detail"]] == [field]


def test_a_millisecond_period_is_still_accepted(replay_service: LiveService) -> None:
    url = f"{replay_service.url}/config"
    answer = httpx.post(url, json={"filters": [{"index": 0, "period_seconds": 0.001}]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["filters"][0]["period_seconds"] == 0.001


@pytest.mark.parametrize("value", [math.nan, math.inf])
def test_the_models_refuse_non_finite_from_python(value: float) -> None:
    with pytest.raises(ValidationError, match="finite number"):
        ThresholdUpdate(confidence=value)
    with pytest.raises(ValidationError, match="finite number"):
        FilterUpdate(index=0, hold_seconds=value)
