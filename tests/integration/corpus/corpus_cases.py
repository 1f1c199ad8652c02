"""What the product must answer for each corpus input: refuse it (how) or accept it (with what).

The tables are keyed by the corpus file names of :mod:`corpus_files`; the test modules turn
each into one parametrised case per command that takes that kind of input.
"""

from __future__ import annotations

from typing import Any

from tests.integration.corpus.corpus_run import Refusal

_NO_INDEX = Refusal(3, "MP4 without its index (no moov box)")

VIDEO_REFUSALS: dict[str, Refusal] = {
    "cut-10.mp4": _NO_INDEX,
    "cut-50.mp4": _NO_INDEX,
    "cut-99.mp4": _NO_INDEX,
    "no-moov.mp4": _NO_INDEX,
    "audio-only.mp4": Refusal(3, "has no video stream (audio only)"),
    "text.mp4": Refusal(3, "not a video file"),
    "empty.mp4": Refusal(3, "file is empty (0 bytes)"),
    "fifo.mp4": Refusal(3, "not a regular file (a named pipe)"),
    "loop.mp4": Refusal(3, "symbolic link loop"),
    "dangling.mp4": Refusal(3, "symbolic link to a missing file"),
    "folder.mp4": Refusal(3, "is a folder, not a video file"),
}
"""Videos no command can use: each says why in one line, exit 3."""

VIDEO_ACCEPTED: dict[str, dict[str, Any]] = {
    "whole.mp4": {"frame_count": 100, "duration_seconds": 4.0, "truncated": False},
    "cut-50.mkv": {"truncated": True, "header_duration_seconds": 4.0},
    "noise-middle.mp4": {"frame_count": 100, "truncated": False},
    "flipped.mp4": {"frame_count": 100, "truncated": False},
    "absurd-duration.mp4": {"duration_seconds": 4.0, "header_duration_seconds": 4.0},
    "1x1.mkv": {"width": 1, "height": 1, "duration_seconds": 2.0},
    "rotated.mp4": {"rotation": 90, "width": 120, "height": 160},
    "png.mkv": {"frame_count": 1, "codec": "png"},
}
"""Videos the product rightly reads, with what ``probe --json`` must say of each.

A truncated MKV plays up to its cut (Matroska is made to survive that), damaged middles
decode around the damage, a ten-hour movie header is overruled by the four-second stream,
and a PNG is a one-frame video to FFmpeg.
"""

VIDEO_SECONDS = {"1x1.mkv": 2.0, "cut-50.mkv": 2.0, "png.mkv": 0.0}
"""Seconds of pictures in an accepted video (4 s unless listed)."""

CONFIG_REFUSALS: dict[str, Refusal] = {
    "syntax.yaml": Refusal(2, "invalid YAML"),
    "unknown-key.yaml": Refusal(2, "source.detection_fsp: unknown key"),
    "wrong-type.yaml": Refusal(2, "source.detection_fps: Input should be a valid number"),
    "nan-value.yaml": Refusal(2, "source.detection_fps: Input should be a finite number"),
    "binary.yaml": Refusal(2, "not UTF-8 text"),
}
"""Pipeline YAMLs with one fault each; the line names the file (and the line where known)."""

_NOT_JSON = "not valid JSON"
_NOT_A_LOG = "not an event log"

LOG_REFUSALS: dict[str, Refusal] = {
    "empty.json": Refusal(3, _NOT_JSON),
    "truncated.json": Refusal(3, _NOT_JSON),
    "list.json": Refusal(3, _NOT_A_LOG),
    "events-not-a-list.json": Refusal(3, "events: Input should be a valid list"),
    "nan-field.json": Refusal(3, "NaN is not a finite number"),
    "version-99.json": Refusal(3, "schema_version 99 is newer"),
    "version-two.json": Refusal(3, "schema_version: Input should be a valid integer"),
    "no-metadata.json": Refusal(3, "metadata: Field required"),
    "not-utf8.json": Refusal(3, "not UTF-8 text"),
}
"""Event logs that are not valid ones; every reader of logs refuses them alike."""

TRUTH_SAYS = {"list.json": "not a ground truth eval can score", "empty.json": _NOT_JSON}
"""Where ``eval`` words a bad ground truth otherwise than a bad log (it takes two formats)."""

FRAME_INDEX_REFUSALS: dict[str, Refusal] = {
    "not-utf8.csv": Refusal(3, "not UTF-8 text"),
    "wrong-columns.csv": Refusal(3, "not a frames index"),
    "bad-time.csv": Refusal(3, "'soon' is not a time"),
}
"""Damaged resume indexes in a ``frames`` output folder; the line names the index file."""

SYNTH_FLAGS: dict[str, tuple[list[str], str, Refusal]] = {
    "minutes-zero": (["--minutes", "0"], "--minutes", Refusal(2, "must be positive, got 0.0")),
    "minutes-negative": (["--minutes", "-1"], "--minutes", Refusal(2, "must be positive")),
    "minutes-nan": (["--minutes", "nan"], "--minutes", Refusal(2, "must be positive, got nan")),
    "minutes-inf": (["--minutes", "inf"], "--minutes", Refusal(2, "positive time, got inf")),
    "minutes-huge": (["--minutes", "1e9"], "--minutes", Refusal(2, "lasts at most 24 hours")),
    "size-zero": (["--size", "0x0"], "--size", Refusal(2, "'0x0' is not WIDTHxHEIGHT")),
    "size-text": (["--size", "wide"], "--size", Refusal(2, "'wide' is not WIDTHxHEIGHT")),
    "size-1x1": (["--size", "1x1"], "{out}", Refusal(2, "cannot render 1x1")),
    "fps-zero": (["--fps", "0"], "--fps", Refusal(2, "0.0 is out of range")),
    "fps-nan": (["--fps", "nan"], "--fps", Refusal(2, "nan is out of range")),
    "fps-text": (["--fps", "fast"], "--fps", Refusal(2, "invalid value")),
    "bitrate-negative": (["--bitrate", "-5"], "{out}", Refusal(2, "bitrate must be positive")),
    "preset-unknown": (["--preset", "bogus"], "{out}", Refusal(2, "unknown x264 preset 'bogus'")),
    "start-time-text": (["--start-time", "later"], "--start-time", Refusal(2, "not an ISO-8601")),
    "suffix-txt": (["--out", "{folder}/s.txt"], "s.txt", Refusal(2, "written as .mkv or .mp4")),
    "out-is-folder": (["--out", "{taken}"], "{taken}", Refusal(7, "cannot write the session")),
}
"""``synth`` flags that cannot make a session: (arguments, what the line names, the refusal).

``{out}`` is the session the run would write, ``{folder}`` its folder, ``{taken}`` a folder
named like a session.
"""
