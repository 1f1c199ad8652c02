// Small DOM and formatting helpers of the review page (no dependencies).

export const $ = (id) => document.getElementById(id);

const KNOWN_COLORS = {
  kill: "#ff6b6b", raid_start: "#4cc38a", raid_end: "#ffb347", state_transition: "#8a93a6",
};

// Elements are built with textContent and attributes only: log values are never parsed as HTML.
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

export function colorOf(type) {
  if (KNOWN_COLORS[type]) return KNOWN_COLORS[type];
  let hash = 0;
  for (const ch of type) hash = (hash * 31 + ch.charCodeAt(0)) >>> 0;
  return `hsl(${hash % 360} 70% 62%)`;
}

export function formatOffset(seconds, decimals = 3) {
  const s = Math.max(0, seconds);
  const hours = Math.floor(s / 3600);
  const minutes = Math.floor((s % 3600) / 60);
  const rest = (s % 60).toFixed(decimals).padStart(decimals ? 3 + decimals : 2, "0");
  return `${hours}:${String(minutes).padStart(2, "0")}:${rest}`;
}

export function parseOffset(text) {
  if (!text.trim()) return null;
  const parts = text.trim().split(":").map(Number);
  if (parts.some((p) => !Number.isFinite(p) || p < 0)) return null;
  return parts.reduce((total, part) => total * 60 + part, 0);
}

export function wallTime(iso) {
  const match = /T(\d\d:\d\d:\d\d(?:\.\d+)?)/.exec(iso);
  return match ? `${match[1]}Z` : iso;
}

// The API's "detail": a one-line error, or the fields of a refused request and why.
export function detailText(detail, fallback) {
  if (typeof detail === "string") return detail;
  if (Array.isArray(detail)) {
    return detail.map((d) => `${(d.loc || []).slice(1).join(".")}: ${d.msg}`).join("; ");
  }
  return JSON.stringify(detail || fallback);
}
