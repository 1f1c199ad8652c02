"""Votes over a screen's whole visit: remembered fields and rival screens.

One screen visit can be several episodes: its box moves or is lost for a moment and the
tracker starts again, or the detector calls some frames by a look-alike class (``KILLED``
for ``MISSING IN ACTION``). The state machine therefore does not trust the first or the
last episode alone:

* :class:`ContextVotes` pools each remembered field (``game_mode`` of the map screen) over
  every episode of the visit that read it, weighted by the frames each read; its confidence
  is the winner's share of those frames times their read confidence.
* :class:`RivalVote` counts the frames of a state's screens and its rivals' (the terminal
  screens) over the visit, and names the state most frames showed; its share is the vote's
  confidence.

Example:
    >>> votes = ContextVotes()
    >>> votes.add("game_mode", 1, 10, FieldReading("pve", 0.9), hits=20)
    >>> votes.add("game_mode", 1, 11, FieldReading("pvp", 0.9), hits=5)
    >>> reading = votes.get("game_mode")
    >>> reading.value, round(reading.confidence, 2)
    ('pve', 0.72)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from framewise.temporal.episodes import Episode
from framewise.temporal.observations import FieldReading, FieldValue, vote_key


@dataclass
class _Pool:
    visit: int
    reads: dict[int, tuple[FieldReading, int]] = field(default_factory=dict)


class ContextVotes:
    """Remembered fields, each voted over the episodes of the latest visit that read it."""

    def __init__(self) -> None:
        self._pools: dict[str, _Pool] = {}

    def add(self, name: str, visit: int, track_id: int, reading: FieldReading, hits: int) -> None:
        """One episode's (voted) reading of ``name``; a later read of the same track replaces it.

        A newer visit replaces the field's pool (the map a transfer names replaces the one
        chosen before); an older visit's late reading (its episode closes after the next
        screen opened) is ignored.
        """
        if reading.value is None:
            return
        pool = self._pools.get(name)
        if pool is None or visit > pool.visit:
            pool = self._pools[name] = _Pool(visit)
        elif visit < pool.visit:
            return
        pool.reads[track_id] = (reading, max(1, hits))

    def get(self, name: str) -> FieldReading | None:
        """The winning value and its confidence (vote share × read confidence), if any."""
        pool = self._pools.get(name)
        if pool is None or not pool.reads:
            return None
        weights: dict[tuple[str, FieldValue], float] = {}
        values: dict[tuple[str, FieldValue], FieldValue] = {}
        total = 0
        for reading, hits in pool.reads.values():
            key = vote_key(reading.value)
            weights[key] = weights.get(key, 0.0) + reading.confidence * hits
            values[key] = reading.value
            total += hits
        best = max(weights, key=lambda k: weights[k])
        return FieldReading(values[best], weights[best] / total)

    def clear(self) -> None:
        """Forget everything (a new raid's choices follow)."""
        self._pools.clear()


@dataclass
class RivalVote:
    """Frames of a state's screens and its rivals' over one visit.

    Attributes:
        entered: The state the machine entered.
        states: ``entered`` and its rivals.
        tracks: Each episode seen of those states: its state and latest report.
        closed: Track ids whose closed episode came.
    """

    entered: str
    states: frozenset[str]
    tracks: dict[int, tuple[str, Episode]] = field(default_factory=dict)
    closed: set[int] = field(default_factory=set)

    def see(self, episode: Episode, state: str) -> None:
        """An open notice or closed episode of one of the states."""
        self.tracks[episode.track_id] = (state, episode)
        if episode.closed:
            self.closed.add(episode.track_id)

    def done(self) -> bool:
        """Every screen of the visit has closed: the vote is final."""
        return set(self.tracks) <= self.closed

    def winner(self) -> tuple[str, Episode, float]:
        """The state most frames showed (the entered one on a tie), with its share of them.

        Returns:
            The state, its longest episode and its share of all the visit's frames.
        """
        hits: dict[str, int] = {}
        best: dict[str, Episode] = {}
        for state, episode in self.tracks.values():
            hits[state] = hits.get(state, 0) + episode.hits
            if state not in best or episode.hits > best[state].hits:
                best[state] = episode
        state = max(hits, key=lambda s: (hits[s], s == self.entered))
        return state, best[state], hits[state] / max(1, sum(hits.values()))
