"""Files the review page loads: its own static assets, event thumbnails and the video.

Nothing else is served. Static assets come from a fixed table of names inside the package;
thumbnails are image files inside the log's folder (after resolving links and ``..``); the
video is the one file chosen at start, served with HTTP range requests (206 partial content)
so the player seeks anywhere in a long recording without downloading it.
"""

from importlib import resources
from pathlib import Path, PurePosixPath
from typing import Annotated

from fastapi import APIRouter, Depends, HTTPException
from fastapi.responses import FileResponse, Response

from framewise.review.deps import ReviewDeps, ReviewSettings
from framewise.review.session import ReviewSession

STATIC_FILES = {
    "index.html": "text/html; charset=utf-8",
    "app.js": "text/javascript; charset=utf-8",
    "dom.js": "text/javascript; charset=utf-8",
    "editor.js": "text/javascript; charset=utf-8",
    "timeline.js": "text/javascript; charset=utf-8",
    "queue.js": "text/javascript; charset=utf-8",
    "boxes.js": "text/javascript; charset=utf-8",
    "app.css": "text/css; charset=utf-8",
}
"""The page's assets (package folder ``review/static``) and their media types."""

IMAGE_TYPES = {
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".webp": "image/webp",
}
"""Thumbnail endings served, and their media types."""

VIDEO_TYPES = {".mp4": "video/mp4", ".m4v": "video/mp4", ".mov": "video/mp4", ".webm": "video/webm"}

NO_CACHE = {"Cache-Control": "no-cache"}


def _static(name: str) -> Response:
    media_type = STATIC_FILES.get(name)
    if media_type is None:
        raise HTTPException(status_code=404, detail="not found")
    body = (resources.files("framewise.review") / "static" / name).read_bytes()
    return Response(body, media_type=media_type, headers=NO_CACHE)


def thumbnail_path(root: Path, relative: str) -> Path | None:
    """The image file ``relative`` names inside ``root``, or ``None`` when it is not one.

    Refuses absolute paths, paths that leave ``root`` (``..``, links pointing out), files
    that are not images, and anything that does not exist.
    """
    if not relative or "\x00" in relative or "\\" in relative:
        return None
    pure = PurePosixPath(relative)
    if pure.is_absolute() or ".." in pure.parts:
        return None
    resolved_root = root.resolve()
    try:
        candidate = (resolved_root / pure).resolve(strict=True)
    except (OSError, RuntimeError):  # missing, or a link loop
        return None
    if not candidate.is_relative_to(resolved_root) or not candidate.is_file():
        return None
    if candidate.suffix.lower() not in IMAGE_TYPES:
        return None
    return candidate


def build_router(deps: ReviewDeps) -> APIRouter:
    """The page, its assets, thumbnails and the video."""
    router = APIRouter(tags=["files"])

    @router.get("/", include_in_schema=False)
    def index() -> Response:
        return _static("index.html")

    @router.get("/favicon.ico", include_in_schema=False)
    def favicon() -> Response:
        return Response(status_code=204)

    @router.get("/static/{name}", include_in_schema=False)
    def static(name: str) -> Response:
        return _static(name)

    @router.get("/thumbs/{relative:path}", include_in_schema=False)
    def thumbnail(
        relative: str, session: Annotated[ReviewSession, Depends(deps.session)]
    ) -> FileResponse:
        path = thumbnail_path(session.log_dir, relative)
        if path is None:
            raise HTTPException(status_code=404, detail="not found")
        return FileResponse(path, media_type=IMAGE_TYPES[path.suffix.lower()])

    @router.get("/video", include_in_schema=False)
    def video(settings: Annotated[ReviewSettings, Depends(deps.settings)]) -> FileResponse:
        if settings.video is None or not settings.video.is_file():
            raise HTTPException(status_code=404, detail="no video for this log")
        media_type = VIDEO_TYPES.get(settings.video.suffix.lower(), "video/mp4")
        # FileResponse answers Range requests with 206 and Content-Range, and says
        # Accept-Ranges: bytes on full responses.
        return FileResponse(settings.video, media_type=media_type)

    return router
