"""One event-log reader: the same bad file gives the same error and exit code everywhere."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from framewise.cli.main import main
from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.events.log import EventLogError, read_event_log, write_event_log
from framewise.importer.logs import read_log
from framewise.importer.synthetic import synthetic_log

T0 = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)

BAD_FILES = {
    "not_json.json": ('{"metadata": ', "not valid JSON (line 1, column 14"),
    "not_a_log.json": ('{"events": []}', "not an event log (metadata: Field required)"),
}


@pytest.mark.parametrize("name", sorted(BAD_FILES))
def test_both_readers_raise_the_same_input_error(tmp_path: Path, name: str) -> None:
    text, message = BAD_FILES[name]
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    with pytest.raises(EventLogError) as direct:
        read_event_log(path)
    with pytest.raises(EventLogError) as imported:
        read_log(path)
    assert str(direct.value) == str(imported.value)
    assert message in direct.value.message
    assert direct.value.subject == str(path)
    # A bad input file: InputError's exit code; still a ConfigError for older callers.
    assert isinstance(direct.value, InputError) and isinstance(direct.value, ConfigError)
    assert direct.value.exit_code == InputError.exit_code == 3


def test_a_missing_log_is_not_found(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError, match="no such event log"):
        read_event_log(tmp_path / "gone.json")
    with pytest.raises(InputNotFoundError, match="no such event log"):
        read_log(tmp_path / "gone.json")


def test_a_good_log_reads_back_as_written(tmp_path: Path) -> None:
    log = synthetic_log(raids=1, kills_per_raid=2, start=T0)
    path = tmp_path / "events.json"
    write_event_log(path, log)
    assert read_event_log(path) == read_log(path)
    assert [e.event_id for e in read_event_log(path).events] == [e.event_id for e in log.events]


def test_commands_that_read_a_bad_log_exit_with_the_input_code(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = tmp_path / "events.json"
    bad.write_text("{not json", encoding="utf-8")
    codes = {
        "export": main(["export", str(bad), "--out", str(tmp_path / "dataset")]),
        "review": main(["review", str(bad), "--no-browser"]),
    }
    assert codes == {"export": 3, "review": 3}
    errors = capsys.readouterr().err.splitlines()
    assert len(errors) == 2 and all("not valid JSON" in line for line in errors)
