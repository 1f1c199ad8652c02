"""An image folder's timestamps CSV that is not UTF-8 is one clear error naming its line."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.sources.images import read_timestamps


def test_a_timestamps_csv_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "times.csv"
    path.write_bytes(b"file,seconds\nshot_1.png,0.0\nK\xe4se.png,0.5\n")  # Latin-1
    with pytest.raises(ConfigError, match="not UTF-8") as caught:
        read_timestamps(path)
    assert caught.value.subject == f"{path}:3"
    path.write_bytes("file,seconds\nshot_1.png,0.0\nKäse.png,0.5\n".encode())
    assert read_timestamps(path) == {"shot_1.png": 0.0, "Käse.png": 0.5}
