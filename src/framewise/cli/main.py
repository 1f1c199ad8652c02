"""Entry point of the ``framewise`` command.

Errors derived from :class:`framewise.core.errors.FramewiseError` print one line on stderr
and exit with the error's code; there is never a traceback for bad input.
"""

from __future__ import annotations

import logging
import sys

import typer

from framewise import __version__
from framewise.cli import (
    demo,
    export_commands,
    label_commands,
    live_commands,
    ocr_commands,
    process,
    review_commands,
    select_commands,
    store_commands,
    synth_commands,
    train_commands,
    video,
)
from framewise.core.errors import FramewiseError

app = typer.Typer(
    name="framewise",
    help="Turn video into reviewed events, training datasets and trained models.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"framewise {__version__}")
        raise typer.Exit


@app.callback()
def _root(
    verbose: bool = typer.Option(False, "--verbose", "-v", help="Log progress details."),
    version: bool = typer.Option(
        False, "--version", callback=_version, is_eager=True, help="Print the version and exit."
    ),
) -> None:
    """Turn video into reviewed events, training datasets and trained models."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(levelname)s %(name)s: %(message)s",
    )


video.register(app)
process.register(app)
store_commands.register(app)
review_commands.register(app)
live_commands.register(app)
synth_commands.register(app)
train_commands.register(app)
export_commands.register(app)
label_commands.register(app)
select_commands.register(app)
ocr_commands.register(app)
demo.register(app)


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors print one line, no traceback)."""
    try:
        app(args=argv, standalone_mode=False)
    except FramewiseError as error:
        typer.secho(f"framewise: error: {error.one_line()}", err=True, fg="red")
        return error.exit_code
    except KeyboardInterrupt:
        typer.echo("framewise: interrupted", err=True)
        return 130
    except typer.Exit as done:
        return int(done.exit_code or 0)
    except typer.Abort:
        typer.echo("framewise: aborted", err=True)
        return 1
    except Exception as click_error:
        # Click's own usage errors (unknown option, missing argument) carry an exit code.
        code = getattr(click_error, "exit_code", None)
        show = getattr(click_error, "show", None)
        if code is not None and callable(show):
            show()
            return int(code)
        raise
    return 0


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
