"""Fuzz every operation of the studio's OpenAPI document against the real server: no 5xx.

Schemathesis reads ``/openapi.json`` from ``framewise studio`` running on loopback and sends
valid and invalid requests to every operation (random bytes as videos, random names as
feature files, datasets and models, random spans as labels). The check is the issue's:
no answer is a server error, and every answer is one the document declares.
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    not_a_server_error,
    response_schema_conformance,
    status_code_conformance,
)

from framewise.studio import StudioSettings, create_app
from tests.integration.studio.studio_live import LiveStudio


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveStudio]:
    with LiveStudio(tmp_path_factory.mktemp("fuzz") / "data", "--max-upload-mb", "1") as live:
        yield live


def _document() -> dict[str, Any]:
    # The document the server publishes, built by the same app factory (no server needed
    # while pytest collects); a test below checks the served one names the same paths.
    with tempfile.TemporaryDirectory() as folder:
        app = create_app(StudioSettings(data_dir=Path(folder)), workers=False)
        return app.openapi()


DOCUMENT = _document()
SCHEMA = schemathesis.openapi.from_dict(DOCUMENT)


@pytest.mark.slow
@SCHEMA.parametrize()
@settings(
    max_examples=8,
    deadline=None,
    database=None,  # no .hypothesis/ folder in the working tree
    suppress_health_check=list(HealthCheck),
)
def test_no_operation_answers_with_a_server_error(
    case: schemathesis.Case[Any], server: LiveStudio
) -> None:
    response = case.call(base_url=server.url)
    case.validate_response(
        response, checks=[not_a_server_error, status_code_conformance, response_schema_conformance]
    )


def test_the_openapi_document_names_every_endpoint(server: LiveStudio) -> None:
    paths = set(server.get("/openapi.json").json()["paths"])
    seed = {
        "/backend/upload_and_extract_features",
        "/backend/features",
        "/backend/features/{filename}",
        "/backend/build_task_dataset",
        "/backend/datasets",
        "/backend/train_task_model",
        "/backend/models",
    }
    extra = {
        "/backend/jobs/{job_id}",
        "/backend/videos",
        "/backend/videos/{video_id}/file",
        "/backend/videos/{video_id}/labels",
        "/backend/models/{model_id}/predict",
        "/backend/models/{model_id}/metrics",
        "/backend/predictions/{video_id}",
    }
    assert seed | extra <= paths
    assert paths == set(DOCUMENT["paths"])
    assert not (Path(server.data) / "tmp").exists() or not list((server.data / "tmp").iterdir())
