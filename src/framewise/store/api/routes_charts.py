"""The chart figures: ``GET /api/stats/{sessions,maps,kills,durations,timeline,version}``.

Every figure takes the same filters as query parameters: ``game_mode`` (``pve``/``pvp``) and
a date range ``since`` (inclusive) / ``until`` (exclusive) on the raids' start times
(ISO-8601; naive means UTC). The dashboard polls ``/api/stats/version`` and fetches the
figures again when its token changes. Reads need no token, and the statistics answer any
origin (``Access-Control-Allow-Origin: *``) so the OBS overlay, served by the live service
on another port, can read them.
"""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response

from framewise.serving import StrictJSONRoute
from framewise.store import chart_stats
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import ERROR_RESPONSES
from framewise.store.api.routes_sessions import MAX_ID
from framewise.store.errors import NotFoundError
from framewise.store.repository import Repository
from framewise.store_api.schemas import ApiTime, GameMode
from framewise.store_api.stats import (
    DurationsChart,
    KillsChart,
    MapsChart,
    SessionsChart,
    StatsFilters,
    StatsVersion,
    TimelineChart,
)


def allow_any_origin(response: Response) -> None:
    """Dependency of the statistics reads: any page may read them (they are public)."""
    response.headers["Access-Control-Allow-Origin"] = "*"


def _filters(
    game_mode: Annotated[GameMode | None, Query(description="pve or pvp; both when absent")] = None,
    since: Annotated[
        ApiTime | None, Query(description="Raids started at or after this time")
    ] = None,
    until: Annotated[ApiTime | None, Query(description="Raids started before this time")] = None,
) -> StatsFilters:
    return StatsFilters(game_mode=game_mode, since=since, until=until)


Filters = Annotated[StatsFilters, Depends(_filters)]


def session_timeline(repo: Repository, session_id: int | None) -> TimelineChart:
    """The timeline of ``session_id``, or of the latest session.

    Raises:
        NotFoundError: No such session, or the store holds none.
    """
    chosen = session_id if session_id is not None else repo.latest_session_id()
    if chosen is None:
        raise NotFoundError("the store holds no session yet")
    found = repo.chart_sessions([chosen])
    if not found:
        raise NotFoundError(f"session {chosen} not found")
    everything = StatsFilters()
    return chart_stats.timeline(
        found[0],
        repo.chart_raids(everything, session_id=chosen),
        repo.chart_states(chosen),
        repo.chart_kills(everything, session_id=chosen),
    )


def build_router(deps: StoreDeps) -> APIRouter:
    """The chart figures' routes."""
    router = APIRouter(
        tags=["stats"],
        responses=ERROR_RESPONSES,
        route_class=StrictJSONRoute,
        dependencies=[Depends(allow_any_origin)],
    )
    store_dep = Annotated[Store, Depends(deps.store)]

    @router.get("/api/stats/sessions")
    def sessions_chart(store: store_dep, filters: Filters) -> SessionsChart:
        """K/D, survival rate, kills and raids per session (sessions with a raid), oldest first."""
        with store.read() as repo:
            raids = repo.chart_raids(filters)
            ids = sorted({r.session_id for r in raids if r.session_id is not None})
            return chart_stats.sessions_chart(repo.chart_sessions(ids), raids, filters)

    @router.get("/api/stats/maps")
    def maps_chart(store: store_dep, filters: Filters) -> MapsChart:
        """Raid count, survival rate, kills and K/D per map, most played first."""
        with store.read() as repo:
            return chart_stats.maps_chart(repo.chart_raids(filters), filters)

    @router.get("/api/stats/kills")
    def kills_chart(store: store_dep, filters: Filters) -> KillsChart:
        """Kills by weapon and by enemy type, and the share of headshots."""
        with store.read() as repo:
            return chart_stats.kills_chart(repo.chart_kills(filters), filters)

    @router.get("/api/stats/durations")
    def durations_chart(store: store_dep, filters: Filters) -> DurationsChart:
        """Histograms of raid durations and of the time between raids."""
        with store.read() as repo:
            return chart_stats.durations_chart(repo.chart_raids(filters), filters)

    @router.get("/api/stats/timeline")
    def timeline_chart(
        store: store_dep,
        session_id: Annotated[
            int | None, Query(ge=1, le=MAX_ID, description="The latest session when absent")
        ] = None,
    ) -> TimelineChart:
        """One session as menu / queue / raid / terminal bands, with its kills."""
        with store.read() as repo:
            return session_timeline(repo, session_id)

    @router.get("/api/stats/version")
    def stats_version(store: store_dep) -> StatsVersion:
        """A token that changes whenever a figure may have changed (poll it)."""
        with store.read() as repo:
            return repo.stats_version()

    return router
