"""Active-learning selection: scores behave, picks are diverse, the queue file is complete."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.datasets.select import (
    QUEUE_KIND,
    QUEUE_SCHEMA_VERSION,
    SelectOptions,
    select_frames,
    session_names,
    write_queue,
)
from framewise.datasets.select_score import (
    ScoreOptions,
    band_uncertainty,
    class_rarity,
    disagreement,
    frame_uncertainty,
    parse_weights,
)
from tests.unit.datasets.journal_kit import detections, steady, write_session

ONLY_RARITY = ScoreOptions(weights={"uncertainty": 0, "rarity": 1, "disagreement": 0})


def test_uncertainty_peaks_in_the_middle_of_the_band() -> None:
    band = (0.5, 0.7)
    assert band_uncertainty(0.6, band) == pytest.approx(1.0)
    assert band_uncertainty(0.55, band) == pytest.approx(0.5)
    assert band_uncertainty(0.65, band) == pytest.approx(0.5)
    for outside in (0.0, 0.3, 0.5, 0.7, 0.95, 1.0):
        assert band_uncertainty(outside, band) == pytest.approx(0.0)
    assert band_uncertainty(0.9, (0.8, 1.0)) == pytest.approx(1.0)
    # A frame takes its most uncertain detection.
    assert frame_uncertainty(detections(("a", 0.95), ("b", 0.62)), band) == pytest.approx(0.8)
    assert frame_uncertainty(detections(), band) == 0.0


def test_a_uncertain_detection_outranks_a_confident_one(tmp_path: Path) -> None:
    frames = steady("hud", 0.95, 40)
    frames[20] = (frames[20][0], [("hud", 0.6)])
    log = write_session(tmp_path / "run", frames)
    selection = select_frames([log], SelectOptions(budget=1))
    assert [item.seconds for item in selection.items] == [2.0]
    picked = selection.items[0]
    assert picked.reasons["uncertainty"] == pytest.approx(1.0)
    assert picked.score == pytest.approx(0.5, abs=1e-6)  # weight 0.5 of 1.0; hud is everywhere
    assert selection.candidates == 1  # the confident frames score nothing
    assert picked.frame_index == 20
    assert picked.video == "recording.mkv"
    assert picked.log == log.resolve()


def test_rarity_is_normalised_minus_log_frequency() -> None:
    rarity = class_rarity({"menu": 100, "boss": 1, "hud": 10}, frames=100)
    assert rarity["boss"] == pytest.approx(1.0)
    assert rarity["menu"] == pytest.approx(0.0)
    assert rarity["hud"] == pytest.approx(math.log(10) / math.log(100))
    assert class_rarity({"only": 1}, frames=1) == {"only": 0.0}


def test_a_rare_class_outranks_a_common_one(tmp_path: Path) -> None:
    common = write_session(tmp_path / "a", steady("menu", 0.95, 60))
    rare = write_session(tmp_path / "b", steady("boss", 0.95, 6))
    selection = select_frames([tmp_path], SelectOptions(budget=1, min_gap=0))
    assert [item.classes for item in selection.items] == [("boss",)]
    assert selection.items[0].log == rare.resolve()
    both = select_frames([common, rare], SelectOptions(budget=2, score=ONLY_RARITY, min_score=0))
    scores = {item.classes: item.reasons["rarity"] for item in both.items}
    assert scores[("boss",)] > 2 * scores[("menu",)] > 0


def test_flicker_and_jumps_score_disagreement(tmp_path: Path) -> None:
    hud, kill = ("hud", 0.95), ("kill", 0.95)
    steady_hud = [detections(hud), detections(hud)]
    assert disagreement(detections(hud), steady_hud) == 0.0
    # Present here, in neither neighbour: flicker. Absent here, in both: a missed detection.
    assert disagreement(detections(hud, kill), steady_hud) == pytest.approx(1.0)
    assert disagreement(detections(hud), [detections(hud, kill)] * 2) == pytest.approx(1.0)
    # Appears on one side only: a real onset scores half.
    assert disagreement(detections(hud), [detections(hud), detections(hud, kill)]) == 0.5
    # The same class with its box far away: a jump; a small move is not.
    far = detections(("hud", 0.95, (300.0, 200.0, 400.0, 250.0)))
    near = detections(("hud", 0.95, (12.0, 10.0, 112.0, 60.0)))
    assert disagreement(detections(hud), [far, detections(hud)]) == pytest.approx(1.0)
    assert disagreement(detections(hud), [near, near]) == 0.0
    assert disagreement(detections(hud), []) == 0.0

    frames = [(i / 10, [hud, kill] if i == 10 else [hud]) for i in range(30)]
    log = write_session(tmp_path / "run", frames)
    only = ScoreOptions(weights={"disagreement": 1, "uncertainty": 0, "rarity": 0})
    selection = select_frames([log], SelectOptions(budget=1, score=only))
    assert [(i.seconds, i.classes) for i in selection.items] == [(1.0, ("hud", "kill"))]
    assert selection.items[0].reasons["disagreement"] == pytest.approx(1.0)


def _one_screen_and_a_few_others(step: float) -> list[tuple[float, list[tuple[str, float]]]]:
    frames: list[tuple[float, list[tuple[str, float]]]] = [
        (round(i * step, 3), [("stash", 0.6)]) for i in range(50)
    ]
    end = frames[-1][0]
    for n, screen in enumerate(("map_select", "loading", "raid_end"), start=1):
        frames += [(end + 20 * n + i * 0.1, [(screen, 0.64)]) for i in range(3)]
    return frames


@pytest.mark.parametrize("step", [0.1, 20.0], ids=["within-the-gap", "spread-out"])
def test_a_budget_is_not_spent_on_one_screen(tmp_path: Path, step: float) -> None:
    log = write_session(tmp_path / "run", _one_screen_and_a_few_others(step))
    selection = select_frames([log], SelectOptions(budget=5))
    signatures = Counter(item.classes for item in selection.items)
    assert signatures[("stash",)] < 5
    assert {("map_select",), ("loading",), ("raid_end",)} <= set(signatures)
    assert signatures[("stash",)] <= selection.options.cap == 2
    assert selection.skipped > 0
    # The stash frames score highest, so without the rules they would fill the queue.
    assert max(selection.items, key=lambda i: i.score).classes == ("stash",)
    times = [item.seconds for item in selection.items]
    assert times == sorted(times)


def test_budget_larger_than_candidates(tmp_path: Path) -> None:
    write_session(tmp_path / "b", [(0.0, [("menu", 0.6)]), (30.0, [("hud", 0.62)])])
    write_session(tmp_path / "a", [(5.0, [("stash", 0.58)]), (1.0, [("queue", 0.66)])][::-1])
    selection = select_frames([tmp_path], SelectOptions(budget=100))
    assert selection.candidates == 4
    assert [(i.session, i.seconds) for i in selection.items] == [
        ("a", 1.0),
        ("a", 5.0),
        ("b", 0.0),
        ("b", 30.0),
    ]


def test_queue_file_holds_options_and_items(tmp_path: Path) -> None:
    log = write_session(tmp_path / "run", steady("hud", 0.6, 3), video="/videos/one.mkv")
    score = ScoreOptions(band=(0.55, 0.75), weights=parse_weights("u=1,r=0,d=0.5"))
    selection = select_frames([log], SelectOptions(budget=3, score=score, min_gap=0.05))
    out = tmp_path / "queues" / "queue.json"
    write_queue(out, selection)
    queue = json.loads(out.read_text(encoding="utf-8"))
    assert queue["schema_version"] == QUEUE_SCHEMA_VERSION
    assert queue["kind"] == QUEUE_KIND
    assert queue["options"] == {
        "budget": 3,
        "band": [0.55, 0.75],
        "weights": {"uncertainty": 1.0, "rarity": 0.0, "disagreement": 0.5},
        "jump_iou": 0.5,
        "min_gap_seconds": 0.05,
        "max_per_signature": 1,
        "min_score": 0.05,
    }
    assert queue["logs"] == [
        {"log": str(log.resolve()), "video": "/videos/one.mkv", "session": "run", "frames": 3}
    ]
    (item,) = queue["items"]
    assert set(item) == {
        "log",
        "video",
        "session",
        "seconds",
        "frame_index",
        "score",
        "reasons",
        "classes",
    }
    assert item["reasons"] == {"uncertainty": 0.5, "rarity": 0.0, "disagreement": 0.0}
    assert item["score"] == pytest.approx(0.5 / 1.5, abs=1e-4)
    assert item["classes"] == ["hud"]
    assert [p.name for p in out.parent.iterdir()] == ["queue.json"]  # no temp file left


def test_no_journal_is_a_clear_error(tmp_path: Path) -> None:
    log = write_session(tmp_path / "run", steady("hud", 0.6, 3), journal=False)
    with pytest.raises(InputError, match=r"no journal\.jsonl beside") as caught:
        select_frames([log], SelectOptions(budget=5))
    assert "framewise process" in caught.value.one_line()
    # Logs without a journal are left out when others have one.
    other = write_session(tmp_path / "other", steady("hud", 0.6, 3))
    selection = select_frames([tmp_path], SelectOptions(budget=5))
    assert selection.without_journal == [log.resolve()]
    assert {item.log for item in selection.items} == {other.resolve()}


def test_empty_journals_and_missing_inputs(tmp_path: Path) -> None:
    empty = write_session(tmp_path / "run", [])
    with pytest.raises(InputError, match="hold no frames"):
        select_frames([empty], SelectOptions(budget=5))
    (tmp_path / "nothing").mkdir()
    with pytest.raises(InputNotFoundError, match=r"no events\.json"):
        select_frames([tmp_path / "nothing"], SelectOptions(budget=5))
    with pytest.raises(InputNotFoundError, match="no such file"):
        select_frames([tmp_path / "missing.json"], SelectOptions(budget=5))


def test_bad_options_are_config_errors() -> None:
    with pytest.raises(ConfigError, match="--band"):
        ScoreOptions(band=(0.7, 0.5))
    with pytest.raises(ConfigError, match="every weight is 0"):
        ScoreOptions(weights={"uncertainty": 0, "rarity": 0, "disagreement": 0})
    with pytest.raises(ConfigError, match="--weights"):
        ScoreOptions(weights={"novelty": 1.0})
    with pytest.raises(ConfigError, match="--budget"):
        SelectOptions(budget=0)
    with pytest.raises(ConfigError, match="--min-score"):
        SelectOptions(budget=1, min_score=2)
    with pytest.raises(ConfigError, match="--min-gap"):
        SelectOptions(budget=1, min_gap=-1)
    assert parse_weights("0.2,0.3,0.5") == {"uncertainty": 0.2, "rarity": 0.3, "disagreement": 0.5}
    assert parse_weights("rarity=1")["rarity"] == 1.0
    assert parse_weights("rarity=1")["uncertainty"] == 0.5
    for bad in ("1,2", "x=1", "r", "u=lots"):
        with pytest.raises(ConfigError, match="cannot read weights"):
            parse_weights(bad)


def test_session_names_stay_short_but_unique(tmp_path: Path) -> None:
    one, two = tmp_path / "a" / "s1" / "events.json", tmp_path / "b" / "s2" / "events.json"
    assert session_names([one, two]) == ["s1", "s2"]
    clash = tmp_path / "b" / "s1" / "events.json"
    assert session_names([one, clash]) == ["a/s1", "b/s1"]
    same = tmp_path / "a" / "s1" / "events.reviewed.json"
    assert session_names([one, same]) == ["s1/events.json", "s1/events.reviewed.json"]
