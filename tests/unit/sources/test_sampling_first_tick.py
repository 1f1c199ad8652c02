"""A read from the start serves from its first frame's tick: no gaps before the video begins."""

from __future__ import annotations

from framewise.sources.sampling import Sample, TimeSampler


def sample(times: list[float], first_tick: int | None) -> tuple[list[Sample[int]], int]:
    sampler: TimeSampler[int] = TimeSampler(10.0, first_tick=first_tick)
    chosen = [s for i, t in enumerate(times) for s in sampler.update(t, i)]
    return chosen + sampler.flush(), sampler.gaps


def test_ticks_before_the_first_frame_are_no_gap() -> None:
    # An AVI with B-frames: its first picture is shown 0.2 s after the stream's start.
    times = [0.2 + k / 10 for k in range(10)]
    chosen, gaps = sample(times, None)
    assert [s.tick for s in chosen] == list(range(2, 12))
    assert gaps == 0


def test_a_seek_still_counts_the_ticks_it_asked_for() -> None:
    times = [0.2 + k / 10 for k in range(10)]
    chosen, gaps = sample(times, 0)
    assert [s.tick for s in chosen] == list(range(2, 12))  # the same frames ...
    assert gaps == 2  # ... but ticks 0 and 1 were asked for and had none


def test_gaps_after_the_first_frame_still_count() -> None:
    chosen, gaps = sample([0.5, 0.6, 1.5, 1.6], None)
    assert [s.tick for s in chosen] == [5, 6, 15, 16]
    assert gaps == 8
