"""The live service's HTTP side: WebSocket events, health, stats, thresholds, the OBS overlay.

Routes:

* ``WS /ws`` — one JSON message per event (see :mod:`framewise.live.messages`);
* ``GET /health`` — ``{status, fps, latency_ms, clients_connected, dropped_frames}``;
* ``GET /stats`` — counters, latency percentiles, source and store figures, the tally;
* ``GET /config`` / ``POST /config`` — thresholds in force / change them while running
  (a bearer token is required when the service has one, which it must off loopback);
* ``GET /overlay`` — a page for OBS's browser source, fed by ``/ws``.

Everything the handlers use is passed to :func:`create_app`; nothing hangs on ``app.state``.
"""

from __future__ import annotations

import asyncio
import hmac
import math
import time
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager, suppress
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fastapi import FastAPI, Header, WebSocket, WebSocketDisconnect
from fastapi.responses import FileResponse, JSONResponse
from starlette.websockets import WebSocketState

from framewise.core.errors import ConfigError
from framewise.live.broadcast import TOO_SLOW, Broadcaster, Client
from framewise.live.runner import LiveRunner
from framewise.live.store_writer import StoreWriter
from framewise.live.thresholds import ThresholdUpdate
from framewise.serving import StrictJSONRoute

STATIC = Path(__file__).resolve().parent / "static"


@dataclass
class LiveParts:
    """What the routes read and drive."""

    runner: LiveRunner
    broadcaster: Broadcaster
    store: StoreWriter | None = None
    token: str | None = None
    ws_paths: tuple[str, ...] = ("/ws",)


def _ms(value: float | int | None) -> float | None:
    return None if value is None or (isinstance(value, float) and math.isnan(value)) else value


def health(parts: LiveParts) -> dict[str, Any]:
    """The ``/health`` body."""
    latency = parts.broadcaster.latency.summary_ms()
    return {
        "status": parts.runner.status,
        "fps": round(parts.runner.fps.rate(), 2),
        "latency_ms": _ms(latency["p50"]),
        "clients_connected": parts.broadcaster.clients,
        "dropped_frames": int(parts.runner.source_stats()["dropped"]),
    }


def stats(parts: LiveParts, started: float) -> dict[str, Any]:
    """The ``/stats`` body."""
    runner = parts.runner
    counts = runner.counts_now()
    return {
        **health(parts),
        "uptime_s": round(time.monotonic() - started, 3),
        "frames_processed": runner.frames,
        "video_seconds": runner.last_seconds,
        "session_start": runner.session_start.time.isoformat() if runner.session_start else None,
        "events": sum(counts.values()),
        "events_by_type": counts,
        "messages_broadcast": parts.broadcaster.published,
        "clients_dropped_too_slow": parts.broadcaster.dropped_clients,
        "latency_ms": {
            "event_arrival_to_broadcast": parts.broadcaster.latency.summary_ms(),
            "frame_arrival_to_processed": runner.frame_latency.summary_ms(),
        },
        "source": runner.source_stats(),
        "source_reopened": runner.reopened,
        "error": runner.error,
        "tally": runner.tally_now(),
        "store": parts.store.stats() if parts.store is not None else None,
    }


def _error(status: int, code: str, message: str) -> JSONResponse:
    return JSONResponse({"error": {"code": code, "message": message}}, status_code=status)


def create_app(parts: LiveParts) -> FastAPI:
    """The FastAPI app of one live service."""
    started = time.monotonic()

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        parts.broadcaster.attach(asyncio.get_running_loop())
        try:
            yield
        finally:
            parts.broadcaster.attach(None)

    app = FastAPI(title="framewise live", lifespan=lifespan)
    # POST /config's body as strict JSON: FastAPI's reader takes NaN and Infinity, which
    # then failed as a 500 when the refusal echoed them back.
    app.router.route_class = StrictJSONRoute

    @app.get("/health")
    def get_health() -> dict[str, Any]:
        """Status, frames per second, median event latency, clients, dropped frames."""
        return health(parts)

    @app.get("/stats")
    def get_stats() -> dict[str, Any]:
        """Everything the service counts."""
        return stats(parts, started)

    @app.get("/config")
    def get_config() -> dict[str, Any]:
        """The thresholds in force."""
        return parts.runner.thresholds()

    @app.post("/config", response_model=None)
    async def post_config(
        body: ThresholdUpdate, authorization: str | None = Header(default=None)
    ) -> dict[str, Any] | JSONResponse:
        """Change thresholds while running; answers with those in force after."""
        if parts.token:
            scheme, _, given = (authorization or "").partition(" ")
            # compare_digest: the time taken must not tell how many characters matched.
            if scheme.lower() != "bearer" or not hmac.compare_digest(
                given.strip().encode(), parts.token.encode()
            ):
                return _error(
                    401, "unauthorized", "POST /config needs Authorization: Bearer <token>"
                )
        try:
            # The runner applies it between two frames; waiting for that is off the loop.
            return await asyncio.to_thread(parts.runner.apply, body)
        except ConfigError as error:
            return _error(422, "invalid_config", error.one_line())

    @app.get("/overlay", response_class=FileResponse)
    def overlay() -> FileResponse:
        """The OBS browser-source page (transparent background)."""
        return FileResponse(STATIC / "overlay.html", media_type="text/html")

    @app.get("/overlay.js", response_class=FileResponse)
    def overlay_js() -> FileResponse:
        """The overlay's script."""
        return FileResponse(STATIC / "overlay.js", media_type="text/javascript")

    async def events(websocket: WebSocket) -> None:
        await websocket.accept()
        client = parts.broadcaster.subscribe()
        try:
            await _serve(websocket, client)
        finally:
            parts.broadcaster.unsubscribe(client)

    for path in parts.ws_paths:
        app.add_api_websocket_route(path, events)
    return app


async def _serve(websocket: WebSocket, client: Client) -> None:
    """Send the client's queue until either side closes."""
    sender = asyncio.create_task(_send(websocket, client))
    reader = asyncio.create_task(_read_until_closed(websocket))
    done, pending = await asyncio.wait({sender, reader}, return_when=asyncio.FIRST_COMPLETED)
    for task in pending:
        task.cancel()
    for task in pending:
        with suppress(asyncio.CancelledError):
            await task
    for task in done:
        task.result()  # re-raise anything unexpected


async def _send(websocket: WebSocket, client: Client) -> None:
    while (text := await client.queue.get()) is not None:
        try:
            await websocket.send_text(text)
        except (WebSocketDisconnect, OSError, RuntimeError):
            return  # the client went away mid-send; its reader sees the disconnect too
        client.sent += 1
    if websocket.application_state == WebSocketState.CONNECTED:
        await websocket.close(code=TOO_SLOW, reason="too slow: fell behind the event stream")


async def _read_until_closed(websocket: WebSocket) -> None:
    """Clients send nothing we need; reading is how a disconnect is noticed."""
    while True:
        message = await websocket.receive()
        if message["type"] == "websocket.disconnect":
            return
