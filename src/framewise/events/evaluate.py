"""Legacy import path of the event scores: re-exports :mod:`framewise.eval.events`."""

from framewise.eval.events import (
    IGNORED_TYPES,
    EvalReport,
    FieldScore,
    TypeScore,
    evaluate,
    match_events,
    read_events,
)

__all__ = [
    "IGNORED_TYPES",
    "EvalReport",
    "FieldScore",
    "TypeScore",
    "evaluate",
    "match_events",
    "read_events",
]
