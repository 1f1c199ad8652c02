"""``--detection-fps`` is validated like the YAML's own value: one line, exit 2, no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

COUNTER = Path(__file__).resolve().parents[3] / ".." / "shared" / "data" / "real"
VIDEO = COUNTER / "pyscenedetect" / "counter.mp4"


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("inf", "finite number"),
        ("nan", "finite number"),
        ("0", "greater than 0"),
        ("2000", "less than or equal to 1000"),
    ],
)
def test_a_bad_detection_fps_is_one_clear_line(value: str, says: str, tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "framewise", "process", "--video", str(VIDEO), "--profile",
         "tarkov", "--output", str(tmp_path), "--detection-fps", value],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    (line,) = done.stderr.strip().splitlines()
    assert line.startswith("framewise: error: --detection-fps:")
    assert says in line
