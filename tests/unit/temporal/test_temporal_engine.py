"""EventEngine: the whole temporal stage, ordered output, config wiring."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from framewise.config import PipelineConfig, load_pipeline, load_state_machine
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.temporal import (
    EpisodeFilter,
    EpisodeRule,
    EventEngine,
    EventRecord,
    FieldValue,
    StateMachine,
)
from tests.unit.temporal.temporal_timeline import SCREEN, TARKOV, Shown, frames, row_box

SCREENS = EpisodeRule(hits=3, period_seconds=0.1, hold_seconds=1.0, min_duration_seconds=0.3)
KILLS = EpisodeRule(classes=("kill_notification",), hits=3, period_seconds=0.1, hold_seconds=1.0)
KILL_FIELDS: dict[str, FieldValue] = {"enemy_type": "scav", "weapon": "AK-74M", "headshot": False}

RAID = [
    Shown("map_select", 0, 4, SCREEN, {"map_name": "customs", "game_mode": "pve"}),
    Shown("loading_screen", 4, 10),
    Shown("gameplay_hud", 10, 200),
    *[Shown("kill_notification", t, t + 4, row_box(0), KILL_FIELDS) for t in (30, 60, 90)],
    Shown("kill_notification", 90.5, 94.5, row_box(1), KILL_FIELDS),
    Shown("survived_screen", 200, 206, SCREEN, {"extract_location": "Crossroads"}),
    Shown("statistics_screen", 206, 210),
]


def run(ordered: bool) -> list[tuple[float, EventRecord]]:
    machine = StateMachine(load_state_machine(TARKOV))
    engine = EventEngine(EpisodeFilter([KILLS, SCREENS]), machine, ordered=ordered)
    released = [(t, r) for t, obs in frames(RAID, 215.0) for r in engine.update(t, obs)]
    return released + [(float("inf"), r) for r in engine.flush()]


def test_ordered_output_never_goes_back_in_time() -> None:
    ordered = run(ordered=True)
    times = [r.seconds for _, r in ordered]
    assert times == sorted(times)
    unordered = [r for _, r in run(ordered=False)]
    assert times != [r.seconds for r in unordered]  # the raw stream does go back
    key = [(r.type, r.seconds, sorted(r.data.items())) for _, r in ordered]
    assert sorted(key, key=repr) == sorted(
        [(r.type, r.seconds, sorted(r.data.items())) for r in unordered], key=repr
    )
    assert [r.type for _, r in ordered].count("kill") == 4


def test_hold_back_is_seconds_not_a_whole_raid() -> None:
    released = run(ordered=True)
    lag = {(r.type, r.seconds): t - r.seconds for t, r in released if r.type != "state_transition"}
    assert lag[("raid_start", 10.0)] < 1.0
    # A kill waits for its entry to leave the feed (4 s) plus the hold (1 s), no more.
    assert all(lag[("kill", s)] <= 5.3 for s in (30.0, 60.0, 90.0, 90.5))
    assert lag[("raid_end", 200.0)] <= 7.3  # waits for the extract location's last frame


def test_without_state_machine_closed_episodes_become_records() -> None:
    engine = EventEngine(EpisodeFilter([KILLS, SCREENS]))
    records = [r for t, obs in frames(RAID[:3], 15.0) for r in engine.update(t, obs)]
    records += engine.flush()
    assert [(r.type, r.seconds, r.data["class_name"]) for r in records] == [
        ("episode", 0.0, "map_select"),
        ("episode", 4.0, "loading_screen"),
        ("episode", 10.0, "gameplay_hud"),
    ]
    assert records[0].data["map_name"] == "customs"
    assert records[0].data["duration_seconds"] == pytest.approx(3.9)
    assert engine.anomalies == ()


def test_engine_accepts_detections() -> None:
    engine = EventEngine(EpisodeFilter([SCREENS]))
    det = Detections(
        np.array([[0, 0, 50, 50]], np.float32),
        np.array([0.7], np.float32),
        ("logo",),
        attributes=({"text": {"value": "ACME", "confidence": 0.6}},),
    )
    for i in range(5):
        assert engine.update(i / 10, det) == []
    (record,) = engine.flush()
    assert record.data["text"] == "ACME"
    assert record.confidence == pytest.approx(0.6)


def test_from_config_loads_the_named_state_machine(tmp_path: Path) -> None:
    path = tmp_path / "pipeline.yaml"
    path.write_text(
        "detectors: [{kind: yolo_onnx, model: m.onnx}]\n"
        f"state_machine: {TARKOV}\n"
        "filters:\n  - kind: episode\n    classes: [kill_notification]\n"
        "  - kind: episode\n    min_duration_seconds: 0.3\n"
    )
    engine = EventEngine.from_config(load_pipeline(path))
    assert engine.machine is not None and engine.machine.spec.name == "tarkov"
    records = [r for t, obs in frames(RAID, 215.0) for r in engine.update(t, obs)]
    records += engine.flush()
    assert [r.type for r in records].count("raid_start") == 1
    assert [r.data for r in records if r.type == "raid_end"] == [
        {"outcome": "survived", "extract_location": "Crossroads"}
    ]


def test_from_config_reports_a_missing_state_machine(tmp_path: Path) -> None:
    cfg = PipelineConfig.model_validate(
        {"detectors": [{"kind": "ocr", "classes": ["a"]}], "state_machine": tmp_path / "no.yaml"}
    )
    with pytest.raises(ConfigError, match=r"no\.yaml"):
        EventEngine.from_config(cfg)


def test_same_input_gives_identical_records() -> None:
    first = [r for _, r in run(ordered=True)]
    second = [r for _, r in run(ordered=True)]
    assert first == second and len(first) > 10


def test_kill_feed_replacement_in_place_keeps_time_order() -> None:
    # Row 0 shows a scav kill, then a boss kill replaces it in place: the split-off track
    # starts 0.4 s before it is recognised as new, and the output must still be ordered.
    timeline = [
        *RAID[:3],
        Shown("kill_notification", 30, 33, row_box(0), KILL_FIELDS),
        Shown("kill_notification", 33, 37, row_box(0), {**KILL_FIELDS, "enemy_type": "boss"}),
    ]
    machine = StateMachine(load_state_machine(TARKOV))
    engine = EventEngine(EpisodeFilter([KILLS, SCREENS]), machine)
    records = [r for t, obs in frames(timeline, 45.0) for r in engine.update(t, obs)]
    records += engine.flush()
    kills = [(r.seconds, r.data["enemy_type"]) for r in records if r.type == "kill"]
    assert kills == [(30.0, "scav"), (33.0, "boss")]
    assert [r.seconds for r in records] == sorted(r.seconds for r in records)
