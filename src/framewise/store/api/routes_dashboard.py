"""The dashboard at ``/``: current session and raid, all-time stats, charts, recent raids.

The cards and the recent raids are HTML rendered on the server (every value escaped). The
charts are drawn in the browser by ``static/dashboard.js`` with the vendored Chart.js, from
the ``/api/stats/*`` figures; the page polls ``/api/stats/version`` and redraws (cards too)
only when it changes: no meta refresh, no CDN, no build step.
"""

from collections.abc import Iterable
from datetime import datetime
from html import escape
from pathlib import Path
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import FileResponse, HTMLResponse

from framewise.core.time import format_iso8601
from framewise.store import stats
from framewise.store.api.deps import Store, StoreDeps
from framewise.store.errors import NotFoundError
from framewise.store.models import Raid, StreamSession
from framewise.store.repository import Repository
from framewise.store.stats import SessionRow

POLL_SECONDS = 5
"""How often the page asks whether the figures changed."""
RECENT_RAIDS = 15
STATIC = Path(__file__).resolve().parents[1] / "static"

STATIC_FILES: dict[str, str] = {
    "dashboard.js": "text/javascript",
    "vendor/chart.umd.min.js": "text/javascript",
    "vendor/chart.js.LICENSE.md": "text/markdown",
}
"""Files served under ``/static/`` (path → media type); nothing else there is served."""


def _css() -> str:
    return (STATIC / "dashboard.css").read_text("utf-8")


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


def _cards(repo: Repository) -> str:
    all_time = stats.global_stats(repo.session_rows(), repo.raid_rows())
    return "".join(
        [
            _session_card(repo.active_session(), repo),
            _raid_card(repo.active_raid()),
            _card("All time", _summary_rows(all_time)),
            _card("All time PvE", _summary_rows(all_time.by_mode.pve)),
            _card("All time PvP", _summary_rows(all_time.by_mode.pvp)),
        ]
    )


def _summary(repo: Repository) -> str:
    """The cards (``#summary``)."""
    return f'<div id="summary"><div class="cards">{_cards(repo)}</div></div>'


def render_summary(repo: Repository) -> str:
    """The cards (``#summary``) and the recent raids (``#recent``), as the page swaps them in."""
    return _summary(repo) + render_recent(repo)


def render_recent(repo: Repository) -> str:
    """The recent raids (``#recent``)."""
    return f'<div id="recent"><h2>Recent raids</h2>{_recent_table(repo)}</div>'


def render_dashboard(repo: Repository) -> str:
    """The whole dashboard page."""
    return (
        "<!doctype html><html lang=en><head><meta charset=utf-8>"
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        '<link rel="icon" href="data:,">'  # no /favicon.ico request (a 404 in the console)
        "<title>framewise event store</title>"
        f"<style>{_css()}</style></head>"
        f'<body data-poll-seconds="{POLL_SECONDS}">'
        "<h1>framewise event store</h1>"
        '<p class="muted">API: <a href="/docs">/docs</a> · '
        '<a href="/openapi.json">/openapi.json</a> · figures: '
        '<a href="/api/stats/sessions">/api/stats/*</a></p>'
        f"{_summary(repo)}{CHARTS_SECTION}{render_recent(repo)}"
        '<script src="/static/vendor/chart.umd.min.js"></script>'
        '<script src="/static/dashboard.js"></script>'
        "</body></html>"
    )


def _figure(name: str, title: str, wide: bool = False) -> str:
    css = "chart wide" if wide else "chart"
    return (
        f'<figure class="{css}" id="chart-{name}" data-chart="{name}">'
        f"<figcaption>{escape(title)}</figcaption>"
        f'<div class="note" data-note></div>'
        f'<div class="plot"><canvas role="img" aria-label="{escape(title)}"></canvas></div>'
        "<details><summary>numbers</summary><table data-numbers></table></details></figure>"
    )


CHARTS_SECTION = (
    '<section id="charts" aria-labelledby="charts-title"><h2 id="charts-title">Charts</h2>'
    '<form id="filters" class="filters">'
    '<label>game mode <select name="game_mode"><option value="">all</option>'
    '<option value="pve">PvE</option><option value="pvp">PvP</option></select></label>'
    '<label>from <input type="date" name="since"></label>'
    '<label>to <input type="date" name="until"></label>'
    '<label>timeline of <select name="session"></select></label>'
    '<span id="status" class="muted" aria-live="polite"></span></form>'
    '<div id="empty" class="empty" hidden><h3 data-title>No raids yet</h3><p data-text></p></div>'
    '<div id="chart-grid" class="grid">'
    + _figure("sessions", "K/D and survival rate per session")
    + _figure("maps", "Raids and survival rate per map")
    + _figure("weapons", "Kills by weapon (headshots darker)")
    + _figure("enemies", "Kills by enemy type (headshots darker)")
    + _figure("durations", "Raid durations")
    + _figure("gaps", "Time between raids")
    + _figure("timeline", "Session timeline: menu, queue, raid, terminal; kills marked", True)
    + "</div></section>"
)


def build_router(deps: StoreDeps) -> APIRouter:
    """The ``/`` route (left out of the OpenAPI document: it is for people)."""
    router = APIRouter()

    @router.get("/", response_class=HTMLResponse, include_in_schema=False)
    def dashboard(store: Annotated[Store, Depends(deps.store)]) -> HTMLResponse:
        with store.read() as repo:
            return HTMLResponse(render_dashboard(repo))

    @router.get("/dashboard/summary", response_class=HTMLResponse, include_in_schema=False)
    def summary(store: Annotated[Store, Depends(deps.store)]) -> HTMLResponse:
        """The cards and recent raids alone: the page swaps them in when the figures change."""
        with store.read() as repo:
            return HTMLResponse(render_summary(repo))

    @router.get("/static/{name:path}", include_in_schema=False)
    def static(name: str) -> FileResponse:
        media_type = STATIC_FILES.get(name)
        if media_type is None:
            raise NotFoundError(f"no static file {name}")
        # A day: the files change only with the package.
        headers = {"Cache-Control": "public, max-age=86400"}
        return FileResponse(STATIC / name, media_type=media_type, headers=headers)

    return router
