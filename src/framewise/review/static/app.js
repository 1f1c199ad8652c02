// framewise review: the page's state, its API calls, the list and the keyboard. Plain
// JavaScript modules, no build step, nothing loaded from anywhere but this server. Every change
// goes to the API, which saves the log before answering with the whole log; the page then
// redraws from that answer, so it always shows what the file holds.
import { createBoxes } from "./boxes.js";
import { $, colorOf, detailText, formatOffset, h, wallTime } from "./dom.js";
import { createEditor } from "./editor.js";
import { createQueue } from "./queue.js";
import { createTimeline } from "./timeline.js";

const player = $("player");
const FILTERS = ["all", "review", "low", "unapproved"];

const state = {
  log: null, index: new Map(), rows: new Map(), meta: null, order: [], current: null,
  selected: new Set(),
  editing: null, // an event id, "new", or null
  range: null, // [start, end] in seconds
  saves: 0, pending: 0, chain: Promise.resolve(),
};
window.review = state; // read by the browser tests (saves, pending) and handy in a console

function status(text, isError = false) {
  const node = $("status");
  node.textContent = text;
  node.classList.toggle("error", isError);
}

function duration() {
  const fromPlayer = Number.isFinite(player.duration) ? player.duration : 0;
  return Math.max(state.meta?.duration || 0, fromPlayer, 0.001);
}

const threshold = () => state.meta.threshold;
const isLow = (event) => event.confidence < threshold();
const byId = (id) => state.index.get(id) || null;

const timeline = createTimeline({
  state, player, duration, isLow, byId,
  pick: (id) => setCurrent(id),
  seek: (seconds) => seekTo(seconds),
});
const queue = createQueue({
  seek: (seconds) => seekTo(seconds),
  status: (...args) => status(...args),
  changed: () => timeline.render(),
});
state.queue = queue.queue;
const editor = createEditor({
  state, player, byId,
  render: () => render(),
  change: (...args) => change(...args),
  drawBoxes: () => boxes.start("new"),
});
const boxes = createBoxes({
  state, player, byId,
  seek: (seconds) => seekTo(seconds),
  change: (...args) => change(...args),
  status: (...args) => status(...args),
  render: () => render(),
  focusEditor: () => editor.focusEditor(),
});

// ---- API ------------------------------------------------------------------------------
async function api(method, url, body) {
  state.pending += 1;
  try {
    const response = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const payload = await response.json().catch(() => ({}));
    // 409 with a log: nothing to undo (not an error); 409 without: the file changed on disk.
    if (!response.ok && !(response.status === 409 && payload.log)) {
      const detail = detailText(payload.detail, response.statusText);
      status(`not saved: ${detail}`, true);
      throw new Error(detail);
    }
    return payload;
  } finally {
    state.pending -= 1;
  }
}

function setLog(log) {
  state.log = log;
  state.index = new Map(log.events.map((e) => [e.event_id, e]));
}

async function change(method, url, body, after) {
  const result = await api(method, url, body);
  setLog(result.log);
  state.saves += 1;
  state.meta.undo_depth = result.undo_depth;
  if (after) after(result);
  render();
  const when = new Date().toLocaleTimeString();
  status(`saved ${when} · ${result.undo_depth} change(s) can be undone`);
  return result;
}

// ---- list order and navigation ------------------------------------------------------
function visible(event) {
  const filter = $("filter").value;
  if (filter === "review") return isLow(event) && !event.approved;
  if (filter === "low") return isLow(event);
  if (filter === "unapproved") return !event.approved;
  return true;
}

function computeOrder() {
  const events = state.log.events.filter(visible);
  if ($("sort").value === "uncertainty") {
    events.sort((a, b) => a.confidence - b.confidence
      || a.video_offset_seconds - b.video_offset_seconds);
  }
  return events.map((e) => e.event_id);
}

function setCurrent(id, { seek = true } = {}) {
  // Another event: the boxes being drawn belong to the frame being left.
  if (boxes.active() && id !== state.current) boxes.cancel();
  state.current = id;
  const event = id ? byId(id) : null;
  if (event && seek) seekTo(event.video_offset_seconds);
  renderCurrent();
}

function step(delta) {
  if (!state.order.length) return;
  const index = state.order.indexOf(state.current);
  const next = index < 0 ? (delta > 0 ? 0 : state.order.length - 1)
    : Math.min(state.order.length - 1, Math.max(0, index + delta));
  setCurrent(state.order[next]);
}

// After a change the current event may have left the list: keep the place in the list.
function keepPlace(oldOrder, oldId, advance) {
  const index = oldOrder.indexOf(oldId);
  const order = computeOrder();
  const shown = new Set(order);
  if (shown.has(oldId)) {
    const at = order.indexOf(oldId);
    return advance ? order[Math.min(order.length - 1, at + 1)] : oldId;
  }
  for (let i = index + 1; i < oldOrder.length; i += 1) {
    if (shown.has(oldOrder[i])) return oldOrder[i];
  }
  for (let i = index - 1; i >= 0; i -= 1) {
    if (shown.has(oldOrder[i])) return oldOrder[i];
  }
  return order[0] || null;
}

// ---- player ---------------------------------------------------------------------------
function seekTo(seconds) {
  if (!state.meta.video_url) return;
  player.currentTime = Math.max(0, Math.min(seconds, duration()));
  timeline.playhead();
}

function frameStep(direction, wholeSecond) {
  if (!state.meta.video_url) return;
  player.pause();
  const size = wholeSecond ? 1 : 1 / (state.meta.fps || 30);
  seekTo(player.currentTime + direction * size);
}

// ---- actions ---------------------------------------------------------------------------
async function approveCurrent() {
  const id = state.current;
  if (!id) return;
  const oldOrder = state.order;
  await change("POST", "/api/approve", { ids: [id] }, () => {
    state.current = keepPlace(oldOrder, id, true);
  });
  if (state.current && state.current !== id) seekTo(byId(state.current).video_offset_seconds);
}

async function deleteCurrent() {
  const id = state.current;
  if (!id) return;
  const oldOrder = state.order;
  await change("DELETE", `/api/events/${encodeURIComponent(id)}`, undefined, () => {
    state.selected.delete(id);
    state.current = keepPlace(oldOrder, id, false);
  });
  if (state.current) seekTo(byId(state.current).video_offset_seconds);
}

// The event happened at another moment: move it to the player's current time.
async function retimeCurrent() {
  const id = state.current;
  if (!id || !state.meta.video_url) return;
  const body = { video_offset_seconds: player.currentTime };
  await change("PATCH", `/api/events/${encodeURIComponent(id)}`, body);
}

async function bulk(action, target) {
  let body;
  if (target === "selection" && state.selected.size) {
    body = { action, ids: [...state.selected] };
  } else if (target === "range" || (target === "selection" && state.range)) {
    if (!state.range) { status("choose a time range first (drag on the timeline)", true); return; }
    body = { action, start: state.range[0], end: state.range[1] };
  } else {
    status("select events first (x), or choose a time range", true);
    return;
  }
  const oldOrder = state.order;
  const id = state.current;
  await change("POST", "/api/bulk", body, (result) => {
    if (action === "delete") result.changed.forEach((gone) => state.selected.delete(gone));
    state.current = keepPlace(oldOrder, id, false);
  });
}

async function undo() {
  const result = await change("POST", "/api/undo", {});
  if (!result.changed.length && result.undo_depth === 0) status("nothing to undo");
  if (state.current && !byId(state.current)) state.current = state.order[0] || null;
  render();
}

function toggleSelect(id) {
  if (!id) return;
  if (state.selected.has(id)) state.selected.delete(id); else state.selected.add(id);
  render();
}

// ---- rendering -------------------------------------------------------------------------
function render() {
  state.order = computeOrder();
  if (state.current && !byId(state.current)) state.current = null;
  renderList();
  timeline.render();
  renderCounts();
  renderCurrent();
}

function row(event) {
  const isNew = event.event_id === "new";
  const classes = ["event"];
  if (isLow(event)) classes.push("low");
  if (event.approved) classes.push("approved");
  if (state.selected.has(event.event_id)) classes.push("selected");
  if (isNew) classes.push("new");
  const thumb = event.thumbnail
    ? h("img", { class: "thumb", loading: "lazy", alt: "", src: `/thumbs/${event.thumbnail.split("/").map(encodeURIComponent).join("/")}` })
    : h("div", { class: "thumb none" }, isNew ? "new" : "no thumbnail");
  const drawn = (event.boxes || []).length;
  const flags = [event.added_by_reviewer && "added", event.manually_reviewed && !event.added_by_reviewer && "reviewed",
    drawn && `${drawn} box${drawn > 1 ? "es" : ""}`]
    .filter(Boolean).join(" · ");
  const drawButton = isNew ? null : boxes.button(event, () => setCurrent(event.event_id, { seek: false }));
  const line1 = h("div", { class: "line1" },
    h("span", { class: "type", style: `--c:${colorOf(event.type)}` }, event.type),
    h("span", { class: "conf", title: "confidence" }, event.confidence.toFixed(2)),
    isNew ? null : h("span", { class: "wall", title: event.timestamp }, wallTime(event.timestamp)),
    h("span", { class: "offset", title: "video offset" }, formatOffset(event.video_offset_seconds)),
    flags ? h("span", { class: "flags" }, flags) : null, drawButton);
  const editing = state.editing === event.event_id;
  const body = h("div", { class: "body" }, line1,
    editing ? editor.editorFor(event, isNew)
      : h("div", { class: "data" }, Object.entries(event.data || {}).map(([key, value]) =>
        h("span", { class: "field", "data-key": key }, h("b", {}, key), String(value)))));
  const select = h("input", { type: "checkbox", class: "sel", checked: state.selected.has(event.event_id),
    "aria-label": "select", disabled: isNew });
  select.addEventListener("click", (e) => { e.stopPropagation(); toggleSelect(event.event_id); });
  const item = h("li", { class: classes.join(" "), "data-id": event.event_id }, select, thumb, body);
  // Rows are reused across renders: the click handler looks the event up by id when used.
  if (!editing) item.addEventListener("click", () => setCurrent(event.event_id));
  return item;
}

// Rows are kept by event id and rebuilt only when their event changed, and the list is
// patched in place: a change costs a few rows, not thousands (long recordings).
function signature(event) {
  return `${state.selected.has(event.event_id)}|${state.editing === event.event_id}|${JSON.stringify(event)}`;
}

function renderList() {
  const list = $("events");
  const wanted = [];
  if (state.editing === "new" && state.draft) wanted.push(row(state.draft));
  const alive = new Set();
  for (const id of state.order) {
    const event = byId(id);
    const sig = signature(event);
    let cached = state.rows.get(id);
    if (!cached || cached.sig !== sig) {
      cached = { sig, node: row(event) };
      state.rows.set(id, cached);
    }
    wanted.push(cached.node);
    alive.add(id);
  }
  for (const id of [...state.rows.keys()]) if (!state.index.has(id)) state.rows.delete(id);
  const keep = new Set(wanted);
  for (const child of [...list.children]) if (!keep.has(child)) child.remove();
  let cursor = list.firstElementChild;
  for (const node of wanted) {
    if (cursor === node) cursor = cursor.nextElementSibling;
    else list.insertBefore(node, cursor);
  }
  $("empty").hidden = alive.size > 0;
}

function renderCurrent() {
  for (const node of document.querySelectorAll(".event.current")) node.classList.remove("current");
  timeline.current();
  const cached = state.current ? state.rows.get(state.current) : null;
  if (cached && cached.node.isConnected) {
    cached.node.classList.add("current");
    cached.node.scrollIntoView({ block: "nearest" });
  }
  boxes.paint();
}

function renderCounts() {
  const events = state.log.events;
  const low = events.filter(isLow).length;
  const approved = events.filter((e) => e.approved).length;
  const review = events.filter((e) => isLow(e) && !e.approved).length;
  $("counts").textContent = `${events.length} events · ${low} low · ${review} need review · ${approved} approved`;
  $("selected-count").textContent = String(state.selected.size);
  $("undo").disabled = !state.meta.undo_depth;
}

// ---- keyboard --------------------------------------------------------------------------
const KEYS = {
  j: () => step(1), k: () => step(-1), e: editor.startEdit, d: deleteCurrent, a: approveCurrent,
  n: editor.startNew, x: () => toggleSelect(state.current), u: undo, t: retimeCurrent,
  b: () => boxes.toggle(),
  q: () => queue.next(),
  A: () => bulk("approve", "selection"), D: () => bulk("delete", "selection"),
  f: () => {
    const filter = $("filter");
    filter.value = FILTERS[(FILTERS.indexOf(filter.value) + 1) % FILTERS.length];
    render();
  },
  "?": () => { $("help").hidden = !$("help").hidden; },
  " ": () => { if (player.paused) player.play(); else player.pause(); },
  ArrowLeft: (e) => frameStep(-1, e.shiftKey), ArrowRight: (e) => frameStep(1, e.shiftKey),
  Escape: () => {
    $("help").hidden = true;
    if (state.selected.size) { state.selected.clear(); render(); }
  },
};

document.addEventListener("keydown", (e) => {
  const typing = e.target.matches
    && e.target.matches("input:not([type=checkbox]), select, textarea, button[type=submit]");
  if (typing || e.altKey || e.metaKey) return;
  if (boxes.active()) {
    // Draw mode owns the keyboard: other keys would move the player off the event's frame.
    if (e.ctrlKey || !boxes.handles(e.key)) return;
    e.preventDefault();
    const { key, shiftKey } = e;
    state.chain = state.chain.then(() => boxes.key({ key, shiftKey })).catch(() => {});
    return;
  }
  if (e.ctrlKey) {
    if (e.key === "z") { e.preventDefault(); undo(); }
    return;
  }
  const action = KEYS[e.key];
  if (!action) return;
  e.preventDefault();
  if (!$("help").hidden && e.key !== "?" && e.key !== "Escape") $("help").hidden = true;
  // Keys run one after another: "a a a" pressed faster than the saves approves three
  // events, each after the previous one is saved and the next one is current.
  const shift = e.shiftKey;
  state.chain = state.chain
    .then(() => action({ shiftKey: shift }))
    .catch(() => {}); // errors are shown in the status line
});

// ---- wiring ----------------------------------------------------------------------------
$("filter").addEventListener("change", () => { render(); $("filter").blur(); });
$("sort").addEventListener("change", () => { render(); $("sort").blur(); });
$("undo").addEventListener("click", () => undo().catch(() => {}));
$("help-button").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
$("help").addEventListener("click", () => { $("help").hidden = true; });
$("clear-selection").addEventListener("click", () => { state.selected.clear(); render(); });
for (const button of document.querySelectorAll("[data-bulk]")) {
  button.addEventListener("click", () => bulk(button.dataset.bulk, button.dataset.target).catch(() => {}));
}
for (const name of ["timeupdate", "seeked"]) {
  player.addEventListener(name, () => { timeline.playhead(); boxes.paint(); });
}
player.addEventListener("loadedmetadata", () => { timeline.render(); boxes.paint(); });
window.addEventListener("resize", () => { timeline.render(); boxes.paint(); });

async function start() {
  const [meta, log] = await Promise.all([api("GET", "/api/meta"), api("GET", "/api/log")]);
  state.meta = meta;
  setLog(log);
  $("log-name").textContent = meta.video_name ? `${meta.log_name} · ${meta.video_name}` : meta.log_name;
  $("threshold").textContent = `low < ${meta.threshold}`;
  $("frame-ms").textContent = `1/${Math.round(meta.fps * 100) / 100} s`;
  if (meta.video_url) player.src = meta.video_url; else { player.hidden = true; $("no-video").hidden = false; }
  editor.buildDatalists();
  render();
  if (meta.queue_url) {
    await queue.start(meta.queue_url, meta.log_name)
      .catch((error) => status(`cannot load the review queue: ${error.message}`, true));
  }
  if (state.order.length) setCurrent(state.order[0], { seek: false });
  document.body.dataset.ready = "true";
  if (!$("status").classList.contains("error")) status("ready — press ? for the keys");
}

start().catch((error) => status(`cannot load the log: ${error.message}`, true));
