"""``framewise demo --profiles``: each everyday profile on a bundled real clip, as a table.

The profiles that need no game and no model of one's own (scenes, motion, text, people) each
process one short clip from ``cli/demo_data`` (sources and licences in its NOTICE.md); the
table says what each found and the first few events. A profile in :data:`EVERYDAY` that is
not in the profile registry (:data:`framewise.profiles.PROFILES`) of this build is left out,
so one that lands later joins the demo without an edit here.
"""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

import typer
from rich.console import Console
from rich.table import Table

from framewise.cli.annotate_commands import DEMO_DATA
from framewise.core.events import Event

DEMO_CLIPS: Mapping[str, str] = {
    "scenes": "counter.mp4",
    "motion": "people.mp4",
    "text": "snake.mp4",
    "people": "people.mp4",
}
"""Everyday profile → its bundled clip in ``cli/demo_data`` (in the demo's order)."""

EVERYDAY = tuple(DEMO_CLIPS)
"""The everyday profiles, in the order the table shows them."""

FIRST_FEW = 3
"""Events shown per profile (the rest are counted)."""

DETAILS: Mapping[str, str] = {
    "text": "{!r}",
    "kind": "{}",
    "track_id": "#{}",
    "people_count": "({} present)",
}
"""Event data shown beside an event's time (those it has, in this order) and their format."""


@dataclass(frozen=True)
class DemoRow:
    """One profile's run in the demo: its clip, what it found, how long it took."""

    profile: str
    clip: Path
    video_seconds: float
    wall_seconds: float
    log_path: Path
    events: tuple[Event, ...]

    @property
    def counts(self) -> dict[str, int]:
        """Events per type."""
        return dict(Counter(e.type for e in self.events))


def demo_profiles(available: Sequence[str]) -> list[str]:
    """The everyday profiles of :data:`EVERYDAY` that ``available`` (a registry) holds."""
    return [name for name in EVERYDAY if name in available]


def describe(event: Event) -> str:
    """One short line for an event: type, time or span, and its telling datum."""
    data = event.data
    if "start" in data and "end" in data:
        when = f"{float(data['start']):.1f}–{float(data['end']):.1f} s"  # type: ignore[arg-type]
    else:
        when = f"{event.video_offset_seconds:.1f} s"
    said = [form.format(data[key]) for key, form in DETAILS.items() if key in data]
    return " ".join([event.type, when, *said])


def run_profile(name: str, out: Path) -> DemoRow:
    """Process profile ``name``'s bundled clip into ``out/name/<clip>``."""
    from framewise.cli.options import load_pipeline_option
    from framewise.events.log import read_event_log
    from framewise.pipeline.runner import Pipeline

    clip = DEMO_DATA / DEMO_CLIPS[name]
    started = time.perf_counter()
    pipeline = Pipeline(load_pipeline_option(name, None, None, None))
    try:
        run = pipeline.process_video(clip, out / name / clip.stem, force=True)
    finally:
        pipeline.close()
    events = tuple(read_event_log(run.log_path).events)
    return DemoRow(
        name, clip, run.video_seconds, time.perf_counter() - started, run.log_path, events
    )


def events_table(rows: Sequence[DemoRow]) -> Table:
    """The demo's table: profile, clip, events per type, the first few."""
    table = Table(title="Everyday profiles on bundled real clips", show_lines=True)
    for column in ("profile", "clip", "events", "first events"):
        table.add_column(column, overflow="fold")
    for row in rows:
        counts = ", ".join(f"{n} {kind}" for kind, n in sorted(row.counts.items())) or "none"
        first = [describe(e) for e in row.events[:FIRST_FEW]]
        if len(row.events) > FIRST_FEW:
            first.append(f"… {len(row.events) - FIRST_FEW} more")
        clip = f"{row.clip.name} ({row.video_seconds:.0f} s, ran {row.wall_seconds:.1f} s)"
        table.add_row(row.profile, clip, counts, "\n".join(first) or "—")
    return table


def profiles_demo(out: Path) -> list[DemoRow]:
    """Run each everyday profile this build has on its clip; print the table and next commands.

    Args:
        out: Folder for the runs (``out/<profile>/<clip>/events.json``).
    """
    from framewise.profiles import PROFILES

    out = out.resolve()
    chosen = demo_profiles(PROFILES)
    rows = [run_profile(name, out) for name in chosen]
    Console().print(events_table(rows))
    missing = [name for name in EVERYDAY if name not in PROFILES]  # a profile still to come
    if missing:
        typer.echo(f"(not in this build yet: {', '.join(missing)})")
    follow = {
        "scenes": "framewise scenes {log} --csv scenes.csv --edl scenes.edl --otio scenes.otio",
        "motion": "framewise clips {log} --video {clip} --out clips/",
        "text": "framewise export {log} --format srt --out text.srt",
    }
    for row in rows:
        if row.profile in follow:
            typer.echo(follow[row.profile].format(log=row.log_path, clip=row.clip))
    return rows
