// The dashboard's access to the daemon's JSON under /api/. Reading needs
// nothing; a change is a POST with the token in X-Warmth-Token. The token
// arrives once in the address's fragment (#token=HEX, printed by
// "warmthctl dashboard"): it is kept in sessionStorage and removed from
// the address so it is neither bookmarked nor shown.

const TOKEN_KEY = "warmth-token";

export function takeTokenFromHash() {
  const m = /(?:^#|&)token=([0-9a-fA-F]+)/.exec(location.hash);
  if (!m) return;
  sessionStorage.setItem(TOKEN_KEY, m[1]);
  history.replaceState(null, "", location.pathname + location.search + "#/");
}

export function hasToken() {
  return Boolean(sessionStorage.getItem(TOKEN_KEY));
}

// An error of the API with its message, for the page to show.
export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

async function reply(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch (e) {
    throw new ApiError(resp.status, "HTTP " + resp.status);
  }
  if (!resp.ok) {
    const msg = body && body.error ? body.error.message : "HTTP " + resp.status;
    throw new ApiError(resp.status, msg);
  }
  return body;
}

export async function get(path, params) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(params || {})) if (v !== undefined && v !== null && v !== "") q.set(k, v);
  const s = q.toString();
  const resp = await fetch("/api/" + path + (s ? "?" + s : ""), { headers: { Accept: "application/json" } });
  return reply(resp);
}

export async function post(path, body) {
  const token = sessionStorage.getItem(TOKEN_KEY) || "";
  const resp = await fetch("/api/" + path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Warmth-Token": token },
    body: JSON.stringify(body),
  });
  return reply(resp);
}
