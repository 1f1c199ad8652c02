"""The OBS overlay's "this session" panel (issue 24) in Chromium: a live service that writes to
a real event store shows that store's figures for the session in progress, read across
origins from ``/api/stats/session/current``; without a store the panel stays hidden."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING

from framewise.config.pipeline import PipelineConfig
from framewise.live.service import LiveService, ServiceOptions
from framewise.live.sources import parse_source
from framewise.store.client import StoreClient
from framewise.store.local import BackgroundStore
from framewise.store.settings import StoreSettings
from framewise.store_api.schemas import (
    CreateRaidRequest,
    CreateSessionRequest,
    EndRaidRequest,
    KillRequest,
)
from tests.integration.review.browser import launch

if TYPE_CHECKING:
    from playwright.sync_api import Browser

PANEL = ("s-raids", "s-survived", "s-kills", "s-kd", "s-avg")


def _session_so_far(client: StoreClient) -> None:
    """An open session with two ended raids: 20 min survived (2 kills), 10 min killed (1)."""
    start = datetime.now(UTC) - timedelta(hours=1)
    client.create_session(CreateSessionRequest(session_type="stream", started_at=start))
    for offset, minutes, final, kills in ((5, 20, "survived", 2), (30, 10, "killed", 1)):
        begin = start + timedelta(minutes=offset)
        raid = client.create_raid(
            CreateRaidRequest(
                map_name="customs", character_type="pmc", game_mode="pvp", started_at=begin
            )
        )
        for k in range(kills):
            at = begin + timedelta(minutes=1 + k)
            client.add_kill(raid, KillRequest(enemy_type="scav", weapon="AK-74M", timestamp=at))
        end = begin + timedelta(minutes=minutes)
        client.end_raid(raid, EndRaidRequest(final_state=final, ended_at=end))


def _look(browser: Browser, with_store: str, without_store: str) -> None:
    page = browser.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{with_store}/overlay")
    page.wait_for_selector("#session-panel:not([hidden])", timeout=10_000)
    shown = [page.inner_text(f"#{key}") for key in PANEL]
    assert shown == ["2", "1 (50%)", "3", "3.00", "15.0 min"]
    assert page.get_attribute("#session-panel", "data-session") == "1"

    page.goto(f"{without_store}/overlay")
    page.wait_for_function("document.getElementById('link').textContent === 'live'")
    page.wait_for_timeout(500)  # the panel's first look has answered by now
    assert page.is_hidden("#session-panel")
    assert errors == []


def test_overlay_shows_the_store_session(
    workspace: Path, pipeline: PipelineConfig, tmp_path: Path
) -> None:
    spec = replace(parse_source(str(workspace / "colours.mkv"), replay=True), keep_newest=False)
    with BackgroundStore(StoreSettings(data_dir=tmp_path / "store", port=0)) as store:
        with StoreClient(store.url) as client:
            _session_so_far(client)
        options = ServiceOptions(port=0, store_url=store.url)
        with (
            LiveService(pipeline, spec, options) as service,
            LiveService(pipeline, spec, ServiceOptions(port=0)) as storeless,
        ):
            for browser in launch():
                _look(browser, service.url, storeless.url)
