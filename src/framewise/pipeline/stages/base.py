"""What a stage is: validated params, a row or table implementation, and the context it runs in.

A **row stage** maps one input row to files written under its folder plus zero or more
output rows; it is a pure function of the row, the stage's params and a per-row seed, so a
rerun anywhere writes the same rows. A **table stage** (training, a report) takes whole
tables and returns a table. Each stage kind is one :class:`StageParams` subclass (its
``kind`` a one-value ``Literal``) and one registry entry
(:data:`framewise.pipeline.stages.params.STAGE_PARAMS`); its params name the implementation
as ``"module:attribute"``, resolved only when the stage runs, so reading a pipeline YAML
never imports torch or scikit-learn.

Example:
    >>> class Double(StageParams):  # doctest: +SKIP
    ...     kind: Literal["double"] = "double"
    ...     factory: ClassVar[str] = "mypkg.stages:DoubleStage"
"""

from __future__ import annotations

import hashlib
import importlib
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, ClassVar, Protocol, runtime_checkable

from pydantic import Field

from framewise.config.base import StrictModel
from framewise.core.errors import ConfigError
from framewise.pipeline.stages.resources import StageResources

Row = dict[str, Any]
"""One row of a stage table: column name → a scalar, a string or a list of numbers."""

KEY = "key"
INPUT_KEY = "input_key"
ERROR = "error"
RESERVED = (KEY, INPUT_KEY, ERROR)
"""Columns the runner owns: the row's key, the input row it came from, its failure."""

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_name(key: str) -> str:
    """A file-name-safe form of a row key (``a/b c`` → ``a_b_c``), unique by a short hash."""
    digest = hashlib.sha256(key.encode()).hexdigest()[:8]
    return f"{_UNSAFE.sub('_', key).strip('_')[-80:]}-{digest}"


def row_seed(global_seed: int, stage: str, key: str) -> int:
    """The seed of one row: a hash of the global seed, the stage and the row's key.

    It depends on nothing else (not the row's position, the worker or the machine), so a
    rerun of one row anywhere draws the same random numbers.
    """
    text = f"{global_seed}:{stage}:{key}"
    return int.from_bytes(hashlib.sha256(text.encode()).digest()[:4], "big")


class StageParams(StrictModel):
    """Base of every stage kind's params.

    Attributes:
        kind: The stage kind (a one-value ``Literal`` in each subclass).
        name: The stage's name and folder (default ``NN_kind``, NN its position).
        inputs: Names of the stages whose tables it reads (default: the stage before it).
        resources: What it asks a cluster scheduler for (``stages submit``); not hashed.
    """

    kind: str
    name: str | None = None
    inputs: tuple[str, ...] | None = None
    # Where a stage runs never changes its rows: speed-only, so left out of its hash.
    resources: StageResources | None = Field(default=None, json_schema_extra={"speed_only": True})

    factory: ClassVar[str] = ""
    """``"module:attribute"`` of a callable that takes these params and returns the stage."""

    def build(self) -> RowStage | TableStage:
        """The stage implementation these params describe.

        Raises:
            ConfigError: The factory cannot be imported (e.g. a missing optional extra).
        """
        module_name, _, attribute = self.factory.partition(":")
        try:
            module = importlib.import_module(module_name)
        except ImportError as exc:
            raise ConfigError(
                f"stage kind {self.kind!r} cannot be loaded: {exc}",
                subject=self.factory,
                hint="install the extra it needs (e.g. `pip install framewise[classify,train]`)",
            ) from None
        maker = getattr(module, attribute)
        stage: RowStage | TableStage = maker(self)
        return stage

    def params_hash(self) -> str:
        """SHA-256 of the params (every default filled in), the stage's name excluded."""
        data = self.model_dump(mode="json", exclude={"name"})
        text = json.dumps(data, sort_keys=True, separators=(",", ":"), default=str)
        return hashlib.sha256(text.encode()).hexdigest()


@dataclass(frozen=True)
class RowContext:
    """Where and how one row runs.

    Attributes:
        key: The input row's key.
        seed: The row's seed (:func:`row_seed`).
        root: The pipeline's root folder (paths in tables are relative to it).
        folder: The stage's files folder (under ``root``).
    """

    key: str
    seed: int
    root: Path
    folder: Path

    def output_path(self, suffix: str, tag: str = "") -> Path:
        """A file for this row in the stage's folder: ``<safe key><tag><suffix>``."""
        return self.folder / f"{safe_name(self.key)}{tag}{suffix}"

    def relative(self, path: Path) -> str:
        """``path`` as written in a table: relative to the root when under it."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def resolve(self, value: str) -> Path:
        """A path read from a table, made absolute against the root."""
        path = Path(value)
        return path if path.is_absolute() else self.root / path


@dataclass(frozen=True)
class TableContext:
    """Where a table stage runs: the root, its folder and the global seed."""

    root: Path
    folder: Path
    seed: int

    def resolve(self, value: str) -> Path:
        """A path read from a table, made absolute against the root."""
        path = Path(value)
        return path if path.is_absolute() else self.root / path


@runtime_checkable
class RowStage(Protocol):
    """A stage that maps each input row to files and output rows."""

    def source_rows(self) -> Sequence[Row] | None:
        """The stage's own input rows (each with a ``key``), or ``None`` to read its input."""
        ...

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        """Process one row: write its files under ``ctx.folder``, return its output rows.

        Each output row has a unique ``key``; the input row's other columns are carried
        into it unless it sets them. Raising marks the row failed; the stage goes on.
        """
        ...


@runtime_checkable
class TableStage(Protocol):
    """A stage that turns whole tables into one (training, a report)."""

    def run_table(self, tables: Mapping[str, list[Row]], ctx: TableContext) -> list[Row]:
        """Read the input tables (by stage name), write files under ``ctx.folder``."""
        ...
