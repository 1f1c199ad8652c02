"""Editing suggestions: the profile's vocabulary file, the built-in list and the log's values."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.events.log import read_event_log
from framewise.profiles import profile_dir
from framewise.review.vocab import VOCABULARY_FILE, fields_by_type, suggestions
from tests.integration.review.conftest import ReviewFiles


def test_profile_file_then_log_values(tmp_path: Path, files: ReviewFiles) -> None:
    (tmp_path / VOCABULARY_FILE).write_text(
        "weapon: [RSASS, AK-74M]\nextract_location: [ZB-1011, Crossroads]\n", encoding="utf-8"
    )
    log = read_event_log(files.log)
    merged = suggestions(log, profile_dir=tmp_path)
    weapons = merged["weapon"]
    assert weapons[:2] == ["RSASS", "AK-74M"]  # the profile's own order first
    assert weapons.count("AK-74M") == 1  # no duplicates
    assert "AK-47" in weapons  # only in the log
    assert merged["extract_location"] == ["ZB-1011", "Crossroads"]
    assert sorted(merged["headshot"]) == ["false", "true"]  # booleans as the editor writes them
    assert {"kill", "raid_start", "raid_end", "state_transition"} <= set(merged["type"])
    shipped = suggestions(log, profile_dir=profile_dir("tarkov"))
    assert "Saiga-12" in shipped["weapon"]  # the profile's vocabularies.yaml
    assert "Streets of Tarkov" in shipped["map_name"]
    assert "Saiga-12" not in suggestions(log)["weapon"]


def test_fields_by_type(files: ReviewFiles) -> None:
    log = read_event_log(files.log)
    assert fields_by_type(log)["kill"] == ["enemy_type", "weapon", "headshot"]
    assert fields_by_type(log, profile=None)["raid_end"] == ["outcome", "extract_location"]


@pytest.mark.parametrize(
    ("text", "message"),
    [("weapon: [unclosed", "not valid YAML"), ("- a list\n- not a mapping\n", "map field names")],
)
def test_bad_vocabulary_file(tmp_path: Path, files: ReviewFiles, text: str, message: str) -> None:
    (tmp_path / VOCABULARY_FILE).write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=message):
        suggestions(read_event_log(files.log), profile_dir=tmp_path)
