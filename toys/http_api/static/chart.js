// Toys finished per hour over the last day, or per minute over the last hour on a busy line,
// by the status they finished in: stacked bars, drawn as SVG from the toys the page holds
// (each toy counts once, at its current run's finish).

import { statusOf } from "./dom.js";

const SVG = "http://www.w3.org/2000/svg";
const FINAL = ["SUCCEEDED", "FAILED", "ERROR"];
const BUSY = 240; // finished in the last hour (4 a minute): above this, minutes

function svg(tag, attributes = {}, text) {
  const node = document.createElementNS(SVG, tag);
  for (const [name, value] of Object.entries(attributes)) node.setAttribute(name, String(value));
  if (text !== undefined) node.textContent = text;
  return node;
}

export function drawChart(toys, container, caption, now = Date.now()) {
  const finished = [];
  for (const toy of toys.values()) {
    const status = statusOf(toy);
    const at = toy.lastRun && toy.lastRun.finishedTime;
    if (FINAL.includes(status) && at) finished.push([status, Date.parse(at)]);
  }
  const lastHour = finished.filter(([, at]) => now - at < 3600e3).length;
  const minutes = lastHour > BUSY;
  const step = minutes ? 60e3 : 3600e3;
  const buckets = minutes ? 60 : 24;
  const start = Math.floor(now / step) * step - (buckets - 1) * step;
  const counts = Array.from({ length: buckets }, () => ({ SUCCEEDED: 0, FAILED: 0, ERROR: 0 }));
  for (const [status, at] of finished) {
    const index = Math.floor((at - start) / step);
    if (index >= 0 && index < buckets) counts[index][status] += 1;
  }
  const most = Math.max(1, ...counts.map((c) => c.SUCCEEDED + c.FAILED + c.ERROR));
  const total = counts.reduce((sum, c) => sum + c.SUCCEEDED + c.FAILED + c.ERROR, 0);
  caption.textContent = minutes
    ? `Toys finished per minute, last hour (${total})`
    : `Toys finished per hour, last 24 hours (${total})`;
  const width = 600;
  const height = 120;
  const bar = width / buckets;
  const chart = svg("svg", {
    viewBox: `0 0 ${width} ${height + 14}`,
    role: "img",
    "aria-label": `${caption.textContent}: ${FINAL.map(
      (s) => `${counts.reduce((n, c) => n + c[s], 0)} ${s.toLowerCase()}`,
    ).join(", ")}`,
    preserveAspectRatio: "none",
  });
  counts.forEach((count, index) => {
    let y = height;
    for (const status of FINAL) {
      if (!count[status]) continue;
      const h = (count[status] / most) * (height - 4);
      y -= h;
      const rect = svg("rect", {
        x: index * bar + 1,
        y,
        width: Math.max(1, bar - 2),
        height: h,
        class: status,
      });
      const label = new Date(start + index * step).toLocaleTimeString([], {
        hour: "2-digit",
        minute: "2-digit",
      });
      rect.append(svg("title", {}, `${label}: ${count[status]} ${status.toLowerCase()}`));
      chart.append(rect);
    }
  });
  for (const index of [0, Math.floor(buckets / 2), buckets - 1]) {
    const label = new Date(start + index * step).toLocaleTimeString([], {
      hour: "2-digit",
      minute: "2-digit",
    });
    chart.append(svg("text", { x: index * bar + 2, y: height + 12, class: "axis" }, label));
  }
  container.replaceChildren(chart);
}
