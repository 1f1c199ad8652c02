// Boxes drawn on an event a reviewer added (a false negative of the model): `framewise export`
// labels the event's frame with them. Draw mode (b on such an event, or "Draw box" in a new
// event's form) pauses the player on the event's frame and lays a layer over the picture: drag
// a rectangle, pick its class (the last one used comes first), × deletes one; Enter saves,
// Esc cancels. Boxes are kept in video pixels (the decoded frame's size, from the server) and
// drawn scaled to the picture on screen, which object-fit letterboxes inside the element.
import { $, colorOf, formatOffset, h } from "./dom.js";

const MIN_DRAG = 4; // screen pixels: a shorter drag is a click, not a box

// seek(seconds): move the player; change(...): an API change; status(text, isError): the
// status line; render(): redraw the page; focusEditor(): back to the new event's form.
export function createBoxes({ state, player, byId, seek, change, status, render, focusEditor }) {
  const layer = $("box-layer");
  // target: an event id or "new" (the draft); boxes: being edited; chosen: index of the box the
  // class list applies to; model: the model's boxes on the nearest journaled frame.
  const draw = { target: null, boxes: [], chosen: -1, model: [], modelAt: null, drag: null };
  state.drawing = draw; // read by the browser tests
  let lastLabel = null;

  const frameSize = () => [state.meta.video_width || player.videoWidth,
    state.meta.video_height || player.videoHeight];
  const isAdded = (event) => Boolean(event && event.added_by_reviewer);
  const active = () => draw.target !== null;

  // The picture's rectangle inside the player element, in CSS pixels from the element's
  // padding box: object-fit "contain" (video's default) letterboxes it, "fill" stretches it.
  function picture() {
    const vw = player.videoWidth;
    const vh = player.videoHeight;
    const cw = player.clientWidth;
    const ch = player.clientHeight;
    if (!vw || !vh || !cw || !ch) return null;
    if (getComputedStyle(player).objectFit === "fill") return { left: 0, top: 0, width: cw, height: ch };
    const scale = Math.min(cw / vw, ch / vh);
    const width = vw * scale;
    const height = vh * scale;
    return { left: (cw - width) / 2, top: (ch - height) / 2, width, height };
  }

  // The layer sits exactly on the picture; boxes inside it are placed in percent of the frame.
  function place() {
    const shown = picture();
    if (!shown) return false;
    layer.style.left = `${player.offsetLeft + player.clientLeft + shown.left}px`;
    layer.style.top = `${player.offsetTop + player.clientTop + shown.top}px`;
    layer.style.width = `${shown.width}px`;
    layer.style.height = `${shown.height}px`;
    return true;
  }

  function labels() {
    const names = [...(state.meta.box_labels || [])];
    for (const event of state.log.events) {
      for (const box of event.boxes || []) if (!names.includes(box.label)) names.push(box.label);
    }
    for (const box of draw.boxes) if (!names.includes(box.label)) names.push(box.label);
    if (lastLabel && !names.includes(lastLabel)) names.push(lastLabel);
    return names;
  }

  function boxNode(box, index, kind) {
    const [fw, fh] = frameSize();
    const [x1, y1, x2, y2] = box.xyxy;
    const classes = ["dbox", kind];
    if (kind === "drawn" && index === draw.chosen) classes.push("chosen");
    const text = kind === "model" ? `model: ${box.label} ${box.confidence.toFixed(2)}` : box.label;
    const node = h("div", {
      class: classes.join(" "), "data-index": kind === "drawn" ? index : null,
      "data-label": box.label, title: text,
      style: `--c:${colorOf(box.label)};left:${(x1 / fw) * 100}%;top:${(y1 / fh) * 100}%;`
        + `width:${((x2 - x1) / fw) * 100}%;height:${((y2 - y1) / fh) * 100}%`,
    }, h("span", { class: "dbox-label" }, text));
    if (kind === "drawn" && active()) {
      const remove = h("button", { type: "button", class: "dbox-del", title: "delete this box (Del)",
        "aria-label": `delete box ${index + 1}` }, "×");
      remove.addEventListener("pointerdown", (e) => e.stopPropagation());
      remove.addEventListener("click", (e) => { e.stopPropagation(); removeBox(index); });
      node.append(remove);
    }
    return node;
  }

  // Draws the layer: in draw mode the boxes being edited (and the model's), otherwise the
  // boxes of the current event while the player shows its frame.
  function paint() {
    if (draw.target === "new" && !state.draft) stop(); // the new event's form was cancelled
    let shown = [];
    let model = [];
    if (active()) {
      shown = draw.boxes;
      model = draw.model;
    } else {
      const event = state.current ? byId(state.current) : null;
      const step = 0.5 / (state.meta.fps || 30);
      if (event && event.boxes && event.boxes.length && state.meta.video_url
        && Math.abs(player.currentTime - event.video_offset_seconds) <= step) shown = event.boxes;
    }
    const visible = (active() || shown.length > 0) && place();
    layer.hidden = !visible;
    layer.classList.toggle("drawing", active());
    layer.dataset.boxes = String(shown.length);
    if (!visible) { layer.replaceChildren(); return; }
    layer.replaceChildren(
      ...model.map((box, i) => boxNode(box, i, "model")),
      ...shown.map((box, i) => boxNode(box, i, "drawn")),
      ...(draw.drag && draw.drag.node ? [draw.drag.node] : []));
  }

  function renderBar() {
    const bar = $("box-bar");
    bar.hidden = !active();
    if (!active()) return;
    const event = draw.target === "new" ? state.draft : byId(draw.target);
    const at = event ? event.video_offset_seconds : player.currentTime;
    $("box-target").textContent = `${draw.target === "new" ? "new event" : draw.target}`
      + ` (${event ? event.type : "?"}) at ${formatOffset(at)}`;
    const select = $("box-label");
    const current = draw.boxes[draw.chosen]?.label || lastLabel;
    select.replaceChildren(...labels().map((name) =>
      h("option", { value: name, selected: name === current }, name)));
    if (current) select.value = current;
    $("box-count").textContent = `${draw.boxes.length} box(es)`;
    $("box-model").textContent = draw.modelAt === null ? ""
      : `dashed: the model's ${draw.model.length} box(es) at ${formatOffset(draw.modelAt)}`;
  }

  function update() { paint(); renderBar(); }

  function choose(index) {
    draw.chosen = index;
    update();
  }

  function removeBox(index) {
    draw.boxes.splice(index, 1);
    draw.chosen = Math.min(draw.chosen, draw.boxes.length - 1);
    update();
  }

  // The class of new boxes: the last one used, else the first the model knows.
  function defaultLabel() {
    return lastLabel || $("box-label").value || labels()[0] || "";
  }

  function setLabel(name) {
    const label = name.trim();
    if (!label) return;
    lastLabel = label;
    if (draw.boxes[draw.chosen]) draw.boxes[draw.chosen].label = label;
    update();
  }

  // Screen point → video pixels (clamped to the frame).
  function toVideo(clientX, clientY) {
    const rect = layer.getBoundingClientRect();
    const [fw, fh] = frameSize();
    const x = ((clientX - rect.left) / rect.width) * fw;
    const y = ((clientY - rect.top) / rect.height) * fh;
    return [Math.min(fw, Math.max(0, x)), Math.min(fh, Math.max(0, y))];
  }

  function dragBox(drag) {
    const [ax, ay] = drag.from;
    const [bx, by] = drag.to;
    return [Math.min(ax, bx), Math.min(ay, by), Math.max(ax, bx), Math.max(ay, by)];
  }

  layer.addEventListener("pointerdown", (e) => {
    if (!active() || e.button !== 0) return;
    e.preventDefault();
    layer.setPointerCapture(e.pointerId);
    const from = toVideo(e.clientX, e.clientY);
    const node = h("div", { class: "dbox drawn dragging", style: "--c:#ffffff" });
    draw.drag = { from, to: from, x: e.clientX, y: e.clientY, node };
  });

  layer.addEventListener("pointermove", (e) => {
    if (!draw.drag) return;
    draw.drag.to = toVideo(e.clientX, e.clientY);
    const [fw, fh] = frameSize();
    const [x1, y1, x2, y2] = dragBox(draw.drag);
    draw.drag.node.style.cssText = `--c:#ffffff;left:${(x1 / fw) * 100}%;top:${(y1 / fh) * 100}%;`
      + `width:${((x2 - x1) / fw) * 100}%;height:${((y2 - y1) / fh) * 100}%`;
    if (!draw.drag.node.isConnected) layer.append(draw.drag.node);
  });

  function endDrag(e) {
    const drag = draw.drag;
    if (!drag) return;
    draw.drag = null;
    drag.to = toVideo(e.clientX, e.clientY);
    const [x1, y1, x2, y2] = dragBox(drag);
    const far = Math.abs(e.clientX - drag.x) >= MIN_DRAG && Math.abs(e.clientY - drag.y) >= MIN_DRAG;
    if (far && x2 > x1 && y2 > y1) {
      const round = (v) => Math.round(v * 100) / 100;
      draw.boxes.push({ label: defaultLabel(), xyxy: [x1, y1, x2, y2].map(round) });
      draw.chosen = draw.boxes.length - 1;
    } else if (!far) {
      // A click chooses the smallest box under it (boxes nest: a drag inside one draws).
      const [x, y] = drag.to;
      const area = (b) => (b.xyxy[2] - b.xyxy[0]) * (b.xyxy[3] - b.xyxy[1]);
      let best = -1;
      draw.boxes.forEach((b, i) => {
        const inside = b.xyxy[0] <= x && x <= b.xyxy[2] && b.xyxy[1] <= y && y <= b.xyxy[3];
        if (inside && (best < 0 || area(b) < area(draw.boxes[best]))) best = i;
      });
      if (best >= 0) draw.chosen = best;
    }
    update();
  }
  layer.addEventListener("pointerup", endDrag);
  layer.addEventListener("pointercancel", () => { draw.drag = null; update(); });

  async function loadModelBoxes(seconds) {
    draw.model = [];
    draw.modelAt = null;
    try {
      const response = await fetch(`/api/journal-boxes?seconds=${encodeURIComponent(seconds)}`);
      if (!response.ok) return;
      const found = await response.json();
      if (draw.target === null) return; // left draw mode meanwhile
      draw.model = found.boxes;
      draw.modelAt = found.seconds;
      update();
    } catch {
      // The model's boxes are a guide only: drawing works without them.
    }
  }

  // Enter draw mode on an added event (id) or on the new event's draft ("new").
  function start(target) {
    if (!state.meta.video_url) { status("boxes are drawn on the video: pass --video", true); return; }
    const event = target === "new" ? state.draft : byId(target);
    if (!event || (target !== "new" && !isAdded(event))) {
      status("boxes are drawn on events you added (n adds one): export labels the model's "
        + "events with the model's own boxes", true);
      return;
    }
    player.pause();
    seek(event.video_offset_seconds);
    draw.target = target;
    draw.boxes = (event.boxes || []).map((box) => ({ label: box.label, xyxy: [...box.xyxy] }));
    draw.chosen = draw.boxes.length - 1;
    update();
    status("drag on the video to draw a box · pick its class · Enter saves · Esc cancels");
    loadModelBoxes(event.video_offset_seconds);
  }

  function stop() {
    draw.target = null;
    draw.boxes = [];
    draw.model = [];
    draw.modelAt = null;
    draw.drag = null;
    renderBar();
  }

  async function save() {
    if (!active()) return;
    const target = draw.target;
    const boxes = draw.boxes.map((box) => ({ label: box.label, xyxy: box.xyxy }));
    if (boxes.some((box) => !box.label)) { status("pick a class for every box", true); return; }
    if (target === "new") {
      // Saved with the new event (its form's Add button): back to the form.
      if (state.draft) state.draft = { ...state.draft, boxes };
      stop();
      render();
      focusEditor();
      status(`${boxes.length} box(es) will be saved with the new event`);
      return;
    }
    stop();
    paint();
    await change("PATCH", `/api/events/${encodeURIComponent(target)}`, { boxes });
  }

  function cancel() {
    const wasNew = draw.target === "new";
    stop();
    paint();
    if (wasNew) { render(); focusEditor(); }
    status("boxes not changed");
  }

  // A reviewer-added event's "Draw box" button in the list (pick(): make it current first);
  // the model's own events get none: export labels their frames with the model's boxes.
  function button(event, pick) {
    if (!isAdded(event)) return null;
    const node = h("button", { type: "button", class: "draw-boxes", title: "draw boxes on its frame (b)" },
      "Draw box");
    node.addEventListener("click", (e) => {
      e.stopPropagation();
      pick();
      start(event.event_id);
    });
    return node;
  }

  const KEYS = new Set(["Escape", "Enter", "b", "Delete", "Backspace", "Tab"]);
  const handles = (name) => KEYS.has(name);

  // Keys while drawing (other shortcuts would move the player off the event's frame).
  function key(e) {
    if (e.key === "Escape") cancel();
    else if (e.key === "Enter" || e.key === "b") return save();
    else if ((e.key === "Delete" || e.key === "Backspace") && draw.chosen >= 0) removeBox(draw.chosen);
    else if (e.key === "Tab" && draw.boxes.length) {
      choose((draw.chosen + (e.shiftKey ? draw.boxes.length - 1 : 1)) % draw.boxes.length);
    } else return undefined;
    return undefined;
  }

  $("box-label").addEventListener("change", () => { setLabel($("box-label").value); $("box-label").blur(); });
  $("box-new-label").addEventListener("keydown", (e) => {
    if (e.key !== "Enter") return;
    e.preventDefault();
    e.stopPropagation();
    setLabel(e.target.value);
    e.target.value = "";
    e.target.blur();
  });
  $("box-save").addEventListener("click", () => save().catch(() => {}));
  $("box-cancel").addEventListener("click", cancel);

  const toggle = () => (active() ? save() : start(state.current));
  return { active, start, save, cancel, key, handles, paint, button, toggle };
}
