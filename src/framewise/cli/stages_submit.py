"""``framewise stages submit``: the stages as cluster jobs; ``stages run --chunk``; cluster status.

Example:
    framewise stages submit w4.yaml --scheduler slurm --mem 4G --time 02:00:00 --dry-run
"""

from __future__ import annotations

import shlex
from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

import typer
from pydantic import ValidationError
from rich.console import Console

from framewise.core.errors import ConfigError
from framewise.pipeline.stages import PipelineSpec, load_pipeline, make_executor
from framewise.pipeline.stages.chunks import Chunk, run_chunk
from framewise.pipeline.stages.resources import StageResources
from framewise.pipeline.stages.slurm import plan_jobs, submit_script
from framewise.pipeline.stages.slurm_status import cluster_report, query_states
from framewise.pipeline.stages.slurm_submit import (
    cancel_pending,
    queued,
    read_record,
    recorded_jobs,
    submit_jobs,
    write_scripts,
)

SCHEDULERS = {"slurm": "SLURM (sbatch job arrays, afterok dependencies)"}
"""Schedulers ``stages submit`` speaks, name → what it uses."""


def run_chunk_command(
    spec: PipelineSpec,
    chunk: str,
    only_stage: int | None,
    from_stage: int | None,
    retry_failed: bool,
    executor: str,
    workers: int | None,
) -> None:
    """``stages run --only-stage S --chunk i/n``: one array task's rows, then its summary."""
    from framewise.cli.stages_commands import RichStageProgress, _print_summaries

    if only_stage is None or from_stage is not None:
        raise ConfigError(
            "runs a chunk of one stage's rows",
            subject="--chunk",
            hint="give --only-stage N with it",
        )
    if retry_failed:
        raise ConfigError(
            "--retry-failed rewrites the whole stage's rows, which other chunks are writing",
            subject="--chunk",
            hint="run --retry-failed without --chunk once the stage's jobs have ended",
        )
    with make_executor(executor, workers, None) as where:
        summary = run_chunk(
            spec,
            only_stage,
            Chunk.parse(chunk),
            executor=where,
            progress=RichStageProgress(Console(stderr=True)),
        )
    _print_summaries([summary])


def print_cluster_status(spec: PipelineSpec) -> None:
    """The cluster lines of ``stages status`` when jobs were submitted from this run folder."""
    if read_record(spec.root) is None:
        return
    try:
        lines = cluster_report(spec)
    except ConfigError as exc:  # looked at off the cluster: the folder's table still stands
        typer.echo(f"SLURM jobs: not queried ({exc.one_line()})")
        return
    for line in lines:
        typer.echo(line)


def _defaults(
    cpus: int | None, mem: str | None, gpus: int | None, time: str | None, partition: str | None
) -> StageResources:
    try:
        return StageResources(cpus=cpus, mem=mem, gpus=gpus, time=time, partition=partition)
    except ValidationError as exc:
        error = exc.errors()[0]
        flag = "--" + str(error["loc"][0]) if error["loc"] else "a resource flag"
        raise ConfigError(
            f"{error['input']!r} is not accepted ({error['msg']})",
            subject=flag,
            hint="memory like 4G or 500M, time like 02:00:00 or 1-00:00",
        ) from None


def _make_way(spec: PipelineSpec, resubmit: bool) -> None:
    """Refuse while earlier jobs of this run are queued; ``resubmit`` cancels the waiting ones."""
    record = read_record(spec.root)
    if record is None:
        return
    states = query_states(str(job["job_id"]) for job in recorded_jobs(record))
    if resubmit:
        cancelled = cancel_pending(spec.root, states)
        if cancelled:
            typer.echo(f"cancelled waiting jobs {', '.join(cancelled)}")
    elif live := queued(spec.root, states):
        raise ConfigError(
            f"jobs of an earlier submission are still queued: {', '.join(live)}",
            subject=spec.root / "slurm.json",
            hint="--resubmit cancels the waiting ones and submits what is not done",
        )


def _resubmit_command(pipeline: Path, scheduler: str, flags: Mapping[str, object]) -> str:
    words = ["framewise", "stages", "submit", str(pipeline.resolve()), "--scheduler", scheduler]
    for flag, value in flags.items():
        if value is not None:
            words += [flag, str(value)]
    return shlex.join([*words, "--resubmit"])


def submit_command(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML.")],
    scheduler: Annotated[str, typer.Option("--scheduler", help="slurm.")] = "slurm",
    partition: Annotated[str | None, typer.Option("--partition", help="Default partition.")] = None,
    time: Annotated[
        str | None, typer.Option("--time", help="Default time limit per task (HH:MM:SS).")
    ] = None,
    mem: Annotated[str | None, typer.Option("--mem", help="Default memory per task (4G).")] = None,
    cpus: Annotated[int | None, typer.Option("--cpus", help="Default CPUs per task.")] = None,
    gpus: Annotated[int | None, typer.Option("--gpus", help="Default GPUs per task.")] = None,
    array_chunk: Annotated[
        int,
        typer.Option("--array-chunk", min=1, help="Array tasks per row stage (chunks of rows)."),
    ] = 4,
    dry_run: Annotated[
        bool, typer.Option("--dry-run", help="Print the sbatch scripts; submit nothing.")
    ] = False,
    write_dir: Annotated[
        Path | None,
        typer.Option("--write-scripts", help="Keep the scripts and a submit.sh in this folder."),
    ] = None,
    resubmit: Annotated[
        bool,
        typer.Option(
            "--resubmit",
            help="Cancel this run's waiting jobs and submit what is not done (failed chunks).",
        ),
    ] = False,
) -> None:
    """Submit each unfinished stage as a cluster job: arrays over rows, chained by afterok."""
    if scheduler not in SCHEDULERS:
        raise ConfigError(
            f"unknown scheduler {scheduler!r}",
            subject="--scheduler",
            hint=f"use one of: {', '.join(SCHEDULERS)}",
        )
    spec = load_pipeline(pipeline)
    defaults = _defaults(cpus, mem, gpus, time, partition)
    if not dry_run:  # before planning: a job that ends meanwhile would be planned again
        _make_way(spec, resubmit)
    jobs = plan_jobs(spec, pipeline, defaults, array_chunk)
    if write_dir is not None:
        for path in write_scripts(jobs, write_dir):
            typer.echo(f"wrote {path}")
    if dry_run:
        for job in jobs:
            typer.echo(f"# --- {job.file_name}\n{job.script}")
        typer.echo(f"# --- submit.sh\n{submit_script(jobs)}", nl=False)
        return
    if not jobs:
        typer.echo("every stage is complete: nothing to submit")
        return
    flags = {
        "--partition": partition,
        "--time": time,
        "--mem": mem,
        "--cpus": cpus,
        "--gpus": gpus,
        "--array-chunk": array_chunk,
    }
    command = _resubmit_command(pipeline, scheduler, flags)
    for done in submit_jobs(jobs, spec.root, pipeline, command):
        tasks = f" array {','.join(map(str, done.job.tasks))}" if done.job.tasks else ""
        after = f" after {':'.join(done.after)}" if done.after else ""
        typer.echo(f"{done.job_id} {done.job.name}{tasks}{after}")
    typer.echo(f"status: framewise stages status {pipeline}")


def register_submit(app: typer.Typer) -> None:
    """Add ``submit`` to the ``stages`` group."""
    app.command("submit")(submit_command)
