"""The Ray executor's address: an unreachable one is refused at once, with one line."""

from __future__ import annotations

import socket

import pytest

from framewise.core.errors import ConfigError


def test_an_address_nothing_listens_on_is_one_line_at_once() -> None:
    pytest.importorskip("ray", reason="the ray extra is not installed")
    from framewise.executors.ray import RayExecutor

    with socket.socket() as probe:  # a port that was free a moment ago: nothing listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    executor = RayExecutor(1, address=f"127.0.0.1:{port}")
    with pytest.raises(ConfigError) as refused:
        executor.connect()
    assert refused.value.one_line().startswith(f"--address: nothing answers at 127.0.0.1:{port}")
    assert "ray start --head" in refused.value.one_line()
