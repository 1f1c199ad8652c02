"""The live run: newest frame → the batch runner's per-frame step → events → publishers.

One thread takes frames from a live or replay source one at a time (a source that keeps the
newest frame never builds a backlog; what the step was too slow for is counted as dropped)
and pushes each through :class:`~framewise.pipeline.step.FrameStep`, the same detect →
temporal step ``framewise process`` runs. Released records become numbered events with wall
times and go to every publisher (the WebSocket broadcaster, the store writer) with the
arrival time of the frame that released them, for latency figures.

A stream that stays lost past the source's own reconnect budget is opened again after a
pause, and times continue from the first opening, so the temporal logic never sees time go
backwards. A replay ends with the file; the engine is flushed as at the end of a batch run.
"""

from __future__ import annotations

import dataclasses
import logging
import threading
import time
from collections import Counter, deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path
from typing import Any

from framewise.config.pipeline import PipelineConfig
from framewise.core.errors import FramewiseError, SourceError
from framewise.core.events import Event, LogMetadata
from framewise.core.frames import Frame
from framewise.core.results import FrameOutput
from framewise.core.time import SessionStart
from framewise.events.sinks import Emitted, RunResult, RunTotals, Sink
from framewise.live.metrics import LatencyMeter, RateMeter
from framewise.live.sources import SourceFactory
from framewise.live.thresholds import ThresholdUpdate, apply_detectors, current, updated_config
from framewise.pipeline.chain import DetectorChain
from framewise.pipeline.core import RunCore
from framewise.pipeline.sinks import SinkContext, build_sinks
from framewise.pipeline.step import FrameStep
from framewise.profiles import hooks_for
from framewise.profiles.base import FrameMessages, ProfileHooks
from framewise.sources.base import SourceStats, VideoSource
from framewise.temporal.engine import EventEngine
from framewise.temporal.episodes import EpisodeFilter

log = logging.getLogger(__name__)

STALL_S = 2.0
"""No frame for this long while the source is open: status ``stalled``."""
RECENT_EVENTS = 10_000
DROP_CHECK_FRAMES = 100
DROP_WARN_SHARE = 0.1
"""Share of dropped frames (checked every ``DROP_CHECK_FRAMES``) that earns a warning."""


@dataclass(frozen=True, slots=True)
class LiveEvent:
    """An event on its way out.

    Attributes:
        event: The event, as the JSON log would hold it.
        evidence: The detector class that caused it.
        message: Its WebSocket message (``None`` when the type is not broadcast).
        arrival: Monotonic arrival time of the frame whose processing released it.
        decided: Monotonic time the step released it.
    """

    event: Event
    evidence: str
    message: dict[str, Any] | None
    arrival: float | None
    decided: float


Publisher = Callable[[LiveEvent], None]
MessageSender = Callable[[Mapping[str, Any], float | None], None]
"""Sends a frame's message (not an event) with the frame's arrival time: the WebSocket's."""


class _RunnerSink:
    """The live runner's own sink: each event becomes a :class:`LiveEvent` in its tally."""

    def __init__(self, runner: LiveRunner) -> None:
        self.runner = runner

    def write(self, result: RunResult) -> None:
        """Make the result's live events, with the arrival time of the frame that released them."""
        arrival = result.frame.arrival if result.frame is not None else None
        if result.frame is not None and result.output is not None:
            self.runner._frame_messages(result.frame, result.output)
        self.runner.made = [self.runner._live_event(e, arrival) for e in result.events]

    def flush(self) -> None:
        """Nothing to make durable."""

    def close(self) -> None:
        """Nothing to release."""


class PublisherSink:
    """A service's sink (the WebSocket broadcaster, the store writer): takes each live event.

    Args:
        runner: The runner whose live events it sends.
        publish: The service's entry point; must not block.
    """

    def __init__(self, runner: LiveRunner, publish: Publisher) -> None:
        self.runner = runner
        self.publish = publish

    def write(self, result: RunResult) -> None:
        """Send the live events the runner made of this result."""
        for live in self.runner.made:
            self.publish(live)

    def flush(self) -> None:
        """Services send as they go."""

    def close(self) -> None:
        """The services are closed by their owner (the live service)."""


class LiveRunner:
    """Runs the pipeline on a live or replay source in a thread.

    Args:
        config: The pipeline.
        chain: Its detector chain (owned by the caller, who closes it).
        open_source: Opens the source; called again after a lost stream when ``reopen``
            (a source that never delivered a frame is not reopened: the run fails).
        services: Sink kind (``websocket``, ``store``) → the service told about every event,
            from the runner thread (it must not block); built into sinks through the
            registry with the YAML's other ``sinks:``.
        reopen: Open the source again when it ends or gives up (streams, devices).
        retry_s: Pause before opening it again.
        out_dir: Also write the session's event log, thumbnails and journal here (the
            pipeline's ``sinks:``, as a batch run writes them), for review and training.
        session_type: The log's session type.
        hooks: The domain's messages and tally (default: the config's ``profile:``).
        send: Where the messages of hooks that speak per frame go
            (:class:`~framewise.profiles.base.FrameMessages`, e.g. task predictions).
    """

    def __init__(
        self,
        config: PipelineConfig,
        chain: DetectorChain,
        open_source: SourceFactory,
        *,
        services: Mapping[str, Publisher] | None = None,
        reopen: bool = False,
        retry_s: float = 1.0,
        out_dir: Path | None = None,
        session_type: str = "stream",
        hooks: ProfileHooks | None = None,
        send: MessageSender | None = None,
    ) -> None:
        self.config = config
        self.hooks = hooks or hooks_for(config.profile)
        self.send = send
        self.out_dir = out_dir
        self.session_type = session_type
        self.core: RunCore | None = None
        self.chain = chain
        self.period = config.source.sample_period_seconds
        self.step = FrameStep(chain, EventEngine.from_config(config, period_seconds=self.period))
        self.open_source = open_source
        self.services = dict(services or {})
        self.made: list[LiveEvent] = []
        self.reopen = reopen
        self.retry_s = retry_s
        self.events: deque[LiveEvent] = deque(maxlen=RECENT_EVENTS)
        self.counts: Counter[str] = Counter()
        self.tally = self.hooks.new_tally()
        self.frame_latency = LatencyMeter()
        self.fps = RateMeter()
        self.frames = 0
        self.reopened = 0
        self.error: str | None = None
        self.failure: FramewiseError | None = None
        self.session_start: SessionStart | None = None
        self.last_seconds: float | None = None
        self._state = "starting"
        self._lock = threading.Lock()  # one frame, or one threshold change, at a time
        self._counting = threading.Lock()  # counts and tally: written here, read by HTTP
        self._stop = threading.Event()
        self._source: VideoSource | None = None
        self._past = SourceStats()
        self._warned_drops = False
        self._clock: tuple[float, float] | None = None  # (arrival, seconds) of the first frame
        self._thread = threading.Thread(target=self._run, name="framewise-live-runner", daemon=True)

    # ----------------------------------------------------------------- control

    def start(self) -> None:
        """Start the thread."""
        self._thread.start()

    def stop(self, timeout_s: float = 30.0) -> None:
        """Stop reading, flush the temporal logic (its records are published) and join."""
        self._stop.set()
        source = self._source
        if source is not None:
            source.close()
        if self._thread.is_alive():
            self._thread.join(timeout_s)

    def join(self, timeout_s: float | None = None) -> bool:
        """Wait for the run to end (a replay's end); ``True`` when it has."""
        self._thread.join(timeout_s)
        return not self._thread.is_alive()

    @property
    def status(self) -> str:
        """``starting``, ``ok``, ``stalled``, ``reconnecting``, ``ended``, ``stopped``, ``error``.

        ``stalled``: the source is open but sent no frame for ``STALL_S`` (it is reconnecting).
        """
        last = self.fps.last
        if self._state == "ok" and last is not None and time.monotonic() - last > STALL_S:
            return "stalled"
        return self._state

    def counts_now(self) -> dict[str, int]:
        """Events so far by record type (a copy, safe from any thread)."""
        with self._counting:
            return dict(sorted(self.counts.items()))

    def tally_now(self) -> dict[str, Any]:
        """The overlay tally (a copy, safe from any thread)."""
        with self._counting:
            return self.tally.as_dict()

    def source_stats(self) -> dict[str, Any]:
        """Counters of every source opened so far, summed."""
        total = dataclasses.asdict(self._past)
        source = self._source
        if source is not None:
            for key, value in source.stats.as_dict().items():
                if isinstance(value, bool):
                    total[key] = total[key] or value
                else:
                    total[key] += value
        return total

    def thresholds(self) -> dict[str, Any]:
        """The thresholds in force."""
        with self._lock:
            return current(self.chain, self.config)

    def apply(self, update: ThresholdUpdate) -> dict[str, Any]:
        """Change thresholds between two frames; returns those in force after.

        Raises:
            ConfigError: The update names a filter that does not exist or is invalid.
        """
        with self._lock:
            config = updated_config(self.config, update) if update.touches_filters else None
            apply_detectors(self.chain, update)
            if config is not None:
                engine = EventEngine(
                    EpisodeFilter.from_config(config, self.period),
                    self.step.engine.machine,
                    ordered=self.step.engine.ordered,
                    frame_rules=self.step.engine.frame_rules,
                )
                flushed = self.step.replace_engine(engine)
                self.config = config
                if self.core is not None:
                    self.core.release(flushed)
            log.info("thresholds changed: %s", update.model_dump(exclude_none=True))
            return current(self.chain, self.config)

    # ----------------------------------------------------------------- the loop

    def _run(self) -> None:
        try:
            while not self._stop.is_set():
                if not self._read_once():
                    break
                self._state = "reconnecting"
                log.warning("source lost; opening it again in %.1f s", self.retry_s)
                if self._stop.wait(self.retry_s):
                    break
                self.reopened += 1
            with self._lock:
                self._finish()
            self._state = "stopped" if self._stop.is_set() else "ended"
        except FramewiseError as error:
            self._close_sinks()
            self.failure, self.error = error, error.one_line()
            self._state = "error"
            # Kept in failure/status for /health and the CLI (which prints it once).
            log.info("live run failed: %s", self.error)
        except BaseException as error:
            self._close_sinks()
            self.error = f"{type(error).__name__}: {error}"
            self._state = "error"
            raise

    def _read_once(self) -> bool:
        """Read the source until it ends; ``True`` when it should be opened again."""
        source = self.open_source()
        self._source = source
        try:
            if self._stop.is_set():
                return False
            for frame in source.read():
                self._state = "ok"
                self._process(frame)
                if self._stop.is_set():
                    return False
        except SourceError as error:
            if not self.reopen or self.frames == 0:
                raise  # never connected: a wrong URL or device, not a lost stream
            log.warning("%s", error.one_line())
            return True
        finally:
            source.close()
            self._retire(source)
        return self.reopen and not self._stop.is_set()

    def _retire(self, source: VideoSource) -> None:
        for key, value in source.stats.as_dict().items():
            old = getattr(self._past, key)
            setattr(self._past, key, (old or value) if isinstance(value, bool) else old + value)
        self._source = None

    def _process(self, frame: Frame) -> None:
        frame = self._on_clock(frame)
        with self._lock:
            self._core().process([frame])
            self.frames += 1
            self.last_seconds = frame.seconds
        now = time.monotonic()
        self.fps.tick(now)
        if frame.arrival is not None:
            self.frame_latency.add(now - frame.arrival)
        if self.frames % DROP_CHECK_FRAMES == 0 and not self._warned_drops:
            self._warn_if_dropping()

    def _warn_if_dropping(self) -> None:
        """Say once when the step cannot keep up: confirmation then needs a longer period."""
        stats = self.source_stats()
        offered = stats["kept"] + stats["dropped"]
        if offered and stats["dropped"] > DROP_WARN_SHARE * offered:
            self._warned_drops = True
            log.warning(
                "%d of %d frames dropped: the pipeline is slower than detection_fps %.3g; "
                "lower detection_fps or raise the filters' confirm.period_seconds "
                "(POST /config) to the real frame interval, %.3f s",
                stats["dropped"],
                offered,
                self.config.source.detection_fps,
                1 / max(self.fps.rate(), 1e-6),
            )

    def _on_clock(self, frame: Frame) -> Frame:
        """Fix the session start at the first frame; keep times going after a reopen."""
        if self.session_start is None:
            self.session_start = SessionStart(
                frame.wall_time - timedelta(seconds=frame.seconds),
                getattr(getattr(self._source, "session_start", None), "origin", "arrival"),
            )
            if frame.arrival is not None:
                self._clock = (frame.arrival, frame.seconds)
            return frame
        if self.reopened and self._clock is not None and frame.arrival is not None:
            # A reopened stream counts from its own opening: continue the first one's clock.
            seconds = self._clock[1] + frame.arrival - self._clock[0]
            return dataclasses.replace(
                frame,
                seconds=seconds,
                wall_time=self.session_start.wall_time(seconds),
                index=self.frames,
            )
        return frame

    def _core(self) -> RunCore:
        """The run's core, made at the first frame (the session start is known then)."""
        if self.core is not None:
            return self.core
        start = self.session_start
        assert start is not None  # set by _on_clock before the first frame is processed
        metadata = LogMetadata(
            video_path=str(self._source.source_id if self._source is not None else "live"),
            session_start_time=start.time,
            session_start_origin=start.origin,
            session_type=self.session_type,
            video_duration_seconds=0.0,
            total_frames=0,
            detection_fps=self.config.source.detection_fps,
            model_version=self.chain.model_version,
            processed_at=start.time,
            pipeline=self.config.name,
        )
        services: dict[str, Sink] = {
            kind: PublisherSink(self, publish) for kind, publish in self.services.items()
        }
        context = SinkContext(self.out_dir, metadata, services=services)
        sinks: list[Sink] = [_RunnerSink(self)]
        sinks += build_sinks(self.config.sinks, context, batch=self.out_dir is not None)
        self.core = RunCore(self.step, start, sinks, fallback_fps=1 / self.period)
        return self.core

    def _finish(self) -> None:
        """End of stream: release what the engine held, then close the sinks."""
        if self.core is None:  # nothing was read, so nothing can have been released
            return
        self.core.finish(RunTotals(self.frames, self.last_seconds or 0.0, self.source_stats()))
        self._close_sinks()

    def _close_sinks(self) -> None:
        core, self.core = self.core, None
        if core is not None:
            core.close()

    def _frame_messages(self, frame: Frame, output: FrameOutput) -> None:
        """Tally and send what hooks that speak per frame say about this one."""
        if not isinstance(self.hooks, FrameMessages):
            return
        messages = self.hooks.frame_messages(frame.seconds, frame.wall_time, output)
        with self._counting:
            for message in messages:
                self.tally.add(message)
        if self.send is not None:
            for message in messages:
                self.send(message, frame.arrival)

    def _live_event(self, emitted: Emitted, arrival: float | None) -> LiveEvent:
        event, record = emitted.event, emitted.record
        with self._counting:
            self.counts[record.type] += 1
        message = self.hooks.message(event, record.evidence)
        live = LiveEvent(event, record.evidence, message, arrival, time.monotonic())
        with self._counting:
            if message is not None:
                self.tally.add(message)
            self.events.append(live)
        return live
