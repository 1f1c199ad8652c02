"""A profile: a domain pack of data (pipeline YAML, vocabularies, model) and code (hooks).

Generic packages hold no domain rules. What a domain decides — how its events are said on
the WebSocket, what an overlay tallies, which fields a reviewer's new-event form has — is
asked of the run's profile through :class:`ProfileHooks`; the bundled profiles are listed in
:data:`framewise.profiles.PROFILES`, each with its hook module.

Example:
    >>> hooks = load_profile("tarkov").hooks  # doctest: +SKIP
    >>> hooks.message(event, "kill_notification")["type"]  # doctest: +SKIP
    'kill'
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from framewise.core.events import Event
from framewise.core.results import FrameOutput


class Tally(Protocol):
    """A running summary folded from a run's messages (what an overlay shows)."""

    def add(self, message: Mapping[str, Any]) -> None:
        """Fold one message in."""
        ...

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready fields."""
        ...


class ProfileHooks(Protocol):
    """The domain code of a profile.

    Attributes:
        event_fields: Event type → its data fields (a reviewer's new-event form).
    """

    event_fields: Mapping[str, tuple[str, ...]]

    def message(self, event: Event, evidence: str) -> dict[str, Any] | None:
        """The live message of ``event`` (``None``: not sent).

        Args:
            event: The event, as the JSON log holds it.
            evidence: The detector class that caused it.
        """
        ...

    def new_tally(self) -> Tally:
        """A fresh tally for one live session."""
        ...


@runtime_checkable
class FrameMessages(Protocol):
    """Hooks that also speak per frame, not only per event (a task model's predictions).

    A live run asks hooks that have this method for each processed frame's messages and
    sends them with the events' (a profile without it sends events only).
    """

    def frame_messages(
        self, seconds: float, wall_time: datetime, output: FrameOutput
    ) -> list[dict[str, Any]]:
        """The messages of one frame's result (usually none).

        Args:
            seconds: The frame's video time.
            wall_time: Its wall-clock time.
            output: What the stages found in it.
        """
        ...


class GenericTally:
    """Counts messages by type: the tally of a profile with nothing more to say."""

    def __init__(self) -> None:
        self.counts: dict[str, int] = {}

    def add(self, message: Mapping[str, Any]) -> None:
        """Count one message."""
        kind = str(message.get("type"))
        self.counts[kind] = self.counts.get(kind, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        """``{"counts": {type: n}}``."""
        return {"counts": dict(sorted(self.counts.items()))}


class GenericHooks:
    """Hooks of a profile without domain rules: every event sent under its own type."""

    event_fields: Mapping[str, tuple[str, ...]] = {}

    def message(self, event: Event, evidence: str) -> dict[str, Any] | None:
        """``{"type", "timestamp" (epoch s), "confidence", "data"}``; anomalies are not sent."""
        if event.type == "anomaly":
            return None
        return {
            "type": event.type,
            "timestamp": event.timestamp.timestamp(),
            "confidence": event.confidence,
            "data": dict(event.data),
        }

    def new_tally(self) -> Tally:
        """A :class:`GenericTally`."""
        return GenericTally()


@dataclass(frozen=True)
class Profile:
    """A bundled or user-made domain pack.

    Attributes:
        name: The profile's name (``--profile NAME``).
        folder: Its files: ``pipeline.yaml``, ``vocabularies.yaml``, ``model/``.
        hooks: Its domain code.
    """

    name: str
    folder: Path | None
    hooks: ProfileHooks

    @property
    def pipeline(self) -> Path | None:
        """Its pipeline YAML, when it ships one."""
        if self.folder is None:
            return None
        path = self.folder / "pipeline.yaml"
        return path if path.exists() else None
