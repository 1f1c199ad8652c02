"""A JSON file that is not UTF-8 is refused with its line and byte, never read with U+FFFD."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.core.jsonfile import read_json


def test_a_file_that_is_not_utf8_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "versions.json"
    path.write_bytes(b'{\n  "name": "K\xe4se"\n}\n')  # Latin-1, as an old editor saves it
    with pytest.raises(ConfigError, match=r"not UTF-8 text \(line 2, byte 14\)"):
        read_json(path, what="version index", hint="as framewise writes it")
    path.write_bytes('{"name": "Käse"}'.encode())
    assert read_json(path, what="version index", hint="") == {"name": "Käse"}
