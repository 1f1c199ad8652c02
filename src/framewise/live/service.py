"""The live service: pipeline runner + WebSocket/HTTP server (+ store writer), as one object.

Example:
    >>> spec = parse_source("match.mkv", replay=True, speed=2.0)  # doctest: +SKIP
    >>> with LiveService(load_pipeline("p.yaml"), spec, port=0) as service:  # doctest: +SKIP
    ...     service.start_pipeline()
    ...     print(service.url, service.runner.status)
"""

from __future__ import annotations

import dataclasses
import ipaddress
import logging
import threading
from pathlib import Path
from types import TracebackType
from typing import Self

import uvicorn

from framewise.config.pipeline import PipelineConfig, StoreSinkConfig, WebSocketSinkConfig
from framewise.core.errors import ConfigError, SourceError
from framewise.core.net import free_port
from framewise.live.app import LiveParts, create_app
from framewise.live.broadcast import Broadcaster
from framewise.live.runner import LiveRunner, Publisher
from framewise.live.sources import SourceFactory, SourceSpec, source_factory
from framewise.live.store_writer import StoreWriter
from framewise.pipeline.chain import build_chain
from framewise.profiles.base import ProfileHooks
from framewise.serving import ServerThread
from framewise.store_api.client import StoreClient
from framewise.store_api.retry import RetryPolicy

log = logging.getLogger(__name__)

DEFAULT_PORT = 8765


@dataclasses.dataclass(frozen=True)
class ServiceOptions:
    """Where the service listens and where it writes.

    Attributes:
        host: Interface to bind (loopback by default).
        port: TCP port; 0 picks a free one.
        token: Bearer token for ``POST /config``; required off loopback.
        store_url: Event store API to write raids, transitions and kills to.
        store_token: The store's write token.
        session_type: Type of a session the writer starts in the store.
        confidence: Overrides every detector's confidence threshold at start.
        queue_size: Messages buffered per WebSocket client.
        out_dir: Also write the session's event log, thumbnails and journal here.
    """

    host: str = "127.0.0.1"
    port: int = DEFAULT_PORT
    token: str | None = None
    store_url: str | None = None
    store_token: str | None = None
    session_type: str = "stream"
    confidence: float | None = None
    queue_size: int = 1000
    out_dir: Path | None = None


def is_loopback(host: str) -> bool:
    """Whether ``host`` only accepts connections from this machine."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False  # another host name may resolve to anything: treat it as public


def options_from_config(config: PipelineConfig, **overrides: object) -> ServiceOptions:
    """Options from the pipeline's ``websocket`` and ``store`` sinks, then ``overrides``.

    ``None`` overrides are ignored, so command-line flags win only when given.
    """
    values: dict[str, object] = {}
    for sink in config.sinks:
        if isinstance(sink, WebSocketSinkConfig):
            values.update(host=sink.host, port=sink.port, queue_size=sink.queue_size)
        elif isinstance(sink, StoreSinkConfig):
            values.update(store_url=sink.api_url, store_token=sink.resolved_token())
    values.update({k: v for k, v in overrides.items() if v is not None})
    return ServiceOptions(**values)  # type: ignore[arg-type]  # keys are the fields above


class LiveService:
    """A live run served over HTTP and WebSocket.

    Args:
        config: The pipeline.
        spec: The source.
        options: Server and store settings.
        open_source: Overrides how the source is opened (benchmarks wrap it).
        hooks: The domain's messages and tally (default: the config's ``profile:``).

    Raises:
        ConfigError: Bound off loopback without a token.
        ModelError: A model cannot be loaded (before anything starts).
    """

    def __init__(
        self,
        config: PipelineConfig,
        spec: SourceSpec,
        options: ServiceOptions | None = None,
        *,
        open_source: SourceFactory | None = None,
        hooks: ProfileHooks | None = None,
    ) -> None:
        options = options or ServiceOptions()
        if not is_loopback(options.host) and not options.token:
            raise ConfigError(
                f"binding the live service to {options.host} needs a token for POST /config",
                subject="--host",
                hint="pass --token T (or set FRAMEWISE_LIVE_TOKEN), or bind to 127.0.0.1",
            )
        if options.port == 0:
            options = dataclasses.replace(options, port=free_port(options.host))
        self.options = options
        self.spec = spec
        # The batch runner's stages, run here frame by frame.
        self.chain = build_chain(config.detectors, confidence=options.confidence)
        self.broadcaster = Broadcaster(options.queue_size)
        self.store: StoreWriter | None = None
        services: dict[str, Publisher] = {"websocket": self.broadcaster.publish}
        if options.store_url:
            client = StoreClient(
                options.store_url, token=options.store_token, retry=RetryPolicy(attempts=5)
            )
            self.store = StoreWriter(client, session_type=options.session_type)
            services["store"] = self.store.submit
        self.runner = LiveRunner(
            config,
            self.chain,
            open_source or source_factory(spec, config),
            services=services,
            reopen=spec.reopens and not spec.replay,
            out_dir=options.out_dir,
            session_type=options.session_type,
            hooks=hooks,
            send=self.broadcaster.send,
        )
        self.app = create_app(
            LiveParts(self.runner, self.broadcaster, self.store, options.token, _ws_paths(config))
        )
        self._thread: ServerThread | None = None
        self._pipeline_started = False
        self._shut = False

    @property
    def url(self) -> str:
        """Base HTTP URL (through loopback whatever the bind address)."""
        host = self.options.host if is_loopback(self.options.host) else "127.0.0.1"
        return f"http://{host}:{self.options.port}"

    @property
    def ws_url(self) -> str:
        """The WebSocket URL of the event stream."""
        return self.url.replace("http://", "ws://", 1) + "/ws"

    def _config(self) -> uvicorn.Config:
        return uvicorn.Config(
            self.app, host=self.options.host, port=self.options.port, log_level="warning"
        )

    def start(self) -> Self:
        """Serve in a background thread; returns once it accepts connections.

        Raises:
            SourceError: The server did not start (port taken).
        """
        self._thread = ServerThread(
            self._config(),
            name="framewise-live-http",
            daemon=False,
            failure=self._did_not_start,
        )
        try:
            self._thread.start()
        except SourceError:
            self._shutdown_pipeline()
            raise
        return self

    def _did_not_start(self) -> SourceError:
        return SourceError(
            "the live service did not start",
            subject=self.url,
            hint="is the port already taken? pick another with --port",
        )

    def start_pipeline(self) -> None:
        """Start reading the source (clients connected before it get every event)."""
        if not self._pipeline_started:
            self._pipeline_started = True
            self.runner.start()

    def serve_forever(self, *, exit_at_end: bool = False) -> None:
        """CLI: start the pipeline and serve in this thread until Ctrl-C (uvicorn's signals).

        The service also stops when the run fails (``runner.failure`` says why).

        Args:
            exit_at_end: Also stop when the source ends (a replay's end).
        """
        self.start_pipeline()
        server = uvicorn.Server(self._config())

        def stop_at_end() -> None:
            self.runner.join()
            if exit_at_end or self.runner.failure is not None:
                server.should_exit = True

        threading.Thread(target=stop_at_end, name="framewise-live-end", daemon=True).start()
        try:
            server.run()
        finally:
            self._shutdown_pipeline()

    def stop(self) -> None:
        """Stop the pipeline (flushing it), the store writer, then the server."""
        self._shutdown_pipeline()
        if self._thread is not None:
            self._thread.stop()
        self._thread = None

    def _shutdown_pipeline(self) -> None:
        if self._shut:
            return
        self._shut = True
        if self._pipeline_started:
            self.runner.stop()
        if self.store is not None:
            start, last = self.runner.session_start, self.runner.last_seconds
            ended = start.wall_time(last) if start is not None and last is not None else None
            self.store.close(ended_at=ended)
            self.store = None
        self.chain.close()

    def __enter__(self) -> Self:
        return self.start()

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.stop()


def _ws_paths(config: PipelineConfig) -> tuple[str, ...]:
    """``/ws``, plus the path a ``websocket`` sink in the YAML names."""
    paths = ["/ws"]
    for sink in config.sinks:
        if isinstance(sink, WebSocketSinkConfig) and sink.path not in paths:
            paths.append(sink.path)
    return tuple(paths)
