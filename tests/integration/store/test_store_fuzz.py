"""Fuzz every operation of the committed OpenAPI document against a real server: no 5xx.

Schemathesis generates valid and invalid requests from ``docs/openapi.json`` (which another
test keeps equal to what the app serves) and sends them over real HTTP on loopback. Every
default check runs: no 5xx, answers match the documented schemas and status codes, invalid
requests are refused, undeclared methods get 405.

A schema cannot say that a kill's time lies inside its raid (or that a raid ends after its
last kill): a schema-valid body refused for that rule, with a 422 that names the raid's span,
is the contract kept, so only for those answers is "valid data accepted" not asked.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import positive_data_acceptance

from tests.integration.store.store_live import LiveServer

OPENAPI_FILE = Path(__file__).resolve().parents[3] / "docs" / "openapi.json"
SCHEMA = schemathesis.openapi.from_path(OPENAPI_FILE)


RAID_SPAN = re.compile(
    r"is outside (raid \d+|its raid), which ran|cannot end at .* it started at"
    r"|is before the raid's start"
)
"""How the store words its refusal of a time outside its raid (repository.check_inside)."""


def _raid_span_rule(response: Any) -> bool:
    if response.status_code != 422:
        return False
    error = response.json().get("error", {})
    return error.get("code") == "validation_error" and bool(RAID_SPAN.search(error["message"]))


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
    response = case.call(base_url=server.url)
    beyond = [positive_data_acceptance] if _raid_span_rule(response) else []
    case.validate_response(response, excluded_checks=beyond)
