"""Entry point of the ``framewise`` command.

Errors derived from :class:`framewise.core.errors.FramewiseError` print one line on stderr
and exit with the error's code; there is never a traceback for bad input. Click's own usage
errors (unknown option, bad value, missing argument) print the same way and exit 2, as a
:class:`~framewise.core.errors.ConfigError` does. A command that ends with
``typer.Exit(N)`` exits N.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator

import typer
import typer.main

# Typer 0.29 vendors Click: its commands raise these, not the ``click`` package's classes.
from typer._click.core import Command, Context
from typer._click.exceptions import (
    BadParameter,
    ClickException,
    MissingParameter,
    NoArgsIsHelpError,
    UsageError,
)
from typer.core import TyperGroup

from framewise import __version__
from framewise.cli import (
    annotate_commands,
    demo,
    export_commands,
    features_commands,
    label_commands,
    live_commands,
    ocr_commands,
    process,
    profile_commands,
    record_commands,
    review_commands,
    select_commands,
    stages_commands,
    stats_commands,
    store_commands,
    studio_commands,
    synth_commands,
    train_commands,
    video,
)
from framewise.core.errors import ConfigError, FramewiseError

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
profile_commands.register(app)
store_commands.register(app)
stats_commands.register(app)
review_commands.register(app)
live_commands.register(app)
synth_commands.register(app)
train_commands.register(app)
features_commands.register(app)
export_commands.register(app)
label_commands.register(app)
select_commands.register(app)
ocr_commands.register(app)
stages_commands.register(app)
demo.register(app)
annotate_commands.register(app)
studio_commands.register(app)
record_commands.register(app)


INTERRUPTED = 130
"""Exit code after Ctrl+C (128 + SIGINT), as shells report it."""


def _commands(command: Command) -> Iterator[Command]:
    """``command`` and every command under it."""
    yield command
    if isinstance(command, TyperGroup):
        for child in command.commands.values():
            yield from _commands(child)


def build_command() -> Command:
    """The Click command of :data:`app`, with its help fixed for flags.

    Typer 0.29 prints a type after every option, so a flag that takes no value read
    ``--json <bool>`` as if it wanted one. An empty metavar is what its help shows instead.
    """
    command = typer.main.get_command(app)
    for each in _commands(command):
        help_option = each.get_help_option(Context(each))
        for param in [*each.params, *([help_option] if help_option else [])]:
            if getattr(param, "is_flag", False) and param.metavar is None:
                param.metavar = ""
    return command


def _command_line(ctx: Context | None) -> str:
    """``framewise frames`` for a usage error's context, however the program was started."""
    names: list[str] = []
    while ctx is not None and ctx.parent is not None:
        names.append(ctx.info_name or "")
        ctx = ctx.parent
    return " ".join(["framewise", *reversed(names)])


def usage_error(error: UsageError) -> ConfigError:
    """Click's usage error as the ConfigError it is (one line, exit 2, what to read)."""
    hint = f"see `{_command_line(error.ctx)} --help`"
    if isinstance(error, BadParameter) and not isinstance(error, MissingParameter):
        named = error.param_hint or (error.param.opts or [error.param.name] if error.param else [])
        subject = named if isinstance(named, str) else " / ".join(n or "" for n in named)
        return ConfigError(f"invalid value: {error.message}", subject=subject or None, hint=hint)
    return ConfigError(error.format_message().rstrip("."), hint=hint)


def _fail(error: FramewiseError) -> int:
    typer.secho(f"framewise: error: {error.one_line()}", err=True, fg="red")
    return error.exit_code


def main(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code (errors print one line, no traceback)."""
    try:
        # Outside standalone mode Click returns the code of ``typer.Exit(N)`` (and 130 after
        # Ctrl+C) instead of exiting: that value is the exit code, and dropping it made
        # every failed ``import`` exit 0.
        result = build_command().main(args=argv, standalone_mode=False)
    except FramewiseError as error:
        return _fail(error)
    except KeyboardInterrupt:
        result = INTERRUPTED
    except NoArgsIsHelpError as bare:
        bare.show()  # ``framewise`` alone prints its help, as before
        return bare.exit_code
    except UsageError as error:
        return _fail(usage_error(error))
    except ClickException as error:
        typer.secho(f"framewise: error: {error.format_message()}", err=True, fg="red")
        return error.exit_code
    except typer.Exit as done:
        result = done.exit_code
    except typer.Abort:
        typer.echo("framewise: aborted", err=True)
        return 1
    code = result if isinstance(result, int) and not isinstance(result, bool) else 0
    if code == INTERRUPTED:
        typer.echo("framewise: interrupted", err=True)
    return code


def run() -> None:
    """Console-script entry point."""
    sys.exit(main())
