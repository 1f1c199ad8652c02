"""Every figure ``framewise stats`` prints, read straight from a store's database.

The API builds the same answers in its routes; :func:`local_report` is what
``framewise stats --data-dir D`` uses when no server is running.
"""

from __future__ import annotations

from pathlib import Path

from framewise.core.errors import InputNotFoundError
from framewise.store import chart_stats, stats
from framewise.store.api.deps import Store
from framewise.store.db import create_store_engine, migrate, session_factory
from framewise.store.repository import Repository
from framewise.store.settings import SQLITE_FILE_NAME, StoreSettings
from framewise.store_api.stats import StatsFilters, StatsReport


def build_report(repo: Repository, filters: StatsFilters) -> StatsReport:
    """All figures over the raids passing ``filters`` (the all-time card: game mode only)."""
    raids = repo.chart_raids(filters)
    ids = sorted({r.session_id for r in raids if r.session_id is not None})
    return StatsReport(
        filters=filters,
        all_time=stats.global_stats(repo.session_rows(), repo.raid_rows(), filters.game_mode),
        sessions=chart_stats.sessions_chart(repo.chart_sessions(ids), raids, filters).sessions,
        maps=chart_stats.maps_chart(raids, filters).maps,
        kills=chart_stats.kills_chart(repo.chart_kills(filters), filters),
        durations=chart_stats.durations_chart(raids, filters),
    )


def local_report(data_dir: Path, filters: StatsFilters) -> StatsReport:
    """The report of the SQLite store in ``data_dir`` (migrated first, as ``serve`` does).

    Raises:
        InputNotFoundError: ``data_dir`` holds no store database.
    """
    database = data_dir / SQLITE_FILE_NAME
    if not database.is_file():
        raise InputNotFoundError(
            "no event store database here",
            subject=str(database),
            hint="give the --data-dir that `framewise serve` or `make demo` used, or --api URL",
        )
    settings = StoreSettings(data_dir=data_dir)
    engine = create_store_engine(settings.resolved_database_url(), sqlite_wal=settings.sqlite_wal)
    try:
        store = Store(session_factory(engine), migrate(engine))
        with store.read() as repo:
            return build_report(repo, filters)
    finally:
        engine.dispose()
