"""Build the event store's FastAPI app from settings.

Example:
    >>> from framewise.store.settings import StoreSettings
    >>> app = create_app(StoreSettings(database_url="sqlite:///:memory:"))  # doctest: +SKIP
"""

from typing import Annotated

from fastapi import APIRouter, Depends, FastAPI
from sqlalchemy import Engine

import framewise
from framewise.store.api import (
    routes_charts,
    routes_dashboard,
    routes_import,
    routes_raids,
    routes_records,
    routes_sessions,
    routes_stats,
)
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.api.errors import install_error_handlers
from framewise.store.api.limits import BodySizeLimit
from framewise.store.db import create_store_engine, migrate, session_factory
from framewise.store.settings import StoreSettings
from framewise.store_api.schemas import HealthResponse

ROUTERS = {
    "sessions": routes_sessions.build_router,
    "records": routes_records.build_router,
    "raids": routes_raids.build_router,
    "import": routes_import.build_router,
    "stats": routes_stats.build_router,
    "charts": routes_charts.build_router,
    "dashboard": routes_dashboard.build_router,
}
"""Every router of the app, by name, in mounting order."""

API_DESCRIPTION = (
    "Sessions, raids, state transitions and kills, with statistics. The contract of "
    "PlaidCat/tarkov-stream-producer's REST API, plus an optional ISO-8601 time on every write "
    'and an atomic import endpoint. Errors are `{"error": {"code", "message"}}`. '
    "A generic core serves any workflow: events and artefacts of a session, with JSON payloads; "
    "raids and kills are the Tarkov profile's extension of it."
)


def _health_router(deps: StoreDeps) -> APIRouter:
    router = APIRouter(tags=["health"])

    @router.get("/health")
    def health(store: Annotated[Store, Depends(deps.store)]) -> HealthResponse:
        """Liveness, and the database schema revision."""
        return HealthResponse(schema_revision=store.schema_revision)

    return router


def create_app(settings: StoreSettings, *, engine: Engine | None = None) -> FastAPI:
    """Migrate the database, then build the app.

    Args:
        settings: Database, binding and security settings.
        engine: An engine to use instead of one built from ``settings``.

    Raises:
        ConfigError: The settings are invalid or insecure (non-loopback without a token).
        StoreError: The database cannot be migrated.
    """
    settings.check_security()
    engine = engine or create_store_engine(
        settings.resolved_database_url(), sqlite_wal=settings.sqlite_wal
    )
    revision = migrate(engine)
    deps = StoreDeps(Store(session_factory(engine), revision), settings.token)
    app = FastAPI(
        title="framewise event store",
        version=framewise.__version__,
        description=API_DESCRIPTION,
    )
    app.include_router(_health_router(deps))
    for build in ROUTERS.values():
        app.include_router(build(deps))
    install_error_handlers(app)
    app.add_middleware(BodySizeLimit, max_bytes=settings.max_body_bytes)
    return app


def app_from_env() -> FastAPI:
    """The app configured from ``FRAMEWISE_STORE_*`` variables (for ``uvicorn --factory``)."""
    return create_app(StoreSettings.from_env())
