"""How fast the store's dashboard draws a 1,000-raid store in Chromium (target: under 1 s).

A store is filled with 40 sessions of 25 raids (varied lengths, gaps, kills, weapons) through
the atomic import endpoint, served on loopback in this process. Each round opens the
dashboard in a fresh page and reads two times from it: ``ready`` (navigation start to every
chart drawn: the page's HTML, Chart.js, the figures and the drawing) and ``draw`` (the
page's own redraw: fetching the figures and drawing them). The baseline, in the same page
right after, fetches the same JSON figures alone. Rounds alternate chart page / baseline,
and the medians and their ratio are printed, so a loaded machine shows in both.

Usage:
    python bench/dashboard.py [--sessions 40] [--raids 25] [--rounds 5]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from datetime import timedelta
from pathlib import Path

from playwright.sync_api import sync_playwright

from framewise.importer.runner import Importer
from framewise.importer.synthetic import DEFAULT_START, synthetic_log
from framewise.store.local import BackgroundStore
from framewise.store.settings import StoreSettings
from framewise.store_api.client import StoreClient

TARGET_MS = 1000.0
CHROMIUM = "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]
WEAPONS = ("AK-74M", "M4A1", "MP7", "SVD", "Saiga-12", "Mosin")

FETCH_ONLY = """async () => {
    const t0 = performance.now();
    const names = ["sessions", "maps", "kills", "durations"];
    const get = (n) => fetch(`/api/stats/${n}?`).then((r) => r.json());
    const figures = await Promise.all(names.map(get));
    const last = figures[0].sessions[figures[0].sessions.length - 1].session_id;
    await (await fetch(`/api/stats/timeline?session_id=${last}`)).json();
    return performance.now() - t0;
}"""


def fill(url: str, folder: Path, sessions: int, raids: int) -> None:
    """Import ``sessions`` logs of ``raids`` raids each (varied, deterministic)."""
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for index in range(sessions):
        log = synthetic_log(
            raids=raids,
            kills_per_raid=1 + index % 5,
            start=DEFAULT_START + timedelta(days=index),
            video_path=f"/rec/{index:03d}.mkv",
            raid_seconds=900 + 60 * (index % 20),
            gap_seconds=120 + 45 * (index % 9),
        )
        for number, event in enumerate(e for e in log.events if e.type == "kill"):
            event.data["weapon"] = WEAPONS[(number + index) % len(WEAPONS)]
        path = folder / f"{index:03d}.json"
        path.write_text(log.model_dump_json())
        paths.append(path)
    with StoreClient(url) as client:
        summary = Importer(client, echo=lambda _line: None).run(paths)
    if not summary.ok:
        raise SystemExit(summary.render())


def main() -> None:
    """Fill a store, then time the dashboard against fetching its figures alone."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sessions", type=int, default=40)
    parser.add_argument("--raids", type=int, default=25)
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args()
    print(f"load: {os.getloadavg()[0]:.1f} (1-min average, {os.cpu_count()} CPUs)")
    with tempfile.TemporaryDirectory() as tmp:
        settings = StoreSettings(data_dir=Path(tmp) / "store", port=0)
        with BackgroundStore(settings) as store:
            fill(store.url, Path(tmp) / "logs", args.sessions, args.raids)
            total = args.sessions * args.raids
            ready, draw, fetch = [], [], []
            with sync_playwright() as playwright:
                browser = playwright.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                for _ in range(args.rounds + 1):  # the first round warms the caches: dropped
                    page = browser.new_page(viewport={"width": 1400, "height": 1000})
                    page.goto(store.url)
                    page.wait_for_selector("body[data-ready=true]", state="attached")
                    timing = page.evaluate("[window.dashboard.readyMs, window.dashboard.renderMs]")
                    ready.append(float(timing[0]))
                    draw.append(float(timing[1]))
                    fetch.append(float(page.evaluate(FETCH_ONLY)))
                    page.close()
                browser.close()
    ready, draw, fetch = ready[1:], draw[1:], fetch[1:]
    ready_ms, draw_ms, fetch_ms = (statistics.median(v) for v in (ready, draw, fetch))
    print(f"store: {args.sessions} sessions, {total} raids; {args.rounds} rounds, medians:")
    print(f"  page ready (navigation → all charts drawn): {ready_ms:7.1f} ms")
    print(f"  redraw (fetch figures + draw):              {draw_ms:7.1f} ms")
    print(f"  baseline: fetch the same JSON alone:        {fetch_ms:7.1f} ms")
    print(f"  redraw / fetch alone: {draw_ms / fetch_ms:.2f}x")
    verdict = "met" if ready_ms < TARGET_MS else "MISSED"
    print(f"target: page ready < {TARGET_MS:.0f} ms: {verdict}")


if __name__ == "__main__":
    main()
