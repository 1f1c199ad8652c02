"""SQL of the generic core: sessions, and their events and artefacts.

:class:`CoreRepository` holds one SQLAlchemy session inside one transaction; the Tarkov
profile's raids and kills extend it in :class:`framewise.store.repository.Repository`, which
is what the API opens per request. Together the two modules are the only place with SQL.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from sqlalchemy import insert, select
from sqlalchemy.orm import Session

from framewise.store.errors import DUPLICATE_CODE, ConflictError, NotFoundError
from framewise.store.models import Artefact, Event, StreamSession
from framewise.store_api.constants import RECORD_ID_MAX
from framewise.store_api.records import ArtefactCreate, EventCreate


def now_utc() -> datetime:
    """The time a write without one of its own is stored at."""
    return datetime.now(UTC)


class CoreRepository:
    """Reads and writes of the generic core, in the caller's transaction."""

    def __init__(self, session: Session) -> None:
        self._db = session

    # ----------------------------------------------------------------- sessions

    def active_session(self) -> StreamSession | None:
        """The open session (the most recently started one if several are open)."""
        query = (
            select(StreamSession)
            .where(StreamSession.ended_at.is_(None))
            .order_by(StreamSession.started_at.desc(), StreamSession.session_id.desc())
            .limit(1)
        )
        return self._db.scalars(query).first()

    def get_session(self, session_id: int) -> StreamSession:
        """The session ``session_id``; :class:`NotFoundError` when there is none."""
        found = self._db.get(StreamSession, session_id)
        if found is None:
            raise NotFoundError(f"session {session_id} not found")
        return found

    def find_sessions(
        self,
        *,
        import_key: str | None = None,
        source_video: str | None = None,
        started_at: datetime | None = None,
        limit: int = 50,
    ) -> list[StreamSession]:
        """Sessions matching every given filter, newest first."""
        query = select(StreamSession)
        if import_key is not None:
            query = query.where(StreamSession.import_key == import_key)
        if source_video is not None:
            query = query.where(StreamSession.source_video == source_video)
        if started_at is not None:
            query = query.where(StreamSession.started_at == started_at)
        query = query.order_by(StreamSession.started_at.desc(), StreamSession.session_id.desc())
        return list(self._db.scalars(query.limit(limit)))

    def _check_import_key(self, import_key: str | None) -> None:
        if import_key is not None and self.find_sessions(import_key=import_key, limit=1):
            raise ConflictError(
                f"a session with import key {import_key} already exists", code=DUPLICATE_CODE
            )

    def create_session(
        self,
        *,
        session_type: str,
        notes: str | None,
        started_at: datetime | None,
        source_video: str | None = None,
        import_key: str | None = None,
    ) -> StreamSession:
        """Start a session; 409 when one is already open or the import key is taken."""
        active = self.active_session()
        if active is not None:
            raise ConflictError(f"session {active.session_id} is already active; end it first")
        self._check_import_key(import_key)
        row = StreamSession(
            session_type=session_type,
            notes=notes,
            started_at=started_at or now_utc(),
            source_video=source_video,
            import_key=import_key,
        )
        self._db.add(row)
        self._db.flush()
        return row

    def end_session(self, ended_at: datetime | None) -> StreamSession:
        """End the open session; 404 when none is open."""
        active = self.active_session()
        if active is None:
            raise NotFoundError("no active session to end")
        active.ended_at = ended_at or now_utc()
        self._db.flush()
        return active

    # ----------------------------------------------------------------- events

    def add_events(self, session_id: int, events: Sequence[EventCreate]) -> list[int]:
        """Store events of a session (open or ended) in one insert; returns their ids.

        Raises:
            NotFoundError: The session does not exist.
        """
        self.get_session(session_id)
        if not events:
            return []
        received = now_utc()
        rows = [
            {
                "session_id": session_id,
                "type": event.type,
                "timestamp": event.timestamp or received,
                "video_offset_seconds": event.video_offset_seconds,
                "confidence": event.confidence,
                "payload": event.payload,
                "source": event.source,
                "created_at": received,
            }
            for event in events
        ]
        returned = self._db.scalars(
            insert(Event).returning(Event.event_id, sort_by_parameter_order=True), rows
        )
        return list(returned)

    def get_event(self, event_id: int) -> Event:
        """The event ``event_id``; :class:`NotFoundError` when there is none."""
        # An id past 64 bits would overflow the database driver; no row has one.
        found = self._db.get(Event, event_id) if event_id <= RECORD_ID_MAX else None
        if found is None:
            raise NotFoundError(f"event {event_id} not found")
        return found

    def events_for_session(
        self,
        session_id: int,
        *,
        event_type: str | None = None,
        limit: int = 1000,
        offset: int = 0,
    ) -> list[Event]:
        """A session's events in time order (insertion order breaks ties); 404 without it."""
        self.get_session(session_id)
        query = select(Event).where(Event.session_id == session_id)
        if event_type is not None:
            query = query.where(Event.type == event_type)
        query = query.order_by(Event.timestamp, Event.event_id).limit(limit).offset(offset)
        return list(self._db.scalars(query))

    # ----------------------------------------------------------------- artefacts

    def add_artefact(self, session_id: int, artefact: ArtefactCreate) -> Artefact:
        """Store an artefact of a session.

        Raises:
            NotFoundError: The session, or the event it names, does not exist.
            ConflictError: The event belongs to another session.
        """
        self.get_session(session_id)
        if artefact.event_id is not None:
            event = self.get_event(artefact.event_id)
            if event.session_id != session_id:
                raise ConflictError(
                    f"event {event.event_id} belongs to session {event.session_id}, "
                    f"not {session_id}"
                )
        row = Artefact(
            session_id=session_id,
            event_id=artefact.event_id,
            kind=artefact.kind,
            uri=artefact.uri,
            media_type=artefact.media_type,
            payload=artefact.payload,
            created_at=now_utc(),
        )
        self._db.add(row)
        self._db.flush()
        return row

    def artefacts_for_session(self, session_id: int, *, kind: str | None = None) -> list[Artefact]:
        """A session's artefacts in the order they were stored; 404 without the session."""
        self.get_session(session_id)
        query = select(Artefact).where(Artefact.session_id == session_id)
        if kind is not None:
            query = query.where(Artefact.kind == kind)
        return list(self._db.scalars(query.order_by(Artefact.artefact_id)))
