"""Build an untrained YOLO from its architecture YAML and export it to ONNX, offline.

No weights are downloaded: the network is built from Ultralytics' bundled ``yolo11n.yaml``
(random initial weights, seeded), saved as a ``.pt`` checkpoint, reloaded from that file and
exported with Ultralytics' own ONNX exporter, so the ``.pt`` and the ``.onnx`` hold the same
weights (a checkpoint stores them in fp16) and the ONNX file carries the metadata our
``yolo_onnx`` detector reads (class names, input size, stride). Tests and benchmarks use
these models; a trained model goes through the same exporter.

With Ultralytics' initial weights the signal fades across YOLO11n's ~100 layers: every anchor
of an untrained model scores the same and every box has the same size, whatever the picture.
``calibration`` pictures fix that the way data-dependent initialisation does: the batch-norm
layers' statistics are set to those pictures' activations, so every layer passes on a
unit-scale signal and the outputs (scores ~0.001–0.3, boxes of all sizes) depend on the
input. Tests that compare two implementations of the same model need that.

Example:
    >>> export_untrained_onnx("m.onnx", names=["kill", "death"], imgsz=320)  # doctest: +SKIP
    PosixPath('m.onnx')
"""

from __future__ import annotations

import logging
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from types import ModuleType
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.core.errors import ConfigError, ModelError
from framewise.detectors.letterbox import Letterbox
from framewise.training.ultralytics_env import configure_ultralytics, ultralytics_module

log = logging.getLogger(__name__)


def class_names(names: Sequence[str] | None, nc: int | None) -> tuple[str, ...]:
    """The class names to give the model: ``names``, or ``class0 … class{nc-1}``.

    Raises:
        ConfigError: Neither or both are given, a name repeats or is empty, or ``nc < 1``.
    """
    if (names is None) == (nc is None):
        raise ConfigError(
            "give either names or nc", subject="export", hint="e.g. names=['kill', 'death']"
        )
    if names is None:
        assert nc is not None  # narrowed by the check above
        if nc < 1:
            raise ConfigError(f"nc must be at least 1, got {nc}", subject="export", hint="nc=1")
        return tuple(f"class{i}" for i in range(nc))
    if isinstance(names, str):  # one class, not one class per letter
        names = [names]
    resolved = tuple(names)
    if not resolved or not all(resolved) or len(set(resolved)) != len(resolved):
        raise ConfigError(
            f"class names must be distinct and non-empty, got {list(resolved)}",
            subject="export",
            hint="give every class its own name",
        )
    return resolved


def export_untrained_onnx(
    out_path: str | os.PathLike[str],
    *,
    names: Sequence[str] | None = None,
    nc: int | None = None,
    yaml: str = "yolo11n.yaml",
    imgsz: int = 640,
    dynamic: bool = True,
    opset: int = 17,
    seed: int = 0,
    calibration: Sequence[NDArray[np.uint8]] = (),
    config_dir: str | os.PathLike[str] | None = None,
) -> Path:
    """Write an untrained detection model to ``out_path`` (``.onnx``) and its ``.pt`` beside.

    Args:
        out_path: The ONNX file to write; the checkpoint goes to the same path with ``.pt``.
        names: Class names, in class-index order.
        nc: Number of classes, named ``class0``…, when ``names`` is not given.
        yaml: Architecture: a YAML bundled with Ultralytics (``yolo11n.yaml``) or a path.
        imgsz: Export input size (square); also the size the ONNX metadata records.
        dynamic: Dynamic batch, height and width axes (needed for ``rect=True`` and for
            batched inference).
        opset: ONNX opset.
        seed: Seed of the random initial weights (same seed, same model).
        calibration: BGR pictures (H×W×3 uint8) to set the batch-norm statistics from, so
            the untrained model's outputs depend on the picture; none keeps Ultralytics'
            initial statistics (constant outputs).
        config_dir: Ultralytics' config folder (see :func:`configure_ultralytics`).

    Returns:
        ``out_path``.

    Raises:
        ConfigError: Bad names, a path not ending in ``.onnx``, or an unknown YAML.
        ModelError: Ultralytics failed to build or export the model.
    """
    target = Path(out_path)
    if target.suffix.lower() != ".onnx":
        raise ConfigError(
            "the export path must end in .onnx", subject=target, hint="e.g. model.onnx"
        )
    if imgsz < 32 or imgsz % 32:
        raise ConfigError(
            f"imgsz must be a multiple of 32, got {imgsz}", subject=target, hint="e.g. 640"
        )
    labels = class_names(names, nc)
    configure_ultralytics(config_dir)
    torch = ultralytics_module("torch")
    ultralytics = ultralytics_module("ultralytics")
    tasks = ultralytics_module("ultralytics.nn.tasks")
    target.parent.mkdir(parents=True, exist_ok=True)
    checkpoint = target.with_suffix(".pt")

    torch.manual_seed(seed)
    try:
        wrapper = ultralytics.YOLO(yaml, task="detect")
        # Rebuild with our class count: YOLO(yaml) keeps the YAML's nc (80 for yolo11n).
        network = tasks.DetectionModel(cfg=wrapper.model.yaml, nc=len(labels), verbose=False)
    except FileNotFoundError as error:
        raise ConfigError(
            f"no model YAML {yaml!r}: {error}",
            subject=yaml,
            hint="use one bundled with Ultralytics (e.g. yolo11n.yaml) or a path to a YAML",
        ) from error
    if calibration:
        _calibrate_batch_norm(torch, network, calibration, imgsz)
    network.names = dict(enumerate(labels))
    network.args = wrapper.model.args
    network.task = "detect"
    wrapper.model = network
    wrapper.save(checkpoint)

    try:
        with warnings.catch_warnings():
            # Ultralytics picks torch's TorchScript-based exporter on purpose; torch and its
            # internals warn that it (and helpers it uses) are deprecated, on every call. Not
            # ours to act on, and an error under the tests' -W error.
            warnings.filterwarnings("ignore", category=DeprecationWarning)
            written = _export(
                wrapper.__class__(str(checkpoint), task="detect"), imgsz, dynamic, opset
            )
    except (RuntimeError, ValueError, ImportError, AssertionError) as error:
        # The exporter signals failures with these (a missing onnx/onnxslim is an ImportError
        # because auto-install is off); our callers expect a ModelError with the file.
        raise ModelError(
            f"Ultralytics could not export the model to ONNX: {error}",
            subject=checkpoint,
            hint="check that the `train` extra is installed (`make train-deps`)",
        ) from error
    produced = Path(written)
    if produced.resolve() != target.resolve():
        produced.replace(target)
    log.info("exported untrained %s (%d classes) to %s", yaml, len(labels), target)
    return target


def _export(model: Any, imgsz: int, dynamic: bool, opset: int) -> str:
    """Run Ultralytics' ONNX exporter on the CPU; returns the file it wrote."""
    written: str = model.export(
        format="onnx",
        imgsz=imgsz,
        dynamic=dynamic,
        opset=opset,
        simplify=True,
        batch=1,
        device="cpu",
    )
    return written


def _calibrate_batch_norm(
    torch: ModuleType, network: Any, pictures: Sequence[NDArray[np.uint8]], imgsz: int
) -> None:
    """Set every batch-norm layer's running statistics to those of ``pictures``."""
    blob = np.zeros((len(pictures), 3, imgsz, imgsz), np.float32)
    for row, picture in enumerate(pictures):
        if picture.ndim != 3 or picture.shape[2] != 3 or picture.dtype != np.uint8:
            raise ConfigError(
                f"calibration picture {row} is {picture.dtype} {picture.shape}, not H×W×3 uint8",
                subject="export",
                hint="pass BGR frames as decoded by OpenCV or FileSource",
            )
        Letterbox.fit(picture.shape[0], picture.shape[1], (imgsz, imgsz)).write_input(
            picture, blob[row]
        )
    for module in network.modules():
        if isinstance(module, torch.nn.BatchNorm2d):
            module.reset_running_stats()
            module.momentum = None  # a plain average over the calibration batch
    network.train()
    with torch.no_grad():
        network(torch.from_numpy(blob))
    network.eval()
