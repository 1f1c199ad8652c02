"""A trained task classifier as served: an ONNX model plus the card that says how to feed it.

The card (``model.json`` beside ``model.onnx``) holds the class names, the per-step feature
names, the window (seconds and steps), the training scaler and the aggregation. A window
reaches the model as ``steps × features`` raw values: :meth:`OnnxTaskModel.prepare` scales
it with the training scaler, turns missing values into the training mean and, for tree
models, aggregates it (``stats``: mean, std, min, max of each feature; ``flatten``: the
steps one after another); the LSTM takes the sequence itself. Nothing is unpickled: the
model runs in ONNX Runtime.

Example:
    >>> model = OnnxTaskModel.load(Path("runs/task1"))  # doctest: +SKIP
    >>> model.predict_proba(window[None])  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any, Literal

import numpy as np
from numpy.typing import NDArray

from framewise.core.atomic import write_json
from framewise.core.errors import ConfigError, ModelError
from framewise.core.jsonfile import read_json

Aggregation = Literal["stats", "flatten", "sequence"]
CARD_NAME = "model.json"
MODEL_NAME = "model.onnx"
CARD_VERSION = "framewise.task_model/1"
STATS = ("mean", "std", "min", "max")


def aggregate(windows: NDArray[np.float32], how: Aggregation) -> NDArray[np.float32]:
    """``windows`` (n × steps × features) as the model's input rows."""
    if how == "sequence":
        return windows.astype(np.float32)
    if how == "flatten":
        return windows.reshape(len(windows), -1).astype(np.float32)
    parts = [windows.mean(axis=1), windows.std(axis=1), windows.min(axis=1), windows.max(axis=1)]
    return np.concatenate(parts, axis=1).astype(np.float32)


def aggregated_names(features: Sequence[str], steps: int, how: Aggregation) -> list[str]:
    """The name of each input column of :func:`aggregate` (``sequence``: the features)."""
    if how == "sequence":
        return list(features)
    if how == "flatten":
        return [f"{name}@{k}" for k in range(steps) for name in features]
    return [f"{name}_{stat}" for stat in STATS for name in features]


@dataclass(frozen=True)
class TaskModelCard:
    """How to feed a task model (see the module docstring)."""

    classes: list[str]
    features: list[str]
    columns: list[int]
    window_sec: float
    step_sec: float
    steps: int
    mean: list[float]
    std: list[float]
    aggregation: Aggregation
    model: str

    def save(self, folder: Path) -> Path:
        """Write ``model.json`` into ``folder``."""
        path = Path(folder) / CARD_NAME
        write_json(path, {"version": CARD_VERSION, **asdict(self)})
        return path

    @classmethod
    def load(cls, folder: Path) -> TaskModelCard:
        """Read ``model.json`` from ``folder``."""
        data = read_json(
            Path(folder) / CARD_NAME,
            what="task model card",
            hint="train one with `framewise train task`",
        )
        if not isinstance(data, dict) or data.pop("version", None) != CARD_VERSION:
            raise ModelError(
                f"{folder}/{CARD_NAME} is not a task model card of this version",
                subject=folder,
                hint="train the model again with `framewise train task`",
            )
        try:
            return cls(**data)
        except TypeError as exc:
            raise ModelError(f"{folder}/{CARD_NAME}: {exc}", subject=folder) from None


def _ort_errors() -> tuple[type[Exception], ...]:
    """The exceptions ONNX Runtime's native layer raises (plain Exception subclasses)."""
    state = importlib.import_module("onnxruntime.capi.onnxruntime_pybind11_state")
    names = ("Fail", "InvalidArgument", "NoSuchFile", "NoModel", "InvalidProtobuf")
    found = (getattr(state, name, None) for name in (*names, "RuntimeException"))
    return (OSError, *(c for c in found if isinstance(c, type) and issubclass(c, Exception)))


class OnnxTaskModel:
    """A task model run by ONNX Runtime (one thread: it sits beside a pose model)."""

    def __init__(self, onnx_path: Path, card: TaskModelCard) -> None:
        try:
            ort = importlib.import_module("onnxruntime")
        except ImportError:
            raise ConfigError(
                "task models need onnxruntime, which is not installed",
                subject="onnxruntime",
                hint="pip install 'framewise[task]'",
            ) from None
        options = ort.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        try:
            self.session: Any = ort.InferenceSession(
                str(onnx_path), options, providers=["CPUExecutionProvider"]
            )
        except _ort_errors() as exc:
            raise ModelError(
                f"cannot load {onnx_path}: {str(exc).splitlines()[0]}",
                subject=onnx_path,
                hint="train the model again with `framewise train task`",
            ) from None
        self.card = card
        self.input = self.session.get_inputs()[0].name
        outputs = [o.name for o in self.session.get_outputs()]
        self.output = next((o for o in outputs if "prob" in o.lower()), outputs[-1])
        self.mean = np.asarray(card.mean, np.float32)[card.columns]
        self.std = np.asarray(card.std, np.float32)[card.columns]

    @classmethod
    def load(cls, folder: Path) -> OnnxTaskModel:
        """The model of a ``framewise train task`` run folder."""
        card = TaskModelCard.load(folder)
        return cls(Path(folder) / MODEL_NAME, card)

    def prepare(self, raw: NDArray[np.float32]) -> NDArray[np.float32]:
        """Raw windows (n × steps × all features) as the model's input."""
        chosen = np.asarray(raw, np.float32)[:, :, self.card.columns]
        scaled = np.nan_to_num((chosen - self.mean) / self.std, nan=0.0)
        return aggregate(scaled.astype(np.float32), self.card.aggregation)

    def run(self, inputs: NDArray[np.float32]) -> NDArray[np.float32]:
        """Class probabilities of already prepared inputs (n × classes)."""
        out = self.session.run([self.output], {self.input: np.ascontiguousarray(inputs)})[0]
        return np.asarray(out, np.float32)

    def predict_proba(self, raw: NDArray[np.float32]) -> NDArray[np.float32]:
        """Class probabilities of raw windows (n × steps × features) → n × classes."""
        return self.run(self.prepare(raw))
