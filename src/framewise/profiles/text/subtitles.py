"""Hard subtitles out of a text run: ``text_shown`` events → SRT cues, and their accuracy.

Lines shown together (start and end within :data:`TOGETHER_SECONDS`) are one cue, top line
first — a bilingual subtitle is one cue of two lines. ``min_y`` keeps only lines whose top is
at or below that pixel row (the subtitle band: a logo or watermark elsewhere is not a
subtitle); ``min_seconds`` drops flashes of misread background.

Accuracy against ground truth (:func:`score_subtitles`): each true line is paired with the
event overlapping it in time that reads closest; the character error rate is the edit distance
over the true characters (whitespace ignored: CJK subtitles space lines where OCR does not),
a line nobody read counts all its characters; time errors are the paired starts' and ends'.

Example:
    >>> cues = subtitle_cues(read_event_log("events/v/events.json"), min_y=300)  # doctest: +SKIP
    >>> write_srt(cues, "v.srt")  # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from framewise.core.atomic import write_text
from framewise.core.events import Event, EventLog
from framewise.temporal.text import TEXT_SHOWN

TOGETHER_SECONDS = 0.3
"""Lines whose start and end are this close are one cue."""


@dataclass(frozen=True)
class Cue:
    """One subtitle: ``[start, end)`` seconds and its lines, top first."""

    start: float
    end: float
    lines: tuple[str, ...]


def _span(event: Event) -> tuple[float, float]:
    return float(event.data["start"]), float(event.data["end"])  # type: ignore[arg-type]


def text_events(log: EventLog, min_y: float = 0.0, min_seconds: float = 0.0) -> list[Event]:
    """The log's ``text_shown`` events in the band and long enough, by start then row."""
    kept = [
        e
        for e in log.events
        if e.type == TEXT_SHOWN
        and float(e.data.get("y1") or 0.0) >= min_y  # type: ignore[arg-type]
        and _span(e)[1] - _span(e)[0] >= min_seconds
    ]
    return sorted(kept, key=lambda e: (_span(e)[0], float(e.data.get("y1") or 0.0)))  # type: ignore[arg-type]


def subtitle_cues(log: EventLog, min_y: float = 0.0, min_seconds: float = 0.2) -> list[Cue]:
    """The log's subtitles as cues (see the module)."""
    cues: list[tuple[float, float, list[tuple[float, str]]]] = []
    for event in text_events(log, min_y, min_seconds):
        start, end = _span(event)
        row = (float(event.data.get("y1") or 0.0), str(event.data["text"]))  # type: ignore[arg-type]
        for cue in cues:
            if abs(cue[0] - start) <= TOGETHER_SECONDS and abs(cue[1] - end) <= TOGETHER_SECONDS:
                cue[2].append(row)
                break
        else:
            cues.append((start, end, [row]))
    return [Cue(s, e, tuple(t for _, t in sorted(rows))) for s, e, rows in cues]


def srt_time(seconds: float) -> str:
    """``HH:MM:SS,mmm``."""
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d},{rest % 1000:03d}"


def srt(cues: Sequence[Cue]) -> str:
    """The cues as an SRT file."""
    blocks = [
        f"{i}\n{srt_time(c.start)} --> {srt_time(c.end)}\n" + "\n".join(c.lines) + "\n"
        for i, c in enumerate(cues, 1)
    ]
    return "\n".join(blocks)


def write_srt(cues: Sequence[Cue], path: str | Path) -> Path:
    """Write :func:`srt` atomically; the path written."""
    write_text(path, srt(cues))
    return Path(path)


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance between ``a`` and ``b``."""
    previous = list(range(len(b) + 1))
    for i, char in enumerate(a, 1):
        current = [i]
        for j, other in enumerate(b, 1):
            current.append(
                min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (char != other))
            )
        previous = current
    return previous[-1]


def _bare(text: str) -> str:
    return "".join(text.split())


@dataclass(frozen=True)
class SubtitleScore:
    """Character errors and time errors of a run's text against true subtitles."""

    lines: int
    found: int
    edits: int
    chars: int
    start_error: float
    end_error: float

    @property
    def cer(self) -> float:
        """Character error rate over every true line."""
        return self.edits / self.chars if self.chars else 0.0


def true_lines(groundtruth: Mapping[str, Any]) -> list[tuple[float, float, str]]:
    """``(start, end, text)`` of each true line (a bilingual subtitle gives two)."""
    out = []
    for sub in groundtruth.get("subtitles", []):
        for key in ("text", "text_zh", "text_en"):
            if sub.get(key):
                out.append((float(sub["start_s"]), float(sub["end_s"]), str(sub[key])))
    return out


def score_subtitles(
    events: Sequence[Event], truth: Sequence[tuple[float, float, str]]
) -> SubtitleScore:
    """Pair each true line with the closest-reading event overlapping it (see the module)."""
    edits = chars = found = 0
    starts, ends = [], []
    for start, end, text in truth:
        ref = _bare(text)
        chars += len(ref)
        overlapping = [e for e in events if min(end, _span(e)[1]) > max(start, _span(e)[0])]
        if not overlapping:
            edits += len(ref)
            continue
        best = min(overlapping, key=lambda e: edit_distance(ref, _bare(str(e.data["text"]))))
        edits += edit_distance(ref, _bare(str(best.data["text"])))
        found += 1
        starts.append(abs(_span(best)[0] - start))
        ends.append(abs(_span(best)[1] - end))
    return SubtitleScore(len(truth), found, edits, chars, _mean(starts), _mean(ends))


def _mean(values: Sequence[float]) -> float:
    return sum(values) / len(values) if values else 0.0
