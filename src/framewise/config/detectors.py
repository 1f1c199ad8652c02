"""Stage configuration: one ``kind`` per stage, joined in a discriminated union.

A stage kind is one :class:`StageConfig` subclass (its ``kind`` a one-value ``Literal``, its
``stage`` naming the factory that builds it) and one :data:`DETECTOR_CONFIGS` entry; the
union the pipeline YAML is read with, stage names, live thresholds, review class names and
``--model`` all derive from those two. The factory is named as ``"module:function"`` and
resolved by the pipeline layer, so configuration never imports the detectors.

Example:
    >>> from pydantic import TypeAdapter
    >>> cfg = TypeAdapter(DetectorConfig).validate_python({"kind": "yolo_onnx", "model": "m.onnx"})
    >>> cfg.providers, cfg.intra_op_threads
    (['CPUExecutionProvider'], 1)
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Self, Union

from pydantic import Field, ValidationInfo, field_validator, model_validator

from framewise.config.base import ConfigPath, ExecutionProvider, StrictModel, _resolve_path


class StageConfig(StrictModel):
    """What every stage's configuration has: a ``kind`` and an optional unique ``name``.

    Attributes:
        kind: The stage kind (a subclass narrows it to one ``Literal`` value).
        name: Unique stage name (defaults to the kind).
        stage: Class attribute: the factory that builds the stage from this configuration,
            as ``"module:function"``.
    """

    stage: ClassVar[str] = ""
    kind: str
    name: str | None = None

    def model_path(self) -> Path | None:
        """The model file this stage runs (``--model`` replaces it); ``None`` if it has none."""
        return None

    def with_model_path(self, path: Path) -> Self:
        """A copy running ``path`` instead (a kind whose field is not ``model`` overrides it)."""
        return self.model_copy(update={"model": path})


class YoloOnnxConfig(StageConfig):
    """An Ultralytics-exported ONNX detection model run with ONNX Runtime.

    Attributes:
        kind: ``yolo_onnx``.
        name: Unique detector name (defaults to the kind).
        model: Path of the ``.onnx`` file (relative to the config file).
        input_size: Override of the model's input size: one side or ``[height, width]``;
            ``None`` reads it from the model's metadata.
        confidence: Minimum score kept.
        iou: IoU threshold of non-maximum suppression.
        classes: Keep only these class names (``None`` keeps all).
        max_detections: Boxes kept per frame after NMS.
        providers: ONNX Runtime execution providers, in order of preference.
        intra_op_threads: ONNX Runtime intra-op threads (1 beat 2 on a 2-core machine; 0 lets
            ONNX Runtime choose).
        rect: Letterbox to the frame's own aspect (padded to the stride only: a 16:9 frame
            at 640 runs at 640×384, as Ultralytics' predict does) when the model's height
            and width are dynamic; about 0.6× the cost of a square input.
        batch: Frames per inference call when the model has a dynamic batch axis
            (``None``: the whole source batch in one call).
    """

    stage: ClassVar[str] = "framewise.detectors.stages:yolo_stage"
    kind: Literal["yolo_onnx"]
    name: str | None = None
    model: ConfigPath
    input_size: int | tuple[int, int] | None = None
    confidence: float = Field(default=0.25, ge=0, le=1)
    iou: float = Field(default=0.7, ge=0, le=1)  # Ultralytics' predict default
    classes: list[str] | None = None
    max_detections: int = Field(default=300, ge=1)
    providers: list[ExecutionProvider] = Field(
        default_factory=lambda: ["CPUExecutionProvider"], min_length=1
    )
    intra_op_threads: int = Field(default=1, ge=0, le=256)
    rect: bool = False
    batch: int | None = Field(default=None, ge=1, le=1024)

    @field_validator("input_size")
    @classmethod
    def _input_size_multiple_of_32(
        cls, value: int | tuple[int, int] | None
    ) -> int | tuple[int, int] | None:
        sides = (value,) if isinstance(value, int) else (value or ())
        for side in sides:
            if side < 32 or side % 32:
                raise ValueError(f"input size {side} must be a multiple of 32 and at least 32")
        return value

    @field_validator("model")
    @classmethod
    def _onnx_suffix(cls, value: Path) -> Path:
        if value.suffix.lower() != ".onnx":
            raise ValueError(f"model must be an .onnx file, got {value.name!r}")
        return value

    def model_path(self) -> Path:
        """The ``.onnx`` file."""
        return self.model


class FieldConfig(StrictModel):
    """How one parsed field is cleaned up and matched against a vocabulary.

    Attributes:
        vocabulary: Allowed values; the raw text is replaced by the closest entry.
        vocabulary_file: A UTF-8 file with one allowed value per line (added to
            ``vocabulary``), relative to the config file; with ``vocabulary_key``, a YAML
            mapping of field → list (a profile's ``vocabularies.yaml``).
        vocabulary_key: The list to take from a YAML ``vocabulary_file``.
        min_similarity: Smallest similarity (0–1, normalised edit distance) for a match;
            below it the field is left empty.
        case_sensitive: Compare case-sensitively when matching.
        cast: Type of the final value; ``bool`` is true when the group matched any text.
    """

    vocabulary: list[str] = Field(default_factory=list)
    vocabulary_file: ConfigPath | None = None
    vocabulary_key: str | None = None
    min_similarity: float = Field(default=0.75, ge=0, le=1)
    case_sensitive: bool = False
    cast: Literal["str", "int", "float", "bool"] = "str"


class FieldParserConfig(StrictModel):
    r"""A regular expression with named groups that splits OCR text into fields.

    Attributes:
        pattern: Python regular expression; each named group is one field.
        ignore_case: Match case-insensitively.
        fields: Per-group settings (vocabulary, cast); groups without settings stay text.

    Example:
        ``pattern: "(?P<enemy_type>\w+)\s+(?P<weapon>[\w-]+)(?P<headshot>\s*HS)?"``
    """

    pattern: str
    ignore_case: bool = True
    fields: dict[str, FieldConfig] = Field(default_factory=dict)

    @field_validator("pattern")
    @classmethod
    def _pattern_compiles_with_groups(cls, value: str) -> str:
        try:
            compiled = re.compile(value)
        except re.error as exc:
            raise ValueError(f"pattern does not compile: {exc}") from None
        if not compiled.groupindex:
            raise ValueError("pattern has no named groups; write groups as (?P<name>...)")
        return value

    @model_validator(mode="after")
    def _fields_are_groups(self) -> FieldParserConfig:
        groups = re.compile(self.pattern).groupindex
        unknown = sorted(set(self.fields) - set(groups))
        if unknown:
            raise ValueError(
                f"fields {unknown} are not named groups of the pattern (groups: {sorted(groups)})"
            )
        return self


class OcrConfig(StageConfig):
    """Text recognition (RapidOCR) on full-resolution crops of chosen classes.

    Attributes:
        kind: ``ocr``.
        name: Unique detector name (defaults to the kind).
        classes: Classes whose boxes are read.
        recognition_only: Classes whose crops are tight around one line of text, so text
            detection is skipped.
        det_limit_side: Side length the text detector resizes to (640–960 ≈ 0.3 s per image).
        det_limit_type: ``max`` caps the longer side at ``det_limit_side``; ``min`` raises the
            shorter one.
        padding: Pixels added around each crop before reading.
        min_text_confidence: Recognised lines below this score are dropped.
        reread_seconds: A box of the same class in (about) the same place is read once per
            this long: time is cut into windows of this length from the video's start, and
            within a window its first reading is reused (a notification shown for 4 s at
            10 fps is read 4-5 times, not 40). The windows are fixed, so a read that starts
            mid-video (a shard) reads the same as an uninterrupted one. 0 reads every frame.
        reread_on_change: ...unless the place's pixels changed by more than this (mean grey
            level, 0-255, of a 64×16 thumbnail): a new notification that takes an old one's
            place is read at once, not given the old text. Moving backgrounds change it by
            1-4, new text by about 20.
        parsers: Class name → field parser for that class's text.
        titles: Class name → a regular expression its box's text matches (case ignored): a
            box of one of these classes whose text matches another's title and not its own is
            that other class (screens that differ only in their title are told apart by
            reading it); a box whose text matches none keeps its class.
        title_reread_seconds: ``reread_seconds`` for a class read only for its title (no
            parser): a panel that does not change is read about once per visit.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:ocr_stage"
    kind: Literal["ocr"]
    name: str | None = None
    classes: list[str] = Field(min_length=1)
    recognition_only: list[str] = Field(default_factory=list)
    det_limit_side: int = Field(default=960, ge=32, le=8192)
    det_limit_type: Literal["max", "min"] = "max"
    padding: int = Field(default=4, ge=0, le=256)
    min_text_confidence: float = Field(default=0.5, ge=0, le=1)
    reread_seconds: float = Field(default=1.0, ge=0)
    reread_on_change: float = Field(default=10.0, gt=0, le=255)
    parsers: dict[str, FieldParserConfig] = Field(default_factory=dict)
    titles: dict[str, str] = Field(default_factory=dict)
    title_reread_seconds: float = Field(default=8.0, ge=0)

    @model_validator(mode="after")
    def _classes_known(self) -> OcrConfig:
        read = set(self.classes)
        for name, pattern in self.titles.items():
            try:
                re.compile(pattern)
            except re.error as error:
                raise ValueError(f"titles.{name}: {pattern!r}: {error}") from None
        for label, names in (
            ("recognition_only", self.recognition_only),
            ("parsers", self.parsers),
            ("titles", self.titles),
        ):
            stray = sorted(set(names) - read)
            if stray:
                raise ValueError(
                    f"{label} names classes that are not read: {stray}; add them to classes"
                )
        return self


class PoseConfig(StageConfig):
    """MediaPipe Pose (33 landmarks × x, y, z, visibility) from the model inside the wheel.

    Attributes:
        kind: ``pose``.
        name: Unique stage name (defaults to the kind).
        min_detection_confidence: Score a person must reach to be found.
        min_tracking_confidence: Below this the next frame detects afresh instead of tracking.
        static_image_mode: Detect on every frame (no tracking between frames).
        smooth_landmarks: MediaPipe's own landmark filter across frames.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:pose_stage"
    kind: Literal["pose"]
    name: str | None = None
    min_detection_confidence: float = Field(default=0.5, ge=0, le=1)
    min_tracking_confidence: float = Field(default=0.5, ge=0, le=1)
    static_image_mode: bool = False
    smooth_landmarks: bool = True


class TaskClassifierConfig(StageConfig):
    """A trained task model (``framewise train task``) run on the stages' pose/hands/objects.

    Every frame's features go into a rolling window of the model's length in seconds; a
    prediction comes every step, smoothed and with hysteresis. The frame's result gets the
    tag ``task:<label>`` with the smoothed confidence and the feature ``task_confidence``.

    Attributes:
        kind: ``task_classifier``.
        name: Unique stage name (defaults to the kind).
        model: The run folder (``model.onnx`` + ``model.json``), relative to the config file.
        smoothing: ``ema`` or ``median`` over recent predictions.
        alpha: EMA weight of the newest prediction.
        median_of: Predictions the median takes.
        hold: Predictions in a row a new label must lead before it is shown.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:task_classifier_stage"
    kind: Literal["task_classifier"]
    name: str | None = None
    model: ConfigPath
    smoothing: Literal["ema", "median"] = "ema"
    alpha: float = Field(default=0.5, gt=0, le=1)
    median_of: int = Field(default=5, ge=1, le=1000)
    hold: int = Field(default=2, ge=1, le=1000)

    def model_path(self) -> Path:
        """The run folder's ``model.onnx``."""
        return self.model / "model.onnx"

    def with_model_path(self, path: Path) -> Self:
        """A copy running the run folder ``path`` (or the folder of the ``.onnx`` file given)."""
        folder = path.parent if path.suffix.lower() == ".onnx" else path
        return self.model_copy(update={"model": folder})


class HandsConfig(StageConfig):
    """MediaPipe Hands (21 landmarks × x, y, z per hand, handedness) from the wheel's model.

    Attributes:
        kind: ``hands``.
        name: Unique stage name (defaults to the kind).
        max_num_hands: Hands found per frame at most.
        min_detection_confidence: Score a hand must reach to be found.
        min_tracking_confidence: Below this the next frame detects afresh instead of tracking.
        static_image_mode: Detect on every frame (no tracking between frames).
    """

    stage: ClassVar[str] = "framewise.detectors.stages:hands_stage"
    kind: Literal["hands"]
    name: str | None = None
    max_num_hands: int = Field(default=2, ge=1, le=4)
    min_detection_confidence: float = Field(default=0.5, ge=0, le=1)
    min_tracking_confidence: float = Field(default=0.5, ge=0, le=1)
    static_image_mode: bool = False


Device = Literal["auto", "cpu", "cuda"]
"""Where a ``transformers`` stage runs: ``auto`` takes CUDA when torch sees a GPU."""


class HfStageConfig(StageConfig):
    """What the ``transformers`` stages share: a local model and the device it runs on.

    Attributes:
        model: A ``save_pretrained`` folder (relative to the config file), or a Hugging Face
            repository id found in the user's cache; never downloaded (offline mode forced).
        device: ``cpu``, ``cuda`` or ``auto`` (``--device`` replaces it).
        batch_size: Frames (or crops, for ``clip_features``) per model call (``None``: the
            whole source batch in one call).
    """

    model: str = Field(min_length=1)
    # Where and how many at once change speed, not results: the run hash leaves them out.
    device: Device = Field(default="auto", json_schema_extra={"speed_only": True})
    batch_size: int | None = Field(
        default=None, ge=1, le=4096, json_schema_extra={"speed_only": True}
    )

    @field_validator("model")
    @classmethod
    def _model_folder(cls, value: Any, info: ValidationInfo) -> Any:
        # A folder that exists next to the config file wins over a repository id of the
        # same spelling ("org/model"); anything else is looked up in the Hugging Face cache.
        if not isinstance(value, str):  # the tagger's RAM checkpoint resolves its own path
            return value
        folder = _resolve_path(Path(value), info)
        return str(folder) if folder.is_dir() else value


class GateConfig(StageConfig):
    """Skips frames before the models run: too soon after, or too like, the last one kept.

    Attributes:
        kind: ``gate``.
        min_interval_seconds: A frame this soon after the last kept one is skipped (0: off).
        method: ``difference`` (mean absolute grey difference of 32×32 thumbnails, 0–255) or
            ``clip`` (1 − cosine similarity of CLIP image embeddings, 0–2).
        threshold: A frame that differs from the last kept one by less is skipped (0: off).
        model: The CLIP folder or repository id of the ``clip`` method.
        device: Where the ``clip`` method runs.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:gate_stage"
    kind: Literal["gate"]
    name: str | None = None
    min_interval_seconds: float = Field(default=0.0, ge=0, le=86400)
    method: Literal["difference", "clip"] = "difference"
    threshold: float = Field(default=2.0, ge=0, le=255)
    model: str | None = None
    device: Device = Field(default="auto", json_schema_extra={"speed_only": True})

    @model_validator(mode="after")
    def _clip_needs_model(self) -> GateConfig:
        if self.method == "clip" and not self.model:
            raise ValueError("the clip gate needs model: (a CLIP folder)")
        return self


class RamCheckpoint(StrictModel):
    """A recognize-anything (RAM / RAM++) checkpoint in a local folder, for the tagger.

    Attributes:
        kind: ``ram``.
        path: The folder holding one ``.pth`` checkpoint (relative to the config file).
        variant: ``ram_plus`` (RAM++) or ``ram``.
        vit: The checkpoint's Swin backbone: ``swin_l`` or ``swin_b``.
        image_size: The checkpoint's input side (384 or 224).
    """

    kind: Literal["ram"]
    path: str = Field(min_length=1)
    variant: Literal["ram_plus", "ram"] = "ram_plus"
    vit: Literal["swin_l", "swin_b"] = "swin_l"
    image_size: Literal[384, 224] = 384

    @field_validator("path")
    @classmethod
    def _folder(cls, value: str, info: ValidationInfo) -> str:
        return str(_resolve_path(Path(value), info))


class TaggerConfig(HfStageConfig):
    """Tags per frame: CLIP zero-shot over a tag list, or a RAM checkpoint's own tags.

    Attributes:
        kind: ``tagger``.
        model: A CLIP folder or repository id, or ``{kind: ram, path: DIR}``.
        tags: The vocabulary; each is scored as ``template.format(tag)`` (CLIP; required).
            With RAM, keep only these of RAM's tags (empty: all).
        template: Text prompt per tag (CLIP).
        top_k: At most this many tags per frame (CLIP).
        threshold: Least softmax probability over ``tags`` kept (CLIP; RAM applies its
            own per-tag thresholds).
    """

    stage: ClassVar[str] = "framewise.detectors.stages:tagger_stage"
    kind: Literal["tagger"]
    name: str | None = None
    model: Annotated[str, Field(min_length=1)] | RamCheckpoint  # type: ignore[assignment]
    tags: list[str] = Field(default_factory=list)
    template: str = "a photo of a {}"
    top_k: int = Field(default=5, ge=1, le=1000)
    threshold: float = Field(default=0.05, ge=0, le=1)

    @model_validator(mode="after")
    def _clip_needs_tags(self) -> TaggerConfig:
        if isinstance(self.model, str) and not self.tags:
            raise ValueError("a CLIP tagger needs tags: (the vocabulary it scores)")
        return self


class OpenVocabConfig(HfStageConfig):
    """Grounding DINO or OWLv2 boxes for text prompts (from the tagger or the config).

    Attributes:
        kind: ``open_vocab_detector``.
        prompts: Phrases looked for in every frame (added to the tagger's tags).
        use_tags: Also look for the tags earlier stages gave each frame.
        threshold: Least box score kept.
        max_detections: Boxes kept per frame, best first.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:open_vocab_stage"
    kind: Literal["open_vocab_detector"]
    name: str | None = None
    prompts: list[str] = Field(default_factory=list)
    use_tags: bool = True
    threshold: float = Field(default=0.3, ge=0, le=1)
    max_detections: int = Field(default=100, ge=1, le=10000)


class SegmenterConfig(HfStageConfig):
    """SAM masks for the boxes found so far (box prompts).

    Attributes:
        kind: ``segmenter``.
        classes: Mask only boxes of these classes (``None``: every box).
        mask_threshold: Logit above which a pixel is in the mask.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:segmenter_stage"
    kind: Literal["segmenter"]
    name: str | None = None
    classes: list[str] | None = None
    mask_threshold: float = Field(default=0.0, ge=-100, le=100)


class ClipFeaturesConfig(HfStageConfig):
    """CLIP image embeddings of each frame (scene) and of each box's crop (objects).

    Attributes:
        kind: ``clip_features``.
        scene: Embed whole frames (the frame's ``embedding``).
        objects: Embed box crops (the boxes' ``embedding`` column).
        crop_padding: Pixels added around a box before it is cropped.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:clip_features_stage"
    kind: Literal["clip_features"]
    name: str | None = None
    scene: bool = True
    objects: bool = True
    crop_padding: int = Field(default=0, ge=0, le=1024)


class DescriberConfig(HfStageConfig):
    """A caption per box from an image-to-text model (BLIP, GIT, VisionEncoderDecoder).

    Attributes:
        kind: ``describer``.
        classes: Describe only boxes of these classes (``None``: every box).
        prompt: Text the caption continues (BLIP's conditional captioning; ``None``: none).
        max_new_tokens: Longest caption, in tokens.
        crop_padding: Pixels added around a box before it is cropped.
        batch_size: Crops per ``generate`` call; 1 (the default) captions each object on
            its own, as the seed does.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:describer_stage"
    kind: Literal["describer"]
    name: str | None = None
    classes: list[str] | None = None
    prompt: str | None = None
    max_new_tokens: int = Field(default=20, ge=1, le=512)
    crop_padding: int = Field(default=0, ge=0, le=1024)
    batch_size: int | None = Field(default=1, ge=1, le=4096, json_schema_extra={"speed_only": True})


class SelfieSegmenterConfig(StageConfig):
    """MediaPipe's selfie segmentation (its model ships in the wheel): person masks per box.

    Attributes:
        kind: ``selfie_segmenter``.
        classes: Mask only boxes of these classes.
        model_selection: 0 (general, 256×256) or 1 (landscape, 144×256).
        threshold: Least person probability of a pixel in the mask.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:selfie_segmenter_stage"
    kind: Literal["selfie_segmenter"]
    name: str | None = None
    classes: list[str] = Field(default_factory=lambda: ["person"], min_length=1)
    model_selection: Literal[0, 1] = 1
    threshold: float = Field(default=0.5, gt=0, lt=1)


class HogPeopleConfig(StageConfig):
    """OpenCV's HOG people detector (its model ships inside OpenCV): ``person`` boxes.

    Attributes:
        kind: ``hog_people``.
        threshold: Least score kept (the SVM margin squashed to 0–1; 0.5 is a margin of 0).
        max_side: Frames are searched at most this large (HOG costs grow with the area).
    """

    stage: ClassVar[str] = "framewise.detectors.stages:hog_people_stage"
    kind: Literal["hog_people"]
    name: str | None = None
    threshold: float = Field(default=0.5, ge=0, le=1)
    max_side: int = Field(default=640, ge=64, le=8192)


class TextBoxesConfig(StageConfig):
    """RapidOCR's text detector alone (its model ships in the wheel): ``text`` boxes.

    Attributes:
        kind: ``text_boxes``.
        threshold: Least detector score kept.
        det_limit_side: Side the detector resizes the frame's longer side to.
        max_area_share: Boxes covering more of the frame are dropped (on text-free texture
            such as a wooden floor the detector may return the whole frame).
    """

    stage: ClassVar[str] = "framewise.detectors.stages:text_boxes_stage"
    kind: Literal["text_boxes"]
    name: str | None = None
    threshold: float = Field(default=0.5, ge=0, le=1)
    det_limit_side: int = Field(default=736, ge=32, le=8192)
    max_area_share: float = Field(default=0.5, gt=0, le=1)


class GrabCutConfig(StageConfig):
    """OpenCV GrabCut masks seeded by the boxes found so far (no model to fetch).

    Attributes:
        kind: ``grabcut_segmenter``.
        classes: Mask only boxes of these classes (``None``: every box).
        iterations: GrabCut iterations per box.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:grabcut_stage"
    kind: Literal["grabcut_segmenter"]
    name: str | None = None
    classes: list[str] | None = None
    iterations: int = Field(default=3, ge=1, le=20)


class BallConfig(StageConfig):
    """A classical ball detector: background subtraction, then blob and circle fit (W1).

    Attributes:
        kind: ``ball``.
        threshold: Least confidence kept.
        difference: Grey levels a pixel must differ from the background to be foreground.
        min_radius_px: Smallest ball radius (pixels).
        max_radius_px: Largest ball radius (pixels).
        background_alpha: Weight of each new frame in the running-average background.
        max_balls: Balls kept per frame (the most confident first).
        roi: Polygons (``[[x, y], ...]`` in source pixels); a ball counts only inside one.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:ball_stage"
    kind: Literal["ball"]
    name: str | None = None
    threshold: float = Field(default=0.3, ge=0, le=1)
    difference: float = Field(default=18.0, gt=0, le=255)
    min_radius_px: float = Field(default=1.0, gt=0, le=500)
    max_radius_px: float = Field(default=60.0, gt=0, le=2000)
    background_alpha: float = Field(default=0.05, gt=0, le=1)
    max_balls: int = Field(default=1, ge=1, le=100)
    roi: list[list[tuple[float, float]]] = Field(default_factory=list)


class SceneDetectConfig(StageConfig):
    """Content-aware cut detection (the ``scenes`` profile): HSV differences and fades.

    Attributes:
        kind: ``scene_detect``.
        adaptive_ratio: A frame whose difference is this many times its neighbours' mean is a
            cut (PySceneDetect's AdaptiveDetector rule).
        min_content: Least difference (0–255) an adaptive cut needs.
        threshold: A difference this large is a cut whatever the neighbours (0 disables).
        window: Neighbour frames on each side in the adaptive mean.
        min_scene_seconds: Cuts closer than this to the previous one are dropped.
        fade_threshold: Mean intensity (0–255) under which a frame is black: a fade out and
            back in is one cut at the middle of the dark span (0 disables fades).
        width: Frames are compared at this width (the cost is the area).
    """

    stage: ClassVar[str] = "framewise.detectors.stages:scene_stage"
    kind: Literal["scene_detect"]
    name: str | None = None
    adaptive_ratio: float = Field(default=3.0, gt=1)
    min_content: float = Field(default=15.0, ge=0, le=255)
    threshold: float = Field(default=0.0, ge=0, le=255)
    window: int = Field(default=2, ge=1, le=30)
    min_scene_seconds: float = Field(default=0.5, ge=0)
    fade_threshold: float = Field(default=12.0, ge=0, le=255)
    width: int = Field(default=256, ge=16, le=4096)


class MotionConfig(StageConfig):
    """Background subtraction in a region of interest (the ``motion`` profile).

    Attributes:
        kind: ``motion``.
        method: OpenCV's ``mog2`` or ``knn`` subtractor.
        roi: Polygons in source pixels (``[[x, y], ...]``); empty: the whole frame.
        threshold: Share of the region's pixels that must move (0–1) for a frame to count.
        kernel: Opening kernel side in analysis pixels (drops specks; 0 keeps them).
        min_event_seconds: Motion must last this long before an event starts.
        pre_seconds: An event starts this long before its first moving frame.
        post_seconds: An event ends this long after its last moving frame.
        width: Frames are analysed at this width.
        learning_seconds: Frames in this first span only teach the background.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:motion_stage"
    kind: Literal["motion"]
    name: str | None = None
    method: Literal["mog2", "knn"] = "mog2"
    # A polygon needs three corners; fewer would watch nothing and never say so.
    roi: list[Annotated[list[tuple[float, float]], Field(min_length=3)]] = Field(
        default_factory=list
    )
    threshold: float = Field(default=0.004, gt=0, le=1)
    kernel: int = Field(default=3, ge=0, le=31)
    min_event_seconds: float = Field(default=0.2, ge=0)
    pre_seconds: float = Field(default=1.0, ge=0)
    post_seconds: float = Field(default=2.0, ge=0)
    width: int = Field(default=320, ge=16, le=4096)
    learning_seconds: float = Field(default=0.5, ge=0)


class ScreenTextConfig(StageConfig):
    """Text on screen (the ``text`` profile): RapidOCR's detector and recogniser, full frames.

    Attributes:
        kind: ``screen_text``.
        det_limit_side: Side the text detector resizes the frame's longer side to.
        min_text_confidence: Recognised lines below this score are dropped.
        reread_on_change: A frame is read only when more than this share (0–1) of its grey
            thumbnail's pixels moved by over 16 levels since the last read frame; else that
            reading is kept. A subtitle line changing is ~0.5 % of a 1920×800 frame.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:screen_text_stage"
    kind: Literal["screen_text"]
    name: str | None = None
    det_limit_side: int = Field(default=960, ge=32, le=8192)
    min_text_confidence: float = Field(default=0.6, ge=0, le=1)
    reread_on_change: float = Field(default=0.003, ge=0, le=1)


class PersonDetectConfig(StageConfig):
    """People whose detector ships in a package (the ``people`` profile): ``person`` boxes.

    Attributes:
        kind: ``person_detect``.
        method: ``hog`` (OpenCV's HOG people detector, every person) or ``pose`` (MediaPipe
            Pose from the mediapipe wheel: at most one person a frame).
        threshold: Least score kept (HOG: the SVM margin squashed to 0–1, 0.5 a margin of 0;
            pose: the landmarks' mean visibility).
        search_height: HOG searches frames resized to this height (its window finds people
            ~96 px tall and up, so small frames are enlarged; 0 keeps the size).
        scale: HOG's step between search scales.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:person_detect_stage"
    kind: Literal["person_detect"]
    name: str | None = None
    method: Literal["hog", "pose"] = "hog"
    threshold: float = Field(default=0.5, ge=0, le=1)
    search_height: int = Field(default=720, ge=0, le=4320)
    scale: float = Field(default=1.05, gt=1, le=2)


class PeopleTrackConfig(StageConfig):
    """ByteTrack (Roboflow's ``trackers``) over the ``person`` boxes found so far.

    Attributes:
        kind: ``people_track``.
        classes: Class names tracked (a YOLO model's ``person`` or the detectors' own).
        activation: Least score that starts a track (and ByteTrack's high-score split).
        match_iou: Least IoU between a track's prediction and a box to match them.
        lost_seconds: A track unseen this long has left (and ByteTrack forgets it).
        min_track_seconds: A track seen for less than this is noise: no events.
    """

    stage: ClassVar[str] = "framewise.detectors.stages:people_track_stage"
    kind: Literal["people_track"]
    name: str | None = None
    classes: list[str] = Field(default_factory=lambda: ["person"], min_length=1)
    activation: float = Field(default=0.7, ge=0, le=1)
    match_iou: float = Field(default=0.1, gt=0, le=1)
    lost_seconds: float = Field(default=1.0, gt=0)
    min_track_seconds: float = Field(default=1.0, ge=0)


DETECTOR_CONFIGS: Mapping[str, type[StageConfig]] = MappingProxyType(
    {
        "yolo_onnx": YoloOnnxConfig,
        "ocr": OcrConfig,
        "pose": PoseConfig,
        "hands": HandsConfig,
        "task_classifier": TaskClassifierConfig,
        "gate": GateConfig,
        "tagger": TaggerConfig,
        "open_vocab_detector": OpenVocabConfig,
        "segmenter": SegmenterConfig,
        "clip_features": ClipFeaturesConfig,
        "hog_people": HogPeopleConfig,
        "text_boxes": TextBoxesConfig,
        "grabcut_segmenter": GrabCutConfig,
        "scene_detect": SceneDetectConfig,
        "motion": MotionConfig,
        "screen_text": ScreenTextConfig,
        "person_detect": PersonDetectConfig,
        "people_track": PeopleTrackConfig,
        "ball": BallConfig,
        "describer": DescriberConfig,
        "selfie_segmenter": SelfieSegmenterConfig,
    }
)
"""Registry: stage kind → its configuration model (which names its factory)."""

if TYPE_CHECKING:
    # Type checkers see "any stage config"; the built-in classes are named too so code
    # that narrows with isinstance reads naturally (a new kind need not be added here).
    DetectorConfig = StageConfig | YoloOnnxConfig | OcrConfig
else:
    # The union is built from the registry, so a new kind is one entry above, not two.
    DetectorConfig = Annotated[
        Union[tuple(DETECTOR_CONFIGS.values())],  # noqa: UP007 (a union of a runtime tuple)
        Field(discriminator="kind"),
    ]
"""One stage; the ``kind`` key picks the branch."""


def detector_name(config: StageConfig) -> str:
    """The stage's name: its ``name`` or, failing that, its kind."""
    return config.name or config.kind
