"""The journal's binary side-car: array columns in NumPy ``.npz`` shards, never pickled.

Masks, keypoints, embeddings, per-box ``data`` and frame features have no exact, compact JSON
form, so a journal line names its arrays' shard and sequence number instead, and the arrays
of every line written since the last checkpoint go into one shard at that checkpoint:
written under a temporary name, fsynced, then renamed. A line whose shard is missing (the run
was killed after the line reached the disk but before its shard did) is torn.

Shards sit in ``<journal>.arrays/`` and are named ``<writer token>-<number>.npz``, so a
writer that rewrites a journal's trusted prefix never collides with the shards it replaces.
"""

from __future__ import annotations

import os
import secrets
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import OutputError

AnyArray = NDArray[Any]


class TornError(Exception):
    """A journal line names arrays that never reached the disk."""


def arrays_dir(journal: Path) -> Path:
    """The side-car folder of ``journal``."""
    return journal.with_name(journal.name + ".arrays")


class ShardWriter:
    """Collects the arrays of journal lines and writes them as one shard per checkpoint.

    Args:
        journal: The journal file the shards belong to.
    """

    def __init__(self, journal: Path) -> None:
        self.folder = arrays_dir(journal)
        self.token = secrets.token_hex(4)
        self._number = 0
        self._seq = 0
        self._pending: dict[str, AnyArray] = {}

    @property
    def shard(self) -> str:
        """The name of the shard the next checkpoint writes."""
        return f"{self.token}-{self._number:06d}.npz"

    def add(self, arrays: dict[str, AnyArray]) -> tuple[str, int]:
        """Hold one line's arrays; returns ``(shard, sequence)`` for the line to name."""
        for column, array in arrays.items():
            if array.dtype.hasobject:  # np.savez would pickle it; the reader refuses pickles
                raise ValueError(f"journal arrays must not hold Python objects: {column}")
        seq = self._seq
        self._seq += 1
        for column, array in arrays.items():
            self._pending[f"{seq}/{column}"] = np.ascontiguousarray(array)
        return self.shard, seq

    def flush(self) -> None:
        """Write the held arrays as the current shard (temporary name, fsync, rename)."""
        if not self._pending:
            return
        final = self.folder / self.shard
        partial = final.with_name(final.name + ".partial")
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            with partial.open("wb") as handle:
                np.savez_compressed(handle, allow_pickle=False, **self._pending)
                handle.flush()
                os.fsync(handle.fileno())
            partial.replace(final)
        except OSError as exc:
            raise OutputError(
                f"cannot write the journal's arrays ({exc.strerror})",
                subject=final,
                hint="choose a writable output folder with free space",
            ) from None
        self._pending = {}
        self._number += 1

    def drop_others(self) -> None:
        """Delete shards of earlier writers (a rewritten journal no longer names them)."""
        if not self.folder.is_dir():
            return
        for path in self.folder.iterdir():
            if not path.name.startswith(f"{self.token}-"):
                path.unlink(missing_ok=True)
        if not any(self.folder.iterdir()):
            self.folder.rmdir()


class ShardReader:
    """Loads the arrays journal lines name, one open shard at a time per name.

    Args:
        journal: The journal file whose side-car is read.
    """

    def __init__(self, journal: Path) -> None:
        self.folder = arrays_dir(journal)
        self._open: dict[str, dict[int, dict[str, AnyArray]]] = {}

    def arrays(self, shard: str, seq: int) -> dict[str, AnyArray]:
        """The arrays of line ``seq`` in ``shard``.

        Raises:
            TornError: The shard or the line's arrays are missing or unreadable.
        """
        if shard not in self._open:
            self._open[shard] = self._load(shard)
        found = self._open[shard].get(seq)
        if found is None:
            raise TornError(f"{shard} holds no arrays of line {seq}")
        return found

    def _load(self, shard: str) -> dict[int, dict[str, AnyArray]]:
        if "/" in shard or "\\" in shard or shard.startswith("."):
            raise TornError(f"not a shard name: {shard!r}")
        by_line: dict[int, dict[str, AnyArray]] = {}
        try:
            with np.load(self.folder / shard, allow_pickle=False) as npz:
                for key in npz.files:
                    seq, _, column = key.partition("/")
                    by_line.setdefault(int(seq), {})[column] = npz[key]
        except (OSError, ValueError, EOFError, zipfile.BadZipFile) as exc:  # missing, cut, not zip
            raise TornError(f"cannot read {shard}: {exc}") from None
        return by_line
