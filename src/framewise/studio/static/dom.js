// Small DOM and formatting helpers of the studio page (no dependencies, nothing downloaded).

export const $ = (id) => document.getElementById(id);

// Elements are built with textContent and attributes only: names from the server (labels,
// file names, error messages) are never parsed as HTML.
export function h(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (key === "class") node.className = value;
    else if (key === "style") node.style.cssText = value;
    else if (key === "value" || key === "checked") node[key] = value; // live properties
    else if (value === true) node.setAttribute(key, "");
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

// A few fixed colours for the seed's labels and the task-label files; others get a stable
// hue from their name, so a label keeps its colour across reloads and tracks.
const KNOWN_COLORS = {
  idle: "#8a93a6", work: "#4cc38a", walk: "#5aa9ff", absent: "#6b5b95",
};

export function colorOf(label) {
  if (KNOWN_COLORS[label]) return KNOWN_COLORS[label];
  let hash = 0;
  for (const ch of label) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 65% 60%)`;
}

export function formatSeconds(seconds, decimals = 2) {
  const s = Math.max(0, seconds);
  const minutes = Math.floor(s / 60);
  const rest = (s % 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, "0");
  return `${minutes}:${rest}`;
}

export function formatNumber(value, digits = 3) {
  return typeof value === "number" && Number.isFinite(value) ? value.toFixed(digits) : "–";
}

// Focus is in a text field: typed letters and digits belong to it, not to the shortcuts.
export function typing(event) {
  const target = event.target;
  if (!(target instanceof HTMLElement)) return false;
  return target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName);
}
