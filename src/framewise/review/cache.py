"""Where the videos converted for the browser are kept: a per-user cache, size-capped.

A converted video is a full copy of the recording (hundreds of megabytes for an hour of
footage), so it does not belong in the user's log folder, which is theirs to copy, sync or
share. It goes into the user's cache folder instead:

* ``$FRAMEWISE_REVIEW_CACHE`` when set;
* else ``$XDG_CACHE_HOME/framewise/review`` (when ``XDG_CACHE_HOME`` is an absolute path,
  as the XDG specification asks);
* else ``~/.cache/framewise/review``.

An entry is named after the recording's stem and a hash of its resolved path, size and
modification time: a second review of the same recording starts at once, a changed or other
recording is converted again. The cache holds at most ``$FRAMEWISE_REVIEW_CACHE_MAX_GIB``
gibibytes (5 by default); after each conversion the least recently used entries are removed
until it fits (the one just made is always kept, even when it alone is larger).

Example:
    >>> cache = VideoCache.from_env({"XDG_CACHE_HOME": "/home/me/.cache"})
    >>> str(cache.root), cache.max_bytes // 1024**3
    ('/home/me/.cache/framewise/review', 5)
"""

from __future__ import annotations

import contextlib
import hashlib
import math
import os
import time
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from framewise.core.errors import ConfigError, OutputError

CACHE_ENV = "FRAMEWISE_REVIEW_CACHE"
"""Environment variable naming the cache folder (overrides the XDG location)."""

CACHE_MAX_ENV = "FRAMEWISE_REVIEW_CACHE_MAX_GIB"
"""Environment variable holding the cache's size cap, in GiB."""

DEFAULT_MAX_BYTES = 5 * 1024**3
"""The cache's size cap when none is set (5 GiB)."""

STALE_PARTIAL_S = 24 * 3600.0
"""A partial file this old belongs to a conversion that died (killed, machine off)."""

ENTRY_SUFFIX = ".mp4"


@dataclass(frozen=True)
class VideoCache:
    """A folder of converted videos, at most ``max_bytes`` in all.

    Attributes:
        root: The cache folder (created on first use).
        max_bytes: Size cap; the least recently used entries go first.
    """

    root: Path
    max_bytes: int = DEFAULT_MAX_BYTES

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> VideoCache:
        """The cache the environment names (see the module's documentation).

        Raises:
            ConfigError: The size cap is not a positive number.
        """
        env = os.environ if environ is None else environ
        named = env.get(CACHE_ENV, "").strip()
        xdg = env.get("XDG_CACHE_HOME", "").strip()
        if named:
            root = Path(named).expanduser()
        elif xdg and Path(xdg).is_absolute():
            root = Path(xdg) / "framewise" / "review"
        else:
            root = Path(env.get("HOME") or Path.home()) / ".cache" / "framewise" / "review"
        return cls(root=root, max_bytes=_max_bytes(env.get(CACHE_MAX_ENV, "").strip()))

    def entry(self, source: Path) -> Path:
        """Where ``source``'s converted video is kept (whether or not it is there yet)."""
        stat = source.stat()
        identity = f"{source.resolve()}\0{stat.st_size}\0{stat.st_mtime_ns}"
        key = hashlib.sha256(identity.encode("utf-8", "surrogateescape")).hexdigest()[:20]
        # The stem is only for people looking in the folder; the key alone tells entries apart.
        return self.root / f"{source.stem[:80]}-{key}{ENTRY_SUFFIX}"

    def lookup(self, source: Path) -> Path | None:
        """``source``'s converted video when cached (marked as just used), else ``None``."""
        target = self.entry(source)
        if not target.is_file():
            return None
        with contextlib.suppress(OSError):  # a read-only cache still serves
            os.utime(target)  # recently used: evicted last
        return target

    def prepare(self) -> None:
        """Create the cache folder.

        Raises:
            OutputError: It cannot be created.
        """
        try:
            self.root.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise OutputError(
                f"cannot create the video cache ({exc.strerror})",
                subject=self.root,
                hint=f"set {CACHE_ENV} to a writable folder",
            ) from None

    def size(self) -> int:
        """Bytes the cache's entries take."""
        return sum(size for _, size, _ in self._entries())

    def evict(self, keep: Path) -> list[Path]:
        """Remove least recently used entries until the cache fits; returns what went.

        ``keep`` (the entry just made or served) stays whatever its size. Partial files of
        conversions that died long ago are removed too.
        """
        removed: list[Path] = []
        entries = self._entries()
        total = sum(size for _, size, _ in entries)
        for path, size, _ in sorted(entries, key=lambda e: e[2]):
            if total <= self.max_bytes:
                break
            if path == keep:
                continue
            path.unlink(missing_ok=True)
            total -= size
            removed.append(path)
        stale = time.time() - STALE_PARTIAL_S
        for partial in self.root.glob(".*.partial"):
            try:
                if partial.stat().st_mtime < stale:
                    partial.unlink(missing_ok=True)
            except OSError:
                continue  # another process finished (or removed) it meanwhile
        return removed

    def _entries(self) -> list[tuple[Path, int, float]]:
        """``(path, bytes, last used)`` of each entry (hidden partial files are not)."""
        found = []
        for path in self.root.glob(f"*{ENTRY_SUFFIX}"):
            if path.name.startswith("."):
                continue
            try:
                stat = path.stat()
            except OSError:
                continue  # evicted by another review meanwhile
            found.append((path, stat.st_size, stat.st_mtime))
        return found


def _max_bytes(text: str) -> int:
    if not text:
        return DEFAULT_MAX_BYTES
    try:
        gib = float(text)
    except ValueError:
        gib = math.nan
    if not math.isfinite(gib) or gib <= 0:
        raise ConfigError(
            f"{CACHE_MAX_ENV}={text!r} is not a size in GiB",
            subject=CACHE_MAX_ENV,
            hint="a positive number, e.g. 5 or 0.5",
        )
    return max(1, int(gib * 1024**3))
