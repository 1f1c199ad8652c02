"""The import report: warnings folded per log, the exit code, the files a folder walk skips."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from framewise.core.errors import InputError, StoreError
from framewise.core.events import Event
from framewise.importer.logs import RUN_FOLDER_FILES, find_logs
from framewise.importer.plan import plan_log
from framewise.importer.summary import ImportSummary
from framewise.importer.synthetic import synthetic_log
from framewise.pipeline.batch import SUMMARY_NAME
from framewise.pipeline.rundir import MANIFEST_NAME


def test_events_outside_a_raid_fold_into_one_count_per_log() -> None:
    log = synthetic_log(raids=1, kills_per_raid=1)
    start = log.metadata.session_start_time
    menus = [
        Event(
            event_id=f"m{n}",
            type=kind,
            timestamp=start + timedelta(seconds=n + 1),
            video_offset_seconds=n + 1.0,
            frame_number=n,
            confidence=1.0,
        )
        for n, kind in enumerate(["state_transition"] * 5 + ["kill", "emote", "anomaly"])
    ]
    plan = plan_log(log.model_copy(update={"events": [*menus, *log.events]}), Path("a.json"))
    summary = ImportSummary()
    summary.warn("a.json", plan.warnings)
    assert summary.warnings == [
        "a.json: event m6: type 'emote' is not imported",  # other warnings stay, one each
        "a.json: 6 events outside a raid skipped",
        "a.json: 1 anomaly held for review (`framewise review`), not imported",
    ]
    single = ImportSummary()
    single.warn("b.json", ["event e1 (kill) is outside a raid; skipped"])
    assert single.warnings == ["b.json: 1 event outside a raid skipped"]


def test_exit_code_says_whose_fault_it_was() -> None:
    summary = ImportSummary()
    assert summary.exit_code == 0
    summary.fail("a.json", None, "not an event log", unreadable=True)
    assert summary.exit_code == InputError.exit_code
    summary.fail("b.json", "evt_1", "refused by the store")
    assert summary.exit_code == StoreError.exit_code
    gone = ImportSummary()
    gone.fail("c.json", None, "not an event log", unreadable=True)
    gone.aborted = True
    assert gone.exit_code == StoreError.exit_code


def test_a_folder_walk_skips_the_run_folder_files(tmp_path: Path) -> None:
    assert {MANIFEST_NAME, SUMMARY_NAME} == RUN_FOLDER_FILES
    run = tmp_path / "session"
    run.mkdir()
    for name in ("events.json", MANIFEST_NAME):
        (run / name).write_text("{}")
    (tmp_path / SUMMARY_NAME).write_text("{}")
    assert find_logs([tmp_path]) == [run / "events.json"]
    assert find_logs([run / MANIFEST_NAME]) == [run / MANIFEST_NAME]  # named: still tried
