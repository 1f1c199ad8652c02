"""The windowed dataset on disk, in the seed's layout, written atomically, and read back.

A dataset folder holds ``X_train.npy`` … ``y_test.npy`` (X: windows × steps × features,
float32, scaled; y: int64 class numbers), ``index_<split>.npy`` (each X row's row in
``windows.parquet``; upsampled rows repeat), ``metadata.json`` (feature names, scaler,
label map, split membership, window parameters, input hashes, counts) and
``windows.parquet`` (video, group, t_start, t_end, split, label, purity, fold), so any
window traces back to its video. The folder is built beside its target and renamed into
place, so a reader never sees half of one.

Example:
    >>> data = read_dataset(Path("datasets/d1"))  # doctest: +SKIP
    >>> data.x["train"].shape, data.classes  # doctest: +SKIP
"""

from __future__ import annotations

import shutil
import tempfile
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.atomic import write_json
from framewise.core.errors import InputError, InputNotFoundError, OutputError
from framewise.core.jsonfile import read_json
from framewise.datasets.spec import DATASET_JSON, DatasetSpec
from framewise.datasets.task_table import pyarrow

if TYPE_CHECKING:
    from framewise.datasets.windows import Window

SPLITS = ("train", "val", "test")
DATASET_VERSION = "framewise.task_windows/1"


def write_dataset(
    output: Path,
    x: NDArray[np.float32],
    y: NDArray[np.int64],
    picks: Mapping[str, NDArray[np.int64]],
    windows: Sequence[Window],
    split_of: Mapping[str, str],
    folds: NDArray[np.int64] | None,
    metadata: dict[str, Any],
) -> None:
    """Write the dataset folder ``output`` (replacing one there) atomically."""
    pa, pq = pyarrow()
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(prefix=f".{output.name}.", dir=output.parent))
        for name in SPLITS:
            rows = picks[name]
            np.save(staging / f"X_{name}.npy", x[rows])
            np.save(staging / f"y_{name}.npy", y[rows])
            np.save(staging / f"index_{name}.npy", rows)
        table = pa.table(
            {
                "video": [w.video for w in windows],
                "group": [w.group for w in windows],
                "t_start": [w.t_start for w in windows],
                "t_end": [w.t_end for w in windows],
                "split": [split_of[w.group] for w in windows],
                "label": [w.label for w in windows],
                "purity": [w.purity for w in windows],
                "fold": folds.tolist() if folds is not None else [None] * len(windows),
            },
            schema=pa.schema(
                [
                    ("video", pa.string()),
                    ("group", pa.string()),
                    ("t_start", pa.float64()),
                    ("t_end", pa.float64()),
                    ("split", pa.string()),
                    ("label", pa.string()),
                    ("purity", pa.float64()),
                    ("fold", pa.int64()),
                ]
            ),
        )
        pq.write_table(table, staging / "windows.parquet")
        write_json(staging / "metadata.json", {"version": DATASET_VERSION, **metadata})
        label_map: Mapping[str, int] = metadata["label_map"]
        DatasetSpec(  # what training reads through the trainer protocol
            kind="sequence",
            root=Path(),
            splits={s: (f"X_{s}.npy",) for s in SPLITS},
            names=tuple(sorted(label_map, key=lambda k: label_map[k])),
            task="classify",
        ).save(staging / DATASET_JSON)
        if output.exists():
            old = output.with_name(f".{output.name}.old")
            shutil.rmtree(old, ignore_errors=True)
            output.replace(old)
            staging.replace(output)
            shutil.rmtree(old, ignore_errors=True)
        else:
            staging.replace(output)
    except OSError as exc:
        raise OutputError(
            f"cannot write the dataset {output}: {exc.strerror or exc}",
            subject=output,
            hint="check the folder and free space",
        ) from None


@dataclass(frozen=True)
class WindowDataset:
    """A dataset folder read back.

    Attributes:
        path: The folder.
        x: Split → windows × steps × features.
        y: Split → class numbers.
        metadata: ``metadata.json``.
    """

    path: Path
    x: Mapping[str, NDArray[np.float32]]
    y: Mapping[str, NDArray[np.int64]]
    metadata: Mapping[str, Any]

    @property
    def classes(self) -> list[str]:
        """Class names by number."""
        label_map: Mapping[str, int] = self.metadata["label_map"]
        return sorted(label_map, key=lambda k: label_map[k])

    @property
    def feature_names(self) -> list[str]:
        """Per-step feature names."""
        return list(self.metadata["feature_names"])

    def folds(self) -> NDArray[np.int64] | None:
        """Each window's fold (rows of ``windows.parquet``), or ``None`` without ``--folds``."""
        _, pq = pyarrow()
        column = pq.read_table(self.path / "windows.parquet", columns=["fold"]).column(0)
        if column.null_count:
            return None
        return np.asarray(column.to_numpy(), np.int64)

    def index(self, split: str) -> NDArray[np.int64]:
        """Each X row's row in ``windows.parquet``."""
        return np.asarray(np.load(self.path / f"index_{split}.npy"), np.int64)


def read_dataset(path: Path) -> WindowDataset:
    """Read a dataset folder written by ``framewise features dataset``.

    Raises:
        InputError: The folder is missing, incomplete or of another version.
    """
    path = Path(path)
    meta_path = path / "metadata.json"
    if not meta_path.is_file():
        raise InputNotFoundError(
            f"{path} is not a dataset folder (no metadata.json)",
            subject=path,
            hint="build one with `framewise features dataset`",
        )
    metadata = read_json(
        meta_path, what="dataset metadata", hint="build it again with `framewise features dataset`"
    )
    if not isinstance(metadata, dict) or metadata.get("version") != DATASET_VERSION:
        raise InputError(
            f"{path} is a dataset of another version",
            subject=path,
            hint="build it again with `framewise features dataset`",
        )
    try:
        x = {s: np.load(path / f"X_{s}.npy", allow_pickle=False) for s in SPLITS}
        y = {s: np.load(path / f"y_{s}.npy", allow_pickle=False) for s in SPLITS}
    except (OSError, ValueError) as exc:
        raise InputError(f"{path}: {exc}", subject=path, hint="build the dataset again") from None
    return WindowDataset(path, x, y, metadata)
