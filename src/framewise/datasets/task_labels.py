r"""Task labels for feature tables: a CSV of ``frame_index,label`` or of ``start,end,label``.

The first form is the seed's (one row per frame); the second labels time spans in seconds
(``start`` inclusive, ``end`` exclusive), which is how people write labels down while
watching. Either is checked as a whole before any frame is read: a file that is not UTF-8,
is empty, names a frame or a time the video lacks, repeats a frame or overlaps itself gets
a one-line :class:`~framewise.core.errors.InputError` naming the file and line.

Example:
    >>> labels = TaskLabels.parse("start,end,label\n0,2.5,idle\n2.5,6,work\n", "l.csv")
    >>> labels.at(frame_index=10, seconds=3.0)
    'work'
"""

from __future__ import annotations

import csv
import io
import math
from bisect import bisect_right
from dataclasses import dataclass
from itertools import pairwise
from pathlib import Path

from framewise.core.errors import InputError, InputNotFoundError

FRAME_HEADER = ("frame_index", "label")
SPAN_HEADER = ("start", "end", "label")


@dataclass(frozen=True)
class Span:
    """A labelled time span ``[start, end)`` in seconds, from line ``line`` of its file."""

    start: float
    end: float
    label: str
    line: int


def _error(path: str, line: int, message: str, hint: str) -> InputError:
    return InputError(message, subject=f"{path}:{line}", hint=hint)


def _decode(raw: bytes, path: str) -> str:
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise _error(path, line, "not UTF-8 text", "save the label file as UTF-8") from None


def _number(text: str, path: str, line: int, what: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value) or value < 0:
        raise _error(path, line, f"{what} {text!r} is not a number >= 0", "fix that row")
    return value


class TaskLabels:
    """The labels of one video, by frame index or by time span.

    Attributes:
        path: The file they came from (for messages).
        frames: Frame index → label (the ``frame_index,label`` form).
        spans: Time spans in start order (the ``start,end,label`` form).
    """

    def __init__(self, path: str, frames: dict[int, tuple[str, int]], spans: list[Span]) -> None:
        self.path = path
        self._frames = frames
        self.spans = tuple(spans)
        self._starts = [s.start for s in self.spans]

    @property
    def frames(self) -> dict[int, str]:
        """Frame index → label."""
        return {k: v for k, (v, _) in self._frames.items()}

    @classmethod
    def read(cls, path: Path) -> TaskLabels:
        """Read and check ``path`` (see the module docstring)."""
        try:
            raw = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputNotFoundError(
                f"label file {path} does not exist", subject=path, hint="check the path"
            ) from None
        return cls.parse(_decode(raw, str(path)), str(path))

    @classmethod
    def parse(cls, text: str, path: str) -> TaskLabels:
        """Parse the CSV ``text`` of the file ``path``."""
        rows = [(n, r) for n, r in enumerate(csv.reader(io.StringIO(text)), 1) if any(r)]
        if not rows:
            raise _error(path, 1, "the label file is empty", "write a header and label rows")
        header_line, header = rows[0]
        names = tuple(c.strip().lower() for c in header)
        if names not in (FRAME_HEADER, SPAN_HEADER):
            raise _error(
                path,
                header_line,
                f"unknown header {','.join(header)!r}",
                "use 'frame_index,label' or 'start,end,label'",
            )
        if len(rows) == 1:
            raise _error(path, header_line, "the label file has no rows", "add label rows")
        frames: dict[int, tuple[str, int]] = {}
        spans: list[Span] = []
        for line, row in rows[1:]:
            if len(row) != len(names) or not row[-1].strip():
                raise _error(
                    path, line, f"expected {len(names)} fields with a label", "fix that row"
                )
            label = row[-1].strip()
            if names == FRAME_HEADER:
                index = _number(row[0], path, line, "frame_index")
                if index != int(index):
                    raise _error(path, line, f"frame_index {row[0]!r} is not whole", "fix it")
                if int(index) in frames:
                    first = frames[int(index)][1]
                    raise _error(
                        path,
                        line,
                        f"frame {int(index)} is labelled again (line {first})",
                        "label each frame once",
                    )
                frames[int(index)] = (label, line)
            else:
                start = _number(row[0], path, line, "start")
                end = _number(row[1], path, line, "end")
                if end <= start:
                    raise _error(path, line, f"span ends ({end}) before it starts", "fix it")
                spans.append(Span(start, end, label, line))
        spans.sort(key=lambda s: s.start)
        for before, after in pairwise(spans):
            if after.start < before.end:
                raise _error(
                    path,
                    after.line,
                    f"span {after.start}-{after.end} overlaps line {before.line}'s "
                    f"{before.start}-{before.end}",
                    "make the spans disjoint",
                )
        return cls(path, frames, spans)

    def check_video(self, frame_count: int | None, duration: float | None) -> None:
        """Refuse labels for frames or times the video lacks (unknown bounds are not checked)."""
        if frame_count is not None:
            for index, (_, line) in sorted(self._frames.items()):
                if index >= frame_count:
                    raise _error(
                        self.path,
                        line,
                        f"frame {index} is past the video's last frame ({frame_count - 1})",
                        "label frames the video has",
                    )
        if duration is not None:
            for span in self.spans:
                if span.start >= duration:
                    raise _error(
                        self.path,
                        span.line,
                        f"span starts at {span.start} s, after the video ends ({duration:.3f} s)",
                        "label times the video has",
                    )

    def at(self, *, frame_index: int, seconds: float) -> str | None:
        """The label of a frame (by index in the per-frame form, by time in the span form)."""
        if self._frames:
            found = self._frames.get(frame_index)
            return found[0] if found is not None else None
        i = bisect_right(self._starts, seconds) - 1
        if i >= 0 and self.spans[i].start <= seconds < self.spans[i].end:
            return self.spans[i].label
        return None
