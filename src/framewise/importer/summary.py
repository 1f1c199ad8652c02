"""What an import did: sessions, raids and kills created / skipped / failed, and why."""

from __future__ import annotations

from dataclasses import dataclass, field


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

    def fail(self, log: str, event_id: str | None, message: str) -> None:
        """Record a refusal."""
        self.failures.append(Failure(log, event_id, message))

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
