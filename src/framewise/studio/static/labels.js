// The labels of one video as time spans: sorted, never overlapping, `start` inclusive and
// `end` exclusive in seconds (the `start,end,label` file the API stores). Every edit goes
// through `edit()`, which keeps a snapshot first, so Ctrl+Z undoes exactly one gesture.

const EPSILON = 1e-3; // shorter than any frame: a span thinner than this is dropped

const round = (seconds) => Math.round(seconds * 1000) / 1000; // the file keeps milliseconds

export function createLabels({ duration, changed }) {
  let spans = [];
  const history = [];
  const model = { dirty: false };

  function snapshot() {
    history.push(spans.map((span) => ({ ...span })));
    if (history.length > 200) history.shift(); // bounded: a long session never grows without end
  }

  function commit() {
    spans = spans
      .map((s) => ({ start: round(Math.max(0, s.start)), end: round(Math.min(duration(), s.end)), label: s.label }))
      .filter((s) => s.end - s.start > EPSILON)
      .sort((a, b) => a.start - b.start);
    // Two neighbours with the same label are one span in the file.
    const merged = [];
    for (const span of spans) {
      const last = merged[merged.length - 1];
      if (last && last.label === span.label && Math.abs(last.end - span.start) <= EPSILON) last.end = span.end;
      else merged.push(span);
    }
    spans = merged;
    model.dirty = true;
    changed();
  }

  // Cut [start, end) out of every span (a new span overwrites what it covers).
  function clear(start, end) {
    const kept = [];
    for (const span of spans) {
      if (span.end <= start || span.start >= end) { kept.push(span); continue; }
      if (span.start < start) kept.push({ ...span, end: start });
      if (span.end > end) kept.push({ ...span, start: end });
    }
    spans = kept;
  }

  function paint(start, end, label) {
    snapshot();
    const a = Math.max(0, Math.min(start, end));
    const b = Math.min(duration(), Math.max(start, end));
    clear(a, b);
    spans.push({ start: a, end: b, label });
    commit();
  }

  // The label changes at `seconds`: from there to the end of the span under it (or, in a gap,
  // to the next span or the end of the video) it is `label` — how people label while watching.
  function setAt(seconds, label) {
    const under = spans.find((s) => s.start <= seconds && seconds < s.end);
    const next = spans.find((s) => s.start > seconds);
    const end = under ? under.end : next ? next.start : duration();
    paint(seconds, end, label);
  }

  // Move one edge of span `index`; it stops at its neighbours and never turns inside out.
  function resize(index, edge, seconds, { record = true } = {}) {
    const span = spans[index];
    if (!span) return;
    if (record) snapshot();
    if (edge === "start") {
      const floor = index > 0 ? spans[index - 1].end : 0;
      span.start = Math.min(Math.max(seconds, floor), span.end - 0.01);
    } else {
      const ceiling = index < spans.length - 1 ? spans[index + 1].start : duration();
      span.end = Math.max(Math.min(seconds, ceiling), span.start + 0.01);
    }
    model.dirty = true;
    changed();
  }

  function remove(index) {
    if (!spans[index]) return;
    snapshot();
    spans.splice(index, 1);
    commit();
  }

  function undo() {
    if (!history.length) return false;
    spans = history.pop();
    model.dirty = true;
    changed();
    return true;
  }

  function load(rows) {
    spans = rows.map((r) => ({ start: Number(r.start), end: Number(r.end), label: String(r.label) }));
    history.length = 0;
    commit();
    model.dirty = false;
  }

  function csv() {
    return ["start,end,label", ...spans.map((s) => `${round(s.start)},${round(s.end)},${s.label}`)].join("\n") + "\n";
  }

  return Object.assign(model, {
    spans: () => spans,
    undoDepth: () => history.length,
    snapshot, commit, paint, setAt, resize, remove, undo, load, csv,
  });
}

// `start,end,label` (or the seed's `frame_index,label` is refused here: the page writes spans).
export function parseSpanCsv(text) {
  const lines = text.split(/\r?\n/).map((line) => line.trim()).filter(Boolean);
  if (!lines.length || lines[0].replace(/^\ufeff/, "") !== "start,end,label") return [];
  return lines.slice(1).map((line) => {
    const [start, end, ...rest] = line.split(",");
    return { start: Number(start), end: Number(end), label: rest.join(",") };
  }).filter((r) => Number.isFinite(r.start) && Number.isFinite(r.end) && r.label);
}
