"""Build the review web app for one event log.

Example:
    >>> session = ReviewSession.open("run/events.json")  # doctest: +SKIP
    >>> app = create_app(session, ReviewSettings(threshold=0.7))  # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.middleware.trustedhost import TrustedHostMiddleware

import framewise
from framewise.core.errors import ConfigError, FramewiseError, InputError
from framewise.profiles import DEFAULT_PROFILE, PROFILES, profile_dir
from framewise.review import routes_api, routes_files
from framewise.review.cache import VideoCache
from framewise.review.deps import ReviewDeps, ReviewSettings
from framewise.review.media import Progress, playable_video, video_size
from framewise.review.queue import read_queue
from framewise.review.session import LogChangedError, ReviewSession, UnknownEventError
from framewise.serving import DEFAULT_MAX_BODY_BYTES, BodySizeLimit, validation_detail

ROUTERS = {"api": routes_api.build_router, "files": routes_files.build_router}
"""Every router of the app, by name, in mounting order."""

LOOPBACK_HOSTS = ["127.0.0.1", "localhost"]
"""Host headers accepted: a page of another site that rebinds its name to 127.0.0.1 is refused."""

STATUS = {UnknownEventError: 404, LogChangedError: 409, ConfigError: 422, InputError: 422}
"""HTTP status of framewise errors raised by a change (anything else is 500)."""


def _detail_body(code: str, message: str) -> dict[str, Any]:
    """The review API's error body: ``{"detail": message}`` (what the page shows)."""
    return {"detail": message}


def _error_status(error: FramewiseError) -> int:
    for kind, status in STATUS.items():
        if isinstance(error, kind):
            return status
    return 500


def create_app(session: ReviewSession, settings: ReviewSettings | None = None) -> FastAPI:
    """The review app for ``session``'s log: the page, its API, thumbnails and the video."""
    deps = ReviewDeps(session, settings or ReviewSettings())
    app = FastAPI(
        title="framewise review",
        version=framewise.__version__,
        docs_url=None,  # Swagger UI loads its assets from a CDN; the page loads nothing remote
        openapi_url="/api/openapi.json",
        redoc_url=None,
    )
    for build in ROUTERS.values():
        app.include_router(build(deps))
    # The page's changes are small; a large body is read no further than the limit.
    app.add_middleware(
        BodySizeLimit,
        max_bytes=deps.settings().max_body_bytes,
        advice="a change to the log is never this large",
        body=_detail_body,
    )
    app.add_middleware(TrustedHostMiddleware, allowed_hosts=LOOPBACK_HOSTS)

    @app.exception_handler(RequestValidationError)
    async def _refused_body(request: Request, error: RequestValidationError) -> JSONResponse:
        # Where and why, not the inputs FastAPI's own answer echoes (they can be megabytes).
        return JSONResponse({"detail": validation_detail(error.errors())}, status_code=422)

    @app.exception_handler(FramewiseError)
    async def _framewise_error(request: Request, error: FramewiseError) -> JSONResponse:
        # One line for the page's status bar; the file on disk was left as it was.
        return JSONResponse({"detail": error.one_line()}, status_code=_error_status(error))

    return app


def open_review(
    log_path: str | Path,
    *,
    video: str | Path | None = None,
    threshold: float = 0.8,
    profile: str | None = DEFAULT_PROFILE,
    progress: Progress | None = None,
    queue: str | Path | None = None,
    cache: VideoCache | None = None,
    max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
) -> tuple[ReviewSession, ReviewSettings]:
    """Read the log and find (and if needed convert) its video.

    The video is ``video`` when given, else the log's ``metadata.video_path`` (relative paths
    are taken from the log's folder) when that file exists; without one the page still works,
    with the timeline drawn from the log's duration. ``queue`` is a review queue written by
    ``framewise select``; the page lists its frames of this log. A video the browser cannot
    play is converted into ``cache`` (the user's cache folder when ``None``, never the log's
    folder). Request bodies above ``max_body_bytes`` are answered 413.

    Raises:
        FramewiseError: The log is missing or invalid, the video given cannot be used, the
            queue is not a review queue, the threshold is outside 0–1, or the body limit
            is not positive.
    """
    if not 0.0 <= threshold <= 1.0:
        raise ConfigError(
            f"threshold {threshold} is outside 0–1", subject="--threshold", hint="e.g. 0.8"
        )
    if max_body_bytes < 1:
        raise ConfigError(
            f"body limit {max_body_bytes} is not positive",
            subject="max_body_bytes",
            hint=f"e.g. {DEFAULT_MAX_BODY_BYTES} (16 MiB)",
        )
    session = ReviewSession.open(log_path)
    queue_path = Path(queue).expanduser().resolve() if queue is not None else None
    if queue_path is not None:
        read_queue(queue_path)  # a bad file fails here, not on the page
    source = _video_source(session, video)
    served = playable_video(source, cache, progress) if source is not None else None
    settings = ReviewSettings(
        threshold=threshold,
        video=served,
        video_name=source.name if source is not None else None,
        profile=profile,
        profile_dir=profile_dir(profile) if profile in PROFILES else None,
        queue=queue_path,
        video_size=video_size(served) if served is not None else None,
        max_body_bytes=max_body_bytes,
    )
    return session, settings


def _video_source(session: ReviewSession, video: str | Path | None) -> Path | None:
    if video is not None:
        return Path(video).expanduser().resolve()
    recorded = session.recorded_video_path()
    if not recorded:
        return None
    path = Path(recorded).expanduser()
    if not path.is_absolute():
        path = session.log_dir / path
    # A log moved to another machine names a recording that is not there: review without it.
    return path.resolve() if path.is_file() else None
