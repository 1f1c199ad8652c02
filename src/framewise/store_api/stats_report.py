"""Read every figure ``framewise stats`` prints from a running store, over its API.

The same :class:`~framewise.store_api.stats.StatsReport` is built from a SQLite file by
``framewise.store.report``; only the transport differs.
"""

from __future__ import annotations

from typing import TypeVar

from pydantic import BaseModel

from framewise.store_api.client import StoreClient
from framewise.store_api.stats import (
    DurationsChart,
    GlobalStats,
    KillsChart,
    MapsChart,
    SessionsChart,
    StatsFilters,
    StatsReport,
)

Answer = TypeVar("Answer", bound=BaseModel)


def filter_params(filters: StatsFilters) -> dict[str, str]:
    """The query parameters of ``filters`` (absent ones left out)."""
    params = {"game_mode": filters.game_mode}
    params |= {
        k: v.isoformat() if v else None
        for k, v in (("since", filters.since), ("until", filters.until))
    }
    return {k: v for k, v in params.items() if v}


def _get(client: StoreClient, path: str, params: dict[str, str], model: type[Answer]) -> Answer:
    return model.model_validate(client.request("GET", path, params=params).json())


def fetch_report(client: StoreClient, filters: StatsFilters) -> StatsReport:
    """All figures of ``framewise stats`` from the store behind ``client``.

    Raises:
        StoreError: The store is unreachable or refused a request.
    """
    params = filter_params(filters)
    mode = {"game_mode": filters.game_mode} if filters.game_mode else {}
    return StatsReport(
        filters=filters,
        # The all-time card is over every raid (of one mode when asked): no date range there.
        all_time=_get(client, "/api/stats/global", mode, GlobalStats),
        sessions=_get(client, "/api/stats/sessions", params, SessionsChart).sessions,
        maps=_get(client, "/api/stats/maps", params, MapsChart).maps,
        kills=_get(client, "/api/stats/kills", params, KillsChart),
        durations=_get(client, "/api/stats/durations", params, DurationsChart),
    )
