"""When each frame of a synthetic session is shown: constant or variable frame rate.

A variable-rate session behaves like an OBS recording whose encoder sometimes falls behind:
stretches at the nominal rate alternate with stretches at a lower one, single frames are
dropped now and then, and every frame's time wobbles by a millisecond or two. Times are whole
milliseconds on a 1/1000 time base, which both MKV and MP4 store exactly.
"""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import dataclass
from fractions import Fraction

from framewise.core.errors import ConfigError

VFR_TIME_BASE = Fraction(1, 1000)

MAX_SECONDS = 24 * 3600.0
"""Longest session: a schedule holds every frame's time, so 1e9 minutes would exhaust memory."""


@dataclass(frozen=True)
class FrameSchedule:
    """Presentation times of a session's frames.

    Attributes:
        pts: Each frame's presentation timestamp in ``time_base`` units (increasing).
        durations: How long each frame is shown, in ``time_base`` units.
        time_base: The codec's time base.
        rate: The nominal frame rate (the encoder's ``rate``; the fastest rate of a VFR one).
        vfr: Whether the frame rate varies.
    """

    pts: tuple[int, ...]
    durations: tuple[int, ...]
    time_base: Fraction
    rate: Fraction
    vfr: bool

    def __len__(self) -> int:
        return len(self.pts)

    def seconds(self, index: int) -> float:
        """Time of frame ``index`` in seconds, as the encoder stamps it."""
        return float(self.pts[index] * self.time_base)

    def stored_seconds(self, index: int, muxer: str) -> float:
        """Time of frame ``index`` as a decoder will read it back from ``muxer``'s file.

        Matroska keeps milliseconds, rounding half up (FFmpeg's ``av_rescale_q``).
        """
        exact = self.pts[index] * self.time_base
        if muxer == "matroska":
            return math.floor(exact * 1000 + Fraction(1, 2)) / 1000
        return float(exact)

    @property
    def duration_seconds(self) -> float:
        """From the first frame to the end of the last."""
        if not self.pts:
            return 0.0
        return float((self.pts[-1] + self.durations[-1]) * self.time_base)


def rate_fraction(fps: float) -> Fraction:
    """``29.97`` as ``2997/100``, ``30000/1001`` as itself: the simplest nearby fraction."""
    return Fraction(fps).limit_denominator(1001)


def constant_schedule(seconds: float, fps: float) -> FrameSchedule:
    """Every frame ``1/fps`` after the previous one, for ``seconds``."""
    _check(seconds, fps)
    rate = rate_fraction(fps)
    count = math.ceil(Fraction(seconds).limit_denominator(1000) * rate)
    time_base = 1 / rate
    return FrameSchedule(tuple(range(count)), (1,) * count, time_base, rate, vfr=False)


def variable_schedule(seconds: float, fps: float, seed: int) -> FrameSchedule:
    """A variable-rate schedule around ``fps`` (see the module docstring), reproducible by seed."""
    _check(seconds, fps)
    rng = random.Random(seed ^ 0x5EED)
    rate = rate_fraction(fps)
    end_ms = round(seconds * 1000)
    period = 1000 / float(rate)
    times: list[int] = []
    t = 0.0
    while t < end_ms:
        # A stretch of 1-6 s at the nominal rate or at one half to two thirds of it.
        slow = rng.random() < 0.35
        stretch_rate = period * (rng.choice((1.5, 2.0)) if slow else 1.0)
        stretch_end = min(end_ms, t + rng.uniform(1000.0, 6000.0))
        while t < stretch_end:
            stamp = round(t + rng.uniform(-1.5, 1.5)) if times else 0
            if not times or stamp > times[-1]:
                times.append(stamp)
            skip = 2 if rng.random() < 0.02 else 1  # a dropped frame
            t += stretch_rate * skip
    durations = [b - a for a, b in itertools.pairwise(times)]
    durations.append(max(1, round(period)))
    return FrameSchedule(tuple(times), tuple(durations), VFR_TIME_BASE, rate, vfr=True)


def _check(seconds: float, fps: float) -> None:
    if not (seconds > 0 and math.isfinite(seconds)):
        raise ConfigError(
            f"a session must last a positive time, got {seconds} s", hint="pass --minutes > 0"
        )
    if seconds > MAX_SECONDS:
        raise ConfigError(
            f"a session lasts at most 24 hours, got {seconds / 3600:.3g} h",
            hint="pass --minutes 1440 or less",
        )
    if not (1 <= fps <= 240 and math.isfinite(fps)):
        raise ConfigError(f"--fps {fps} is out of range", hint="use a rate from 1 to 240, e.g. 30")
