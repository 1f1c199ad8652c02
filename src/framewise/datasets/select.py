"""Active learning: pick the frames most worth a reviewer's time, across many event logs.

Each event log written by ``framewise process`` has the detection journal beside it (every
sampled frame's detections). Frames are scored by uncertainty, class rarity and disagreement
with their neighbours (:mod:`framewise.datasets.select_score`), then picked greedily by score
under two diversity rules, so a queue is not N near-identical frames of one screen:

1. **time gap**: a frame is skipped when a frame already picked from the same session has the
   same class signature (the sorted set of classes detected) and lies within ``min_gap``
   seconds of it;
2. **cap**: at most ``max_per_signature`` frames per class signature over the whole queue
   (default ``ceil(budget / 4)``).

Frames scoring under ``min_score`` (default 0.05) are not candidates at all: a confident,
steady detection of a common class teaches little, and would otherwise fill a queue with
near-zero scores. Skipped near-duplicates are not used to fill the budget afterwards: the
queue may hold fewer than ``budget`` frames, and :class:`Selection` says how many were
skipped. The queue file lists the picks sorted by session, then time; ``framewise review
--queue`` opens it.

Example:
    >>> selection = select_frames([Path("runs/")], SelectOptions(budget=50))  # doctest: +SKIP
    >>> write_queue(Path("queue.json"), selection)  # doctest: +SKIP
"""

from __future__ import annotations

import math
import os
from collections import Counter, defaultdict
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.core.time import format_iso8601
from framewise.datasets.select_score import (
    DEFAULT_MIN_GAP,
    DEFAULT_MIN_SCORE,
    REASONS,
    FrameScore,
    ScoreOptions,
    class_frame_counts,
    class_rarity,
    frame_reasons,
    score_journal,
)
from framewise.events.journal import read_journal
from framewise.events.log import read_event_log
from framewise.events.sinks import JOURNAL_NAME, LOG_NAME

QUEUE_SCHEMA_VERSION = 1
QUEUE_KIND = "framewise.review_queue"
"""The queue file's ``kind``: readers refuse JSON files that are something else."""

CAP_SHARE = 0.25
"""Default cap per class signature, as a share of the budget."""


@dataclass(frozen=True)
class SelectOptions:
    """How frames are scored and picked.

    Attributes:
        budget: Frames wanted in the queue (at most).
        score: Band, weights and jump IoU of the scores.
        min_gap: Seconds between two picks of one session with the same class signature.
        max_per_signature: Picks per class signature; ``None`` means ``ceil(budget / 4)``.
        min_score: Frames scoring under this are not candidates.
    """

    budget: int
    score: ScoreOptions = field(default_factory=ScoreOptions)
    min_gap: float = DEFAULT_MIN_GAP
    max_per_signature: int | None = None
    min_score: float = DEFAULT_MIN_SCORE

    def __post_init__(self) -> None:
        if self.budget < 1:
            raise ConfigError(f"budget {self.budget} is not positive", subject="--budget")
        if self.min_gap < 0 or not math.isfinite(self.min_gap):
            raise ConfigError(f"minimum gap {self.min_gap} s is negative", subject="--min-gap")
        if not 0.0 <= self.min_score <= 1.0:
            raise ConfigError(
                f"minimum score {self.min_score} is outside 0–1", subject="--min-score"
            )
        if self.max_per_signature is not None and self.max_per_signature < 1:
            raise ConfigError(
                f"cap {self.max_per_signature} is not positive", subject="--max-per-signature"
            )

    @property
    def cap(self) -> int:
        """Picks allowed per class signature."""
        if self.max_per_signature is not None:
            return self.max_per_signature
        return max(1, math.ceil(self.budget * CAP_SHARE))

    def to_json(self) -> dict[str, Any]:
        """The options as written in the queue file."""
        return {
            "budget": self.budget,
            "band": list(self.score.band),
            "weights": {r: self.score.weights.get(r, 0.0) for r in REASONS},
            "jump_iou": self.score.jump_iou,
            "min_gap_seconds": self.min_gap,
            "max_per_signature": self.cap,
            "min_score": self.min_score,
        }


@dataclass(frozen=True)
class Candidate:
    """A scored frame of one session."""

    log: Path
    video: str
    session: str
    seconds: float
    frame_index: int
    score: float
    reasons: dict[str, float]
    classes: tuple[str, ...]

    def to_json(self) -> dict[str, Any]:
        """One item of the queue file."""
        return {
            "log": str(self.log),
            "video": self.video,
            "session": self.session,
            "seconds": self.seconds,
            "frame_index": self.frame_index,
            "score": round(self.score, 4),
            "reasons": {r: round(self.reasons[r], 4) for r in REASONS},
            "classes": list(self.classes),
        }


@dataclass(frozen=True)
class SessionInfo:
    """One event log taken part in the selection."""

    log: Path
    video: str
    session: str
    frames: int


@dataclass(frozen=True)
class Selection:
    """The outcome of :func:`select_frames`.

    Attributes:
        items: The picks, sorted by session then time.
        options: The options used.
        sessions: The logs whose journals were scored.
        without_journal: Logs given that have no journal beside them (left out).
        candidates: Frames scoring at least ``min_score`` (and above 0).
        skipped: Candidates passed over as near-duplicates before the budget was filled.
    """

    items: list[Candidate]
    options: SelectOptions
    sessions: list[SessionInfo]
    without_journal: list[Path]
    candidates: int
    skipped: int

    def to_json(self) -> dict[str, Any]:
        """The queue file's content."""
        return {
            "schema_version": QUEUE_SCHEMA_VERSION,
            "kind": QUEUE_KIND,
            "created_at": format_iso8601(datetime.now(UTC)),
            "options": self.options.to_json(),
            "logs": [
                {"log": str(s.log), "video": s.video, "session": s.session, "frames": s.frames}
                for s in self.sessions
            ],
            "items": [item.to_json() for item in self.items],
        }


def find_event_logs(paths: Sequence[Path]) -> list[Path]:
    """The logs named: files as given, every ``events.json`` under a folder (sorted, unique).

    Raises:
        InputNotFoundError: A path does not exist, or a folder holds no event log.
    """
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            inside = sorted(p for p in path.rglob(LOG_NAME) if p.is_file())
            if not inside:
                raise InputNotFoundError(
                    f"no {LOG_NAME} in this folder",
                    subject=path,
                    hint="give the output folder of `framewise process`",
                )
            found.extend(inside)
        elif path.is_file():
            found.append(path)
        else:
            raise InputNotFoundError(
                "no such file or folder", subject=path, hint="give event logs or folders of them"
            )
    unique = dict.fromkeys(p.resolve() for p in found)
    return list(unique)


def session_names(logs: Sequence[Path]) -> list[str]:
    """A short name per log: its folder's name (the video's stem), or a longer path on clashes."""
    names = [log.parent.name for log in logs]
    if len(set(names)) == len(names):
        return names
    root = Path(os.path.commonpath([log.parent for log in logs]))
    names = [log.parent.relative_to(root).as_posix() for log in logs]
    names = [
        name if name != "." else log.parent.name for name, log in zip(names, logs, strict=True)
    ]
    if len(set(names)) == len(names):
        return names
    # Several logs of one folder: add the file's name.
    return [f"{name}/{log.name}" for name, log in zip(names, logs, strict=True)]


def pick_diverse(
    candidates: Sequence[Candidate], budget: int, min_gap: float, cap: int
) -> tuple[list[Candidate], int]:
    """Greedy by score under the time-gap and cap rules (module docstring).

    Returns:
        The picks sorted by session then time, and the number of near-duplicates skipped.
    """
    order = sorted(candidates, key=lambda c: (-c.score, c.session, c.seconds))
    picked: list[Candidate] = []
    per_signature: Counter[tuple[str, ...]] = Counter()
    times: defaultdict[tuple[str, tuple[str, ...]], list[float]] = defaultdict(list)
    skipped = 0
    for candidate in order:
        if len(picked) >= budget:
            break
        near = times[(candidate.session, candidate.classes)]
        if per_signature[candidate.classes] >= cap or any(
            abs(t - candidate.seconds) < min_gap for t in near
        ):
            skipped += 1
            continue
        picked.append(candidate)
        per_signature[candidate.classes] += 1
        near.append(candidate.seconds)
    return sorted(picked, key=lambda c: (c.session, c.seconds, c.frame_index)), skipped


def select_frames(paths: Sequence[Path], options: SelectOptions) -> Selection:
    """Score every journaled frame of the logs under ``paths`` and pick a diverse queue.

    Raises:
        InputNotFoundError: A path is missing or a folder holds no log.
        ConfigError: A log is not a valid event log.
        InputError: None of the logs has a journal, or the journals hold no frames.
    """
    logs = find_event_logs(paths)
    names = session_names(logs)
    scored: list[tuple[SessionInfo, list[FrameScore]]] = []
    without: list[Path] = []
    counts: Counter[str] = Counter()
    busy = 0  # frames holding any detection, the denominator of rarity
    for log, name in zip(logs, names, strict=True):
        journal = log.parent / JOURNAL_NAME
        if not journal.is_file():
            without.append(log)
            continue
        metadata = read_event_log(log).metadata
        entries = read_journal(journal)
        counts += class_frame_counts(entries)
        busy += sum(1 for e in entries if len(e.detections))
        info = SessionInfo(log, metadata.video_path, name, len(entries))
        scored.append((info, score_journal(entries, options.score)))
    if not scored:
        raise InputError(
            f"no {JOURNAL_NAME} beside any of the {len(logs)} event log(s)",
            subject=logs[0].parent if len(logs) == 1 else None,
            hint="run `framewise process` on the videos; it writes the journal beside events.json",
        )
    if not any(info.frames for info, _ in scored):
        raise InputError(
            "the detection journals hold no frames",
            subject=scored[0][0].log.parent if len(scored) == 1 else None,
            hint="the runs stopped before their first frame: run `framewise process` again",
        )
    rarity = class_rarity(counts, busy)
    candidates = []
    for info, frames in scored:
        for frame in frames:
            reasons = frame_reasons(frame, rarity)
            score = options.score.combine(reasons)
            if score > 0 and score >= options.min_score:
                candidates.append(
                    Candidate(
                        info.log,
                        info.video,
                        info.session,
                        frame.seconds,
                        frame.index,
                        score,
                        reasons,
                        frame.classes,
                    )
                )
    items, skipped = pick_diverse(candidates, options.budget, options.min_gap, options.cap)
    return Selection(items, options, [s for s, _ in scored], without, len(candidates), skipped)


def write_queue(path: Path, selection: Selection) -> None:
    """Write the queue file atomically (JSON; see :meth:`Selection.to_json`)."""
    write_json(path, selection.to_json())


def main_reason(reasons: dict[str, float], options: ScoreOptions) -> str:
    """The reason that added most to the score."""
    return max(REASONS, key=lambda r: options.weights.get(r, 0.0) * reasons.get(r, 0.0))
