"""Store settings: defaults, environment, and the token rule for non-loopback binds."""

from __future__ import annotations

from pathlib import Path

import pytest

from framewise.core.errors import ConfigError
from framewise.store.settings import StoreSettings


def test_defaults_bind_loopback_and_use_sqlite_in_the_data_dir(tmp_path: Path) -> None:
    settings = StoreSettings(data_dir=tmp_path)
    assert settings.host == "127.0.0.1"
    assert settings.resolved_database_url() == f"sqlite:///{tmp_path / 'events.sqlite3'}"
    settings.check_security()


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("::1", True),
        ("localhost", True),
        ("0.0.0.0", False),
        ("192.168.1.5", False),
        ("store.example", False),
    ],
)
def test_loopback_detection(host: str, loopback: bool) -> None:
    assert StoreSettings(host=host).is_loopback() is loopback


def test_non_loopback_without_token_is_refused() -> None:
    with pytest.raises(ConfigError, match="needs a write token"):
        StoreSettings(host="0.0.0.0").check_security()
    StoreSettings(host="0.0.0.0", token="s3cret").check_security()


def test_environment_then_overrides() -> None:
    env = {"FRAMEWISE_STORE_PORT": "9000", "FRAMEWISE_STORE_DATABASE_URL": "sqlite:///x.db"}
    settings = StoreSettings.from_env(env, port=9100, token=None)
    assert (settings.port, settings.database_url, settings.token) == (9100, "sqlite:///x.db", None)


def test_bad_environment_value_names_the_variable() -> None:
    with pytest.raises(ConfigError, match="FRAMEWISE_STORE_PORT"):
        StoreSettings.from_env({"FRAMEWISE_STORE_PORT": "many"})


def test_retry_policy_backs_off_exponentially_up_to_a_cap() -> None:
    from framewise.store.client import RetryPolicy

    assert list(RetryPolicy(attempts=6, initial=0.5, factor=2, maximum=3).delays()) == [
        0.5,
        1.0,
        2.0,
        3,
        3,
    ]
    assert list(RetryPolicy(attempts=1).delays()) == []
