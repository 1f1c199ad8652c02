"""Score an event log against ground truth: recall, precision, time error, field accuracy.

Detected and true events are matched per type, one to one, within a tolerance: pairs whose
fields agree first, then the nearest in time. Field accuracy counts, over matched pairs, how
often a field the truth sets has the same value in the detection (strings compared without
case or surrounding space).

Example:
    >>> report = evaluate(detected_events, true_events, tolerance=2.0)  # doctest: +SKIP
    >>> report.types["kill"].recall  # doctest: +SKIP
    0.97
"""

from __future__ import annotations

import json
import statistics
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.core.events import Event, JsonValue
from framewise.core.jsonfile import location
from framewise.events.log import read_event_log

IGNORED_TYPES = frozenset({"anomaly"})
"""Types that are review aids, not events: never scored."""

SYNTH_TRUTH_FORMAT = "framewise-synth-groundtruth"
"""``format`` of the ground truth ``framewise synth`` writes (``synth.groundtruth.FORMAT``:
eval never imports the renderer, so the value is repeated here and a test keeps them equal)."""
SYNTH_TRUTH_NEWEST = 2
"""The newest ``schema_version`` of that ground truth (``GROUNDTRUTH_SCHEMA_VERSION``)."""
TRUTH_FORMATS = (
    "an event log (`framewise process`, reviewed or not) or the .groundtruth.json "
    "`framewise synth` wrote (format 'framewise-synth-groundtruth')"
)
"""What ``framewise eval`` takes as ground truth, as its messages say it."""


class GroundTruthError(InputError, ConfigError):
    """A ground-truth file eval cannot score against (exit 3, as any unusable input).

    A :class:`ConfigError` too only because the old reader raised that, and callers that
    catch it must keep working.
    """

    exit_code = InputError.exit_code


class _SynthTruth(BaseModel):
    """The part of a synth ground truth eval reads (the boxes are OCR's business)."""

    model_config = ConfigDict(extra="ignore")

    format: Literal["framewise-synth-groundtruth"]
    schema_version: int = Field(ge=1, le=SYNTH_TRUTH_NEWEST)
    events: list[Event]


@dataclass
class TypeScore:
    """Scores of one event type."""

    truth: int = 0
    detected: int = 0
    matched: int = 0

    @property
    def recall(self) -> float:
        """Matched ÷ true events (1.0 when there are none)."""
        return self.matched / self.truth if self.truth else 1.0

    @property
    def precision(self) -> float:
        """Matched ÷ detected events (1.0 when there are none)."""
        return self.matched / self.detected if self.detected else 1.0


@dataclass
class FieldScore:
    """How often one field was right over matched pairs."""

    compared: int = 0
    correct: int = 0
    wrong: list[tuple[JsonValue, JsonValue]] = field(default_factory=list)

    @property
    def accuracy(self) -> float:
        """Correct ÷ compared (1.0 when nothing was compared)."""
        return self.correct / self.compared if self.compared else 1.0


@dataclass
class EvalReport:
    """The whole evaluation."""

    tolerance: float
    types: dict[str, TypeScore]
    fields: dict[str, FieldScore]
    time_errors: list[float]

    def overall(self) -> TypeScore:
        """All types together."""
        total = TypeScore()
        for score in self.types.values():
            total.truth += score.truth
            total.detected += score.detected
            total.matched += score.matched
        return total

    def f1(self) -> float:
        """Harmonic mean of overall recall and precision: one figure to rank models by."""
        total = self.overall()
        both = total.recall + total.precision
        return 2 * total.recall * total.precision / both if both else 0.0

    @classmethod
    def combined(cls, reports: list[EvalReport]) -> EvalReport:
        """Several sessions' reports as one (counts add up; errors pool)."""
        merged = cls(reports[0].tolerance if reports else 0.0, {}, {}, [])
        for report in reports:
            for kind, score in report.types.items():
                into = merged.types.setdefault(kind, TypeScore())
                into.truth += score.truth
                into.detected += score.detected
                into.matched += score.matched
            for name, got in report.fields.items():
                field_into = merged.fields.setdefault(name, FieldScore())
                field_into.compared += got.compared
                field_into.correct += got.correct
                field_into.wrong += got.wrong
            merged.time_errors += report.time_errors
        return merged

    def time_error(self) -> dict[str, float]:
        """Median, p95 and max absolute time error of matched events, in seconds."""
        errors = sorted(self.time_errors)
        if not errors:
            return {"median": 0.0, "p95": 0.0, "max": 0.0}
        p95 = errors[min(len(errors) - 1, round(0.95 * (len(errors) - 1)))]
        return {"median": statistics.median(errors), "p95": p95, "max": errors[-1]}

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready report (``framewise eval --json``)."""
        overall = self.overall()
        return {
            "tolerance_seconds": self.tolerance,
            "overall": {
                "truth": overall.truth,
                "detected": overall.detected,
                "matched": overall.matched,
                "recall": overall.recall,
                "precision": overall.precision,
            },
            "types": {
                t: {**asdict(s), "recall": s.recall, "precision": s.precision}
                for t, s in sorted(self.types.items())
            },
            "time_error_seconds": self.time_error(),
            "fields": {
                f: {
                    "compared": s.compared,
                    "correct": s.correct,
                    "accuracy": s.accuracy,
                    "wrong_examples": s.wrong[:5],
                }
                for f, s in sorted(self.fields.items())
            },
        }


def _same(truth: JsonValue, found: JsonValue) -> bool:
    if isinstance(truth, str) and isinstance(found, str):
        return truth.strip().casefold() == found.strip().casefold()
    return truth == found


def evaluate(
    detected: Sequence[Event],
    truth: Sequence[Event],
    *,
    tolerance: float = 2.0,
    fields: Sequence[str] | None = None,
) -> EvalReport:
    """Match ``detected`` to ``truth`` and score them.

    Args:
        detected: Events from a log.
        truth: True events.
        tolerance: Largest time difference, in seconds, for a match.
        fields: Data fields to score (default: every field the truth sets, except
            ``from_state``/``to_state``, which the event type and time already cover).
    """
    types: dict[str, TypeScore] = {}
    scores: dict[str, FieldScore] = {}
    errors: list[float] = []
    kinds = {e.type for e in [*detected, *truth]} - IGNORED_TYPES
    pairs = match_events(detected, truth, tolerance=tolerance)
    for found, true in pairs:
        errors.append(abs(found.video_offset_seconds - true.video_offset_seconds))
        for name, value in true.data.items():
            if (fields is None and name in ("from_state", "to_state")) or (
                fields is not None and name not in fields
            ):
                continue
            score = scores.setdefault(name, FieldScore())
            score.compared += 1
            got = found.data.get(name)
            if _same(value, got):
                score.correct += 1
            else:
                score.wrong.append((value, got))
    for kind in sorted(kinds):
        matched = sum(1 for _, true in pairs if true.type == kind)
        types[kind] = TypeScore(
            sum(1 for e in truth if e.type == kind),
            sum(1 for e in detected if e.type == kind),
            matched,
        )
    return EvalReport(tolerance, types, scores, errors)


def match_events(
    detected: Sequence[Event], truth: Sequence[Event], *, tolerance: float = 2.0
) -> list[tuple[Event, Event]]:
    """Pairs ``(detected, true)`` of the same type within ``tolerance``, each used once.

    Pairs whose fields agree come first, then the closest in time: two kills 1 s apart are
    paired each with its own detection even when one detection is a little late. Review aids
    (``IGNORED_TYPES``) are never paired.
    """
    matched: list[tuple[Event, Event]] = []
    kinds = {e.type for e in [*detected, *truth]} - IGNORED_TYPES
    for kind in sorted(kinds):
        found = [e for e in detected if e.type == kind]
        true = [e for e in truth if e.type == kind]
        pairs = sorted(
            (_disagreements(d, t), abs(d.video_offset_seconds - t.video_offset_seconds), i, j)
            for i, d in enumerate(found)
            for j, t in enumerate(true)
            if abs(d.video_offset_seconds - t.video_offset_seconds) <= tolerance
        )
        used_d: set[int] = set()
        used_t: set[int] = set()
        for _, _, i, j in pairs:
            if i in used_d or j in used_t:
                continue
            used_d.add(i)
            used_t.add(j)
            matched.append((found[i], true[j]))
    return matched


def _disagreements(found: Event, true: Event) -> int:
    """How many of the true event's fields the detection has otherwise."""
    return sum(not _same(value, found.data.get(name)) for name, value in true.data.items())


def read_truth(path: str | Path) -> list[Event]:
    """The true events of ``path``: an event log, or a ground truth ``framewise synth`` wrote.

    Raises:
        InputNotFoundError: No such file.
        EventLogError: An event log (it has ``metadata``, ``schema_version`` or ``events``)
            that cannot be read, e.g. a schema version newer than this framewise.
        GroundTruthError: Not JSON, a synth ground truth that does not validate, or another
            format (the message names the two eval takes).
    """
    file = Path(path)
    if not file.is_file():
        raise InputNotFoundError("no such ground truth", subject=file, hint=f"pass {TRUTH_FORMATS}")
    try:
        payload = json.loads(file.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:  # replacing the bytes would score mangled fields
        raise GroundTruthError(
            f"not UTF-8 text (byte {exc.start})", subject=file, hint=f"pass {TRUTH_FORMATS}"
        ) from None
    except json.JSONDecodeError as exc:
        raise GroundTruthError(
            f"not valid JSON (line {exc.lineno}: {exc.msg})",
            subject=file,
            hint=f"pass {TRUTH_FORMATS}",
        ) from None
    except OSError as exc:
        raise GroundTruthError(f"cannot read: {exc.strerror}", subject=file) from None
    if isinstance(payload, dict) and payload.get("format") == SYNTH_TRUTH_FORMAT:
        try:
            return _SynthTruth.model_validate(payload).events
        except ValidationError as exc:
            first = exc.errors()[0]
            raise GroundTruthError(
                f"not a valid synth ground truth ({location(tuple(first['loc']))}: {first['msg']})",
                subject=file,
                hint="render it again with `framewise synth`, or upgrade framewise",
            ) from None
    if isinstance(payload, dict) and {"metadata", "schema_version", "events"} & payload.keys():
        return read_event_log(file).events
    raise GroundTruthError(
        f"not a ground truth eval can score ({_what_it_is(payload)})",
        subject=file,
        hint=f"pass {TRUTH_FORMATS}",
    )


def _what_it_is(payload: Any) -> str:
    """What a JSON file that is no ground truth looks like, for the one-line message."""
    if not isinstance(payload, dict):
        return f"a JSON {type(payload).__name__}, not an object"
    if "format" in payload:
        named = str(payload["format"])
        return f"its format is {named[:40] + '…' if len(named) > 40 else named!r}"
    return "no 'metadata' of an event log, no 'format' of a synth ground truth"


def read_events(path: str | Path) -> list[Event]:
    """The events of an event log or a synth ground truth (:func:`read_truth`, validated).

    Kept for callers that read either; ``framewise eval`` reads the log to score with
    :func:`framewise.events.log.read_event_log` and its truth with :func:`read_truth`.
    """
    return read_truth(path)
