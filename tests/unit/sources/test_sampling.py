import math

import pytest

from framewise.sources.sampling import TimeSampler


def run(
    times: list[float], fps: float, first_tick: int = 0
) -> tuple[list[float], TimeSampler[int]]:
    sampler: TimeSampler[int] = TimeSampler(fps, first_tick=first_tick)
    chosen = [s.seconds for i, t in enumerate(times) for s in sampler.update(t, i)]
    chosen += [s.seconds for s in sampler.flush()]
    return chosen, sampler


@pytest.mark.parametrize(
    ("source_fps", "sample_fps", "seconds"),
    [(60.0, 10.0, 5.0), (30.0, 10.0, 5.0), (24000 / 1001, 10.0, 5.0), (25.0, 4.0, 3.0)],
)
def test_cfr_sampling_takes_the_nearest_frame_to_every_tick(
    source_fps: float, sample_fps: float, seconds: float
) -> None:
    times = [i / source_fps for i in range(int(seconds * source_fps))]
    chosen, sampler = run(times, sample_fps)
    period = 1 / sample_fps
    assert sampler.gaps == 0
    assert len(chosen) == len(set(chosen))
    for k, t in enumerate(chosen):
        nearest = min(times, key=lambda x, k=k: abs(x - k * period))  # type: ignore[misc]
        assert t == nearest
    assert sampler.skipped + len(chosen) == len(times)


def test_sparse_stretch_counts_gaps_and_never_reuses_a_frame() -> None:
    # 1 fps, then 60 fps, then 1 fps (the VFR case of the issue).
    times = [0.0, 1.0, 2.0] + [3 + i / 60 for i in range(60)] + [4.0, 5.0, 6.0]
    chosen, sampler = run(times, 10)
    assert len(chosen) == len(set(chosen))
    ticks = math.floor(6.0 * 10) + 1
    assert len(chosen) + sampler.gaps == ticks
    for t in chosen:
        assert abs(t - round(t * 10) / 10) <= 0.05 + 1e-9


def test_first_tick_skips_earlier_frames() -> None:
    chosen, sampler = run([i / 10 for i in range(20)], 10, first_tick=5)
    assert chosen[0] == pytest.approx(0.5)
    assert sampler.skipped == 5


def test_ties_go_to_the_earlier_frame() -> None:
    # 0.05 is halfway between ticks 0 and 1: it belongs to tick 0, where 0.0 is nearer.
    chosen, sampler = run([0.0, 0.05, 0.15], 10)
    assert chosen == [0.0, 0.15]
    assert sampler.skipped == 1


def test_bad_rate_is_rejected() -> None:
    with pytest.raises(ValueError, match="positive"):
        TimeSampler(0)
