"""``framewise demo``: the main job on embedded defaults, printing where the results are."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli.progress import frame_progress
from framewise.datasets.frames import extract_frames
from framewise.sources.file import FileSource
from framewise.sources.probe import probe

DEMO_START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def demo_command(
    out: Annotated[Path, typer.Option("--out", "-o", help="Folder for the demo's results.")] = Path(
        "demo-output"
    ),
) -> None:
    """Make a sample recording, probe it and extract frames for labelling from it."""
    from framewise.testing.clips import make_clip

    out.mkdir(parents=True, exist_ok=True)
    sample = out / "sample.mkv"
    if not sample.exists():
        typer.echo(f"rendering a 20 s 720p30 sample recording to {sample}")
        make_clip(sample, seconds=20, width=1280, height=720, fps=30, creation_time=DEMO_START)
    info = probe(sample)
    typer.echo(json.dumps(info.as_dict(), indent=2))
    source = FileSource(sample, sample_fps=2)
    with frame_progress("extracting frames", round((info.duration_seconds or 0) * 2)) as advance:
        report = extract_frames(source, out / "frames", on_frame=advance)
    typer.echo(f"\nprobe:  framewise probe {sample}")
    typer.echo(
        f"frames: {report.written} new frames in {report.out_dir}/ (index: {report.csv_path})"
    )


def register(app: typer.Typer) -> None:
    """Add ``demo`` to ``app``."""
    app.command("demo")(demo_command)
