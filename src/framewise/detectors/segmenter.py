"""The ``segmenter`` stage: a SAM mask for every box found so far, box prompts, one call.

Every kept frame with at least one box (of ``classes``, when given) goes through SAM's image
encoder in one call, with its boxes as prompts; frames with fewer boxes than the busiest one
are padded with copies of their last box, whose masks are dropped (SAM decodes each prompt
on its own, so padding changes no other mask). Masks come back at the frame's size in the
``mask`` column; boxes not masked get an empty mask, and SAM's predicted IoU lands in
``data["mask_score"]`` (NaN where no mask was made).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from framewise.config.detectors import SegmenterConfig, detector_name
from framewise.core.detections import Detections
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


class SegmenterStage(HfStage):
    """SAM box-prompted masks, every box of every kept frame of the batch in one call."""

    def __init__(self, config: SegmenterConfig, model: Any, processor: Any) -> None:
        super().__init__(detector_name(config))
        self.config = config
        self.torch = torch_module()
        self.device = device_of(config.device)
        self.model = model.to(self.device)
        self.processor = processor
        if str(model.config.model_type) != "sam":
            raise ModelError(
                f"{model.config.model_type} is not a SAM checkpoint",
                subject=config.model,
                hint="use a SAM folder (e.g. facebook/sam-vit-base saved with save_pretrained)",
            )

    def rows(self, detections: Detections) -> list[int]:
        """The boxes to mask in one frame."""
        wanted = self.config.classes
        return [i for i, c in enumerate(detections.class_name) if wanted is None or c in wanted]

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add masks (and ``mask_score``) to the boxes of each kept frame."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        todo = [(i, r) for i in kept_indices(results) if (r := self.rows(results[i].detections))]
        for part in chunks(todo, self.config.batch_size):
            masks = self._masks(
                [batch[i] for i, _ in part], [outputs[i].detections.xyxy[rows] for i, rows in part]
            )
            for (i, rows), (bits, iou) in zip(part, masks, strict=True):
                dets = outputs[i].detections
                frame = batch[i]
                shape = (len(dets), frame.height, frame.width)
                # Masks an earlier stage made for the boxes not prompted here are kept
                # (bitmaps or RLE, decoded once here).
                had = dets.bitmap_masks()
                ok = had is not None and had.shape == shape
                full = had.copy() if ok and had is not None else np.zeros(shape, bool)
                full[rows] = bits
                score = np.asarray(dets.data.get("mask_score", np.full(len(dets), np.nan)))
                score = score.astype(np.float32)
                score[rows] = iou
                data = {**dets.data, "mask_score": score}
                outputs[i] = outputs[i].with_detections(dets.replace(mask=full, data=data))
        return outputs

    def _masks(
        self, frames: Sequence[Frame], boxes: Sequence[np.ndarray]
    ) -> list[tuple[np.ndarray, np.ndarray]]:
        """Per frame: its boxes' masks (n×H×W bool) and predicted IoUs (n)."""
        most = max(len(b) for b in boxes)
        prompts = [[*b.tolist(), *[b[-1].tolist()] * (most - len(b))] for b in boxes]
        inputs = self.processor(
            images=[rgb_pil(f.image) for f in frames], input_boxes=prompts, return_tensors="pt"
        )
        with self.torch.inference_mode():
            out = self.model(
                pixel_values=inputs["pixel_values"].to(self.device),
                input_boxes=inputs["input_boxes"].to(self.device),
                multimask_output=False,
            )
        masks = self.processor.image_processor.post_process_masks(
            out.pred_masks.float().cpu(),
            inputs["original_sizes"],
            inputs["reshaped_input_sizes"],
            mask_threshold=self.config.mask_threshold,
        )
        ious = out.iou_scores.float().cpu().numpy()
        found = []
        for b, frame_boxes in enumerate(boxes):
            n = len(frame_boxes)
            bits = masks[b][:n, 0].numpy().astype(bool)
            found.append((bits, ious[b, :n, 0].astype(np.float32)))
        return found


def build_segmenter(config: SegmenterConfig) -> SegmenterStage:
    """Build the ``segmenter`` stage of ``config``."""
    model, processor = load_pretrained(config.model, "AutoModel")
    return SegmenterStage(config, model, processor)
