// framewise live overlay: folds the /ws event messages into state, map, kills this raid and
// session K/D, the same way framewise.live.messages.Tally does on the server (whose /stats
// gives the starting values, so a page reloaded mid-session shows the session so far).
"use strict";

const tally = { state: null, map_name: null, raid_kills: 0, kills: 0, deaths: 0 };

function fold(message) {
  const data = message.data || {};
  switch (message.type) {
    case "raid_start":
      tally.raid_kills = 0;
      tally.map_name = data.map_name || tally.map_name;
      tally.state = "raid";
      break;
    case "kill":
      tally.kills += 1;
      tally.raid_kills += 1;
      break;
    case "death":
      tally.deaths += 1;
      tally.state = "killed";
      break;
    case "extraction":
      tally.state = "survived";
      break;
    case "state_transition":
    case "match_found":
      tally.state = data.to_state || tally.state;
      break;
    default:
      break;
  }
}

function show() {
  const kd = tally.deaths ? (tally.kills / tally.deaths).toFixed(2) : String(tally.kills);
  document.getElementById("state").textContent = (tally.state || "–").replace(/_/g, " ");
  document.getElementById("map").textContent = tally.map_name || "–";
  document.getElementById("raid-kills").textContent = String(tally.raid_kills);
  document.getElementById("kd").textContent = `${kd} (${tally.kills}/${tally.deaths})`;
}

function link(up, text) {
  const node = document.getElementById("link");
  node.className = up ? "up" : "down";
  node.textContent = text;
}

async function snapshot() {
  try {
    const stats = await (await fetch("/stats")).json();
    Object.assign(tally, {
      state: stats.tally.state,
      map_name: stats.tally.map_name,
      raid_kills: stats.tally.raid_kills,
      kills: stats.tally.kills,
      deaths: stats.tally.deaths,
    });
    show();
  } catch (error) {
    link(false, "no stats");
  }
}

function connect(delay) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  const socket = new WebSocket(`${scheme}://${location.host}/ws`);
  socket.onopen = () => { link(true, "live"); delay = 500; };
  socket.onmessage = (event) => {
    const message = JSON.parse(event.data);
    fold(message);
    show();
    if (["kill", "raid_end", "death", "extraction"].includes(message.type)) {
      setTimeout(sessionPanel, 1500); // the store writer sends it from its own thread
    }
  };
  socket.onclose = () => {
    // The service restarted or the network dropped: read the totals again, then reconnect.
    link(false, "reconnecting");
    setTimeout(() => { snapshot(); connect(Math.min(delay * 2, 5000)); }, delay);
  };
}

const SESSION_REFRESH_MS = 15000;

function minutes(seconds) {
  return seconds ? `${(seconds / 60).toFixed(1)} min` : "–";
}

async function sessionPanel() {
  // The session's figures from the event store the service writes to (/stats names it);
  // the store answers any origin, so the page reads them from there directly.
  const panel = document.getElementById("session-panel");
  try {
    const store = (await (await fetch("/stats")).json()).store;
    if (!store || !store.url) {
      panel.hidden = true;
      return;
    }
    const path = store.session_id ? `session/${store.session_id}` : "session/current";
    const response = await fetch(`${store.url}/api/stats/${path}`, { cache: "no-store" });
    if (!response.ok) throw new Error(`HTTP ${response.status}`);
    const s = await response.json();
    document.getElementById("s-raids").textContent = String(s.total_raids);
    document.getElementById("s-survived").textContent = s.total_raids
      ? `${s.survived_raids} (${Math.round(s.survival_rate * 100)}%)` : "–";
    document.getElementById("s-kills").textContent = String(s.total_kills);
    document.getElementById("s-kd").textContent = s.kd_ratio.toFixed(2);
    document.getElementById("s-avg").textContent = minutes(s.avg_raid_duration_seconds);
    panel.dataset.session = String(s.session_id);
    panel.hidden = false;
  } catch (error) {
    panel.hidden = true; // no session yet, or the store is down: the panel waits for the next try
  }
}

snapshot().then(() => connect(500));
sessionPanel();
setInterval(sessionPanel, SESSION_REFRESH_MS);
