"""Hostile bodies against the real review server: NaN/Infinity refused, large bodies cut off.

Before: ``PATCH {"data": {"weapon": NaN}}`` answered 200 and wrote ``"weapon": NaN`` into the
log (not JSON: ``import`` then crashed), and a 40 MiB body was read and parsed whole.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from framewise.core.jsonfile import strict_loads
from framewise.events.log import read_event_log
from framewise.review import ReviewServer, open_review
from framewise.serving import DEFAULT_MAX_BODY_BYTES
from tests.integration.review.conftest import ReviewFiles

JSON = {"content-type": "application/json"}

# (method, path, raw body): each holds a number JSON does not have.
NON_FINITE = [
    ("PATCH", "/api/events/evt_00002", '{"data": {"weapon": NaN}}'),
    ("PATCH", "/api/events/evt_00002", '{"data": {"shots": [1, 2, Infinity]}}'),
    ("PATCH", "/api/events/evt_00002", '{"video_offset_seconds": Infinity}'),
    ("PATCH", "/api/events/evt_00002", '{"data": {"distance": 1e999}}'),
    ("POST", "/api/events", '{"type": "kill", "video_offset_seconds": NaN}'),
    ("POST", "/api/events", '{"type": "kill", "video_offset_seconds": 2, "confidence": NaN}'),
    (
        "POST",
        "/api/events",
        '{"type": "kill", "video_offset_seconds": 2, "data": {"x": -Infinity}}',
    ),
    ("POST", "/api/bulk", '{"action": "delete", "start": 0, "end": Infinity}'),
]


def _client(server: ReviewServer) -> httpx.Client:
    return httpx.Client(base_url=server.url, timeout=30)


@pytest.mark.parametrize(("method", "path", "body"), NON_FINITE)
def test_non_finite_numbers_are_refused_and_the_log_stays_json(
    server: ReviewServer, files: ReviewFiles, method: str, path: str, body: str
) -> None:
    before = files.log.read_bytes()
    with _client(server) as http:
        answer = http.request(method, path, content=body, headers=JSON)
        log = http.get("/api/log")
    assert answer.status_code == 422, answer.text
    (error,) = answer.json()["detail"]
    assert error["type"] == "json_invalid"
    assert "is not a finite number" in error["msg"]
    assert files.log.read_bytes() == before
    strict_loads(files.log.read_text(encoding="utf-8"))  # valid JSON, by the strict reader
    assert log.status_code == 200


@pytest.mark.parametrize(
    "body",
    [
        {"data": {"weapon": "NaN"}},  # a string is a string
        {"data": {"distance": 1.5e300, "nested": {"ok": [0.25, -3]}}},
    ],
)
def test_finite_values_and_strings_spelling_nan_are_kept(
    server: ReviewServer, files: ReviewFiles, body: dict[str, Any]
) -> None:
    with _client(server) as http:
        answer = http.patch("/api/events/evt_00002", json=body)
    assert answer.status_code == 200, answer.text
    event = files.event("evt_00002")
    assert event is not None
    assert {k: event["data"][k] for k in body["data"]} == body["data"]
    read_event_log(files.log)


def _chunks(total: int, size: int = 1024 * 1024) -> Iterator[bytes]:
    yield b'{"data": {"weapon": "'
    sent = 0
    while sent < total:
        yield b"x" * size
        sent += size
    yield b'"}}'


def test_bodies_over_the_limit_are_refused_with_413(
    server: ReviewServer, files: ReviewFiles
) -> None:
    before = files.log.read_bytes()
    body = b'{"data": {"weapon": "' + b"x" * (17 * 1024 * 1024) + b'"}}'
    with _client(server) as http:
        declared = http.patch("/api/events/evt_00002", content=body, headers=JSON)
        streamed = http.patch(
            "/api/events/evt_00002", content=_chunks(17 * 1024 * 1024), headers=JSON
        )
        small = http.patch("/api/events/evt_00002", json={"data": {"weapon": "AKM"}})
    for answer in (declared, streamed):
        assert answer.status_code == 413, answer.text[:200]
        assert answer.headers["content-type"] == "application/json"
        detail = answer.json()["detail"]
        assert f"larger than {DEFAULT_MAX_BODY_BYTES} bytes" in detail
    assert small.status_code == 200
    event = files.event("evt_00002")
    assert event is not None and event["data"]["weapon"] == "AKM"
    assert before != files.log.read_bytes()


def test_the_limit_is_configurable(files: ReviewFiles) -> None:
    session, settings = open_review(files.log, max_body_bytes=1000)
    assert settings.max_body_bytes == 1000
    with ReviewServer(session, settings) as server, _client(server) as http:
        big = http.patch("/api/events/evt_00002", json={"data": {"weapon": "x" * 2000}})
        fits = http.patch("/api/events/evt_00002", json={"data": {"weapon": "x" * 500}})
    assert big.status_code == 413
    assert "larger than 1000 bytes" in big.json()["detail"]
    assert fits.status_code == 200
    assert json.loads(files.log.read_text(encoding="utf-8"))["events"][1]["data"]["weapon"] == (
        "x" * 500
    )
