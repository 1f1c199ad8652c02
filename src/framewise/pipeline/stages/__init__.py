"""The stage runner: resumable, chunked, seeded stages over tables of rows (workflow W4).

A pipeline YAML lists stages; each maps rows of an input table to files plus rows of its own
Parquet table (row stages), or whole tables to one (table stages: training, reports). See
:mod:`framewise.pipeline.stages.runner` for resume and re-run rules, and
:mod:`framewise.pipeline.stages.params` for the built-in kinds.

Example:
    >>> from framewise.pipeline.stages import load_pipeline, run_pipeline  # doctest: +SKIP
    >>> run_pipeline(load_pipeline("w4.yaml"), from_stage=2)  # doctest: +SKIP
"""

from framewise.pipeline.stages.base import (
    Row,
    RowContext,
    RowStage,
    StageParams,
    TableContext,
    TableStage,
    row_seed,
)
from framewise.pipeline.stages.executors import EXECUTORS, Executor, LocalExecutor, make_executor
from framewise.pipeline.stages.runner import StageProgress, StageSummary, run_pipeline
from framewise.pipeline.stages.spec import PipelineSpec, load_pipeline, pipeline_model
from framewise.pipeline.stages.status import StageStatus, pipeline_status
from framewise.pipeline.stages.table import read_rows

__all__ = [
    "EXECUTORS",
    "Executor",
    "LocalExecutor",
    "PipelineSpec",
    "Row",
    "RowContext",
    "RowStage",
    "StageParams",
    "StageProgress",
    "StageStatus",
    "StageSummary",
    "TableContext",
    "TableStage",
    "load_pipeline",
    "make_executor",
    "pipeline_model",
    "pipeline_status",
    "read_rows",
    "row_seed",
    "run_pipeline",
]
