// "Health": GET /api/status and /api/notifications. Inputs and how far
// behind each is, events per second, rejected lines by reason, and the
// notifications not delivered yet (pending or failed) with a button to
// deliver one again (POST /api/redeliver).

import { get, post } from "./api.js";
import { clear, el, num, say, when } from "./dom.js";

function table(cls, heads, rows) {
  return el("div", { class: "table-wrap" }, el("table", { class: cls },
    el("thead", {}, el("tr", {}, heads.map((h, i) => el("th", { class: i ? "n" : "", text: h })))),
    el("tbody", {}, rows)));
}

function notificationRow(main, n) {
  const button = el("button", { type: "button", text: "Redeliver" });
  button.addEventListener("click", async () => {
    const line = document.getElementById("status");
    try {
      await post("redeliver", { id: n.id });
      say(line, "Notification " + n.seq + " is queued again.");
      await renderHealth(main);
    } catch (e) {
      say(line, "Not done: " + e.message, true);
    }
  });
  const errors = (n.deliveries || []).filter((d) => d.state !== "delivered")
    .map((d) => d.sink + ": " + d.state + " after " + d.attempts + " attempt(s)" + (d.last_error ? " (" + d.last_error + ")" : ""));
  return el("li", { class: "card notification", "data-id": n.id },
    el("h3", {}, n.kind + " for ", el("a", { href: "#/contact/" + encodeURIComponent(n.actor), text: n.actor })),
    el("p", { class: "muted", text: n.state + " · created " + when(n.created) }),
    el("ul", {}, errors.map((e) => el("li", { text: e }))),
    el("div", { class: "actions" }, button));
}

export async function renderHealth(main) {
  const [s, pending, failed] = await Promise.all([get("status"), get("notifications", { state: "pending" }),
    get("notifications", { state: "failed" })]);
  const rejected = Object.entries(s.rejected_by_reason || {}).sort((a, b) => b[1] - a[1]);
  const outbox = [...failed, ...pending];
  clear(main).append(
    el("h1", { text: "Health" }),
    el("div", { class: "figures" },
      el("div", { class: "figure" }, el("b", { text: num(s.events_accepted) }), "events accepted"),
      el("div", { class: "figure" }, el("b", { text: num(s.events_rejected) }), "lines rejected"),
      el("div", { class: "figure" }, el("b", { text: num(s.events_per_s) }), "events per second"),
      el("div", { class: "figure" }, el("b", { text: num(s.contacts) }), "contacts"),
      el("div", { class: "figure" }, el("b", { text: s.commit_failing ? "failing" : "ok" }), "writes to the database")),
    el("h2", { text: "Inputs" }),
    table("inputs", ["file", "read", "size", "behind"], (s.inputs || []).map((i) => el("tr", {},
      el("td", { text: i.path }), el("td", { class: "n", text: num(i.offset) }), el("td", { class: "n", text: num(i.size) }),
      el("td", { class: "n", text: num(i.lag) + " bytes" })))),
    el("h2", { text: "Rejected lines by reason" }),
    rejected.length ? table("rejected", ["reason", "lines"], rejected.map(([r, n]) => el("tr", {},
      el("td", { text: r.replace(/_/g, " ") }), el("td", { class: "n", text: num(n) }))))
      : el("p", { class: "muted", text: "None." }),
    el("h2", { text: "Notifications not delivered" }),
    outbox.length ? el("ol", { class: "list" }, outbox.map((n) => notificationRow(main, n)))
      : el("p", { class: "muted", text: "None: every notification is delivered." }),
    el("p", { class: "muted", text: "Up for " + num(s.uptime_s) + " s; configuration loaded " + when(s.config_loaded) + "." }));
}
