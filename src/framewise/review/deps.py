"""What the review app's handlers depend on, handed to them with FastAPI's ``Depends``.

Routers are built by factory functions that receive one :class:`ReviewDeps`; nothing is hung
on ``app.state``, so two review apps in one process (tests run several) share nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from fastapi import HTTPException, Request

from framewise.events.sinks import JOURNAL_NAME
from framewise.profiles import DEFAULT_PROFILE
from framewise.review.catalog import BoxCatalog
from framewise.review.session import ReviewSession
from framewise.serving import DEFAULT_MAX_BODY_BYTES

DEFAULT_THRESHOLD = 0.8
"""Events under this confidence are highlighted for review."""


@dataclass(frozen=True)
class ReviewSettings:
    """How one review app serves its log.

    Attributes:
        threshold: Confidence under which events are highlighted.
        video: The file the browser plays (the recording or its cached MP4), if any.
        video_name: The recording's name, as shown on the page.
        profile: Profile whose built-in vocabularies are suggested.
        profile_dir: Profile folder holding an optional ``vocabularies.yaml``.
        queue: The review queue file (``framewise select --out``) given on the command line.
        video_size: ``(width, height)`` of the video's frames, when known: drawn boxes must
            lie inside it.
        max_body_bytes: Largest request body read (413 above it), as the event store's.
    """

    threshold: float = DEFAULT_THRESHOLD
    video: Path | None = None
    video_name: str | None = None
    profile: str | None = DEFAULT_PROFILE
    profile_dir: Path | None = None
    queue: Path | None = None
    video_size: tuple[int, int] | None = None
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES


class ReviewDeps:
    """The dependencies of every router of one review app."""

    def __init__(self, session: ReviewSession, settings: ReviewSettings) -> None:
        self._session = session
        self._settings = settings
        # Read on first use and kept for the server's life (a model load, a journal read).
        self._catalog = BoxCatalog(session.log_dir / JOURNAL_NAME, session.pipeline_name())

    def session(self) -> ReviewSession:
        """Dependency: the log under review."""
        return self._session

    def settings(self) -> ReviewSettings:
        """Dependency: how the app serves it."""
        return self._settings

    def catalog(self) -> BoxCatalog:
        """Dependency: the class names to draw boxes with, and the journaled boxes."""
        return self._catalog

    def same_origin(self, request: Request) -> None:
        """Dependency of every change: refuse requests sent by pages of other sites.

        A browser adds ``Origin`` to cross-site requests; only the review page's own origin
        may change the log (the Host header itself is checked by the host middleware).

        Raises:
            HTTPException: 403 for another origin.
        """
        origin = request.headers.get("origin")
        host = request.headers.get("host", "")
        if origin is not None and origin != f"http://{host}":
            raise HTTPException(status_code=403, detail=f"changes from {origin} are refused")
