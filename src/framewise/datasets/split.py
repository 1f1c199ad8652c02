"""Splits by whole sessions: every frame of a recording goes to ``train`` or to ``val``, never both.

Frames of one session are near copies of each other, so a session in both splits would let
validation score what training saw.

Example:
    >>> split_sessions([Path("a.mkv"), Path("b.mkv")], 0.5, seed=0)  # doctest: +SKIP
    {PosixPath('a.mkv'): 'val', PosixPath('b.mkv'): 'train'}
"""

from __future__ import annotations

import random
from collections.abc import Sequence
from pathlib import Path

from framewise.core.errors import ConfigError

SPLITS = ("train", "val")
"""The splits a session can go to."""


def split_sessions(sessions: Sequence[Path], val_share: float, seed: int) -> dict[Path, str]:
    """Assign whole sessions to ``train`` or ``val`` (at least one each when sharing).

    Raises:
        ConfigError: ``val_share`` is outside [0, 1), or a split would be empty.
    """
    if not 0.0 <= val_share < 1.0:
        raise ConfigError(
            f"--val-share must be in [0, 1), got {val_share}", hint="0.2 keeps a fifth for val"
        )
    ordered = sorted(sessions)
    count = round(len(ordered) * val_share)
    if val_share > 0:
        if len(ordered) < 2:
            raise ConfigError(
                "a split by session needs at least two sessions",
                subject=ordered[0] if ordered else None,
                hint="render another session, or pass --val-share 0",
            )
        count = min(len(ordered) - 1, max(1, count))
    shuffled = list(ordered)
    random.Random(seed).shuffle(shuffled)
    val = set(shuffled[:count])
    return {path: "val" if path in val else "train" for path in ordered}
