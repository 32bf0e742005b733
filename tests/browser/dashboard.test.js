// The dashboard's pages in Debian's chromium (headless, through
// playwright-core), against the daemon test_dashboard_browser.py started.
// Its argument is a JSON file with the dashboard's address, a warmthctl
// command line and what warmthctl --json answered (plan, show, metrics,
// status). Each check that fails is printed; the exit code is their count.

"use strict";
const { chromium } = require("playwright-core");
const { execFileSync } = require("child_process");
const fs = require("fs");
const path = require("path");

const ctx = JSON.parse(fs.readFileSync(process.argv[2], "utf8"));
const base = ctx.url.replace(/#.*$/, "");
let failures = 0;

function check(cond, what) {
  if (!cond) {
    failures++;
    console.log("FAIL " + what);
  }
}

function ctl(...args) {
  const [cmd, ...rest] = args[0] === "notifications" ? ctx.warmthctl_db : ctx.warmthctl;
  return JSON.parse(execFileSync(cmd, [...rest, ...args], { encoding: "utf8" }));
}

async function waitFor(cond, what, ms = 10000) {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (await cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  check(false, "timed out waiting for " + what);
  return false;
}

// A fresh load of the page (a change of the fragment alone would keep the
// document and its focus).
async function open(page, hash) {
  await page.goto("about:blank");
  await page.goto(base + hash);
  await page.waitForSelector("body[data-ready=yes]");
}

const pct = (x) => new Intl.NumberFormat("en-US", { style: "percent", maximumFractionDigits: 0 }).format(x);
const fmt = (x) => new Intl.NumberFormat("en-US", { maximumFractionDigits: 1 }).format(x);

async function noHorizontalScroll(page, what) {
  const w = await page.evaluate(() => document.documentElement.scrollWidth);
  check(w <= 390, what + ": no horizontal scroll at 390 px (scrollWidth " + w + ")");
}

async function shots(page, name) {
  if (!ctx.screenshots) return;
  await page.waitForTimeout(200);
  await page.screenshot({ path: path.join(ctx.screenshots, name + ".png"), fullPage: false });
}

async function weekPage(page) {
  await open(page, "#/");
  const plan = ctx.plan;
  const names = await page.$$eval("li.invite h3", (hs) => hs.map((h) => h.textContent));
  check(JSON.stringify(names) === JSON.stringify(plan.invite.map((c) => c.name || c.actor)),
    "week: the invitees in the plan's order: " + JSON.stringify(names));
  const notes = await page.$$eval("li.invite .note", (ns) => ns.map((n) => n.textContent));
  check(JSON.stringify(notes) === JSON.stringify(plan.invite.map((c) => c.note)), "week: each invitee's note");
  const chars = await page.$$eval("li.invite .chars", (ns) => ns.map((n) => n.textContent));
  plan.invite.forEach((c, i) => check(chars[i] && chars[i].startsWith(fmt(c.note_chars) + " of " + fmt(c.note_limit)),
    "week: the note's length against the limit for " + c.actor + ": " + chars[i]));
  const text = await page.innerText("main");
  check(text.includes(fmt(plan.budget.remaining) + " left"), "week: the budget left");
  for (const [part, total] of [["engage", plan.engage_total], ["withdraw", plan.withdraw_total], ["held", plan.held_total]]) {
    const n = await page.$$eval("li." + part, (l) => l.length);
    check(n === plan[part].length, "week: " + part + " lists " + plan[part].length + " (shows " + n + ")");
    check(total <= plan[part].length || text.includes("(" + fmt(plan[part].length) + " of " + fmt(total) + ")"),
      "week: " + part + " says how many in all");
  }
  // The hostile name is text: no element made of it, nothing run.
  check(names.includes(ctx.hostile_name), "week: a name with markup is shown as text");
  check(await page.evaluate(() => window.__pwned === undefined), "week: nothing in a name ran");
  check((await page.$$("main img, main script, main h3 *:not(a)")).length === 0, "week: no element from a name");
  // "Why now" reads the contact's conditions.
  const first = plan.invite[0];
  await page.click("li.invite >> nth=0 >> summary");
  await waitFor(async () => (await page.$$("li.invite >> nth=0 >> details li")).length > 0, "the reasons");
  const why = await page.$$eval("li.invite >> nth=0 >> details li", (l) => l.map((x) => x.textContent));
  const show = ctx.shows[first.actor];
  check(show.conditions.filter((c) => c.ok).every((c) => why.includes(c.words)), "week: the reasons in words");
  // Copy the note.
  await page.click("li.invite >> nth=0 >> text=Copy the note");
  const clip = await page.evaluate(() => navigator.clipboard.readText());
  check(clip === first.note, "week: the copy button copies the note: " + clip);
}

async function invitedByMouse(page) {
  const first = ctx.plan.invite[0];
  await open(page, "#/");
  await page.click("li.invite >> nth=0 >> button.primary");
  await waitFor(async () => !(await page.$$eval("li.invite", (l) => l.map((x) => x.dataset.actor))).includes(first.actor),
    "the invited contact to leave the plan");
  check(!ctl("plan").invite.some((c) => c.actor === first.actor), "warmthctl plan: the invited contact left it");
  check(ctl("show", first.actor).relationship === "pending", "warmthctl show: the invitation is pending");
  check((await page.innerText("#status")).includes("marked invited"), "the page says what it did");
}

// Without the token (a tab opened on the bare address) a change is
// refused, the page says so, and nothing changes.
async function withoutToken(browser) {
  const page = await browser.newPage({ locale: "en-US", timezoneId: "UTC" });
  await open(page, "#/");
  const actor = await page.$eval("li.invite", (li) => li.dataset.actor);
  check((await page.innerText("main")).includes("Buttons need the address"), "no token: the page says what is needed");
  await page.click("li.invite >> nth=0 >> button.primary");
  await waitFor(async () => (await page.$$("#status.error")).length === 1, "the refusal");
  check((await page.innerText("#status")).includes("Not done"), "no token: the change is refused");
  check(ctl("show", actor).relationship !== "pending", "no token: warmthctl show is unchanged");
  await page.close();
}

// Every button is reached with Tab; Enter on "Snooze" snoozes.
async function keyboard(page) {
  await open(page, "#/");
  const buttons = await page.$$eval("main button", (b) => b.length);
  const seen = new Set();
  let snoozeAt = null;
  const target = await page.$eval("li.invite", (li) => li.dataset.actor);
  for (let i = 0; i < 400 && seen.size < buttons; i++) {
    await page.keyboard.press("Tab");
    const info = await page.evaluate(() => {
      const a = document.activeElement;
      if (!a || a.tagName !== "BUTTON" || !a.closest("main")) return null;
      const all = [...document.querySelectorAll("main button")];
      const li = a.closest("li");
      return { index: all.indexOf(a), text: a.textContent, actor: li ? li.dataset.actor : null };
    });
    if (info) {
      seen.add(info.index);
      if (snoozeAt === null && info.text === "Snooze" && info.actor === target) snoozeAt = i;
    }
  }
  check(seen.size === buttons, "keyboard: Tab reaches all " + buttons + " buttons (reached " + seen.size + ")");
  // Back to the first invitee's Snooze by keyboard, then Enter.
  await open(page, "#/");
  for (let i = 0; i <= snoozeAt; i++) await page.keyboard.press("Tab");
  const focused = await page.evaluate(() => document.activeElement.textContent);
  check(focused === "Snooze", "keyboard: the Snooze button has the focus: " + focused);
  await page.keyboard.press("Enter");
  await waitFor(async () => !(await page.$$eval("li.invite", (l) => l.map((x) => x.dataset.actor))).includes(target),
    "the snoozed contact to leave the plan");
  const focus = await page.evaluate(() => document.activeElement.closest("li.invite") !== null);
  check(focus, "keyboard: after the change the focus is on the next card");
  const cond = ctl("show", target).conditions.find((c) => c.name === "not_snoozed");
  check(cond && !cond.ok, "warmthctl show: snoozed after Enter: " + JSON.stringify(cond));
}

async function contactPage(page, actor) {
  const show = ctx.shows[actor];
  await open(page, "#/contact/" + encodeURIComponent(actor));
  check((await page.textContent("h1")) === (show.name || show.actor), "contact " + actor + ": the name");
  const verdict = await page.innerText(".verdict");
  check(verdict.includes(show.verdict) && verdict.includes(show.next), "contact: the verdict and the next step");
  const conds = await page.$$eval("ul.conditions li", (l) => l.map((x) => x.textContent));
  check(conds.length === show.conditions.length, "contact: every condition");
  show.conditions.forEach((c, i) => check(conds[i] === (c.ok ? "met: " : "not met: ") + c.words,
    "contact: the condition " + c.name + " in words, met or not: " + conds[i]));
  const rows = await page.$$eval("table.evidence tbody tr", (l) => l.length);
  check(rows === (show.recent || []).length, "contact: every recent engagement (" + rows + ")");
  check((await page.innerText("main")).includes("Warmth " + fmt(show.warmth)), "contact: the warmth");
  const markers = await page.evaluate(() => {
    const c = document.querySelector("main canvas");
    const chart = c && window.Chart.getChart(c);
    return chart ? chart.data.datasets.reduce((n, d) => n + d.data.length, 0) : -1;
  });
  check(markers === (show.recent || []).length, "contact: each recent engagement a marker on the chart (" + markers + ")");
  return show;
}

async function hostileContact(page) {
  const show = await contactPage(page, "eve");
  const text = await page.innerText("main");
  check(text.includes(ctx.hostile_text), "contact: a comment with <script> is text");
  check(text.includes("<i>Title</i>"), "contact: a post title with markup is text");
  check(await page.evaluate(() => window.__pwned === undefined), "contact: nothing in a comment ran");
  check((await page.$$("main img, main script, main h1 *, main td i, main td b")).length === 0,
    "contact: no element from the data");
  check(show.name === ctx.hostile_name, "contact: the name as warmthctl has it");
}

async function networkPage(page) {
  const m = ctx.metrics;
  await open(page, "#/network");
  const text = await page.innerText("main");
  check(text.includes(fmt(m.followers)) && text.includes(fmt(m.connections)), "network: followers and connections");
  check(text.includes(m.ratio.toFixed(2)) && text.includes(m.role), "network: the ratio and the role");
  check(text.includes(fmt(m.cap)), "network: the cap");
  const segs = await page.$$eval("table.segments tbody tr td:first-child", (l) => l.map((x) => x.textContent));
  check(JSON.stringify(segs) === JSON.stringify(Object.keys(m.acceptance_by_segment).map((s) => s.replace(/_/g, " "))),
    "network: acceptance by segment: " + segs);
  const days = await page.$$eval("table.series tbody tr", (l) => l.length);
  check(days === Math.min(14, m.series.length), "network: the latest days of the series");
  check((await page.$$("canvas")).length === 3, "network: three charts (Chart.js from /vendor/chart.js)");
  check(await page.evaluate(() => [...document.querySelectorAll("canvas")].every((c) => window.Chart.getChart(c))),
    "network: Chart.js drew each chart");
  check(text.includes(pct(m.conversion_rate)) && text.includes(pct(m.acceptance_rate)), "network: acceptance and conversion");
  check(text.includes("(median of " + fmt(m.first_hour_connection_share.posts) + " posts)"), "network: the first-hour share");
}

async function healthPage(page) {
  const s = ctx.status;
  await open(page, "#/health");
  const rows = await page.$$eval("table.rejected tbody tr", (l) => l.map((r) => [...r.cells].map((c) => c.textContent)));
  const want = Object.entries(s.rejected_by_reason).sort((a, b) => b[1] - a[1]).map(([r, n]) => [r.replace(/_/g, " "), fmt(n)]);
  check(JSON.stringify(rows) === JSON.stringify(want), "health: rejected by reason: " + JSON.stringify(rows));
  const inputs = await page.$$eval("table.inputs tbody tr td:first-child", (l) => l.map((x) => x.textContent));
  check(JSON.stringify(inputs) === JSON.stringify(s.inputs.map((i) => i.path)), "health: the inputs");
  check((await page.innerText("main")).includes(fmt(s.events_accepted)), "health: events accepted");
  const ids = await page.$$eval("li.notification", (l) => l.map((x) => x.dataset.id));
  check(ctx.failed.length === 1 && JSON.stringify(ids) === JSON.stringify(ctx.failed.map((n) => n.id)),
    "health: the failed notification: " + JSON.stringify(ids));
}

// "Redeliver" sends the failed notification again; it leaves the page.
async function redeliver(page) {
  const id = ctx.failed[0].id;
  await open(page, "#/health");
  await page.click("li.notification >> nth=0 >> button");
  await waitFor(() => ctl("notifications").find((n) => n.id === id).state === "delivered", "the redelivery");
  await open(page, "#/health");
  check((await page.$$("li.notification")).length === 0, "health: nothing left to deliver");
  check((await page.innerText("main")).includes("every notification is delivered"), "health: says so");
}

async function searchPage(page) {
  await open(page, "#/search");
  await page.fill("#q", "lovelace");
  await page.keyboard.press("Enter");
  await waitFor(async () => (await page.$$("ol.results li")).length > 0, "search results");
  const names = await page.$$eval("ol.results h3", (l) => l.map((x) => x.textContent));
  check(JSON.stringify(names) === JSON.stringify(["Ada Lovelace"]), "search: by name: " + names);
  // Everyone, a page at a time: "More" follows the cursor.
  await page.fill("#q", "");
  await page.keyboard.press("Enter");
  await waitFor(async () => (await page.$$("ol.results li")).length === 50, "the first page");
  await page.click("#more");
  await waitFor(async () => (await page.$$("ol.results li")).length === 100, "the second page");
}

// A new tab has its own sessionStorage: it opens the address with the token.
async function withToken(page) {
  await page.goto(ctx.url);
  await page.waitForSelector("body[data-ready=yes]");
}

async function phone(browser) {
  const page = await browser.newPage({ viewport: { width: 390, height: 844 }, locale: "en-US", timezoneId: "UTC" });
  await withToken(page);
  for (const [name, hash] of [["week", "#/"], ["contact", "#/contact/eve"], ["network", "#/network"],
    ["health", "#/health"], ["search", "#/search"]]) {
    await open(page, hash);
    await noHorizontalScroll(page, name);
    await shots(page, name + "-phone");
  }
  await page.close();
}

async function desktopShots(browser) {
  if (!ctx.screenshots) return;
  const page = await browser.newPage({ viewport: { width: 1280, height: 900 }, locale: "en-US", timezoneId: "UTC" });
  await withToken(page);
  for (const [name, hash] of [["week", "#/"], ["contact", "#/contact/ada"], ["network", "#/network"],
    ["health", "#/health"], ["search", "#/search"]]) {
    await open(page, hash);
    await shots(page, name + "-desktop");
  }
  await page.close();
}

(async () => {
  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
  const context = await browser.newContext({ locale: "en-US", timezoneId: "UTC", viewport: { width: 1280, height: 900 } });
  await context.grantPermissions(["clipboard-read", "clipboard-write"], { origin: base.replace(/\/$/, "") });
  const page = await context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(e.message));
  // The address carries the token; the page keeps it and clears the address.
  await page.goto(ctx.url);
  await page.waitForSelector("body[data-ready=yes]");
  check(!page.url().includes("token"), "the token leaves the address: " + page.url());
  const steps = [["screenshots", () => desktopShots(browser)], ["phone", () => phone(browser)],
    ["week", () => weekPage(page)], ["contact", () => contactPage(page, ctx.plan.invite[0].actor)],
    ["hostile", () => hostileContact(page)], ["network", () => networkPage(page)],
    ["health", () => healthPage(page)], ["search", () => searchPage(page)],
    ["invited", () => invitedByMouse(page)], ["redeliver", () => redeliver(page)],
    ["without token", () => withoutToken(browser)], ["keyboard", () => keyboard(page)]];
  for (const [name, step] of steps) {
    const t = Date.now();
    try {
      await step();
    } catch (e) {
      check(false, name + ": " + e.stack);
    }
    console.log("ran  " + name + " " + ((Date.now() - t) / 1000).toFixed(2) + "s");
  }
  check(errors.length === 0, "no script error in the page: " + errors.join("; "));
  await browser.close();
  console.log(failures ? failures + " failed" : "all browser checks passed");
  process.exit(failures ? 1 : 0);
})();
