// The admin page: mini programs (secrets masked, the URL to paste into WeChat's
// message push settings shown) and agents (roles, capacity, mini programs,
// disabling, passwords), with the same checks as kefu app and kefu agent.

import { t, el, api } from "./lib.js";

const $ = (id) => document.getElementById(id);
const me = Number(document.body.dataset.me);
let apps = [], agents = [];
let editingApp = null, editingAgent = null;

function say(text, cls = "ok") {
  const b = $("admin-message");
  b.textContent = text;
  b.className = "banner " + cls;
  b.hidden = false;
  clearTimeout(say.timer);
  say.timer = setTimeout(() => (b.hidden = true), 5000);
}

async function load() {
  [apps, agents] = await Promise.all([api("GET", "/console/api/admin/apps"), api("GET", "/console/api/admin/agents")]);
  renderApps();
  renderAgents();
}

function renderApps() {
  $("apps").replaceChildren(...apps.map((a) => el("tr", {},
    el("td", { text: a.appid }),
    el("td", { text: a.original_id || "—" }),
    el("td", { text: t("mode_" + a.mode) }),
    el("td", { text: a.format.toUpperCase() }),
    el("td", { class: "url", text: a.push_url }),
    el("td", {}, el("button", { type: "button", text: "✎", title: a.appid, "aria-label": a.appid, onclick: () => editApp(a) })))));
  if (!apps.length) $("apps").append(el("tr", {}, el("td", { colspan: 6, class: "hint", text: t("no_apps_admin") })));
  $("agent-apps").replaceChildren(...apps.map((a) => el("label", {}, el("input", { type: "checkbox", name: "apps", value: a.appid }), a.appid)));
}

function renderAgents() {
  $("agents").replaceChildren(...agents.map((a) => {
    const status = a.disabled ? "disabled" : a.status;
    return el("tr", {},
      el("td", { text: a.login }),
      el("td", { text: a.name }),
      el("td", { text: t("role_" + a.role) }),
      el("td", { class: "status-" + status, text: t(status) }),
      el("td", { text: String(a.capacity) }),
      el("td", { text: a.auto_accept ? "✓" : "" }),
      el("td", {}, a.role === "admin" ? el("span", { class: "tag", text: t("all_apps") }) : a.apps.map((x) => el("span", { class: "tag", text: x }))),
      el("td", {}, el("span", { class: "row-actions" },
        el("button", { type: "button", text: "✎", "aria-label": `${a.login}`, onclick: () => editAgent(a) }),
        a.id === me ? null : el("button", {
          type: "button", text: a.disabled ? t("enable") : t("disable"),
          onclick: () => saveAgent(a, { ...a, disabled: !a.disabled }),
        }),
        el("button", { type: "button", text: t("reset_password"), onclick: () => resetPassword(a) }))));
  }));
}

// --- mini programs ---

function editApp(a) {
  editingApp = a;
  const f = $("app-form");
  f.reset();
  f.appid.value = a.appid;
  f.appid.readOnly = true;
  f.original_id.value = a.original_id;
  f.mode.value = a.mode;
  f.format.value = a.format;
  for (const k of ["secret", "token", "aes_key", "prev_aes_key"]) f[k].placeholder = a[k] ? `${a[k]} (${t("keep_secret")})` : "";
  $("app-keep-hint").hidden = false;
  $("app-form-title").textContent = a.appid;
  $("app-box").open = true;
  f.original_id.focus();
}

$("app-form").addEventListener("reset", () => {
  editingApp = null;
  const f = $("app-form");
  f.appid.readOnly = false;
  for (const k of ["secret", "token", "aes_key", "prev_aes_key"]) f[k].placeholder = "";
  $("app-keep-hint").hidden = true;
  $("app-form-title").textContent = t("add_app");
});

$("app-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  const body = Object.fromEntries(["appid", "original_id", "secret", "token", "aes_key", "prev_aes_key", "mode", "format"].map((k) => [k, f[k].value.trim()]));
  try {
    const saved = editingApp
      ? await api("POST", `/console/api/admin/apps/${encodeURIComponent(editingApp.appid)}`, body)
      : await api("POST", "/console/api/admin/apps", body);
    f.reset();
    $("app-box").open = false;
    say(`${t("saved")}: ${saved.appid} — ${t("push_url")}: ${saved.push_url}`);
    await load();
  } catch (err) {
    say(err.message, "error");
  }
});

// --- agents ---

function editAgent(a) {
  editingAgent = a;
  const f = $("agent-form");
  f.reset();
  f.login.value = a.login;
  f.login.readOnly = true;
  f.name.value = a.name;
  f.role.value = a.role;
  f.capacity.value = a.capacity;
  f.auto_accept.checked = a.auto_accept;
  for (const box of f.querySelectorAll("input[name=apps]")) box.checked = a.apps.includes(box.value);
  $("agent-password-label").hidden = true;
  $("agent-form-title").textContent = a.login;
  $("agent-box").open = true;
  f.name.focus();
}

$("agent-form").addEventListener("reset", () => {
  editingAgent = null;
  $("agent-form").login.readOnly = false;
  $("agent-password-label").hidden = false;
  $("agent-form-title").textContent = t("add_agent");
});

function agentBody(f) {
  return {
    login: f.login.value.trim(), name: f.name.value.trim(), role: f.role.value,
    capacity: Number(f.capacity.value), auto_accept: f.auto_accept.checked,
    apps: [...f.querySelectorAll("input[name=apps]:checked")].map((b) => b.value),
  };
}

async function saveAgent(a, body) {
  try {
    await api("POST", `/console/api/admin/agents/${a.id}`, body);
    say(t("saved"));
    await load();
  } catch (err) {
    say(err.message, "error");
  }
}

$("agent-form").addEventListener("submit", async (e) => {
  e.preventDefault();
  const f = e.target;
  const body = agentBody(f);
  try {
    if (editingAgent) await api("POST", `/console/api/admin/agents/${editingAgent.id}`, { ...body, disabled: editingAgent.disabled });
    else await api("POST", "/console/api/admin/agents", { ...body, password: f.password.value });
    f.reset();
    $("agent-box").open = false;
    say(t("saved"));
    await load();
  } catch (err) {
    say(err.message, "error");
  }
});

async function resetPassword(a) {
  const password = prompt(`${a.login}: ${t("new_password")}`);
  if (!password) return;
  try {
    await api("POST", `/console/api/admin/agents/${a.id}/password`, { password });
    say(t("saved"));
  } catch (err) {
    say(err.message, "error");
  }
}

load().catch((err) => say(err.message, "error"));
