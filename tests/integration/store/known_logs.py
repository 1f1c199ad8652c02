"""Two event logs with known figures, imported into a real store by the chart tests.

Made with the importer's synthetic logs (``framewise.importer.synthetic``), whose raids cycle
maps (Customs, Woods, Shoreline, Interchange), modes (pve, pvp) and outcomes (survived,
killed_in_action, survived, missing_in_action); kill k of a raid is a pmc headshot when
k == 0, else a scav body shot. Weapons are changed here so three groups appear.

    session  start     raids  raid length  gap     kills/raid  weapons
    A (1)    T0        4      20 min       5 min   3           raid 1: none, others AK-74M
    B (2)    T0 + 1 d  3      30 min       10 min  2           M4A1

Hand-computed figures (EXPECTED_*) follow from that table, not from the code under test.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from framewise.core.events import EventLog
from framewise.importer.runner import Importer
from framewise.importer.synthetic import synthetic_log
from framewise.store.client import StoreClient

T0 = datetime(2026, 2, 7, 18, 0, tzinfo=UTC)


def session_a() -> EventLog:
    log = synthetic_log(
        raids=4,
        kills_per_raid=3,
        start=T0,
        video_path="/rec/a.mkv",
        raid_seconds=1200,
        gap_seconds=300,
    )
    raid = 0
    for event in log.events:
        raid += event.type == "raid_start"
        if event.type == "kill" and raid == 1:
            event.data.pop("weapon")  # stored without a weapon: counted as "unknown"
    return log


def session_b() -> EventLog:
    log = synthetic_log(
        raids=3,
        kills_per_raid=2,
        start=T0 + timedelta(days=1),
        video_path="/rec/b.mkv",
        raid_seconds=1800,
        gap_seconds=600,
    )
    for event in log.events:
        if event.type == "kill":
            event.data["weapon"] = "M4A1"
    return log


def session_c() -> EventLog:
    """A later session, imported while the dashboard is open."""
    return synthetic_log(
        raids=2, kills_per_raid=1, start=T0 + timedelta(days=2), video_path="/rec/c.mkv"
    )


def import_logs(url: str, folder: Path, logs: list[EventLog]) -> None:
    """Write ``logs`` into ``folder`` and import them through the importer."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for log in logs:
        path = folder / f"{Path(log.metadata.video_path).stem}.json"
        path.write_text(log.model_dump_json())
        paths.append(path)
    with StoreClient(url) as client:
        summary = Importer(client, echo=lambda _line: None).run(paths)
    assert summary.ok, summary.render()


# (raids, survived, kills, deaths, K/D, survival rate, average raid seconds) per session.
EXPECTED_SESSIONS = [(4, 2, 12, 2, 6.0, 0.5, 1200.0), (3, 2, 6, 1, 6.0, 2 / 3, 1800.0)]
# (map, raids, survived, kills, K/D), most played first, then by name.
EXPECTED_MAPS = [
    ("Customs", 2, 2, 5, 5.0),
    ("Shoreline", 2, 2, 5, 5.0),
    ("Woods", 2, 0, 5, 2.5),
    ("Interchange", 1, 0, 3, 3.0),
]
EXPECTED_WEAPONS = [("AK-74M", 9, 3), ("M4A1", 6, 3), ("unknown", 3, 1)]
EXPECTED_ENEMIES = [("scav", 11, 0), ("pmc", 7, 7)]
EXPECTED_HEADSHOTS = (7, 18)
# PvP only: session A's raids 2 and 4 (both died, 3 kills each), session B's raid 2.
EXPECTED_PVP_KD = [3.0, 2.0]
# Session B's timeline: a menu span, 5 spans per raid (stash, queuing, deploying, raid,
# the outcome), a menu span after each of the first two raids and one to the session's end.
EXPECTED_TIMELINE_SPANS = 1 + 3 * 5 + 2 + 1
