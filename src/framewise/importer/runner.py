"""Import event logs into the event store, log by log, in chronological order.

The atomic endpoint is used when the server publishes it (one transaction per session), the
single endpoints otherwise. A log whose session is already in the store (same source video
and start time, i.e. the same import key) is skipped and reported, so importing the same
logs twice creates nothing the second time.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from framewise.core.errors import ConfigError, FramewiseError
from framewise.core.events import EventLog
from framewise.importer.logs import find_logs, in_time_order, read_log
from framewise.importer.plan import ImportPlan, plan_log
from framewise.importer.repair import REPAIR_PATH, compare, read_stored
from framewise.importer.single import UNAUTHORIZED, SingleEndpointImport, calls
from framewise.importer.summary import ImportSummary
from framewise.store_api.client import StoreClient
from framewise.store_api.constants import DUPLICATE_CODE
from framewise.store_api.errors import (
    StoreAmbiguousError,
    StoreRequestError,
    StoreUnavailableError,
)
from framewise.store_api.schemas import SessionResponse

ImportMode = Literal["auto", "atomic", "single"]
Echo = Callable[[str], None]

INCOMPLETE = "the log is a checkpoint of an unfinished run; finish or resume the run first"
ATOMIC_PATH = "/api/import/session"
LOOKUP_PATH = "/api/sessions"


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What the server offers beyond the original contract."""

    atomic: bool
    lookup: bool
    repair: bool = False
    """The server lists a session's raids, so a partial session can be completed."""


class Importer:
    """Imports event logs through a :class:`StoreClient`.

    Args:
        client: The store; may be ``None`` for a dry run.
        mode: ``auto`` (atomic when available), ``atomic`` or ``single``.
        dry_run: Print every call instead of sending it.
        echo: Where progress lines go.
    """

    def __init__(
        self,
        client: StoreClient | None,
        *,
        mode: ImportMode = "auto",
        dry_run: bool = False,
        echo: Echo = print,
    ) -> None:
        if client is None and not dry_run:
            raise ConfigError("an import needs the store's URL", hint="pass --api URL")
        self._client = client
        self._mode = mode
        self._dry_run = dry_run
        self._echo = echo

    def run(self, paths: Sequence[Path]) -> ImportSummary:
        """Import every log under ``paths``; returns what happened.

        Raises:
            InputNotFoundError: A path does not exist.
            ConfigError: ``mode="atomic"`` but the server has no atomic endpoint, or the
                server refuses the write token.
            StoreUnavailableError: The server cannot be reached before anything is sent.
        """
        summary = ImportSummary(dry_run=self._dry_run)
        logs: list[tuple[Path, EventLog]] = []
        for path in find_logs(paths):
            try:
                logs.append((path, read_log(path)))
            except FramewiseError as exc:
                summary.files += 1
                summary.fail(path.name, None, exc.message, unreadable=True)
                self._echo(f"{path.name}: failed: {exc.message}")
        capabilities = Capabilities(atomic=False, lookup=False)
        if not self._dry_run:
            capabilities = self._capabilities()
        for path, log in in_time_order(logs):
            summary.files += 1
            if not log.metadata.complete:
                # Importing a checkpoint would make the finished log a "duplicate" later.
                summary.fail(path.name, None, INCOMPLETE, unreadable=True)
                self._echo(f"{path.name}: failed: {INCOMPLETE}")
                continue
            plan = plan_log(log, path)
            summary.warn(path.name, plan.warnings)
            if self._dry_run:
                self._print_calls(plan, summary)
                continue
            try:
                self._import(plan, summary, capabilities)
            except StoreRequestError as exc:
                if exc.status == UNAUTHORIZED:
                    raise ConfigError(
                        "the event store refused the write token",
                        subject=self._store().base_url,
                        hint="pass the server's token with --token (or FRAMEWISE_STORE_TOKEN)",
                    ) from None
                summary.fail(path.name, None, exc.message)
                self._echo(f"{path.name}: failed: {exc.message}")
            except (StoreUnavailableError, StoreAmbiguousError) as exc:
                summary.fail(path.name, None, exc.one_line())
                summary.aborted = True
                self._echo(f"{path.name}: aborted: {exc.message}")
                break
        return summary

    # ----------------------------------------------------------------- helpers

    def _store(self) -> StoreClient:
        if self._client is None:
            raise ConfigError("an import needs the store's URL", hint="pass --api URL")
        return self._client

    def _capabilities(self) -> Capabilities:
        paths = self._store().paths()
        atomic = ATOMIC_PATH in paths
        if self._mode == "atomic" and not atomic:
            raise ConfigError(
                f"the server has no {ATOMIC_PATH} endpoint",
                subject=self._store().base_url,
                hint="use --mode single (or auto)",
            )
        use_atomic = atomic and self._mode != "single"
        lookup = LOOKUP_PATH in paths
        if not lookup:
            self._echo(
                "warning: the server offers no session lookup; duplicates cannot be detected"
            )
        return Capabilities(atomic=use_atomic, lookup=lookup, repair=REPAIR_PATH in paths)

    def _print_calls(self, plan: ImportPlan, summary: ImportSummary) -> None:
        self._echo(f"# {plan.log_path.name} (import key {plan.import_key})")
        if self._mode == "atomic":
            body = json.dumps(plan.to_payload(), separators=(",", ":"))
            self._echo(f"POST {ATOMIC_PATH} {body}")
        else:
            for call in calls(plan):
                raid = "" if call.raid_index is None else f"<raid {call.raid_index + 1}>"
                body = json.dumps(call.body, separators=(",", ":"))
                self._echo(f"POST {call.path(raid)} {body}")
        summary.sessions.created += 1
        summary.raids.created += len(plan.raids)
        summary.kills.created += plan.kill_count

    def _existing_session(self, plan: ImportPlan) -> SessionResponse | None:
        client = self._store()
        found = client.find_sessions(import_key=plan.import_key) or client.find_sessions(
            source_video=plan.source_video, started_at=plan.started_at
        )
        return found[0] if found else None

    def _repaired(self, plan: ImportPlan, summary: ImportSummary, found: SessionResponse) -> bool:
        """Complete a session an interrupted import left partial; ``False``: it is whole."""
        repair = compare(plan, read_stored(self._store(), found))
        if repair.foreign:
            summary.warn(
                plan.log_path.name,
                [
                    f"session {found.session_id} of the same recording holds events this log "
                    "does not (another run over it?); left as it is"
                ],
            )
        if not repair.needed or repair.foreign:
            return False
        before = len(summary.failures)
        SingleEndpointImport(self._store(), plan, summary, repair).run()
        summary.sessions.created += 1  # this import completed it
        refused = len(summary.failures) - before
        more = f"; {refused} item(s) refused (see failures)" if refused else ""
        self._echo(f"{plan.log_path.name}: {repair.line()}{more}")
        return True

    def _skip(self, plan: ImportPlan, summary: ImportSummary, session_id: int | None) -> None:
        summary.sessions.skipped += 1
        summary.raids.skipped += len(plan.raids)
        summary.kills.skipped += plan.kill_count
        which = f" as session {session_id}" if session_id is not None else ""
        self._echo(f"{plan.log_path.name}: skipped, already imported{which}")

    def _import(self, plan: ImportPlan, summary: ImportSummary, caps: Capabilities) -> None:
        name = plan.log_path.name
        if caps.lookup:
            existing = self._existing_session(plan)
            if existing is not None:
                if caps.repair and self._repaired(plan, summary, existing):
                    return
                self._skip(plan, summary, existing.session_id)
                return
        if caps.atomic:
            self._import_atomic(plan, summary)
            return
        before = len(summary.failures)
        sessions_failed = summary.sessions.failed
        SingleEndpointImport(self._store(), plan, summary).run()
        refusals = summary.failures[before:]
        if summary.sessions.failed > sessions_failed and refusals:
            # The session itself was refused: nothing of this log is in the store.
            self._echo(f"{name}: refused, nothing stored: {refusals[0].message}")
        elif refusals:
            self._echo(
                f"{name}: imported through single endpoints, {len(refusals)} item(s) refused "
                "(see failures)"
            )
        else:
            self._echo(f"{name}: imported through single endpoints")

    def _import_atomic(self, plan: ImportPlan, summary: ImportSummary) -> None:
        name = plan.log_path.name
        try:
            created = self._store().import_payload(plan.to_payload())
        except StoreRequestError as exc:
            if exc.status == UNAUTHORIZED:
                raise
            if exc.code == DUPLICATE_CODE:
                self._skip(plan, summary, None)
                return
            summary.fail(name, plan.event_at(exc.message), exc.message)
            summary.sessions.failed += 1
            summary.raids.failed += len(plan.raids)
            summary.kills.failed += plan.kill_count
            self._echo(f"{name}: refused, nothing stored: {exc.message}")
            return
        summary.sessions.created += 1
        summary.raids.created += len(created.raid_ids)
        summary.kills.created += created.kills
        self._echo(
            f"{name}: session {created.session_id} created "
            f"({len(created.raid_ids)} raids, {created.kills} kills)"
        )
