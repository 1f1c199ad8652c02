"""``framewise synth`` (render a synthetic session) and ``framewise dataset yolo`` (export one).

``synth`` is a group whose own options render a game session when no subcommand follows;
``synth stereo`` renders the W1 stereo rig (``synth-stereo`` stays as its older name).

Example:
    framewise synth --minutes 10 --seed 7 --out session.mkv --size 1280x720 --fps 30 --vfr
    framewise synth stereo --out rig --seed 3
    framewise synth --minutes 3 --seed 951 --size 1920x1080 --fps 60 --out s.mkv \
        --degrade grain,downscale=720,bitrate=2M,overlay=chat --degrade-seed 3
    framewise dataset yolo a.mkv b.mkv c.mkv --out dataset --fps 2 --val-share 0.2
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Annotated

import typer

from framewise.cli import matrix_commands
from framewise.cli.options import START_TIME_HELP, parse_size, parse_start_time
from framewise.cli.progress import frame_progress
from framewise.cli.record_commands import synth_stereo_command
from framewise.core.errors import ConfigError
from framewise.synth.degrade import DEGRADE_HELP, parse_degradation
from framewise.synth.groundtruth import groundtruth_path


def synth_command(
    ctx: typer.Context,
    minutes: Annotated[float, typer.Option("--minutes", help="Length of the session.")] = 10.0,
    seed: Annotated[int, typer.Option("--seed", help="Same seed, same session.")] = 0,
    out: Annotated[Path, typer.Option("--out", "-o", help="Video to write (.mkv or .mp4).")] = Path(
        "session.mkv"
    ),
    size: Annotated[str, typer.Option("--size", help="WIDTHxHEIGHT.")] = "1280x720",
    fps: Annotated[float, typer.Option("--fps", help="Frame rate (nominal, with --vfr).")] = 30.0,
    vfr: Annotated[bool, typer.Option("--vfr", help="Variable frame rate, like OBS.")] = False,
    bitrate: Annotated[
        int | None, typer.Option("--bitrate", help="kbit/s; default suits the size and rate.")
    ] = None,
    preset: Annotated[
        str, typer.Option("--preset", help="x264 preset (veryfast is OBS's default).")
    ] = "superfast",
    start_in_raid: Annotated[
        bool, typer.Option("--start-in-raid", help="Begin in the middle of a short raid.")
    ] = False,
    short_raids: Annotated[
        bool,
        typer.Option(
            "--short-raids", help="Every raid 15-40 s: more of the rare screens (training mixes)."
        ),
    ] = False,
    pacing: Annotated[
        str,
        typer.Option(
            "--pacing",
            help="game: a whole game in minutes (raids 40-200 s, a kill every 6-30 s); "
            "stream: as real recordings (raids 5-30 min, kills minutes apart, minutes in the "
            "stash); short: as --short-raids.",
        ),
    ] = "game",
    start_time: Annotated[
        str | None,
        typer.Option(
            "--start-time", help=f"creation_time ({START_TIME_HELP}); default derives from seed."
        ),
    ] = None,
    degrade: Annotated[str, typer.Option("--degrade", help=DEGRADE_HELP)] = "clean",
    degrade_seed: Annotated[
        int, typer.Option("--degrade-seed", help="Seed of the degradation (grain, colours, …).")
    ] = 0,
) -> None:
    """Render a game-like session with exact ground truth (<out stem>.groundtruth.json).

    `framewise synth stereo` renders the stereo pitching rig instead (W1).
    """
    from framewise.synth.render import RenderSettings, render_session

    if ctx.invoked_subcommand is not None:
        given = [
            f"--{name.replace('_', '-')}"
            for name in ctx.params
            # Typer 0.29 vendors Click: its ParameterSource enum is not public, its names are.
            if getattr(ctx.get_parameter_source(name), "name", "DEFAULT") != "DEFAULT"
        ]
        if given:  # they would be dropped silently: the subcommand has its own
            raise ConfigError(
                f"{', '.join(given)} belong to `framewise synth` itself, not to "
                f"`synth {ctx.invoked_subcommand}`",
                hint=f"put the options after the subcommand: synth {ctx.invoked_subcommand} …",
            )
        return
    if not minutes > 0:
        raise ConfigError(f"--minutes must be positive, got {minutes}", hint="e.g. --minutes 10")
    dimensions = parse_size(size)
    if dimensions is None:
        raise ConfigError("--size is empty", hint="write it like 1280x720")
    settings = RenderSettings(
        seconds=minutes * 60.0,
        seed=seed,
        width=dimensions[0],
        height=dimensions[1],
        fps=fps,
        vfr=vfr,
        bitrate=bitrate * 1000 if bitrate is not None else None,
        preset=preset,
        creation_time=parse_start_time(start_time),
        start_in_raid=start_in_raid,
        short_raids=short_raids,
        pacing=pacing,
        degrade=parse_degradation(degrade),
        degrade_seed=degrade_seed,
    )
    began = time.perf_counter()
    total = len(settings.schedule())
    with frame_progress(f"rendering {out.name}", total) as advance:
        truth = render_session(out, settings, lambda done, _total: advance(done))
    took = time.perf_counter() - began
    meta = truth.metadata
    kinds = Counter(e.type for e in truth.events)
    typer.echo(
        f"wrote {out} ({meta.width}x{meta.height}, {meta.frame_count} frames, "
        f"{meta.duration_seconds:.1f} s, {'VFR' if meta.vfr else 'CFR'} {meta.fps:g} fps, "
        f"{meta.bitrate // 1000} kbit/s{'' if meta.degrade == 'clean' else ', ' + meta.degrade})"
        f" in {took:.1f} s "
        f"({meta.duration_seconds / took:.1f}x real time)"
    )
    typer.echo(
        f"ground truth: {groundtruth_path(out)} — {len(truth.raids)} raids, "
        f"{kinds['kill']} kills, {kinds['state_transition']} state transitions, "
        f"{len(truth.elements)} labelled elements"
    )


synth_app = typer.Typer()
synth_app.callback(invoke_without_command=True)(synth_command)
synth_app.command("stereo")(synth_stereo_command)

dataset_app = typer.Typer(help="Export training datasets.", no_args_is_help=True)


@dataset_app.command("yolo")
def dataset_yolo_command(
    sessions: Annotated[list[Path], typer.Argument(help="Rendered sessions (videos).")],
    out: Annotated[Path, typer.Option("--out", "-o", help="Dataset folder.")] = Path("dataset"),
    fps: Annotated[float, typer.Option("--fps", help="Frames sampled per second.")] = 2.0,
    val_share: Annotated[
        float, typer.Option("--val-share", help="Share of sessions kept for validation.")
    ] = 0.2,
    negatives: Annotated[
        float, typer.Option("--negatives", help="Largest share of images without boxes.")
    ] = 0.1,
    balance: Annotated[
        float | None,
        typer.Option(
            "--balance",
            help="Thin common training images: keep each with probability "
            "min(1, sqrt(B / share of images showing its rarest class)); e.g. 0.05.",
        ),
    ] = None,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the split.")] = 0,
    overwrite: Annotated[
        bool, typer.Option("--overwrite", help="Replace a dataset already in --out.")
    ] = False,
) -> None:
    """Export rendered sessions to a YOLO dataset (images, labels, data.yaml), split by session."""
    from framewise.synth.yolo_export import export_yolo

    with frame_progress("exporting sessions", len(sessions)) as advance:
        report = export_yolo(
            sessions,
            out,
            fps=fps,
            val_share=val_share,
            negative_share=negatives,
            balance=balance,
            seed=seed,
            overwrite=overwrite,
            progress=lambda done, _total: advance(done),
        )
    for split in ("train", "val"):
        names = sorted(Path(s).name for s, where in report.split_of.items() if where == split)
        typer.echo(
            f"{split}: {report.images[split]} images ({report.negatives[split]} negatives), "
            f"{report.boxes[split]} boxes from {', '.join(names) or 'no sessions'}"
        )
    typer.echo(f"data: {report.data_yaml}")


def register(app: typer.Typer) -> None:
    """Add ``synth`` (and ``synth stereo``), ``dataset`` and ``eval-matrix`` to ``app``."""
    app.add_typer(synth_app, name="synth")
    app.add_typer(dataset_app, name="dataset")
    matrix_commands.register(app)
