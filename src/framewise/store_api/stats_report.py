"""Read every figure ``framewise stats`` prints from a running store, over its API.

The same :class:`~framewise.store_api.stats.StatsReport` is built from a SQLite file by
``framewise.store.report``; only the transport differs.
"""

from __future__ import annotations

from framewise.store_api.client import StoreClient
from framewise.store_api.stats import (
    DurationsChart,
    KillsChart,
    MapsChart,
    SessionsChart,
    StatsFilters,
    StatsReport,
)


def filter_params(filters: StatsFilters) -> dict[str, str]:
    """The query parameters of ``filters`` (absent ones left out)."""
    params = {"game_mode": filters.game_mode}
    params |= {
        k: v.isoformat() if v else None
        for k, v in (("since", filters.since), ("until", filters.until))
    }
    return {k: v for k, v in params.items() if v}


def fetch_report(client: StoreClient, filters: StatsFilters) -> StatsReport:
    """All figures of ``framewise stats`` from the store behind ``client``.

    Raises:
        StoreError: The store is unreachable or refused a request.
    """
    params = filter_params(filters)
    return StatsReport(
        filters=filters,
        # The all-time card is over every raid (of one mode when asked): no date range there.
        all_time=client.global_stats(filters.game_mode),
        sessions=client.chart("sessions", SessionsChart, params).sessions,
        maps=client.chart("maps", MapsChart, params).maps,
        kills=client.chart("kills", KillsChart, params),
        durations=client.chart("durations", DurationsChart, params),
    )
