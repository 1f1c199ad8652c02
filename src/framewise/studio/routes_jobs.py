"""Jobs, health and what the server offers."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Query

import framewise
from framewise.studio.deps import StudioDeps
from framewise.studio.errors import ERROR_RESPONSES, not_found
from framewise.studio.jobs import Job
from framewise.studio.schemas import InfoOut, JobList, JobOut
from framewise.studio.service import Studio


def job_out(job: Job) -> dict[str, Any]:
    """A job as the API shows it."""
    return {
        "id": job.id,
        "kind": job.kind,
        "state": job.state,
        "progress": job.progress,
        "message": job.message,
        "error": job.error,
        "result": job.result,
        "depends_on": job.depends_on,
        "created": job.created,
        "started": job.started,
        "finished": job.finished,
    }


def build_router(deps: StudioDeps) -> APIRouter:
    """The router of ``/backend/jobs``, ``/backend/info`` and ``/health``."""
    router = APIRouter(tags=["jobs"], responses=ERROR_RESPONSES)

    @router.get("/backend/jobs", response_model=JobList)
    def list_jobs(
        studio: Annotated[Studio, Depends(deps.studio)],
        state: Literal["queued", "running", "done", "failed"] | None = None,
        kind: Literal["extract", "dataset", "train", "predict"] | None = None,
        limit: Annotated[int, Query(ge=1, le=1000)] = 100,
    ) -> dict[str, Any]:
        """Jobs, newest first."""
        return {
            "jobs": [job_out(j) for j in studio.jobs.recent(state=state, kind=kind, limit=limit)]
        }

    @router.get("/backend/jobs/{job_id}", response_model=JobOut)
    def get_job(studio: Annotated[Studio, Depends(deps.studio)], job_id: str) -> dict[str, Any]:
        """One job: state, progress 0..1, message, error, result."""
        job = studio.jobs.get(job_id)
        if job is None:
            raise not_found("job", job_id, "list them with GET /backend/jobs")
        return job_out(job)

    @router.get("/backend/info", response_model=InfoOut)
    def info(studio: Annotated[Studio, Depends(deps.studio)]) -> dict[str, Any]:
        """What this server offers: detectors, limits, whether writes need a token."""
        settings = studio.settings
        return {
            "version": framewise.__version__,
            "token_required": bool(settings.token),
            "max_upload_bytes": settings.max_upload_bytes,
            "detectors": settings.detectors(),
            "default_sample_fps": settings.default_sample_fps,
            "model_types": ["rf", "lightgbm", "lstm"],
        }

    @router.get("/health")
    def health() -> dict[str, str]:
        """Liveness."""
        return {"status": "ok"}

    return router
