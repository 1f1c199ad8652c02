"""The dashboard at ``/``: current session and raid, session and all-time stats, recent raids.

Plain HTML rendered on the server (every value escaped), refreshed by the browser every few
seconds; no JavaScript and no build step.
"""

from collections.abc import Iterable
from datetime import datetime
from html import escape
from importlib import resources
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import HTMLResponse

from framewise.core.time import format_iso8601
from framewise.store import stats
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.models import Raid, StreamSession
from framewise.store.repository import Repository
from framewise.store.stats import SessionRow

REFRESH_SECONDS = 10
RECENT_RAIDS = 15


def _css() -> str:
    return (resources.files("framewise.store") / "static" / "dashboard.css").read_text("utf-8")


def _time(value: datetime | None) -> str:
    return escape(format_iso8601(value)) if value else "—"


def _minutes(seconds: float | None) -> str:
    return "—" if seconds is None else f"{seconds / 60:.1f} min"


def _card(title: str, rows: Iterable[tuple[str, str]]) -> str:
    items = "".join(f"<dt>{escape(k)}</dt><dd>{v}</dd>" for k, v in rows)
    return f'<div class="card"><h2>{escape(title)}</h2><dl>{items}</dl></div>'


def _summary_rows(summary: stats.RaidSummary) -> list[tuple[str, str]]:
    return [
        ("raids", str(summary.total_raids)),
        ("survived", str(summary.survived_raids)),
        ("survival rate", f"{summary.survival_rate:.0%}"),
        ("kills", str(summary.total_kills)),
        ("K/D", f"{summary.kd_ratio:.2f}"),
        ("avg raid", _minutes(summary.avg_raid_duration_seconds)),
    ]


def _session_card(session: StreamSession | None, repo: Repository) -> str:
    if session is None:
        return _card("Current session", [("status", "no active session")])
    row = SessionRow(session_id=session.session_id, started_at=session.started_at)
    result = stats.session_stats(row, repo.raid_rows(session.session_id))
    rows = [
        ("session", f"#{session.session_id} ({escape(session.session_type or '?')})"),
        ("started", _time(session.started_at)),
        ("before 1st raid", _minutes(result.time_before_first_raid_seconds)),
        ("avg between raids", _minutes(result.between_raids.avg_seconds)),
        *_summary_rows(result),
    ]
    return _card("Current session", rows)


def _raid_card(raid: Raid | None) -> str:
    if raid is None:
        return _card("Current raid", [("status", "no active raid")])
    rows = [
        ("raid", f"#{raid.raid_id}"),
        ("map", escape(raid.map_name)),
        ("mode", f"{escape(raid.character_type)} / {escape(raid.game_mode)}"),
        ("state", escape(raid.current_state)),
        ("started", _time(raid.started_at)),
    ]
    return _card("Current raid", rows)


def _recent_table(repo: Repository) -> str:
    head = "".join(
        f"<th>{h}</th>"
        for h in ("raid", "map", "character", "mode", "started", "ended", "state", "kills")
    )
    body = []
    for raid in repo.recent_raids(RECENT_RAIDS):
        cells = [
            f'<td class="num">{raid.raid_id}</td>',
            f"<td>{escape(raid.map_name)}</td>",
            f"<td>{escape(raid.character_type)}</td>",
            f"<td>{escape(raid.game_mode)}</td>",
            f"<td>{_time(raid.started_at)}</td>",
            f"<td>{_time(raid.ended_at)}</td>",
            f"<td>{escape(raid.current_state)}</td>",
            f'<td class="num">{repo.kill_count(raid.raid_id)}</td>',
        ]
        body.append(f"<tr>{''.join(cells)}</tr>")
    if not body:
        body.append('<tr><td colspan="8" class="muted">no raids yet</td></tr>')
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def render_dashboard(repo: Repository) -> str:
    """The whole dashboard page."""
    all_time = stats.global_stats(repo.session_rows(), repo.raid_rows())
    cards = "".join(
        [
            _session_card(repo.active_session(), repo),
            _raid_card(repo.active_raid()),
            _card("All time", _summary_rows(all_time)),
            _card("All time PvE", _summary_rows(all_time.by_mode.pve)),
            _card("All time PvP", _summary_rows(all_time.by_mode.pvp)),
        ]
    )
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        f'<meta http-equiv="refresh" content="{REFRESH_SECONDS}">'
        "<title>framewise event store</title>"
        f"<style>{_css()}</style></head><body>"
        "<h1>framewise event store</h1>"
        '<p class="muted">API: <a href="/docs">/docs</a> · '
        '<a href="/openapi.json">/openapi.json</a></p>'
        f'<div class="cards">{cards}</div>'
        f"<h2>Recent raids</h2>{_recent_table(repo)}"
        "</body></html>"
    )


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/`` route (left out of the OpenAPI document: it is for people)."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(store: Annotated[Store, Depends(deps.store)]) -> HTMLResponse:
        with store.read() as repo:
            return HTMLResponse(render_dashboard(repo))

    return router
