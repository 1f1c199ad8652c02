"""The seed's upload-and-extract endpoint and the feature files."""

from typing import Annotated, Any

from fastapi import APIRouter, Depends, File, Form, UploadFile

from framewise.studio import catalog
from framewise.studio.deps import StudioDeps
from framewise.studio.errors import ERROR_RESPONSES
from framewise.studio.schemas import (
    Deleted,
    DetectorType,
    ExtractQueued,
    FeatureList,
    FeatureOut,
)
from framewise.studio.service import Studio
from framewise.studio.uploads import check_labels, decode_labels, save_labels, store_video


def build_router(deps: StudioDeps) -> APIRouter:
    """The router of ``/backend/upload_and_extract_features`` and ``/backend/features``."""
    router = APIRouter(prefix="/backend", tags=["features"], responses=ERROR_RESPONSES)
    write = [Depends(deps.authorize)]

    @router.post(
        "/upload_and_extract_features",
        status_code=202,
        response_model=ExtractQueued,
        dependencies=write,
    )
    def upload_and_extract_features(
        studio: Annotated[Studio, Depends(deps.studio)],
        video: Annotated[UploadFile, File(description="The video file.")],
        labels_csv: Annotated[
            UploadFile | None,
            File(description="frame_index,label or start,end,label (seconds)."),
        ] = None,
        detector_type: Annotated[DetectorType, Form()] = "fusion",
        sample_rate: Annotated[int | None, Form(ge=1, le=10_000)] = None,
        sample_fps: Annotated[float | None, Form(gt=0, le=1000, allow_inf_nan=False)] = None,
    ) -> dict[str, Any]:
        """Upload a video (and its labels); queue the extraction of its features."""
        stored = store_video(
            studio.root, video.file, video.filename, studio.settings.max_upload_bytes
        )
        if labels_csv is not None and labels_csv.filename:
            name = labels_csv.filename.replace("\\", "/").rsplit("/", 1)[-1] or "labels_csv"
            text = decode_labels(labels_csv.file.read(), name)
            check_labels(studio.root, stored.video_id, text, name)
            save_labels(studio.root, stored.video_id, text)
        queued = studio.queue_extract(stored.video_id, detector_type, sample_rate, sample_fps)
        return studio.extract_answer(queued, stored.video_id, stored.duplicate)

    @router.get("/features", response_model=FeatureList)
    def list_features(studio: Annotated[Studio, Depends(deps.studio)]) -> dict[str, Any]:
        """Every extracted feature file, newest first."""
        return {"features": catalog.list_features(studio.root)}

    @router.get("/features/{filename}", response_model=FeatureOut)
    def get_feature(
        studio: Annotated[Studio, Depends(deps.studio)], filename: str
    ) -> dict[str, Any]:
        """One feature file: its video, frames, labels and extraction settings."""
        return catalog.feature_info(studio.root, filename)

    @router.delete("/features/{filename}", response_model=Deleted, dependencies=write)
    def delete_feature(
        studio: Annotated[Studio, Depends(deps.studio)], filename: str
    ) -> dict[str, Any]:
        """Delete a feature file (409 while queued work needs it)."""
        path = catalog.feature_path(studio.root, filename)
        return {"deleted": studio.delete("features", path, "feature_files")}

    return router
