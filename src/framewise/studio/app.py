"""Build the studio's FastAPI app from settings.

The app serves the API under ``/backend`` (routers by resource, see :data:`ROUTERS`), the
page from ``static/`` at ``/``, and its OpenAPI document at ``/openapi.json``. Starting it
fails the jobs a stopped server left running, sweeps ``DATA/tmp`` and spawns the workers;
stopping it stops them.

Example:
    >>> app = create_app(StudioSettings(data_dir=Path("/tmp/studio")))  # doctest: +SKIP
    >>> uvicorn.run(app, host="127.0.0.1", port=8001)  # doctest: +SKIP
"""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

import framewise
from framewise.serving import BodySizeLimit
from framewise.studio import (
    routes_datasets,
    routes_features,
    routes_jobs,
    routes_models,
    routes_videos,
)
from framewise.studio.deps import StudioDeps
from framewise.studio.errors import error_body, install_error_handlers
from framewise.studio.jobs import JobStore
from framewise.studio.paths import DataRoot
from framewise.studio.service import Studio
from framewise.studio.settings import StudioSettings
from framewise.studio.worker import WorkerPool

log = logging.getLogger(__name__)

STATIC = Path(__file__).resolve().parent / "static"

ROUTERS = {
    "jobs": routes_jobs.build_router,
    "features": routes_features.build_router,
    "datasets": routes_datasets.build_router,
    "models": routes_models.build_router,
    "videos": routes_videos.build_router,
}
"""Every router of the app, by name, in mounting order."""

DESCRIPTION = (
    "The task-classification loop of workflow W2 over HTTP: upload → extract features → "
    "label → build a windowed dataset → train → predict → relabel the least sure spans. "
    "Long work runs as jobs (`GET /backend/jobs/{id}`); writes need `Authorization: Bearer` "
    'when the server has a token. Errors are `{"error": {"code", "message", "hint"}}`.'
)


def open_studio(settings: StudioSettings) -> Studio:
    """The data root (created) and job table of ``settings``."""
    root = DataRoot(settings.data_dir).create()
    return Studio(settings, root, JobStore(root.jobs_db))


def create_app(settings: StudioSettings, *, workers: bool = True) -> FastAPI:
    """Check the settings, open the data root, build the app.

    Args:
        settings: Data root, binding, security and limits.
        workers: Spawn the worker processes when the app starts (tests of the API alone
            may leave them out: jobs then stay queued).

    Raises:
        ConfigError: The settings are insecure (non-loopback without a token) or invalid.
    """
    settings.check()
    studio = open_studio(settings)
    pool = WorkerPool(studio.root, settings.workers)

    @asynccontextmanager
    async def lifespan(_app: FastAPI) -> AsyncIterator[None]:
        failed = studio.jobs.recover()
        swept = studio.root.sweep()
        if failed or swept:
            log.warning(
                "restart: %d interrupted job(s) failed, %d leftover(s) removed",
                len(failed),
                len(swept),
            )
        if workers:
            pool.start()
        try:
            yield
        finally:
            pool.stop()
            studio.jobs.recover()

    app = FastAPI(
        title="framewise studio",
        version=framewise.__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
    )
    deps = StudioDeps(studio)
    for build in ROUTERS.values():
        app.include_router(build(deps))
    install_error_handlers(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_upload_bytes,
        advice="upload a shorter video, or start the studio with a larger --max-upload-mb",
        body=error_body,
    )
    if (STATIC / "index.html").is_file():
        app.mount("/", StaticFiles(directory=STATIC, html=True), name="page")
    return app
