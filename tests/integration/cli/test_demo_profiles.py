"""The everyday profiles' demo: each runs on its bundled real clip (every clip credited in the
demo data's NOTICE.md), the table shows what it found, and `framewise demo --profiles` runs
every everyday profile this build registers (people joins when it is registered)."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from rich.console import Console

from framewise.cli.annotate_commands import DEMO_DATA
from framewise.cli.demo_profiles import DEMO_CLIPS, EVERYDAY, demo_profiles, profiles_demo
from framewise.events.log import read_event_log
from framewise.profiles import PROFILES
from tests.integration.pipeline.test_process import framewise

pytest.importorskip("rapidocr")

MAX_CLIP_BYTES = 1_000_000


def test_scenes_motion_and_text_find_their_events_on_the_bundled_clips(tmp_path: Path) -> None:
    notice = (DEMO_DATA / "NOTICE.md").read_text(encoding="utf-8")
    for clip in set(DEMO_CLIPS.values()):
        assert f"`{clip}`" in notice and (DEMO_DATA / clip).stat().st_size < MAX_CLIP_BYTES
    assert set(demo_profiles(PROFILES)) == set(EVERYDAY) & set(PROFILES)
    buffer = io.StringIO()
    rows = profiles_demo(tmp_path, Console(file=buffer, width=160), ["scenes", "motion", "text"])
    by_name = {row.profile: row for row in rows}
    assert list(by_name) == ["scenes", "motion", "text"]
    # counter.mp4: PySceneDetect's test clip, cut at 1 s and 2 s (its ground truth).
    cuts = [e.video_offset_seconds for e in by_name["scenes"].events]
    assert cuts == pytest.approx([1.0, 2.0], abs=1e-3)
    # people.mp4: someone walks through, then the next comes in near the end.
    motion = by_name["motion"].events
    assert len(motion) >= 1 and {e.type for e in motion} == {"motion"}
    # snake.mp4: the game's score line is read.
    texts = [str(e.data["text"]) for e in by_name["text"].events]
    assert any(t.replace(" ", "").startswith("SCORE:") for t in texts), texts
    table = buffer.getvalue()
    assert "scene_cut 1.0 s cut" in table and "SCORE" in table, table
    for row in rows:
        assert read_event_log(row.log_path).metadata.complete, row.profile
        assert row.log_path.is_relative_to(tmp_path / row.profile)


@pytest.mark.slow
def test_demo_profiles_runs_every_registered_everyday_profile(tmp_path: Path) -> None:
    done = framewise("demo", "--profiles", "--out", tmp_path)
    assert done.returncode == 0, done.stderr
    for name in demo_profiles(PROFILES):
        clip = Path(DEMO_CLIPS[name]).stem
        log = read_event_log(tmp_path / "profiles" / name / clip / "events.json")
        assert log.events and log.metadata.pipeline == name, name
        assert name in done.stdout
    assert "export" in done.stdout and "--otio" in done.stdout  # the next commands
    assert not (tmp_path / "events").exists()  # --profiles: no game session rendered
