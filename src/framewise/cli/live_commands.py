"""``framewise live``: the pipeline on a capture device, a stream or a replayed recording, served.

Wired into the main CLI with :func:`register`. The command only parses, validates and calls
:class:`framewise.live.service.LiveService`; a
:class:`~framewise.core.errors.FramewiseError` propagates to the main CLI, which prints one
line and exits with the error class's code.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

if TYPE_CHECKING:
    pass

SESSION_TYPES = ("stream", "practice", "casual")


def live_command(
    source: Annotated[
        str,
        typer.Option(
            "--source",
            help="Capture device (0, /dev/video0), stream URL (rtsp://, srt://, tcp://...) "
            "or video file.",
        ),
    ],
    replay: Annotated[
        bool,
        typer.Option(
            "--replay", help="Play the file at real-time pace with its own times (test mode)."
        ),
    ] = False,
    speed: Annotated[
        float | None,
        typer.Option("--speed", min=0.01, help="Replay speed (with --replay) [1.0]."),
    ] = None,
    profile: Annotated[
        str | None, typer.Option("--profile", help="A bundled profile, e.g. tarkov.")
    ] = None,
    config: Annotated[
        Path | None, typer.Option("--config", help="A pipeline YAML file (instead of --profile).")
    ] = None,
    model: Annotated[
        Path | None,
        typer.Option(
            "--model",
            help="Run this ONNX model in the pipeline's first model stage instead (e.g. a "
            "`train task` run's model.onnx for --profile tasks).",
        ),
    ] = None,
    store: Annotated[
        str | None,
        typer.Option(
            "--store",
            help="Event store URL: raids, transitions and kills are written as they happen.",
        ),
    ] = None,
    store_token: Annotated[
        str | None,
        typer.Option("--store-token", envvar="FRAMEWISE_STORE_TOKEN", help="Store write token."),
    ] = None,
    port: Annotated[
        int | None, typer.Option("--port", min=0, max=65535, help="TCP port [8765].")
    ] = None,
    host: Annotated[
        str | None, typer.Option("--host", help="Interface to bind [127.0.0.1].")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(
            "--token",
            envvar="FRAMEWISE_LIVE_TOKEN",
            help="Bearer token for POST /config; required off loopback.",
        ),
    ] = None,
    session_type: Annotated[
        str,
        typer.Option("--session-type", help="stream, practice or casual (for --store)."),
    ] = "stream",
    detection_fps: Annotated[
        float | None,
        typer.Option(
            "--detection-fps",
            help="Frames per second sent to the detectors (default: the pipeline's, 10).",
        ),
    ] = None,
    exit_at_end: Annotated[
        bool,
        typer.Option("--exit-at-end", help="Stop serving when the source ends (a replay's end)."),
    ] = False,
    confidence_threshold: Annotated[
        float | None,
        typer.Option(
            "--confidence-threshold",
            min=0.0,
            max=1.0,
            help="Detector confidence threshold (default: the pipeline's).",
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Also write the session's event log, thumbnails and journal to "
            "OUTPUT/live-<UTC start>/ (the pipeline's sinks, as `process` writes them), "
            "for `framewise review` and training.",
        ),
    ] = None,
) -> None:
    """Detect events live and push them to WebSocket clients, an OBS overlay and the store.

    Serves WS /ws (events), GET /health, GET /stats, GET|POST /config (thresholds) and
    GET /overlay (OBS browser source). Stop with Ctrl-C.
    """
    from framewise.core.errors import ConfigError
    from framewise.live.service import LiveService, options_from_config
    from framewise.live.sources import parse_source

    if session_type not in SESSION_TYPES:
        raise ConfigError(
            f"--session-type {session_type!r} is not one of {SESSION_TYPES}",
            hint="use stream, practice or casual",
        )
    spec = parse_source(source, replay=replay, speed=speed)
    from framewise.cli.options import load_pipeline_option

    pipeline = load_pipeline_option(profile, config, detection_fps, model)
    options = options_from_config(
        pipeline,
        host=host,
        port=port,
        token=token,
        store_url=store,
        store_token=store_token,
        session_type=session_type,
        confidence=confidence_threshold,
        out_dir=_session_folder(output) if output is not None else None,
    )
    service = LiveService(pipeline, spec, options)
    typer.echo(
        f"live: {spec.target}{' (replay)' if spec.replay else ''} → {service.ws_url}; "
        f"health {service.url}/health, overlay {service.url}/overlay"
        + (f"; writing to {options.store_url}" if options.store_url else "")
        + (f"; log in {options.out_dir}" if options.out_dir else "")
    )
    service.serve_forever(exit_at_end=exit_at_end)
    runner = service.runner
    typer.echo(
        f"live: {runner.frames} frames, {sum(runner.counts.values())} events "
        f"({runner.counts_now() or 'none'}), "
        f"{runner.source_stats()['dropped']} dropped; status {runner.status}"
    )
    if runner.failure is not None:
        raise runner.failure


def _session_folder(output: Path) -> Path:
    """A new run folder per live session: ``OUTPUT/live-20260115T180523Z``."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    return output / f"live-{stamp}"


def register(app: typer.Typer) -> None:
    """Add ``live`` to ``app``."""
    app.command("live")(live_command)
