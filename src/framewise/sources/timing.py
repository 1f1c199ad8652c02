"""How a file's frames are timed and numbered: which timestamp to trust, and how to count.

**Times** are a frame's PTS × time_base minus the stream's start. Some files carry no
presentation timestamps at all: AVI stores one packet per tick in *decode* order, so with
B-frames the PTS PyAV hands out come in decode order (1, 4, 3, 5, 2, …) although the pictures
come out in presentation order. FFmpeg's ``best_effort_timestamp`` then falls back to the DTS
of the packet that released the frame, which is monotonic; so do we. Which of the two a file
needs is decided once, from its first frames (FFmpeg's own rule: the timestamp with fewer
steps backwards wins), so a read that seeks times frames exactly as a read from the start.
Decoder skips (``NONREF``, ``NONKEY``) would shift those DTS, so such files decode every frame.

**Frame numbers** (``Frame.index``) are the frame's index in the video, whatever was decoded,
counted from the file's first picture (index 0, as CVAT and ground-truth files count):

* constant frame rate: ``round((pts - first) × time_base × rate)``; ``first`` is the first
  frame's timestamp, the stream's start in almost every file, so this is ``seconds × fps``.
  An AVI with B-frames shows its first picture 0.2 s (the decoder's delay) after its start:
  there the index is ``(seconds - 0.2) × fps``;
* variable frame rate (as :func:`~framewise.sources.probe.probe` judges it from the first
  :data:`~framewise.sources.probe.SCAN_PACKETS`): the number of video packets presented
  before it. Packets are demuxed even when the decoder skips their frames, so ``NONREF`` does
  not change the count; a read that seeks first demuxes the whole file once to count;
* files without presentation timestamps (above): by time, as for constant rate (AVI is
  constant-rate by construction).

Every rule depends only on the file, never on where a read started, so a resumed run numbers
its frames as an uninterrupted one does.
"""

from __future__ import annotations

import bisect
import os
from array import array
from dataclasses import dataclass
from fractions import Fraction

import av.container
import av.error
import av.packet
import av.video.frame
import av.video.stream

from framewise.core.time import pts_to_seconds
from framewise.sources.container import open_video, stream_start_pts, stream_time_base
from framewise.sources.probe import SCAN_PACKETS, is_vfr

REORDER_SCAN_FRAMES = 32
"""Frames decoded from a file's start to tell whether its PTS come in presentation order."""


@dataclass(frozen=True)
class StreamTiming:
    """How one file's frames are timed and numbered (see the module docstring).

    Attributes:
        reordered: The frames' PTS come in decode order (no presentation timestamps):
            times are the decoder's best-effort (DTS) ones, and every frame is decoded.
        vfr: Variable frame rate: frame numbers count the packets presented before.
        origin: The PTS of second 0: the stream's start, else its first frame's.
        first: The first frame's timestamp (PTS, or DTS when ``reordered``): index 0.
    """

    reordered: bool = False
    vfr: bool = False
    origin: int = 0
    first: int = 0


def scan_timing(path: str | os.PathLike[str]) -> StreamTiming:
    """Decide how ``path`` is timed: decode its first frames and demux its first packets.

    Raises:
        InputError: The file cannot be opened (see :func:`~.container.open_video`).
    """
    container, stream = open_video(path)
    stream.thread_type = "AUTO"
    try:
        faults = _Faults()
        packet_pts: list[int] = []
        try:
            for packet in container.demux(stream):
                if faults.frames < REORDER_SCAN_FRAMES and packet.size:
                    faults.count(_decode(packet, stream))
                if packet.pts is not None and packet.size:
                    packet_pts.append(int(packet.pts))
                if len(packet_pts) >= SCAN_PACKETS and faults.frames >= REORDER_SCAN_FRAMES:
                    break
        except av.error.FFmpegError:
            pass  # a damaged tail ends the scan; what came before decides
        if faults.frames < REORDER_SCAN_FRAMES:  # a short file: its last frames are held back
            faults.count(_decode(None, stream))
        reordered = faults.reordered
        start = stream_start_pts(stream)
        first = faults.first_dts if reordered else faults.first_pts
        origin = start if start is not None else (first if first is not None else 0)
        vfr = not reordered and is_vfr(packet_pts, stream_time_base(stream))
        first = first if first is not None else origin
        return StreamTiming(reordered=reordered, vfr=vfr, origin=origin, first=first)
    finally:
        container.close()


def all_packet_pts(path: str | os.PathLike[str], first: int) -> array[int]:
    """Sorted PTS of every video packet of ``path`` from ``first`` on (demux only)."""
    container, stream = open_video(path)
    found: array[int] = array("q")
    try:
        for packet in container.demux(stream):
            if packet.pts is not None and packet.size and packet.pts >= first:
                found.append(int(packet.pts))
    except av.error.FFmpegError:
        pass  # a cut file: count what is there, as a read from the start would
    finally:
        container.close()
    return array("q", sorted(found))


def counts_packets(timing: StreamTiming, rate: Fraction | None) -> bool:
    """Whether frames of this file are numbered by counting packets (variable rate)."""
    return (timing.vfr or not rate) and not timing.reordered


class FrameClock:
    """Gives decoded frames their seconds and index by a file's :class:`StreamTiming`.

    Args:
        timing: The file's timing rule.
        time_base: The stream's time base.
        rate: The nominal frame rate (``None`` when unknown: frames are counted).
        packets: Every packet PTS of the file (see :func:`all_packet_pts`), for a variable-rate
            read that does not start at the beginning; else the packets are counted as
            :meth:`saw` sees them.
    """

    def __init__(
        self,
        timing: StreamTiming,
        time_base: Fraction,
        rate: Fraction | None,
        *,
        packets: array[int] | None = None,
    ) -> None:
        self.timing = timing
        self.time_base = time_base
        self.rate = rate if rate else None
        self.counts_packets = counts_packets(timing, rate)
        self._complete = packets is not None
        self._packets: array[int] = packets if packets is not None else array("q")
        self._last: tuple[float, int] | None = None

    def saw(self, packet: av.packet.Packet[av.video.stream.VideoStream]) -> None:
        """Note a demuxed packet (variable-rate numbering counts them, skipped or not)."""
        if not self.counts_packets or self._complete or not packet.size:
            return
        if packet.pts is not None and packet.pts >= self.timing.first:
            bisect.insort(self._packets, int(packet.pts))

    def place(self, av_frame: av.video.frame.VideoFrame) -> tuple[float, int]:
        """The frame's seconds from the stream's start and its index in the video."""
        stamp = self._stamp(av_frame)
        if stamp is None:  # no timestamp at all: one nominal frame after the last
            seconds, index = self._last if self._last is not None else (0.0, -1)
            if self.rate:
                seconds += float(1 / self.rate)
            placed = (seconds, index + 1)
        else:
            seconds = pts_to_seconds(stamp, self.time_base, self.timing.origin)
            placed = (seconds, self._index(stamp))
        self._last = placed
        return placed

    def _stamp(self, av_frame: av.video.frame.VideoFrame) -> int | None:
        if self.timing.reordered:
            return int(av_frame.dts) if av_frame.dts is not None else None
        stamp = av_frame.pts if av_frame.pts is not None else av_frame.dts
        return int(stamp) if stamp is not None else None

    def _index(self, stamp: int) -> int:
        if self.counts_packets:
            return bisect.bisect_left(self._packets, stamp)
        if self.rate is None:  # no rate and no presentation timestamps: one after the last
            return self._last[1] + 1 if self._last is not None else 0
        return max(0, round((stamp - self.timing.first) * self.time_base * self.rate))


@dataclass
class _Faults:
    """FFmpeg's ``guess_correct_pts`` counters: steps backwards of PTS and of DTS."""

    frames: int = 0
    pts_faults: int = 0
    dts_faults: int = 0
    first_pts: int | None = None
    first_dts: int | None = None
    _last_pts: int | None = None
    _last_dts: int | None = None

    @property
    def reordered(self) -> bool:
        """PTS step back more often than DTS: they are in decode order."""
        return self.pts_faults > self.dts_faults

    def count(self, frames: list[av.video.frame.VideoFrame]) -> None:
        for frame in frames:
            self.frames += 1
            if frame.pts is not None:
                pts = int(frame.pts)
                self.first_pts = pts if self.first_pts is None else self.first_pts
                self.pts_faults += self._last_pts is not None and pts <= self._last_pts
                self._last_pts = pts
            if frame.dts is not None:
                dts = int(frame.dts)
                self.first_dts = dts if self.first_dts is None else self.first_dts
                self.dts_faults += self._last_dts is not None and dts <= self._last_dts
                self._last_dts = dts


def _decode(
    packet: av.packet.Packet[av.video.stream.VideoStream] | None,
    stream: av.video.stream.VideoStream,
) -> list[av.video.frame.VideoFrame]:
    """The frames ``packet`` releases (``None``: drain the decoder); none when it is damaged."""
    try:
        frames = stream.codec_context.decode(packet)
    except av.error.FFmpegError:
        return []
    return [f for f in frames if isinstance(f, av.video.frame.VideoFrame)]
