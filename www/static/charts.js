// Charts with Chart.js (Debian's libjs-chart.js, served at /vendor/chart.js
// as a classic script that defines window.Chart). Without it, or before it
// loads, a chart is a sentence saying so: every figure a chart shows is
// also on the page as text.

import { el } from "./dom.js";

const PALETTE = ["#1d5fa8", "#c0580e", "#1f6b3a", "#7b3fa0", "#a1261b", "#4d6b7a", "#8a6d00", "#d14d8a"];

// A chart over a time axis of milliseconds; datasets hold {x, y} points.
// Chart.js 3 needs a date adapter for its "time" scale, which Debian does
// not ship, so the axis is linear and its ticks are formatted as dates.
export function timeChart(label, datasets, scales, plugins) {
  const canvas = el("canvas", { role: "img", "aria-label": label });
  const box = el("div", { class: "chart" }, canvas);
  if (!window.Chart) {
    box.replaceChildren(el("p", { class: "muted", text: "(The chart needs Chart.js: install libjs-chart.js.)" }));
    return box;
  }
  // Chart.js 3 draws every dataset grey unless told; the markers also
  // differ in shape, so the series are told apart without colour.
  datasets.forEach((d, i) => {
    const colour = PALETTE[i % PALETTE.length];
    if (!d.borderColor) d.borderColor = colour;
    if (!d.backgroundColor) d.backgroundColor = colour;
  });
  const fmt = (v) => new Date(v).toLocaleDateString(undefined, { day: "numeric", month: "short" });
  // The chart is made once the canvas is in the page, so it has a size.
  queueMicrotask(() => {
    new window.Chart(canvas, {
      type: "scatter",
      data: { datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false,
        scales: { x: { type: "linear", ticks: { callback: fmt, maxTicksLimit: 6 } }, ...(scales || {}) },
        plugins: {
          tooltip: { callbacks: { title: (items) => items.length ? new Date(items[0].parsed.x).toLocaleString() : "" } },
          ...(plugins || {}),
        },
      },
    });
  });
  return box;
}
