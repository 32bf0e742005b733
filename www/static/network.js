// "Network": GET /api/metrics. The latest figures, then followers,
// connections and their ratio over time (the daily series) against the
// role's band, drawn as a shaded band; acceptance by segment; the cap.

import { get } from "./api.js";
import { clear, el, num, pct } from "./dom.js";
import { timeChart } from "./charts.js";

function figure(label, value) {
  return el("div", { class: "figure" }, el("b", { text: value }), label);
}

function ratio(x) {
  return typeof x === "number" ? x.toFixed(2) : "–";
}

function dayMs(d) {
  return Date.parse(d + "T12:00:00");
}

// A day's row holds the totals to that day: the share to date.
function rates(series, part, whole) {
  return series.filter((r) => r[whole] > 0).map((r) => ({ x: dayMs(r.day), y: r[part] / r[whole] }));
}

function seriesCharts(m) {
  const series = m.series || [];
  if (!series.length) return [el("p", { class: "muted", text: "No daily figures yet." })];
  const followers = series.map((r) => ({ x: dayMs(r.day), y: r.followers }));
  const connections = series.map((r) => ({ x: dayMs(r.day), y: r.connections }));
  const ratio = series.filter((r) => r.connections > 0).map((r) => ({ x: dayMs(r.day), y: r.followers / r.connections }));
  const xs = series.map((r) => dayMs(r.day));
  const lo = Math.min(...xs) - 43200000, hi = Math.max(...xs) + 43200000;
  // The band is two lines with the area between them filled: Chart.js's
  // "fill: '-1'" fills down to the previous dataset.
  const band = [
    { label: "band low (" + m.role + ")", data: [{ x: lo, y: m.target_min }, { x: hi, y: m.target_min }],
      showLine: true, pointRadius: 0, borderWidth: 1, borderDash: [4, 4], fill: false, borderColor: "#1f6b3a" },
    { label: "band high (" + m.role + ")", data: [{ x: lo, y: m.target_max }, { x: hi, y: m.target_max }],
      showLine: true, pointRadius: 0, borderWidth: 1, borderDash: [4, 4], fill: "-1", borderColor: "#1f6b3a",
      backgroundColor: "rgba(31, 107, 58, 0.15)" },
  ];
  return [
    el("h2", { text: "Followers and connections over time" }),
    timeChart("Followers and connections by day", [
      { label: "followers", data: followers, showLine: true, pointStyle: "circle" },
      { label: "connections", data: connections, showLine: true, pointStyle: "triangle" },
    ]),
    el("h2", { text: "Followers per connection over time, against the " + m.role + " band" }),
    timeChart("Ratio of followers to connections by day, with the target band shaded",
      [...band, { label: "ratio", data: ratio, showLine: true, pointStyle: "circle" }]),
    el("h2", { text: "Acceptance and conversion over time" }),
    timeChart("Share of invitations accepted and of followers who became connections, to each day", [
      { label: "invitations accepted", data: rates(series, "accepted", "invitations_sent"), showLine: true, pointStyle: "circle" },
      { label: "followers who became connections", data: rates(series, "conversions", "new_followers"), showLine: true,
        pointStyle: "triangle" },
    ], { y: { min: 0, max: 1, ticks: { callback: (v) => pct(v) } } }),
    el("div", { class: "table-wrap" }, el("table", { class: "series" },
      el("thead", {}, el("tr", {}, ...["day", "followers", "connections", "invitations", "accepted", "new followers"]
        .map((h, i) => el("th", { class: i ? "n" : "", text: h })))),
      el("tbody", {}, series.slice(-14).reverse().map((r) => el("tr", {},
        el("td", { text: r.day }), ...[r.followers, r.connections, r.invitations_sent, r.accepted, r.new_followers]
          .map((v) => el("td", { class: "n", text: num(v) }))))))),
  ];
}

export async function renderNetwork(main) {
  const m = await get("metrics");
  const segments = Object.entries(m.acceptance_by_segment || {});
  clear(main).append(
    el("h1", { text: "Network" }),
    el("div", { class: "figures" },
      figure("followers", num(m.followers)), figure("connections", num(m.connections)),
      figure("followers per connection (" + m.role + " band " + num(m.target_min) + "–" + num(m.target_max) + ": "
        + m.position + ")", ratio(m.ratio)),
      figure("of the cap of " + num(m.cap) + " connections", pct(m.cap_usage)),
      figure("invitations accepted (of " + num(m.invitations_sent) + ")", pct(m.acceptance_rate)),
      figure("followers who became connections", pct(m.conversion_rate)),
      figure("days from following to connecting (median)", num(m.median_convert_days)),
      figure("of a post's first-hour engagement came from connections (median of " + num((m.first_hour_connection_share || {}).posts)
        + " posts)", pct((m.first_hour_connection_share || {}).median))),
    m.advice ? el("p", { class: "card advice", text: m.advice }) : "",
    ...seriesCharts(m),
    el("h2", { text: "Acceptance by segment" }),
    el("div", { class: "table-wrap" }, el("table", { class: "segments" },
      el("thead", {}, el("tr", {}, ...["segment", "sent", "accepted", "declined", "withdrawn", "rate"]
        .map((h, i) => el("th", { class: i ? "n" : "", text: h })))),
      el("tbody", {}, segments.map(([s, a]) => el("tr", {}, el("td", { text: s.replace(/_/g, " ") }),
        ...[num(a.invitations_sent), num(a.accepted), num(a.declined), num(a.withdrawn), pct(a.acceptance_rate)]
          .map((v) => el("td", { class: "n", text: v }))))))));
}
