"""Key frame PNGs: the faster row filter keeps every pixel and no larger a file than before."""

from __future__ import annotations

from pathlib import Path

import av
import cv2
import numpy as np

from framewise.record.writer import _png

VIDEO = "masa-oa-mot15/TUD-Campus.mp4"  # real camera noise: the hard case for a PNG filter


def test_key_frames_round_trip_and_stay_small(real_data: Path, tmp_path: Path) -> None:
    with av.open(str(real_data / VIDEO)) as container:
        image = np.asarray(next(container.decode(video=0)).to_ndarray(format="bgr24"), np.uint8)
    path = tmp_path / "frames" / "left" / "pitch_00001_first.png"
    _png(path, image)
    back = cv2.imread(str(path), cv2.IMREAD_UNCHANGED)
    assert back is not None and np.array_equal(back, image)
    # libpng's adaptive filter at the same level: the fixed filter may cost a little size.
    ok, adaptive = cv2.imencode(".png", image, [cv2.IMWRITE_PNG_COMPRESSION, 1])
    assert ok and path.stat().st_size <= 1.15 * len(adaptive)
