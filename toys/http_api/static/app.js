// The dashboard: a reader token if the server wants one, the toys followed live through
// WatchToys (resumed with its token after any drop), the list or one toy's page by URL.

import { ApiError, forgetToken, setToken, token, watch } from "./api.js";
import { drawChart } from "./chart.js";
import { ListView } from "./list.js";
import { showToy } from "./toy.js";

const FIRST_SCREEN = 40; // rows a tall screen shows
const toys = new Map();
const list = new ListView(toys, chartSoon);
const views = ["token-view", "list-view", "toy-view"];
const connection = document.getElementById("connection");
let resumeToken = "";
let synced = false;
const waitingForToken = []; // the watch and the toy page may both be waiting

function show(view) {
  for (const id of views) document.getElementById(id).hidden = id !== view;
}

function say(state, text) {
  connection.dataset.state = state;
  connection.textContent = text;
}

function askForToken(why) {
  show("token-view");
  document.getElementById("token-why").textContent = why;
  document.getElementById("token").focus();
  return new Promise((resolve) => waitingForToken.push(resolve));
}

document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  setToken(document.getElementById("token").value);
  document.getElementById("token").value = "";
  document.getElementById("forget-token").hidden = !token();
  for (const resolve of waitingForToken.splice(0)) resolve();
});

document.getElementById("forget-token").addEventListener("click", () => {
  forgetToken();
  location.reload();
});
document.getElementById("forget-token").hidden = !token();

function remember(toy) {
  toy._created = Date.parse(toy.createTime || 0) || 0;
  toys.set(toy.id, toy);
}

function apply(event) {
  const type = (event.type || "").replace("WATCH_EVENT_TYPE_", "");
  if (event.resumeToken) resumeToken = event.resumeToken;
  if (type === "SYNCED") {
    synced = true;
    say("live", "Live");
    list.render();
    performance.mark("toys:live");
  } else if (type === "DELETED") {
    toys.delete(event.toy.id);
  } else if (event.toy) {
    remember(event.toy);
    if (synced) list.touched(event.toy.id);
    if (synced && currentToy() === event.toy.id) refreshToy();
  }
  list.schedule();
}

async function follow() {
  let delay = 500;
  for (;;) {
    try {
      const request = resumeToken ? { resumeToken } : { sendInitial: true };
      if (!resumeToken) {
        toys.clear();
        synced = false;
      }
      let breath = performance.now();
      let read = 0;
      for await (const event of watch(request)) {
        if (resumeToken && synced && connection.dataset.state !== "live") say("live", "Live");
        delay = 500;
        apply(event);
        // A snapshot arrives faster than it is read: show its first screenful at once, then
        // let the page paint what it has every 50 ms.
        read += 1;
        if (read === FIRST_SCREEN || performance.now() - breath > 50) {
          if (read === FIRST_SCREEN) {
            list.render();
            performance.mark("toys:first-rows"); // benchmarks/dashboard_render.py reads these
          }
          await new Promise((resolve) => setTimeout(resolve, 0));
          breath = performance.now();
        }
      }
    } catch (error) {
      const code = error instanceof ApiError ? error.code : "unavailable";
      if (code === "unauthenticated" || code === "permission_denied") {
        forgetToken();
        say("reconnecting", "Waiting for a token");
        await askForToken(error.message);
        route();
        resumeToken = "";
        continue;
      }
      if (code === "out_of_range") resumeToken = ""; // too far behind: list again
      const why = code === "aborted" ? "Behind" : "Disconnected";
      say(code === "aborted" ? "behind" : "reconnecting", `${why}: ${error.message}; retrying in ${delay / 1000} s`);
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 2, 10000);
      say("reconnecting", "Reconnecting…");
    }
  }
}

function currentToy() {
  const match = location.pathname.match(/^\/toys\/(.+)$/);
  return match ? decodeURIComponent(match[1]) : "";
}

let refreshing = null;
function refreshToy() {
  clearTimeout(refreshing);
  refreshing = setTimeout(() => showToy(currentToy()).catch(() => {}), 200);
}

async function route() {
  const id = currentToy();
  if (!id) {
    document.title = "toy-factory";
    show("list-view");
    list.render();
    return;
  }
  show("toy-view");
  try {
    await showToy(id);
  } catch (error) {
    if (error.code === "unauthenticated") {
      await askForToken(error.message);
      return route();
    }
    document.getElementById("toy-title").textContent =
      error.code === "not_found" ? "No such toy" : `Cannot show this toy: ${error.message}`;
  }
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a");
  if (!link || link.origin !== location.origin || event.metaKey || event.ctrlKey) return;
  event.preventDefault();
  history.pushState({}, "", link.href);
  route();
});
window.addEventListener("popstate", route);

setInterval(() => {
  if (!document.getElementById("list-view").hidden) {
    list.schedule(false);
    drawChart(toys, document.getElementById("chart"), document.getElementById("chart-title"));
  }
}, 10000);
let charting = null;
function chartSoon() {
  if (charting) return;
  charting = setTimeout(() => {
    charting = null;
    drawChart(toys, document.getElementById("chart"), document.getElementById("chart-title"));
  }, 500);
}

route();
follow();
