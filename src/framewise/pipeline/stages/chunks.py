"""One chunk of a stage's rows (``stages run --only-stage S --chunk i/n``): a cluster array task.

A chunk runs every ``n``-th input row from row ``i`` on (input rows in their table's key
order, so every task of an array picks the same split), beside the other chunks of the same
stage in the same folder, at the same time:

* its rows go to chunk files of its own (``rows/chunk-c0003of0008-000001.parquet``), which
  the stage's reader already unions with every other chunk's;
* it never marks the stage complete: it writes ``chunks/0003of0008.json`` when its rows are
  done, and the stage is finished by a plain ``stages run --only-stage S`` after the last
  chunk (it finds every row done, writes ``table.parquet`` and marks the stage complete);
* a rerun of a chunk (pre-empted, cancelled, killed) resumes like any stage: only its rows
  with no row yet run;
* the stage folder's set-up (clear on new params, manifest) happens under a file lock, and
  no chunk sweeps temporary files (another chunk may be writing them).

Rows carry their own seeds (:func:`~framewise.pipeline.stages.base.row_seed`), so a chunked
stage writes the same table as a local run.

Example:
    >>> Chunk.parse("3/8").select(list(range(20)))
    [3, 11, 19]
"""

from __future__ import annotations

import fcntl
import socket
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError
from framewise.executors import Executor, LocalExecutor
from framewise.pipeline.rundir import RunDir
from framewise.pipeline.stages.base import INPUT_KEY, KEY, Row, RowStage
from framewise.pipeline.stages.runner import (
    CHUNKS_DIR,
    StageProgress,
    StageSummary,
    _StageRun,
    is_complete,
    stage_hashes,
)
from framewise.pipeline.stages.spec import PipelineSpec
from framewise.pipeline.stages.table import read_rows

LOCK_NAME = ".stage.lock"


@dataclass(frozen=True)
class Chunk:
    """Chunk ``index`` of ``count`` (0-based, as ``$SLURM_ARRAY_TASK_ID``)."""

    index: int
    count: int

    @classmethod
    def parse(cls, text: str) -> Chunk:
        """``"i/n"`` → a chunk.

        Raises:
            ConfigError: Not ``i/n`` with ``0 <= i < n``.
        """
        head, _, tail = text.partition("/")
        if not (head.strip().isdigit() and tail.strip().isdigit()):
            raise ConfigError(
                f"{text!r} is not a chunk", subject="--chunk", hint="write i/n, e.g. 0/4"
            )
        index, count = int(head), int(tail)
        if not 0 <= index < count:
            raise ConfigError(
                f"chunk {index} of {count} does not exist",
                subject="--chunk",
                hint=f"i runs from 0 to n - 1 ({count - 1})" if count else "n is at least 1",
            )
        return cls(index, count)

    @property
    def name(self) -> str:
        """``0003of0008``: the chunk in file names."""
        return f"{self.index:04d}of{self.count:04d}"

    def select(self, rows: Sequence[Any]) -> list[Any]:
        """Every ``count``-th item from ``index`` on."""
        return list(rows[self.index :: self.count])


def marker(folder: Path, chunk: Chunk) -> Path:
    """The file that says ``chunk`` of the stage in ``folder`` finished."""
    return folder / CHUNKS_DIR / f"{chunk.name}.json"


def done_chunks(folder: Path, count: int, digest: str) -> set[int]:
    """The chunks of ``count`` whose rows are all done with the stage's current hash."""
    manifest = RunDir(folder).read_manifest() or {}
    if manifest.get("config_hash") != digest:  # markers of other params are cleared on start
        return set()
    return {index for index in range(count) if marker(folder, Chunk(index, count)).is_file()}


@contextmanager
def stage_lock(folder: Path) -> Iterator[None]:
    """Hold the stage folder's lock (its set-up is one task's at a time)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / LOCK_NAME).open("a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


class _ChunkRun(_StageRun):
    """One chunk of one row stage, beside the stage's other chunks."""

    def __init__(self, *args: Any, chunk: Chunk) -> None:
        super().__init__(*args)
        self.chunk = chunk
        self.part = f"c{chunk.name}-"
        self.keys: set[str] = set()

    def run(self, executor: Executor, progress: StageProgress | None) -> StageSummary:
        started = time.monotonic()
        with stage_lock(self.folder):  # the first chunk to start clears rows of old params
            _, state = self.open_folder()
        if state.value == "complete":
            return self._summary("skipped", [], 0, started)
        stage = self.params.build()
        if not isinstance(stage, RowStage):
            raise ConfigError(
                f"stage {self.name!r} ({self.params.kind}) takes whole tables: it has no chunks",
                subject="--chunk",
                hint="run it without --chunk",
            )
        ran = self._run_rows(stage, executor, progress)
        rows = [row for row in read_rows(self.folder) if str(row[INPUT_KEY]) in self.keys]
        state_name = "ran" if ran == len(self.keys) else "resumed"
        summary = self._summary(state_name, rows, ran, started)
        write_json(
            marker(self.folder, self.chunk),
            {
                "config_hash": self.digest,
                "chunk": f"{self.chunk.index}/{self.chunk.count}",
                "input_rows": len(self.keys),
                "rows": summary.rows,
                "failed": summary.failed,
                "ran_rows": ran,
                "host": socket.gethostname(),
                "finished_at": datetime.now(UTC).isoformat(),
            },
        )
        return summary

    def _input_rows(self, stage: RowStage) -> Sequence[Row]:
        rows = self.chunk.select(super()._input_rows(stage))
        self.keys = {str(row[KEY]) for row in rows}
        return rows


def run_chunk(
    spec: PipelineSpec,
    only_stage: int,
    chunk: Chunk,
    *,
    executor: Executor | None = None,
    progress: StageProgress | None = None,
) -> StageSummary:
    """Run chunk ``chunk`` of stage ``only_stage``'s rows (see the module docstring).

    Raises:
        ConfigError: No such stage, a stage without chunks (a table stage), or an input
            stage not finished with its current params.
    """
    names = spec.names()
    if not 0 <= only_stage < len(names):
        raise ConfigError(
            f"there is no stage {only_stage}",
            subject="--only-stage",
            hint=f"stages are 0 to {len(names) - 1}",
        )
    hashes = dict(zip(names, stage_hashes(spec), strict=True))
    folders = {name: spec.root / name for name in names}
    for upstream in spec.inputs_of(only_stage):
        if not is_complete(folders[upstream], hashes[upstream]):
            raise ConfigError(
                f"stage {names[only_stage]!r} reads {upstream!r}, which has not finished "
                "with its current params",
                subject=folders[upstream],
                hint=f"run it first: --only-stage {names.index(upstream)}",
            )
    run = _ChunkRun(spec, only_stage, hashes, folders, False, chunk=chunk)
    return run.run(executor or LocalExecutor(), progress)
