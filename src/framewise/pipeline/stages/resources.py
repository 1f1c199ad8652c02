"""What a stage asks a cluster scheduler for: CPUs, memory, GPUs, time, partition, chunks.

A stage's optional ``resources:`` block in the pipeline YAML; a scheduler's submit command
(:mod:`framewise.pipeline.stages.slurm`) fills what a stage leaves out from its own flags.
Resources change where and how fast a stage runs, never its rows, so they are left out of
the stage's hash (changing them never re-runs a finished stage)::

    - kind: train
      resources: {cpus: 8, mem: 32G, gpus: 1, time: "04:00:00", partition: gpu}
    - kind: features
      resources: {cpus: 2, mem: 4G, chunks: 16}
"""

from __future__ import annotations

from pydantic import Field

from framewise.config.base import StrictModel

MEMORY_PATTERN = r"^[0-9]+[KMGT]?$"
"""SLURM's ``--mem``: a number of megabytes, or with a unit (``500M``, ``4G``)."""

TIME_PATTERN = r"^([0-9]+-)?[0-9]+(:[0-9]{1,2}){0,2}$"
"""SLURM's ``--time``: ``minutes``, ``MM:SS``, ``HH:MM:SS`` or ``D-HH[:MM[:SS]]``."""


class StageResources(StrictModel):
    """One stage's scheduler resources; ``None`` takes the submit command's default.

    Attributes:
        cpus: CPUs per task (``--cpus-per-task``).
        mem: Memory per task (``--mem``: ``4G``, ``500M``).
        gpus: GPUs per task (``--gres=gpu:N``).
        time: Wall-time limit per task (``--time``: ``HH:MM:SS``, ``D-HH:MM``).
        partition: The partition (queue).
        chunks: Array tasks the stage's rows are split into (row stages that read a table).
    """

    cpus: int | None = Field(default=None, ge=1)
    mem: str | None = Field(default=None, pattern=MEMORY_PATTERN)
    gpus: int | None = Field(default=None, ge=0)
    time: str | None = Field(default=None, pattern=TIME_PATTERN)
    partition: str | None = Field(default=None, min_length=1)
    chunks: int | None = Field(default=None, ge=1)

    def over(self, defaults: StageResources) -> StageResources:
        """These resources, with ``defaults`` filling what they leave out."""
        mine = self.model_dump(exclude_none=True)
        return StageResources.model_validate({**defaults.model_dump(exclude_none=True), **mine})
