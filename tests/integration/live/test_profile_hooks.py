"""A profile's hooks decide what a live run says: a second profile, defined here, replaces the
game's messages and tally without touching the runner."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.events import Event
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.profiles.base import Tally
from tests.integration.live.conftest import EXPECTED


class CountingTally:
    def __init__(self) -> None:
        self.seen: list[str] = []

    def add(self, message: Mapping[str, Any]) -> None:
        self.seen.append(str(message["type"]))

    def as_dict(self) -> dict[str, Any]:
        return {"seen": list(self.seen)}


class PitchHooks:
    """A pitching lane's profile: only raid starts are said, as "pitch"."""

    event_fields: Mapping[str, tuple[str, ...]] = {"pitch": ("speed_kmh",)}

    def message(self, event: Event, evidence: str) -> dict[str, Any] | None:
        if event.type != "raid_start":
            return None
        return {"type": "pitch", "at": event.video_offset_seconds, "evidence": evidence}

    def new_tally(self) -> Tally:
        return CountingTally()


def _run(workspace: Path, config: PipelineConfig, hooks: PitchHooks | None) -> LiveService:
    spec = replace(
        parse_source(str(workspace / "colours.mkv"), replay=True, speed=4.0), keep_newest=False
    )
    with LiveService(config, spec, ServiceOptions(port=0), hooks=hooks) as service:
        service.start_pipeline()
        assert service.runner.join(60)
    return service


def test_a_profiles_hooks_say_the_events(workspace: Path, pipeline: PipelineConfig) -> None:
    service = _run(workspace, pipeline, PitchHooks())
    runner = service.runner
    said = [e.message for e in runner.events if e.message is not None]
    starts = [at for kind, at in EXPECTED if kind == "raid_start"]
    assert [m["type"] for m in said] == ["pitch"] * len(starts)
    assert [round(m["at"]) for m in said] == starts
    assert runner.tally_now() == {"seen": ["pitch", "pitch"]}
    assert len(runner.events) == len(EXPECTED)  # every event is still kept and counted


def test_profile_generic_sends_every_event_as_it_is(
    workspace: Path, pipeline: PipelineConfig
) -> None:
    service = _run(workspace, pipeline.model_copy(update={"profile": "generic"}), None)
    runner = service.runner
    types = [e.message["type"] for e in runner.events if e.message is not None]
    assert types == [kind for kind, _ in EXPECTED]  # no "death": the game's mapping is off
    assert runner.tally_now()["counts"]["raid_start"] == 2
