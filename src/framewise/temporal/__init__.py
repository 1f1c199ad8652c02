"""Temporal logic, pure and stateful over time: filters, tracking, episodes, state machine.

Every class here has ``update(...)`` (one sampled frame, or one batch of episodes) and
``flush()`` (end of stream), takes times in seconds, and does no I/O. The pipeline runner
uses :class:`EventEngine`, which chains the episode filter and the state machine and
releases records in time order::

    engine = EventEngine.from_config(pipeline_config)
    for frame, detections in zip(frames, detections_per_frame):
        records = engine.update(frame.seconds, detections)   # write them
    records = engine.flush()                                 # and the rest
"""

from framewise.temporal.engine import EventEngine, episode_record
from framewise.temporal.episodes import Episode, EpisodeFilter, EpisodeRule, LiveTrack
from framewise.temporal.filters import (
    ConfirmationFilter,
    HysteresisFilter,
    HysteresisUpdate,
    Span,
    long_enough,
)
from framewise.temporal.observations import (
    Box,
    FieldReading,
    FieldValue,
    FieldVotes,
    Observation,
    iou,
    observations_from_detections,
)
from framewise.temporal.state_machine import Anomaly, EventRecord, StateMachine
from framewise.temporal.tracker import IouTracker

__all__ = [
    "Anomaly",
    "Box",
    "ConfirmationFilter",
    "Episode",
    "EpisodeFilter",
    "EpisodeRule",
    "EventEngine",
    "EventRecord",
    "FieldReading",
    "FieldValue",
    "FieldVotes",
    "HysteresisFilter",
    "HysteresisUpdate",
    "IouTracker",
    "LiveTrack",
    "Observation",
    "Span",
    "StateMachine",
    "episode_record",
    "iou",
    "long_enough",
    "observations_from_detections",
]
