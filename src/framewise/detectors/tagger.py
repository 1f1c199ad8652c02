"""The ``tagger`` stage: what is in each frame, as tags, from CLIP zero-shot over a tag list.

RAM (recognize-anything) is not on the package registry, so the tagger any CLIP checkpoint
serves is the default: each tag becomes a text prompt (``"a photo of a {}"``), embedded once
when the stage starts; the batch's kept frames are embedded in one call, and a frame's tags
are the ``top_k`` most probable of the softmax over the tag list that reach ``threshold``.
A later ``open_vocab_detector`` looks for these tags in the frame.

Example:
    >>> stage = build_tagger(TaggerConfig(kind="tagger", model="clip", tags=["car", "dog"]))
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.typing import NDArray

from framewise.config.detectors import TaggerConfig, detector_name
from framewise.core.detections import FloatArray
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.clip_features import ClipEncoder
from framewise.detectors.hf import HfStage, check_lengths, kept_indices, rgb_pil


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


def build_tagger(config: TaggerConfig) -> TaggerStage:
    """Build the ``tagger`` stage of ``config``."""
    return TaggerStage(config, ClipEncoder(config.model, config.device))
