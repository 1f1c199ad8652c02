"""A small evaluation matrix keeps the tarkov profile holding on degraded footage.

Three variants of one short held-back session (seed 953: never trained on; it opens in a
short raid, ends it and goes through the menus into a second): clean 720p30, a 1080p render
downscaled to 720p with grain at 2 Mb/s (the issue's failing case), and every degradation
at once. Run through ``framewise eval-matrix``, as the README's matrix is; each figure must
stay at the value measured when this test was written, less a margin.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

MEASURED = {
    "clean": {"recall": 1.0, "precision": 1.0, "time_p95": 0.033, "field_accuracy": 1.0},
    "grain720": {"recall": 1.0, "precision": 1.0, "time_p95": 0.033, "field_accuracy": 1.0},
    "worst": {"recall": 1.0, "precision": 1.0, "time_p95": 0.033, "field_accuracy": 1.0},
}
"""Figures measured on this session with the shipped model (v7) and OCR titles, 2026-12-06 (v6
scored the same on 2026-12-05): every target met on all three (v3 scored 0.917 / 1.0 / 0.5
recall here); the test keeps them."""
MARGIN = 0.09
"""One event of the session's twelve."""
TIME_MARGIN = 0.2


def test_small_matrix_holds(tmp_path: Path) -> None:
    out = tmp_path / "matrix.json"
    done = subprocess.run(
        [sys.executable, "-m", "framewise", "eval-matrix", "--variants", ",".join(MEASURED),
         "--seeds", "953", "--minutes", "0.75", "--out", str(out)],
        capture_output=True, text=True, timeout=1500, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "| variant | events |" in done.stdout
    rows = {v["variant"]: v for v in json.loads(out.read_text())["variants"]}
    assert list(rows) == list(MEASURED)
    for name, want in MEASURED.items():
        got = rows[name]
        assert got["events"] >= 10, got
        for key in ("recall", "precision", "field_accuracy"):
            assert got[key] >= want[key] - MARGIN, (name, key, got)
        assert got["time_p95"] <= want["time_p95"] + TIME_MARGIN, (name, got)
