"""The generic core's endpoints: events and artefacts of a session.

Any workflow writes what it found (events) and what it produced (artefacts) here, with a
JSON payload of its own fields; the raid routes are the Tarkov profile's extension. Writes
need the token like every other write; a missing session is 404, as for raids.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from framewise.serving import StrictJSONRoute
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import ERROR_RESPONSES
from framewise.store.api.routes_sessions import RecordId
from framewise.store_api.constants import LIST_LIMIT_MAX, LIST_OFFSET_MAX, NAME_MAX
from framewise.store_api.records import (
    ArtefactCreate,
    ArtefactCreated,
    ArtefactOut,
    EventBatch,
    EventOut,
    EventsCreated,
)


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/api/sessions/{id}/events``, ``/api/events/{id}`` and artefact routes."""
    router = APIRouter(responses=ERROR_RESPONSES, route_class=StrictJSONRoute)
    writes = [Depends(deps.authorize)]

    @router.post(
        "/api/sessions/{session_id:int}/events",
        status_code=201,
        dependencies=writes,
        tags=["events"],
    )
    def add_events(
        session_id: RecordId, body: EventBatch, store: Annotated[Store, Depends(deps.store)]
    ) -> EventsCreated:
        """Store events of a session, all or nothing (``timestamp`` defaults to now)."""
        with store.write() as repo:
            return EventsCreated(event_ids=repo.add_events(session_id, body.events))

    @router.get("/api/sessions/{session_id:int}/events", tags=["events"])
    def list_events(
        session_id: RecordId,
        store: Annotated[Store, Depends(deps.store)],
        event_type: Annotated[str | None, Query(alias="type", max_length=NAME_MAX)] = None,
        limit: Annotated[int, Query(ge=1, le=LIST_LIMIT_MAX)] = 1000,
        offset: Annotated[int, Query(ge=0, le=LIST_OFFSET_MAX)] = 0,
    ) -> list[EventOut]:
        """A session's events in time order, optionally of one ``type``, a page at a time."""
        with store.read() as repo:
            rows = repo.events_for_session(
                session_id, event_type=event_type, limit=limit, offset=offset
            )
            return [EventOut.model_validate(r) for r in rows]

    @router.get("/api/events/{event_id:int}", tags=["events"])
    def get_event(event_id: RecordId, store: Annotated[Store, Depends(deps.store)]) -> EventOut:
        """One event by id."""
        with store.read() as repo:
            return EventOut.model_validate(repo.get_event(event_id))

    @router.post(
        "/api/sessions/{session_id:int}/artefacts",
        status_code=201,
        dependencies=writes,
        tags=["artefacts"],
    )
    def add_artefact(
        session_id: RecordId, body: ArtefactCreate, store: Annotated[Store, Depends(deps.store)]
    ) -> ArtefactCreated:
        """Store an artefact of a session; 409 when its event belongs to another session."""
        with store.write() as repo:
            return ArtefactCreated(artefact_id=repo.add_artefact(session_id, body).artefact_id)

    @router.get("/api/sessions/{session_id:int}/artefacts", tags=["artefacts"])
    def list_artefacts(
        session_id: RecordId,
        store: Annotated[Store, Depends(deps.store)],
        kind: Annotated[str | None, Query(max_length=NAME_MAX)] = None,
    ) -> list[ArtefactOut]:
        """A session's artefacts in the order they were stored, optionally of one ``kind``."""
        with store.read() as repo:
            return [
                ArtefactOut.model_validate(a)
                for a in repo.artefacts_for_session(session_id, kind=kind)
            ]

    return router
