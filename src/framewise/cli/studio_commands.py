"""``framewise studio``: the W2 loop's web page and HTTP API (see ``docs/studio-api.md``)."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Annotated

import typer


def studio_command(
    host: Annotated[str | None, typer.Option(help="Interface to bind [127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [8001].")] = None,
    data: Annotated[
        Path | None,
        typer.Option("--data", help="Data folder [~/.local/share/framewise/studio]."),
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="Write token; required when binding to anything but loopback."),
    ] = None,
    max_upload_mb: Annotated[
        int | None, typer.Option(min=1, help="Largest upload accepted, MiB [2048].")
    ] = None,
    sample_fps: Annotated[
        float | None,
        typer.Option(min=0.001, max=1000, help="Frames per second extracted by default [10]."),
    ] = None,
    object_model: Annotated[
        Path | None, typer.Option(help="yolo_onnx model for the yolo and fusion detectors.")
    ] = None,
    workers: Annotated[
        int | None, typer.Option(min=1, max=16, help="Job worker processes [1].")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Serve the task-classification studio: upload, label, train, predict, relabel."""
    import uvicorn

    from framewise.studio import StudioSettings, create_app

    settings = StudioSettings.from_env(
        host=host,
        port=port,
        data_dir=data,
        token=token,
        max_upload_bytes=max_upload_mb * 1024 * 1024 if max_upload_mb is not None else None,
        default_sample_fps=sample_fps,
        object_model=object_model,
        workers=workers,
    )
    app = create_app(settings)
    # Uploads larger than 1 MiB are spooled by Starlette to a temporary file before a handler
    # reads them: keep those on the data root's disk (sized for videos), not in /tmp.
    tempfile.tempdir = str(settings.data_dir.expanduser().resolve() / "tmp")
    typer.echo(f"studio on http://{settings.host}:{settings.port} (data: {settings.data_dir})")
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level)


def register(app: typer.Typer) -> None:
    """Add ``studio`` to ``app``."""
    app.command("studio")(studio_command)
