// framewise studio: the page's state, the player, the legend of labels, the keyboard and the
// label file. Plain JavaScript modules, no build step, nothing loaded from anywhere but this
// server. Long work (extraction, datasets, training, predictions) is queued as jobs by the API
// and followed by steps.js; the labels are saved through `PUT /backend/videos/{id}/labels`,
// and the page redraws from the server's answer, so it shows what the file holds.
import { hasToken, request, setToken } from "./api.js";
import { $, colorOf, formatSeconds, h, typing } from "./dom.js";
import { createLabels } from "./labels.js";
import { createPredict } from "./predict.js";
import { createSteps, remember, remembered } from "./steps.js";
import { createTimeline } from "./timeline.js";

const player = $("player");
const DEFAULT_LABELS = ["idle", "work"]; // the seed's two labels, until the video has its own

const state = { video: null, legend: [...DEFAULT_LABELS], current: DEFAULT_LABELS[0], saves: 0 };
window.studio = state; // read by the browser tests (saves) and handy in a console

function fail(line) {
  $("error").textContent = line;
  $("error").hidden = false;
}

function clearError() {
  $("error").hidden = true;
  $("error").textContent = "";
}

function duration() {
  const fromPlayer = Number.isFinite(player.duration) ? player.duration : 0;
  return Math.max(state.video?.duration || 0, fromPlayer, 0.001);
}

function seek(seconds) {
  if (!state.video) return;
  player.currentTime = Math.max(0, Math.min(seconds, duration()));
  playhead();
}

function playhead() {
  timeline.renderPlayhead(player.currentTime);
  $("clock").textContent = formatSeconds(player.currentTime);
}

// ---- labels, their legend and keys ---------------------------------------------------------
const labels = createLabels({ duration, changed: () => labelsChanged() });
const timeline = createTimeline({
  labels, duration, seek,
  currentLabel: () => state.current,
  selected: (span) => {
    $("label-state").textContent = span ? `chosen: ${span.label} ${formatSeconds(span.start)}–${formatSeconds(span.end)} (Del deletes it)` : "";
  },
});

function labelsChanged() {
  timeline.select(null);
  for (const span of labels.spans()) addLabel(span.label, { quiet: true });
  timeline.renderLabels();
  $("undo").disabled = labels.undoDepth() === 0;
  $("save-labels").disabled = !state.video || !labels.dirty;
  if (labels.dirty) $("label-state").textContent = `unsaved changes · ${labels.spans().length} spans`;
}

// A label's letter: its first letter no label before it took (digits 1–9 work for all).
function shortcuts() {
  const taken = new Set();
  return state.legend.map((label, index) => {
    const letter = [...label.toLowerCase()].find((c) => /[a-z]/.test(c) && !taken.has(c)) || null;
    if (letter) taken.add(letter);
    return { label, digit: index < 9 ? String(index + 1) : null, letter };
  });
}

function renderLegend() {
  $("legend").replaceChildren(...shortcuts().map(({ label, digit, letter }) => h("li", {},
    h("button", {
      type: "button", "data-label": label, "aria-pressed": String(label === state.current),
      "aria-keyshortcuts": [digit, letter].filter(Boolean).join(" "),
      title: `draw with ${label}; keys ${[digit, letter].filter(Boolean).join(" or ")} set it at the playhead`,
    }, h("i", { style: `--c:${colorOf(label)}` }), label,
    h("kbd", {}, [digit, letter].filter(Boolean).join("/"))))));
}

function addLabel(label, { quiet = false } = {}) {
  if (!state.legend.includes(label)) {
    state.legend.push(label);
    renderLegend();
  } else if (!quiet) renderLegend();
}

function choose(label) {
  state.current = label;
  renderLegend();
}

$("legend").addEventListener("click", (event) => {
  const button = event.target.closest("button[data-label]");
  if (button) choose(button.dataset.label);
});

$("new-label-form").addEventListener("submit", (event) => {
  event.preventDefault();
  const input = $("new-label");
  const label = input.value.trim();
  if (!label || !input.checkValidity()) { fail("a label is letters, digits, _ or - (it becomes a CSV field)"); return; }
  clearError();
  addLabel(label);
  choose(label);
  input.value = "";
});

// ---- the video and its label file ------------------------------------------------------------
async function loadLabels() {
  const answer = await request("GET", `/backend/videos/${encodeURIComponent(state.video.id)}/labels`);
  for (const label of answer.labels || []) addLabel(label, { quiet: true });
  labels.load(answer.spans);
  labelsChanged();
  $("label-state").textContent = answer.spans.length ? `${answer.spans.length} spans from ${answer.label_file}` : "no labels yet";
}

// The upload form shows how the video's newest table was made, so extracting it again with
// new labels (step 2) reads the same frames the same way — after a reload too.
async function showSampling(video) {
  const name = (video.feature_file || "").split("/").pop();
  if (!name) return;
  let params;
  try {
    ({ params } = await request("GET", `/backend/features/${encodeURIComponent(name)}`));
  } catch {
    return; // deleted meanwhile: the form keeps what it shows
  }
  if (!params) return;
  if (params.detector) $("detector-type").value = params.detector;
  $("sample-rate").value = params.sample_rate ?? "";
  $("sample-fps").value = params.sample_rate ? "" : params.sample_fps ?? "";
}

async function setVideo(video) {
  state.video = video;
  remember({ video: video.id });
  $("video-name").textContent = `${video.filename} · ${formatSeconds(video.duration)}`;
  $("no-video").hidden = true;
  if (player.getAttribute("src") !== video.url) {
    player.src = video.url;
    await new Promise((resolve) => {
      if (player.readyState >= 1) resolve();
      player.addEventListener("loadedmetadata", resolve, { once: true });
      player.addEventListener("error", resolve, { once: true });
    });
  }
  $("total").textContent = formatSeconds(duration());
  timeline.setPredictions([], []);
  $("uncertain").replaceChildren();
  await showSampling(video);
  await loadLabels();
  timeline.render();
  playhead();
}

async function saveLabels() {
  if (!state.video) return;
  clearError();
  try {
    const answer = await request("PUT", `/backend/videos/${encodeURIComponent(state.video.id)}/labels`,
      { json: { spans: labels.spans() } });
    labels.load(answer.spans);
    labelsChanged();
    state.saves += 1;
    $("label-state").textContent = `saved ${new Date().toLocaleTimeString()} · ${answer.spans.length} spans → ${answer.label_file}`;
  } catch (error) {
    fail(`labels not saved: ${error.message}`);
  }
}

function undo() {
  if (!labels.undo()) $("label-state").textContent = "nothing to undo";
}

$("save-labels").addEventListener("click", saveLabels);
$("undo").addEventListener("click", undo);

// ---- keyboard ----------------------------------------------------------------------------------
function setLabelAtPlayhead(label) {
  choose(label);
  if (!state.video) return;
  labels.setAt(player.currentTime, label);
}

document.addEventListener("keydown", (event) => {
  if (event.key === "Escape") { $("help").hidden = true; return; }
  if (typing(event)) return;
  const ctrl = event.ctrlKey || event.metaKey;
  if (ctrl && event.key.toLowerCase() === "z") { event.preventDefault(); undo(); return; }
  if (ctrl && event.key.toLowerCase() === "s") { event.preventDefault(); saveLabels(); return; }
  if (ctrl || event.altKey) return;
  if (event.key === "?") { $("help").hidden = !$("help").hidden; return; }
  if (event.target === player) return; // the player's own controls handle its keys
  if (event.key === " " && event.target.tagName !== "BUTTON") {
    event.preventDefault();
    if (player.paused) player.play(); else player.pause();
    return;
  }
  if (event.key === "ArrowLeft" || event.key === "ArrowRight") {
    event.preventDefault();
    player.pause();
    seek(player.currentTime + (event.key === "ArrowLeft" ? -1 : 1) * (event.shiftKey ? 1 : 0.1));
    return;
  }
  if (event.key === "Enter" && event.target === $("label-track")) {
    const index = labels.spans().findIndex((s) => s.start <= player.currentTime && player.currentTime < s.end);
    timeline.select(index < 0 ? null : index);
    return;
  }
  if ((event.key === "[" || event.key === "]") && timeline.selectedIndex() !== null) {
    event.preventDefault();
    const index = timeline.selectedIndex();
    labels.resize(index, event.key === "[" ? "start" : "end", player.currentTime);
    labels.commit();
    return;
  }
  if (event.key === "Delete" || event.key === "Backspace") {
    const index = timeline.selectedIndex();
    if (index !== null) { event.preventDefault(); labels.remove(index); }
    return;
  }
  const key = event.key.toLowerCase();
  const hit = shortcuts().find((s) => s.digit === key || s.letter === key);
  if (hit) { event.preventDefault(); setLabelAtPlayhead(hit.label); }
});

$("token").addEventListener("change", () => { setToken($("token").value.trim()); clearError(); });
$("help-button").addEventListener("click", () => { $("help").hidden = !$("help").hidden; });
$("help").addEventListener("click", (event) => { if (event.target === $("help")) $("help").hidden = true; });

// ---- the player drives the playhead --------------------------------------------------------------
function follow() {
  playhead();
  if (!player.paused) window.requestAnimationFrame(follow);
}
player.addEventListener("play", follow);
player.addEventListener("seeked", playhead);
player.addEventListener("timeupdate", playhead);
player.addEventListener("loadedmetadata", () => { timeline.render(); $("total").textContent = formatSeconds(duration()); });
window.addEventListener("resize", () => timeline.render());
// Leaving with unsaved labels asks first (the browser's own dialog).
window.addEventListener("beforeunload", (event) => {
  if (labels.dirty && state.video) event.preventDefault();
});

// ---- start: the server's settings, then whatever this browser was doing before a reload --------
const steps = createSteps({
  state, fail, clearError, setVideo, labelsSpans: () => labels.spans(), unsaved: () => labels.dirty,
});
const predict = createPredict({ state, steps, timeline, seek, fail, clearError });
steps.bind();

async function resume() {
  const saved = remembered();
  if (saved.video) {
    try { await setVideo(await request("GET", `/backend/videos/${encodeURIComponent(saved.video)}`)); } catch { remember({ video: null }); }
  }
  const handlers = { ...steps.handlers, predict: predict.done };
  for (const [kind, id] of Object.entries(saved.jobs || {})) {
    if (!id || !handlers[kind]) continue;
    // A finished job's result is shown again; an unfinished one is followed to its end.
    steps.track(kind, id, handlers[kind], { resumed: true });
  }
  if (saved.model && state.video) await predict.show(saved.model, { quiet: true });
}

async function start() {
  try {
    const info = await request("GET", "/backend/info");
    $("detector-type").replaceChildren(...info.detectors.map((d) => h("option", { value: d, selected: d === "fusion" }, d)));
    $("model-type").replaceChildren(...info.model_types.map((m) => h("option", { value: m }, m)));
    $("sample-fps").placeholder = String(info.default_sample_fps);
    if (info.token_required) {
      $("token-field").hidden = false;
      if (!hasToken()) fail("this server takes changes only with its write token: enter it at the top right");
    }
    await Promise.all([steps.refreshFeatures(), steps.refreshDatasets(), steps.refreshModels()]);
    await resume();
  } catch (error) {
    fail(`the studio did not load: ${error.message}`);
  }
  renderLegend();
  timeline.render();
  document.body.dataset.ready = "true";
}

start();
