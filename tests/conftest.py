"""Shared fixtures: the real-video corpus, ffmpeg, and a guard that fails tests on ERROR logs."""

from __future__ import annotations

import importlib.util
import json
import logging
import os
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

REAL_DATA = Path(__file__).resolve().parents[1].parent / "shared" / "data" / "real"


def _missing(what: str) -> None:
    """Fail under CI (where the corpus must be present), skip on a developer's machine."""
    if os.environ.get("CI"):
        pytest.fail(f"{what} is missing; CI must run with ../shared beside the checkout")
    pytest.skip(f"{what} is missing")


@pytest.fixture(scope="session")
def real_data() -> Path:
    """The folder of real third-party videos with ground truth (../shared/data/real)."""
    if not (REAL_DATA / "MANIFEST.json").exists():
        _missing(str(REAL_DATA))
    return REAL_DATA


@pytest.fixture(scope="session")
def manifest(real_data: Path) -> dict[str, dict[str, Any]]:
    """MANIFEST.json entries keyed by their path relative to the corpus root."""
    data = json.loads((real_data / "MANIFEST.json").read_text())
    return {entry["path"]: entry for entry in data["files"]}


def ground_truth(real_data: Path, relative: str) -> dict[str, Any]:
    """The ground-truth JSON beside a corpus video."""
    path = real_data / f"{relative}.groundtruth.json"
    if not path.exists():
        _missing(str(path))
    result: dict[str, Any] = json.loads(path.read_text())
    return result


@pytest.fixture(scope="session")
def ffmpeg() -> str:
    """Path of the ffmpeg command (``make test`` installs Debian's package when absent)."""
    found = shutil.which("ffmpeg")
    if found is None:
        _missing("the ffmpeg command (run `make tools`)")
    assert found is not None
    return found


@pytest.fixture(scope="session")
def ultralytics_installed() -> None:
    """Require the ``train`` extra (``make test`` installs it) without importing Ultralytics."""
    if importlib.util.find_spec("ultralytics") is None:  # importing it would go online
        _missing("the train extra (run `make train-deps`)")


@pytest.fixture(autouse=True)
def _fail_on_error_logs(
    request: pytest.FixtureRequest, caplog: pytest.LogCaptureFixture
) -> Iterator[None]:
    """An ERROR log record fails the test unless it is marked ``allow_error_logs``."""
    caplog.set_level(logging.WARNING)
    yield
    if request.node.get_closest_marker("allow_error_logs"):
        return
    errors = [r for r in caplog.get_records("call") if r.levelno >= logging.ERROR]
    if errors:
        pytest.fail("ERROR logged: " + "; ".join(r.getMessage() for r in errors), pytrace=False)
