"""The ``open_vocab_detector`` stage: boxes for text prompts (Grounding DINO or OWLv2).

Each kept frame has its own prompts: the config's ``prompts`` plus the tags earlier stages gave
it (``use_tags``). All kept frames with at least one prompt go through the model in one call:

- **Grounding DINO** reads one caption per image (``"car. red dog."``); captions of different
  lengths are padded in the batch. A box's score for a phrase is the highest token
  probability over that phrase's tokens (found from the tokenizer's character offsets), and
  its label the best phrase; padding tokens belong to no phrase.
- **OWLv2** reads a list of queries per image; shorter lists are padded with blank queries,
  whose logits are set to −∞ here so a padded batch ranks exactly like a lone frame.

Boxes are returned in source pixels, best first, at most ``max_detections`` per frame, and
merged after the boxes found so far; their class is the prompt.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from framewise.config.detectors import OpenVocabConfig, detector_name
from framewise.core.detections import Detections, FloatArray
from framewise.core.errors import ModelError
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

ARCHITECTURES = ("grounding-dino", "owlv2", "owlvit")
"""``model_type`` values of the checkpoints this stage runs."""


def caption(phrases: Sequence[str]) -> tuple[str, list[tuple[int, int]]]:
    """Grounding DINO's caption for ``phrases`` and each phrase's character span in it.

    >>> caption(["Car", "red dog"])
    ('car. red dog.', [(0, 3), (5, 12)])
    """
    text, spans = "", []
    for phrase in phrases:
        if text:
            text += " "
        start = len(text)
        text += phrase.lower().strip()
        spans.append((start, len(text)))
        text += "."
    return text, spans


def _corners(boxes: FloatArray, scale_x: float, scale_y: float, width: int, height: int) -> Any:
    cx, cy, w, h = boxes.T
    xyxy = np.stack([cx - w / 2, cy - h / 2, cx + w / 2, cy + h / 2], axis=1)
    xyxy *= np.array([scale_x, scale_y, scale_x, scale_y], np.float32)
    xyxy[:, [0, 2]] = np.clip(xyxy[:, [0, 2]], 0, width)
    xyxy[:, [1, 3]] = np.clip(xyxy[:, [1, 3]], 0, height)
    return xyxy


class OpenVocabStage(HfStage):
    """Zero-shot boxes for per-frame prompts, every kept frame of the batch in one call."""

    def __init__(self, config: OpenVocabConfig, model: Any, processor: Any) -> None:
        super().__init__(detector_name(config), config.threshold)
        self.config = config
        self.torch = torch_module()
        self.device = device_of(config.device)
        self.model = model.to(self.device)
        self.processor = processor
        self.architecture = str(model.config.model_type)
        self.class_names = tuple(config.prompts)
        if self.architecture not in ARCHITECTURES:
            raise ModelError(
                f"{self.architecture} is not an open-vocabulary detector this stage runs",
                subject=config.model,
                hint=f"use a checkpoint of {', '.join(ARCHITECTURES)}",
            )

    def prompts(self, result: FrameOutput) -> list[str]:
        """The phrases looked for in one frame: the config's, then its tags, each once."""
        tags = [name for name, _ in result.tags] if self.config.use_tags else []
        return list(dict.fromkeys(p.strip() for p in [*self.config.prompts, *tags] if p.strip()))

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add each kept frame's boxes after the ones it had."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        todo = [(i, p) for i in kept_indices(results) if (p := self.prompts(results[i]))]
        for part in chunks(todo, self.config.batch_size):
            frames = [batch[i] for i, _ in part]
            phrases = [p for _, p in part]
            run = self._dino if self.architecture == "grounding-dino" else self._owl
            for (i, _), found in zip(part, run(frames, phrases), strict=True):
                merged = Detections.merge(outputs[i].detections, found)
                outputs[i] = outputs[i].with_detections(merged)
        return outputs

    def _boxes(
        self, frame: Frame, boxes: Any, scores: Any, labels: Any, phrases: Sequence[str], side: str
    ) -> Detections:
        """Keep the boxes above threshold, best first, in source pixels."""
        keep = np.flatnonzero(scores >= (self.threshold or 0.0))
        keep = keep[np.argsort(-scores[keep], kind="stable")][: self.config.max_detections]
        width, height = frame.width, frame.height
        # OWLv2 pads images to a square before resizing, so its boxes are fractions of the
        # longer side; Grounding DINO's are fractions of each side.
        sx, sy = (max(width, height),) * 2 if side == "square" else (width, height)
        xyxy = _corners(boxes[keep].astype(np.float32), sx, sy, width, height)
        return Detections(
            xyxy, scores[keep].astype(np.float32), tuple(phrases[j] for j in labels[keep])
        )

    def _dino(self, frames: Sequence[Frame], phrases: Sequence[list[str]]) -> list[Detections]:
        captions = [caption(p) for p in phrases]
        tokens = self.processor.tokenizer(
            [text for text, _ in captions],
            padding=True,
            return_offsets_mapping=True,
            return_tensors="pt",
        )
        offsets = tokens.pop("offset_mapping").numpy()
        pixels = self.processor.image_processor(
            images=[rgb_pil(f.image) for f in frames], return_tensors="pt"
        )
        inputs = {k: v.to(self.device) for k, v in {**tokens, **pixels}.items()}
        with self.torch.inference_mode():
            out = self.model(**inputs)
        probs = out.logits.sigmoid().float().cpu().numpy()
        boxes = out.pred_boxes.float().cpu().numpy()
        found = []
        for b, (frame, (_, spans)) in enumerate(zip(frames, captions, strict=True)):
            seq = offsets[b]
            # Token t belongs to phrase k when its characters lie inside the phrase's span.
            member = np.array(
                [[s < e and s >= lo and e <= hi for s, e in seq] for lo, hi in spans], bool
            )
            per_token = probs[b][:, : seq.shape[0]]
            phrase_scores = np.stack(
                [
                    per_token[:, m].max(axis=1) if m.any() else np.zeros(len(per_token))
                    for m in member
                ],
                axis=1,
            )
            labels = phrase_scores.argmax(axis=1)
            scores = phrase_scores.max(axis=1)
            found.append(self._boxes(frame, boxes[b], scores, labels, phrases[b], "sides"))
        return found

    def _owl(self, frames: Sequence[Frame], phrases: Sequence[list[str]]) -> list[Detections]:
        inputs = self.processor(
            text=[list(p) for p in phrases],
            images=[rgb_pil(f.image) for f in frames],
            padding="max_length",
            truncation=True,
            return_tensors="pt",
        )
        inputs = {k: v.to(self.device) for k, v in inputs.items()}
        with self.torch.inference_mode():
            out = self.model(**inputs)
        logits = out.logits.float().cpu().numpy()
        boxes = out.pred_boxes.float().cpu().numpy()
        found = []
        for b, frame in enumerate(frames):
            real = logits[b][:, : len(phrases[b])]  # the padded blank queries never win
            labels = real.argmax(axis=1)
            # sigmoid as exp(-log(1 + e^-x)): no overflow for the very negative logits
            # random or padded queries give
            scores = np.exp(-np.logaddexp(0.0, -real.max(axis=1)))
            # OWLv2 pads to a square first; OWL-ViT stretches each side to its input.
            side = "square" if self.architecture == "owlv2" else "sides"
            found.append(self._boxes(frame, boxes[b], scores, labels, phrases[b], side))
        return found


def build_open_vocab(config: OpenVocabConfig) -> OpenVocabStage:
    """Build the ``open_vocab_detector`` stage of ``config``."""
    model, processor = load_pretrained(config.model, "AutoModelForZeroShotObjectDetection")
    return OpenVocabStage(config, model, processor)
