// framewise event store dashboard: draws the /api/stats/* figures with the vendored Chart.js.
// No build step. The page polls /api/stats/version and redraws (cards included) only when it
// changes. Every chart also fills a table of its numbers (<details> under it) and data-*
// attributes, so people with screen readers and the tests read the same values as the chart.
"use strict";

const BAND_COLOURS = { menu: "#9ca3af", queue: "#f59e0b", raid: "#2563eb", terminal: "#dc2626" };
const BANDS = Object.keys(BAND_COLOURS);
const BLUE = "#2563eb";
const GREEN = "#16a34a";
const DARK = "#1e3a8a";
const LIGHT = "#93c5fd";

const dashboard = { version: null, renders: 0, charts: {}, renderMs: null, readyMs: null };
window.dashboard = dashboard;

Chart.defaults.animation = false; // redraws on every change must be instant, not animated
Chart.defaults.maintainAspectRatio = false;

const form = document.getElementById("filters");
const pct = (x) => (x === null || x === undefined ? "–" : `${Math.round(x * 1000) / 10}%`);
const fixed = (x) => (x === null || x === undefined ? "–" : x.toFixed(2));

function minutes(seconds) {
  if (seconds === null || seconds === undefined) return "–";
  return seconds >= 3600 ? `${(seconds / 3600).toFixed(1)} h` : `${(seconds / 60).toFixed(1)} min`;
}

function clock(iso) {
  return new Date(iso).toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
}

function query() {
  // Dates are the viewer's local days: "to" includes the whole day it names.
  const params = new URLSearchParams();
  const data = new FormData(form);
  if (data.get("game_mode")) params.set("game_mode", data.get("game_mode"));
  if (data.get("since")) params.set("since", new Date(`${data.get("since")}T00:00`).toISOString());
  if (data.get("until")) {
    const end = new Date(`${data.get("until")}T00:00`);
    end.setDate(end.getDate() + 1);
    params.set("until", end.toISOString());
  }
  return params.toString();
}

async function getJSON(path) {
  const response = await fetch(path, { cache: "no-store" });
  if (!response.ok) throw new Error(`${path}: HTTP ${response.status}`);
  return response.json();
}

function figure(name) {
  return document.getElementById(`chart-${name}`);
}

function fillTable(name, headers, rows) {
  const table = figure(name).querySelector("[data-numbers]");
  table.replaceChildren();
  const head = table.createTHead().insertRow();
  for (const text of headers) {
    const cell = document.createElement("th");
    cell.textContent = text;
    head.appendChild(cell);
  }
  const body = table.createTBody();
  for (const row of rows) {
    const line = body.insertRow();
    for (const value of row) line.insertCell().textContent = String(value);
  }
  figure(name).dataset.points = String(rows.length);
}

function note(name, text) {
  figure(name).querySelector("[data-note]").textContent = text;
}

function draw(name, config) {
  const old = dashboard.charts[name];
  if (old) old.destroy();
  dashboard.charts[name] = new Chart(figure(name).querySelector("canvas"), config);
}

function percentAxis(position) {
  return { position, min: 0, max: 100, title: { display: true, text: "survival %" }, grid: { drawOnChartArea: false } };
}

function drawSessions(data) {
  const rows = data.sessions;
  const labels = rows.map((s) => `#${s.session_id} ${clock(s.started_at)}`);
  draw("sessions", {
    type: "line",
    data: {
      labels,
      datasets: [
        { label: "K/D", data: rows.map((s) => s.kd_ratio), borderColor: BLUE, backgroundColor: BLUE, yAxisID: "kd" },
        { label: "survival %", data: rows.map((s) => s.survival_rate * 100), borderColor: GREEN, backgroundColor: GREEN, yAxisID: "pct" },
      ],
    },
    options: { scales: { kd: { position: "left", beginAtZero: true, title: { display: true, text: "K/D" } }, pct: percentAxis("right") } },
  });
  fillTable(
    "sessions",
    ["session", "started", "raids", "survived", "kills", "deaths", "K/D", "survival"],
    rows.map((s) => [s.session_id, clock(s.started_at), s.raids, s.survived, s.kills, s.deaths, fixed(s.kd_ratio), pct(s.survival_rate)]),
  );
}

function drawMaps(data) {
  const rows = data.maps;
  draw("maps", {
    type: "bar",
    data: {
      labels: rows.map((m) => m.map_name),
      datasets: [
        { label: "raids", data: rows.map((m) => m.raids), backgroundColor: LIGHT, yAxisID: "count", order: 2 },
        { type: "line", label: "survival %", data: rows.map((m) => m.survival_rate * 100), borderColor: GREEN, backgroundColor: GREEN, showLine: false, pointRadius: 6, yAxisID: "pct", order: 1 },
      ],
    },
    options: { scales: { count: { position: "left", beginAtZero: true, ticks: { precision: 0 }, title: { display: true, text: "raids" } }, pct: percentAxis("right") } },
  });
  fillTable(
    "maps",
    ["map", "raids", "survived", "survival", "kills", "K/D"],
    rows.map((m) => [m.map_name, m.raids, m.survived, pct(m.survival_rate), m.kills, fixed(m.kd_ratio)]),
  );
}

function drawGroups(name, groups, noun) {
  draw(name, {
    type: "bar",
    data: {
      labels: groups.map((g) => g.name),
      datasets: [
        { label: "headshots", data: groups.map((g) => g.headshots), backgroundColor: DARK },
        { label: "other kills", data: groups.map((g) => g.kills - g.headshots), backgroundColor: LIGHT },
      ],
    },
    options: { indexAxis: "y", scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true } } },
  });
  fillTable(name, [noun, "kills", "headshots"], groups.map((g) => [g.name, g.kills, g.headshots]));
}

function drawKills(data) {
  drawGroups("weapons", data.by_weapon, "weapon");
  drawGroups("enemies", data.by_enemy, "enemy");
  const share = data.headshot_share;
  const text = share === null ? "no kill with a known headshot flag" : `headshots ${pct(share)} (${data.headshots} of ${data.headshot_known} kills)`;
  note("weapons", `${data.total_kills} kills; ${text}`);
  figure("weapons").dataset.headshotShare = share === null ? "" : String(share);
  figure("weapons").dataset.totalKills = String(data.total_kills);
}

function binLabel(bin, width) {
  const unit = width >= 3600 ? 3600 : 60;
  const name = unit === 3600 ? "h" : "min";
  return `${bin.start_seconds / unit}–${bin.end_seconds / unit} ${name}`;
}

function drawHistogram(name, histogram, colour) {
  draw(name, {
    type: "bar",
    data: {
      labels: histogram.bins.map((b) => binLabel(b, histogram.bin_seconds)),
      datasets: [{ label: "count", data: histogram.bins.map((b) => b.count), backgroundColor: colour, barPercentage: 1, categoryPercentage: 0.95 }],
    },
    options: { plugins: { legend: { display: false } }, scales: { y: { beginAtZero: true, ticks: { precision: 0 } } } },
  });
  fillTable(name, ["from", "to", "count"], histogram.bins.map((b) => [minutes(b.start_seconds), minutes(b.end_seconds), b.count]));
  note(name, histogram.count ? `${histogram.count} values, median ${minutes(histogram.median_seconds)}` : "nothing to show");
  figure(name).dataset.count = String(histogram.count);
}

function drawDurations(data) {
  drawHistogram("durations", data.raid_durations, BLUE);
  drawHistogram("gaps", data.between_raids, "#f59e0b");
}

function drawTimeline(data) {
  const start = Date.parse(data.started_at);
  const at = (iso) => (Date.parse(iso) - start) / 60000; // minutes into the session
  // A terminal state is logged at the raid's end time (no length): drawn 0.6 % wide to be seen.
  const least = at(data.ended_at) * 0.006;
  const datasets = BANDS.map((band) => ({
    label: band,
    data: data.bands
      .filter((b) => b.band === band)
      .map((b) => ({ x: [at(b.start), Math.max(at(b.end), at(b.start) + least)], y: "session" })),
    backgroundColor: BAND_COLOURS[band],
    grouped: false,
    order: band === "terminal" ? 1 : 2, // Chart.js draws lower orders on top
  }));
  datasets.push({
    type: "scatter",
    label: "kills",
    data: data.kills.map((k) => ({ x: at(k.at), y: "kills" })),
    backgroundColor: "#111827",
    pointStyle: "triangle",
    pointRadius: 6,
    order: 0,
  });
  draw("timeline", {
    type: "bar",
    data: { labels: ["session", "kills"], datasets },
    options: {
      indexAxis: "y",
      scales: {
        x: { type: "linear", min: 0, max: at(data.ended_at), ticks: { callback: (v) => new Date(start + v * 60000).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" }) } },
        y: { type: "category", labels: ["session", "kills"] },
      },
      plugins: {
        legend: { labels: { sort: (a, b) => a.datasetIndex - b.datasetIndex } }, // bands in flow order
        tooltip: { callbacks: { label: (c) => `${c.dataset.label}` } },
      },
    },
  });
  const rows = data.bands.map((b) => [b.band, b.state, clock(b.start), minutes((Date.parse(b.end) - Date.parse(b.start)) / 1000)]);
  fillTable("timeline", ["band", "state", "from", "for"], rows);
  note("timeline", `session #${data.session_id}: ${data.bands.length} spans, ${data.kills.length} kills`);
  Object.assign(figure("timeline").dataset, { session: String(data.session_id), kills: String(data.kills.length) });
}

function fillSessions(sessions) {
  const select = form.elements.session;
  const chosen = select.value;
  select.replaceChildren(...sessions.map((s) => new Option(`#${s.session_id} ${clock(s.started_at)}`, String(s.session_id))));
  const ids = sessions.map((s) => String(s.session_id));
  // Keep the viewer's choice while it is still listed; otherwise show the latest session.
  select.value = ids.includes(chosen) ? chosen : ids[ids.length - 1] || "";
  return select.value;
}

function showEmpty(storeEmpty) {
  const box = document.getElementById("empty");
  box.hidden = false;
  box.querySelector("[data-title]").textContent = storeEmpty ? "No raids yet" : "No raids match these filters";
  box.querySelector("[data-text]").textContent = storeEmpty
    ? "Import event logs with `framewise import events/ --api " + location.origin + "`, or run `framewise live ... --store " + location.origin + "`. The charts appear here by themselves when raids arrive."
    : "Choose another game mode or date range.";
  document.getElementById("chart-grid").hidden = true;
}

async function refresh() {
  const started = performance.now();
  const q = query();
  const [sessions, maps, kills, durations] = await Promise.all(
    ["sessions", "maps", "kills", "durations"].map((name) => getJSON(`/api/stats/${name}?${q}`)),
  );
  const grid = document.getElementById("chart-grid");
  if (!sessions.sessions.length) {
    showEmpty(dashboard.raids === 0);
  } else {
    document.getElementById("empty").hidden = true;
    grid.hidden = false;
    drawSessions(sessions);
    drawMaps(maps);
    drawKills(kills);
    drawDurations(durations);
    const session = fillSessions(sessions.sessions);
    drawTimeline(await getJSON(`/api/stats/timeline?session_id=${session}`));
  }
  dashboard.renderMs = performance.now() - started;
  if (dashboard.readyMs === null) dashboard.readyMs = performance.now(); // since navigation
  dashboard.renders += 1;
  document.body.dataset.renders = String(dashboard.renders);
  document.body.dataset.ready = "true";
}

async function refreshSummary() {
  const response = await fetch("/dashboard/summary", { cache: "no-store" });
  if (!response.ok) return;
  const fresh = new DOMParser().parseFromString(await response.text(), "text/html");
  for (const id of ["summary", "recent"]) document.getElementById(id).replaceWith(fresh.getElementById(id));
}

async function poll() {
  const status = document.getElementById("status");
  try {
    const version = await getJSON("/api/stats/version");
    if (version.version !== dashboard.version) {
      const first = dashboard.version === null;
      dashboard.version = version.version;
      dashboard.raids = version.raids;
      document.body.dataset.version = version.version;
      await Promise.all([redraw(), first ? null : refreshSummary()]);
    }
    status.textContent = `${dashboard.raids} raids · updated ${new Date().toLocaleTimeString()}`;
  } catch (error) {
    status.textContent = `store unreachable (${error.message}); retrying`;
  }
}

// One redraw at a time: a poll and a filter change never draw over each other.
let drawing = Promise.resolve();
function redraw() {
  drawing = drawing.then(refresh).catch((error) => {
    document.getElementById("status").textContent = `could not draw the charts: ${error.message}`;
  });
  return drawing;
}

form.addEventListener("change", () => redraw());
form.addEventListener("submit", (event) => event.preventDefault());
const pollSeconds = Number(document.body.dataset.pollSeconds || "5");
poll().then(() => setInterval(poll, pollSeconds * 1000));
