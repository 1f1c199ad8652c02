"""MediaPipe Pose and Hands as stages: people's and hands' landmarks in the keypoints column.

Both run the models that ship inside the ``mediapipe`` 0.10.21 wheel (``model_complexity=1``;
0 and 2 would download theirs at run time, which models never do here). A stage adds one box
per person (class ``person``) or hand (``left_hand`` / ``right_hand``) whose box bounds its
landmarks. A person's 33 landmarks fill the ``keypoints`` column in source pixels (N×33×3:
x, y, visibility) and ``data["pose_landmarks"]`` with MediaPipe's normalised values (N×33×4:
x, y, z, visibility); a hand's 21 go to ``data["hand_landmarks"]`` (N×21×3: x, y, z,
normalised) and not to ``keypoints``, whose K must be one per frame for pose and hands boxes
to merge (a hand row's keypoints are zeros, a person row's hand landmarks NaN).

MediaPipe's graphs are stateful (they track between frames), so a stage reads one source
in order; frames go through one at a time (the solutions API takes no batch).

Example:
    >>> stage = PoseStage.build(PoseConfig(kind="pose"))  # doctest: +SKIP
    >>> outputs = stage.detect(batch, [FrameOutput.empty() for _ in batch])  # doctest: +SKIP
"""

from __future__ import annotations

import importlib
import io
import sys
import warnings
from collections.abc import Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager, redirect_stderr
from typing import Any

import cv2
import numpy as np

from framewise.config.detectors import HandsConfig, PoseConfig, detector_name
from framewise.core.detections import Detections
from framewise.core.errors import ConfigError
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import Stage, refuse_unknown_thresholds

POSE_LANDMARKS = 33
HAND_LANDMARKS = 21
HAND_CLASSES = ("left_hand", "right_hand")


@contextmanager
def _quiet_protobuf() -> Iterator[None]:
    """Building a graph reads FieldDescriptor.label, which protobuf 6 deprecates (7 drops it)."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "label\\(\\) is deprecated", DeprecationWarning)
        yield


PROTOBUF_NOISE = "'MessageFactory' object has no attribute 'GetPrototype'"
"""What MediaPipe's C++ bindings print on import under protobuf 5+ (harmless: the API they
probe for moved; pose and hands never call it). Kept off a user's terminal."""


def _solutions() -> Any:
    """MediaPipe's solutions package, or a one-line error saying how to install it."""
    said = io.StringIO()
    try:
        with redirect_stderr(said):
            return importlib.import_module("mediapipe.python.solutions")
    except ImportError:
        raise ConfigError(
            "the pose and hands stages need mediapipe 0.10.21, which is not installed",
            subject="mediapipe",
            hint="run `make install` (it adds mediapipe==0.10.21 with --no-deps "
            "and the 'pose' extra)",
        ) from None
    finally:
        for line in said.getvalue().splitlines():
            if PROTOBUF_NOISE not in line:
                sys.stderr.write(line + "\n")


def _rgb(frame: Frame) -> Any:
    # MediaPipe wants contiguous RGB. OpenCV swaps the channels in 0.06 ms on a 768×432
    # frame; copying a reversed-channel view took 0.8 ms, twice a frame (pose and hands).
    return cv2.cvtColor(frame.image, cv2.COLOR_BGR2RGB)


POSE_GRAPH = "mediapipe/modules/pose_landmark/pose_landmark_cpu.binarypb"
HANDS_GRAPH = "mediapipe/modules/hand_landmark/hand_landmark_tracking_cpu.binarypb"
FRAME_STEP_US = 33333
"""The clock MediaPipe's solutions give their graphs (30 fps, whatever the video's rate): the
landmark filters read it, so ours ticks the same and the landmarks stay the solutions' own."""


class _Graph:
    """One of MediaPipe's solution graphs, observing only the streams a stage reads.

    ``solutions.Pose`` / ``Hands`` observe every output (world landmarks too), turn each
    into a protobuf, build a namedtuple class per frame and (Pose) clear a field on every
    landmark: 0.25 ms of Python per frame and graph, under the GIL the other stages' threads
    need. The graph, its side inputs and thresholds are the solutions' own (see
    :meth:`pose`, :meth:`hands`), built by MediaPipe's ``SolutionBase``; frames go straight
    to the graph. The landmark parity test holds the output to the solutions'.

    Args:
        solution: A started ``SolutionBase``.
        streams: Output stream → how its packet is read (``proto`` or ``proto_list``).
    """

    def __init__(self, solution: Any, streams: Mapping[str, str]) -> None:
        self.solution = solution
        self.streams = dict(streams)
        self._getter = importlib.import_module("mediapipe.python.packet_getter")
        self._creator = importlib.import_module("mediapipe.python.packet_creator")
        self._srgb = importlib.import_module("mediapipe.python._framework_bindings.image_frame")
        self._timestamp = 0

    @classmethod
    def build(
        cls,
        graph: str,
        side_inputs: Mapping[str, Any],
        params: Mapping[str, Any],
        streams: Mapping[str, str],
    ) -> _Graph:
        """The solution graph file ``graph`` started with ``side_inputs`` and ``params``."""
        _solutions()  # the one-line error when MediaPipe is missing; quiets its import
        base = importlib.import_module("mediapipe.python.solution_base")
        with _quiet_protobuf():
            solution = base.SolutionBase(
                binary_graph_path=graph,
                side_inputs=dict(side_inputs),
                calculator_params=dict(params),
                outputs=list(streams),
            )
        return cls(solution, streams)

    @classmethod
    def pose(cls, config: PoseConfig) -> _Graph:
        """``solutions.Pose(model_complexity=1)``'s graph (no segmentation), as it sets it up."""
        tracking = not config.static_image_mode
        return cls.build(
            POSE_GRAPH,
            {
                "model_complexity": 1,
                "smooth_landmarks": config.smooth_landmarks and tracking,
                "enable_segmentation": False,
                "smooth_segmentation": tracking,
                "use_prev_landmarks": tracking,
            },
            {
                "posedetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": (
                    config.min_detection_confidence
                ),
                "poselandmarkbyroicpu__tensorstoposelandmarksandsegmentation__"
                "ThresholdingCalculator.threshold": config.min_tracking_confidence,
            },
            {"pose_landmarks": "proto"},
        )

    @classmethod
    def hands(cls, config: HandsConfig) -> _Graph:
        """``solutions.Hands(model_complexity=1)``'s graph, as it sets it up."""
        return cls.build(
            HANDS_GRAPH,
            {
                "model_complexity": 1,
                "num_hands": config.max_num_hands,
                "use_prev_landmarks": not config.static_image_mode,
            },
            {
                "palmdetectioncpu__TensorsToDetectionsCalculator.min_score_thresh": (
                    config.min_detection_confidence
                ),
                "handlandmarkcpu__ThresholdingCalculator.threshold": (
                    config.min_tracking_confidence
                ),
            },
            {"multi_hand_landmarks": "proto_list", "multi_handedness": "proto_list"},
        )

    def process(self, rgb: np.ndarray) -> dict[str, Any]:
        """Run one RGB picture through the graph: each stream's protobuf(s), or ``None``."""
        solution = self.solution
        # SolutionBase's own graph and the dict its stream observers fill (0.10.21 is pinned).
        graph, found = solution._graph, solution._graph_outputs
        found.clear()
        self._timestamp += FRAME_STEP_US
        picture = self._creator.create_image_frame(rgb, image_format=self._srgb.ImageFormat.SRGB)
        graph.add_packet_to_input_stream(stream="image", packet=picture.at(self._timestamp))
        graph.wait_until_idle()  # the GIL is released while the graph runs
        out: dict[str, Any] = {}
        for name, kind in self.streams.items():
            packet = found.get(name)
            empty = packet is None or packet.is_empty()
            out[name] = None if empty else getattr(self._getter, f"get_{kind}")(packet)
        return out

    def close(self) -> None:
        """Stop the graph."""
        self.solution.close()


def _boxes(pixels: np.ndarray) -> np.ndarray:
    """N×4 boxes bounding N×K×2 pixel points."""
    return np.concatenate([pixels.min(axis=1), pixels.max(axis=1)], axis=1)


class _LandmarkStage:
    """What the pose and hands stages share: a name, no live thresholds, one graph to close."""

    class_names: tuple[str, ...] = ()

    def __init__(self, name: str, graph: _Graph) -> None:
        self.name = name
        self.graph = graph

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Add this stage's boxes to each frame's results."""
        if len(batch) != len(results):
            raise ValueError(f"stage {self.name!r} got {len(results)} results for {len(batch)}")
        return [
            r.with_detections(Detections.merge(r.detections, self.landmarks(f)))
            for f, r in zip(batch, results, strict=True)
        ]

    def landmarks(self, frame: Frame) -> Detections:
        """The boxes of one frame (a subclass reads its graph's output)."""
        raise NotImplementedError

    def thresholds(self) -> Mapping[str, float]:
        """Nothing to tune while running (MediaPipe fixes its thresholds at start)."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse every name: the graph's thresholds are fixed when it starts."""
        refuse_unknown_thresholds(
            self.name, values, {}, "set min_detection_confidence in the pipeline YAML instead"
        )

    def close(self) -> None:
        """Release the graph."""
        self.graph.close()


class PoseStage(_LandmarkStage):
    """MediaPipe Pose: at most one person per frame, 33 landmarks."""

    class_names = ("person",)

    @classmethod
    def build(cls, config: PoseConfig) -> PoseStage:
        """The stage of ``config`` (the wheel's full model, complexity 1)."""
        return cls(detector_name(config), _Graph.pose(config))

    def landmarks(self, frame: Frame) -> Detections:
        """The person in ``frame`` (no box when MediaPipe finds nobody)."""
        found = self.graph.process(_rgb(frame))["pose_landmarks"]
        if found is None:
            return Detections.empty()
        values = np.array(
            [[p.x, p.y, p.z, p.visibility] for p in found.landmark], np.float32
        ).reshape(1, POSE_LANDMARKS, 4)
        size = np.array([frame.width, frame.height], np.float32)
        pixels = values[:, :, :2] * size
        keypoints = np.concatenate([pixels, values[:, :, 3:4]], axis=2)
        return Detections(
            _boxes(pixels),
            np.array([float(values[0, :, 3].mean())], np.float32),
            self.class_names,
            keypoints=keypoints,
            data={"pose_landmarks": values},
        )


class HandsStage(_LandmarkStage):
    """MediaPipe Hands: up to ``max_num_hands`` hands, 21 landmarks each, with handedness."""

    class_names = HAND_CLASSES

    @classmethod
    def build(cls, config: HandsConfig) -> HandsStage:
        """The stage of ``config`` (the wheel's full model, complexity 1)."""
        return cls(detector_name(config), _Graph.hands(config))

    def landmarks(self, frame: Frame) -> Detections:
        """The hands in ``frame``, each named by the person's own left or right."""
        result = self.graph.process(_rgb(frame))
        hands = result["multi_hand_landmarks"] or []
        if not hands:
            return Detections.empty()
        values = np.array(
            [[[p.x, p.y, p.z] for p in hand.landmark] for hand in hands], np.float32
        ).reshape(len(hands), HAND_LANDMARKS, 3)
        # MediaPipe names hands as if the picture were a mirrored selfie; ours are not
        # mirrored, so its "Left" is the person's right hand (its documentation says to swap).
        sides = [h.classification[0] for h in result["multi_handedness"]]
        names = ["right_hand" if s.label == "Left" else "left_hand" for s in sides]
        size = np.array([frame.width, frame.height], np.float32)
        return Detections(
            _boxes(values[:, :, :2] * size),
            np.array([s.score for s in sides], np.float32),
            names,
            data={"hand_landmarks": values},
        )


class ConcurrentStages:
    """Independent stages run side by side on the same batch, their boxes merged in order.

    Pose and hands read only the picture, not each other's boxes, and MediaPipe releases
    the GIL while a graph runs, so one thread per graph overlaps them (each graph still
    sees its frames in order, as its tracking needs).

    Args:
        stages: The stages (closed with this one).
    """

    def __init__(self, stages: Sequence[Stage]) -> None:
        self.stages = list(stages)
        self.name = "+".join(s.name for s in self.stages)
        self.class_names = tuple(n for s in self.stages for n in s.class_names)
        self.pool = ThreadPoolExecutor(len(self.stages), thread_name_prefix="landmarks")

    def detect(self, batch: Sequence[Frame], results: Sequence[FrameOutput]) -> list[FrameOutput]:
        """Every stage's boxes for ``batch``, after the boxes found so far."""
        blank = [FrameOutput.empty(r.source_id) for r in results]
        futures = [self.pool.submit(s.detect, batch, blank) for s in self.stages]
        found = [f.result() for f in futures]  # re-raises a stage's error here
        return [
            r.with_detections(Detections.merge(r.detections, *(f[i].detections for f in found)))
            for i, r in enumerate(results)
        ]

    def thresholds(self) -> Mapping[str, float]:
        """Nothing to tune while running."""
        return {}

    def set_thresholds(self, values: Mapping[str, float]) -> None:
        """Refuse every name (see :meth:`_LandmarkStage.set_thresholds`)."""
        refuse_unknown_thresholds(
            self.name, values, {}, "set min_detection_confidence in the pipeline YAML instead"
        )

    def close(self) -> None:
        """Stop the threads and close the stages."""
        self.pool.shutdown(wait=True)
        for stage in self.stages:
            stage.close()


def overlap_landmarks(stages: Sequence[Stage]) -> list[Stage]:
    """``stages`` with adjacent pose and hands stages run side by side (same results)."""
    out: list[Stage] = []
    for stage in stages:
        previous = out[-1] if out else None
        pair = isinstance(stage, _LandmarkStage) and isinstance(previous, _LandmarkStage)
        if pair and type(stage) is not type(previous) and previous is not None:
            out[-1] = ConcurrentStages([previous, stage])
        else:
            out.append(stage)
    return out
