"""``framewise review``: check and correct an event log in the browser, beside its video.

Wired into the main CLI with :func:`register`. The command only parses, prepares and serves;
a :class:`~framewise.core.errors.FramewiseError` propagates to the main CLI, which prints one
line and exits with the error class's code.
"""

from __future__ import annotations

import webbrowser
from pathlib import Path
from typing import Annotated

import typer

from framewise.profiles import DEFAULT_PROFILE

DEFAULT_PORT = 8790


def review(
    events: Annotated[Path, typer.Argument(help="The JSON event log to review.")],
    video: Annotated[
        Path | None,
        typer.Option(
            help="The recording (default: the log's metadata.video_path); MKV is remuxed once."
        ),
    ] = None,
    port: Annotated[int, typer.Option(help="TCP port on 127.0.0.1 (0: any free one).")] = (
        DEFAULT_PORT
    ),
    threshold: Annotated[
        float, typer.Option(help="Confidence under which events are highlighted.")
    ] = 0.8,
    profile: Annotated[
        str, typer.Option(help="Profile whose vocabularies are suggested in edits.")
    ] = DEFAULT_PROFILE,
    queue: Annotated[
        Path | None,
        typer.Option(
            "--queue",
            help="A review queue from `framewise select`: the page lists its frames of this log.",
        ),
    ] = None,
    no_browser: Annotated[
        bool, typer.Option("--no-browser", help="Print the URL but do not open a browser.")
    ] = False,
) -> None:
    """Review an event log: timeline, keyboard edits, approve, undo, boxes on added events.

    Every change is saved to the log at once; boxes drawn on the events you add (b) are the
    labels `framewise export` trains the next model on.
    """
    from framewise.review import ReviewServer, open_review
    from framewise.sources.probe import probe

    if video is not None:
        # A file that is no video must fail here, in one line, not later in the browser.
        probe(video)
    session, settings = open_review(
        events,
        video=video,
        threshold=threshold,
        profile=profile,
        progress=typer.echo,
        queue=queue,
    )
    if video is None and settings.video is not None:
        probe(settings.video)  # the recording the log names
    if not session.complete:
        typer.echo(
            "warning: this log is a checkpoint of an unfinished run (complete: false); "
            "a resumed run rewrites it — finish the run before reviewing"
        )
    if settings.queue is not None:
        from framewise.review.queue import queue_for_log

        listed = queue_for_log(settings.queue, session.log_path)
        typer.echo(
            f"queue {settings.queue.name}: {len(listed['items'])} frame(s) of this log "
            f"({listed['total']} in the file); press q for the next"
        )
    if settings.video is None:
        typer.echo("no video found for this log (pass --video); reviewing without a player")
    server = ReviewServer(session, settings, port=port).start()
    typer.echo(f"reviewing {session.log_path} — open {server.url} (Ctrl+C to stop)")
    if not no_browser:
        webbrowser.open(server.url)
    try:
        server.wait()
    except KeyboardInterrupt:
        typer.echo("stopped; every change is already saved")
    finally:
        server.stop()


def register(app: typer.Typer) -> None:
    """Add the ``review`` command to ``app``."""
    app.command(name="review")(review)
