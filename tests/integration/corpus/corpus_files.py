"""The malformed-input corpus, made on the spot: damaged videos, odd files, bad YAML, logs, CSVs.

Nothing here is committed media. :func:`make_videos` renders one small clip with ffmpeg and
damages copies of it the ways recorders, disks and users do; :func:`make_configs`,
:func:`make_logs` and :func:`make_csvs` write the text inputs. Each returns ``name → path``;
the test modules say, per name, whether the product should accept or refuse it.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
from pathlib import Path
from typing import Any

from framewise.importer.synthetic import synthetic_log
from framewise.profiles import profile_dir

SECONDS = 4
"""Length of the clips: long enough for several sampled frames, short enough to process fast."""

_PATTERN = f"testsrc2=size=160x120:rate=25:duration={SECONDS}"


def _ffmpeg(ffmpeg: str, out: Path, *args: str) -> Path:
    """Run ffmpeg quietly, writing ``out``."""
    command = [ffmpeg, "-hide_banner", "-loglevel", "error", "-y", *args, str(out)]
    subprocess.run(command, check=True, timeout=60)
    return out


def _clip(ffmpeg: str, out: Path, *extra: str, source: str = _PATTERN) -> Path:
    """An H.264 test pattern; MP4 keeps its index (moov) at the end, as recorders write it."""
    return _ffmpeg(
        ffmpeg, out, "-f", "lavfi", "-i", source, "-c:v", "libx264", "-preset", "ultrafast",
        *extra,
    )  # fmt: skip


def _cut(source: Path, out: Path, share: float) -> Path:
    data = source.read_bytes()
    out.write_bytes(data[: int(len(data) * share)])
    return out


def _box(data: bytes, kind: bytes) -> tuple[int, int]:
    """Start and end of the first top-level-looking box of ``kind`` (size field before it)."""
    at = data.find(kind) - 4
    (size,) = struct.unpack(">I", data[at : at + 4])
    return at, at + size


def _without_moov(source: Path, out: Path) -> Path:
    """The MP4 with its index box cut out: every byte of the pictures, nothing to find them by."""
    data = source.read_bytes()
    start, end = _box(data, b"moov")
    out.write_bytes(data[:start] + data[end:])
    return out


def _noise_in_middle(source: Path, out: Path) -> Path:
    """4 KiB of random bytes over the middle of the picture data (a bad sector)."""
    data = bytearray(source.read_bytes())
    middle = len(data) // 2
    data[middle : middle + 4096] = random.Random(14).randbytes(4096)
    out.write_bytes(bytes(data))
    return out


def _flipped(source: Path, out: Path) -> Path:
    """One byte in every 500 of the picture data inverted (a failing card)."""
    data = bytearray(source.read_bytes())
    start, end = data.find(b"mdat") + 4096, data.rfind(b"moov")
    for offset in range(start, end, 500):
        data[offset] ^= 0xFF
    out.write_bytes(bytes(data))
    return out


def _absurd_duration(source: Path, out: Path) -> Path:
    """The movie header claims ten hours; the pictures last four seconds."""
    data = bytearray(source.read_bytes())
    at = data.find(b"mvhd") + 4
    assert data[at] == 0, "expected a version-0 mvhd"
    (timescale,) = struct.unpack(">I", data[at + 12 : at + 16])
    data[at + 16 : at + 20] = struct.pack(">I", timescale * 36_000)
    out.write_bytes(bytes(data))
    return out


def make_videos(ffmpeg: str, folder: Path) -> dict[str, Path]:
    """Damaged, odd and unusual-but-valid videos (and things that only look like videos)."""
    folder.mkdir(parents=True, exist_ok=True)
    mp4 = _clip(ffmpeg, folder / "whole.mp4", "-pix_fmt", "yuv420p")
    mkv = _clip(ffmpeg, folder / "whole.mkv", "-pix_fmt", "yuv420p")
    files: dict[str, Path] = {"whole.mp4": mp4}
    for share in (0.1, 0.5, 0.99):
        name = f"cut-{round(share * 100)}.mp4"
        files[name] = _cut(mp4, folder / name, share)
    files["no-moov.mp4"] = _without_moov(mp4, folder / "no-moov.mp4")
    files["cut-50.mkv"] = _cut(mkv, folder / "cut-50.mkv", 0.5)
    files["noise-middle.mp4"] = _noise_in_middle(mp4, folder / "noise-middle.mp4")
    files["flipped.mp4"] = _flipped(mp4, folder / "flipped.mp4")
    files["absurd-duration.mp4"] = _absurd_duration(mp4, folder / "absurd-duration.mp4")
    files["audio-only.mp4"] = _ffmpeg(
        ffmpeg, folder / "audio-only.mp4", "-f", "lavfi", "-i", "sine=duration=2", "-c:a", "aac"
    )
    files["1x1.mkv"] = _clip(  # the color source cannot make 1x1 itself, so scale down
        ffmpeg, folder / "1x1.mkv", "-vf", "scale=1:1", "-pix_fmt", "yuv444p",
        source="color=c=red:s=2x2:r=10:d=2",
    )  # fmt: skip
    files["rotated.mp4"] = _ffmpeg(
        ffmpeg, folder / "rotated.mp4", "-i", str(mp4), "-c", "copy", "-metadata:s:v", "rotate=90"
    )
    png = _ffmpeg(ffmpeg, folder / "still.png", "-f", "lavfi", "-i", "testsrc2", "-frames:v", "1")
    files["png.mkv"] = png.rename(folder / "png.mkv")
    files["text.mp4"] = folder / "text.mp4"
    files["text.mp4"].write_text("these are my notes, not a video\n" * 50)
    files["empty.mp4"] = folder / "empty.mp4"
    files["empty.mp4"].touch()
    files["fifo.mp4"] = folder / "fifo.mp4"
    os.mkfifo(files["fifo.mp4"])
    files["loop.mp4"] = folder / "loop.mp4"
    files["loop.mp4"].symlink_to(folder / "loop-back.mp4")
    (folder / "loop-back.mp4").symlink_to(files["loop.mp4"])
    files["dangling.mp4"] = folder / "dangling.mp4"
    files["dangling.mp4"].symlink_to(folder / "deleted.mp4")
    files["folder.mp4"] = folder / "folder.mp4"
    files["folder.mp4"].mkdir()
    mkv.unlink()  # only its cut copy is part of the corpus
    return files


def _pipeline(source: str = "  detection_fps: 2\n") -> str:
    """A valid pipeline YAML (the Tarkov model, one episode filter) with this ``source:`` body."""
    model = profile_dir("tarkov") / "model" / "yolo11n_tarkov.onnx"
    return (
        f"name: corpus\nprofile: generic\nsource:\n{source}"
        f"detectors:\n  - kind: yolo_onnx\n    model: {model}\n    input_size: 320\n"
        "filters:\n  - kind: episode\n    classes: []\n    confirm: {hits: 3}\n"
        "    hold_seconds: 0.5\nsinks:\n  - kind: json_log\n"
    )


def make_configs(folder: Path) -> dict[str, Path]:
    """Pipeline YAMLs with one fault each: syntax, an unknown key, a wrong type, not text."""
    folder.mkdir(parents=True, exist_ok=True)
    texts = {
        "valid.yaml": _pipeline(),
        "syntax.yaml": _pipeline().replace("detectors:\n", "detectors: [\n", 1),
        "unknown-key.yaml": _pipeline("  detection_fsp: 2\n"),
        "wrong-type.yaml": _pipeline("  detection_fps: fast\n"),
        "nan-value.yaml": _pipeline("  detection_fps: .nan\n"),
    }
    files = {name: folder / name for name in [*texts, "binary.yaml"]}
    for name, text in texts.items():
        files[name].write_text(text)
    files["binary.yaml"].write_bytes(bytes(range(256)) * 4)
    return files


def good_log() -> dict[str, Any]:
    """A valid event log as JSON data: one raid, two kills."""
    payload: dict[str, Any] = json.loads(synthetic_log(raids=1, kills_per_raid=2).model_dump_json())
    return payload


def _log_texts() -> dict[str, str]:
    log = good_log()
    no_metadata = {key: value for key, value in log.items() if key != "metadata"}
    nan = json.dumps(log).replace('"video_offset_seconds": 60.0', '"video_offset_seconds": NaN', 1)
    assert "NaN" in nan
    return {
        "empty.json": "",
        "truncated.json": json.dumps(log)[:200],
        "list.json": "[]",
        "events-not-a-list.json": json.dumps({**log, "events": {"a": 1}}),
        "nan-field.json": nan,
        "version-99.json": json.dumps({**log, "schema_version": 99}),
        "version-two.json": json.dumps({**log, "schema_version": "two"}),
        "no-metadata.json": json.dumps(no_metadata),
        "not-utf8.json": "",
    }


def make_logs(folder: Path) -> dict[str, Path]:
    """Event logs that are not valid ones, plus ``good.json`` to pair them with."""
    folder.mkdir(parents=True, exist_ok=True)
    files: dict[str, Path] = {}
    for name, text in _log_texts().items():
        files[name] = folder / name
        files[name].write_text(text)
    # A valid log but for one Latin-1 byte (an editor that saved "Käse" in the wrong encoding).
    text = json.dumps(good_log()).replace("recordings/session", "recordings/Käse", 1)
    files["not-utf8.json"].write_bytes(text.encode("latin-1"))
    good = folder.parent / "good.json"
    good.write_text(json.dumps(good_log()))
    files["good.json"] = good
    return files


def make_frame_indexes(folder: Path) -> dict[str, Path]:
    """Damaged resume indexes of ``frames`` (``.frames.csv.partial``): not UTF-8, other columns,
    a time that is not a number. Each is copied into an output folder before the run."""
    folder.mkdir(parents=True, exist_ok=True)
    header = "file,frame_index,video_seconds,wall_time\n"
    row = "whole_{index:07d}.jpg,{index},{seconds},2026-01-15T18:00:00.000Z\n"
    cases = {
        "not-utf8.csv": (header + row.format(index=0, seconds="0.0")).encode() + b"\xff\xfe,1\n",
        "wrong-columns.csv": b"image;time\nwhole_0000000.jpg;0.0\n",
        "bad-time.csv": (header + row.format(index=0, seconds="soon")).encode(),
    }
    files = {name: folder / name for name in cases}
    for name, data in cases.items():
        files[name].write_bytes(data)
    return files
