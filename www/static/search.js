// "Search": GET /api/contacts?q=, a page of 50 at a time; "More" asks for
// the next page from the cursor the previous one returned, so a large
// network is never loaded whole.

import { get } from "./api.js";
import { clear, el, num } from "./dom.js";

const PAGE = 50;

export async function renderSearch(main) {
  const input = el("input", { type: "search", id: "q", name: "q", autocomplete: "off" });
  const button = el("button", { type: "submit", text: "Search" });
  const list = el("ol", { class: "list results" });
  const more = el("button", { type: "button", id: "more", text: "More", hidden: true });
  const count = el("p", { class: "muted" });
  let next = null, q = "", shown = 0;

  async function load(reset) {
    if (reset) { clear(list); shown = 0; next = null; q = input.value.trim(); }
    const page = await get("contacts", { q, after: next, limit: PAGE });
    for (const c of page.contacts) {
      list.append(el("li", { class: "card" },
        el("h3", {}, el("a", { href: "#/contact/" + encodeURIComponent(c.actor), text: c.name || c.actor })),
        el("p", { class: "muted" }, (c.segment || "no segment").replace(/_/g, " "), " · ", c.relationship,
          " · warmth ", num(c.warmth), " · ", c.verdict || c.status)));
    }
    shown += page.contacts.length;
    next = page.next;
    more.hidden = !next;
    count.textContent = shown ? num(shown) + (next ? " shown so far" : " found") : "Nobody found.";
  }

  const form = el("form", { role: "search" }, el("label", { for: "q", text: "Name or profile " }), input, " ", button);
  form.addEventListener("submit", (e) => { e.preventDefault(); load(true); });
  more.addEventListener("click", () => load(false));
  clear(main).append(el("h1", { text: "Search contacts" }), form, count, list, more);
  input.focus();
}
