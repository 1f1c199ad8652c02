"""The documented exception tree.

Every error framewise raises on purpose derives from :class:`FramewiseError`. Each carries
the thing it is about (a file, a URL, a YAML line) and a hint that says what to do, so the
CLI can print one line and exit with the class's code, with no traceback::

    FramewiseError                      exit 1
    ├── ConfigError                     exit 2   bad YAML/JSON, bad flag values
    ├── InputError                      exit 3   a file we cannot use
    │   ├── InputNotFoundError                   the path does not exist
    │   ├── NotAVideoError                       not a media file, or no video stream
    │   ├── CorruptVideoError                    the container or stream cannot be decoded
    │   ├── EventLogError                        not an event log (events.log; also a
    │   │                                        ConfigError, still exit 3)
    │   ├── GroundTruthError                     no ground truth eval can score (eval.events;
    │   │                                        also a ConfigError, still exit 3)
    │   └── UnknownEventError, LogChangedError   review: no such event; the log changed
    ├── SourceError                     exit 4   a live source that failed or disconnected
    ├── ModelError                      exit 5   a model file that cannot be loaded or run
    ├── StoreError                      exit 6   the event store refused or cannot be reached
    │   └── StoreRequestError, StoreUnavailableError, StoreAmbiguousError (store_api.errors)
    └── OutputError                     exit 7   results cannot be written

The ``framewise`` command exits with these codes, and also: 0 on success; 2 for Click's own
usage errors (an unknown option, a missing argument), printed as a ConfigError is; 3 or 6
when ``import`` could not import everything (``ImportSummary.exit_code``); 130 after Ctrl+C.
"""

from __future__ import annotations

from pathlib import Path


class FramewiseError(Exception):
    """Base of every error framewise raises on purpose.

    Args:
        message: What went wrong, in one sentence.
        subject: The file, URL or setting the error is about.
        hint: What the user can do about it.
    """

    exit_code = 1

    def __init__(self, message: str, *, subject: str | Path | None = None, hint: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.subject = str(subject) if subject is not None else None
        self.hint = hint

    def one_line(self) -> str:
        """Render the error as the single line the CLI prints."""
        parts = [f"{self.subject}: {self.message}" if self.subject else self.message]
        if self.hint:
            parts.append(self.hint)
        return " — ".join(parts).replace("\n", " ")

    def __str__(self) -> str:
        return self.one_line()


class ConfigError(FramewiseError):
    """A configuration file, document or command-line value is invalid."""

    exit_code = 2


class InputError(FramewiseError):
    """An input file cannot be used."""

    exit_code = 3


class InputNotFoundError(InputError):
    """The input path does not exist."""


class NotAVideoError(InputError):
    """The file is not a media file, or holds no video stream."""


class CorruptVideoError(InputError):
    """The file is a video container but cannot be decoded."""


class SourceError(FramewiseError):
    """A live source failed, or stayed disconnected past its retry budget."""

    exit_code = 4


class ModelError(FramewiseError):
    """A model file cannot be loaded or run."""

    exit_code = 5


class StoreError(FramewiseError):
    """The event store refused a request or cannot be reached."""

    exit_code = 6


class OutputError(FramewiseError):
    """Results cannot be written."""

    exit_code = 7
