"""Loading MediaPipe prints nothing a user would take for an error (its bindings print an
AttributeError line under protobuf 5+, which the pose stage keeps off the terminal)."""

from __future__ import annotations

import subprocess
import sys


def test_loading_mediapipe_prints_no_attribute_error() -> None:
    done = subprocess.run(
        [sys.executable, "-c", "from framewise.detectors.pose import _solutions; _solutions()"],
        capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert "GetPrototype" not in done.stderr
    assert "AttributeError" not in done.stderr
