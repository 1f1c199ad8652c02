"""Loading ``transformers`` models offline, and what the foundation-model stages share.

Models never download: a stage's ``model`` is a ``save_pretrained`` folder or a repository id
already in the user's Hugging Face cache, and loading passes ``local_files_only=True`` with
``HF_HUB_OFFLINE=1`` set before ``transformers`` is imported. A model that is not there is one
:class:`~framewise.core.errors.ModelError` naming the folder (or id) and how to fetch it on a
connected machine.

Frames are BGR (the project's convention); the models take RGB PIL images, converted once per
batch. Every stage runs its model on the frames an earlier ``gate`` stage kept
(:func:`kept_indices`) and passes the others through untouched.

Example:
    >>> model, processor = load_pretrained("models/clip", "AutoModel")  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import os
from collections.abc import Iterator, Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from framewise.core.errors import ConfigError, ModelError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import refuse_unknown_thresholds

SKIPPED_FEATURE = "gate_skipped"
"""Frame feature a ``gate`` stage sets: 1 on frames the models skip, 0 on frames they see."""

FETCH_HINT = (
    "fetch it on a connected machine (`hf download {ref} --local-dir DIR`, or "
    "save_pretrained) and point model: at DIR"
)


def _transformers() -> Any:
    # Offline before the first import: huggingface_hub reads HF_HUB_OFFLINE when it loads,
    # and local_files_only alone would still let a processor's sub-parts look online.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ.setdefault("TRANSFORMERS_NO_ADVISORY_WARNINGS", "1")
    try:
        return importlib.import_module("transformers")
    except ImportError:
        raise ModelError(
            "the annotation stages need transformers, which is not installed",
            subject="transformers",
            hint="install framewise with the annotate extra: pip install 'framewise[annotate]'",
        ) from None


def transformers_module() -> Any:
    """The ``transformers`` module, imported offline (or a ModelError saying what to install)."""
    return _transformers()


def torch_module() -> Any:
    """The ``torch`` module (installed with ``transformers``' extra)."""
    _transformers()
    return importlib.import_module("torch")


def load_pretrained(ref: str, model_class: str) -> tuple[Any, Any]:
    """The model and processor saved at ``ref``, from disk only.

    Args:
        ref: A ``save_pretrained`` folder or a repository id in the Hugging Face cache.
        model_class: The ``transformers`` auto class, e.g. ``"AutoModel"``.

    Raises:
        ModelError: Nothing loadable is there (the folder is missing, the id is not cached,
            or the files are not a model of that kind).
    """
    transformers = _transformers()
    folder = Path(ref).expanduser()
    looks_local = folder.is_absolute() or ref.startswith(".") or folder.exists()
    if looks_local and not folder.is_dir():
        raise ModelError(
            "model folder not found", subject=folder, hint=FETCH_HINT.format(ref="<repo id>")
        )
    try:
        model = getattr(transformers, model_class).from_pretrained(ref, local_files_only=True)
        processor = transformers.AutoProcessor.from_pretrained(ref, local_files_only=True)
    except (OSError, ValueError, KeyError) as exc:
        where = "folder" if looks_local else "repository id (not in the Hugging Face cache)"
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(
            f"cannot load a model from this {where}: {first[:200]}",
            subject=ref,
            hint=FETCH_HINT.format(ref=ref if not looks_local else "<repo id>"),
        ) from None
    return model.eval(), processor


def device_of(device: str) -> str:
    """The torch device of a config's ``device`` (``auto``: CUDA when torch sees a GPU).

    Raises:
        ConfigError: ``cuda`` was asked for and torch sees no GPU.
    """
    torch = torch_module()
    if device == "auto":
        return "cuda" if torch.cuda.is_available() else "cpu"
    if device == "cuda" and not torch.cuda.is_available():
        raise ConfigError(
            "device cuda asked for, but torch sees no GPU",
            subject="device",
            hint="use --device cpu (or auto)",
        )
    return device


def rgb_pil(image: np.ndarray) -> Any:
    """An H×W×3 BGR uint8 array as an RGB PIL image."""
    from PIL import Image

    return Image.fromarray(np.ascontiguousarray(image[:, :, ::-1]))


def kept_indices(results: Sequence[FrameOutput]) -> list[int]:
    """Positions of the frames the models should see (not skipped by a ``gate``)."""
    return [
        i
        for i, r in enumerate(results)
        if SKIPPED_FEATURE not in r.feature_names or r.feature(SKIPPED_FEATURE) == 0.0
    ]


def chunks(items: Sequence[Any], size: int | None) -> Iterator[Sequence[Any]]:
    """``items`` in slices of ``size`` (``None``: all at once)."""
    step = size or max(len(items), 1)
    for start in range(0, len(items), step):
        yield items[start : start + step]


def check_lengths(name: str, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> None:
    """Refuse a results list that is not one per frame."""
    if len(batch) != len(results):
        raise ValueError(f"stage {name!r} got {len(results)} results for {len(batch)} frames")


class HfStage:
    """What the ``transformers`` stages share: a name, a tunable ``threshold``, closing.

    Attributes:
        name: The stage's name.
        class_names: Classes of the boxes it adds (a detector's prompts).
        threshold: The score a result needs (``None``: the stage has none to tune).
    """

    class_names: tuple[str, ...] = ()

    def __init__(self, name: str, threshold: float | None = None) -> None:
        self.name = name
        self.threshold = threshold

    def thresholds(self) -> Mapping[str, float]:
        """``threshold`` when the stage has one."""
        return {} if self.threshold is None else {"threshold": self.threshold}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Set ``threshold`` (in [0, 1]) from the next batch."""
        refuse_unknown_thresholds(self.name, values, self.thresholds())
        for value in values.values():
            if not 0.0 <= value <= 1.0:
                raise ConfigError(
                    f"threshold must be in [0, 1], got {value}", subject=self.name, hint="e.g. 0.3"
                )
        if "threshold" in values:
            self.threshold = float(values["threshold"])

    def close(self) -> None:
        """Nothing to release beyond the model, which the garbage collector frees."""
