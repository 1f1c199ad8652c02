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
  socket.onmessage = (event) => { fold(JSON.parse(event.data)); show(); };
  socket.onclose = () => {
    // The service restarted or the network dropped: read the totals again, then reconnect.
    link(false, "reconnecting");
    setTimeout(() => { snapshot(); connect(Math.min(delay * 2, 5000)); }, delay);
  };
}

snapshot().then(() => connect(500));
