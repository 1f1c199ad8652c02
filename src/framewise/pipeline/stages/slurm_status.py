"""Where a submitted pipeline's SLURM jobs stand: states per array task, failures, what to resubmit.

States come from ``squeue`` (queued and running tasks, with the reason a task waits) and
``sacct`` (finished ones); where accounting is off (``sacct``: "accounting storage is
disabled", as on a cluster without slurmdbd) from ``scontrol show job``, which knows finished
jobs for ``MinJobAge`` seconds. A chunk whose job the scheduler has forgotten counts as done
when its marker is in the stage folder, else as lost (to be resubmitted).

Example:
    >>> for line in cluster_report(spec):  # doctest: +SKIP
    ...     print(line)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framewise.pipeline.stages.chunks import Chunk, marker
from framewise.pipeline.stages.runner import is_complete, stage_hashes
from framewise.pipeline.stages.slurm_submit import (
    JobKey,
    read_record,
    recorded_jobs,
    run_client,
)
from framewise.pipeline.stages.spec import PipelineSpec

FAILED_STATES = frozenset(
    {
        "FAILED",
        "CANCELLED",
        "TIMEOUT",
        "NODE_FAIL",
        "PREEMPTED",
        "OUT_OF_MEMORY",
        "BOOT_FAIL",
        "DEADLINE",
        "LOST",
    }
)
"""Task states whose chunk must be resubmitted (``LOST``: forgotten, no marker)."""


@dataclass(frozen=True)
class TaskStatus:
    """One submitted task (or plain job) as it stands.

    Attributes:
        stage: The stage's name.
        role: ``stage``, ``chunks`` or ``finish``.
        job_id: The (array) job id.
        task: The array task (its chunk), None for a plain job.
        count: The stage's chunks.
        state: The scheduler's state (``PENDING``, ``RUNNING``, ``COMPLETED``, ``FAILED``,
            ``CANCELLED``, …; ``LOST`` when forgotten without a marker).
        reason: Why it waits, when pending.
        log: Its log file.
        done: Its rows are done (the run folder's marker, or the stage complete), whatever
            the scheduler says (a task cancelled after its last row is done).
    """

    stage: str
    role: str
    job_id: str
    task: int | None
    count: int
    state: str
    reason: str
    log: Path
    done: bool

    @property
    def failed(self) -> bool:
        """Whether this task must be resubmitted."""
        return self.state in FAILED_STATES and not self.done


def array_tasks(text: str) -> list[int]:
    """The task numbers SLURM writes as ``3``, ``[4-7%2]`` or ``1,3-5`` (pending ranges)."""
    text = text.strip("[]").split("%")[0]
    numbers: list[int] = []
    for part in text.split(","):
        head, _, tail = part.partition("-")
        if head.isdigit():
            last = int(tail) if tail.isdigit() else int(head)
            numbers.extend(range(int(head), last + 1))
    return numbers


def _job_states(
    job_id: str, task: str, state: str, reason: str, into: dict[JobKey, tuple[str, str]]
) -> None:
    # "CANCELLED by 0" → CANCELLED; an array's pending range becomes one entry per task.
    word = state.split(maxsplit=1)[0] if state.strip() else "UNKNOWN"
    numbers: list[int | None] = [None]
    if task and task not in {"N/A", "(null)"}:
        numbers = list(array_tasks(task)) or [None]
    for number in numbers:
        into[(job_id, number)] = (word, reason if reason not in {"None", "(null)"} else "")


def query_states(job_ids: Iterable[str]) -> dict[JobKey, tuple[str, str]]:
    """``(job id, task)`` → ``(state, reason)`` for the given jobs, as the scheduler knows them."""
    ids = sorted(set(job_ids), key=int)
    states: dict[JobKey, tuple[str, str]] = {}
    if not ids:
        return states
    accounting = run_client(
        ["sacct", "-n", "-P", "-X", "-j", ",".join(ids), "-o", "JobID,State"], 60
    )
    if accounting.returncode == 0:
        for line in accounting.stdout.splitlines():
            job, _, state = line.partition("|")
            job_id, _, task = job.partition("_")
            if job_id in ids:
                _job_states(job_id, task, state, "", states)
    else:  # no accounting: the controller still knows jobs that ended MinJobAge ago
        for job_id in ids:
            shown = run_client(["scontrol", "show", "job", "-o", job_id], 60)
            for line in shown.stdout.splitlines() if shown.returncode == 0 else []:
                fields = dict(re.findall(r"(\w+)=(\S*)", line))
                array = fields.get("ArrayJobId") or fields.get("JobId", "")
                task = fields.get("ArrayTaskId", "")
                state, reason = fields.get("JobState", ""), fields.get("Reason", "")
                _job_states(array, task, state, reason, states)
    queue = run_client(["squeue", "-h", "-r", "-j", ",".join(ids), "-o", "%F|%K|%T|%r"], 60)
    for line in queue.stdout.splitlines() if queue.returncode == 0 else []:
        job_id, task, state, reason = [*line.split("|"), "", "", ""][:4]
        _job_states(job_id, task, state, reason, states)
    return states


def _log(job: dict[str, Any], task: int | None) -> Path:
    folder = Path(str(job.get("script", ""))).parent
    suffix = f"{job['job_id']}_{task}" if task is not None else str(job["job_id"])
    return folder / f"{job['name']}-{suffix}.out"


def task_statuses(spec: PipelineSpec, record: dict[str, Any] | None = None) -> list[TaskStatus]:
    """Every recorded task's latest attempt, in submission order (empty: nothing submitted).

    ``record`` is the run's ``slurm.json`` when the caller has read it already.
    """
    record = record if record is not None else read_record(spec.root)
    if record is None:
        return []
    jobs = recorded_jobs(record)
    states = query_states(str(job["job_id"]) for job in jobs)
    hashes = dict(zip(spec.names(), stage_hashes(spec), strict=True))
    latest: dict[tuple[str, str, int | None], TaskStatus] = {}
    for job in jobs:
        stage, role, job_id = str(job["stage"]), str(job["role"]), str(job["job_id"])
        count = int(job.get("count") or 1)
        tasks: list[int | None] = list(job.get("tasks") or []) if role == "chunks" else [None]
        folder = spec.root / stage
        complete = is_complete(folder, hashes.get(stage, ""))
        for task in tasks:
            state, reason = states.get((job_id, task), ("", ""))
            done = complete or (task is not None and marker(folder, Chunk(task, count)).is_file())
            if not state:  # forgotten by the scheduler: the run folder says how it ended
                state = "COMPLETED" if done else "LOST"
            log = _log(job, task)
            status = TaskStatus(stage, role, job_id, task, count, state, reason, log, done)
            latest[(stage, role, task)] = status
    return list(latest.values())


def cluster_report(spec: PipelineSpec) -> list[str]:
    """Lines for ``stages status``: per job, states by count; failures with logs; the resubmit."""
    record = read_record(spec.root) or {}
    statuses = task_statuses(spec, record) if record else []
    if not statuses:
        return []
    lines = ["SLURM jobs (slurm.json):"]
    groups: dict[tuple[str, str, str], list[TaskStatus]] = {}
    for status in statuses:
        groups.setdefault((status.stage, status.role, status.job_id), []).append(status)
    for (stage, role, job_id), members in groups.items():
        counts: dict[str, int] = {}
        for member in members:
            counts[member.state] = counts.get(member.state, 0) + 1
        states = ", ".join(f"{state} {n}" for state, n in counts.items())
        reasons = sorted({m.reason for m in members if m.reason})
        why = f" ({', '.join(reasons)})" if reasons else ""
        lines.append(f"  {stage:<20} {role:<7} job {job_id:<8} {states}{why}")
    failed = [status for status in statuses if status.failed]
    for status in failed:
        chunk = f" chunk {status.task}/{status.count}" if status.task is not None else ""
        task = f"_{status.task}" if status.task is not None else ""
        lines.append(
            f"failed: {status.stage}{chunk} (job {status.job_id}{task}, {status.state}): "
            f"log {status.log}"
        )
    if failed:
        command = str(record.get("resubmit") or "")
        lines.append("resubmit the failed chunks (each reruns only its rows not done yet):")
        lines.append(f"  {command}")
    return lines
