"""Fuzz every operation of the committed OpenAPI document against a real server: no 5xx.

Schemathesis generates valid and invalid requests from ``docs/openapi.json`` (which another
test keeps equal to what the app serves) and sends them over real HTTP on loopback. Every
default check runs: no 5xx, answers match the documented schemas and status codes, invalid
requests are refused, undeclared methods get 405.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings

from tests.integration.store.store_live import LiveServer

OPENAPI_FILE = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(OPENAPI_FILE)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    with LiveServer(tmp_path_factory.mktemp("fuzz"), max_body_bytes=256 * 1024) as live:
        yield live


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(
    max_examples=10,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the working tree
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)
def test_no_operation_answers_with_a_server_error(
    case: schemathesis.Case[Any], server: LiveServer
) -> None:
    case.call_and_validate(base_url=server.url)
