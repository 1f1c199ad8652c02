"""What an import did: sessions, raids and kills created / skipped / failed, and why."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from framewise.core.errors import InputError, StoreError

_OUTSIDE_RAID = re.compile(r"^event (?P<event>\S+) \((?P<type>[^)]*)\) is outside a raid; skipped$")
"""The plan's warning for one event outside a raid (a menu transition, most often)."""
_ANOMALY = re.compile(r"^event (?P<event>\S+): anomaly held for review; not imported$")
"""The plan's note for one anomaly (a flicker the state machine did not apply)."""
_FOLDED = (
    (_OUTSIDE_RAID, "event outside a raid skipped", "events outside a raid skipped"),
    (_ANOMALY, "anomaly held for review (`framewise review`), not imported",
     "anomalies held for review (`framewise review`), not imported"),
)  # fmt: skip
"""Warnings counted in one line per log: pattern, then the line for one and for several."""


@dataclass
class Counts:
    """Created, skipped (already in the store) and failed items of one kind."""

    created: int = 0
    skipped: int = 0
    failed: int = 0

    def line(self, name: str) -> str:
        """``raids     12 created    0 skipped    1 failed``."""
        return f"{name:<9}{self.created:>6} created{self.skipped:>6} skipped{self.failed:>6} failed"


@dataclass(frozen=True, slots=True)
class Failure:
    """A refusal, with the log and the event that caused it."""

    log: str
    event_id: str | None
    message: str
    unreadable: bool = False
    """The log itself could not be used (not an event log, or an unfinished run's)."""

    def line(self) -> str:
        """One line for the report."""
        where = f"{self.log} event {self.event_id}" if self.event_id else self.log
        return f"{where}: {self.message}"


@dataclass
class ImportSummary:
    """The outcome of importing one or more event logs.

    Attributes:
        dry_run: Nothing was sent; "created" means "would be created".
        aborted: The store became unreachable; later logs were not attempted.
    """

    dry_run: bool = False
    files: int = 0
    sessions: Counts = field(default_factory=Counts)
    raids: Counts = field(default_factory=Counts)
    kills: Counts = field(default_factory=Counts)
    failures: list[Failure] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    aborted: bool = False

    @property
    def ok(self) -> bool:
        """Nothing failed and nothing was left out."""
        return not self.failures and not self.aborted

    @property
    def exit_code(self) -> int:
        """0 when ok; InputError's code when only unusable logs failed; else StoreError's."""
        if self.ok:
            return 0
        if not self.aborted and all(f.unreadable for f in self.failures):
            return InputError.exit_code
        return StoreError.exit_code

    def fail(
        self, log: str, event_id: str | None, message: str, *, unreadable: bool = False
    ) -> None:
        """Record a refusal (``unreadable``: the log itself could not be used)."""
        self.failures.append(Failure(log, event_id, message, unreadable))

    def warn(self, log: str, warnings: list[str]) -> None:
        """Record a log's plan warnings; events outside a raid and anomalies as one count each.

        A menu transition outside a raid is normal (6 per session of the game), so a line each
        buried the real problems: 280 lines for 40 logs.
        """
        kept = (w for w in warnings if not any(p.match(w) for p, _, _ in _FOLDED))
        self.warnings.extend(f"{log}: {w}" for w in kept)
        for pattern, one, several in _FOLDED:
            n = sum(1 for w in warnings if pattern.match(w))
            if n:
                self.warnings.append(f"{log}: {n} {one if n == 1 else several}")

    def render(self) -> str:
        """The multi-line report printed at the end of an import."""
        title = "import summary (dry run: nothing sent)" if self.dry_run else "import summary"
        lines = [
            f"{title}: {self.files} log(s)",
            self.sessions.line("sessions"),
            self.raids.line("raids"),
            self.kills.line("kills"),
        ]
        if self.warnings:
            lines.append(f"warnings ({len(self.warnings)}):")
            lines.extend(f"  {w}" for w in self.warnings)
        if self.failures:
            lines.append(f"failures ({len(self.failures)}):")
            lines.extend(f"  {f.line()}" for f in self.failures)
        if self.aborted:
            lines.append("aborted: the event store became unreachable; run the import again")
        return "\n".join(lines)
