"""The JSON API of the review page: read the log, change events, undo.

Every change is saved to disk before the response is sent, and answers with the whole log,
so the page always shows what the file holds.
"""

import json
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Depends, HTTPException, Query, Response

from framewise.core.events import EventLog, JsonValue
from framewise.events.sinks import THUMBNAILS
from framewise.events.thumbnails import ThumbnailWriter, encode_jpeg, shrink
from framewise.review.boxes import clean_boxes, drawn_labels
from framewise.review.catalog import BoxCatalog
from framewise.review.deps import ReviewDeps, ReviewSettings
from framewise.review.media import grab_frame
from framewise.review.queue import queue_for_log
from framewise.review.schemas import (
    ERROR_RESPONSES,
    ApproveRequest,
    Boxes,
    BulkRequest,
    ChangeResponse,
    EventPatch,
    JournaledBoxes,
    MetaResponse,
    NewEvent,
    QueueResponse,
)
from framewise.review.session import ReviewSession
from framewise.review.vocab import fields_by_type, suggestions
from framewise.serving import StrictJSONRoute

VIDEO_URL = "/video"
QUEUE_URL = "/api/queue"
THUMBNAIL_WIDTH = 640
"""Width of the thumbnails of events a reviewer adds (as the pipeline's default)."""


def _json(body: dict[str, Any], status_code: int = 200) -> Response:
    # Encoded directly: the log can be megabytes and is already plain JSON data, so
    # FastAPI's generic encoder would only repeat work on every keystroke.
    return Response(
        json.dumps(body, ensure_ascii=False, separators=(",", ":")).encode("utf-8"),
        status_code=status_code,
        media_type="application/json",
    )


def _changed(session: ReviewSession, ids: list[str], status_code: int = 200) -> Response:
    """A :class:`ChangeResponse`: the ids changed, the undo depth and the whole log."""
    payload, depth = session.state()
    return _json({"changed": ids, "undo_depth": depth, "log": payload}, status_code)


def _thumbnailer(
    session: ReviewSession, settings: ReviewSettings, seconds: float
) -> Callable[[str], str | None] | None:
    """Writes an added event's thumbnail from the video, beside the pipeline's thumbnails."""
    video = settings.video
    if video is None:
        return None
    writer = ThumbnailWriter(session.log_dir / THUMBNAILS, session.log_dir)

    def write(event_id: str) -> str | None:
        image = grab_frame(video, seconds)
        if image is None:
            return None
        return writer.write(event_id, encode_jpeg(shrink(image, THUMBNAIL_WIDTH), 85))

    return write


def _inside(
    boxes: Boxes | None, settings: ReviewSettings, subject: str
) -> list[dict[str, JsonValue]] | None:
    """The boxes as stored, checked against the video's size when it is known.

    Raises:
        ConfigError: A box reaches outside the video (answered 422 with the reason).
    """
    if boxes is None:
        return None
    return clean_boxes([b.as_json() for b in boxes], subject=subject, size=settings.video_size)


def build_router(deps: ReviewDeps) -> APIRouter:
    """The ``/api`` routes of one review app."""
    # Strict JSON: FastAPI's own reader takes NaN, which the log could then not hold.
    router = APIRouter(
        prefix="/api", tags=["review"], route_class=StrictJSONRoute, responses=ERROR_RESPONSES
    )
    guarded = [Depends(deps.same_origin)]

    @router.get("/log")
    def get_log(session: Annotated[ReviewSession, Depends(deps.session)]) -> Response:
        """The event log, exactly as it is on disk."""
        return _json(session.payload())

    @router.get("/meta")
    def get_meta(
        session: Annotated[ReviewSession, Depends(deps.session)],
        settings: Annotated[ReviewSettings, Depends(deps.settings)],
        catalog: Annotated[BoxCatalog, Depends(deps.catalog)],
    ) -> MetaResponse:
        """Threshold, video, frame rate, editing suggestions and the classes to draw boxes of."""
        log = EventLog.model_validate(session.payload())
        labels = catalog.labels()
        labels += [name for name in drawn_labels(log.events) if name not in labels]
        width, height = settings.video_size or (None, None)
        return MetaResponse(
            log_name=session.log_path.name,
            threshold=settings.threshold,
            video_url=VIDEO_URL if settings.video is not None else None,
            video_name=settings.video_name,
            fps=session.nominal_fps(),
            duration=log.metadata.video_duration_seconds,
            suggestions=suggestions(log, profile_dir=settings.profile_dir),
            fields_by_type=fields_by_type(log, profile=settings.profile),
            undo_depth=session.undo_depth,
            queue_url=QUEUE_URL if settings.queue is not None else None,
            box_labels=labels,
            video_width=width,
            video_height=height,
        )

    @router.get("/journal-boxes")
    def get_journal_boxes(
        catalog: Annotated[BoxCatalog, Depends(deps.catalog)],
        seconds: Annotated[float, Query(ge=0)],
    ) -> JournaledBoxes:
        """The model's boxes on the journaled frame nearest ``seconds`` (none within 1 s: [])."""
        found = catalog.frame(seconds)
        if found is None:
            return JournaledBoxes(seconds=None, boxes=[])
        return JournaledBoxes(
            seconds=found.seconds,
            boxes=[
                {"label": label, "confidence": round(score, 3), "xyxy": [x1, y1, x2, y2]}
                for label, score, x1, y1, x2, y2 in found.rows
            ],
        )

    @router.get(QUEUE_URL.removeprefix("/api"), response_model=QueueResponse)
    def get_queue(
        session: Annotated[ReviewSession, Depends(deps.session)],
        settings: Annotated[ReviewSettings, Depends(deps.settings)],
    ) -> Response:
        """The review queue's frames of this log (404 when no ``--queue`` was given).

        The queue file is the one named on the command line, read again on every request.
        """
        if settings.queue is None:
            raise HTTPException(status_code=404, detail="no review queue (start with --queue)")
        return _json(queue_for_log(settings.queue, session.log_path))

    @router.patch("/events/{event_id}", response_model=ChangeResponse, dependencies=guarded)
    def patch_event(
        event_id: str,
        patch: EventPatch,
        session: Annotated[ReviewSession, Depends(deps.session)],
        settings: Annotated[ReviewSettings, Depends(deps.settings)],
    ) -> Response:
        """Edit an event's type, data fields, time, or the boxes drawn on an added event."""
        event = session.update(
            event_id,
            type_=patch.type,
            data=patch.data,
            video_offset_seconds=patch.video_offset_seconds,
            boxes=_inside(patch.boxes, settings, event_id),
        )
        return _changed(session, [event.event_id])

    @router.delete("/events/{event_id}", response_model=ChangeResponse, dependencies=guarded)
    def delete_event(
        event_id: str, session: Annotated[ReviewSession, Depends(deps.session)]
    ) -> Response:
        """Delete a false positive."""
        return _changed(session, session.delete([event_id]))

    @router.post("/events", response_model=ChangeResponse, status_code=201, dependencies=guarded)
    def add_event(
        new: NewEvent,
        session: Annotated[ReviewSession, Depends(deps.session)],
        settings: Annotated[ReviewSettings, Depends(deps.settings)],
    ) -> Response:
        """Add an event the model missed (with the boxes drawn on its frame)."""
        boxes = _inside(new.boxes, settings, "new event")
        event = session.add(
            new.type,
            new.video_offset_seconds,
            new.data,
            new.confidence,
            thumbnail=_thumbnailer(session, settings, new.video_offset_seconds),
            boxes=boxes,
        )
        return _changed(session, [event.event_id], 201)

    @router.post("/approve", response_model=ChangeResponse, dependencies=guarded)
    def approve(
        request: ApproveRequest, session: Annotated[ReviewSession, Depends(deps.session)]
    ) -> Response:
        """Confirm events (or take confirmations back)."""
        return _changed(session, session.approve(request.ids, request.approved))

    @router.post("/bulk", response_model=ChangeResponse, dependencies=guarded)
    def bulk(
        request: BulkRequest, session: Annotated[ReviewSession, Depends(deps.session)]
    ) -> Response:
        """Approve or delete a selection or every event of a time range, as one undo step."""
        ids = request.ids if request.ids is not None else session.ids_between(*request.span())
        if request.action == "delete":
            return _changed(session, session.delete(ids))
        return _changed(session, session.approve(ids, request.action == "approve"))

    @router.post("/undo", response_model=ChangeResponse, dependencies=guarded)
    def undo(session: Annotated[ReviewSession, Depends(deps.session)]) -> Response:
        """Take back the last change (409 when there is nothing to undo)."""
        return _changed(session, [], 200 if session.undo() else 409)

    return router
