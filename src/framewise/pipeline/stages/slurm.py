"""A stage pipeline as SLURM jobs: one job per stage, an array over its rows, chained by afterok.

``stages submit`` plans one job per stage that is not complete yet:

* a row stage that reads a table is a **job array** of ``n`` tasks, task ``i`` running
  ``framewise stages run PIPELINE --only-stage S --chunk i/n`` (see
  :mod:`framewise.pipeline.stages.chunks`), followed by a one-CPU **finish** job
  (``--dependency=afterok:<array>``) that runs ``--only-stage S`` plainly: it finds every row
  done, writes ``table.parquet`` and marks the stage complete, so the next stage reads a
  whole table;
* a stage that takes whole tables (training) or lists its own rows (the index) is **one
  job** running ``--only-stage S``;
* a stage waits (``afterok``) for the last job of every stage it reads; stages already
  complete are not submitted, and chunks already done are left out of the array.

Resources come from each stage's ``resources:`` block, the submit flags filling the rest.
Job ids are recorded in ``<root>/slurm.json``; scripts and logs live in ``<root>/slurm/``.

Example:
    >>> defaults = StageResources(mem="4G")
    >>> jobs = plan_jobs(spec, Path("w4.yaml"), defaults, chunks=8)  # doctest: +SKIP
    >>> print(submit_script(jobs))  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import shlex
import sys
from dataclasses import dataclass
from pathlib import Path

from framewise.pipeline.stages.base import StageParams
from framewise.pipeline.stages.chunks import done_chunks
from framewise.pipeline.stages.resources import StageResources
from framewise.pipeline.stages.runner import is_complete, stage_hashes
from framewise.pipeline.stages.spec import PipelineSpec

SLURM_DIR = "slurm"
"""Scripts and logs of a submitted pipeline, under its root."""

FINISH_RESOURCES = StageResources(cpus=1)
"""A finish job only merges the chunks' rows: one CPU, the stage's partition and time."""

ROLES = ("stage", "chunks", "finish")
"""A job runs a whole stage, an array of its chunks, or the step that finishes a chunked stage."""


@dataclass(frozen=True)
class SlurmJob:
    """One sbatch job of a plan.

    Attributes:
        stage: The stage's name.
        position: Its number (``--only-stage``).
        role: ``stage``, ``chunks`` or ``finish`` (see :data:`ROLES`).
        count: Chunks of the stage (the array's size; 1 for a whole-stage job).
        tasks: The array tasks to submit (chunks not done yet); empty for a plain job.
        after: Names of the jobs of this plan it waits for (``afterok``).
        script: The sbatch script.
    """

    stage: str
    position: int
    role: str
    count: int
    tasks: tuple[int, ...]
    after: tuple[str, ...]
    script: str

    @property
    def name(self) -> str:
        """The job's name (``%x`` in its log's name): ``fw-<stage>``, ``-finish`` for finishers."""
        return f"fw-{self.stage}-finish" if self.role == "finish" else f"fw-{self.stage}"

    @property
    def file_name(self) -> str:
        """The script's file name."""
        return f"{self.name}.sh"

    def array_option(self) -> str | None:
        """``--array=1,3`` when only some chunks are submitted, else None (the script's)."""
        if self.role != "chunks" or len(self.tasks) == self.count:
            return None
        return "--array=" + ",".join(str(task) for task in self.tasks)


def takes_tables(params: StageParams) -> bool:
    """Whether a stage kind takes whole tables (training, reports) rather than rows.

    Reads the implementation's class named by ``factory`` without building it.
    """
    module_name, _, attribute = params.factory.partition(":")
    try:
        implementation = getattr(importlib.import_module(module_name), attribute)
    except (ImportError, AttributeError):
        return True  # a kind that cannot load here runs whole, where its extra is installed
    return callable(getattr(implementation, "run_table", None))


def _directives(resources: StageResources) -> list[str]:
    lines = []
    if resources.partition:
        lines.append(f"--partition={resources.partition}")
    if resources.cpus:
        lines.append(f"--cpus-per-task={resources.cpus}")
    if resources.mem:
        lines.append(f"--mem={resources.mem}")
    if resources.gpus:
        lines.append(f"--gres=gpu:{resources.gpus}")
    if resources.time:
        lines.append(f"--time={resources.time}")
    return lines


def _script(
    job_name: str,
    logs: Path,
    resources: StageResources,
    command: list[str],
    *,
    count: int | None,
    about: str,
) -> str:
    log = logs / (f"{job_name}-%A_%a.out" if count else f"{job_name}-%j.out")
    options = [f"--job-name={job_name}", f"--output={log}"]
    if count:
        options.append(f"--array=0-{count - 1}")
    options += _directives(resources)
    run = shlex.join(command)
    if count:  # the task's chunk comes from SLURM at run time
        run += f' --chunk "${{SLURM_ARRAY_TASK_ID}}/{count}"'
    lines = ["#!/bin/bash", *(f"#SBATCH {option}" for option in options), f"# {about}"]
    return "\n".join([*lines, "set -euo pipefail", f"exec {run}", ""])


def plan_jobs(
    spec: PipelineSpec,
    pipeline: Path,
    defaults: StageResources,
    chunks: int,
    python: str | None = None,
) -> list[SlurmJob]:
    """The jobs that finish ``spec``'s stages that are not complete yet, in submission order.

    Args:
        spec: The pipeline.
        pipeline: Its YAML (the jobs run it by absolute path).
        defaults: Resources for what a stage's ``resources:`` leaves out.
        chunks: Array tasks per chunked stage (a stage's ``resources.chunks`` wins).
        python: The interpreter the jobs run framewise with (default: this one).
    """
    names = spec.names()
    hashes = dict(zip(names, stage_hashes(spec), strict=True))
    logs = spec.root.resolve() / SLURM_DIR
    base = [python or sys.executable, "-m", "framewise", "stages", "run", str(pipeline.resolve())]
    last: dict[str, str] = {}  # stage → name of the job that completes it in this plan
    jobs: list[SlurmJob] = []
    for position, params in enumerate(spec.stages):
        name = names[position]
        folder = spec.root / name
        if is_complete(folder, hashes[name]):
            continue
        after = tuple(last[up] for up in spec.inputs_of(position) if up in last)
        resources = (params.resources or StageResources()).over(defaults)
        count = resources.chunks or chunks
        command = [*base, "--only-stage", str(position)]
        chunked = count > 1 and bool(spec.inputs_of(position)) and not takes_tables(params)
        if not chunked:
            about = f"framewise stage {name} ({params.kind}), one job; a rerun resumes it"
            script = _script(f"fw-{name}", logs, resources, command, count=None, about=about)
            job = SlurmJob(name, position, "stage", 1, (), after, script)
            jobs.append(job)
            last[name] = job.name
            continue
        todo = tuple(sorted(set(range(count)) - done_chunks(folder, count, hashes[name])))
        finish_after = after
        if todo:
            about = (
                f"framewise stage {name} ({params.kind}): chunk $SLURM_ARRAY_TASK_ID of "
                f"{count}; a rerun runs only the chunk's rows not done yet"
            )
            script = _script(f"fw-{name}", logs, resources, command, count=count, about=about)
            array = SlurmJob(name, position, "chunks", count, todo, after, script)
            jobs.append(array)
            finish_after = (array.name,)
        finish = FINISH_RESOURCES.over(resources.model_copy(update={"gpus": None}))
        about = f"framewise stage {name}: after its {count} chunks, writes its table"
        script = _script(f"fw-{name}-finish", logs, finish, command, count=None, about=about)
        job = SlurmJob(name, position, "finish", count, (), finish_after, script)
        jobs.append(job)
        last[name] = job.name
    return jobs


def submit_script(jobs: list[SlurmJob]) -> str:
    """A shell script that submits ``jobs`` by hand (the scripts beside it), chained by afterok."""
    lines = [
        "#!/bin/bash",
        "# Submits the stage jobs in order; each waits (afterok) for the stages it reads.",
        "set -euo pipefail",
        'cd "$(dirname "$0")"',
    ]
    variables: dict[str, str] = {}
    for number, job in enumerate(jobs):
        variable = f"job{number}"
        variables[job.name] = variable
        words = ["sbatch", "--parsable"]
        array = job.array_option()
        if array:
            words.append(array)
        depends = ":".join(f"${{{variables[name]}%%;*}}" for name in job.after)
        dependency = f" --dependency=afterok:{depends}" if depends else ""
        lines.append(f"{variable}=$({' '.join(words)}{dependency} {job.file_name})")
        lines.append(f'echo "{job.name}: ${variable}"')
    return "\n".join([*lines, ""])
