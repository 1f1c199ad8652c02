"""Thresholds that ``POST /config`` changes while the pipeline runs.

Two kinds, applied between two frames:

* stage thresholds (``confidence``, ``iou`` of every stage whose
  :meth:`~framewise.detectors.base.Stage.thresholds` has them, e.g. ``yolo_onnx``) take
  effect at the next frame and touch no temporal state;
* filter settings (``filters[i]``: ``min_confidence``, ``hits``, ``period_seconds`` (the
  confirmation period: raise it to the real frame interval when the machine cannot keep up
  with ``detection_fps``), ``hold_seconds``, ``min_duration_seconds``) rebuild the episode
  filter: the old one is flushed first (what is on screen is closed and reported), and the
  state machine carries over, so the game state (in raid, map) is kept. A notification on
  screen at that moment may be reported again by the new filter.

Example:
    >>> body = {"confidence": 0.4, "filters": [{"index": 0, "hits": 2}]}
    >>> ThresholdUpdate.model_validate(body).touches_filters
    True
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from framewise.config.pipeline import EpisodeFilterConfig, PipelineConfig
from framewise.core.errors import ConfigError
from framewise.pipeline.chain import DetectorChain


class FilterUpdate(BaseModel):
    """New settings of the pipeline's ``filters[index]`` (unset fields keep their value).

    ``period_seconds`` is at least 1 ms, as in the YAML: a shorter one confirms nothing.
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    index: int = Field(ge=0)
    min_confidence: float | None = Field(default=None, ge=0, le=1)
    hits: int | None = Field(default=None, ge=1, le=1000)
    period_seconds: float | None = Field(default=None, ge=0.001, le=60)
    hold_seconds: float | None = Field(default=None, ge=0, le=3600)
    min_duration_seconds: float | None = Field(default=None, ge=0, le=3600)


class ThresholdUpdate(BaseModel):
    """The body of ``POST /config``; every field is optional, unknown fields are refused.

    Numbers must be finite (the body is read as strict JSON, and these models refuse NaN
    and ±Infinity when built from Python too).
    """

    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)

    confidence: float | None = Field(default=None, ge=0, le=1)
    iou: float | None = Field(default=None, gt=0, le=1)
    filters: list[FilterUpdate] = Field(default_factory=list, max_length=100)

    @property
    def touches_filters(self) -> bool:
        """Whether the episode filter must be rebuilt."""
        return any(f.model_dump(exclude={"index"}, exclude_none=True) for f in self.filters)


def apply_detectors(chain: DetectorChain, update: ThresholdUpdate) -> None:
    """Set the thresholds the update names on every stage that has them."""
    wanted = {"confidence": update.confidence, "iou": update.iou}
    changes = {k: v for k, v in wanted.items() if v is not None}
    if not changes:
        return
    for stage in chain.tunable():
        own = stage.thresholds()
        values = {k: v for k, v in changes.items() if k in own}
        if values:
            stage.set_thresholds(values)


def updated_config(config: PipelineConfig, update: ThresholdUpdate) -> PipelineConfig:
    """``config`` with the filter changes applied, validated like the YAML.

    Raises:
        ConfigError: An index names no filter, or a value breaks the filter's rules.
    """
    filters = list(config.filters)
    for change in update.filters:
        if change.index >= len(filters):
            raise ConfigError(
                f"filters[{change.index}] does not exist (the pipeline has {len(filters)})",
                subject="POST /config",
                hint="use an index from GET /config",
            )
        rule = filters[change.index].model_dump()
        if change.min_confidence is not None:
            rule["min_confidence"] = change.min_confidence
        if change.hold_seconds is not None:
            rule["hold_seconds"] = change.hold_seconds
        if change.min_duration_seconds is not None:
            rule["min_duration_seconds"] = change.min_duration_seconds
        if change.hits is not None:
            rule["confirm"]["hits"] = change.hits
        if change.period_seconds is not None:
            rule["confirm"]["period_seconds"] = change.period_seconds
        filters[change.index] = EpisodeFilterConfig.model_validate(rule)
    return config.model_copy(update={"filters": filters})


def current(chain: DetectorChain, config: PipelineConfig) -> dict[str, Any]:
    """The thresholds in force: ``GET /config``."""
    return {
        "detectors": [{"name": stage.name, **stage.thresholds()} for stage in chain.tunable()],
        "filters": [
            {
                "index": index,
                "classes": list(rule.classes),
                "min_confidence": rule.min_confidence,
                "hits": rule.confirm.hits,
                "period_seconds": config.period_seconds(rule),
                "hold_seconds": rule.hold_seconds,
                "min_duration_seconds": rule.min_duration_seconds,
            }
            for index, rule in enumerate(config.filters)
        ],
        "detection_fps": config.source.detection_fps,
    }
