"""The generic core's repository on a real SQLite file: events and artefacts of a session."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from sqlalchemy import Engine

from framewise.store.api.deps import Store
from framewise.store.db import create_store_engine, migrate, session_factory
from framewise.store.errors import ConflictError, NotFoundError
from framewise.store_api.records import ArtefactCreate, EventCreate

T0 = datetime(2026, 1, 15, 18, 5, 23, 654321, tzinfo=UTC)


@pytest.fixture
def engine(tmp_path: Path) -> Iterator[Engine]:
    engine = create_store_engine(f"sqlite:///{tmp_path / 'events.sqlite3'}")
    migrate(engine)
    yield engine
    engine.dispose()


@pytest.fixture
def store(engine: Engine) -> Store:
    return Store(session_factory(engine), migrate(engine))


def _session(store: Store, *, end: bool = False) -> int:
    with store.write() as repo:
        row = repo.create_session(session_type="stream", notes=None, started_at=T0)
        if end:
            repo.end_session(T0 + timedelta(hours=1))
        return row.session_id


def _at(seconds: float) -> datetime:
    return T0 + timedelta(seconds=seconds)


def test_events_come_back_in_time_order_exactly_as_given(store: Store) -> None:
    session_id = _session(store, end=True)  # an ended session still takes events
    events = [
        EventCreate(type="kill", timestamp=_at(30), payload={"weapon": "AK"}, confidence=0.9),
        EventCreate(type="scene", timestamp=_at(10), video_offset_seconds=10.25, source="cam0"),
        EventCreate(type="kill", timestamp=_at(10), payload={"n": [1, 2]}),
    ]
    with store.write() as repo:
        ids = repo.add_events(session_id, events)
    assert len(ids) == 3 and ids == sorted(ids)
    with store.read() as repo:
        stored = repo.events_for_session(session_id)
        assert [e.event_id for e in stored] == [ids[1], ids[2], ids[0]]  # time, then id
        first = repo.get_event(ids[0])
        kills = repo.events_for_session(session_id, event_type="kill")
        page = repo.events_for_session(session_id, limit=1, offset=1)
    assert first.timestamp == _at(30) and first.payload == {"weapon": "AK"}
    assert first.confidence == 0.9 and first.video_offset_seconds is None
    assert stored[0].video_offset_seconds == 10.25 and stored[0].source == "cam0"
    assert stored[1].payload == {"n": [1, 2]}
    assert [e.event_id for e in kills] == [ids[2], ids[0]]
    assert [e.event_id for e in page] == [ids[2]]


def test_an_event_without_a_time_is_stored_at_now(store: Store) -> None:
    session_id = _session(store)
    before = datetime.now(UTC)
    with store.write() as repo:
        (event_id,) = repo.add_events(session_id, [EventCreate(type="tick")])
    with store.read() as repo:
        event = repo.get_event(event_id)
    assert before <= event.timestamp <= datetime.now(UTC)
    assert event.created_at == event.timestamp


def test_unknown_session_and_event_are_not_found(store: Store) -> None:
    with store.write() as repo:
        with pytest.raises(NotFoundError, match="session 9"):
            repo.add_events(9, [EventCreate(type="a")])
        with pytest.raises(NotFoundError, match="session 9"):
            repo.events_for_session(9)
        with pytest.raises(NotFoundError, match="event 5"):
            repo.get_event(5)
        with pytest.raises(NotFoundError, match="session 9"):
            repo.add_artefact(9, ArtefactCreate(kind="k", uri="u", media_type="image/png"))
    session_id = _session(store)
    with store.write() as repo:
        assert repo.add_events(session_id, []) == []


def test_artefacts_belong_to_a_session_and_maybe_to_one_of_its_events(store: Store) -> None:
    first = _session(store, end=True)
    second = _session(store)
    with store.write() as repo:
        (event_id,) = repo.add_events(first, [EventCreate(type="kill", timestamp=T0)])
        thumb = repo.add_artefact(
            first,
            ArtefactCreate(
                kind="thumbnail",
                uri="thumbnails/evt_00001.jpg",
                media_type="image/jpeg",
                event_id=event_id,
                payload={"width": 320},
            ),
        )
        clip = repo.add_artefact(
            first, ArtefactCreate(kind="clip", uri="file:///v.mp4", media_type="video/mp4")
        )
        with pytest.raises(ConflictError, match=f"belongs to session {first}"):
            repo.add_artefact(
                second,
                ArtefactCreate(kind="t", uri="u", media_type="image/png", event_id=event_id),
            )
        with pytest.raises(NotFoundError, match="event 99"):
            repo.add_artefact(
                first, ArtefactCreate(kind="t", uri="u", media_type="image/png", event_id=99)
            )
    with store.read() as repo:
        stored = repo.artefacts_for_session(first)
        clips = repo.artefacts_for_session(first, kind="clip")
        assert repo.artefacts_for_session(second) == []
    assert [a.artefact_id for a in stored] == [thumb.artefact_id, clip.artefact_id]
    assert stored[0].event_id == event_id and stored[0].payload == {"width": 320}
    assert [a.artefact_id for a in clips] == [clip.artefact_id]


def test_deleting_a_session_takes_its_events_and_artefacts(store: Store, engine: Engine) -> None:
    session_id = _session(store)
    with store.write() as repo:
        (event_id,) = repo.add_events(session_id, [EventCreate(type="a", timestamp=T0)])
        repo.add_artefact(
            session_id,
            ArtefactCreate(kind="t", uri="u", media_type="image/png", event_id=event_id),
        )
    with engine.begin() as connection:
        connection.exec_driver_sql(f"DELETE FROM events WHERE event_id = {event_id}")
        orphan = connection.exec_driver_sql("SELECT event_id FROM artefacts").scalar()
        assert orphan is None  # the artefact stays, its event link is cleared
        connection.exec_driver_sql(f"DELETE FROM stream_sessions WHERE session_id = {session_id}")
        assert connection.exec_driver_sql("SELECT COUNT(*) FROM artefacts").scalar() == 0
