"""The source registry's bookkeeping and the one decode-options translation (no media opened)."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pytest

from framewise.config.base import SOURCE_CONFIGS, DecodeOptions, SourceConfig
from framewise.core.errors import ConfigError
from framewise.sources import file as file_source
from framewise.sources.registry import SOURCES, open_source

START = datetime(2026, 1, 15, 18, 0, tzinfo=UTC)


def test_every_config_kind_has_an_opener() -> None:
    assert set(SOURCES) == set(SOURCE_CONFIGS)


@pytest.mark.parametrize(
    ("read", "decode", "expected"),
    [
        ("sampled", DecodeOptions(), file_source.DecodeOptions()),
        (
            "sampled",
            DecodeOptions(skip_frame="NONREF", skip_loop_filter="ALL", threads=1),
            file_source.DecodeOptions(skip_nonref=True, skip_loop_filter=True, threads=1),
        ),
        ("keyframes", DecodeOptions(), file_source.DecodeOptions(keyframes_only=True)),
        (
            "all",
            DecodeOptions(skip_frame="NONKEY", skip_loop_filter="NONE"),
            file_source.DecodeOptions(keyframes_only=True),
        ),
    ],
)
def test_decode_options_from_config(
    read: str, decode: DecodeOptions, expected: file_source.DecodeOptions
) -> None:
    config = SourceConfig.model_validate({"read": read, "decode": decode})
    assert file_source.DecodeOptions.from_config(config) == expected
    # Every kind carries the shared settings, so a replay decodes as the batch run does.
    assert file_source.DecodeOptions.from_config(config.with_kind("replay")) == expected


def test_a_file_or_folder_needs_a_path_from_somewhere() -> None:
    with pytest.raises(ConfigError, match="no path for the file source") as info:
        open_source(SourceConfig())
    assert "pass it on the command line" in str(info.value)
    with pytest.raises(ConfigError, match="no path for the images source"):
        open_source(SourceConfig().with_kind("images"))


def test_live_kinds_need_a_target_and_take_no_start_time(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="no device for the device source"):
        open_source(SourceConfig().with_kind("device"))
    with pytest.raises(ConfigError, match="no URL for the stream source"):
        open_source(SourceConfig().with_kind("stream"))
    # Live frames are timed by arrival and a folder's by each file: a start has no place.
    for kind, where in (("stream", "rtsp://camera.invalid/1"), ("folder", str(tmp_path))):
        with pytest.raises(ConfigError, match=f"a {kind} source takes no session start"):
            open_source(SourceConfig().with_kind(kind), where, start_time=START)
