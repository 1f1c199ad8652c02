// The timeline beside the video: a ruler, the label track (drag on it to draw a span with the
// current label, drag a span's edge to resize it, click to seek), the model's smoothed
// predictions on a second track, the uncertain spans marked on it, and the playhead.
import { $, colorOf, formatSeconds, h } from "./dom.js";

const DRAG_PIXELS = 4; // less than this between press and release is a click, not a drag

export function createTimeline({ labels, duration, seek, currentLabel, selected }) {
  const track = $("label-track");
  const state = { predictions: [], uncertain: [], selected: null, ghost: null };

  function percent(seconds) {
    return `${(100 * Math.max(0, Math.min(seconds, duration()))) / duration()}%`;
  }

  function secondsAt(clientX, element = track) {
    const box = element.getBoundingClientRect();
    return Math.max(0, Math.min(1, (clientX - box.left) / box.width)) * duration();
  }

  function place(node, start, end) {
    node.style.left = percent(start);
    node.style.width = `calc(${percent(end)} - ${percent(start)})`;
    return node;
  }

  function renderRuler() {
    const total = duration();
    const step = [0.5, 1, 2, 5, 10, 30, 60, 120, 300].find((s) => total / s <= 12) || 600;
    const ticks = [];
    for (let t = 0; t < total - step / 3; t += step) { // no tick squeezed against the end
      ticks.push(h("span", { class: "tick", style: `left:${percent(t)}` }, formatSeconds(t, step < 1 ? 1 : 0)));
    }
    $("ruler").replaceChildren(...ticks);
  }

  function renderLabels() {
    const nodes = labels.spans().map((span, index) => place(h("div", {
      class: `span${state.selected === index ? " selected" : ""}`,
      style: `--c:${colorOf(span.label)}`,
      "data-index": index, "data-label": span.label,
      "data-start": span.start, "data-end": span.end, role: "listitem",
      "aria-label": `${span.label} from ${formatSeconds(span.start)} to ${formatSeconds(span.end)}`,
      "aria-current": state.selected === index ? "true" : null,
      title: `${span.label} ${formatSeconds(span.start)}–${formatSeconds(span.end)}`,
    },
    h("span", { class: "edge start", "data-edge": "start", "aria-hidden": "true" }),
    h("span", { class: "span-name" }, span.label),
    h("span", { class: "edge end", "data-edge": "end", "aria-hidden": "true" })), span.start, span.end));
    if (state.ghost) {
      const [a, b] = state.ghost;
      nodes.push(place(h("div", { class: "span ghost", style: `--c:${colorOf(currentLabel())}` }), Math.min(a, b), Math.max(a, b)));
    }
    track.replaceChildren(...nodes);
    track.dataset.spans = String(labels.spans().length);
  }

  function renderPredictions() {
    const segments = state.predictions.map((s) => place(h("div", {
      class: "segment", style: `--c:${colorOf(s.label)};--a:${0.35 + 0.65 * (s.confidence ?? 1)}`,
      "data-label": s.label, title: `${s.label} (${Math.round(100 * (s.confidence ?? 1))}%)`, role: "listitem",
      "aria-label": `model: ${s.label} from ${formatSeconds(s.start)} to ${formatSeconds(s.end)}, ${Math.round(100 * (s.confidence ?? 1))}% sure`,
    }, h("span", { class: "span-name" }, s.label)), s.start, s.end));
    const marks = state.uncertain.map((u, index) => place(h("div", {
      class: "doubt", "data-index": index, title: `${u.reason || "uncertain"} ${formatSeconds(u.start)}`,
    }), u.start, u.end));
    $("predict-track").replaceChildren(...segments, ...marks);
    $("predict-track").dataset.segments = String(state.predictions.length);
  }

  function renderPlayhead(seconds) {
    $("playhead").style.left = percent(seconds);
  }

  function render() {
    renderRuler();
    renderLabels();
    renderPredictions();
  }

  // ---- mouse on the label track ------------------------------------------------------------
  function dragEdge(down, index, edge) {
    labels.snapshot(); // one undo step for the whole drag
    const move = (e) => labels.resize(index, edge, secondsAt(e.clientX), { record: false });
    const up = () => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      labels.commit();
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
    down.preventDefault();
  }

  function dragNew(down) {
    const start = secondsAt(down.clientX);
    const startX = down.clientX;
    let dragged = false;
    const move = (e) => {
      if (Math.abs(e.clientX - startX) >= DRAG_PIXELS) dragged = true;
      if (!dragged) return;
      state.ghost = [start, secondsAt(e.clientX)];
      renderLabels();
    };
    const up = (e) => {
      window.removeEventListener("mousemove", move);
      window.removeEventListener("mouseup", up);
      state.ghost = null;
      if (dragged) {
        const end = secondsAt(e.clientX);
        labels.paint(Math.min(start, end), Math.max(start, end), currentLabel());
        return;
      }
      const hit = down.target.closest(".span");
      select(hit ? Number(hit.dataset.index) : null);
      seek(start);
    };
    window.addEventListener("mousemove", move);
    window.addEventListener("mouseup", up);
    down.preventDefault();
  }

  track.addEventListener("mousedown", (down) => {
    if (down.button !== 0) return;
    track.focus();
    const edge = down.target.closest(".edge");
    if (edge) dragEdge(down, Number(edge.parentElement.dataset.index), edge.dataset.edge);
    else dragNew(down);
  });

  for (const id of ["ruler", "predict-track"]) {
    $(id).addEventListener("click", (e) => seek(secondsAt(e.clientX, $(id))));
  }

  function select(index) {
    state.selected = index;
    renderLabels();
    selected(index === null ? null : labels.spans()[index]);
  }

  return {
    render, renderLabels, renderPlayhead, select,
    selectedIndex: () => state.selected,
    setPredictions(segments, uncertain) {
      state.predictions = segments;
      state.uncertain = uncertain;
      renderPredictions();
    },
  };
}
