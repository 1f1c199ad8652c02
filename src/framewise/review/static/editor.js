// Inline editing of an event (type and data fields, with suggestions) and the form of a new
// event at the player's current time. Enter saves, Escape cancels, Tab moves between fields.
import { $, h } from "./dom.js";

// drawBoxes(): enter draw mode on the new event's frame (boxes.js).
export function createEditor({ state, player, byId, render, change, drawBoxes }) {
  function coerce(text, previous) {
    if (typeof previous === "boolean" || (previous === undefined && /^(true|false)$/i.test(text))) {
      return /^(true|1|yes|y)$/i.test(text.trim());
    }
    if (typeof previous === "number" && text.trim() !== "" && Number.isFinite(Number(text))) {
      return Number(text);
    }
    return text;
  }

  function fieldsFor(type) {
    return state.meta.fields_by_type[type] || [];
  }

  function datalistId(key) {
    const index = Object.keys(state.meta.suggestions).indexOf(key);
    return index < 0 ? null : `dl-${index}`;
  }

  function editorFor(event, isNew) {
    const data = event.data || {};
    const keys = [...new Set([...Object.keys(data), ...fieldsFor(event.type)])];
    const typeInput = h("input", { name: "type", value: event.type, list: datalistId("type"),
      required: true, "aria-label": "type" });
    const inputs = keys.map((key) => h("label", {}, key,
      h("input", { "data-field": key, value: data[key] === undefined ? "" : String(data[key]),
        list: datalistId(key), "aria-label": key })));
    const newKey = h("input", { name: "new-key", placeholder: "field", "aria-label": "new field name" });
    const newValue = h("input", { name: "new-value", placeholder: "value", "aria-label": "new field value" });
    const drawn = (event.boxes || []).length;
    const draw = isNew ? h("button", { type: "button", class: "draw-boxes",
      title: "draw the missed object's box on this frame (saved with the event)" },
    drawn ? `Draw box (${drawn})` : "Draw box") : null;
    const form = h("form", { class: "editor", autocomplete: "off" },
      h("label", {}, "type", typeInput), inputs,
      h("label", {}, "+ field", newKey), h("label", {}, "value", newValue),
      h("span", { class: "actions" },
        h("button", { type: "submit" }, isNew ? "Add" : "Save"),
        h("button", { type: "button", class: "cancel" }, "Cancel"), draw));
    if (draw) {
      draw.addEventListener("click", () => {
        // Keep what was typed: the form is drawn again from the draft.
        state.draft = { ...event, type: typeInput.value.trim() || event.type, data: readFields(form, {}) };
        drawBoxes();
      });
    }
    if (isNew) {
      // A new event takes the fields usual for its type: redraw them when the type changes
      // (on Tab out of the type, so the caret lands in the first field of the new type).
      const retype = () => {
        if (typeInput.value.trim() === state.draft.type) return false;
        state.draft = { ...event, type: typeInput.value.trim(), data: readFields(form, {}) };
        render();
        focusEditor(false);
        return true;
      };
      typeInput.addEventListener("keydown", (e) => {
        if (e.key === "Tab" && !e.shiftKey && retype()) e.preventDefault();
      });
      typeInput.addEventListener("change", retype);
    }
    form.addEventListener("submit", (e) => { e.preventDefault(); saveEditor(form, event, isNew); });
    form.querySelector(".cancel").addEventListener("click", cancelEdit);
    form.addEventListener("keydown", (e) => {
      if (e.key === "Escape") { e.preventDefault(); e.stopPropagation(); cancelEdit(); }
    });
    return form;
  }

  function readFields(form, previous) {
    const data = {};
    for (const input of form.querySelectorAll("input[data-field]")) {
      const key = input.dataset.field;
      if (input.value === "" && !(key in previous)) continue;
      data[key] = coerce(input.value, previous[key]);
    }
    const newKey = form.querySelector("[name=new-key]").value.trim();
    if (newKey) data[newKey] = coerce(form.querySelector("[name=new-value]").value, undefined);
    return data;
  }

  async function saveEditor(form, event, isNew) {
    const type = form.querySelector("[name=type]").value.trim();
    const data = readFields(form, isNew ? {} : event.data || {});
    state.editing = null;
    state.draft = null;
    if (isNew) {
      const body = { type, video_offset_seconds: event.video_offset_seconds, data };
      if (event.boxes && event.boxes.length) body.boxes = event.boxes;
      await change("POST", "/api/events", body,
        (result) => { state.current = result.changed[0]; state.lastAddedType = type; });
    } else {
      const patch = { data };
      if (type !== event.type) patch.type = type;
      await change("PATCH", `/api/events/${encodeURIComponent(event.event_id)}`, patch);
    }
  }

  function cancelEdit() {
    state.editing = null;
    state.draft = null;
    render();
  }

  function startEdit() {
    if (!state.current) return;
    state.editing = state.current;
    render();
    focusEditor();
  }

  function startNew() {
    const at = state.meta.video_url ? player.currentTime : 0;
    const base = state.current ? byId(state.current) : null;
    player.pause();
    // The type last added is the likeliest (a run of missed kills), else the current event's.
    const type = state.lastAddedType || (base ? base.type : "kill");
    state.draft = { event_id: "new", type, video_offset_seconds: at,
      confidence: 1, data: {}, timestamp: "" };
    state.editing = "new";
    render();
    focusEditor(true);
  }

  // Editing starts in the first data field; a new event starts in its type (Tab accepts it).
  function focusEditor(typeFirst = false) {
    const form = document.querySelector(".editor");
    if (!form) return;
    const type = form.querySelector("[name=type]");
    const first = typeFirst ? type : form.querySelector("input[data-field]") || type;
    first.focus();
    first.select();
    form.closest("li").scrollIntoView({ block: "nearest" });
  }

  function buildDatalists() {
    const lists = Object.entries(state.meta.suggestions).map(([key, values], index) =>
      h("datalist", { id: `dl-${index}`, "data-key": key }, values.map((v) => h("option", { value: v }))));
    $("datalists").replaceChildren(...lists);
  }

  return { editorFor, startEdit, startNew, buildDatalists, focusEditor };
}
