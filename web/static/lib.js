// What the console's pages share: their strings, building the DOM (as text, never
// as HTML: a customer's message is shown as written, whatever it contains), the
// JSON API, and times in the browser's own time zone.

const strings = JSON.parse(document.body.dataset.strings || "{}");

const lang = document.documentElement.lang || "zh-CN";

// t returns the string of key, with %d and %s filled from args in order.
export function t(key, ...args) {
  let s = strings[key] ?? key;
  for (const a of args) s = s.replace(/%[ds]/, String(a));
  return s;
}

// el builds an element. attrs: class, text, and any attribute or property; on*
// functions become listeners. Children are nodes or strings (as text).
export function el(tag, attrs = {}, ...children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === undefined || v === null || v === false) continue;
    if (k === "class") node.className = v;
    else if (k === "text") node.textContent = v;
    else if (k.startsWith("on") && typeof v === "function") node.addEventListener(k.slice(2), v);
    else if (k === "dataset") Object.assign(node.dataset, v);
    else if (v === true) node.setAttribute(k, "");
    else node.setAttribute(k, String(v));
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    node.append(typeof c === "string" ? document.createTextNode(c) : c);
  }
  return node;
}

// ApiError is a refusal the server explained.
export class ApiError extends Error {
  constructor(message, code, status) {
    super(message);
    this.code = code;
    this.status = status;
  }
}

// api calls the console's JSON API. A lost session sends the page to sign in.
export async function api(method, path, body) {
  const init = { method, headers: {}, credentials: "same-origin" };
  if (body instanceof FormData) init.body = body;
  else if (body !== undefined) {
    init.headers["Content-Type"] = "application/json";
    init.body = JSON.stringify(body);
  }
  const resp = await fetch(path, init);
  if (resp.status === 401) {
    location.href = "/login?next=" + encodeURIComponent(location.pathname + location.search);
    throw new ApiError(t("error"), "unauthorized", 401);
  }
  const data = await resp.json().catch(() => ({}));
  if (!resp.ok) throw new ApiError(errorText(data), data.code, resp.status);
  return data;
}

// errorText is what the server's refusal says, in the page's language when the
// catalog has its key (err_not_online…), else in the server's words.
function errorText(data) {
  return (data.key && strings["err_" + data.key]) || data.error || t("error");
}

// newKey is a random key for a request that must not take effect twice.
export function newKey() {
  const b = new Uint8Array(12);
  crypto.getRandomValues(b);
  return Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
}

const pad = (n) => String(n).padStart(2, "0");

// clock is hh:mm; stamp is MM-DD hh:mm; full is the whole date and time.
export function clock(ms) {
  const d = new Date(ms);
  return `${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
export function stamp(ms) {
  const d = new Date(ms);
  return `${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${clock(ms)}`;
}
export function full(ms) {
  return new Date(ms).toLocaleString(lang);
}
export function day(ms) {
  return new Date(ms).toLocaleDateString(lang, { year: "numeric", month: "2-digit", day: "2-digit", weekday: "short" });
}

// ago says how long ago ms was, for lists ("2 分钟前").
export function ago(ms, now = Date.now()) {
  const s = Math.max(0, (now - ms) / 1000);
  if (s < 60) return t("just_now");
  if (s < 3600) return t("minutes_ago", Math.floor(s / 60));
  if (s < 86400) return t("hours_ago", Math.floor(s / 3600));
  return t("days_ago", Math.floor(s / 86400));
}

// since is a running duration, for waiting times ("02:14", "1:02:03").
export function since(ms, now = Date.now()) {
  const s = Math.max(0, Math.floor((now - ms) / 1000));
  const h = Math.floor(s / 3600), m = Math.floor((s % 3600) / 60), sec = s % 60;
  return h > 0 ? `${h}:${pad(m)}:${pad(sec)}` : `${pad(m)}:${pad(sec)}`;
}

// shortID shows the start and end of an openid, enough to tell customers apart.
export function shortID(openid) {
  return openid.length > 12 ? `${openid.slice(0, 6)}…${openid.slice(-4)}` : openid;
}
