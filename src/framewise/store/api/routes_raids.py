"""Raid endpoints: start, read, transitions, kills, end.

Besides the contract's paths, the original app's spellings are served too, so a client
written for it works here: ``POST /api/raid/transition`` and ``POST /api/raid/end`` (on the
active raid). Its ``POST /api/raid/{id}/kills`` is not served: a second route on the path of
``GET /api/raid/{id}/kills`` breaks the 405 ``Allow`` header; its field names are accepted.
"""

from typing import Annotated

from fastapi import APIRouter, Depends

from framewise.serving import StrictJSONRoute
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import ERROR_RESPONSES
from framewise.store.api.routes_sessions import RecordId
from framewise.store.errors import NotFoundError
from framewise.store.repository import NewKill
from framewise.store_api.schemas import (
    BatchKillsRequest,
    CreateRaidRequest,
    Ended,
    EndRaidRequest,
    KillCreated,
    KillRequest,
    KillResponse,
    KillsCreated,
    RaidCreated,
    RaidDetailResponse,
    RaidResponse,
    TransitionCreated,
    TransitionRequest,
    TransitionResponse,
)


def _new_kill(body: KillRequest) -> NewKill:
    return NewKill(
        enemy_type=body.enemy_type,
        weapon_used=body.weapon,
        headshot=body.headshot,
        killed_at=body.timestamp,
    )


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/api/raid*`` routes."""
    router = APIRouter(tags=["raids"], responses=ERROR_RESPONSES, route_class=StrictJSONRoute)
    writes = [Depends(deps.authorize)]

    @router.post("/api/raid", status_code=201, dependencies=writes)
    def create_raid(
        body: CreateRaidRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> RaidCreated:
        """Start a raid in the active session; 404 without one, 409 while a raid is active."""
        with store.write() as repo:
            row = repo.create_raid(
                map_name=body.map_name,
                character_type=body.character_type,
                game_mode=body.game_mode,
                started_at=body.started_at,
            )
            return RaidCreated(raid_id=row.raid_id)

    @router.get("/api/raid/current")
    def current_raid(store: Annotated[Store, Depends(deps.store)]) -> RaidResponse:
        """The active raid; 404 when none."""
        with store.read() as repo:
            row = repo.active_raid()
            if row is None:
                raise NotFoundError("no active raid")
            return RaidResponse.model_validate(row)

    @router.post("/api/raid/current/kills/batch", status_code=201, dependencies=writes)
    def add_kills_to_current(
        body: BatchKillsRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> KillsCreated:
        """Add several kills to the active raid in one transaction; 404 when none."""
        with store.write() as repo:
            raid = repo.active_raid()
            if raid is None:
                raise NotFoundError("no active raid")
            ids = repo.add_kills(raid.raid_id, [_new_kill(k) for k in body.kills])
            return KillsCreated(kill_ids=ids)

    @router.post("/api/raid/transition", status_code=201, dependencies=writes)
    def transition_current(
        body: TransitionRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> TransitionCreated:
        """The original app's path: log a state change of the active raid; 404 when none."""
        with store.write() as repo:
            raid = repo.active_raid()
            if raid is None:
                raise NotFoundError("no active raid")
            row = repo.transition(raid.raid_id, body.to_state, body.transitioned_at)
            return TransitionCreated(
                transition_id=row.transition_id, from_state=row.from_state, to_state=row.to_state
            )

    @router.post("/api/raid/end", dependencies=writes)
    def end_current(body: EndRaidRequest, store: Annotated[Store, Depends(deps.store)]) -> Ended:
        """The original app's path: end the active raid; 404 when none."""
        with store.write() as repo:
            raid = repo.active_raid()
            if raid is None:
                raise NotFoundError("no active raid")
            repo.end_raid(
                raid.raid_id,
                final_state=body.final_state,
                extract_location=body.extract_location,
                at=body.ended_at,
            )
            return Ended(raid_id=raid.raid_id, message="raid ended")

    @router.get("/api/raid/{raid_id:int}")
    def get_raid(
        raid_id: RecordId, store: Annotated[Store, Depends(deps.store)]
    ) -> RaidDetailResponse:
        """One raid with its transitions and kill count."""
        with store.read() as repo:
            raid = repo.get_raid(raid_id)
            return RaidDetailResponse(
                **RaidResponse.model_validate(raid).model_dump(),
                transitions=[
                    TransitionResponse.model_validate(t) for t in repo.transitions_for_raid(raid_id)
                ],
                kill_count=repo.kill_count(raid_id),
            )

    @router.get("/api/session/{session_id:int}/raids")
    def session_raids(
        session_id: RecordId, store: Annotated[Store, Depends(deps.store)]
    ) -> list[RaidResponse]:
        """A session's raids in time order (ours: an import checks what it left behind)."""
        with store.read() as repo:
            return [RaidResponse.model_validate(r) for r in repo.raids_for_session(session_id)]

    @router.post("/api/raid/{raid_id:int}/transition", status_code=201, dependencies=writes)
    def transition(
        raid_id: RecordId, body: TransitionRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> TransitionCreated:
        """Log a state change; 404 for an unknown raid, 409 for an ended one."""
        with store.write() as repo:
            row = repo.transition(raid_id, body.to_state, body.transitioned_at)
            return TransitionCreated(
                transition_id=row.transition_id, from_state=row.from_state, to_state=row.to_state
            )

    @router.post("/api/raid/{raid_id:int}/kill", status_code=201, dependencies=writes)
    def add_kill(
        raid_id: RecordId, body: KillRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> KillCreated:
        """Add a kill (``timestamp`` defaults to now); 404 for an unknown raid."""
        with store.write() as repo:
            (kill_id,) = repo.add_kills(raid_id, [_new_kill(body)])
            return KillCreated(kill_id=kill_id)

    @router.get("/api/raid/{raid_id:int}/kills")
    def list_kills(
        raid_id: RecordId, store: Annotated[Store, Depends(deps.store)]
    ) -> list[KillResponse]:
        """A raid's kills in time order."""
        with store.read() as repo:
            return [KillResponse.model_validate(k) for k in repo.kills_for_raid(raid_id)]

    @router.post("/api/raid/{raid_id:int}/end", dependencies=writes)
    def end_raid(
        raid_id: RecordId, body: EndRaidRequest, store: Annotated[Store, Depends(deps.store)]
    ) -> Ended:
        """Log the final state and close the raid; 409 when it has already ended."""
        with store.write() as repo:
            repo.end_raid(
                raid_id,
                final_state=body.final_state,
                extract_location=body.extract_location,
                at=body.ended_at,
            )
            return Ended(raid_id=raid_id, message="raid ended")

    return router
