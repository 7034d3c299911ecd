// The workbench: the queue and my conversations on the left, the open
// conversation in the middle, the customer on the right; live over one event
// stream. Everything shown comes from the console's JSON API and is drawn as text.

import { t, el, api, ApiError, newKey, ago, since, stamp, full, shortID } from "./lib.js";
import { Thread } from "./thread.js";
import { connect } from "./stream.js";
import { Composer } from "./composer.js";

const $ = (id) => document.getElementById(id);
const me = Number(document.body.dataset.me);
const isAdmin = document.body.dataset.role === "admin";

const state = {
  desk: null, // the last /console/api/desk
  current: 0, // the open conversation's id
  conv: null, // its /console/api/conversations/{id}
  loadingOlder: false,
  readUpTo: 0, // the latest message of the open conversation marked read
  offline: false, // the event stream is down: failed requests need no message of their own
};

const thread = new Thread($("messages"), $("new-below"), {
  onImage: (src, alt) => {
    $("lightbox-img").src = src;
    $("lightbox-img").alt = alt;
    $("lightbox").showModal();
  },
  onNearTop: () => loadOlder(),
  onBottom: () => markRead(),
});

const composer = new Composer({
  form: $("composer"), text: $("composer-text"), imageButton: $("image-button"), imageInput: $("image-input"),
  dropZone: $("conv"),
  send: (text) => sendText(text),
  sendImage: (file) => sendImage(file),
  typing: (on) => state.current && canReply() && api("POST", `/console/api/conversations/${state.current}/typing`, { on }).catch(() => {}),
  onError: (e) => report(e),
});

// --- the lists ---

function card(c, list) {
  const last = c.last;
  const preview = last ? previewOf(last) : "";
  const right = list === "waiting"
    ? el("span", { class: "wait", dataset: { since: String(c.queued_at) }, text: since(c.queued_at) })
    : el("span", { class: "time", title: last ? full(last.at) : "", dataset: last ? { at: String(last.at) } : {}, text: last ? ago(last.at) : "" });
  const owner = list === "others" ? agentName(c.agent) : "";
  const button = el("button", {
    type: "button", class: "card", "aria-current": c.conversation === state.current ? "true" : "false",
    onclick: () => openConversation(c.conversation),
  },
  el("span", { class: "row" },
    el("span", { class: "name", title: c.openid, text: shortID(c.openid) }),
    c.unread > 0 && list !== "waiting" ? el("span", { class: "badge", text: c.unread >= 100 ? "99+" : String(c.unread) }) : null,
    right),
  el("span", { class: "row" },
    el("span", { class: "preview", text: owner ? `${owner} · ${preview}` : preview })),
  c.session_from ? el("span", { class: "from", text: `${t("session_from")}: ${c.session_from}` }) : null);
  return el("li", {}, button);
}

function previewOf(m) {
  switch (m.kind) {
    case "text": return (m.direction === "out" ? `${t("you")}: ` : "") + m.text;
    case "image": return t("picture");
    case "miniprogrampage": return `[${t("card")}] ${m.title || ""}`;
    case "link": return `[${t("link")}] ${m.title || ""}`;
    case "enter": return t("entered");
    default: return "";
  }
}

function agentName(id) {
  const a = state.desk?.agents.find((x) => x.id === id);
  return a ? a.name : "";
}

function renderLists() {
  const d = state.desk;
  for (const list of ["waiting", "mine", "others"]) {
    const ul = $(list);
    if (!ul) continue;
    const total = list === "waiting" ? d.waiting_total : d[list].length;
    const more = total - d[list].length; // the queue lists its head only
    ul.replaceChildren(...d[list].map((c) => card(c, list)),
      ...(more > 0 ? [el("li", { class: "more", text: t("more_waiting", more) })] : []));
    $(`${list}-count`).textContent = String(total);
    $(`${list}-empty`).hidden = total > 0;
  }
  const noApps = $("no-apps");
  noApps.hidden = d.apps.length > 0;
  noApps.replaceChildren(isAdmin ? el("a", { href: "/admin", text: t("no_apps_admin") }) : t("no_apps_agent"));
  $("status").value = d.me.status;
  $("auto-accept").checked = d.me.auto_accept;
  markRead();
  document.body.dataset.status = d.me.status; // what the server says, for the browser test
}

async function loadDesk() {
  state.desk = await api("GET", "/console/api/desk");
  renderLists();
  return state.desk.seq;
}

// Refreshing the lists after a burst of events once, not once per event.
let deskTimer = null;
// refreshDesk reloads the desk soon, at most every 150 ms however many events
// arrive: a steady stream of them must not postpone it forever.
function refreshDesk() {
  if (deskTimer) return;
  deskTimer = setTimeout(() => {
    deskTimer = null;
    loadDesk().catch(report);
  }, 150);
}

// --- the open conversation ---

function canReply() {
  const c = state.conv?.card;
  return c && c.state === "active" && c.agent === me;
}

async function openConversation(id) {
  if (state.current !== id) {
    state.current = id;
    state.readUpTo = 0;
    thread.reset();
    composer.reset();
  }
  $("placeholder").hidden = true;
  $("conv").hidden = false;
  $("panes").dataset.screen = "conv";
  renderLists();
  await Promise.all([loadConversation(), loadLatest()]);
  thread.scrollToBottom();
  markRead();
  if (canReply()) composer.focus();
}

async function loadConversation() {
  const id = state.current;
  const conv = await api("GET", `/console/api/conversations/${id}`);
  if (id !== state.current) return;
  state.conv = conv;
  renderHeader();
  renderQuota();
  renderInfo();
}

async function loadLatest() {
  const id = state.current;
  const page = await api("GET", `/console/api/conversations/${id}/messages`);
  if (id !== state.current) return;
  thread.merge(page.messages, { more: page.more });
  markRead();
}

async function loadOlder() {
  if (!thread.more || state.loadingOlder || !state.current) return;
  state.loadingOlder = true;
  try {
    const id = state.current;
    const page = await api("GET", `/console/api/conversations/${id}/messages?before=${thread.oldest()}`);
    if (id === state.current) thread.merge(page.messages, { more: page.more, older: true });
  } catch (e) {
    report(e);
  } finally {
    state.loadingOlder = false;
  }
}

// markRead tells the server how far the agent has seen their open conversation:
// when it shows the latest messages and the agent is looking.
function markRead() {
  const id = thread.newestInbound();
  if (!canReply() || !id || id <= state.readUpTo || !thread.atBottom() || document.visibilityState !== "visible") return;
  state.readUpTo = id;
  api("POST", `/console/api/conversations/${state.current}/read`, { id }).then(refreshDesk).catch(() => {});
}
document.addEventListener("visibilitychange", markRead);

function renderHeader() {
  const c = state.conv.card;
  $("conv-title").textContent = shortID(c.openid);
  $("conv-title").title = c.openid;
  const sub = [];
  if (c.session_from) sub.push(`${t("session_from")}: ${c.session_from}`);
  if (state.desk && state.desk.apps.length > 1) sub.push(`${t("mini_program")}: ${c.app}`);
  if (c.state === "active" && c.agent !== me) sub.push(t("read_only", agentName(c.agent)));
  $("conv-sub").textContent = sub.join(" · ");
  const actions = [];
  const act = (label, path, body, cls) => el("button", {
    type: "button", class: cls, text: label,
    onclick: async () => {
      try {
        await api("POST", `/console/api/conversations/${c.conversation}/${path}`, body);
        await Promise.all([loadConversation(), loadDesk()]);
        if (canReply()) composer.focus();
      } catch (e) {
        report(e);
        loadConversation().catch(() => {});
      }
    },
  });
  if (c.state === "waiting") actions.push(act(t("accept"), "accept", undefined, "primary"));
  if (c.state === "active" && c.agent === me) {
    actions.push(el("button", { type: "button", text: t("transfer"), onclick: openTransfer }));
    actions.push(el("button", {
      type: "button", class: "danger", text: t("close"),
      onclick: async () => {
        try {
          await api("POST", `/console/api/conversations/${c.conversation}/close`, { seen: thread.newestInbound() });
          await Promise.all([loadConversation(), loadDesk()]);
        } catch (e) {
          if (e instanceof ApiError && e.code === "conflict") {
            report(new Error(t("close_failed_new")));
            loadLatest().catch(() => {});
          } else report(e);
        }
      },
    }));
  }
  if (isAdmin && c.state !== "closed" && c.agent !== me) actions.push(act(t("take_over"), "take-over"));
  $("actions").replaceChildren(...actions);
}

function renderQuota() {
  const q = state.conv.quota;
  const line = $("quota");
  let text;
  if (!q.expires_at) text = t("quota_none");
  else if (q.open) text = t("quota_open", q.remaining, stamp(q.expires_at));
  else if (q.spent) text = q.corrected === 45047 ? t("quota_spent_wx") : t("quota_spent", stamp(q.expires_at));
  else text = q.corrected === 45015 ? t("quota_closed_wx") : t("quota_closed", stamp(q.expires_at));
  line.textContent = text;
  line.title = q.expires_at ? full(q.expires_at) : "";
  line.classList.toggle("closed", !q.open);
  // Nothing may be sent: the composer says why (the line above) and stays shut.
  composer.enable(canReply() && q.open, canReply() ? text : "");
  $("composer").hidden = !canReply();
}

function renderInfo() {
  const c = state.conv.customer;
  const rows = [
    [t("mini_program"), c.app],
    [t("session_from"), c.session_from || "—"],
    [t("first_seen"), c.first_seen ? full(c.first_seen) : "—"],
    [t("last_seen"), c.last_seen ? full(c.last_seen) : t("never")],
    [t("conversations"), String(c.conversations)],
    [t("openid"), c.openid],
  ];
  $("info-list").replaceChildren(...rows.flatMap(([k, v]) => [el("dt", { text: k }), el("dd", { text: v })]));
}

// --- sending ---

async function sendText(text) {
  const key = newKey();
  const id = state.current;
  thread.addPending(key, { kind: "text", text, direction: "out" });
  try {
    const m = await api("POST", `/console/api/conversations/${id}/messages`, { text, key });
    if (id === state.current) thread.settle(key, m);
  } catch (e) {
    if (id === state.current) thread.settle(key, null, e.message);
  }
  if (id === state.current) loadConversation().catch(report);
}

async function sendImage(file) {
  const key = newKey();
  const id = state.current;
  const preview = URL.createObjectURL(file);
  thread.addPending(key, { kind: "image", preview, direction: "out" });
  const form = new FormData();
  form.append("image", file);
  form.append("key", key);
  try {
    const m = await api("POST", `/console/api/conversations/${id}/images`, form);
    if (id === state.current) thread.settle(key, m);
  } catch (e) {
    if (id === state.current) thread.settle(key, null, e.message);
  }
  if (id === state.current) loadConversation().catch(report);
}

// --- transfer ---

function openTransfer() {
  const c = state.conv.card;
  const colleagues = state.desk.agents.filter((a) => a.id !== me && a.status === "online" && (a.role === "admin" || a.apps.includes(c.app)));
  $("transfer-to").replaceChildren(...colleagues.map((a) => el("option", { value: String(a.id), text: a.name })));
  $("transfer-agent").disabled = colleagues.length === 0;
  $("transfer-dialog").showModal();
}

$("transfer-dialog").addEventListener("close", async () => {
  const choice = $("transfer-dialog").returnValue;
  const id = state.current;
  try {
    if (choice === "agent") await api("POST", `/console/api/conversations/${id}/transfer`, { to: Number($("transfer-to").value) });
    else if (choice === "queue") await api("POST", `/console/api/conversations/${id}/requeue`);
    else return;
    await Promise.all([loadConversation(), loadDesk()]);
  } catch (e) {
    report(e);
  }
});

// --- events ---

function onEvent(e) {
  const mineNow = e.conversation && e.conversation === state.current;
  switch (e.kind) {
    case "message.stored":
    case "outbound.queued":
    case "outbound.ended":
    case "media.settled":
      refreshDesk();
      if (mineNow || (state.conv && e.openid === state.conv.card.openid && e.app === state.conv.card.app)) {
        loadLatest().catch(report);
        loadConversation().catch(report);
      }
      break;
    default:
      refreshDesk();
      if (mineNow) loadConversation().catch(report);
  }
}

function resync() {
  loadDesk().catch(report);
  if (state.current) {
    loadConversation().catch(report);
    loadLatest().catch(report);
  }
}

// --- status, auto-accept, keys, screens ---

$("status").addEventListener("change", async (e) => {
  try {
    await api("POST", "/console/api/status", { status: e.target.value });
  } catch (err) {
    report(err);
  }
  loadDesk().catch(report);
});
$("auto-accept").addEventListener("change", async (e) => {
  try {
    await api("POST", "/console/api/auto-accept", { on: e.target.checked });
  } catch (err) {
    report(err);
  }
  loadDesk().catch(report);
});

document.addEventListener("keydown", (e) => {
  // Alt+N: accept the next waiting conversation (the head of the queue).
  if (e.altKey && (e.key === "n" || e.key === "N")) {
    const head = state.desk?.waiting[0];
    if (head) {
      e.preventDefault();
      api("POST", `/console/api/conversations/${head.conversation}/accept`)
        .then(() => loadDesk())
        .then(() => openConversation(head.conversation))
        .catch(report);
    }
  }
});

$("back").addEventListener("click", () => ($("panes").dataset.screen = "lists"));
$("info-toggle").addEventListener("click", () => ($("panes").dataset.screen = "info"));
$("info-back").addEventListener("click", () => ($("panes").dataset.screen = "conv"));
$("lightbox-close").addEventListener("click", () => $("lightbox").close());
$("lightbox").addEventListener("click", (e) => e.target === $("lightbox") && $("lightbox").close());

// report shows what went wrong for a few seconds, apart from the connection's
// banner, which stays as long as the connection is down.
function report(e) {
  console.error(e);
  if (state.offline && e instanceof TypeError) return; // the banner already says the connection is down
  const toast = $("toast");
  toast.textContent = e.message || t("error");
  toast.hidden = false;
  clearTimeout(report.timer);
  report.timer = setTimeout(() => (toast.hidden = true), 5000);
}

// Waiting times run; relative times refresh.
setInterval(() => {
  for (const w of document.querySelectorAll(".wait[data-since]")) w.textContent = since(Number(w.dataset.since));
}, 1000);
setInterval(() => {
  for (const w of document.querySelectorAll(".time[data-at]")) w.textContent = ago(Number(w.dataset.at));
}, 30000);

// Start: the state, then the stream from the event number the state was read at.
loadDesk()
  .then((seq) => connect(seq, { onEvent, onResync: resync, onDown: (down) => (state.offline = down), banner: $("banner") }))
  .catch(report);
