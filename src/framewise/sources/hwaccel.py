"""Hardware decoding (PyAV's ``HWAccel``) behind the ``source.decode.hwaccel`` option.

A pipeline written for a GPU machine must still run on one without: the device is tried once
per file and, where it cannot start, the file is decoded on the CPU with one warning line.
"""

from __future__ import annotations

import logging
from pathlib import Path

import av
import av.error
from av.codec.hwaccel import HWAccel, hwdevices_available

log = logging.getLogger(__name__)


def hardware_decoder(kind: str | None, path: Path) -> HWAccel | None:
    """PyAV's hardware decoding on a ``kind`` device for ``path``, or ``None`` (the CPU).

    Tried once here: a device type this FFmpeg lacks, or one it has but this machine cannot
    open (no GPU, no driver), logs one warning and decodes on the CPU instead.
    """
    if kind is None:
        return None
    if kind not in hwdevices_available():
        log.warning(
            "%s: hwaccel %r is not in this FFmpeg build (has %s); decoding on the CPU",
            path,
            kind,
            ", ".join(hwdevices_available()) or "none",
        )
        return None
    accel = HWAccel(device_type=kind, allow_software_fallback=True)
    try:
        av.open(str(path), mode="r", metadata_errors="ignore", hwaccel=accel).close()
    except av.error.FFmpegError as exc:
        log.warning(
            "%s: hwaccel %r could not start (%s); decoding on the CPU", path, kind, exc.strerror
        )
        return None
    return accel
