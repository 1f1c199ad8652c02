"""Planning an import from an event log (pure), and finding/reading logs."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from framewise.core.errors import InputError, InputNotFoundError
from framewise.core.events import Event, EventLog
from framewise.importer.logs import find_logs, in_time_order, read_log
from framewise.importer.plan import import_key, plan_log, source_name
from framewise.importer.single import calls
from framewise.importer.synthetic import synthetic_log

T0 = datetime(2026, 2, 1, 20, 0, tzinfo=UTC)


def _event(n: int, kind: str, minutes: float, **data: object) -> Event:
    return Event(
        event_id=f"e{n}",
        type=kind,
        timestamp=T0 + timedelta(minutes=minutes),
        video_offset_seconds=minutes * 60,
        frame_number=n,
        confidence=1.0,
        data=data,  # type: ignore[arg-type]
    )


def _log(events: list[Event]) -> EventLog:
    base = synthetic_log(raids=0, kills_per_raid=0, start=T0, video_path=r"D:\obs\2026-02-01.mkv")
    return base.model_copy(update={"events": events})


def test_synthetic_log_plans_every_raid_kill_and_end() -> None:
    log = synthetic_log(raids=4, kills_per_raid=3)
    plan = plan_log(log, Path("s.json"))
    assert len(plan.raids) == 4
    assert plan.kill_count == 12
    assert plan.warnings == []
    assert [r.end[1] for r in plan.raids if r.end] == [
        "survived",
        "killed_in_action",
        "survived",
        "missing_in_action",
    ]
    assert plan.ended_at >= max(e.timestamp for e in log.events)


def test_dangling_raids_are_closed_and_stray_events_reported() -> None:
    events = [
        _event(1, "kill", 1, enemy_type="scav"),
        _event(2, "raid_start", 2, map_name="Woods", character_type="PMC", game_mode="PvE"),
        _event(3, "state_transition", 3, from_state="a", to_state="Raid Active"),
        _event(4, "raid_start", 10, map_name="Labs", character_type="pmc", game_mode="pvp"),
        _event(5, "menu_seen", 11),
    ]
    plan = plan_log(_log(events), Path("x.json"))
    first, second = plan.raids
    assert first.fields == {"map_name": "Woods", "character_type": "pmc", "game_mode": "pve"}
    assert first.transitions[0][1] == "raid_active"
    assert first.end is not None and first.end[1:] == ("unknown", None, events[3].timestamp)
    assert second.end is not None and second.end[3] == plan.ended_at
    assert len(plan.warnings) == 4
    assert any("e1" in w and "outside a raid" in w for w in plan.warnings)


def test_import_key_depends_on_video_name_and_start_only() -> None:
    assert source_name(r"D:\obs\2026-02-01.mkv") == "2026-02-01.mkv"
    assert source_name("/mnt/a/2026-02-01.mkv") == "2026-02-01.mkv"
    key = import_key("2026-02-01.mkv", T0)
    assert key == import_key("2026-02-01.mkv", T0)
    assert key != import_key("2026-02-01.mkv", T0 + timedelta(microseconds=1))
    assert plan_log(_log([]), Path("a.json")).import_key == key


def test_server_error_locations_map_back_to_events() -> None:
    plan = plan_log(synthetic_log(raids=2, kills_per_raid=2), Path("s.json"))
    second = plan.raids[1]
    assert plan.event_at("body.raids.1.character_type: bad") == second.start_event
    assert plan.event_at("body.raids.1.kills.1.enemy_type") == second.kills[1][0]
    assert plan.event_at("body.raids.0.transitions.2.to_state") == plan.raids[0].transitions[2][0]
    assert plan.event_at("body.session.started_at") is None


def test_single_endpoint_calls_follow_the_contract_order() -> None:
    plan = plan_log(synthetic_log(raids=1, kills_per_raid=2), Path("s.json"))
    kinds = [c.kind for c in calls(plan)]
    assert kinds == [
        "session",
        "raid",
        "transition",
        "transition",
        "transition",
        "kill",
        "kill",
        "end_raid",
        "end_session",
    ]
    assert list(calls(plan))[5].path(7) == "/api/raid/7/kill"


def test_finding_and_reading_logs(tmp_path: Path) -> None:
    late = synthetic_log(raids=1, kills_per_raid=1, start=T0 + timedelta(days=1))
    early = synthetic_log(raids=1, kills_per_raid=1, start=T0)
    (tmp_path / "sub").mkdir()
    (tmp_path / "a.json").write_text(late.model_dump_json())
    (tmp_path / "sub" / "b.json").write_text(early.model_dump_json())
    (tmp_path / "notes.txt").write_text("not a log")
    found = find_logs([tmp_path])
    assert [p.name for p in found] == ["a.json", "b.json"]
    ordered = in_time_order([(p, read_log(p)) for p in found])
    assert [p.name for p, _ in ordered] == ["b.json", "a.json"]
    with pytest.raises(InputNotFoundError):
        find_logs([tmp_path / "missing"])
    bad = tmp_path / "bad.json"
    bad.write_text('{"events": []}')
    with pytest.raises(InputError, match="not an event log"):
        read_log(bad)


def test_a_raid_whose_start_fields_were_never_seen_is_left_out() -> None:
    log = synthetic_log(raids=2, kills_per_raid=2)
    first = next(e for e in log.events if e.type == "raid_start")
    first.data["map_name"] = None  # the recording began in the middle of this raid
    plan = plan_log(log, Path("s.json"))
    assert len(plan.raids) == 1
    assert plan.raids[0].start_event != first.event_id
    assert any(first.event_id in w and "map_name" in w and "2 kills" in w for w in plan.warnings)
