"""Where each stage of a pipeline stands, read from its folder without running anything.

Example:
    >>> for stage in pipeline_status(load_pipeline("w4.yaml")):  # doctest: +SKIP
    ...     print(stage.name, stage.state, stage.rows, stage.failed)
"""

from __future__ import annotations

from dataclasses import dataclass

from framewise.pipeline.rundir import RunDir
from framewise.pipeline.stages.runner import stage_hashes
from framewise.pipeline.stages.spec import PipelineSpec
from framewise.pipeline.stages.table import failures, read_rows


@dataclass(frozen=True)
class StageStatus:
    """One stage's state.

    Attributes:
        position: Its number (``--only-stage``).
        name: Its name (and folder).
        kind: Its kind.
        state: ``complete``, ``partial`` (interrupted), ``stale`` (made with other params
            or inputs: it runs again) or ``not started``.
        rows: Rows in its table (failures not counted).
        failed: Failed input rows.
    """

    position: int
    name: str
    kind: str
    state: str
    rows: int
    failed: int


def pipeline_status(spec: PipelineSpec) -> list[StageStatus]:
    """Every stage's :class:`StageStatus`, in order."""
    statuses = []
    for position, (name, digest) in enumerate(zip(spec.names(), stage_hashes(spec), strict=True)):
        folder = spec.root / name
        manifest = RunDir(folder).read_manifest()
        if manifest is None:
            state = "not started"
        elif manifest.get("config_hash") != digest:
            state = "stale"
        else:
            state = "complete" if manifest.get("status") == "complete" else "partial"
        rows = read_rows(folder) if state in {"complete", "partial"} else []
        failed = len(failures(rows))
        kind = spec.stages[position].kind
        statuses.append(StageStatus(position, name, kind, state, len(rows) - failed, failed))
    return statuses
