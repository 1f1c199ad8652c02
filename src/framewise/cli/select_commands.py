"""``framewise select``: pick the frames most worth reviewing, as a queue for ``framewise review``.

Wired into the main CLI with :func:`register`. Errors
(:class:`~framewise.core.errors.FramewiseError`) propagate to the main CLI, which prints one
line and exits with the error's code.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from framewise.datasets.select_score import (
    DEFAULT_BAND,
    DEFAULT_JUMP_IOU,
    DEFAULT_MIN_GAP,
    DEFAULT_MIN_SCORE,
    DEFAULT_WEIGHTS,
)

if TYPE_CHECKING:
    from framewise.datasets.select import Selection

TABLE_ROWS = 40
"""Rows of the summary table printed; the queue file holds every pick."""

_WEIGHTS_TEXT = ",".join(f"{k}={v}" for k, v in DEFAULT_WEIGHTS.items())


def _format_offset(seconds: float) -> str:
    minutes, rest = divmod(seconds, 60)
    hours, minutes = divmod(int(minutes), 60)
    return f"{hours}:{minutes:02d}:{rest:06.3f}"


def _print_summary(selection: Selection, out: Path) -> None:
    from rich.console import Console
    from rich.table import Table

    from framewise.datasets.select import main_reason

    console = Console()
    for log in selection.without_journal:
        console.print(f"warning: {log}: no journal beside it, left out", style="yellow")
    table = Table(title=f"review queue: {len(selection.items)} frame(s)")
    for name, justify in (
        ("session", "left"),
        ("time", "right"),
        ("frame", "right"),
        ("score", "right"),
        ("main reason", "left"),
        ("classes", "left"),
    ):
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for item in selection.items[:TABLE_ROWS]:
        table.add_row(
            item.session,
            _format_offset(item.seconds),
            str(item.frame_index),
            f"{item.score:.3f}",
            main_reason(item.reasons, selection.options.score),
            ", ".join(item.classes) or "(none)",
        )
    if selection.items:
        console.print(table)
    if len(selection.items) > TABLE_ROWS:
        console.print(f"… and {len(selection.items) - TABLE_ROWS} more in {out}")
    frames = sum(s.frames for s in selection.sessions)
    console.print(
        f"picked {len(selection.items)} of {selection.candidates} candidate frame(s) "
        f"({frames} frames, {len(selection.sessions)} log(s)); "
        f"{selection.skipped} near-duplicate(s) skipped; wrote {out}",
        highlight=False,
    )


def select(
    logs: Annotated[
        list[Path],
        typer.Argument(
            help="Event logs, or folders: every events.json under them.",
            metavar="LOG_OR_DIR",
            show_default=False,
        ),
    ],
    budget: Annotated[int, typer.Option("--budget", "-n", min=1, help="Frames wanted (at most).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="The queue file (JSON).")] = Path(
        "queue.json"
    ),
    band: Annotated[
        tuple[float, float],
        typer.Option(
            "--band",
            metavar="LOW HIGH",
            help="Confidence band of uncertain detections; its middle scores highest.",
        ),
    ] = DEFAULT_BAND,
    min_gap: Annotated[
        float,
        typer.Option(
            "--min-gap",
            min=0,
            help="Seconds between two picks of one session with the same classes.",
        ),
    ] = DEFAULT_MIN_GAP,
    weights: Annotated[
        str,
        typer.Option(
            "--weights", help="Weights of the reasons: uncertainty=…,rarity=…,disagreement=…."
        ),
    ] = _WEIGHTS_TEXT,
    max_per_signature: Annotated[
        int | None,
        typer.Option(
            "--max-per-signature",
            min=1,
            help="Picks per set of classes (default: a quarter of the budget).",
        ),
    ] = None,
    min_score: Annotated[
        float,
        typer.Option("--min-score", help="Frames scoring under this are never picked (0–1)."),
    ] = DEFAULT_MIN_SCORE,
    jump_iou: Annotated[
        float,
        typer.Option("--jump-iou", help="IoU under which a box has jumped between frames."),
    ] = DEFAULT_JUMP_IOU,
) -> None:
    """Pick frames to review: uncertain, rare or flickering detections, a diverse set.

    A frame's score is the weighted mean of its uncertainty (a confidence inside --band,
    highest at its middle), the rarity of its classes across every journal (normalised −log
    frequency) and its disagreement with the neighbouring sampled frames (a class flickering,
    a box jumping). Frames are picked by score, skipping one within --min-gap seconds of a
    pick of the same session with the same classes, and taking at most --max-per-signature
    frames per set of classes: the queue may hold fewer than --budget frames. Open it with
    `framewise review LOG --queue QUEUE.json`.
    """
    from framewise.datasets.select import SelectOptions, select_frames, write_queue
    from framewise.datasets.select_score import ScoreOptions, parse_weights

    score = ScoreOptions(band=band, weights=parse_weights(weights), jump_iou=jump_iou)
    options = SelectOptions(
        budget=budget,
        score=score,
        min_gap=min_gap,
        max_per_signature=max_per_signature,
        min_score=min_score,
    )
    selection = select_frames(logs, options)
    write_queue(out, selection)
    _print_summary(selection, out)


def register(app: typer.Typer) -> None:
    """Add the ``select`` command to ``app``."""
    app.command(name="select")(select)
