"""The job table: long work queued by requests, run by worker processes, kept in SQLite.

A request inserts a ``queued`` row and answers at once; a worker claims the oldest queued
job whose dependencies are done (in one ``BEGIN IMMEDIATE`` transaction, so two workers
never claim the same job), reports progress into the row, and ends it ``done`` with a result
or ``failed`` with one line. A job whose dependency failed fails with that reason. Because
the state is in SQLite, a page reload or another browser sees the same jobs, and a server
start calls :meth:`JobStore.recover`: jobs left ``running`` by a stopped server are failed
(their half-made outputs live only in ``DATA/tmp``, which is swept), queued ones run.

Example:
    >>> jobs = JobStore(Path("/tmp/studio/jobs.sqlite3"))  # doctest: +SKIP
    >>> job = jobs.create("extract", {"video_id": "3f2a"})  # doctest: +SKIP
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

JobKind = Literal["extract", "dataset", "train", "predict"]
JobState = Literal["queued", "running", "done", "failed"]
ACTIVE: tuple[JobState, ...] = ("queued", "running")
RESTART_ERROR = "interrupted by a server restart; queue it again"

_SCHEMA = """
CREATE TABLE IF NOT EXISTS jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    state TEXT NOT NULL,
    progress REAL NOT NULL DEFAULT 0,
    message TEXT NOT NULL DEFAULT '',
    error TEXT,
    params TEXT NOT NULL,
    result TEXT,
    depends_on TEXT NOT NULL DEFAULT '[]',
    output TEXT,
    worker TEXT,
    created TEXT NOT NULL,
    started TEXT,
    finished TEXT
);
CREATE INDEX IF NOT EXISTS jobs_state ON jobs (state, created);
CREATE INDEX IF NOT EXISTS jobs_output ON jobs (output);
"""


def now() -> str:
    """The current UTC time, ISO-8601."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


@dataclass(frozen=True)
class Job:
    """One row of the job table.

    Attributes:
        output: The name of what the job makes (a feature file, ``dataset_<id>``, a model
            name, ``<model>/<video>``), so a second request for it finds this job.
    """

    id: str
    kind: JobKind
    state: JobState
    progress: float
    message: str
    error: str | None
    params: dict[str, Any]
    result: dict[str, Any] | None
    depends_on: list[str]
    output: str | None
    created: str
    started: str | None
    finished: str | None

    @classmethod
    def from_row(cls, row: sqlite3.Row) -> Job:
        """A job from its table row."""
        return cls(
            id=row["id"],
            kind=row["kind"],
            state=row["state"],
            progress=float(row["progress"]),
            message=row["message"],
            error=row["error"],
            params=json.loads(row["params"]),
            result=json.loads(row["result"]) if row["result"] is not None else None,
            depends_on=json.loads(row["depends_on"]),
            output=row["output"],
            created=row["created"],
            started=row["started"],
            finished=row["finished"],
        )


class JobStore:
    """The job table in the SQLite file ``path`` (WAL; one short connection per call).

    Args:
        path: The database file (created with its table when missing).
    """

    def __init__(self, path: Path) -> None:
        self.path = path
        with self._connect() as db:
            db.execute("PRAGMA journal_mode=WAL")
            db.executescript(_SCHEMA)

    @contextmanager
    def _connect(self) -> Iterator[sqlite3.Connection]:
        # A connection per call: the server's threads and the workers never share one.
        db = sqlite3.connect(self.path, timeout=30.0, isolation_level=None)
        db.row_factory = sqlite3.Row
        try:
            db.execute("PRAGMA busy_timeout=30000")
            yield db
        finally:
            db.close()

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        with self._connect() as db:
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def create(
        self,
        kind: JobKind,
        params: dict[str, Any],
        *,
        output: str | None = None,
        depends_on: Sequence[str] = (),
    ) -> Job:
        """Queue a job; returns it."""
        job_id = f"j_{uuid.uuid4().hex[:12]}"
        with self._write() as db:
            db.execute(
                "INSERT INTO jobs (id, kind, state, params, depends_on, output, created)"
                " VALUES (?, ?, 'queued', ?, ?, ?, ?)",
                (job_id, kind, json.dumps(params), json.dumps(list(depends_on)), output, now()),
            )
        return self.get_required(job_id)

    def get(self, job_id: str) -> Job | None:
        """The job, or ``None``."""
        with self._connect() as db:
            row = db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return Job.from_row(row) if row is not None else None

    def get_required(self, job_id: str) -> Job:
        """The job (it must exist)."""
        job = self.get(job_id)
        if job is None:
            raise KeyError(job_id)
        return job

    def recent(
        self, *, state: str | None = None, kind: str | None = None, limit: int = 100
    ) -> list[Job]:
        """Jobs, newest first, optionally of one state and kind."""
        query, args = "SELECT * FROM jobs WHERE 1=1", list[str]()
        if state is not None:
            query, args = query + " AND state = ?", [*args, state]
        if kind is not None:
            query, args = query + " AND kind = ?", [*args, kind]
        with self._connect() as db:
            rows = db.execute(f"{query} ORDER BY created DESC LIMIT ?", (*args, limit)).fetchall()
        return [Job.from_row(r) for r in rows]

    def active_for(self, output: str) -> Job | None:
        """The queued or running job making ``output``, if any."""
        with self._connect() as db:
            row = db.execute(
                "SELECT * FROM jobs WHERE output = ? AND state IN ('queued', 'running')"
                " ORDER BY created LIMIT 1",
                (output,),
            ).fetchone()
        return Job.from_row(row) if row is not None else None

    def active_needing(self, job_ids: Sequence[str]) -> list[Job]:
        """Queued jobs that depend on any of ``job_ids``."""
        wanted = set(job_ids)
        return [j for j in self.recent(state="queued", limit=10_000) if wanted & set(j.depends_on)]

    def claim(self, worker: str) -> Job | None:
        """Take the oldest queued job whose dependencies are done; fail blocked ones.

        A queued job whose dependency failed (or vanished) is failed here with the reason,
        so it never waits forever.
        """
        with self._write() as db:
            rows = db.execute(
                "SELECT * FROM jobs WHERE state = 'queued' ORDER BY created"
            ).fetchall()
            for row in rows:
                job = Job.from_row(row)
                states = (
                    {
                        r["id"]: (r["state"], r["error"])
                        for r in db.execute(
                            "SELECT id, state, error FROM jobs WHERE id IN "
                            f"({','.join('?' * len(job.depends_on))})",
                            job.depends_on,
                        )
                    }
                    if job.depends_on
                    else {}
                )
                blocked = [
                    d for d in job.depends_on if states.get(d, ("failed", None))[0] == "failed"
                ]
                if blocked:
                    reason = states.get(blocked[0], ("failed", "it no longer exists"))[1]
                    db.execute(
                        "UPDATE jobs SET state = 'failed', error = ?, finished = ? WHERE id = ?",
                        (f"needs job {blocked[0]}, which failed: {reason}", now(), job.id),
                    )
                    continue
                if all(states[d][0] == "done" for d in job.depends_on):
                    db.execute(
                        "UPDATE jobs SET state = 'running', worker = ?, started = ?,"
                        " message = 'started' WHERE id = ?",
                        (worker, now(), job.id),
                    )
                    return Job.from_row(
                        db.execute("SELECT * FROM jobs WHERE id = ?", (job.id,)).fetchone()
                    )
        return None

    def progress(self, job_id: str, worker: str, fraction: float, message: str) -> None:
        """Report a running job's progress (0..1) and what it is doing."""
        with self._write() as db:
            db.execute(
                "UPDATE jobs SET progress = ?, message = ? WHERE id = ? AND worker = ?"
                " AND state = 'running'",
                (min(max(fraction, 0.0), 1.0), message[:300], job_id, worker),
            )

    def finish(self, job_id: str, worker: str, result: dict[str, Any], message: str) -> bool:
        """End a running job with its result; ``False`` when it is no longer this worker's."""
        with self._write() as db:
            done = db.execute(
                "UPDATE jobs SET state = 'done', progress = 1, result = ?, message = ?,"
                " finished = ? WHERE id = ? AND worker = ? AND state = 'running'",
                (json.dumps(result), message[:300], now(), job_id, worker),
            )
            return done.rowcount == 1

    def fail(self, job_id: str, error: str, worker: str | None = None) -> None:
        """End a queued or running job as failed with a one-line reason."""
        query = (
            "UPDATE jobs SET state = 'failed', error = ?, finished = ?, message = 'failed'"
            " WHERE id = ? AND state IN ('queued', 'running')"
        )
        args: tuple[Any, ...] = (error.replace("\n", " ")[:1000], now(), job_id)
        if worker is not None:
            query, args = query + " AND worker = ?", (*args, worker)
        with self._write() as db:
            db.execute(query, args)

    def fail_worker(self, worker: str, error: str) -> list[str]:
        """Fail the jobs a dead worker was running; returns their ids."""
        with self._write() as db:
            ids = [
                r["id"]
                for r in db.execute(
                    "SELECT id FROM jobs WHERE state = 'running' AND worker = ?", (worker,)
                )
            ]
            db.execute(
                "UPDATE jobs SET state = 'failed', error = ?, finished = ?, message = 'failed'"
                " WHERE state = 'running' AND worker = ?",
                (error, now(), worker),
            )
        return ids

    def recover(self) -> list[str]:
        """At start-up: fail the jobs a stopped server left running; returns their ids."""
        with self._write() as db:
            ids = [r["id"] for r in db.execute("SELECT id FROM jobs WHERE state = 'running'")]
            db.execute(
                "UPDATE jobs SET state = 'failed', error = ?, finished = ?, message = 'failed'"
                " WHERE state = 'running'",
                (RESTART_ERROR, now()),
            )
        return ids
