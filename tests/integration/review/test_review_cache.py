"""The remux cache lives in the user's cache folder, never the log's, and keeps to its cap.

Before: a full MP4 copy of the recording went into ``.framewise-review/`` inside the log's
folder, with no limit on how many accumulated.
"""

from __future__ import annotations

import os
import shutil
import time
from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.review import open_review
from framewise.review.cache import CACHE_ENV, CACHE_MAX_ENV, DEFAULT_MAX_BYTES, VideoCache
from framewise.review.media import playable_video
from tests.integration.review.conftest import ReviewFiles

HOUR = 3600.0


def _tree(folder: Path) -> set[str]:
    return {str(p.relative_to(folder)) for p in folder.rglob("*")}


def test_the_remux_lands_in_the_xdg_cache_not_in_the_log_folder(
    tmp_path: Path, files: ReviewFiles, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv(CACHE_ENV)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    before = _tree(files.log.parent)
    lines: list[str] = []
    _, settings = open_review(files.log, progress=lines.append)
    served = settings.video
    assert served is not None
    assert served.parent == tmp_path / "xdg" / "framewise" / "review"
    assert served.suffix == ".mp4" and served.stat().st_size > 10_000
    assert _tree(files.log.parent) == before  # nothing written beside the log
    assert len(lines) == 1 and "remuxing" in lines[0] and str(served) in lines[0]
    assert [p.name for p in served.parent.iterdir()] == [served.name]  # no partial left


def test_the_environment_names_the_folder_and_the_cap(tmp_path: Path) -> None:
    home = {"HOME": str(tmp_path / "home")}
    assert VideoCache.from_env(home) == VideoCache(
        tmp_path / "home" / ".cache" / "framewise" / "review", DEFAULT_MAX_BYTES
    )
    relative = VideoCache.from_env({**home, "XDG_CACHE_HOME": "rel/cache"})
    assert relative.root == tmp_path / "home" / ".cache" / "framewise" / "review"  # XDG: ignored
    named = VideoCache.from_env(
        {**home, "XDG_CACHE_HOME": "/x", CACHE_ENV: str(tmp_path / "c"), CACHE_MAX_ENV: "0.5"}
    )
    assert named == VideoCache(tmp_path / "c", 512 * 1024 * 1024)
    for bad in ("0", "-1", "nan", "inf", "five"):
        with pytest.raises(ConfigError, match=CACHE_MAX_ENV):
            VideoCache.from_env({**home, CACHE_MAX_ENV: bad})


def test_entries_are_keyed_by_path_size_and_mtime(tmp_path: Path, files: ReviewFiles) -> None:
    cache = VideoCache(tmp_path / "cache")
    copy = tmp_path / "other" / files.video.name
    copy.parent.mkdir()
    shutil.copy2(files.video, copy)  # same name, size and mtime; another path
    first = cache.entry(files.video)
    assert first.parent == cache.root and first.name.startswith("stream-")
    assert cache.entry(copy) != first
    os.utime(copy, ns=(0, files.video.stat().st_mtime_ns + 1))
    moved_on = cache.entry(copy)
    assert moved_on not in {first, cache.entry(files.video)}
    assert cache.entry(files.video) == first  # stable


def test_eviction_keeps_the_cap_least_recently_used_first(
    tmp_path: Path, files: ReviewFiles
) -> None:
    made = playable_video(files.video, VideoCache(tmp_path / "measure"))
    size = made.stat().st_size
    cache = VideoCache(tmp_path / "cache", max_bytes=size + 150_000)
    cache.prepare()
    now = time.time()
    old = {}
    for name, hours_ago in (("a", 3), ("b", 2), ("c", 1)):
        path = cache.root / f"{name}-0123.mp4"
        path.write_bytes(b"\0" * 100_000)
        os.utime(path, (now - hours_ago * HOUR, now - hours_ago * HOUR))
        old[name] = path
    dead = cache.root / ".x.mp4.999.partial"  # a conversion killed two days ago
    dead.write_bytes(b"\0" * 10)
    os.utime(dead, (now - 48 * HOUR, now - 48 * HOUR))
    lines: list[str] = []
    served = playable_video(files.video, cache, lines.append)
    # 3 × 100 kB + the new entry is over the cap: the oldest (a) goes, then b; c fits.
    assert {p.name for p in cache.root.iterdir()} == {served.name, "c-0123.mp4"}
    assert cache.size() <= cache.max_bytes
    assert "removed 2 least recently used" in lines[-1]
    # A hit marks the entry used: c is now the least recently used and goes first.
    os.utime(served, (now - 5 * HOUR, now - 5 * HOUR))
    assert playable_video(files.video, cache) == served
    assert served.stat().st_mtime > now - HOUR
    assert cache.evict(keep=served) == []  # within the cap: nothing to do


def test_an_entry_larger_than_the_cap_is_kept_alone(tmp_path: Path, files: ReviewFiles) -> None:
    cache = VideoCache(tmp_path / "cache", max_bytes=1000)
    cache.prepare()
    older = cache.root / "older-0123.mp4"
    older.write_bytes(b"\0" * 500)
    served = playable_video(files.video, cache)
    assert [p.name for p in cache.root.iterdir()] == [served.name]
    assert served.stat().st_size > cache.max_bytes  # served all the same
