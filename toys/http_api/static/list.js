// The list of toys: counts per status, a filter and a search, and a table that renders only
// the rows in view (10,000 toys stay fast), updated in place as the watch reports changes.

import { badge, el, replace, statusOf, STATUSES, when } from "./dom.js";

const OVERSCAN = 10;

export class ListView {
  constructor(toys, onRendered = () => {}) {
    this.toys = toys; // id -> toy, kept by app.js
    this.onRendered = onRendered; // after the filtered list is rebuilt
    this.changed = new Set();
    this.status = "";
    this.query = "";
    this.shown = [];
    this.scheduled = false;
    this.rows = document.getElementById("rows");
    this.body = document.getElementById("toy-rows");
    this.counts = document.getElementById("counts");
    this.filter = document.getElementById("status-filter");
    this.search = document.getElementById("search");
    this.filter.addEventListener("change", () => this.setStatus(this.filter.value));
    this.search.addEventListener("input", () => {
      this.query = this.search.value.trim().toLowerCase();
      this.render();
    });
    this.rows.addEventListener("scroll", () => this.schedule(false));
    document.addEventListener("keydown", (event) => {
      if (event.key === "/" && document.activeElement !== this.search && !this.rows.hidden) {
        event.preventDefault();
        this.search.focus();
      }
    });
  }

  setStatus(status) {
    this.status = status;
    this.filter.value = status;
    this.render();
  }

  // A toy changed (after the first snapshot): its row is marked when next drawn.
  touched(id) {
    this.changed.add(id);
  }

  schedule(refilter = true) {
    this.dirty = this.dirty || refilter;
    if (this.scheduled) return;
    this.scheduled = true;
    requestAnimationFrame(() => {
      this.scheduled = false;
      if (this.dirty) this.render();
      else this.draw();
    });
  }

  render() {
    this.dirty = false;
    const query = this.query;
    const shown = [];
    for (const toy of this.toys.values()) {
      if (this.status && statusOf(toy) !== this.status) continue;
      if (query && !matches(toy, query)) continue;
      shown.push(toy);
    }
    shown.sort((a, b) => b._created - a._created || (a.id < b.id ? -1 : 1));
    this.shown = shown;
    this.drawCounts();
    document.getElementById("shown").textContent =
      `Showing ${shown.length.toLocaleString()} of ${this.toys.size.toLocaleString()}`;
    this.draw();
    this.onRendered();
  }

  drawCounts() {
    const counts = Object.fromEntries(STATUSES.map((status) => [status, 0]));
    for (const toy of this.toys.values()) counts[statusOf(toy)] = (counts[statusOf(toy)] || 0) + 1;
    replace(
      this.counts,
      STATUSES.map((status) =>
        el(
          "li",
          {},
          el(
            "button",
            {
              type: "button",
              "aria-pressed": this.status === status ? "true" : "false",
              title: `Show only ${status.toLowerCase()} toys`,
              onclick: () => this.setStatus(this.status === status ? "" : status),
            },
            badge(status),
            el("span", { class: "n", "data-status": status }, counts[status].toLocaleString()),
          ),
        ),
      ),
    );
  }

  draw() {
    const rowHeight = this.rowHeight();
    const first = Math.max(0, Math.floor(this.rows.scrollTop / rowHeight) - OVERSCAN);
    const visible = Math.ceil(this.rows.clientHeight / rowHeight) + 2 * OVERSCAN;
    const last = Math.min(this.shown.length, first + visible);
    const rows = [spacer(first * rowHeight)];
    for (let index = first; index < last; index++) rows.push(this.row(this.shown[index]));
    rows.push(spacer((this.shown.length - last) * rowHeight));
    replace(this.body, rows);
    this.changed.clear();
  }

  row(toy) {
    const status = statusOf(toy);
    return el(
      "tr",
      { class: this.changed.has(toy.id) ? "toy changed" : "toy", "data-id": toy.id },
      el("td", {}, el("a", { href: `/toys/${encodeURIComponent(toy.id)}` }, toy.name || "(unnamed)")),
      el("td", { "data-status": status }, badge(status)),
      el("td", { class: "num" }, (toy.numberManufactured || 0).toLocaleString()),
      el("td", { class: "wide" }, toy.designer || ""),
      el("td", { class: "wide" }, toy.manufacturor || ""),
      el("td", {}, when(toy.updateTime)),
    );
  }

  rowHeight() {
    if (!this._rowHeight) {
      const probe = parseFloat(getComputedStyle(document.documentElement).fontSize) || 15;
      this._rowHeight = Math.round(probe * 2.4);
    }
    return this._rowHeight;
  }
}

function matches(toy, query) {
  return [toy.name, toy.designer, toy.manufacturor, toy.id].some(
    (value) => value && value.toLowerCase().includes(query),
  );
}

function spacer(height) {
  // Through the CSSOM: the Content-Security-Policy refuses style attributes.
  const row = el("tr", { "aria-hidden": "true", class: "spacer" });
  row.style.height = `${height}px`;
  return row;
}
