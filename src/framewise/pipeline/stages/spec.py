"""The pipeline YAML of the stage runner: a root folder, a seed and a list of stages.

::

    root: runs/w4            # stage folders go here (relative to this file)
    seed: 0                  # every row's seed derives from it
    chunk_rows: 32
    stages:
      - kind: index
        videos: videos/
        labels: labels.csv
      - kind: augment
        count: 4

Each stage's ``kind`` picks its params model from a registry (default
:data:`framewise.pipeline.stages.params.STAGE_PARAMS`); the file is validated with line
numbers through :func:`framewise.config.loader.load_config`.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Union

from pydantic import Field, create_model, model_validator

from framewise.config.base import ConfigPath, StrictModel
from framewise.config.loader import load_config
from framewise.core.errors import ConfigError
from framewise.pipeline.stages.base import StageParams


class PipelineSpec(StrictModel):
    """A validated stage pipeline (see the module docstring).

    Attributes:
        root: Folder of the stage folders.
        seed: The global seed.
        chunk_rows: Rows per Parquet chunk.
        chunk_seconds: A chunk is written at least this often.
        csv: Also write each finished stage's table as ``table.csv`` (lists as JSON).
        stages: The stages, in run order.
    """

    root: ConfigPath
    seed: int = 0
    chunk_rows: int = Field(default=32, ge=1)
    chunk_seconds: float = Field(default=30.0, gt=0)
    csv: bool = False
    stages: list[StageParams] = Field(min_length=1)

    @model_validator(mode="after")
    def _inputs_known(self) -> PipelineSpec:
        names: list[str] = []
        for position, stage in enumerate(self.stages):
            name = stage_name(position, stage)
            if name in names:
                raise ValueError(f"two stages are named {name!r}: give one another name:")
            for wanted in stage.inputs or ():
                if wanted not in names:
                    raise ValueError(
                        f"stage {name!r} reads {wanted!r}, which is not a stage before it "
                        f"(stages before it: {', '.join(names) or 'none'})"
                    )
            names.append(name)
        return self

    def names(self) -> list[str]:
        """Every stage's name, in order."""
        return [stage_name(i, stage) for i, stage in enumerate(self.stages)]

    def inputs_of(self, position: int) -> tuple[str, ...]:
        """The names of the stages the stage at ``position`` reads."""
        stage = self.stages[position]
        if stage.inputs is not None:
            return stage.inputs
        return (self.names()[position - 1],) if position else ()


def stage_name(position: int, stage: StageParams) -> str:
    """A stage's name: its own, or ``NN_kind``."""
    return stage.name or f"{position:02d}_{stage.kind}"


@functools.cache
def _model(kinds: tuple[tuple[str, type[StageParams]], ...]) -> type[PipelineSpec]:
    classes = tuple(cls for _, cls in kinds)
    if TYPE_CHECKING:
        union: Any = StageParams
    else:
        union = Annotated[Union[classes], Field(discriminator="kind")]  # noqa: UP007
    model: type[PipelineSpec] = create_model(
        "PipelineSpec", __base__=PipelineSpec, stages=(list[union], Field(min_length=1))
    )
    return model


def pipeline_model(registry: Mapping[str, type[StageParams]]) -> type[PipelineSpec]:
    """The pipeline model whose stages are the kinds of ``registry``."""
    if not registry:
        raise ConfigError("no stage kinds registered", hint="pass a registry with kinds")
    return _model(tuple(sorted(registry.items())))


def load_pipeline(
    path: str | Path, registry: Mapping[str, type[StageParams]] | None = None
) -> PipelineSpec:
    """Read and validate a pipeline YAML.

    Raises:
        ConfigError: The file is missing or invalid (the message names the line).
    """
    if registry is None:
        from framewise.pipeline.stages.params import STAGE_PARAMS

        registry = STAGE_PARAMS
    return load_config(path, pipeline_model(registry))
