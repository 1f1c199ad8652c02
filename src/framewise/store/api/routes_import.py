"""The atomic import endpoint: a whole session in one transaction, all or nothing."""

from typing import Annotated

from fastapi import APIRouter, Depends

from framewise.serving import StrictJSONRoute
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import ERROR_RESPONSES
from framewise.store_api.schemas import ImportCreated, ImportSessionRequest


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/api/import/session`` route."""
    router = APIRouter(tags=["import"], responses=ERROR_RESPONSES, route_class=StrictJSONRoute)

    @router.post("/api/import/session", status_code=201, dependencies=[Depends(deps.authorize)])
    def import_session(
        body: ImportSessionRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> ImportCreated:
        """Store a session with its raids, transitions and kills, or nothing at all.

        409 with code ``duplicate`` when a session with the same ``import_key`` exists.
        """
        with store.write() as repo:
            return repo.import_session(body)

    return router
