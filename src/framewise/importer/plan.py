"""Turn an event log into what the store should hold: one session, its raids, their contents.

Pure: reads an :class:`~framewise.core.events.EventLog`, returns an :class:`ImportPlan`. Each
planned item remembers the event it came from, so a refusal by the server is reported with
the event that caused it.

Rules:
- the session starts at ``metadata.session_start_time`` and ends at the later of the video's
  end and the last event;
- ``raid_start`` opens a raid; ``state_transition`` and ``kill`` belong to the open raid;
  ``raid_end`` closes it (``final_state``, else ``outcome``, lower-case, spaces → ``_``);
- a raid still open when the next one starts, or when the log ends, is closed at that moment
  with the final state ``unknown`` (a warning says so): the store allows one active raid, and
  an import must not leave one behind;
- events outside a raid, and events of other types, are skipped with a warning;
  ``anomaly`` events (a screen seen too briefly for the state machine to apply it) stay in
  the log for ``framewise review``: the store has no place for them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from pathlib import Path, PurePath, PureWindowsPath
from typing import Any

from framewise.core.events import EventLog
from framewise.profiles.tarkov.store_rules import (
    UNKNOWN,
    kill_fields,
    norm_state,
    raid_end_fields,
    raid_fields,
)
from framewise.store_api.constants import SESSION_TYPES

UNKNOWN_FINAL_STATE = UNKNOWN


@dataclass
class PlannedRaid:
    """One raid to create, with the events behind each part.

    Attributes:
        start_event: Id of the ``raid_start`` event.
        fields: ``map_name``, ``character_type``, ``game_mode`` as found in the event (the
            server validates them, so a bad value is reported with this event).
        started_at: Time of the ``raid_start`` event.
        transitions: ``(event id, to_state, time)`` in log order.
        kills: ``(event id, data, time)`` in log order.
        end: ``(event id or None, final_state, extract_location, time)``; event ``None``
            when the importer closed a dangling raid.
    """

    start_event: str
    fields: dict[str, Any]
    started_at: datetime
    transitions: list[tuple[str, str, datetime]] = field(default_factory=list)
    kills: list[tuple[str, dict[str, Any], datetime]] = field(default_factory=list)
    end: tuple[str | None, str, str | None, datetime] | None = None


@dataclass
class ImportPlan:
    """Everything one event log asks the store to create."""

    log_path: Path
    source_video: str
    import_key: str
    session_type: str
    started_at: datetime
    ended_at: datetime
    raids: list[PlannedRaid]
    warnings: list[str]

    @property
    def kill_count(self) -> int:
        """Kills in all raids."""
        return sum(len(r.kills) for r in self.raids)

    def to_payload(self) -> dict[str, Any]:
        """The JSON body of ``POST /api/import/session``.

        Built as plain data, not validated here: the server is the judge of the contract,
        and :meth:`event_at` maps the location of its complaint back to an event.
        """
        return {
            "session": {
                "session_type": self.session_type,
                "notes": f"imported from {self.log_path.name}",
                "started_at": _iso(self.started_at),
                "ended_at": _iso(self.ended_at),
                "source_video": self.source_video,
                "import_key": self.import_key,
            },
            "raids": [raid_payload(raid) for raid in self.raids],
        }

    def event_at(self, location: str) -> str | None:
        """The event behind a location like ``raids.3.kills.2.enemy_type``."""
        match = _LOCATION.search(location)
        if match is None:
            return None
        raid_index = int(match["raid"])
        if raid_index >= len(self.raids):
            return None
        raid = self.raids[raid_index]
        part, index = match["part"], match["index"]
        if part == "kills" and index is not None and int(index) < len(raid.kills):
            return raid.kills[int(index)][0]
        if part == "transitions" and index is not None and int(index) < len(raid.transitions):
            return raid.transitions[int(index)][0]
        if part == "end" and raid.end is not None and raid.end[0] is not None:
            return raid.end[0]
        return raid.start_event


_LOCATION = re.compile(
    r"raids\.(?P<raid>\d+)(?:\.(?P<part>kills|transitions|end)(?:\.(?P<index>\d+))?)?"
)


def _iso(at: datetime) -> str:
    # isoformat keeps every microsecond: historical times must arrive exactly.
    return at.isoformat().replace("+00:00", "Z")


def raid_payload(raid: PlannedRaid) -> dict[str, Any]:
    """The JSON of one raid in the atomic import body."""
    end = None
    if raid.end is not None:
        _, final_state, extract, ended_at = raid.end
        end = {"final_state": final_state, "extract_location": extract, "ended_at": _iso(ended_at)}
    return {
        **raid.fields,
        "started_at": _iso(raid.started_at),
        "transitions": [
            {"to_state": state, "transitioned_at": _iso(at)} for _, state, at in raid.transitions
        ],
        "kills": [{**kill_fields(data), "timestamp": _iso(at)} for _, data, at in raid.kills],
        "end": end,
    }


def source_name(video_path: str) -> str:
    """The source video's file name: the same recording keeps it when folders move."""
    name = PureWindowsPath(video_path).name if "\\" in video_path else PurePath(video_path).name
    return name or video_path


def import_key(source: str, started_at: datetime) -> str:
    """The duplicate-detection key: source video name + session start, hashed."""
    text = f"{source}|{started_at.isoformat()}"
    return hashlib.sha256(text.encode()).hexdigest()[:32]


def _close(raid: PlannedRaid, at: datetime, why: str, warnings: list[str]) -> None:
    raid.end = (None, UNKNOWN_FINAL_STATE, None, at)
    warnings.append(
        f"raid of event {raid.start_event} has no raid_end; closed at {at.isoformat()} "
        f"({why}) with final state {UNKNOWN_FINAL_STATE!r}"
    )


def _complete(raid: PlannedRaid, warnings: list[str]) -> bool:
    """Whether the raid can be created; if not, say so in ``warnings``.

    A raid whose start fields were never seen (a recording that began mid-raid) is left out
    with a warning rather than failing the whole session. A value that is present but wrong
    is still sent, for the store to refuse and report with its event.
    """
    missing = [k for k in ("map_name", "character_type", "game_mode") if not raid.fields.get(k)]
    if missing:
        warnings.append(
            f"raid of event {raid.start_event} has no {', '.join(missing)} (not seen in the "
            f"video); skipped with its {len(raid.kills)} kills — fill them in with "
            "`framewise review`"
        )
    return not missing


def plan_log(log: EventLog, log_path: Path) -> ImportPlan:
    """Plan the import of one event log (see the module's rules)."""
    meta = log.metadata
    warnings: list[str] = []
    events = sorted(log.events, key=lambda e: e.timestamp)  # stable: log order breaks ties
    raids: list[PlannedRaid] = []
    open_raid: PlannedRaid | None = None
    for event in events:
        if event.type == "raid_start":
            if open_raid is not None:
                _close(open_raid, event.timestamp, f"raid {event.event_id} started", warnings)
            open_raid = PlannedRaid(event.event_id, raid_fields(event.data), event.timestamp)
            raids.append(open_raid)
        elif event.type == "anomaly":
            warnings.append(f"event {event.event_id}: anomaly held for review; not imported")
        elif event.type not in ("state_transition", "kill", "raid_end"):
            warnings.append(f"event {event.event_id}: type {event.type!r} is not imported")
        elif open_raid is None:
            warnings.append(f"event {event.event_id} ({event.type}) is outside a raid; skipped")
        elif event.type == "state_transition":
            to_state = norm_state(event.data.get("to_state"))
            open_raid.transitions.append((event.event_id, to_state, event.timestamp))
        elif event.type == "kill":
            open_raid.kills.append((event.event_id, dict(event.data), event.timestamp))
        else:
            final, extract = raid_end_fields(event.data)
            open_raid.end = (event.event_id, final, extract, event.timestamp)
            open_raid = None
    raids = [raid for raid in raids if _complete(raid, warnings)]
    video_end = meta.session_start_time + timedelta(seconds=meta.video_duration_seconds)
    ended_at = max([video_end, *(e.timestamp for e in events)])
    if open_raid is not None:
        _close(open_raid, ended_at, "the log ended", warnings)
    session_type = meta.session_type if meta.session_type in SESSION_TYPES else "stream"
    if session_type != meta.session_type:
        warnings.append(f"session_type {meta.session_type!r} is unknown; imported as 'stream'")
    source = source_name(meta.video_path)
    return ImportPlan(
        log_path=log_path,
        source_video=source,
        import_key=import_key(source, meta.session_start_time),
        session_type=session_type,
        started_at=meta.session_start_time,
        ended_at=ended_at,
        raids=raids,
        warnings=warnings,
    )
