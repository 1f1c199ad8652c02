"""Stages as a line of threads: each works on its own batch, none waits for the others' turn.

Feature extraction runs MediaPipe Pose, then Hands (then an object model) on every frame.
Run one after the other, each batch waits for the slowest stage and the run's own work
(features, sinks) waits for both. :class:`StageLine` gives each stage a thread and a short
queue: Pose works on batch *n + 1* while Hands works on batch *n* and the caller builds the
features of batch *n − 1*. MediaPipe releases the GIL while a graph runs, so the stages
overlap on separate cores, and the line runs as fast as its slowest stage.

The results are the ones the chain gives in order: every stage still sees every batch, in
order (MediaPipe tracks from one frame to the next), with what the stages before it found
(a cascade stays a cascade). :class:`Precomputed` hands the line's outputs to a
:class:`~framewise.pipeline.core.RunCore` as if its chain had just run.

Example:
    >>> line = StageLine(chain.stages)  # doctest: +SKIP
    >>> for batch, outputs in line.run(source.read_batches(8)):  # doctest: +SKIP
    ...     precomputed.give(batch, outputs)
    ...     core.process(batch)
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Generator, Iterable, Sequence
from dataclasses import dataclass

from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.detectors.base import Stage
from framewise.pipeline.chain import DetectorChain

DEPTH = 2
"""Batches a stage may be ahead of the next one (memory: DEPTH × stages batches of frames)."""
POLL_S = 0.1
"""How often a blocked thread looks whether the line was stopped."""
JOIN_S = 30.0
"""How long a stopped line waits for each thread (daemon threads: none outlives the process)."""


@dataclass(frozen=True)
class _Item:
    batch: list[Frame]
    outputs: list[FrameOutput]


@dataclass(frozen=True)
class _Failed:
    error: BaseException


_END = object()
"""Put after the last batch: the stream ended."""


def _detect(stage: Stage, item: _Item) -> list[FrameOutput]:
    """One stage on one batch, its result count checked as the chain checks it."""
    outputs = stage.detect(item.batch, item.outputs)
    if len(outputs) != len(item.batch):
        raise ValueError(
            f"stage {stage.name!r} returned {len(outputs)} results for {len(item.batch)} frames"
        )
    return outputs


class StageLine:
    """``stages`` run as a line of threads over a stream of batches (see the module docstring).

    Args:
        stages: The stages, in cascade order (owned by the caller, who closes them).
        depth: Batches queued between two stages.
    """

    def __init__(self, stages: Sequence[Stage], depth: int = DEPTH) -> None:
        self.stages = list(stages)
        self.depth = depth
        self._stop = threading.Event()

    def run(
        self, batches: Iterable[Sequence[Frame]]
    ) -> Generator[tuple[list[Frame], list[FrameOutput]], None, None]:
        """Each batch with every stage's outputs, in order; a stage's error is raised here."""
        queues: list[queue.Queue[object]] = [
            queue.Queue(self.depth) for _ in range(len(self.stages) + 1)
        ]
        threads = [threading.Thread(target=self._feed, args=(batches, queues[0]), daemon=True)]
        threads += [
            threading.Thread(target=self._work, args=(stage, queues[k], queues[k + 1]), daemon=True)
            for k, stage in enumerate(self.stages)
        ]
        for thread in threads:
            thread.start()
        try:
            while True:
                item = self._get(queues[-1])
                if item is _END:
                    return
                if isinstance(item, _Failed):
                    raise item.error
                assert isinstance(item, _Item)
                yield item.batch, item.outputs
        finally:
            self._stop.set()  # the caller stopped early or failed: let every thread go
            for thread in threads:
                thread.join(JOIN_S)  # a stage ends its batch; the feeder its read
            self._stop.clear()

    def _feed(self, batches: Iterable[Sequence[Frame]], out: queue.Queue[object]) -> None:
        try:
            for batch in batches:
                frames = list(batch)
                blank = [FrameOutput.empty(frame.source_id) for frame in frames]
                if not self._put(out, _Item(frames, blank)):
                    return
        except BaseException as error:
            self._put(out, _Failed(error))
            return
        self._put(out, _END)

    def _work(self, stage: Stage, into: queue.Queue[object], out: queue.Queue[object]) -> None:
        while True:
            item = self._get(into)
            if item is None:
                return  # stopped
            if isinstance(item, _Item):
                try:
                    item = _Item(item.batch, _detect(stage, item))
                except BaseException as error:
                    self._put(out, _Failed(error))
                    return
            if not self._put(out, item) or item is _END or isinstance(item, _Failed):
                return

    def _put(self, into: queue.Queue[object], item: object) -> bool:
        while not self._stop.is_set():
            try:
                into.put(item, timeout=POLL_S)
            except queue.Full:
                continue
            return True
        return False

    def _get(self, source: queue.Queue[object]) -> object:
        while not self._stop.is_set():
            try:
                return source.get(timeout=POLL_S)
            except queue.Empty:
                continue
        return None


class Precomputed(DetectorChain):
    """A chain whose outputs were computed ahead (by a :class:`StageLine`) for each batch.

    It keeps the real chain's stages (for their names, classes and closing) but never runs
    them: :meth:`run` returns what :meth:`give` was handed for that very batch.
    """

    def __init__(self, chain: DetectorChain) -> None:
        super().__init__(chain.stages, chain.model_version)
        self._batch: list[Frame] | None = None
        self._outputs: list[FrameOutput] = []

    def give(self, batch: list[Frame], outputs: list[FrameOutput]) -> None:
        """The outputs of the next batch :meth:`run` will be asked for."""
        self._batch, self._outputs = batch, outputs

    def run(
        self, batch: Sequence[Frame], results: Sequence[FrameOutput] | None = None
    ) -> list[FrameOutput]:
        """The outputs given for ``batch`` (which must be the batch given).

        Raises:
            ValueError: Asked for another batch than the one given.
        """
        given = self._batch or []
        same = len(given) == len(batch) and all(a is b for a, b in zip(batch, given, strict=True))
        if self._batch is None or not same or results is not None:
            raise ValueError("Precomputed.run was asked for a batch it was not given")
        outputs, self._batch, self._outputs = self._outputs, None, []
        return outputs
