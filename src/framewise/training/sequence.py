"""The LSTM task classifier: mini-batches, class weights, early stopping, ONNX export.

:class:`SequenceTrainer` follows the trainer protocol on the same windowed datasets as the
tree models, but reads each window as its sequence of steps. It trains with Adam in
mini-batches on class-weighted cross-entropy, keeps the weights of the epoch with the best
validation loss and stops after ``patience`` epochs without one, exports the network with
``torch.onnx`` (softmax included, dynamic batch) and checks the export against the network
on the test windows. The run folder is laid out as for the tree models.

Example:
    >>> trainer = SequenceTrainer(TaskTrainSettings(model="lstm", epochs=40))
    >>> trainer.fit(read_dataset_spec(Path("datasets/d1")), Path("runs/l1"))  # doctest: +SKIP
"""

from __future__ import annotations

import copy
import time
import warnings
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import ConfigError, InputError, ModelError
from framewise.datasets.spec import DatasetKind, DatasetSpec
from framewise.datasets.window_files import WindowDataset, read_dataset
from framewise.features.task_model import MODEL_NAME, OnnxTaskModel, TaskModelCard
from framewise.training.base import FitResult, Metrics, check_kind
from framewise.training.tabular import (
    PARITY_TOLERANCE,
    TaskTrainSettings,
    feature_columns,
    write_run,
)
from framewise.training.task_report import classification_metrics


def _torch() -> Any:
    try:
        import torch
    except ImportError:
        raise ConfigError(
            "the lstm model needs torch, which is not installed",
            subject="--model",
            hint="run `make train-deps` (the train extra), or use --model rf",
        ) from None
    return torch


def _network(torch: Any, features: int, hidden: int, classes: int) -> Any:
    class LstmClassifier(torch.nn.Module):  # type: ignore[misc]
        """One LSTM layer; the last step's state → class probabilities (softmax)."""

        def __init__(self) -> None:
            super().__init__()
            self.lstm = torch.nn.LSTM(features, hidden, batch_first=True)
            self.head = torch.nn.Linear(hidden, classes)

        def forward(self, x: Any) -> Any:
            return self.head(self.lstm(x)[0][:, -1, :])

    return LstmClassifier()


class SequenceTrainer:
    """The ``lstm`` model of ``framewise train task`` (see the module docstring)."""

    def __init__(self, settings: TaskTrainSettings) -> None:
        self.settings = settings
        self.columns: list[int] = []
        self.onnx: OnnxTaskModel | None = None
        self.net: Any = None

    @property
    def kinds(self) -> frozenset[DatasetKind]:
        """Windowed (``sequence``) datasets."""
        return frozenset({"sequence"})

    def inputs(self, data: WindowDataset, split: str) -> NDArray[np.float32]:
        """``split``'s windows with the chosen features (n × steps × features)."""
        return np.ascontiguousarray(data.x[split][:, :, self.columns], np.float32)

    def fit(self, spec: DatasetSpec, run_dir: Path) -> FitResult:
        """Train with early stopping, export to ONNX with a parity check, fill ``run_dir``."""
        check_kind(self, spec)
        torch = _torch()
        began = time.monotonic()
        s = self.settings
        torch.manual_seed(s.seed)
        data = read_dataset(spec.root)
        self.columns = feature_columns(data, s.features)
        x, y = self.inputs(data, "train"), data.y["train"]
        classes = len(data.classes)
        if len(np.unique(y)) < 2:
            raise InputError(
                "the training split has one class", subject=spec.root, hint="rebuild it"
            )
        counts = np.bincount(y, minlength=classes).astype(np.float64)
        weights = torch.tensor(counts.sum() / np.maximum(counts, 1) / classes, dtype=torch.float32)
        net = _network(torch, x.shape[2], s.hidden, classes)
        optimiser = torch.optim.Adam(net.parameters(), lr=s.learning_rate)
        loss_fn = torch.nn.CrossEntropyLoss(weight=weights)
        xv, yv = self.inputs(data, "val"), data.y["val"]
        if len(yv) == 0:
            xv, yv = x, y  # no validation windows: stop on the training loss
        tx, ty = torch.from_numpy(x), torch.from_numpy(y)
        vx, vy = torch.from_numpy(xv), torch.from_numpy(yv)
        best, best_state, waited = float("inf"), copy.deepcopy(net.state_dict()), 0
        generator = torch.Generator().manual_seed(s.seed)
        for _ in range(s.epochs):
            net.train()
            for batch in torch.randperm(len(tx), generator=generator).split(s.batch_size):
                optimiser.zero_grad()
                loss_fn(net(tx[batch]), ty[batch]).backward()
                optimiser.step()
            net.eval()
            with torch.no_grad():
                val_loss = float(loss_fn(net(vx), vy))
            if val_loss < best - 1e-6:
                best, best_state, waited = val_loss, copy.deepcopy(net.state_dict()), 0
            else:
                waited += 1
                if waited >= s.patience:
                    break
        net.load_state_dict(best_state)
        net.eval()
        self.net = net
        run_dir.mkdir(parents=True, exist_ok=True)
        onnx_path = self._export(torch, net, x.shape[1:], run_dir / MODEL_NAME)
        card = self.card(data)
        card.save(run_dir)
        self.onnx = OnnxTaskModel(onnx_path, card)
        parity = self._parity(torch, self.inputs(data, "test"), onnx_path)
        report = write_run(
            self, data, run_dir, {"onnx_parity_max_abs_diff": parity, "best_val_loss": best}
        )
        return FitResult(run_dir, onnx_path, report["val"], time.monotonic() - began)

    def card(self, data: WindowDataset) -> TaskModelCard:
        """The card of the trained network (it reads whole sequences)."""
        meta = data.metadata
        return TaskModelCard(
            classes=data.classes,
            features=data.feature_names,
            columns=self.columns,
            window_sec=float(meta["window"]["window_sec"]),
            step_sec=float(meta["window"]["step_sec"]),
            steps=int(meta["steps"]),
            mean=list(meta["scaler"]["mean"]),
            std=list(meta["scaler"]["std"]),
            aggregation="sequence",
            model="lstm",
        )

    def _export(self, torch: Any, net: Any, shape: tuple[int, ...], path: Path) -> Path:
        wrapped = torch.nn.Sequential(net, torch.nn.Softmax(dim=1))
        example = torch.zeros((1, *shape), dtype=torch.float32)
        partial = path.with_name(f".{path.name}.partial")
        with warnings.catch_warnings():
            # The exporter's own notes (dynamic axes, LSTM batch) are not the user's concern.
            warnings.simplefilter("ignore")
            torch.onnx.export(
                wrapped,
                (example,),
                str(partial),
                input_names=["input"],
                output_names=["probabilities"],
                dynamic_axes={"input": {0: "batch"}, "probabilities": {0: "batch"}},
                opset_version=17,
                dynamo=False,
            )
        partial.replace(path)
        return path

    def _parity(self, torch: Any, x: NDArray[np.float32], path: Path) -> float:
        if len(x) == 0 or self.onnx is None:
            return 0.0
        with torch.no_grad():
            theirs = torch.softmax(self.net(torch.from_numpy(x)), dim=1).numpy()
        diff = float(np.abs(theirs - self.onnx.run(x)).max())
        if diff > PARITY_TOLERANCE:
            raise ModelError(
                f"the ONNX export differs from the trained network by {diff:.2e}",
                subject=path,
                hint="report this with the dataset; the export is not trusted",
            )
        return diff

    def predict(self, data: WindowDataset, split: str) -> NDArray[np.int64]:
        """Class numbers of ``split``'s windows, from the ONNX export."""
        if self.onnx is None:
            raise ModelError("the trainer has not been fitted", subject="trainer", hint="fit first")
        return np.asarray(self.onnx.run(self.inputs(data, split)).argmax(axis=1), np.int64)

    def evaluate(self, spec: DatasetSpec, split: str = "val") -> Metrics:
        """Score the ONNX export on ``split``."""
        data = read_dataset(spec.root)
        return classification_metrics(split, data.y[split], self.predict(data, split), data.classes)

    def save(self, path: Path) -> Path:
        """Export the network to ``path`` again."""
        if self.net is None or self.onnx is None:
            raise ModelError("the trainer has not been fitted", subject="trainer", hint="fit first")
        steps, features = self.onnx.card.steps, len(self.columns)
        return self._export(_torch(), self.net, (steps, features), path)
