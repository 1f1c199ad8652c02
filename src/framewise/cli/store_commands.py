"""``framewise serve`` (the event store) and ``framewise import`` (event logs → store).

Wired into the main CLI with :func:`register`. Both commands only parse, validate and call
the library; a :class:`~framewise.core.errors.FramewiseError` propagates to the main CLI,
which prints one line and exits with the error class's code.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

DEFAULT_API = "http://127.0.0.1:8787"


def serve(
    host: Annotated[str | None, typer.Option(help="Interface to bind [127.0.0.1].")] = None,
    port: Annotated[int | None, typer.Option(help="TCP port [8787].")] = None,
    data_dir: Annotated[
        Path | None, typer.Option(help="Folder of the SQLite database [~/.local/share/...].")
    ] = None,
    database_url: Annotated[
        str | None, typer.Option(help="Any SQLAlchemy URL instead of the SQLite file.")
    ] = None,
    token: Annotated[
        str | None,
        typer.Option(help="Write token; required when binding to anything but loopback."),
    ] = None,
    max_body_bytes: Annotated[
        int | None, typer.Option(help="Largest request body accepted [16 MiB].")
    ] = None,
    log_level: Annotated[str, typer.Option(help="uvicorn log level.")] = "info",
) -> None:
    """Run the event store: REST API, OpenAPI at /docs, dashboard at /."""
    import uvicorn

    from framewise.store.api import create_app
    from framewise.store.settings import StoreSettings

    settings = StoreSettings.from_env(
        host=host,
        port=port,
        data_dir=data_dir,
        database_url=database_url,
        token=token,
        max_body_bytes=max_body_bytes,
    )
    app = create_app(settings)
    typer.echo(
        f"event store on http://{settings.host}:{settings.port} "
        f"({settings.resolved_database_url()})"
    )
    uvicorn.run(app, host=settings.host, port=settings.port, log_level=log_level)


def import_logs(
    paths: Annotated[list[Path], typer.Argument(help="Event logs (JSON) or folders of them.")],
    api: Annotated[
        str, typer.Option(envvar="FRAMEWISE_STORE_URL", help="The event store's URL.")
    ] = DEFAULT_API,
    dry_run: Annotated[bool, typer.Option(help="Print every call without sending.")] = False,
    token: Annotated[
        str | None, typer.Option(envvar="FRAMEWISE_STORE_TOKEN", help="Write token.")
    ] = None,
    mode: Annotated[
        str, typer.Option(help="auto (atomic endpoint when available), atomic or single.")
    ] = "auto",
    timeout: Annotated[float, typer.Option(help="Seconds per request.")] = 30.0,
    retries: Annotated[int, typer.Option(help="Tries per request on transient failures.")] = 8,
    stats: Annotated[bool, typer.Option(help="Print all-time stats afterwards.")] = False,
) -> None:
    """Import event logs into the event store, oldest session first.

    Exits 0 when everything was imported (or was already there), 3 when only logs that are
    not event logs failed, and 6 when the store refused data or went away; a dry run of
    logs that cannot be imported fails the same way.
    """
    from framewise.core.errors import ConfigError, InputError
    from framewise.importer.runner import Importer, ImportMode
    from framewise.store_api.client import StoreClient
    from framewise.store_api.retry import RetryPolicy

    modes: dict[str, ImportMode] = {"auto": "auto", "atomic": "atomic", "single": "single"}
    if mode not in modes:
        raise ConfigError(f"unknown mode {mode!r}", subject="--mode", hint="auto|atomic|single")
    if retries < 1:
        raise ConfigError("needs at least one try", subject="--retries", hint="e.g. 8")
    with StoreClient(
        api,
        token=token,
        timeout=timeout,
        retry=RetryPolicy(attempts=retries),
        on_retry=lambda what, delay, why: typer.echo(f"retry {what} in {delay:.1f} s: {why}"),
    ) as client:
        summary = Importer(
            None if dry_run else client, mode=modes[mode], dry_run=dry_run, echo=typer.echo
        ).run(paths)
        if summary.files == 0:
            raise InputError(
                "no event logs here (no *.json file)",
                subject=", ".join(map(str, paths)),
                hint="give the event logs `framewise process` wrote, or folders of them",
            )
        typer.echo(summary.render())
        if stats and not dry_run:
            typer.echo(client.global_stats().model_dump_json(indent=2))
    if not summary.ok:
        raise typer.Exit(summary.exit_code)


def register(app: typer.Typer) -> None:
    """Add ``serve`` and ``import`` to the main CLI."""
    app.command("serve")(serve)
    app.command("import")(import_logs)
