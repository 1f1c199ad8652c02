"""A review queue: frames picked by ``framewise select`` for a reviewer to look at first.

The file is the one ``framewise select --out`` writes (``kind: framewise.review_queue``); its
path comes from the command line only. It may cover many logs: the page gets the items of
the log under review, matched by the resolved path of ``log`` (a relative ``log`` is taken
from the queue file's folder). The file is read again on every request, so a queue rewritten
by another ``select`` shows on the next page load; the page never writes it (items marked
done are kept in the browser).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from framewise.core.jsonfile import read_model

QUEUE_KIND = "framewise.review_queue"
QUEUE_SCHEMA_VERSION = 1
REASONS = ("uncertainty", "rarity", "disagreement")


class QueueItem(BaseModel):
    """One frame to review (unknown fields are kept)."""

    model_config = ConfigDict(extra="allow")

    log: str
    video: str = ""
    session: str = ""
    seconds: float = Field(ge=0)
    frame_index: int = Field(default=0, ge=0)
    score: float = 0.0
    reasons: dict[str, float] = Field(default_factory=dict)
    classes: list[str] = Field(default_factory=list)


class QueueFile(BaseModel):
    """The whole queue file."""

    model_config = ConfigDict(extra="allow")

    schema_version: int = Field(ge=1, le=QUEUE_SCHEMA_VERSION)
    kind: Literal["framewise.review_queue"]
    created_at: str = ""
    options: dict[str, Any] = Field(default_factory=dict)
    items: list[QueueItem]


def read_queue(path: Path) -> QueueFile:
    """Read and validate a queue file.

    Raises:
        InputNotFoundError: No such file.
        ConfigError: Not JSON, or not a queue written by ``framewise select``.
    """
    return read_model(
        path,
        QueueFile,
        what="review queue",
        hint="pass the JSON written by `framewise select --out`",
    )


def _resolve(log: str, base: Path) -> Path:
    path = Path(log).expanduser()
    return (path if path.is_absolute() else base / path).resolve()


def main_reason(item: QueueItem, weights: dict[str, Any]) -> str:
    """The reason that added most to the item's score (weights from the queue's options)."""

    def weighted(reason: str) -> float:
        weight = weights.get(reason, 1.0)
        return (float(weight) if isinstance(weight, int | float) else 1.0) * item.reasons.get(
            reason, 0.0
        )

    known = [r for r in REASONS if r in item.reasons] or list(item.reasons)
    return max(known, key=weighted) if known else ""


def queue_for_log(path: Path, log_path: Path) -> dict[str, Any]:
    """The queue's items of ``log_path``, in time order, as the page's ``/api/queue`` body.

    Raises:
        InputNotFoundError: The queue file is gone.
        ConfigError: It is no longer a valid queue.
    """
    queue = read_queue(path)
    target = log_path.resolve()
    base = path.resolve().parent
    weights = queue.options.get("weights")
    weights = weights if isinstance(weights, dict) else {}
    mine = sorted(
        (item for item in queue.items if _resolve(item.log, base) == target),
        key=lambda item: (item.seconds, item.frame_index),
    )
    return {
        "queue_name": path.name,
        "created_at": queue.created_at,
        "options": queue.options,
        "total": len(queue.items),
        "items": [
            {
                "key": f"{item.frame_index}@{item.seconds}",
                "seconds": item.seconds,
                "frame_index": item.frame_index,
                "score": item.score,
                "reasons": item.reasons,
                "main_reason": main_reason(item, weights),
                "classes": item.classes,
            }
            for item in mine
        ],
    }
