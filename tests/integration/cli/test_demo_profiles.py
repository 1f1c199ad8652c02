"""The everyday profiles' demo: each runs on its bundled real clip (every clip credited in the
demo data's NOTICE.md), the table shows what it found, and `framewise demo --profiles` runs
every everyday profile this build registers (people joins when it is registered)."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.cli.annotate_commands import DEMO_DATA
from framewise.cli.demo_profiles import DEMO_CLIPS, EVERYDAY, demo_profiles
from framewise.core.events import Event
from framewise.events.log import read_event_log
from framewise.profiles import PROFILES
from tests.integration.cli.cli_run import framewise

pytest.importorskip("rapidocr")

MAX_CLIP_BYTES = 1_000_000


def test_every_clip_is_small_and_credited() -> None:
    notice = (DEMO_DATA / "NOTICE.md").read_text(encoding="utf-8")
    for clip in set(DEMO_CLIPS.values()):
        assert f"`{clip}`" in notice and (DEMO_DATA / clip).stat().st_size < MAX_CLIP_BYTES
    assert set(demo_profiles(PROFILES)) == set(EVERYDAY) & set(PROFILES)


def events_of(root: Path, name: str) -> list[Event]:
    """The events ``demo --profiles`` logged for profile ``name`` on its clip."""
    clip = Path(DEMO_CLIPS[name]).stem
    log = read_event_log(root / "profiles" / name / clip / "events.json")
    assert log.metadata.complete and log.metadata.pipeline == name, name
    return list(log.events)


@pytest.mark.slow
def test_demo_profiles_runs_every_registered_everyday_profile(tmp_path: Path) -> None:
    done = framewise("demo", "--profiles", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    for name in demo_profiles(PROFILES):
        assert events_of(tmp_path, name), name
        assert name in done.stdout
    # counter.mp4: PySceneDetect's test clip, cut at 1 s and 2 s (its ground truth).
    cuts = [e.video_offset_seconds for e in events_of(tmp_path, "scenes")]
    assert cuts == pytest.approx([1.0, 2.0], abs=1e-3)
    # people.mp4: someone walks through, then the next comes in near the end.
    assert {e.type for e in events_of(tmp_path, "motion")} == {"motion"}
    # snake.mp4: the game's score line is read.
    texts = [str(e.data["text"]) for e in events_of(tmp_path, "text")]
    assert any(t.replace(" ", "").startswith("SCORE:") for t in texts), texts
    assert "SCORE" in done.stdout and "scene_cut" in done.stdout, done.stdout
    assert "export" in done.stdout and "--otio" in done.stdout  # the next commands
    assert not (tmp_path / "events").exists()  # --profiles: no game session rendered
