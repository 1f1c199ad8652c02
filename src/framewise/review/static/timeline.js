// The timeline of the whole video: event markers by type, an activity-density strip, the
// playhead, the current event, and a time range chosen by dragging.
import { $, colorOf, formatOffset, h, parseOffset } from "./dom.js";

// pick(id): an event marker was clicked; seek(seconds): elsewhere on the timeline.
export function createTimeline({ state, player, duration, isLow, byId, pick, seek }) {
  function renderTimeline() {
    const total = duration();
    const types = [...new Set(state.log.events.map((e) => e.type))].sort();
    $("legend").replaceChildren(...types.map((type) =>
      h("span", {}, h("i", { style: `--c:${colorOf(type)}` }), type)));
    renderMarkers(total);
    renderDensity(total);
    renderRange(total);
    renderCurrentMarker();
    renderPlayhead();
    $("total").textContent = formatOffset(total, 0);
  }

  // Markers are drawn on a canvas (thousands of events stay cheap); clicks find the nearest.
  function renderMarkers(total) {
    const canvas = $("markers");
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.max(1, Math.round(canvas.clientHeight * ratio));
    canvas.width = width;
    canvas.height = height;
    const context = canvas.getContext("2d");
    for (const event of state.log.events) {
      const x = Math.round((event.video_offset_seconds / total) * width);
      context.fillStyle = colorOf(event.type);
      context.fillRect(x - ratio, 0, 2 * ratio, height);
      if (isLow(event)) {
        context.fillStyle = "#ffb347";
        context.fillRect(x - 2 * ratio, 0, 4 * ratio, 4 * ratio);
      }
    }
    // Frames of the review queue: a tick at the foot of the strip, dimmed once done.
    const queue = state.queue || { items: [], done: new Set() };
    for (const item of queue.items) {
      const x = Math.round((item.seconds / total) * width);
      context.fillStyle = queue.done.has(item.key) ? "#6b7280" : "#ffffff";
      context.fillRect(x - 2 * ratio, height - 5 * ratio, 4 * ratio, 5 * ratio);
    }
    canvas.dataset.events = String(state.log.events.length);
    canvas.dataset.queue = String(queue.items.length);
  }

  function markerAt(clientX) {
    const box = $("markers").getBoundingClientRect();
    const total = duration();
    let best = null;
    let distance = 5; // pixels
    for (const event of state.log.events) {
      const x = box.left + (event.video_offset_seconds / total) * box.width;
      if (Math.abs(x - clientX) <= distance) { best = event.event_id; distance = Math.abs(x - clientX); }
    }
    return best;
  }

  // The activity strip: events per slice of the timeline, low-confidence ones on top.
  function renderDensity(total) {
    const canvas = $("density");
    const ratio = window.devicePixelRatio || 1;
    const width = Math.max(1, Math.round(canvas.clientWidth * ratio));
    const height = Math.round(24 * ratio);
    canvas.width = width;
    canvas.height = height;
    const bins = Math.max(1, Math.floor(width / (4 * ratio)));
    const all = new Array(bins).fill(0);
    const low = new Array(bins).fill(0);
    for (const event of state.log.events) {
      const bin = Math.min(bins - 1, Math.floor((event.video_offset_seconds / total) * bins));
      all[bin] += 1;
      if (isLow(event)) low[bin] += 1;
    }
    const peak = Math.max(1, ...all);
    const context = canvas.getContext("2d");
    context.clearRect(0, 0, width, height);
    const binWidth = width / bins;
    for (let i = 0; i < bins; i += 1) {
      const full = (all[i] / peak) * height;
      const part = (low[i] / peak) * height;
      context.fillStyle = "#5aa9ff";
      context.fillRect(i * binWidth, height - full, binWidth - ratio, full);
      context.fillStyle = "#ffb347";
      context.fillRect(i * binWidth, height - part, binWidth - ratio, part);
    }
  }

  function renderRange(total) {
    const node = $("range");
    node.hidden = !state.range;
    if (!state.range) return;
    node.style.left = `${(100 * state.range[0]) / total}%`;
    node.style.width = `${(100 * (state.range[1] - state.range[0])) / total}%`;
  }

  function renderCurrentMarker() {
    const event = state.current ? byId(state.current) : null;
    $("current-marker").hidden = !event;
    if (event) $("current-marker").style.left = `${(100 * event.video_offset_seconds) / duration()}%`;
  }

  function renderPlayhead() {
    const now = state.meta?.video_url ? player.currentTime : 0;
    $("playhead").style.left = `${(100 * now) / duration()}%`;
    $("clock").textContent = formatOffset(now);
  }

  // ---- timeline mouse: click seeks (or picks a marker), drag chooses a range -------------
  function timelineSeconds(clientX) {
    const box = $("timeline").getBoundingClientRect();
    return Math.max(0, Math.min(1, (clientX - box.left) / box.width)) * duration();
  }

  function setRange(start, end, typed = false) {
    state.range = end > start ? [start, end] : null;
    if (!typed) {
      $("range-start").value = state.range ? formatOffset(start, 1) : "";
      $("range-end").value = state.range ? formatOffset(end, 1) : "";
    }
    renderRange(duration());
  }

  $("timeline").addEventListener("mousedown", (down) => {
    const startX = down.clientX;
    const start = timelineSeconds(startX);
    let dragged = false;
    const move = (e) => {
      if (Math.abs(e.clientX - startX) > 3) dragged = true;
      if (dragged) {
        const now = timelineSeconds(e.clientX);
        setRange(Math.min(start, now), Math.max(start, now));
      }
    };
    const up = (e) => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      if (dragged) return;
      const id = markerAt(e.clientX);
      if (id) pick(id); else seek(start);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
  });

  for (const input of [$("range-start"), $("range-end")]) {
    input.addEventListener("change", () => {
      const start = parseOffset($("range-start").value);
      const end = parseOffset($("range-end").value);
      state.range = null;
      if (start !== null && end !== null) setRange(start, end, true); else renderRange(duration());
    });
  }

  return { render: renderTimeline, playhead: renderPlayhead, current: renderCurrentMarker };
}
