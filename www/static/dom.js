// DOM and formatting helpers for the dashboard's pages. Every text that
// comes from data (names, notes, post titles) goes through textContent,
// never through HTML: a name holding "<script>" shows as those characters.

// el("p", {class: "x", text: "hello"}, child, ...) builds an element.
// Attributes are set with setAttribute, text with textContent; children
// are nodes or strings (strings become text nodes).
export function el(tag, attrs, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attrs || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "text") node.textContent = String(value);
    else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
    else node.setAttribute(key, value === true ? "" : String(value));
  }
  for (const child of children.flat()) {
    if (child === undefined || child === null || child === false) continue;
    node.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return node;
}

export function clear(node) {
  while (node.firstChild) node.removeChild(node.firstChild);
  return node;
}

const numberFormat = new Intl.NumberFormat(undefined, { maximumFractionDigits: 1 });
const percentFormat = new Intl.NumberFormat(undefined, { style: "percent", maximumFractionDigits: 0 });

// Numbers for people: grouping and at most one decimal.
export function num(x) {
  return typeof x === "number" && Number.isFinite(x) ? numberFormat.format(x) : "–";
}

export function pct(x) {
  return typeof x === "number" && Number.isFinite(x) ? percentFormat.format(x) : "–";
}

// A timestamp (seconds or an ISO string) as a date and time in the
// browser's zone, which is the user's.
export function when(t) {
  if (t === undefined || t === null) return "–";
  const d = typeof t === "number" ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toLocaleString(undefined, { dateStyle: "medium", timeStyle: "short" });
}

export function day(t) {
  if (t === undefined || t === null) return "–";
  const d = typeof t === "number" ? new Date(t * 1000) : new Date(t);
  if (Number.isNaN(d.getTime())) return String(t);
  return d.toLocaleDateString(undefined, { weekday: "short", day: "numeric", month: "short" });
}

// A status line that screen readers announce (role=status on the node).
export function say(node, text, isError) {
  node.textContent = text;
  node.classList.toggle("error", Boolean(isError));
}
