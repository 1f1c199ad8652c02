"""Submitting a plan of stage jobs with the real ``sbatch --parsable``, and the run's record.

Every submission is appended to ``<root>/slurm.json`` (job ids, array tasks, scripts, what
each job waits for) as soon as each job is accepted, so ``stages status`` can follow the jobs
and a resubmission can cancel what an earlier one left waiting. A resubmission
(``--resubmit``) cancels this run's pending jobs (those behind a failed chunk can never
start) and submits again what is not done: only the failed chunks, their stages' finish
jobs and the stages after them; each rerun chunk runs only its rows not done yet.

Example:
    >>> record = submit_jobs(plan_jobs(spec, path, defaults, 4), spec.root, "...")  # doctest: +SKIP
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json, write_text
from framewise.core.errors import ConfigError, InputError
from framewise.pipeline.stages.slurm import SLURM_DIR, SlurmJob, submit_script

JobKey = tuple[str, int | None]
"""``(job id, array task)``; the task is None for a plain job."""

RECORD_NAME = "slurm.json"
RECORD_VERSION = 1
ACTIVE_STATES = frozenset({"RUNNING", "COMPLETING", "CONFIGURING", "SUSPENDED", "STAGE_OUT"})
"""States of a job that is doing work now (a resubmission waits for them)."""


@dataclass(frozen=True)
class SubmittedJob:
    """A job the scheduler accepted."""

    job: SlurmJob
    job_id: str
    script: Path
    after: tuple[str, ...]


def scheduler_command(name: str) -> str:
    """The full path of a SLURM client command.

    Raises:
        ConfigError: It is not installed here (not a SLURM login node).
    """
    found = shutil.which(name)
    if found is None:
        raise ConfigError(
            f"{name} is not installed here",
            subject=name,
            hint="submit from a SLURM login node, or use --dry-run / --write-scripts",
        )
    return found


def run_client(command: Sequence[str], timeout: float = 120) -> subprocess.CompletedProcess[str]:
    """Run a SLURM client command (``sbatch``, ``squeue`` …) as it is, whatever its exit."""
    return subprocess.run(
        [scheduler_command(command[0]), *command[1:]],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def call(command: Sequence[str]) -> str:
    """Run a SLURM client command; its standard output.

    Raises:
        ConfigError: The command failed (its own message in the line).
    """
    done = run_client(command)
    if done.returncode != 0:
        message = (done.stderr or done.stdout).strip().splitlines() or ["no message"]
        raise ConfigError(
            f"{command[0]} failed: {message[-1]}",
            subject=" ".join(command[:2]),
            hint="check the partition, time and memory against `sinfo`",
        )
    return done.stdout


def record_path(root: Path) -> Path:
    """``<root>/slurm.json``."""
    return root / RECORD_NAME


def read_record(root: Path) -> dict[str, Any] | None:
    """The run's SLURM record, or None when nothing was submitted from this run folder.

    Raises:
        InputError: The record is not valid JSON.
    """
    path = record_path(root)
    if not path.is_file():
        return None
    try:
        payload = json.loads(path.read_text(encoding="utf-8"))
    except ValueError as exc:
        raise InputError(
            f"not a readable SLURM record ({exc})",
            subject=path,
            hint="remove it: status then shows the run folder only",
        ) from None
    return payload if isinstance(payload, dict) else None


def recorded_jobs(record: dict[str, Any]) -> list[dict[str, Any]]:
    """Every job of every submission, oldest first."""
    jobs: list[dict[str, Any]] = []
    for submission in record.get("submissions") or []:
        jobs.extend(job for job in submission.get("jobs") or [] if isinstance(job, dict))
    return jobs


def _save(root: Path, record: dict[str, Any]) -> None:
    write_json(record_path(root), record)


def write_scripts(jobs: Sequence[SlurmJob], folder: Path) -> list[Path]:
    """Each job's script in ``folder`` (executable), plus ``submit.sh`` that chains them."""
    paths = []
    for job in jobs:
        path = folder / job.file_name
        write_text(path, job.script)
        path.chmod(0o755)
        paths.append(path)
    chain = folder / "submit.sh"
    write_text(chain, submit_script(list(jobs)))
    chain.chmod(0o755)
    return [*paths, chain]


def _parse_id(output: str, script: Path) -> str:
    # --parsable prints "jobid" or "jobid;cluster".
    job_id = output.strip().split(";")[0]
    if not job_id.isdigit():
        raise ConfigError(
            f"sbatch answered {output.strip()!r}, not a job id",
            subject=script,
            hint="check that sbatch is SLURM's",
        )
    return job_id


def submit_jobs(
    jobs: Sequence[SlurmJob], root: Path, pipeline: Path, resubmit: str
) -> list[SubmittedJob]:
    """Write the scripts under ``<root>/slurm/`` and submit them in order, ids recorded.

    Args:
        jobs: The plan (:func:`~framewise.pipeline.stages.slurm.plan_jobs`).
        root: The pipeline's root (the record and scripts go there).
        pipeline: The pipeline YAML (recorded).
        resubmit: The command that resubmits this run (shown by ``stages status``).

    Raises:
        ConfigError: sbatch is missing or refused a job (the jobs accepted before it stay
            recorded, so status and a resubmission see them).
    """
    scripts = write_scripts(jobs, root / SLURM_DIR)
    record = read_record(root) or {"version": RECORD_VERSION, "submissions": []}
    record.update(pipeline=str(pipeline.resolve()), resubmit=resubmit)
    entries: list[dict[str, Any]] = []
    record["submissions"].append(
        {
            "submitted_at": datetime.now(UTC).isoformat(),
            "user": os.environ.get("USER"),
            "jobs": entries,
        }
    )
    ids: dict[str, str] = {}
    submitted = []
    for job, script in zip(jobs, scripts, strict=False):
        after = tuple(ids[name] for name in job.after)
        command = ["sbatch", "--parsable"]
        array = job.array_option()
        if array:
            command.append(array)
        if after:
            command.append("--dependency=afterok:" + ":".join(after))
        job_id = _parse_id(call([*command, str(script)]), script)
        ids[job.name] = job_id
        submitted.append(SubmittedJob(job, job_id, script, after))
        entries.append(
            {
                "stage": job.stage,
                "position": job.position,
                "role": job.role,
                "name": job.name,
                "job_id": job_id,
                "count": job.count,
                "tasks": list(job.tasks),
                "after": list(after),
                "script": str(script),
            }
        )
        _save(root, record)  # every accepted job at once: a later refusal leaves it recorded
    _save(root, record)
    return submitted


def cancel_pending(root: Path, states: Mapping[JobKey, tuple[str, str]]) -> list[str]:
    """Cancel this run's recorded jobs still pending; refuse while any is running.

    Args:
        root: The pipeline's root.
        states: ``(job id, array task or None)`` → ``(state, reason)``
            (:func:`~framewise.pipeline.stages.slurm_status.query_states`).

    Returns:
        The job ids cancelled.

    Raises:
        ConfigError: A recorded job is running (resubmit once it ends).
    """
    record = read_record(root) or {}
    mine = {str(job.get("job_id")) for job in recorded_jobs(record)}
    running = sorted(
        f"{job_id}_{task}" if task is not None else job_id
        for (job_id, task), (state, _) in states.items()
        if job_id in mine and state in ACTIVE_STATES
    )
    if running:
        raise ConfigError(
            f"jobs of this run are still running: {', '.join(running[:5])}",
            subject=record_path(root),
            hint="wait for them to end (or scancel them), then resubmit",
        )
    pending = sorted(
        {
            job_id
            for (job_id, _), (state, _) in states.items()
            if job_id in mine and state == "PENDING"
        }
    )
    if pending:
        call(["scancel", *pending])
    return pending


def queued(root: Path, states: Mapping[JobKey, tuple[str, str]]) -> list[str]:
    """This run's recorded jobs still pending or running."""
    mine = {str(job.get("job_id")) for job in recorded_jobs(read_record(root) or {})}
    live = ACTIVE_STATES | {"PENDING"}
    return sorted(
        {job_id for (job_id, _), (state, _) in states.items() if job_id in mine and state in live}
    )
