"""``framewise stages run`` and ``framewise stages status``: the resumable stage runner."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from framewise.cli.executor_options import AddressOption, ExecutorOption, WorkersOption
from framewise.pipeline.stages import (
    PipelineSpec,
    StageSummary,
    load_pipeline,
    make_executor,
    pipeline_status,
    run_pipeline,
)
from framewise.pipeline.stages.runner import FILES_DIR

stages_app = typer.Typer(
    help="Run a pipeline of resumable stages (index, augment, features, scale, train).",
    no_args_is_help=True,
)


class RichStageProgress:
    """Rows done / total, failures, rate and ETA per stage, on stderr (silent off a terminal)."""

    def __init__(self, console: Console) -> None:
        self._progress = Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            MofNCompleteColumn(),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(),
            TextColumn("eta"),
            TimeRemainingColumn(),
            console=console,
            disable=not sys.stderr.isatty(),
        )
        self._task: TaskID | None = None
        self._failed = 0

    def start(self, stage: str, total: int, done: int) -> None:
        """A stage starts."""
        self._failed = 0
        self._progress.start()
        self._task = self._progress.add_task(stage, total=total, completed=done, failed=0)

    def advance(self, failed: bool) -> None:
        """One row finished."""
        if self._task is None:
            return
        self._failed += int(failed)
        self._progress.update(self._task, advance=1, failed=self._failed)

    def finish(self) -> None:
        """The stage ended."""
        self._progress.stop()
        self._task = None


def _print_summaries(summaries: list[StageSummary]) -> None:
    table = Table("stage", "kind", "state", "rows", "failed", "ran", "seconds")
    for s in summaries:
        table.add_row(
            s.name, s.kind, s.state, str(s.rows), str(s.failed), str(s.ran_rows), f"{s.seconds}"
        )
    console = Console()
    console.print(table)
    for s in summaries:
        if len(s.workers) > 1:  # handed out: what each worker did (rows, rows per busy second)
            done = ", ".join(
                f"{name} {rows} ({rows / busy if busy else 0.0:.2f}/s)"
                for name, (rows, busy) in sorted(s.workers.items())
            )
            console.print(f"{s.name} rows by worker: {done}", highlight=False)
        for error in s.errors:
            console.print(f"[red]{s.name}[/red] {error}", markup=True, highlight=False)


@stages_app.command("run")
def run_command(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML (root, seed, stages).")],
    only_stage: Annotated[
        int | None, typer.Option("--only-stage", help="Run only stage N (0 is the first).")
    ] = None,
    from_stage: Annotated[
        int | None, typer.Option("--from-stage", help="Run stage N and every one after it.")
    ] = None,
    executor: ExecutorOption = "local",
    address: AddressOption = None,
    workers: WorkersOption = None,
    retry_failed: Annotated[
        bool, typer.Option("--retry-failed", help="Run rows that failed before again.")
    ] = False,
    report: Annotated[
        str,
        typer.Option(
            "--report",
            help="markdown (report.md, always written) or notebook: also report.ipynb beside it.",
        ),
    ] = "markdown",
    chunk: Annotated[
        str | None,
        typer.Option(
            "--chunk",
            help="i/n: run only chunk i of n of --only-stage's rows (a cluster array task).",
        ),
    ] = None,
) -> None:
    """Run the stages; a rerun resumes where it stopped and skips finished stages."""
    if report not in REPORTS:
        raise typer.BadParameter(
            f"{report!r}: use one of {', '.join(REPORTS)}", param_hint="--report"
        )
    spec = load_pipeline(pipeline)
    if chunk is not None:
        from framewise.cli.stages_submit import run_chunk_command

        run_chunk_command(spec, chunk, only_stage, from_stage, retry_failed, executor, workers)
        return
    with make_executor(executor, workers, address) as where:
        summaries = run_pipeline(
            spec,
            only_stage=only_stage,
            from_stage=from_stage,
            executor=where,
            progress=RichStageProgress(Console(stderr=True)),
            retry_failed=retry_failed,
        )
    _print_summaries(summaries)
    if report == "notebook":
        _write_notebooks(spec)


REPORTS = ("markdown", "notebook")


def _write_notebooks(spec: PipelineSpec) -> None:
    """``report.ipynb`` beside every finished train stage's ``report.md``."""
    from framewise.training.classify_notebook import write_notebook

    for name, stage in zip(spec.names(), spec.stages, strict=True):
        folder = spec.root / name / FILES_DIR
        if stage.kind == "train" and (folder / "report.md").exists():
            typer.echo(f"notebook: {write_notebook(folder)}")


@stages_app.command("status")
def status_command(
    pipeline: Annotated[Path, typer.Argument(help="The pipeline YAML.")],
) -> None:
    """Show each stage's state (complete, partial, stale, not started), rows and failures.

    With jobs submitted (``slurm.json``), also their states, failures and what to resubmit.
    """
    table = Table("#", "stage", "kind", "state", "rows", "failed")
    spec = load_pipeline(pipeline)
    for s in pipeline_status(spec):
        table.add_row(str(s.position), s.name, s.kind, s.state, str(s.rows), str(s.failed))
    Console().print(table)
    from framewise.cli.stages_submit import print_cluster_status

    print_cluster_status(spec)


DEMO_PIPELINE = """\
# Workflow W4 on the set built by `framewise stages make-set` (see recipe.json beside it).
root: runs
seed: 0
chunk_rows: 16
stages:
  - kind: index
    videos: .
    labels: labels.csv
  - kind: augment
    count: {count}
    kinds: [flip, brightness, rotation, frame_drop]
  - {{kind: features, frames: 6}}
  - {{kind: scale, target: 128, inputs: [01_augment]}}
  - {{kind: scaled_features, frames: 6}}
  - kind: train
    folds: {folds}
    inputs: [02_features, 04_scaled_features]
    models: [{models}]
    epochs: 3
    clip_size: 48
"""
DEMO_MODELS = (
    "logistic_regression_stage2, logistic_regression_stage2_stage4, svm_stage2, "
    "svm_stage2_stage4, gradient_boosting, cnn3d_tiny"
)
REAL_VIDEOS = Path(__file__).resolve().parents[3].parent / "shared" / "data" / "real"
"""The real videos beside a checkout (``../shared/data/real``), the demo's default."""


@stages_app.command("make-set")
def make_set_command(
    real: Annotated[Path, typer.Argument(help="Folder of real videos (searched recursively).")],
    out: Annotated[Path, typer.Argument(help="Folder for the set (real/, fake/, labels.csv).")],
    segments: Annotated[int, typer.Option("--segments", min=1)] = 1,
    seconds: Annotated[float, typer.Option("--seconds", min=0.5)] = 2.0,
    max_side: Annotated[int, typer.Option("--max-side", min=32)] = 240,
    seed: Annotated[int, typer.Option("--seed")] = 0,
) -> None:
    """Build a real-vs-manipulated set (paste, re-encode, frame-rate change) and its pipeline."""
    from framewise.core.atomic import write_text
    from framewise.datasets.manipulate import build_set

    labels = build_set(real, out, seconds=seconds, segments=segments, max_side=max_side, seed=seed)
    pipeline = out / "w4.yaml"
    write_text(pipeline, DEMO_PIPELINE.format(count=2, folds=5, models=DEMO_MODELS))
    typer.echo(f"{labels}\n{pipeline}  (run: framewise stages run {pipeline})")


def stages_demo(out: Path, real: Path = REAL_VIDEOS) -> None:
    """``make demo``'s W4 part: build a small set, run every stage, print the report's table."""
    from framewise.core.atomic import write_text
    from framewise.datasets.manipulate import build_set

    if not real.is_dir():
        typer.echo(f"W4 stages: skipped, no real videos at {real}")
        return
    if not (out / "labels.csv").exists():
        build_set(real, out, seconds=2.0, segments=1, max_side=160, seed=0)
    pipeline = out / "w4.yaml"
    write_text(pipeline, DEMO_PIPELINE.format(count=1, folds=4, models=DEMO_MODELS))
    spec = load_pipeline(pipeline)
    summaries = run_pipeline(spec, progress=RichStageProgress(Console(stderr=True)))
    _print_summaries(summaries)
    report = spec.root / "05_train" / FILES_DIR / "report.md"
    lines = report.read_text(encoding="utf-8").splitlines()
    typer.echo("\n".join(line for line in lines if line.startswith("|")))
    typer.echo(f"W4 report: {report}")
    _write_notebooks(spec)


def register(app: typer.Typer) -> None:
    """Add ``stages`` (with ``run``, ``status`` and ``submit``) to ``app``."""
    from framewise.cli.stages_submit import register_submit

    register_submit(stages_app)
    app.add_typer(stages_app, name="stages")
