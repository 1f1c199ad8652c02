"""The stage chain: stages run in YAML order, each on the batch and the results so far.

Each stage gets the frames and every earlier stage's output, so stages cascade: YOLO finds
boxes, OCR reads them; a tagger's tags can steer a later detector, whose boxes a segmenter
masks. Stages are built from the YAML's ``detectors`` list through the one registry,
:data:`framewise.config.detectors.DETECTOR_CONFIGS` (kind → config class, whose ``stage``
names its factory). A kind defined outside framewise (a plugin, a test) passes its factory
to :func:`build_chain` through ``factories``.

Example:
    >>> chain = build_chain(config.detectors)  # doctest: +SKIP
    >>> outputs = chain.run(batch)  # one FrameOutput per frame  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from framewise.config.detectors import StageConfig
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import ClassAware, Stage, Stateful

StageFactory = Callable[[Any], Stage]
"""Builds a stage from its configuration (an instance of the kind's config class)."""

NO_FACTORIES: Mapping[str, StageFactory] = MappingProxyType({})


@dataclass
class DetectorChain:
    """The stages of a pipeline, run in order on each batch.

    Attributes:
        stages: The stages, in YAML order.
        model_version: The stem of the first stage's model file (for the log's metadata).
    """

    stages: list[Stage] = field(default_factory=list)
    model_version: str = ""

    def run(
        self, batch: Sequence[Frame], results: Sequence[FrameOutput] | None = None
    ) -> list[FrameOutput]:
        """One :class:`FrameOutput` per frame of ``batch``: every stage's additions.

        Args:
            batch: The frames.
            results: What is already known about them (default: nothing).
        """
        outputs = (
            [FrameOutput.empty(frame.source_id) for frame in batch]
            if results is None
            else list(results)
        )
        for stage in self.stages:
            outputs = stage.detect(batch, outputs)
            if len(outputs) != len(batch):
                raise ValueError(
                    f"stage {stage.name!r} returned {len(outputs)} results for {len(batch)} frames"
                )
        return outputs

    def detect(self, batch: Sequence[Frame]) -> list[Detections]:
        """One :class:`Detections` per frame of ``batch`` (:meth:`run` without the rest)."""
        return [output.detections for output in self.run(batch)]

    def state_since(self, seconds: float) -> float:
        """The earliest time whose frames decide the stages' outputs from ``seconds`` on."""
        return min(
            [stage.state_since(seconds) for stage in self.stages if isinstance(stage, Stateful)],
            default=seconds,
        )

    def tunable(self) -> list[Stage]:
        """The stages that have thresholds to tune while running."""
        return [stage for stage in self.stages if stage.thresholds()]

    def class_names(self) -> list[str]:
        """Every class name the stages may give boxes, first stage first, each once."""
        return list(dict.fromkeys(name for stage in self.stages for name in stage.class_names))

    def close(self) -> None:
        """Close every stage (each once, the rest even if one fails)."""
        errors: list[BaseException] = []
        for stage in self.stages:
            try:
                stage.close()
            except BaseException as error:
                errors.append(error)
        if errors:
            raise errors[0]


def stage_factory(
    config: StageConfig, factories: Mapping[str, StageFactory] = NO_FACTORIES
) -> StageFactory:
    """The factory of ``config``'s kind: from ``factories``, else its class's ``stage``.

    Raises:
        ConfigError: The kind names no factory, or the one it names cannot be imported.
    """
    if config.kind in factories:
        return factories[config.kind]
    reference = type(config).stage
    module_name, _, attribute = reference.partition(":")
    try:
        factory = getattr(importlib.import_module(module_name), attribute) if attribute else None
    except (ImportError, AttributeError):
        factory = None
    if not callable(factory):
        raise ConfigError(
            f"stage kind {config.kind!r} has no factory (its config names {reference!r})",
            subject=f"detectors[{config.name or config.kind}]",
            hint="set `stage = 'module:function'` on its config class, or pass factories=",
        )
    built: StageFactory = factory
    return built


def build_stage(config: StageConfig, factories: Mapping[str, StageFactory] = NO_FACTORIES) -> Stage:
    """Build the stage ``config`` describes (see :func:`stage_factory`)."""
    return stage_factory(config, factories)(config)


def build_chain(
    configs: Sequence[StageConfig],
    *,
    confidence: float | None = None,
    factories: Mapping[str, StageFactory] = NO_FACTORIES,
) -> DetectorChain:
    """Build the chain described by the YAML's ``detectors`` list.

    Args:
        configs: The stage entries, in order.
        confidence: Overrides the ``confidence`` of every stage config that has one
            (``--confidence-threshold``).
        factories: Stage kind → factory, for kinds defined outside framewise; it takes
            precedence over the config class's ``stage``.
    """
    chain = DetectorChain()
    try:
        for config in configs:
            if confidence is not None and "confidence" in type(config).model_fields:
                config = config.model_copy(update={"confidence": confidence})  # noqa: PLW2901
            stage = build_stage(config, factories)
            if isinstance(stage, ClassAware):  # ids as the first earlier stage with it numbers
                ids = {n: i for s in reversed(chain.stages) for i, n in enumerate(s.class_names)}
                stage.know_classes(ids)
            chain.stages.append(stage)
            model = config.model_path()
            if model is not None and not chain.model_version:
                chain.model_version = model.stem
    except BaseException:
        chain.close()
        raise
    return chain
