"""The stage runner: run a pipeline's stages in order, each resumable row by row.

Each stage has a folder under the pipeline's root (``NN_kind`` or its name) that holds a
:class:`~framewise.pipeline.rundir.RunDir` (resolved params, their hash, a manifest), its
files (``files/``) and its table (``rows/chunk-*.parquet``, then ``table.parquet``). A
stage's hash covers its params, the files they name, the global seed and the hashes of the
stages it reads, so:

* same hash, complete: the stage is skipped;
* same hash, interrupted: only input rows with no row yet run (a failed row is recorded
  once and not retried; ``retry_failed`` runs those again);
* another hash (its params or an upstream stage's changed): its folder is cleared and the
  stage runs again, and so does every stage after it that reads it.

Example:
    >>> spec = load_pipeline("w4.yaml")  # doctest: +SKIP
    >>> for summary in run_pipeline(spec):  # doctest: +SKIP
    ...     print(summary.name, summary.rows, summary.failed)
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from framewise.core.errors import ConfigError, FramewiseError
from framewise.executors import Executor, LocalExecutor, Task
from framewise.pipeline.rundir import CONFIG_NAME, MANIFEST_NAME, RunDir, RunState, config_hash
from framewise.pipeline.stages.base import (
    ERROR,
    INPUT_KEY,
    KEY,
    RESERVED,
    Row,
    RowContext,
    RowStage,
    StageParams,
    TableContext,
    row_seed,
)
from framewise.pipeline.stages.spec import PipelineSpec
from framewise.pipeline.stages.table import (
    ROWS_DIR,
    TABLE_NAME,
    ChunkWriter,
    clean_value,
    done_inputs,
    failed_row,
    failures,
    read_rows,
    write_csv,
    write_table,
)

FILES_DIR = "files"
CHUNKS_DIR = "chunks"
"""Where cluster array tasks (``--chunk i/n``) mark their chunk finished."""


class StageProgress(Protocol):
    """What the runner reports while a stage runs (the CLI draws it with rich)."""

    def start(self, stage: str, total: int, done: int) -> None:
        """A stage starts: ``total`` input rows, ``done`` of them finished earlier."""
        ...

    def advance(self, failed: bool) -> None:
        """One input row finished (or failed)."""
        ...

    def finish(self) -> None:
        """The stage ended."""
        ...


@dataclass(frozen=True)
class StageSummary:
    """What one stage did in this run.

    Attributes:
        name: The stage's name.
        kind: Its kind.
        state: ``skipped`` (complete before), ``ran`` or ``resumed``.
        rows: Rows in its table.
        failed: Input rows that failed.
        ran_rows: Input rows run in this run.
        seconds: Wall time of this run.
        errors: The first few failures, ``key: message``.
        workers: Input rows run in this run per worker (``host:pid``), busy seconds beside.
    """

    name: str
    kind: str
    state: str
    rows: int
    failed: int
    ran_rows: int
    seconds: float
    errors: list[str] = field(default_factory=list)
    workers: dict[str, tuple[int, float]] = field(default_factory=dict)


@dataclass(frozen=True)
class _Work:
    stage: RowStage
    row: Row
    ctx: RowContext


@dataclass(frozen=True)
class _Outcome:
    key: str
    rows: list[Row]
    failed: bool


def _carry(row: Mapping[str, Any], out: Mapping[str, Any], key: str) -> Row:
    kept = {name: value for name, value in row.items() if name not in RESERVED}
    merged = {**kept, **{name: clean_value(value) for name, value in out.items()}}
    merged.setdefault(KEY, key)
    merged[INPUT_KEY] = key
    merged[ERROR] = None
    return merged


@dataclass(frozen=True)
class _RowJob:
    """A row's job spec for an executor: the row and its context (the stage is built there)."""

    row: Row
    ctx: RowContext


@dataclass(frozen=True)
class _StageWorker:
    """Builds the stage once per worker process or Ray actor (its models load once)."""

    params: StageParams

    def __call__(self) -> Callable[[_RowJob], _Outcome]:
        stage = self.params.build()
        if not isinstance(stage, RowStage):
            raise ConfigError(
                f"stage kind {self.params.kind!r} is not a row stage",
                hint="table stages run on the driver, not on workers",
            )
        return lambda job: _run_one(_Work(stage, job.row, job.ctx))


def _run_one(work: _Work) -> _Outcome:
    """One input row through its stage; any failure becomes the row's error."""
    key = work.ctx.key
    try:
        rows = [_carry(work.row, out, key) for out in work.stage.run_row(work.row, work.ctx)]
    except FramewiseError as exc:
        return _Outcome(key, [failed_row(key, exc.one_line())], True)
    except Exception as exc:  # a row's bug or bad data must not stop the other rows
        return _Outcome(key, [failed_row(key, f"{type(exc).__name__}: {exc}")], True)
    return _Outcome(key, rows, False)


def stage_hashes(spec: PipelineSpec) -> list[str]:
    """Each stage's hash: its params and named files, the seed, the stages it reads."""
    names = spec.names()
    hashes: dict[str, str] = {}
    for position, stage in enumerate(spec.stages):
        upstream = {name: hashes[name] for name in spec.inputs_of(position)}
        hashes[names[position]] = config_hash(stage, _parameters(spec, upstream))
    return [hashes[name] for name in names]


def _parameters(spec: PipelineSpec, upstream: Mapping[str, str]) -> dict[str, Any]:
    return {"seed": spec.seed, "upstream": dict(upstream)}


def clear_stage(folder: Path) -> None:
    """Remove what a stage wrote in its folder (files, table, config, manifest)."""
    for name in (FILES_DIR, ROWS_DIR, CHUNKS_DIR):
        if (folder / name).is_dir():
            shutil.rmtree(folder / name)
    for name in (TABLE_NAME, CONFIG_NAME, MANIFEST_NAME):
        (folder / name).unlink(missing_ok=True)


def sweep_temporaries(folder: Path) -> int:
    """Remove the hidden temporary files a killed run left mid-write; returns how many.

    Atomic writes go through ``.<name>.<random>.tmp`` (:func:`~framewise.core.atomic.atomic_open`)
    or ``.<name>.<pid>.partial`` (media); a kill -9 leaves them behind, never the target.
    One run works in a stage folder at a time, so any found when a stage starts are stale.
    """
    removed = 0
    for pattern in (".*.tmp", ".*.partial"):
        for path in folder.rglob(pattern):
            if path.is_file():
                path.unlink(missing_ok=True)
                removed += 1
    return removed


def is_complete(folder: Path, digest: str) -> bool:
    """Whether the stage in ``folder`` finished with this hash."""
    manifest = RunDir(folder).read_manifest() or {}
    return manifest.get("config_hash") == digest and manifest.get("status") == "complete"


def _selected(spec: PipelineSpec, only: int | None, start: int | None) -> range:
    count = len(spec.stages)
    for flag, value in (("--only-stage", only), ("--from-stage", start)):
        if value is not None and not 0 <= value < count:
            raise ConfigError(
                f"there is no stage {value}", subject=flag, hint=f"stages are 0 to {count - 1}"
            )
    if only is not None:
        return range(only, only + 1)
    return range(start or 0, count)


def run_pipeline(
    spec: PipelineSpec,
    *,
    only_stage: int | None = None,
    from_stage: int | None = None,
    executor: Executor | None = None,
    progress: StageProgress | None = None,
    retry_failed: bool = False,
) -> list[StageSummary]:
    """Run the pipeline's stages (all, one, or from one on), each resuming where it stopped.

    Raises:
        ConfigError: A stage's input stage has not finished with its current params.
    """
    hashes = stage_hashes(spec)
    names = spec.names()
    folders = {name: spec.root / name for name in names}
    summaries = []
    for position in _selected(spec, only_stage, from_stage):
        for upstream in spec.inputs_of(position):
            if not is_complete(folders[upstream], hashes[names.index(upstream)]):
                raise ConfigError(
                    f"stage {names[position]!r} reads {upstream!r}, which has not finished "
                    "with its current params",
                    subject=folders[upstream],
                    hint=f"run it first: --from-stage {names.index(upstream)}",
                )
        # Hashes are computed once per run: they read every file the params name (archives).
        by_name = dict(zip(names, hashes, strict=True))
        runner = _StageRun(spec, position, by_name, folders, retry_failed)
        summaries.append(runner.run(executor or LocalExecutor(), progress))
    return summaries


class _StageRun:
    """One stage's run in its folder."""

    def __init__(
        self,
        spec: PipelineSpec,
        position: int,
        hashes: Mapping[str, str],
        folders: Mapping[str, Path],
        retry_failed: bool,
    ) -> None:
        self.spec = spec
        self.params: StageParams = spec.stages[position]
        self.name = spec.names()[position]
        self.folder = folders[self.name]
        self.inputs = {name: folders[name] for name in spec.inputs_of(position)}
        self.digest = hashes[self.name]
        self.retry_failed = retry_failed
        self.parameters = _parameters(spec, {name: hashes[name] for name in self.inputs})
        self.by_worker: dict[str, tuple[int, float]] = {}
        self.part = ""  # chunk files' name part: a chunk's own (framewise.pipeline.stages.chunks)

    def open_folder(self) -> tuple[RunDir, RunState]:
        """The stage's run folder, cleared when its rows were made with other params."""
        rundir = RunDir(self.folder)
        manifest = rundir.read_manifest()
        if manifest is not None and manifest.get("config_hash") != self.digest:
            clear_stage(self.folder)  # new params: the old rows are another stage's
        return rundir, rundir.prepare(self.params, self.parameters)

    def run(self, executor: Executor, progress: StageProgress | None) -> StageSummary:
        started = time.monotonic()
        rundir, state = self.open_folder()
        sweep_temporaries(self.folder)
        if state.value == "complete":
            rows = read_rows(self.folder)
            return self._summary("skipped", rows, 0, started)
        stage = self.params.build()
        if isinstance(stage, RowStage):
            ran = self._run_rows(stage, executor, progress)
        else:
            ran = self._run_table(stage, progress)
        rows = read_rows(self.folder)
        write_table(self.folder, rows)
        if self.spec.csv:
            write_csv(self.folder, rows)
        summary = self._summary("ran" if state.value == "new" else "resumed", rows, ran, started)
        rundir.finish(
            {"rows": summary.rows, "failed": summary.failed, "errors": summary.errors[:20]}
        )
        return summary

    def _input_rows(self, stage: RowStage) -> Sequence[Row]:
        own = stage.source_rows()
        if own is not None:
            return own
        rows: list[Row] = []
        for folder in self.inputs.values():
            rows.extend(row for row in read_rows(folder) if not row.get(ERROR))
        return rows

    def _run_rows(self, stage: RowStage, executor: Executor, progress: StageProgress | None) -> int:
        inputs = self._input_rows(stage)
        have = read_rows(self.folder)
        if self.retry_failed and failures(have):
            self._drop_failures()
            have = read_rows(self.folder)
        done = done_inputs(have)
        todo = [row for row in inputs if str(row[KEY]) not in done]
        files = self.folder / FILES_DIR
        files.mkdir(parents=True, exist_ok=True)
        if progress is not None:
            progress.start(self.name, len(inputs), len(inputs) - len(todo))
        writer = ChunkWriter(
            self.folder,
            chunk_rows=self.spec.chunk_rows,
            chunk_seconds=self.spec.chunk_seconds,
            part=self.part,
        )
        try:
            jobs = (
                Task(work.ctx.key, _RowJob(work.row, work.ctx))
                for work in self._work(stage, todo, files)
            )
            for done_task in executor.run(_StageWorker(self.params), jobs):
                rows, busy = self.by_worker.get(done_task.worker, (0, 0.0))
                self.by_worker[done_task.worker] = (rows + 1, busy + done_task.seconds)
                outcome = done_task.value
                if outcome is None:  # the worker died or could not build the stage
                    error = done_task.error or "worker failed"
                    outcome = _Outcome(done_task.key, [failed_row(done_task.key, error)], True)
                writer.add(outcome.rows)
                if progress is not None:
                    progress.advance(outcome.failed)
        finally:
            writer.close()  # Ctrl+C keeps the rows that finished
            if progress is not None:
                progress.finish()
        return len(todo)

    def _work(self, stage: RowStage, rows: Sequence[Row], files: Path) -> Iterator[_Work]:
        for row in rows:
            key = str(row[KEY])
            seed = row_seed(self.spec.seed, self.name, key)
            yield _Work(stage, dict(row), RowContext(key, seed, self.spec.root, files))

    def _drop_failures(self) -> None:
        kept = [row for row in read_rows(self.folder) if not row.get(ERROR)]
        shutil.rmtree(self.folder / ROWS_DIR)
        writer = ChunkWriter(self.folder, chunk_rows=max(len(kept), 1))
        writer.add(kept)
        writer.close()

    def _run_table(self, stage: Any, progress: StageProgress | None) -> int:
        tables = {
            name: [row for row in read_rows(folder) if not row.get(ERROR)]
            for name, folder in self.inputs.items()
        }
        files = self.folder / FILES_DIR
        files.mkdir(parents=True, exist_ok=True)
        if (self.folder / ROWS_DIR).is_dir():
            shutil.rmtree(self.folder / ROWS_DIR)  # a table stage's rows are all or nothing
        if progress is not None:
            progress.start(self.name, 1, 0)
        try:
            ctx = TableContext(self.spec.root, files, self.spec.seed)
            out = stage.run_table(tables, ctx)
            rows = [
                {**{k: clean_value(v) for k, v in row.items()}, INPUT_KEY: "*", ERROR: None}
                for row in out
            ]
            writer = ChunkWriter(self.folder, chunk_rows=max(len(rows), 1))
            writer.add(rows)
            writer.close()
            if progress is not None:
                progress.advance(False)
        finally:
            if progress is not None:
                progress.finish()
        return 1

    def _summary(self, state: str, rows: list[Row], ran: int, started: float) -> StageSummary:
        failed = failures(rows)
        return StageSummary(
            name=self.name,
            kind=self.params.kind,
            state=state,
            rows=len(rows) - len(failed),
            failed=len(failed),
            ran_rows=ran,
            seconds=round(time.monotonic() - started, 3),
            errors=[f"{row[KEY]}: {row[ERROR]}" for row in failed[:5]],
            workers=dict(self.by_worker),
        )
