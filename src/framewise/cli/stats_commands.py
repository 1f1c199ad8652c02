"""``framewise stats``: the store's figures as tables in the terminal (or JSON).

The figures are the dashboard's (:class:`~framewise.store_api.stats.StatsReport`): all time
per game mode, the latest sessions, maps, kills by weapon and enemy with the headshot share,
and raid durations and time between raids with a one-line histogram each. They come from a
running store (``--api``, the default) or straight from its SQLite file (``--data-dir``).
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Annotated, TextIO

import typer
from rich.console import Console
from rich.table import Table

from framewise.cli.store_commands import DEFAULT_API
from framewise.core.errors import ConfigError
from framewise.store_api.constants import GAME_MODES
from framewise.store_api.stats import Histogram, KillGroup, RaidSummary, StatsFilters, StatsReport

SPARK = " ▁▂▃▄▅▆▇█"
"""Block characters of a one-line histogram, from empty to the fullest bin."""


def _pct(value: float | None) -> str:
    return "–" if value is None else f"{value:.0%}"


def _minutes(seconds: float | None) -> str:
    if seconds is None:
        return "–"
    return f"{seconds / 3600:.1f} h" if seconds >= 3600 else f"{seconds / 60:.1f} min"


def spark(histogram: Histogram) -> str:
    """The bins as block characters (the tallest is a full block)."""
    top = max((b.count for b in histogram.bins), default=0)
    if not top:
        return ""
    steps = len(SPARK) - 1
    return "".join(SPARK[round(b.count / top * steps) if b.count else 0] for b in histogram.bins)


def _table(title: str, *columns: str) -> Table:
    table = Table(title=title, title_justify="left", title_style="bold")
    for index, name in enumerate(columns):
        table.add_column(name, justify="left" if index == 0 else "right")
    return table


def _row(
    name: str, raids: int, survived: int, rate: float, kills: int, kd: float, avg: float | None
) -> list[str]:
    shown_rate = _pct(rate if raids else None)
    return [name, str(raids), str(survived), shown_rate, str(kills), f"{kd:.2f}", _minutes(avg)]


def _summary_row(name: str, s: RaidSummary) -> list[str]:
    # The summary's average is 0 without an ended raid: shown as "–", as the charts do.
    avg = s.avg_raid_duration_seconds or None
    return _row(
        name, s.total_raids, s.survived_raids, s.survival_rate, s.total_kills, s.kd_ratio, avg
    )


def _kills_table(title: str, groups: list[KillGroup]) -> Table:
    table = _table(title, "name", "kills", "headshots")
    for group in groups:
        table.add_row(group.name, str(group.kills), str(group.headshots))
    return table


def report_tables(report: StatsReport, sessions: int = 10) -> list[Table]:
    """The report as rich tables, in the order they are printed."""
    head = ("raids", "survived", "survival", "kills", "K/D", "avg raid")
    overall = _table("All time", "", *head)
    every = report.all_time
    overall.add_row(*_summary_row(every.game_mode or "all", every))
    if every.game_mode is None:
        overall.add_row(*_summary_row("PvE", every.by_mode.pve))
        overall.add_row(*_summary_row("PvP", every.by_mode.pvp))
    latest = _table(f"Sessions (latest {sessions})", "session", "started", *head)
    for p in report.sessions[-sessions:]:
        row = _row(
            f"#{p.session_id}",
            p.raids,
            p.survived,
            p.survival_rate,
            p.kills,
            p.kd_ratio,
            p.avg_raid_duration_seconds,
        )
        latest.add_row(row[0], f"{p.started_at:%Y-%m-%d %H:%M}Z", *row[1:])
    maps = _table("Maps", "map", *head)
    for m in report.maps:
        maps.add_row(
            *_row(
                m.map_name,
                m.raids,
                m.survived,
                m.survival_rate,
                m.kills,
                m.kd_ratio,
                m.avg_raid_duration_seconds,
            )
        )
    weapons = _kills_table("Kills by weapon", report.kills.by_weapon)
    enemies = _kills_table("Kills by enemy type", report.kills.by_enemy)
    times = _table("Durations", "", "count", "min", "median", "max", "histogram")
    for name, histogram in (
        ("raid", report.durations.raid_durations),
        ("between raids", report.durations.between_raids),
    ):
        times.add_row(
            name,
            str(histogram.count),
            _minutes(histogram.min_seconds),
            _minutes(histogram.median_seconds),
            _minutes(histogram.max_seconds),
            spark(histogram),
        )
    return [overall, latest, maps, weapons, enemies, times]


def print_report(report: StatsReport, out: TextIO | None = None, *, sessions: int = 10) -> None:
    """Print the tables (or one line saying the store holds no raid yet)."""
    console = Console(file=out or sys.stdout, width=100, highlight=False)
    if report.all_time.total_raids == 0:
        console.print("no raids in the event store yet (import event logs or run live --store)")
        return
    for table in report_tables(report, sessions):
        console.print(table)
    console.print(headshot_line(report))


def headshot_line(report: StatsReport) -> str:
    """The headshot share in words."""
    kills = report.kills
    if kills.headshot_share is None:
        return f"headshots: unknown ({kills.total_kills} kills, none with a headshot flag)"
    return (
        f"headshots: {_pct(kills.headshot_share)} "
        f"({kills.headshots} of {kills.headshot_known} kills with a headshot flag)"
    )


def _time(value: str | None, flag: str) -> datetime | None:
    if value is None:
        return None
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        raise ConfigError(
            f"not an ISO-8601 date or time: {value!r}",
            subject=flag,
            hint="e.g. 2026-01-15 or 2026-01-15T18:00:00Z (no zone means UTC)",
        ) from None
    return parsed.replace(tzinfo=UTC) if parsed.tzinfo is None else parsed.astimezone(UTC)


def stats_command(
    api: Annotated[
        str | None, typer.Option(help=f"URL of a running event store [{DEFAULT_API}].")
    ] = None,
    data_dir: Annotated[
        Path | None,
        typer.Option(help="Read the store's SQLite file in this folder instead of an API."),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the figures as JSON.")] = False,
    game_mode: Annotated[str | None, typer.Option(help="Only pve or pvp raids.")] = None,
    since: Annotated[
        str | None, typer.Option(help="Raids started at or after this date/time (UTC).")
    ] = None,
    until: Annotated[
        str | None, typer.Option(help="Raids started before this date/time (UTC).")
    ] = None,
    sessions: Annotated[int, typer.Option(min=1, help="Sessions listed (the latest).")] = 10,
) -> None:
    """The event store's figures: all time, sessions, maps, kills, durations."""
    if api is not None and data_dir is not None:
        raise ConfigError("give --api or --data-dir, not both", subject="--data-dir")
    if game_mode is not None and game_mode not in GAME_MODES:
        raise ConfigError(
            f"unknown game mode {game_mode!r}", subject="--game-mode", hint="pve or pvp"
        )
    filters = StatsFilters(
        game_mode=game_mode, since=_time(since, "--since"), until=_time(until, "--until")
    )
    if data_dir is not None:
        from framewise.store.report import local_report

        report = local_report(data_dir, filters)
    else:
        from framewise.store_api.client import StoreClient
        from framewise.store_api.stats_report import fetch_report

        with StoreClient(api or DEFAULT_API) as client:
            report = fetch_report(client, filters)
    if as_json:
        typer.echo(report.model_dump_json(indent=2))
    else:
        print_report(report, sessions=sessions)


def register(app: typer.Typer) -> None:
    """Add ``stats`` to ``app``."""
    app.command("stats")(stats_command)
