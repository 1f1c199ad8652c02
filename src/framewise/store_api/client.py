"""A typed HTTP client of the event store API, with retries.

Transient failures are retried with exponential backoff: a refused connection, a timeout, a
dropped connection, a 5xx. A 4xx is permanent and raised at once as
:class:`StoreRequestError` with the server's error code. When a request may have reached the
server before the failure (a read timeout, a dropped connection) and is not safe to repeat,
:class:`StoreAmbiguousError` is raised instead of retrying, so the caller can check what was
stored. The errors live in :mod:`framewise.store_api.errors` and are re-exported here.

Example:
    >>> with StoreClient("http://127.0.0.1:8787") as client:  # doctest: +SKIP
    ...     session_id = client.create_session(CreateSessionRequest(session_type="stream"))
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import datetime
from types import TracebackType
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from framewise.store_api.errors import (
    StoreAmbiguousError,
    StoreRequestError,
    StoreUnavailableError,
)
from framewise.store_api.records import (
    ArtefactCreate,
    ArtefactCreated,
    ArtefactOut,
    EventBatch,
    EventCreate,
    EventOut,
    EventsCreated,
)
from framewise.store_api.retry import RetryHook, RetryPolicy
from framewise.store_api.schemas import (
    BatchKillsRequest,
    CreateRaidRequest,
    CreateSessionRequest,
    EndRaidRequest,
    EndSessionRequest,
    ImportCreated,
    ImportSessionRequest,
    KillCreated,
    KillRequest,
    KillResponse,
    KillsCreated,
    RaidCreated,
    RaidDetailResponse,
    RaidResponse,
    SessionCreated,
    SessionResponse,
    TransitionRequest,
)
from framewise.store_api.stats import GlobalStats, RaidStats, SessionStats

__all__ = [
    "RetryHook",
    "RetryPolicy",
    "StoreAmbiguousError",
    "StoreClient",
    "StoreRequestError",
    "StoreUnavailableError",
]

Model = TypeVar("Model", bound=BaseModel)

_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
_MAYBE_SENT = (httpx.ReadTimeout, httpx.WriteTimeout, httpx.RemoteProtocolError, httpx.ReadError)


def _json(model: BaseModel) -> Any:
    return model.model_dump(mode="json", exclude_none=True)


class StoreClient:
    """Calls the event store API; one instance per server.

    Args:
        base_url: The server, e.g. ``http://127.0.0.1:8787``.
        token: Sent as ``Authorization: Bearer`` on every request when given.
        timeout: Seconds per request.
        retry: The backoff for transient failures.
        on_retry: Told about each retry (for progress output).
        transport: An httpx transport (tests may pass one; normally the network).
    """

    def __init__(
        self,
        base_url: str,
        *,
        token: str | None = None,
        timeout: float = 30.0,
        retry: RetryPolicy | None = None,
        on_retry: RetryHook | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self.base_url = base_url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.base_url, headers=headers, timeout=timeout, transport=transport
        )
        self._retry = retry or RetryPolicy()
        self._on_retry = on_retry

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> StoreClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # ----------------------------------------------------------------- transport

    def request(
        self,
        method: str,
        path: str,
        *,
        body: Any = None,
        params: dict[str, str] | None = None,
        repeatable: bool = True,
    ) -> httpx.Response:
        """Send one request with retries; returns a 2xx response.

        Args:
            method: HTTP method.
            path: Path under the base URL.
            body: JSON body.
            params: Query parameters.
            repeatable: Whether sending it twice is harmless (reads, and writes the server
                deduplicates); otherwise an ambiguous failure raises at once.

        Raises:
            StoreRequestError: A 4xx answer.
            StoreUnavailableError: Transient failures outlasted the retries.
            StoreAmbiguousError: A non-repeatable write may or may not have been applied.
        """
        label = f"{method} {path}"
        delays = self._retry.delays()
        while True:
            try:
                response = self._http.request(method, path, json=body, params=params)
            except _NEVER_SENT as exc:
                reason = f"cannot connect ({type(exc).__name__})"
            except _MAYBE_SENT as exc:
                if not repeatable:
                    raise StoreAmbiguousError(
                        f"{label} failed after sending ({type(exc).__name__})",
                        subject=self.base_url,
                        hint="check what the server stored before sending it again",
                    ) from None
                reason = f"connection lost ({type(exc).__name__})"
            else:
                if response.status_code < 400:
                    return response
                if response.status_code < 500:
                    raise self._refused(label, response)
                reason = f"HTTP {response.status_code}"
            delay = next(delays, None)
            if delay is None:
                raise StoreUnavailableError(
                    f"{label} failed {self._retry.attempts} times, last: {reason}",
                    subject=self.base_url,
                    hint="check that the event store is running (framewise serve) and reachable",
                )
            if self._on_retry is not None:
                self._on_retry(label, delay, reason)
            time.sleep(delay)

    def _refused(self, label: str, response: httpx.Response) -> StoreRequestError:
        code, message = "http_error", response.text[:300]
        try:
            payload = response.json()
        except ValueError:
            payload = None
        error = payload.get("error") if isinstance(payload, dict) else None
        if isinstance(error, dict):
            code = str(error.get("code", code))
            message = str(error.get("message", message))
        elif isinstance(error, str):  # the Rust app's {"error": msg, "type": code}
            message = error
            code = str(payload.get("type", code)) if isinstance(payload, dict) else code
        return StoreRequestError(
            f"{label} refused: {message}",
            status=response.status_code,
            code=code,
            subject=self.base_url,
        )

    def _get(self, path: str, model: type[Model], params: dict[str, str] | None = None) -> Model:
        return model.model_validate(self.request("GET", path, params=params).json())

    def _post(
        self, path: str, body: BaseModel | None, model: type[Model], *, repeatable: bool = False
    ) -> Model:
        payload = _json(body) if body is not None else None
        response = self.request("POST", path, body=payload, repeatable=repeatable)
        return model.model_validate(response.json())

    def _optional(self, path: str, model: type[Model]) -> Model | None:
        try:
            return self._get(path, model)
        except StoreRequestError as exc:
            if exc.status == 404:
                return None
            raise

    # ----------------------------------------------------------------- discovery

    def paths(self) -> set[str]:
        """Paths of the server's OpenAPI document (empty when it publishes none)."""
        try:
            document = self.request("GET", "/openapi.json").json()
        except StoreRequestError:
            return set()
        return set(document.get("paths", {})) if isinstance(document, dict) else set()

    def health(self) -> bool:
        """Whether ``GET /health`` answers 2xx (raises when the server stays unreachable)."""
        self.request("GET", "/health")
        return True

    # ----------------------------------------------------------------- sessions

    def create_session(self, body: CreateSessionRequest) -> int:
        """``POST /api/session``; returns the new session id."""
        return self._post("/api/session", body, SessionCreated).session_id

    def current_session(self) -> SessionResponse | None:
        """``GET /api/session/current``; ``None`` when no session is active."""
        return self._optional("/api/session/current", SessionResponse)

    def end_session(self, body: EndSessionRequest) -> None:
        """``POST /api/session/end``."""
        self.request("POST", "/api/session/end", body=_json(body), repeatable=False)

    def find_sessions(
        self,
        *,
        import_key: str | None = None,
        source_video: str | None = None,
        started_at: datetime | None = None,
    ) -> list[SessionResponse]:
        """``GET /api/sessions`` with filters (an extension of ours)."""
        params = {"import_key": import_key, "source_video": source_video}
        query = {k: v for k, v in params.items() if v is not None}
        if started_at is not None:
            query["started_at"] = started_at.isoformat()
        answer = self.request("GET", "/api/sessions", params=query).json()
        return TypeAdapter(list[SessionResponse]).validate_python(answer)

    # ----------------------------------------------------------------- events and artefacts

    def add_events(self, session_id: int, events: Sequence[EventCreate]) -> list[int]:
        """``POST /api/sessions/{id}/events``: all or nothing; returns the ids in order."""
        body = EventBatch(events=list(events))
        return self._post(f"/api/sessions/{session_id}/events", body, EventsCreated).event_ids

    def add_event(self, session_id: int, event: EventCreate) -> int:
        """Store one event of a session; returns its id."""
        (event_id,) = self.add_events(session_id, [event])
        return event_id

    def events(
        self,
        session_id: int,
        *,
        event_type: str | None = None,
        limit: int | None = None,
        offset: int | None = None,
    ) -> list[EventOut]:
        """``GET /api/sessions/{id}/events`` in time order, optionally of one type."""
        params = {"type": event_type, "limit": limit, "offset": offset}
        query = {k: str(v) for k, v in params.items() if v is not None}
        answer = self.request("GET", f"/api/sessions/{session_id}/events", params=query).json()
        return TypeAdapter(list[EventOut]).validate_python(answer)

    def get_event(self, event_id: int) -> EventOut:
        """``GET /api/events/{id}``."""
        return self._get(f"/api/events/{event_id}", EventOut)

    def add_artefact(self, session_id: int, artefact: ArtefactCreate) -> int:
        """``POST /api/sessions/{id}/artefacts``; returns the artefact id."""
        path = f"/api/sessions/{session_id}/artefacts"
        return self._post(path, artefact, ArtefactCreated).artefact_id

    def artefacts(self, session_id: int, *, kind: str | None = None) -> list[ArtefactOut]:
        """``GET /api/sessions/{id}/artefacts`` in the order they were stored."""
        params = {"kind": kind} if kind is not None else None
        answer = self.request("GET", f"/api/sessions/{session_id}/artefacts", params=params)
        return TypeAdapter(list[ArtefactOut]).validate_python(answer.json())

    # ----------------------------------------------------------------- raids

    def create_raid(self, body: CreateRaidRequest) -> int:
        """``POST /api/raid``; returns the new raid id."""
        return self._post("/api/raid", body, RaidCreated).raid_id

    def current_raid(self) -> RaidResponse | None:
        """``GET /api/raid/current``; ``None`` when no raid is active."""
        return self._optional("/api/raid/current", RaidResponse)

    def get_raid(self, raid_id: int) -> RaidDetailResponse:
        """``GET /api/raid/{id}`` with transitions and kill count (an extension of ours)."""
        return self._get(f"/api/raid/{raid_id}", RaidDetailResponse)

    def session_raids(self, session_id: int) -> list[RaidResponse]:
        """``GET /api/session/{id}/raids`` in time order (an extension of ours)."""
        answer = self.request("GET", f"/api/session/{session_id}/raids").json()
        return TypeAdapter(list[RaidResponse]).validate_python(answer)

    def transition(self, raid_id: int, body: TransitionRequest) -> None:
        """``POST /api/raid/{id}/transition``."""
        self.request("POST", f"/api/raid/{raid_id}/transition", body=_json(body), repeatable=False)

    def add_kill(self, raid_id: int, body: KillRequest) -> int:
        """``POST /api/raid/{id}/kill``; returns the kill id."""
        return self._post(f"/api/raid/{raid_id}/kill", body, KillCreated).kill_id

    def add_kills_to_current(self, body: BatchKillsRequest) -> list[int]:
        """``POST /api/raid/current/kills/batch``; returns the kill ids."""
        return self._post("/api/raid/current/kills/batch", body, KillsCreated).kill_ids

    def kills(self, raid_id: int) -> list[KillResponse]:
        """``GET /api/raid/{id}/kills`` in time order."""
        answer = self.request("GET", f"/api/raid/{raid_id}/kills").json()
        return TypeAdapter(list[KillResponse]).validate_python(answer)

    def end_raid(self, raid_id: int, body: EndRaidRequest) -> None:
        """``POST /api/raid/{id}/end``."""
        self.request("POST", f"/api/raid/{raid_id}/end", body=_json(body), repeatable=False)

    # ----------------------------------------------------------------- import and stats

    def import_session(self, body: ImportSessionRequest) -> ImportCreated:
        """``POST /api/import/session``: all or nothing.

        Repeatable when the body has an import key: a second copy is refused with 409
        ``duplicate`` instead of being stored twice.
        """
        return self.import_payload(_json(body))

    def import_payload(self, payload: dict[str, Any]) -> ImportCreated:
        """``POST /api/import/session`` with a body built elsewhere (validated by the server).

        Repeatable when the session has an ``import_key``.
        """
        session = payload.get("session")
        keyed = isinstance(session, dict) and bool(session.get("import_key"))
        response = self.request("POST", "/api/import/session", body=payload, repeatable=keyed)
        return ImportCreated.model_validate(response.json())

    def session_stats(self, session_id: int | None = None) -> SessionStats:
        """``GET /api/stats/session/{id}`` (the active session's when ``None``)."""
        which = "current" if session_id is None else str(session_id)
        return self._get(f"/api/stats/session/{which}", SessionStats)

    def raid_stats(self, raid_id: int) -> RaidStats:
        """``GET /api/stats/raid/{id}``."""
        return self._get(f"/api/stats/raid/{raid_id}", RaidStats)

    def global_stats(self, game_mode: str | None = None) -> GlobalStats:
        """``GET /api/stats/global`` (one game mode's when given)."""
        params = {"game_mode": game_mode} if game_mode else None
        return self._get("/api/stats/global", GlobalStats, params)

    def chart(self, name: str, model: type[Model], params: dict[str, str]) -> Model:
        """``GET /api/stats/{name}`` (a chart's figures) with the filters as query parameters."""
        return self._get(f"/api/stats/{name}", model, params)
