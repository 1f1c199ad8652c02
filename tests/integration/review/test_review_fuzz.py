"""Fuzz every operation of the review API from its own OpenAPI document: no 5xx, no contract
violation (issue 14, item 12).

The review server of the other review tests (a real clip and log, on 127.0.0.1) publishes its
document at ``/api/openapi.json``; schemathesis generates valid and invalid requests from it
(hypothesis underneath) and sends them over real HTTP, with every default check. The document
exists only once the server runs, so the operations are walked inside one test; a few examples
per operation and mode keep it fast.

A schema cannot say that a box's x2 exceeds its x1, that an event's time lies inside the video,
or that a bulk action takes ids or a time range: a schema-valid body refused for such a rule (a
422 naming it) is the contract kept, so only for those is "valid data accepted" not asked.
"""

from __future__ import annotations

from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import positive_data_acceptance
from schemathesis.core.failures import FailureGroup
from schemathesis.core.result import Ok

from framewise.review import ReviewServer

OPENAPI_PATH = "api/openapi.json"
EXAMPLES = 8


def _rule_beyond_schema(response: Any) -> bool:
    """A 422 for a rule the schema cannot state: a validator's (``value_error``), or a change
    that does not fit the log or the video (a sentence, from the session)."""
    if response.status_code != 422:
        return False
    detail = response.json().get("detail")
    if isinstance(detail, str):
        return True
    return bool(detail) and all(item.get("type") == "value_error" for item in detail)


def _fuzz(operation: Any, mode: GenerationMode) -> None:
    @given(case=operation.as_strategy(generation_mode=mode))
    @settings(
        max_examples=EXAMPLES,
        deadline=None,
        database=None,  # no .hypothesis/ folder in the working tree
        suppress_health_check=list(HealthCheck),
    )
    def check(case: schemathesis.Case[Any]) -> None:
        response = case.call()
        beyond = [positive_data_acceptance] if _rule_beyond_schema(response) else []
        case.validate_response(response, excluded_checks=beyond)

    check()


@pytest.mark.slow
def test_no_review_operation_breaks_its_contract(server: ReviewServer) -> None:
    schema = schemathesis.openapi.from_url(server.url + OPENAPI_PATH)
    operations = []
    for result in schema.get_all_operations():
        assert isinstance(result, Ok), result.err()  # the document itself is valid
        operations.append(result.ok())
    labels = {operation.label for operation in operations}
    assert {"PATCH /api/events/{event_id}", "POST /api/events", "GET /api/log"} <= labels
    failures: list[str] = []
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _fuzz(operation, mode)
            except Unsatisfiable:
                assert mode is GenerationMode.NEGATIVE  # nothing of it can be made invalid
            except (AssertionError, FailureGroup) as exc:
                failures.append(f"{operation.label} ({mode.value}): {exc!s:.2000}")
    assert not failures, "\n\n".join(failures)
