// "A contact": GET /api/contact?actor=, the verdict and the next step in
// words, each condition as ok or not (a word and a sign, not a colour),
// the warmth and its parts, the recent engagements as markers on a time
// axis (Chart.js when /vendor/chart.js is installed, a list always), and
// the suggested note when this week's plan holds one for them.

import { get } from "./api.js";
import { clear, el, num, when } from "./dom.js";
import { timeChart } from "./charts.js";

const TYPES = ["like", "comment", "reply", "share", "mention", "message", "profile_view", "follow",
  "unfollow", "connect", "disconnect", "invite_sent", "invite_accepted", "invite_declined", "invite_withdrawn"];

function engagementsChart(recent) {
  const byType = new Map();
  for (const r of recent) {
    const t = Date.parse(r.ts);
    if (Number.isNaN(t)) continue;
    if (!byType.has(r.type)) byType.set(r.type, []);
    byType.get(r.type).push({ x: t, y: TYPES.indexOf(r.type) >= 0 ? TYPES.indexOf(r.type) : TYPES.length });
  }
  const datasets = [...byType.entries()].map(([type, data], i) => ({
    label: type.replace(/_/g, " "), data, showLine: false, pointRadius: 5,
    pointStyle: ["circle", "triangle", "rect", "rectRot", "star", "cross", "crossRot", "dash"][i % 8],
  }));
  return timeChart("Engagements over time, one marker each, by type", datasets, {
    y: { ticks: { callback: (v) => (TYPES[v] || "").replace(/_/g, " ") }, min: -0.5 },
  });
}

export async function renderContact(main, actor) {
  const [c, plan] = await Promise.all([get("contact", { actor }), get("plan").catch(() => null)]);
  const planned = plan && plan.invite.find((x) => x.actor === c.actor);
  const conditions = el("ul", { class: "conditions" }, (c.conditions || []).map((cond) =>
    el("li", { class: cond.ok ? "ok" : "not" }, el("span", { class: "sr", text: cond.ok ? "met: " : "not met: " }), cond.words)));
  const parts = Object.entries(c.warmth_parts || {}).map(([k, v]) =>
    el("tr", {}, el("td", { text: k.replace(/_/g, " ") }), el("td", { class: "n", text: num(v) }),
      el("td", { class: "n", text: c.share && c.share[k] !== undefined ? num(c.share[k]) + " %" : "–" })));
  const recent = c.recent || [];
  const rows = recent.map((r) => el("tr", {},
    el("td", { text: when(r.ts) }), el("td", { text: r.type.replace(/_/g, " ") + (r.dir === "out" ? " (by you)" : "") }),
    el("td", {}, r.title ? "“" + r.title + "”" : r.post ? "post " + r.post : "", r.text ? el("div", { class: "muted", text: r.text }) : "")));
  clear(main).append(
    el("h1", { text: c.name || c.actor }),
    el("p", { class: "muted" }, c.headline || "", c.headline ? " · " : "", (c.segment || "no segment").replace(/_/g, " "),
      " · ", c.relationship),
    el("div", { class: "card verdict" }, el("h2", { text: c.verdict || c.status }), el("p", { text: c.next || "" }),
      c.changes_at ? el("p", { class: "muted", text: "This changes on " + when(c.changes_at) + "." }) : ""),
    planned ? el("div", { class: "card" }, el("h2", { text: "The suggested note" }),
      el("p", { class: "note", text: planned.note }),
      el("p", { class: "muted", text: num(planned.note_chars) + " of " + num(planned.note_limit) + " characters" })) : "",
    el("h2", { text: "Conditions" }), conditions,
    el("h2", {}, "Warmth ", el("b", { text: num(c.warmth) })),
    el("div", { class: "table-wrap" }, el("table", {},
      el("thead", {}, el("tr", {}, el("th", { text: "from" }), el("th", { class: "n", text: "points" }),
        el("th", { class: "n", text: "share" }))), el("tbody", {}, parts))),
    el("h2", { text: "Recent engagements" }),
    recent.length ? engagementsChart(recent) : "",
    recent.length ? el("div", { class: "table-wrap" }, el("table", { class: "evidence" },
      el("thead", {}, el("tr", {}, el("th", { text: "when" }), el("th", { text: "what" }), el("th", { text: "on" }))),
      el("tbody", {}, rows))) : el("p", { class: "muted", text: "None kept." }),
    el("p", { class: "muted" }, "First seen ", when(c.first_seen), ", last seen ", when(c.last_seen), "."));
}
