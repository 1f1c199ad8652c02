"""The ``describer`` stage: a caption for each object, from an image-to-text model.

Each box (of ``classes``, when given) of each kept frame is cropped and captioned by a
``transformers`` image-to-text checkpoint — BLIP (``Salesforce/blip-image-captioning-base``),
GIT, or a VisionEncoderDecoder such as ViT-GPT2 — loaded from a local folder like every other
stage (offline, one-line error naming a missing folder). The caption lands in the box's
``text``, which the annotations sink writes as the detection's ``description``.

Captioning is greedy (no sampling, one beam), so a crop always gets the same words. As the
seed does, each crop is captioned on its own by default (``batch_size: 1``); a larger
``batch_size`` sends that many crops per ``generate`` call (greedy decoding of pixel-only
prompts is the same per crop either way).

Example:
    >>> stage = build_describer(DescriberConfig(kind="describer", model="models/blip"))
    ... # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from framewise.config.detectors import DescriberConfig, detector_name
from framewise.core.detections import Detections
from framewise.core.errors import ModelError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.clip_features import crop
from framewise.detectors.hf import (
    HfStage,
    check_lengths,
    chunks,
    device_of,
    kept_indices,
    load_pretrained,
    rgb_pil,
    torch_module,
    transformers_module,
)

MODEL_CLASS = "AutoModelForImageTextToText"
"""The auto class image-to-text checkpoints load with (BLIP, GIT, VisionEncoderDecoder)."""


def _parts(processor: Any, ref: str) -> tuple[Any, Any]:
    """The image processor and tokenizer inside ``processor`` (a folder may hold either)."""
    images = getattr(processor, "image_processor", None)
    tokenizer = getattr(processor, "tokenizer", None)
    if images is None and hasattr(processor, "preprocess"):
        images = processor  # AutoProcessor returned the image processor itself
    elif tokenizer is None and images is None and hasattr(processor, "batch_decode"):
        tokenizer = processor  # ... or the tokenizer itself
    if images is None or tokenizer is None:
        # A VisionEncoderDecoder folder often holds a bare image processor and tokenizer.
        tf = transformers_module()
        try:
            images = images or tf.AutoImageProcessor.from_pretrained(ref, local_files_only=True)
            tokenizer = tokenizer or tf.AutoTokenizer.from_pretrained(ref, local_files_only=True)
        except (OSError, ValueError, KeyError) as exc:
            first = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
            raise ModelError(
                f"this captioning folder lacks an image processor or tokenizer: {first[:160]}",
                subject=ref,
                hint="save the model's processor (or image processor and tokenizer) beside it",
            ) from None
    return images, tokenizer


class DescriberStage(HfStage):
    """Greedy captions of box crops, one crop (or ``batch_size`` crops) per call."""

    def __init__(self, config: DescriberConfig, model: Any, processor: Any) -> None:
        super().__init__(detector_name(config))
        self.config = config
        self.torch = torch_module()
        self.device = device_of(config.device)
        self.model = model.to(self.device)
        self.images, self.tokenizer = _parts(processor, config.model)

    def rows(self, detections: Detections) -> list[int]:
        """The boxes of one frame to describe."""
        wanted = self.config.classes
        return [i for i, c in enumerate(detections.class_name) if wanted is None or c in wanted]

    def captions(self, crops: Sequence[Any]) -> list[str]:
        """One caption per PIL crop, in order."""
        found: list[str] = []
        for part in chunks(crops, self.config.batch_size):
            pixels = self.images(images=list(part), return_tensors="pt")["pixel_values"]
            inputs: dict[str, Any] = {"pixel_values": pixels.to(self.device)}
            if self.config.prompt:
                # Tokenized as the model's processor does (BLIP swaps the first token for
                # its start token and drops the last, so both special tokens stay).
                tokens = self.tokenizer([self.config.prompt] * len(part), return_tensors="pt")
                inputs["input_ids"] = tokens["input_ids"].to(self.device)
            with self.torch.inference_mode():
                ids = self.model.generate(
                    **inputs,
                    max_new_tokens=self.config.max_new_tokens,
                    do_sample=False,
                    num_beams=1,
                )
            texts = self.tokenizer.batch_decode(ids.cpu(), skip_special_tokens=True)
            found.extend(" ".join(str(t).split()) for t in texts)
        return found

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Set the ``text`` of each described box of each kept frame to its caption."""
        check_lengths(self.name, batch, results)
        outputs = list(results)
        todo = [(i, r) for i in kept_indices(results) if (r := self.rows(results[i].detections))]
        pad = self.config.crop_padding
        crops = [
            rgb_pil(crop(batch[i].image, outputs[i].detections.xyxy[row].tolist(), pad))
            for i, rows in todo
            for row in rows
        ]
        captions = iter(self.captions(crops))
        for i, rows in todo:
            dets = outputs[i].detections
            texts = list(dets.text)
            for row in rows:  # the crops were laid out frame by frame, box by box
                texts[row] = next(captions)
            outputs[i] = outputs[i].with_detections(dets.replace(text=tuple(texts)))
        return outputs


def build_describer(config: DescriberConfig) -> DescriberStage:
    """Build the ``describer`` stage of ``config``."""
    model, processor = load_pretrained(config.model, MODEL_CLASS)
    return DescriberStage(config, model, processor)
