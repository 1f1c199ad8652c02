"""Session endpoints: start, read, end, and look up (for the importer's duplicate check)."""

from typing import Annotated

from fastapi import APIRouter, Body, Depends, Path, Query

from framewise.serving import StrictJSONRoute
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import ERROR_RESPONSES
from framewise.store.errors import NotFoundError
from framewise.store_api.schemas import (
    IMPORT_KEY_MAX,
    NOTES_MAX,
    ApiTime,
    CreateSessionRequest,
    Ended,
    EndSessionRequest,
    SessionCreated,
    SessionResponse,
)

MAX_ID = 2**63 - 1
"""Largest id a 64-bit INTEGER column holds; bigger path ids are refused with 422."""

RecordId = Annotated[int, Path(ge=1, le=MAX_ID)]


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/api/session*`` routes."""
    router = APIRouter(tags=["sessions"], responses=ERROR_RESPONSES, route_class=StrictJSONRoute)
    writes = [Depends(deps.authorize)]

    @router.post("/api/session", status_code=201, dependencies=writes)
    def create_session(
        body: CreateSessionRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> SessionCreated:
        """Start a session (``started_at`` defaults to now); 409 while another is active."""
        with store.write() as repo:
            row = repo.create_session(
                session_type=body.session_type,
                notes=body.notes,
                started_at=body.started_at,
                source_video=body.source_video,
                import_key=body.import_key,
            )
            return SessionCreated(session_id=row.session_id)

    @router.get("/api/session/current")
    def current_session(store: Annotated[Store, Depends(deps.store)]) -> SessionResponse:
        """The active session; 404 when none."""
        with store.read() as repo:
            row = repo.active_session()
            if row is None:
                raise NotFoundError("no active session")
            return SessionResponse.model_validate(row)

    @router.post("/api/session/end", dependencies=writes)
    def end_session(
        store: Annotated[Store, Depends(deps.store)],
        body: Annotated[EndSessionRequest | None, Body()] = None,
    ) -> Ended:
        """End the active session (``ended_at`` defaults to now); 404 when none."""
        with store.write() as repo:
            row = repo.end_session(body.ended_at if body else None)
            return Ended(session_id=row.session_id, message="session ended")

    @router.get("/api/sessions")
    def find_sessions(
        store: Annotated[Store, Depends(deps.store)],
        import_key: Annotated[str | None, Query(max_length=IMPORT_KEY_MAX)] = None,
        source_video: Annotated[str | None, Query(max_length=NOTES_MAX)] = None,
        started_at: Annotated[ApiTime | None, Query()] = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 50,
    ) -> list[SessionResponse]:
        """Sessions matching every given filter, newest first."""
        with store.read() as repo:
            rows = repo.find_sessions(
                import_key=import_key,
                source_video=source_video,
                started_at=started_at,
                limit=limit,
            )
            return [SessionResponse.model_validate(r) for r in rows]

    @router.get("/api/session/{session_id:int}")
    def get_session(
        session_id: RecordId, store: Annotated[Store, Depends(deps.store)]
    ) -> SessionResponse:
        """One session by id."""
        with store.read() as repo:
            return SessionResponse.model_validate(repo.get_session(session_id))

    return router
