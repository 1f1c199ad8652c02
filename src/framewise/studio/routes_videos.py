"""Uploaded videos for the page: list, the file itself (seekable), labels, extract again."""

from pathlib import Path
from typing import Annotated, Any

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse

from framewise.core.errors import InputError
from framewise.serving import StrictJSONRoute
from framewise.studio import catalog
from framewise.studio.deps import StudioDeps
from framewise.studio.errors import ERROR_RESPONSES, StudioError
from framewise.studio.schemas import (
    Deleted,
    ExtractIn,
    ExtractQueued,
    LabelsIn,
    LabelsOut,
    VideoList,
    VideoOut,
)
from framewise.studio.service import Studio
from framewise.studio.uploads import check_labels, save_labels, spans_csv


def _frame_spans(studio: Studio, video_id: str, frames: dict[int, str]) -> list[dict[str, Any]]:
    # Frame labels (the seed's form) shown as spans on the frames' presentation times, which
    # only a feature table of the video knows (never index / fps).
    tables = catalog.feature_files_of(studio.root, video_id)
    if not tables:
        return []
    import pyarrow.parquet as pq

    table = pq.read_table(tables[-1], columns=["frame_index", "t"])
    times = sorted(
        zip(table.column("t").to_pylist(), table.column("frame_index").to_pylist(), strict=True)
    )
    spans: list[dict[str, Any]] = []
    for (t, index), after in zip(times, [*times[1:], None], strict=True):
        label = frames.get(int(index))
        end = float(after[0]) if after is not None else float(t) + 1e-3
        if label is None:
            continue
        if spans and spans[-1]["label"] == label and abs(spans[-1]["end"] - float(t)) < 1e-9:
            spans[-1]["end"] = end
        else:
            spans.append({"start": float(t), "end": end, "label": label})
    return spans


def labels_of(studio: Studio, video_id: str) -> dict[str, Any]:
    """A video's labels as time spans."""
    from framewise.datasets.task_labels import TaskLabels

    catalog.video_meta(studio.root, video_id)
    path = studio.root.video_dir(video_id) / catalog.LABELS
    spans: list[dict[str, Any]] = []
    if path.is_file():
        try:
            labels = TaskLabels.read(path)
        except InputError as error:
            raise StudioError(422, "bad_labels", error.one_line(), "PUT new labels") from None
        spans = [{"start": s.start, "end": s.end, "label": s.label} for s in labels.spans]
        if labels.frames:
            spans = _frame_spans(studio, video_id, labels.frames)
    return {
        "video_id": video_id,
        "label_file": studio.root.relative(path) if path.is_file() else None,
        "spans": spans,
        "labels": sorted({s["label"] for s in spans}),
    }


def build_router(deps: StudioDeps) -> APIRouter:
    """The router of ``/backend/videos``."""
    router = APIRouter(
        prefix="/backend", tags=["videos"], responses=ERROR_RESPONSES, route_class=StrictJSONRoute
    )
    write = [Depends(deps.authorize)]

    @router.get("/videos", response_model=VideoList)
    def list_videos(studio: Annotated[Studio, Depends(deps.studio)]) -> dict[str, Any]:
        """Every uploaded video, newest first."""
        return {"videos": catalog.list_videos(studio.root)}

    @router.get("/videos/{video_id}", response_model=VideoOut)
    def get_video(studio: Annotated[Studio, Depends(deps.studio)], video_id: str) -> dict[str, Any]:
        """One uploaded video: duration, frame rate, size, its feature and label files."""
        return catalog.video_info(studio.root, video_id)

    @router.get(
        "/videos/{video_id}/file",
        response_class=FileResponse,
        responses={200: {"content": {"video/mp4": {}}}, 206: {"description": "A byte range"}},
    )
    def video_file(studio: Annotated[Studio, Depends(deps.studio)], video_id: str) -> FileResponse:
        """The video itself; honours ``Range`` so a ``<video>`` element can seek."""
        path = catalog.video_file(studio.root, video_id)
        media = catalog.MEDIA_TYPES.get(Path(path).suffix.lower(), "application/octet-stream")
        return FileResponse(path, media_type=media)

    @router.delete("/videos/{video_id}", response_model=Deleted, dependencies=write)
    def delete_video(
        studio: Annotated[Studio, Depends(deps.studio)], video_id: str
    ) -> dict[str, Any]:
        """Delete an uploaded video and its labels (its feature files stay)."""
        catalog.video_meta(studio.root, video_id)
        return {"deleted": studio.delete("videos", studio.root.video_dir(video_id), "video_id")}

    @router.get("/videos/{video_id}/labels", response_model=LabelsOut)
    def get_labels(
        studio: Annotated[Studio, Depends(deps.studio)], video_id: str
    ) -> dict[str, Any]:
        """The video's labels as time spans (empty when it has none)."""
        return labels_of(studio, video_id)

    @router.put("/videos/{video_id}/labels", response_model=LabelsOut, dependencies=write)
    def put_labels(
        studio: Annotated[Studio, Depends(deps.studio)], video_id: str, body: LabelsIn
    ) -> dict[str, Any]:
        """Replace the video's labels; written atomically as ``start,end,label`` CSV."""
        catalog.video_meta(studio.root, video_id)
        for k, span in enumerate(body.spans):
            if span.end <= span.start:
                raise StudioError(
                    422,
                    "bad_labels",
                    f"spans[{k}] ends ({span.end}) before it starts ({span.start})",
                    "give each span an end after its start",
                )
        text = spans_csv([(s.start, s.end, s.label.strip()) for s in body.spans])
        if body.spans:
            check_labels(studio.root, video_id, text, catalog.LABELS)
            save_labels(studio.root, video_id, text)
        else:
            (studio.root.video_dir(video_id) / catalog.LABELS).unlink(missing_ok=True)
        return labels_of(studio, video_id)

    @router.post(
        "/videos/{video_id}/extract",
        status_code=202,
        response_model=ExtractQueued,
        dependencies=write,
    )
    def extract(
        studio: Annotated[Studio, Depends(deps.studio)], video_id: str, body: ExtractIn
    ) -> dict[str, Any]:
        """Queue the extraction of the video's features again, with its current labels."""
        catalog.video_meta(studio.root, video_id)
        queued = studio.queue_extract(
            video_id, body.detector_type, body.sample_rate, body.sample_fps
        )
        return studio.extract_answer(queued, video_id, duplicate=True)

    return router
