// One toy: every field, and its run history (each callback it applied, from GetToyHistory).

import { call } from "./api.js";
import { badge, el, replace, statusOf, timestamp } from "./dom.js";

const FIELDS = [
  ["Id", (t) => t.id],
  ["Name", (t) => t.name],
  ["Status", (t) => badge(statusOf(t))],
  ["Units made", (t) => (t.numberManufactured || 0).toLocaleString()],
  ["Designer", (t) => t.designer || "—"],
  ["Manufacturer", (t) => t.manufacturor || "—"],
  ["Designed", (t) => timestamp(t.designTime)],
  ["Created", (t) => timestamp(t.createTime)],
  ["Updated", (t) => timestamp(t.updateTime)],
  ["Last manufactured", (t) => timestamp(t.manufactureTime)],
  ["Current run", (t) => (t.lastRun ? runName(t.lastRun) : "—")],
  ["Run message", (t) => (t.lastRun && t.lastRun.message) || "—"],
];

function runName(run) {
  const name = run.name ? `${run.namespace ? `${run.namespace}/` : ""}${run.name}` : "";
  return name ? `${name} (${run.uid})` : run.uid || "—";
}

export async function showToy(id) {
  const [got, history] = await Promise.all([
    call("GetToy", { id }),
    call("GetToyHistory", { id }).catch((error) => {
      if (error.code === "not_found") return { entries: [] };
      throw error;
    }),
  ]);
  drawToy(got.toy, history);
}

export function drawToy(toy, history) {
  document.title = `${toy.name} · toy-factory`;
  replace(document.getElementById("toy-title"), toy.name || "(unnamed)", " ", badge(statusOf(toy)));
  replace(
    document.getElementById("toy-fields"),
    FIELDS.flatMap(([label, value]) => [el("dt", {}, label), el("dd", {}, value(toy))]),
    el("dt", {}, "Link"),
    el("dd", {}, el("a", { href: location.href }, location.href)),
  );
  const rows = [];
  let previous = "";
  for (const entry of history.entries || []) {
    const state = entry.toy || {};
    const run = state.lastRun;
    const kind = (entry.type || "").replace("WATCH_EVENT_TYPE_", "");
    const key = run ? `${run.uid}|${run.phase}|${statusOf(state)}` : `none|${statusOf(state)}`;
    if (key === previous && kind === "MODIFIED") continue;
    previous = key;
    rows.push(historyRow(kind, state, run));
  }
  replace(document.getElementById("history-rows"), rows.reverse());
  document.getElementById("history-note").textContent = history.complete
    ? "Newest first, back to the toy's creation."
    : "Newest first. Older changes are no longer kept by the server.";
}

function historyRow(kind, state, run) {
  const what = kind === "ADDED" ? "created" : kind === "DELETED" ? "deleted" : "reset";
  const failures = (run && run.failures) || [];
  return el(
    "tr",
    {},
    el("td", {}, run ? runName(run) : `— (${what})`),
    el("td", {}, badge(statusOf(state))),
    el("td", {}, timestamp(run && run.creationTime)),
    el("td", {}, timestamp(run && run.startedTime)),
    el("td", {}, timestamp(run && run.finishedTime)),
    el("td", { class: "num" }, run ? (run.unitsProduced || 0).toLocaleString() : "—"),
    el(
      "td",
      {},
      failures.length
        ? el(
            "ul",
            {},
            failures.map((f) =>
              el("li", {}, el("pre", {}, `${f.displayName ? `${f.displayName}: ` : ""}${f.message || ""}`)),
            ),
          )
        : "—",
    ),
  );
}
