"""``framewise train yolo``: Ultralytics training, ONNX export, parity check, model card.

One run directory holds everything (as Ultralytics' runs do): the resolved arguments, the
weights, ``model.onnx``, ``metrics.json`` and ``MODEL_CARD.md``. The ONNX model is checked
against the PyTorch one on the validation images before it is called done.

Ultralytics is imported only here and only after :func:`configure_ultralytics` (offline).
"""

from __future__ import annotations

import logging
import os
import platform
import shlex
import sys
import time
import warnings
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any, ClassVar

from framewise.core.atomic import write_bytes, write_json, write_text
from framewise.core.errors import ConfigError, InputNotFoundError, ModelError
from framewise.datasets.spec import DATA_YAML, DatasetKind, DatasetSpec, read_data_yaml
from framewise.training.augment import ultralytics_args
from framewise.training.base import FitResult, Metrics, check_kind
from framewise.training.card import model_card
from framewise.training.parity import Parity, check_parity
from framewise.training.ultralytics_env import configure_ultralytics, ultralytics_module

log = logging.getLogger(__name__)

ARCHITECTURE = "yolo11n.yaml"
NOMINAL_BATCH = 64
"""Ultralytics' ``nbs``: images per optimizer step unless told otherwise."""
SMALL_STEPS = 5
"""Fewer default optimizer steps per epoch than this make a fine-tune "small"."""
"""The default network: YOLO11n built from its YAML (no pretrained weights can be fetched)."""


@dataclass(frozen=True)
class TrainSettings:
    """Arguments of one training run (all recorded in the run directory).

    Attributes:
        data: The dataset's ``data.yaml`` (YOLO format).
        out: The run directory.
        start: ``yolo11n.yaml`` (from scratch) or a ``.pt`` to continue from.
        epochs: Training epochs.
        imgsz: Square training size (multiple of 32).
        batch: Images per step.
        device: ``cpu``, ``0`` (first GPU), ... (Ultralytics' device string).
        workers: Data-loader processes.
        seed: Random seed.
        patience: Epochs without improvement before stopping early.
        cache: Keep decoded training images in RAM.
        warmup_epochs: Epochs of learning-rate warm-up; ``None``: 3 from scratch, none when
            continuing (Ultralytics warms up for at least 100 steps, which would spend a short
            fine-tune on a small dataset at nearly zero learning rate).
    """

    data: Path = Path("data.yaml")
    out: Path = Path("runs/yolo")
    start: str = ARCHITECTURE
    epochs: int = 30
    imgsz: int = 320
    batch: int = 16
    device: str = "cpu"
    workers: int = 2
    seed: int = 0
    patience: int = 50
    cache: bool = True
    warmup_epochs: float | None = None
    augment: tuple[tuple[str, float], ...] = ()

    @property
    def continuing(self) -> bool:
        """Fine-tuning a trained model (``--from`` a ``.pt``), not training from scratch."""
        return self.start != ARCHITECTURE

    def small_fine_tune(self, train_images: int) -> bool:
        """A fine-tune whose epochs would make fewer than 5 optimizer steps by default."""
        return self.continuing and train_images < SMALL_STEPS * NOMINAL_BATCH

    def fine_tune_args(self, train_images: int) -> dict[str, Any]:
        """Ultralytics arguments that make a short fine-tune on a small dataset learn.

        Ultralytics accumulates gradients up to a nominal batch of 64 images, so 40 images
        make less than one optimizer step per epoch, and warms up for at least 100 steps;
        its "auto" optimizer picks AdamW, whose first steps without warm-up shake a trained
        model badly (measured: mAP50 on its own training frames fell from 0.52 to 0.04 in
        one epoch). SGD with a small rate, a step per batch and no warm-up moves it gently.
        Larger datasets keep Ultralytics' defaults (the shipped model's v2 was made so).
        """
        if not self.small_fine_tune(train_images):
            return {}
        return {"nbs": self.batch, "optimizer": "SGD", "lr0": 0.002}

    def warmup(self, train_images: int) -> float:
        """The warm-up used: ``warmup_epochs``, else none for a small fine-tune, else 3."""
        if self.warmup_epochs is not None:
            return self.warmup_epochs
        return 0.0 if self.small_fine_tune(train_images) else 3.0


@dataclass
class TrainResult:
    """What a run produced."""

    run_dir: Path
    weights: Path
    onnx: Path
    metrics: dict[str, float]
    per_class: dict[str, dict[str, float]]
    parity: Parity
    train_seconds: float
    command: str
    versions: dict[str, str] = field(default_factory=dict)


def _check(settings: TrainSettings, spec: DatasetSpec | None = None) -> DatasetSpec:
    """The dataset of ``settings`` (``spec`` when the caller read it), checked with the arguments.

    Raises:
        InputNotFoundError: The dataset YAML or the model to continue from is missing.
        InputError: The dataset YAML is malformed, or has no names, train or val.
        ConfigError: An argument is invalid.
    """
    if spec is None:
        if not settings.data.is_file():
            raise InputNotFoundError(
                "no dataset YAML",
                subject=settings.data,
                hint="export one with `framewise dataset yolo` or `framewise export --format yolo`",
            )
        spec = read_data_yaml(settings.data)
    spec.require("train", "val")
    if settings.imgsz % 32:
        raise ConfigError(
            f"--imgsz {settings.imgsz} is not a multiple of 32", hint="use 320, 416, 640, ..."
        )
    if settings.start != ARCHITECTURE and not Path(settings.start).is_file():
        raise InputNotFoundError(
            "no such model to continue from",
            subject=settings.start,
            hint="pass a .pt written by an earlier `framewise train yolo`",
        )
    return spec


def train_yolo(
    settings: TrainSettings, *, command: str | None = None, spec: DatasetSpec | None = None
) -> TrainResult:
    """Train, export to ONNX (opset 17, dynamic axes), check parity, write the model card.

    Args:
        settings: The run's arguments.
        command: The command line recorded with the run (default: this process's).
        spec: ``settings.data`` already read (else it is read here).

    Raises:
        InputNotFoundError: The dataset or the starting model is missing.
        InputError: The dataset YAML is malformed or incomplete.
        ConfigError: An argument is invalid.
        ModelError: Training or export failed.
    """
    spec = _check(settings, spec)
    train_images = len(spec.images("train"))
    out = settings.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    configure_ultralytics(out / ".ultralytics")
    ultralytics = ultralytics_module("ultralytics")
    command = command or shlex.join(["framewise", *sys.argv[1:]])
    write_json(
        out / "args.json", {**{k: str(v) for k, v in asdict(settings).items()}, "command": command}
    )
    began = time.monotonic()
    model = ultralytics.YOLO(settings.start, task="detect")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # torch/Ultralytics deprecation chatter
            model.train(
                data=str(settings.data.resolve()),
                epochs=settings.epochs,
                imgsz=settings.imgsz,
                batch=settings.batch,
                device=settings.device,
                workers=settings.workers,
                seed=settings.seed,
                deterministic=True,
                patience=settings.patience,
                warmup_epochs=settings.warmup(train_images),
                **settings.fine_tune_args(train_images),
                **ultralytics_args(settings.augment),
                cache="ram" if settings.cache else False,
                project=str(out),
                name="ultralytics",
                exist_ok=True,
                plots=False,
                verbose=False,
                amp=settings.device != "cpu",
                # False would drop the weights of a --from model; from the YAML there are none.
                pretrained=settings.start != ARCHITECTURE,
            )
    except (RuntimeError, ValueError, FileNotFoundError, AssertionError) as error:
        raise ModelError(
            f"training failed: {error}",
            subject=settings.data,
            hint="check the dataset paths in data.yaml",
        ) from error
    return finish_run(settings, Path(model.trainer.best), time.monotonic() - began, command, spec)


def finish_run(
    settings: TrainSettings,
    best: Path,
    train_seconds: float,
    command: str,
    spec: DatasetSpec | None = None,
) -> TrainResult:
    """Export ``best`` to ONNX, validate, check parity and write the metrics and model card.

    Also the way to finish a run stopped early: its ``best.pt`` is kept after every epoch.
    """
    spec = _check(settings, spec)
    out = settings.out.resolve()
    configure_ultralytics(out / ".ultralytics")
    ultralytics = ultralytics_module("ultralytics")
    weights = out / "model.pt"
    weights.write_bytes(best.read_bytes())
    onnx = export_onnx(weights, out / "model.onnx", settings.imgsz)
    metrics, per_class = validate(weights, settings)
    parity = check_parity(weights, onnx, spec.images("val"), settings.imgsz)
    result = TrainResult(
        out,
        weights,
        onnx,
        metrics,
        per_class,
        parity,
        train_seconds,
        command,
        _versions(ultralytics),
    )
    write_json(
        out / "metrics.json",
        {
            "metrics": metrics,
            "per_class": per_class,
            "parity": asdict(parity),
            "train_seconds": train_seconds,
        },
    )
    write_text(out / "MODEL_CARD.md", model_card(result, settings, spec))
    log.info("run in %s", out)
    return result


def export_onnx(weights: Path, target: Path, imgsz: int) -> Path:
    """Export ``weights`` to ONNX (opset 17, dynamic batch/height/width) at ``target``."""
    ultralytics = ultralytics_module("ultralytics")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            written = ultralytics.YOLO(str(weights), task="detect").export(
                format="onnx",
                opset=17,
                dynamic=True,
                simplify=True,
                imgsz=imgsz,
                device="cpu",
                batch=1,
            )
    except (RuntimeError, ValueError, ImportError, AssertionError) as error:
        raise ModelError(
            f"ONNX export failed: {error}", subject=weights, hint="check that `make train-deps` ran"
        ) from error
    Path(written).replace(target)
    return target


def validate(
    weights: Path, settings: TrainSettings, split: str = "val"
) -> tuple[dict[str, float], dict[str, dict[str, float]]]:
    """Precision, recall and mAP on a split of the dataset (validation), overall and per class."""
    ultralytics = ultralytics_module("ultralytics")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        result = ultralytics.YOLO(str(weights), task="detect").val(
            data=str(settings.data.resolve()),
            split=split,
            imgsz=settings.imgsz,
            batch=settings.batch,
            device=settings.device,
            plots=False,
            verbose=False,
            project=str(settings.out),
            name=split,
            exist_ok=True,
        )
    box = result.box
    metrics = {
        "precision": float(box.mp),
        "recall": float(box.mr),
        "mAP50": float(box.map50),
        "mAP50-95": float(box.map),
    }
    per_class: dict[str, dict[str, float]] = {}
    for i, class_index in enumerate(box.ap_class_index):
        p, r, ap50, ap = box.class_result(i)
        per_class[str(result.names[int(class_index)])] = {
            "precision": float(p),
            "recall": float(r),
            "mAP50": float(ap50),
            "mAP50-95": float(ap),
        }
    return metrics, per_class


def _versions(ultralytics: Any) -> dict[str, str]:
    torch = ultralytics_module("torch")
    return {
        "ultralytics": ultralytics.__version__,
        "torch": torch.__version__,
        "python": platform.python_version(),
        "machine": platform.machine(),
        "cpus": str(os.cpu_count()),
    }


class YoloTrainer:
    """``framewise train yolo`` as a :class:`~framewise.training.base.Trainer`.

    Args:
        settings: The run's arguments; ``fit`` replaces its ``data`` and ``out`` with the
            dataset's YAML and the run folder it is given.
        command: The command line recorded with the run (default: this process's).
    """

    kinds: ClassVar[frozenset[DatasetKind]] = frozenset({"yolo"})

    def __init__(self, settings: TrainSettings | None = None, command: str | None = None) -> None:
        self.settings = settings or TrainSettings()
        self.command = command
        self.result: TrainResult | None = None
        """The last fit's full result (parity check, per-class scores, versions)."""

    def fit(self, spec: DatasetSpec, run_dir: Path) -> FitResult:
        """Train, export, check and describe the model (see :func:`train_yolo`)."""
        check_kind(self, spec)
        data = _data_yaml(spec, run_dir / DATA_YAML)
        spec = spec.model_copy(update={"source": data})
        self.settings = replace(self.settings, data=data, out=run_dir)
        result = self.result = train_yolo(self.settings, command=self.command, spec=spec)
        metrics = Metrics("val", result.metrics, result.per_class, len(spec.images("val")))
        return FitResult(
            run_dir=result.run_dir,
            model=result.onnx,
            metrics=metrics,
            seconds=result.train_seconds,
            artefacts={
                "weights": result.weights,
                "card": result.run_dir / "MODEL_CARD.md",
                "metrics": result.run_dir / "metrics.json",
            },
        )

    def evaluate(self, spec: DatasetSpec, split: str = "val") -> Metrics:
        """Precision, recall and mAP of the fitted weights on ``split`` of ``spec``."""
        check_kind(self, spec.require(split))
        fitted = self.fitted
        data = _data_yaml(spec, fitted.run_dir / f"{split}.{DATA_YAML}")
        values, per_class = validate(fitted.weights, replace(self.settings, data=data), split)
        return Metrics(split, values, per_class, len(spec.images(split)))

    def save(self, path: Path) -> Path:
        """Write the fitted model: ONNX, or the PyTorch weights when ``path`` ends in ``.pt``."""
        fitted = self.fitted
        source = fitted.weights if path.suffix == ".pt" else fitted.onnx
        write_bytes(path, source.read_bytes())
        return path

    @property
    def fitted(self) -> TrainResult:
        """The last fit's full result.

        Raises:
            ModelError: Nothing was fitted yet.
        """
        if self.result is None:
            raise ModelError("no model has been fitted yet", hint="call fit() first")
        return self.result


def _data_yaml(spec: DatasetSpec, fallback: Path) -> Path:
    """A ``data.yaml`` of ``spec`` for Ultralytics: its own, else one written at ``fallback``."""
    if spec.source is not None and spec.source.suffix in (".yaml", ".yml"):
        return spec.source
    # A spec made in code, or read from dataset.json, has no YAML Ultralytics could read.
    return spec.write_data_yaml(fallback)
