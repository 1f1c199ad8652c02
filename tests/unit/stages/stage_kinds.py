"""Small real stage kinds for the runner's tests: numbers in, numbers and files out."""

from __future__ import annotations

import os
import signal
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, ClassVar, Literal

import numpy as np

from framewise.core.atomic import write_text
from framewise.pipeline.stages import Row, RowContext, StageParams, TableContext


class SquareParams(StageParams):
    kind: Literal["square"] = "square"
    n: int = 10
    fail_keys: tuple[str, ...] = ()
    kill_at: int | None = None
    marker: str | None = None
    factory: ClassVar[str] = "tests.unit.stages.stage_kinds:SquareStage"


class SquareStage:
    """Source rows r000..; each writes a file and draws a seeded number."""

    def __init__(self, params: SquareParams) -> None:
        self.params = params

    def source_rows(self) -> Sequence[Row] | None:
        return [{"key": f"r{i:03d}", "i": i} for i in range(self.params.n)]

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        i = int(row["i"])
        if row["key"] in self.params.fail_keys:
            raise ValueError(f"bad row {i}")
        marker = Path(self.params.marker) if self.params.marker else None
        if self.params.kill_at == i and marker is not None and not marker.exists():
            marker.write_text("killed")
            os.kill(os.getpid(), signal.SIGKILL)
        draw = float(np.random.default_rng(ctx.seed).random())
        path = ctx.output_path(".txt")
        write_text(path, f"{i * i}\n")
        return [{"square": i * i, "draw": draw, "file": ctx.relative(path)}]


class AddParams(StageParams):
    kind: Literal["add"] = "add"
    offset: int = 1
    copies: int = 1
    factory: ClassVar[str] = "tests.unit.stages.stage_kinds:AddStage"


class AddStage:
    """Reads its input's ``square``; one output row per copy."""

    def __init__(self, params: AddParams) -> None:
        self.params = params

    def source_rows(self) -> Sequence[Row] | None:
        return None

    def run_row(self, row: Mapping[str, Any], ctx: RowContext) -> list[Row]:
        return [
            {"key": f"{ctx.key}/c{c}", "added": int(row["square"]) + self.params.offset + c}
            for c in range(self.params.copies)
        ]


class TotalParams(StageParams):
    kind: Literal["total"] = "total"
    factory: ClassVar[str] = "tests.unit.stages.stage_kinds:TotalStage"


class TotalStage:
    """A table stage: the sum of every input's ``added``."""

    def __init__(self, params: TotalParams) -> None:
        self.params = params

    def run_table(self, tables: Mapping[str, list[Row]], ctx: TableContext) -> list[Row]:
        total = sum(int(row["added"]) for rows in tables.values() for row in rows)
        write_text(ctx.folder / "total.txt", f"{total}\n")
        return [{"key": "total", "total": total}]


TEST_KINDS: Mapping[str, type[StageParams]] = MappingProxyType(
    {"square": SquareParams, "add": AddParams, "total": TotalParams}
)
