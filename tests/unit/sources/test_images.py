"""ImageFolderSource: images written here with cv2, read back as timed, ordered frames."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta
from fractions import Fraction
from pathlib import Path

import cv2
import numpy as np
import PIL.Image
import pytest

from framewise.core.errors import ConfigError, InputError, InputNotFoundError
from framewise.core.time import SessionStart
from framewise.sources.images import ImageFolderSource, list_images, natural_key

START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def shade(index: int) -> int:
    """A grey level that tells frame ``index`` apart after JPEG or PNG round trips."""
    # Wrapped into uint8 here: numpy 1 wrapped it silently in np.full, numpy 2 refuses.
    return (10 + 20 * index) % 256


def write_images(folder: Path, count: int, suffixes: tuple[str, ...] = (".png",)) -> Path:
    """``shot1`` .. ``shot<count>`` (natural order differs from text order past 9)."""
    folder.mkdir(parents=True, exist_ok=True)
    for index in range(count):
        picture = np.full((24, 32, 3), shade(index), dtype=np.uint8)
        suffix = suffixes[index % len(suffixes)]
        assert cv2.imwrite(str(folder / f"shot{index + 1}{suffix}"), picture)
    return folder


def test_reads_every_image_in_natural_order_at_index_over_fps(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "walk", 12, (".png", ".bmp", ".jpg", ".webp"))
    (folder / "notes.txt").write_text("not a frame")
    (folder / ".hidden.png").write_bytes(b"")
    source = ImageFolderSource(folder, fps=4, session_start=START, prefetch=0)
    frames = list(source.read())
    assert [f.index for f in frames] == list(range(12))
    # shot10..shot12 come after shot9, not after shot1; the grey level proves which file.
    assert [round(float(f.image.mean())) for f in frames] == pytest.approx(
        [shade(i) for i in range(12)], abs=3
    )
    assert [f.seconds for f in frames] == [i / 4 for i in range(12)]
    assert {f.source_id for f in frames} == {"walk"} and source.source_id == "walk"
    assert all(f.wall_time == START + timedelta(seconds=f.seconds) for f in frames)
    assert all(f.image.shape == (24, 32, 3) and f.image.dtype == np.uint8 for f in frames)
    assert source.duration == 3.0 and source.frame_rate == Fraction(4)
    assert source.stats.decoded == source.stats.kept == 12


def test_colours_come_back_bgr(tmp_path: Path) -> None:
    folder = tmp_path / "blue"
    folder.mkdir()
    blue = np.zeros((8, 8, 3), dtype=np.uint8)
    blue[..., 0] = 255  # channel 0 is blue in OpenCV's BGR order
    cv2.imwrite(str(folder / "a.png"), blue)
    cv2.imwrite(str(folder / "b.png"), np.zeros((8, 8), dtype=np.uint8))  # greyscale file
    frames = list(ImageFolderSource(folder, prefetch=0).read())
    assert frames[0].image[0, 0].tolist() == [255, 0, 0]
    assert frames[1].image.shape == (8, 8, 3)


def test_an_unreadable_image_is_counted_and_skipped(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    folder = write_images(tmp_path / "damaged", 6)
    (folder / "shot4.png").write_bytes(b"\x89PNG but cut short")
    with caplog.at_level(logging.WARNING, logger="framewise.sources.images"):
        frames = list(ImageFolderSource(folder, fps=2, prefetch=2).read())
    # The bad image keeps its slot in time: the others keep index / fps.
    assert [(f.index, f.seconds) for f in frames] == [
        (0, 0.0),
        (1, 0.5),
        (2, 1.0),
        (4, 2.0),
        (5, 2.5),
    ]
    assert any("shot4.png" in record.getMessage() for record in caplog.records)


def test_corrupt_counter(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "damaged", 3)
    (folder / "shot2.png").write_bytes(b"garbage")
    source = ImageFolderSource(folder, prefetch=0)
    assert len(list(source.read())) == 2
    assert source.stats.corrupt_frames == 1
    assert source.stats.decoded == source.stats.kept == 2


def test_sampling_reads_only_the_chosen_images(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "fast", 30)
    (folder / "shot2.png").write_bytes(b"garbage")  # never chosen at 5 fps, so never read
    source = ImageFolderSource(folder, fps=30, sample_fps=5, prefetch=0)
    frames = list(source.read())
    # The nearest image to each 0.2 s tick; the last (0.967 s) is nearest the 1.0 s tick.
    assert [f.index for f in frames] == [0, 6, 12, 18, 24, 29]
    assert source.stats.decoded == 6 and source.stats.corrupt_frames == 0
    assert source.stats.skipped == 24


def test_seek_starts_at_the_image_on_screen(tmp_path: Path) -> None:
    source = ImageFolderSource(write_images(tmp_path / "s", 10), fps=10, prefetch=0)
    assert source.seekable
    assert [f.index for f in source.seek(0.45).read()] == [4, 5, 6, 7, 8, 9]
    sampled = ImageFolderSource(tmp_path / "s", fps=10, sample_fps=2, prefetch=0)
    assert [f.seconds for f in sampled.seek(0.5).read()] == [0.5, 0.9]  # ticks 0.5 and 1.0


def test_timestamps_csv_gives_times_and_order(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "cam", 4)
    csv_path = tmp_path / "times.csv"
    # A header, and rows out of order: shot3 was taken before shot2.
    csv_path.write_text(
        "file,seconds\nshot1.png,0.0\nshot2.png,0.9\nshot3.png,0.4\nshot4.png,1.0\n"
    )
    source = ImageFolderSource(folder, timestamps=csv_path, session_start=START, prefetch=0)
    frames = list(source.read())
    assert [(f.seconds, f.index) for f in frames] == [(0.0, 0), (0.4, 1), (0.9, 2), (1.0, 3)]
    assert [round(float(f.image.mean())) for f in frames] == [
        shade(0),
        shade(2),
        shade(1),
        shade(3),
    ]
    assert source.frame_rate is None  # the CSV's times, not a nominal rate
    assert source.duration == pytest.approx(1.0 + 0.4)  # the last time + the median step


def test_timestamps_must_cover_every_image(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "cam", 3)
    csv_path = tmp_path / "times.csv"
    csv_path.write_text("shot1.png,0\nshot2.png,1\n")
    with pytest.raises(ConfigError, match=r"1 image\(s\) have no time, e.g. shot3.png"):
        ImageFolderSource(folder, timestamps=csv_path)
    csv_path.write_text("shot1.png,0\nshot2.png,soon\nshot3.png,2\n")
    with pytest.raises(ConfigError) as info:
        ImageFolderSource(folder, timestamps=csv_path)
    assert str(info.value).startswith(f"{csv_path}:2: 'soon' is not a time")


def test_missing_empty_and_bad_settings(tmp_path: Path) -> None:
    with pytest.raises(InputNotFoundError):
        ImageFolderSource(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(InputError, match="holds no images"):
        ImageFolderSource(tmp_path / "empty")
    with pytest.raises(ConfigError, match="fps must be a number above 0"):
        ImageFolderSource(write_images(tmp_path / "ok", 1), fps=0)


def test_session_start_falls_back_to_the_first_image_mtime(tmp_path: Path) -> None:
    folder = write_images(tmp_path / "m", 2)
    source = ImageFolderSource(folder, prefetch=0)
    mtime = datetime.fromtimestamp((folder / "shot1.png").stat().st_mtime, tz=UTC)
    assert source.session_start == SessionStart(mtime, "mtime")
    given = ImageFolderSource(folder, session_start=START)
    assert given.session_start == SessionStart(START, "user")


def test_natural_key_and_listing(tmp_path: Path) -> None:
    names = ["img10.jpg", "img2.jpg", "IMG1.jpg", "img2b.jpg", "img02.jpg"]
    assert sorted(names, key=natural_key) == [
        "IMG1.jpg",
        "img02.jpg",
        "img2.jpg",
        "img2b.jpg",
        "img10.jpg",
    ]
    folder = write_images(tmp_path / "l", 11)
    (folder / "sub").mkdir()
    assert [p.name for p in list_images(folder)][-3:] == ["shot9.png", "shot10.png", "shot11.png"]


def test_a_phone_photo_comes_upright(tmp_path: Path) -> None:
    folder = tmp_path / "phone"
    folder.mkdir()
    stored = np.zeros((20, 40, 3), dtype=np.uint8)
    stored[:, :20] = 255  # a wide picture, white on the left
    exif = PIL.Image.Exif()
    exif[0x0112] = 6  # EXIF orientation: show turned 90° clockwise
    PIL.Image.fromarray(stored).save(folder / "photo.jpg", exif=exif.tobytes())
    (frame,) = ImageFolderSource(folder, prefetch=0).read()
    assert frame.image.shape == (40, 20, 3)  # tall, as the phone showed it
    assert frame.image[:18].mean() > 240 and frame.image[22:].mean() < 15  # white on top
