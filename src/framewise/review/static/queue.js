// The review queue panel: the frames `framewise select` picked in this log (uncertain, rare or
// flickering detections), in time order. Clicking one seeks the player there; q marks the
// current one done and goes to the next one not done. Done marks are kept in this browser
// (localStorage, per queue file and log): the queue file itself is never written.
import { $, formatOffset, h } from "./dom.js";

const STORE_PREFIX = "framewise-queue:";

// seek(seconds): move the player; status(text, isError): the status line; changed(): the
// queue or its done marks changed (the timeline draws them).
export function createQueue({ seek, status, changed }) {
  const queue = { items: [], done: new Set(), current: null, storeKey: null, name: null };

  function loadDone() {
    try {
      return new Set(JSON.parse(localStorage.getItem(queue.storeKey) || "[]"));
    } catch {
      return new Set(); // storage off, or a damaged entry: start with nothing done
    }
  }

  function saveDone() {
    try {
      localStorage.setItem(queue.storeKey, JSON.stringify([...queue.done]));
    } catch {
      // Storage off (private window): the marks last as long as the page.
    }
  }

  const byKey = (key) => queue.items.find((item) => item.key === key) || null;

  function go(key) {
    const item = byKey(key);
    if (!item) return;
    queue.current = key;
    seek(item.seconds);
    render();
  }

  function setDone(key, done) {
    if (done) queue.done.add(key); else queue.done.delete(key);
    saveDone();
    render();
  }

  // q: the current frame is reviewed; go to the next one not done (wrapping around).
  function next() {
    const count = queue.items.length;
    if (!count) { status("no review queue for this log (start with --queue)", true); return; }
    let from = 0;
    if (queue.current !== null) {
      queue.done.add(queue.current);
      saveDone();
      from = queue.items.findIndex((item) => item.key === queue.current) + 1;
    }
    for (let i = 0; i < count; i += 1) {
      const item = queue.items[(from + i) % count];
      if (!queue.done.has(item.key)) { go(item.key); return; }
    }
    queue.current = null;
    render();
    status(`queue done: all ${count} frame(s) marked done`);
  }

  function row(item) {
    const classes = ["queue-item"];
    if (queue.done.has(item.key)) classes.push("done");
    if (queue.current === item.key) classes.push("current");
    const box = h("input", { type: "checkbox", class: "queue-done", checked: queue.done.has(item.key),
      "aria-label": "done", title: "done" });
    box.addEventListener("click", (e) => { e.stopPropagation(); setDone(item.key, box.checked); });
    const reasons = Object.entries(item.reasons)
      .map(([name, value]) => `${name} ${value.toFixed(2)}`).join(" · ");
    const node = h("li", { class: classes.join(" "), "data-key": item.key, title: reasons },
      box,
      h("span", { class: "queue-time" }, formatOffset(item.seconds)),
      h("span", { class: "queue-score", title: "score" }, item.score.toFixed(2)),
      h("span", { class: "queue-reason" }, item.main_reason),
      h("span", { class: "queue-classes" }, item.classes.join(", ") || "no detection"));
    node.addEventListener("click", () => go(item.key));
    return node;
  }

  function render() {
    const list = $("queue-items");
    list.replaceChildren(...queue.items.map(row));
    const done = queue.items.filter((item) => queue.done.has(item.key)).length;
    $("queue-count").textContent = `${done}/${queue.items.length} done`;
    const current = list.querySelector(".queue-item.current");
    if (current) current.scrollIntoView({ block: "nearest" });
    changed();
  }

  async function start(url, logName) {
    const response = await fetch(url);
    const payload = await response.json().catch(() => ({}));
    if (!response.ok) throw new Error(payload.detail || response.statusText);
    queue.items = payload.items;
    queue.name = payload.queue_name;
    queue.storeKey = `${STORE_PREFIX}${payload.queue_name}|${payload.created_at}|${logName}`;
    queue.done = loadDone();
    $("queue-name").textContent = payload.queue_name;
    $("queue-pane").hidden = false;
    render();
  }

  return { queue, start, next, go };
}
