// "This week", the landing page: the plan of GET /api/plan in four
// parts (invite now, held by the budget, engage with first, withdraw),
// with the buttons that change a contact's state. After a change the
// plan is fetched again, so what the page shows is what the daemon holds.

import { get, hasToken, post } from "./api.js";
import { clear, day, el, num, say } from "./dom.js";

function status(text, isError) {
  say(document.getElementById("status"), text, isError);
}

function contactLink(c) {
  return el("a", { href: "#/contact/" + encodeURIComponent(c.actor), text: c.name || c.actor });
}

function segmentWords(s) {
  return s ? s.replace(/_/g, " ") : "no segment";
}

// A change, then the plan again; the message says what was done. The
// button pressed is gone with its card, so the keyboard's focus moves to
// the card that took its place (or to the page), not to the document's top.
async function change(main, path, body, done) {
  try {
    await post(path, body);
    status(done);
    const cards = [...main.querySelectorAll("li.invite")];
    const at = cards.findIndex((li) => li.dataset.actor === body.actor);
    await renderWeek(main);
    const next = main.querySelectorAll("li.invite a")[Math.max(at, 0)];
    (next || main).focus();
  } catch (e) {
    status("Not done: " + e.message + (e.status === 403 ? " (open the address warmthctl dashboard prints)" : ""), true);
  }
}

function copyButton(note) {
  const button = el("button", { type: "button", text: "Copy the note" });
  button.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(note);
      status("The note is copied.");
    } catch (e) {
      status("Could not copy: select the note and copy it by hand.", true);
    }
  });
  return button;
}

// Why this contact is ready: the conditions of GET /api/contact, read only
// when asked for (the plan does not carry them).
function reasons(c) {
  const details = el("details", {}, el("summary", { text: "Why now" }));
  const list = el("ul");
  details.append(list);
  details.addEventListener("toggle", async () => {
    if (!details.open || list.childElementCount) return;
    try {
      const show = await get("contact", { actor: c.actor, account: c.account });
      for (const cond of show.conditions || []) if (cond.ok) list.append(el("li", { text: cond.words }));
      if (show.next) list.append(el("li", { text: show.next }));
    } catch (e) {
      list.append(el("li", { class: "error", text: e.message }));
    }
  });
  return details;
}

function snoozeControls(main, c) {
  const id = "snooze-" + c.actor.replace(/[^A-Za-z0-9_-]/g, "_");
  const select = el("select", { id, "aria-label": "Snooze " + (c.name || c.actor) + " for" },
    el("option", { value: "3d", text: "3 days" }), el("option", { value: "7d", text: "1 week" }),
    el("option", { value: "14d", text: "2 weeks" }), el("option", { value: "30d", text: "30 days" }));
  const button = el("button", { type: "button", text: "Snooze" });
  button.addEventListener("click", () => change(main, "snooze",
    { actor: c.actor, account: c.account, duration: select.value },
    (c.name || c.actor) + " is snoozed for " + select.selectedOptions[0].textContent + "."));
  return [select, button];
}

function inviteItem(main, c) {
  const over = c.note_chars > c.note_limit;
  const invited = el("button", { type: "button", class: "primary", text: "Invited" });
  invited.addEventListener("click", () => change(main, "mark",
    { actor: c.actor, account: c.account, state: "invited" }, (c.name || c.actor) + " is marked invited."));
  const dismiss = el("button", { type: "button", text: "Not interested" });
  dismiss.addEventListener("click", () => change(main, "mark",
    { actor: c.actor, account: c.account, state: "dismissed" }, (c.name || c.actor) + " is dismissed."));
  return el("li", { class: "card invite", "data-actor": c.actor },
    el("h3", {}, contactLink(c)),
    el("p", { class: "muted" }, segmentWords(c.segment), " · warmth ", num(c.warmth),
      c.notified ? " · already notified" : ""),
    el("p", { class: "note", text: c.note || "" }),
    el("p", { class: over ? "chars over" : "chars muted" },
      num(c.note_chars) + " of " + num(c.note_limit) + " characters" + (over ? ": too long, shorten it" : "")),
    reasons(c),
    el("div", { class: "actions" }, copyButton(c.note || ""), invited, ...snoozeControls(main, c), dismiss));
}

function heldItem(c) {
  return el("li", { class: "card held" }, el("h3", {}, contactLink(c)),
    el("p", {}, segmentWords(c.segment), " · warmth ", num(c.warmth), " · the budget frees on ",
      day(c.frees_day ? c.frees_day + "T12:00:00" : c.frees)));
}

function engageItem(c) {
  const posts = (c.posts || []).map((p) => el("li", {},
    p.title ? "“" + p.title + "”" : "post " + p.post, p.ts ? el("span", { class: "muted", text: " · " + day(p.ts) }) : ""));
  return el("li", { class: "card engage" }, el("h3", {}, contactLink(c)),
    el("p", { class: "muted" }, segmentWords(c.segment), " · warmth ", num(c.warmth), " of ", num(c.threshold), " needed"),
    el("ul", {}, (c.needs || []).map((n) => el("li", { text: n }))),
    posts.length ? el("p", { text: "Their posts seen so far:" }) : el("p", { class: "muted", text: "No post of theirs seen yet." }),
    posts.length ? el("ul", { class: "posts" }, posts) : "");
}

function withdrawItem(c) {
  return el("li", { class: "card withdraw" }, el("h3", {}, contactLink(c)),
    el("p", {}, "pending for ", num(c.pending_days), " days, since ", day(c.pending_since_day + "T12:00:00")));
}

function section(title, items, total, empty) {
  const nodes = [el("h2", {}, title, total > items.length ? " (" + num(items.length) + " of " + num(total) + ")" : "")];
  if (!items.length) nodes.push(el("p", { class: "muted", text: empty }));
  else nodes.push(el("ol", { class: "list" }, items));
  return nodes;
}

export async function renderWeek(main) {
  const plan = await get("plan");
  const b = plan.budget || {};
  clear(main).append(
    el("h1", { text: "This week" }),
    el("p", {}, "Invitations: ", num(b.used), " sent of ", num(b.limit), " in ", num(b.window_days),
      " days; ", el("b", { text: num(b.remaining) }), " left. ", num(plan.pending), " pending."),
    hasToken() ? "" : el("p", { class: "error", text:
      "Buttons need the address that \"warmthctl dashboard\" prints (it carries the key that allows changes)." }),
    ...section("Invite now", plan.invite.map((c) => inviteItem(main, { ...c, account: plan.account })),
      plan.invite.length, "Nobody is ready to invite."),
    ...section("Held by the budget", plan.held.map(heldItem), plan.held_total, "Nobody is held by the budget."),
    ...section("Engage with first", plan.engage.map(engageItem), plan.engage_total, "Nobody is close to ready."),
    ...section("Withdraw", plan.withdraw.map(withdrawItem), plan.withdraw_total, "No invitation has been pending too long."));
}
