"""The ``clip_features`` stage: CLIP embeddings of whole frames and of every box's crop.

Scene features: the batch's kept frames go through the image encoder in one call (or in
slices of ``batch_size``) and land in each frame's ``embedding``. Object features: the crops
of every box of every kept frame are flattened into one list, embedded in one call, and cut
back into per-frame runs by the boxes' counts, so crop *k* of frame *i* ends on box *k* of
frame *i* whatever the batch size. Vectors are L2-normalised, so a dot product with a text
embedding (:meth:`ClipEncoder.text_embeddings`) is their cosine similarity, as search needs.

Example:
    >>> stage = build_clip_features(ClipFeaturesConfig(kind="clip_features", model="clip"))
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from framewise.config.detectors import ClipFeaturesConfig, detector_name
from framewise.core.detections import Detections, FloatArray
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.hf import (
    HfStage,
    check_lengths,
    chunks,
    device_of,
    kept_indices,
    load_pretrained,
    rgb_pil,
    torch_module,
)


def _pooled(output: Any) -> Any:
    # transformers 5 returns a model output whose pooler_output is the projected vector;
    # older releases returned the tensor itself.
    return output if hasattr(output, "shape") else output.pooler_output


def _normalised(vectors: Any) -> FloatArray:
    array = vectors.detach().float().cpu().numpy().astype(np.float32)
    norms = np.linalg.norm(array, axis=1, keepdims=True)
    return np.asarray(array / np.maximum(norms, 1e-12), np.float32)


class ClipEncoder:
    """A CLIP checkpoint's image and text encoders (offline, one device).

    Args:
        ref: The ``save_pretrained`` folder or cached repository id.
        device: ``cpu``, ``cuda`` or ``auto``.
    """

    def __init__(self, ref: str, device: str = "auto") -> None:
        self.torch = torch_module()
        self.device = device_of(device)
        model, self.processor = load_pretrained(ref, "AutoModel")
        self.model = model.to(self.device)
        self.dim = int(self.model.config.projection_dim)

    def image_embeddings(self, images: Sequence[Any], batch_size: int | None = None) -> FloatArray:
        """One L2-normalised row per PIL image, in order (``batch_size`` images per call)."""
        if not images:
            return np.zeros((0, self.dim), np.float32)
        parts = []
        for part in chunks(images, batch_size):
            pixels = self.processor.image_processor(images=list(part), return_tensors="pt")
            with self.torch.inference_mode():
                found = self.model.get_image_features(
                    pixel_values=pixels["pixel_values"].to(self.device)
                )
            parts.append(_normalised(_pooled(found)))
        return np.concatenate(parts)

    def text_embeddings(self, texts: Sequence[str]) -> FloatArray:
        """One L2-normalised row per text, in order."""
        if not texts:
            return np.zeros((0, self.dim), np.float32)
        tokens = self.processor.tokenizer(
            list(texts), padding=True, truncation=True, return_tensors="pt"
        )
        with self.torch.inference_mode():
            found = self.model.get_text_features(
                input_ids=tokens["input_ids"].to(self.device),
                attention_mask=tokens["attention_mask"].to(self.device),
            )
        return _normalised(_pooled(found))

    @property
    def logit_scale(self) -> float:
        """CLIP's learnt temperature (exp of the stored log), as its own logits use."""
        return float(self.model.logit_scale.exp().item())


def crop(image: np.ndarray, box: Sequence[float], padding: int = 0) -> np.ndarray:
    """The pixels of ``box`` (padded, clipped to the image, at least one pixel)."""
    height, width = image.shape[:2]
    x1, y1, x2, y2 = box
    left = int(min(max(np.floor(x1) - padding, 0), width - 1))
    top = int(min(max(np.floor(y1) - padding, 0), height - 1))
    right = int(max(min(np.ceil(x2) + padding, width), left + 1))
    bottom = int(max(min(np.ceil(y2) + padding, height), top + 1))
    return image[top:bottom, left:right]


class ClipFeaturesStage(HfStage):
    """Scene and object CLIP embeddings, batched across the frames of a batch."""

    def __init__(self, config: ClipFeaturesConfig, encoder: ClipEncoder) -> None:
        super().__init__(detector_name(config))
        self.config = config
        self.encoder = encoder

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add embeddings to the kept frames of ``batch`` and to their boxes."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        kept = kept_indices(results)
        size = self.config.batch_size
        if self.config.scene and kept:
            scenes = self.encoder.image_embeddings([rgb_pil(batch[i].image) for i in kept], size)
            for i, vector in zip(kept, scenes, strict=True):
                outputs[i] = outputs[i].replace(embedding=vector)
        if self.config.objects:
            counts = [len(outputs[i].detections) for i in kept]
            crops = [
                rgb_pil(crop(batch[i].image, box, self.config.crop_padding))
                for i in kept
                for box in outputs[i].detections.xyxy.tolist()
            ]
            vectors = self.encoder.image_embeddings(crops, size)
            # Cut the flat rows back into one run per frame, in the order they were laid out.
            ends = np.cumsum(counts, dtype=np.int64).tolist()
            starts = [end - count for end, count in zip(ends, counts, strict=True)]
            for i, start, end in zip(kept, starts, ends, strict=True):
                if end > start:
                    dets: Detections = outputs[i].detections
                    outputs[i] = outputs[i].with_detections(
                        dets.replace(embedding=vectors[start:end])
                    )
        return outputs


def build_clip_features(config: ClipFeaturesConfig) -> ClipFeaturesStage:
    """Build the ``clip_features`` stage of ``config``."""
    return ClipFeaturesStage(config, ClipEncoder(config.model, config.device))
