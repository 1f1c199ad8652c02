"""The ``tagger`` stage: what is in each frame, as tags, from CLIP zero-shot over a tag list.

RAM (recognize-anything) is not on the package registry, so the tagger any CLIP checkpoint
serves is the default: each tag becomes a text prompt (``"a photo of a {}"``), embedded once
when the stage starts; the batch's kept frames are embedded in one call, and a frame's tags
are the ``top_k`` most probable of the softmax over the tag list that reach ``threshold``.
A later ``open_vocab_detector`` looks for these tags in the frame.

A RAM / RAM++ checkpoint (``model: {kind: ram, path: DIR}``) is accepted where its code — the
recognize-anything package, imported as ``ram`` — is installed: the one ``.pth`` in ``DIR``
is loaded with ``ram.models.ram_plus`` (or ``ram``), the batch's kept frames go through its
``generate_tag`` in one call, and each frame gets the tags RAM's own per-tag thresholds pass
(score 1.0: RAM reports decisions, not probabilities), kept to ``tags`` when given. Nothing is
downloaded: RAM reads ``bert-base-uncased``'s tokenizer from the Hugging Face cache.

Example:
    >>> stage = build_tagger(TaggerConfig(kind="tagger", model="clip", tags=["car", "dog"]))
    ... # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import io
from collections.abc import Sequence
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.config.detectors import RamCheckpoint, TaggerConfig, detector_name
from framewise.core.detections import FloatArray
from framewise.core.errors import ConfigError, ModelError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.clip_features import ClipEncoder
from framewise.detectors.hf import (
    HfStage,
    check_lengths,
    device_of,
    kept_indices,
    rgb_pil,
    torch_module,
)

RAM_INSTALL = (
    "install recognize-anything (imported as ram; not on the package registry: "
    "pip install git+https://github.com/xinyu1205/recognize-anything on a connected "
    "machine), or use a CLIP folder as model: with tags:"
)


def _softmax(logits: NDArray[Any]) -> FloatArray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return np.asarray(exp / exp.sum(axis=1, keepdims=True), np.float32)


class TaggerStage(HfStage):
    """CLIP zero-shot tagging of the batch's kept frames in one image-encoder call."""

    def __init__(self, config: TaggerConfig, encoder: ClipEncoder) -> None:
        super().__init__(detector_name(config), config.threshold)
        self.config = config
        self.encoder = encoder
        self.tags = tuple(config.tags)
        self.text = encoder.text_embeddings([config.template.format(t) for t in self.tags])

    def scores(self, batch: Sequence[Frame]) -> FloatArray:
        """Per frame, the probability of each tag (rows: frames, columns: tags)."""
        images = [rgb_pil(frame.image) for frame in batch]
        vectors = self.encoder.image_embeddings(images, self.config.batch_size)
        return _softmax(self.encoder.logit_scale * vectors @ self.text.T)

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each kept frame's tags (best first) after the tags it had."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        kept = kept_indices(results)
        if not kept:
            return outputs
        threshold = self.threshold or 0.0
        for i, row in zip(kept, self.scores([batch[i] for i in kept]), strict=True):
            # A stable sort keeps ties in tag-list order, so every batch size agrees.
            order = np.argsort(-row, kind="stable")[: self.config.top_k]
            tags = [(self.tags[j], float(row[j])) for j in order if row[j] >= threshold]
            outputs[i] = outputs[i].with_tags(*tags)
        return outputs


def ram_checkpoint(checkpoint: RamCheckpoint) -> Path:
    """The one ``.pth`` file in the checkpoint's folder.

    Raises:
        ModelError: The folder is missing, or holds no ``.pth`` or several.
    """
    folder = Path(checkpoint.path)
    hint = "put one RAM checkpoint (e.g. ram_plus_swin_large_14m.pth) in the folder"
    if not folder.is_dir():
        raise ModelError("RAM checkpoint folder not found", subject=folder, hint=hint)
    found = sorted(folder.glob("*.pth"))
    if len(found) != 1:
        what = "no .pth checkpoint" if not found else f"{len(found)} .pth files"
        raise ModelError(f"the RAM folder holds {what}", subject=folder, hint=hint)
    return found[0]


def _ram_package(folder: str) -> tuple[Any, Any]:
    """``ram.models`` and ``ram``'s ``get_transform``, or a ConfigError saying what to install."""
    try:
        models = importlib.import_module("ram.models")
        transform = importlib.import_module("ram.transform")
    except ImportError:
        raise ConfigError(
            "a RAM checkpoint needs the recognize-anything package (ram), which is not installed",
            subject=folder,
            hint=RAM_INSTALL,
        ) from None
    return models, transform.get_transform


class RamTaggerStage(HfStage):
    """RAM / RAM++ tags for the batch's kept frames, in one ``generate_tag`` call."""

    def __init__(self, config: TaggerConfig, model: Any, transform: Any, device: str) -> None:
        super().__init__(detector_name(config))
        self.config = config
        self.torch = torch_module()
        self.model = model
        self.transform = transform
        self.device = device
        self.keep = frozenset(config.tags)

    def tags(self, batch: Sequence[Frame]) -> list[list[str]]:
        """Per frame, RAM's English tags in its tag-list order."""
        pixels = self.torch.stack([self.transform(rgb_pil(f.image)) for f in batch])
        with self.torch.inference_mode():
            english = self.model.generate_tag(pixels.to(self.device))[0]
        return [[t.strip() for t in str(line).split("|") if t.strip()] for line in english]

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each kept frame's tags (kept to ``tags`` when given) after the tags it had."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        kept = kept_indices(results)
        if not kept:
            return outputs
        for i, names in zip(kept, self.tags([batch[i] for i in kept]), strict=True):
            chosen = [(n, 1.0) for n in names if not self.keep or n in self.keep]
            outputs[i] = outputs[i].with_tags(*chosen)
        return outputs


def build_ram_tagger(config: TaggerConfig, checkpoint: RamCheckpoint) -> RamTaggerStage:
    """Load a RAM checkpoint with the recognize-anything package (offline).

    Raises:
        ModelError: The folder or its checkpoint is missing, or will not load.
        ConfigError: The ``ram`` package is not installed.
    """
    weights = ram_checkpoint(checkpoint)
    device = device_of(config.device)  # imports transformers offline before ram imports it
    models, get_transform = _ram_package(checkpoint.path)
    factory = getattr(models, checkpoint.variant)
    try:
        with redirect_stdout(io.StringIO()):  # the package prints each step it loads
            model = factory(
                pretrained=str(weights), image_size=checkpoint.image_size, vit=checkpoint.vit
            )
    except (OSError, RuntimeError, KeyError, ValueError) as exc:
        first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        raise ModelError(
            f"cannot load this RAM checkpoint: {first[:200]}",
            subject=weights,
            hint="check variant:/vit:/image_size: match the file; RAM also reads "
            "bert-base-uncased's tokenizer from the Hugging Face cache "
            "(`hf download bert-base-uncased` on a connected machine)",
        ) from None
    transform = get_transform(image_size=checkpoint.image_size)
    return RamTaggerStage(config, model.eval().to(device), transform, device)


def build_tagger(config: TaggerConfig) -> TaggerStage | RamTaggerStage:
    """Build the ``tagger`` stage of ``config`` (CLIP, or a RAM checkpoint)."""
    if isinstance(config.model, RamCheckpoint):
        return build_ram_tagger(config, config.model)
    return TaggerStage(config, ClipEncoder(config.model, config.device))
