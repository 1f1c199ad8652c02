"""The seed's training endpoint, models, their metrics, and predictions on uploaded videos."""

import json
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form, Query

from framewise.serving import StrictJSONRoute
from framewise.studio import catalog
from framewise.studio.deps import StudioDeps
from framewise.studio.errors import ERROR_RESPONSES, StudioError
from framewise.studio.schemas import (
    Deleted,
    ModelList,
    ModelOut,
    ModelQueued,
    PredictIn,
    PredictionsOut,
    PredictQueued,
)
from framewise.studio.service import Studio
from framewise.studio.uncertain import uncertain_spans


def build_router(deps: StudioDeps) -> APIRouter:
    """The router of training, ``/backend/models`` and ``/backend/predictions``."""
    router = APIRouter(
        prefix="/backend", tags=["models"], responses=ERROR_RESPONSES, route_class=StrictJSONRoute
    )
    write = [Depends(deps.authorize)]

    @router.post(
        "/train_task_model", status_code=202, response_model=ModelQueued, dependencies=write
    )
    def train_task_model(
        studio: Annotated[Studio, Depends(deps.studio)],
        dataset_dir: Annotated[str, Form(max_length=200)],
        model_type: Annotated[Literal["rf", "lightgbm", "lstm"], Form()] = "rf",
        aggregation: Annotated[Literal["stats", "flatten"], Form()] = "stats",
        n_estimators: Annotated[int, Form(ge=1, le=5000)] = 100,
        max_depth: Annotated[int | None, Form(ge=1, le=1000)] = None,
        learning_rate: Annotated[float, Form(gt=0, le=10, allow_inf_nan=False)] = 0.05,
        epochs: Annotated[int, Form(ge=1, le=10_000)] = 60,
        seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    ) -> dict[str, Any]:
        """Queue training a task classifier on a dataset (exported to ONNX)."""
        options = {
            "model": model_type,
            "agg": aggregation,
            "n_estimators": n_estimators,
            "max_depth": max_depth,
            "learning_rate": learning_rate,
            "epochs": epochs,
            "seed": seed,
        }
        return studio.queue_train(dataset_dir.strip(), options)

    @router.get("/models", response_model=ModelList)
    def list_models(studio: Annotated[Studio, Depends(deps.studio)]) -> dict[str, Any]:
        """Every trained model with its scores, newest first."""
        return {"models": catalog.list_models(studio.root)}

    @router.get("/models/{model_id}", response_model=ModelOut)
    def get_model(studio: Annotated[Studio, Depends(deps.studio)], model_id: str) -> dict[str, Any]:
        """One model: type, dataset, classes, scores, extraction settings."""
        return catalog.model_info(studio.root, model_id)

    @router.get("/models/{model_id}/metrics")
    def get_metrics(
        studio: Annotated[Studio, Depends(deps.studio)], model_id: str
    ) -> dict[str, Any]:
        """``metrics.json`` of a model plus its test confusion matrix ready to draw."""
        return catalog.model_metrics(studio.root, model_id)

    @router.delete("/models/{model_id}", response_model=Deleted, dependencies=write)
    def delete_model(
        studio: Annotated[Studio, Depends(deps.studio)], model_id: str
    ) -> dict[str, Any]:
        """Delete a model (409 while queued work needs it)."""
        path = catalog.model_path(studio.root, model_id)
        return {"deleted": studio.delete("models", path, "name")}

    @router.post(
        "/models/{model_id}/predict",
        status_code=202,
        response_model=PredictQueued,
        dependencies=write,
    )
    def predict(
        studio: Annotated[Studio, Depends(deps.studio)], model_id: str, body: PredictIn
    ) -> dict[str, Any]:
        """Queue the model's predictions over an uploaded video."""
        job = studio.queue_predict(model_id, body.video_id, body.smoothing, body.hold)
        return {
            "status": job.state,
            "job_id": job.id,
            "model_id": job.params["model_id"],
            "video_id": body.video_id,
        }

    @router.get("/predictions/{video_id}", response_model=PredictionsOut)
    def predictions(
        studio: Annotated[Studio, Depends(deps.studio)],
        video_id: str,
        model: Annotated[str, Query(min_length=1, max_length=200)],
    ) -> dict[str, Any]:
        """Smoothed predictions, segments and the spans to relabel first (least sure first)."""
        path = studio.predictions_file(video_id, model)
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            raise StudioError(
                422, "bad_input", f"the predictions of {model} are damaged", "predict again"
            ) from None
        return {**payload, "uncertain": uncertain_spans(payload["predictions"])}

    return router
