"""The seed's dataset endpoints: build (a job), list, show, delete."""

from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Form

from framewise.studio import catalog
from framewise.studio.deps import StudioDeps
from framewise.studio.errors import ERROR_RESPONSES, StudioError
from framewise.studio.schemas import DatasetList, DatasetOut, DatasetQueued, Deleted
from framewise.studio.service import Studio

Ratio = Annotated[float, Form(ge=0, le=1, allow_inf_nan=False)]


def build_router(deps: StudioDeps) -> APIRouter:
    """The router of ``/backend/build_task_dataset`` and ``/backend/datasets``."""
    router = APIRouter(prefix="/backend", tags=["datasets"], responses=ERROR_RESPONSES)
    write = [Depends(deps.authorize)]

    @router.post(
        "/build_task_dataset", status_code=202, response_model=DatasetQueued, dependencies=write
    )
    def build_task_dataset(
        studio: Annotated[Studio, Depends(deps.studio)],
        feature_files: Annotated[str, Form(max_length=100_000)],
        window_sec: Annotated[float, Form(gt=0, le=3600, allow_inf_nan=False)] = 2.0,
        step_sec: Annotated[float, Form(gt=0, le=3600, allow_inf_nan=False)] = 0.5,
        balance_method: Annotated[Literal["none", "downsample", "upsample"], Form()] = "none",
        train_ratio: Ratio = 0.7,
        val_ratio: Ratio = 0.15,
        test_ratio: Ratio = 0.15,
        purity: Annotated[float, Form(gt=0, le=1, allow_inf_nan=False)] = 0.8,
        group_sec: Annotated[float | None, Form(ge=0, le=86_400, allow_inf_nan=False)] = None,
        seed: Annotated[int, Form(ge=0, le=2**31 - 1)] = 0,
    ) -> dict[str, Any]:
        """Queue cutting feature files into labelled windows with train/val/test splits."""
        names = [n.strip().rsplit("/", 1)[-1] for n in feature_files.split(",") if n.strip()]
        if abs(train_ratio + val_ratio + test_ratio - 1.0) > 1e-6:
            raise StudioError(
                422,
                "bad_input",
                f"split ratios {train_ratio}, {val_ratio}, {test_ratio} do not add up to 1",
                "e.g. train_ratio=0.7, val_ratio=0.15, test_ratio=0.15",
            )
        spec = {
            "window_sec": window_sec,
            "step_sec": step_sec,
            "balance": balance_method,
            "train_ratio": train_ratio,
            "val_ratio": val_ratio,
            "test_ratio": test_ratio,
            "purity": purity,
            "group_sec": group_sec,
            "seed": seed,
        }
        return studio.queue_dataset(names, spec)

    @router.get("/datasets", response_model=DatasetList)
    def list_datasets(studio: Annotated[Studio, Depends(deps.studio)]) -> dict[str, Any]:
        """Every built dataset, newest first."""
        return {"datasets": catalog.list_datasets(studio.root)}

    @router.get("/datasets/{dataset_dir}", response_model=DatasetOut)
    def get_dataset(
        studio: Annotated[Studio, Depends(deps.studio)], dataset_dir: str
    ) -> dict[str, Any]:
        """One dataset: classes, windows per split, window settings."""
        return catalog.dataset_info(studio.root, dataset_dir)

    @router.delete("/datasets/{dataset_dir}", response_model=Deleted, dependencies=write)
    def delete_dataset(
        studio: Annotated[Studio, Depends(deps.studio)], dataset_dir: str
    ) -> dict[str, Any]:
        """Delete a dataset (409 while queued work needs it)."""
        path = catalog.dataset_path(studio.root, dataset_dir)
        return {"deleted": studio.delete("datasets", path, "dataset_dir")}

    return router
