// The dashboard's entry point: takes the token from the address, then
// shows the page the fragment names (#/, #/contact/ACTOR, #/network,
// #/health, #/search) and shows it again when the fragment changes.
// contact.html?actor=ACTOR is also accepted, as a link from elsewhere.

import { takeTokenFromHash } from "./api.js";
import { clear, el } from "./dom.js";
import { renderWeek } from "./week.js";
import { renderContact } from "./contact.js";
import { renderNetwork } from "./network.js";
import { renderHealth } from "./health.js";
import { renderSearch } from "./search.js";

function route() {
  const hash = location.hash.replace(/^#/, "") || "/";
  const query = new URLSearchParams(location.search);
  if (hash === "/" && query.get("actor")) return { page: "contact", arg: query.get("actor") };
  const m = /^\/contact\/(.+)$/.exec(hash);
  if (m) return { page: "contact", arg: decodeURIComponent(m[1]) };
  const page = { "/": "week", "/network": "network", "/health": "health", "/search": "search" }[hash.split("?")[0]];
  return { page: page || "week", arg: null };
}

const renderers = {
  week: renderWeek,
  contact: renderContact,
  network: renderNetwork,
  health: renderHealth,
  search: renderSearch,
};

async function show() {
  const { page, arg } = route();
  for (const a of document.querySelectorAll("nav a")) {
    if (a.dataset.page === page) a.setAttribute("aria-current", "page");
    else a.removeAttribute("aria-current");
  }
  const main = document.getElementById("main");
  document.body.dataset.page = page;
  document.body.dataset.ready = "no";
  try {
    await renderers[page](main, arg);
  } catch (e) {
    clear(main).append(el("h1", { text: "Could not load this page" }),
      el("p", { class: "error", text: e.message }));
  }
  document.body.dataset.ready = "yes";
}

takeTokenFromHash();
window.addEventListener("hashchange", show);
show();
