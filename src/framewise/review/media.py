"""The video the browser plays: the recording itself, or an MP4 made from it once and cached.

Browsers play MP4 and WebM but not Matroska, and OBS records MKV. So an MKV (or any container
a browser cannot open) is remuxed into MP4 — packets copied, nothing re-encoded — when its video
codec can live in MP4 and a browser can decode it; only otherwise is the video re-encoded with
libx264. The result goes into the user's video cache (:mod:`framewise.review.cache`: never the
log's folder, size-capped), keyed by the source's path, size and modification time, so a second
review of the same recording starts at once and a changed recording is converted again.
``+faststart`` puts the index first, so playback and seeking over HTTP range requests begin
without reading the whole file.
"""

from __future__ import annotations

from collections.abc import Callable
from fractions import Fraction
from pathlib import Path

import av
import av.container
import av.error
import av.stream

from framewise.core.atomic import atomic_output
from framewise.core.errors import (
    CorruptVideoError,
    FramewiseError,
    InputNotFoundError,
    NotAVideoError,
)
from framewise.core.frames import Image
from framewise.review.cache import VideoCache
from framewise.sources.stills import pictures_at

PLAYABLE_SUFFIXES = frozenset({".mp4", ".m4v", ".webm", ".mov"})
"""Containers served as they are."""

COPYABLE_VIDEO = frozenset({"h264", "hevc", "av1", "vp9"})
"""Video codecs that MP4 can hold and Chromium and Firefox can decode: copied, not re-encoded."""

COPYABLE_AUDIO = frozenset({"aac", "mp3", "opus", "flac", "ac3"})
"""Audio codecs copied along; any other audio track is dropped (review needs no sound)."""

Progress = Callable[[str], None]


def playable_video(
    source: Path, cache: VideoCache | None = None, progress: Progress | None = None
) -> Path:
    """The file to serve for ``source``: itself, or its cached MP4 (made now if missing).

    Args:
        source: The recording.
        cache: Where converted videos are kept (:meth:`VideoCache.from_env` when ``None``).
        progress: Called with one line when a conversion starts or old ones are evicted.

    Raises:
        InputNotFoundError: ``source`` does not exist.
        NotAVideoError: It holds no video stream.
        CorruptVideoError: It cannot be read or converted.
        OutputError: The cache folder cannot be created.
        ConfigError: The cache's size cap in the environment is not a size.
    """
    if not source.is_file():
        raise InputNotFoundError(
            "no such video", subject=source, hint="pass the recording with --video"
        )
    if source.suffix.lower() in PLAYABLE_SUFFIXES:
        return source
    cache = cache if cache is not None else VideoCache.from_env()
    cached = cache.lookup(source)
    if cached is not None:
        return cached
    target = cache.entry(source)
    codec = video_codec(source)
    copy = codec in COPYABLE_VIDEO
    if progress is not None:
        how = "remuxing (no re-encode)" if copy else f"re-encoding {codec} to H.264"
        progress(f"{how} {source.name} → {target} (once; cached for next time)")
    cache.prepare()
    # The muxer must read its output back for +faststart, so it writes a named temporary
    # file (not a write-only handle), renamed into place only when complete.
    try:
        with atomic_output(target) as partial:
            (_remux if copy else _reencode)(source, str(partial))
    except av.error.FFmpegError as exc:
        raise CorruptVideoError(
            f"cannot convert for the browser ({exc})",
            subject=source,
            hint="convert it to MP4 yourself and pass that with --video",
        ) from None
    removed = cache.evict(keep=target)
    if removed and progress is not None:
        cap = cache.max_bytes / 1024**3
        progress(f"video cache over {cap:g} GiB: removed {len(removed)} least recently used")
    return target


def video_codec(source: Path) -> str:
    """Name of the first video stream's codec.

    Raises:
        NotAVideoError: Not a media file, or no video stream.
    """
    try:
        with av.open(str(source)) as container:
            if not container.streams.video:
                raise NotAVideoError("no video stream", subject=source)
            return container.streams.video[0].codec_context.name
    except av.error.FFmpegError as exc:
        raise NotAVideoError(
            f"not a video file ({exc})", subject=source, hint="pass a video with --video"
        ) from None


def video_size(source: Path) -> tuple[int, int] | None:
    """``(width, height)`` of the first video stream's decoded frames, or ``None`` unknown.

    The size boxes drawn in the review page are measured in (what export cuts images at).
    """
    try:
        with av.open(str(source)) as container:
            if not container.streams.video:
                return None
            context = container.streams.video[0].codec_context
            width, height = int(context.width), int(context.height)
    except av.error.FFmpegError:
        return None
    return (width, height) if width > 0 and height > 0 else None


def _open_output(path: str) -> av.container.OutputContainer:
    # The temporary file has no .mp4 ending, so the muxer is named explicitly.
    return av.open(path, "w", format="mp4", options={"movflags": "+faststart"})


def _remux(source: Path, target: str) -> None:
    """Copy the video packets (and compatible audio) into an MP4 container."""
    with av.open(str(source)) as src, _open_output(target) as out:
        mapping: dict[int, av.stream.Stream] = {}
        streams: list[av.stream.Stream] = []
        for stream in src.streams:
            name = stream.codec_context.name if stream.type in ("video", "audio") else ""
            wanted = (stream.type == "video" and stream is src.streams.video[0]) or (
                stream.type == "audio" and name in COPYABLE_AUDIO
            )
            if wanted:
                mapping[stream.index] = out.add_stream_from_template(stream)
                streams.append(stream)
        pending: dict[int, list[av.Packet[av.stream.Stream]]] = {index: [] for index in mapping}
        for packet in src.demux(streams):
            index = packet.stream.index
            if packet.size == 0:  # the demuxer's flush packet: no data
                continue
            if packet.dts is None:
                # Matroska stores no decode times; with B-frames the first packets come
                # without one. Held back until the first known dts dates them.
                pending[index].append(packet)
                continue
            _date_backwards(pending[index], packet.dts, packet.duration or 1)
            for held in [*pending[index], packet]:
                held.stream = mapping[index]
                out.mux(held)
            pending[index].clear()
        for index, held_packets in pending.items():
            for held in held_packets:  # never dated: a stream without B-frames
                held.dts = held.pts
                held.stream = mapping[index]
                out.mux(held)


def _date_backwards(packets: list[av.Packet[av.stream.Stream]], next_dts: int, step: int) -> None:
    """Give undated packets strictly increasing decode times just before ``next_dts``."""
    for position, packet in enumerate(packets):
        packet.dts = next_dts - (len(packets) - position) * step
        if packet.pts is not None and packet.dts > packet.pts:
            packet.dts = packet.pts


def _reencode(source: Path, target: str) -> None:
    """Decode the video and encode it with libx264 (yuv420p, fast preset, no audio)."""
    with av.open(str(source)) as src, _open_output(target) as out:
        in_stream = src.streams.video[0]
        rate = in_stream.average_rate or Fraction(30)
        stream = out.add_stream("libx264", rate=rate)
        stream.width = in_stream.codec_context.width
        stream.height = in_stream.codec_context.height
        stream.pix_fmt = "yuv420p"
        stream.options = {"preset": "veryfast", "crf": "20"}
        stream.time_base = in_stream.time_base or Fraction(1, 1000)
        stream.codec_context.time_base = stream.time_base
        for index, frame in enumerate(src.decode(in_stream)):
            # Keep the source's own timestamps (variable frame rates stay exact).
            image = frame.reformat(format="yuv420p")
            if frame.pts is not None:
                image.pts, image.time_base = frame.pts, frame.time_base
            else:
                image.pts = round(index / rate / stream.time_base)
                image.time_base = stream.time_base
            for packet in stream.encode(image):
                out.mux(packet)
        for packet in stream.encode(None):
            out.mux(packet)


def grab_frame(video: Path, seconds: float) -> Image | None:
    """The picture shown at ``seconds`` (BGR, upright), or ``None`` on a bad file.

    Seeks to the keyframe before and decodes forward (``pictures_at``), so it costs at
    most one GOP.
    """
    pictures = pictures_at(video, [seconds])
    try:
        return next((picture for _, picture in pictures), None)
    except (FramewiseError, av.error.FFmpegError):
        # A thumbnail is a convenience: the event is added without one.
        return None
    finally:
        pictures.close()  # close the file now, not whenever the generator is collected
