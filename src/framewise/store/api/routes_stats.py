"""Statistics endpoints: per session, per raid, and all-time (optionally per game mode)."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query

from framewise.serving import StrictJSONRoute
from framewise.store import stats
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import ERROR_RESPONSES
from framewise.store.api.routes_charts import allow_any_origin
from framewise.store.api.routes_sessions import RecordId
from framewise.store.errors import NotFoundError
from framewise.store.repository import Repository
from framewise.store.stats import SessionRow
from framewise.store_api.schemas import GameMode


def _session_stats(repo: Repository, session_id: int) -> stats.SessionStats:
    session = repo.get_session(session_id)
    row = SessionRow(session_id=session.session_id, started_at=session.started_at)
    return stats.session_stats(row, repo.raid_rows(session_id))


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/api/stats/*`` routes."""
    router = APIRouter(
        tags=["stats"],
        responses=ERROR_RESPONSES,
        route_class=StrictJSONRoute,
        dependencies=[Depends(allow_any_origin)],  # the OBS overlay reads them from elsewhere
    )

    @router.get("/api/stats/session/current")
    def current_session_stats(store: Annotated[Store, Depends(deps.store)]) -> stats.SessionStats:
        """Statistics of the active session; 404 when none."""
        with store.read() as repo:
            active = repo.active_session()
            if active is None:
                raise NotFoundError("no active session")
            return _session_stats(repo, active.session_id)

    @router.get("/api/stats/session/{session_id:int}")
    def session_stats(
        session_id: RecordId, store: Annotated[Store, Depends(deps.store)]
    ) -> stats.SessionStats:
        """Statistics of one session."""
        with store.read() as repo:
            return _session_stats(repo, session_id)

    @router.get("/api/stats/raid/{raid_id:int}")
    def raid_stats(
        raid_id: RecordId, store: Annotated[Store, Depends(deps.store)]
    ) -> stats.RaidStats:
        """Time in each state of a raid, its kills and duration."""
        with store.read() as repo:
            raid = repo.get_raid(raid_id)
            duration = (raid.ended_at - raid.started_at).total_seconds() if raid.ended_at else None
            return stats.RaidStats(
                raid_id=raid_id,
                state_durations=stats.time_in_states(repo.transition_rows(raid_id)),
                kill_count=repo.kill_count(raid_id),
                duration_seconds=duration,
            )

    @router.get("/api/stats/global")
    def global_stats(
        store: Annotated[Store, Depends(deps.store)],
        game_mode: Annotated[GameMode | None, Query()] = None,
    ) -> stats.GlobalStats:
        """All-time statistics, or one game mode's."""
        with store.read() as repo:
            return stats.global_stats(repo.session_rows(), repo.raid_rows(), game_mode)

    return router
