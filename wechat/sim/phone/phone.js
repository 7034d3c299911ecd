// The phone page: lists simulated users and shows the selected user's chat, live
// over /sim/api/events. On (re)connect everything is reloaded over HTTP.
const $ = (s) => document.querySelector(s);
let cur = null; // {appid, openid}
let typingTimer = 0;

const base = (u) => `/sim/api/apps/${encodeURIComponent(u.appid)}/users/${encodeURIComponent(u.openid)}`;

async function post(url, body, type = "application/json") {
  const res = await fetch(url, { method: "POST", headers: { "Content-Type": type }, body });
  const out = await res.json().catch(() => ({}));
  if (!res.ok) throw new Error(out.error || res.statusText);
  return out;
}

function status(msg) { $("#status").textContent = msg; }

const outcomes = { delivered: "已送达", transferred: "已转人工", failed: "推送失败", to_web_tool: "网页客服" };

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text != null) e.textContent = text;
  return e;
}

function bubble(e) {
  const li = el("li");
  const b = el("div", "bubble");
  if (e.notice) {
    li.className = "notice";
    li.textContent = e.notice.text;
    return li;
  }
  if (e.sent) {
    const s = e.sent;
    li.className = "me";
    if (s.kind === "enter") b.textContent = `进入会话${s.session_from ? "（" + s.session_from + "）" : ""}`;
    else if (s.kind === "image") { const i = el("img"); i.src = s.pic_url; i.alt = "图片"; b.append(i); }
    else if (s.kind === "miniprogrampage") b.append(el("div", "card", `小程序卡片：${s.title} ${s.page_path || ""}`));
    else b.textContent = s.text;
    b.append(el("div", "meta", s.outcome ? outcomes[s.outcome] || s.outcome : "发送中…"));
  } else if (e.received) {
    const d = e.received;
    li.className = "them";
    li.dataset.seq = d.seq;
    if (d.msgtype === "text") b.textContent = d.text;
    else if (d.msgtype === "image") { const i = el("img"); i.src = "/media/" + encodeURIComponent(d.media_id); i.alt = "图片"; b.append(i); }
    else if (d.msgtype === "link") {
      const a = el("a", "card", d.link.title); a.href = d.link.url; a.target = "_blank"; a.rel = "noopener";
      b.append(a, el("div", "meta", d.link.description));
    } else if (d.msgtype === "miniprogrampage") {
      const c = el("div", "card");
      if (d.miniprogrampage.thumb_media_id) { const i = el("img"); i.src = "/media/" + encodeURIComponent(d.miniprogrampage.thumb_media_id); c.append(i); }
      c.append(el("div", null, d.miniprogrampage.title), el("div", "meta", "小程序 · " + d.miniprogrampage.pagepath));
      b.append(c);
    } else b.textContent = `[${d.msgtype}]`;
  }
  li.append(b);
  return li;
}

async function loadChat() {
  if (!cur) return;
  const want = cur;
  const res = await fetch(base(want) + "/chat");
  if (!res.ok || want !== cur) return;
  const v = await res.json();
  const chat = $("#chat");
  chat.replaceChildren(...v.entries.map(bubble));
  chat.lastElementChild?.scrollIntoView({ block: "end" });
  $("#typing").hidden = !v.typing;
  clearTimeout(typingTimer);
  if (v.typing) typingTimer = setTimeout(loadChat, v.typing_ms + 50);
}

async function loadUsers() {
  const res = await fetch("/sim/api/users");
  if (!res.ok) return;
  const { apps } = await res.json();
  for (const app of apps) {
    const ul = document.querySelector(`.app[data-appid="${CSS.escape(app.appid)}"] .userlist`);
    if (!ul) continue;
    ul.replaceChildren(...app.users.map((u) => {
      const li = el("li");
      const b = el("button", "user", u.openid + (u.typing ? " · 正在输入" : ""));
      b.type = "button"; b.dataset.appid = app.appid; b.dataset.openid = u.openid;
      li.append(b);
      return li;
    }));
  }
}

function select(appid, openid) {
  cur = { appid, openid };
  $("#who").textContent = `${openid} @ ${appid}`;
  $("#phone").hidden = false;
  $("#chat").replaceChildren();
  history.replaceState(null, "", `#${encodeURIComponent(appid)}/${encodeURIComponent(openid)}`);
  loadChat();
}

document.addEventListener("click", (ev) => {
  const b = ev.target.closest("button.user");
  if (b) select(b.dataset.appid, b.dataset.openid);
});
$("#back").addEventListener("click", () => { cur = null; $("#phone").hidden = true; history.replaceState(null, "", "#"); });

document.addEventListener("submit", async (ev) => {
  ev.preventDefault();
  const f = ev.target;
  try {
    if (f.classList.contains("adduser")) {
      const openid = f.openid.value.trim();
      await post(`/sim/api/apps/${encodeURIComponent(f.dataset.appid)}/users`, JSON.stringify({ openid }));
      f.reset();
      await loadUsers();
      select(f.dataset.appid, openid);
      return;
    }
    if (!cur) return;
    const u = cur;
    status("发送中…");
    let out;
    if (f.id === "enter") out = await post(base(u) + "/enter", JSON.stringify({ session_from: f.session_from.value }));
    else if (f.id === "text") { const content = f.content.value; f.reset(); out = await post(base(u) + "/text", JSON.stringify({ content })); }
    else if (f.id === "image") { const file = f.file.files[0]; out = await post(base(u) + "/image", file, file.type || "application/octet-stream"); f.reset(); }
    else if (f.id === "card") out = await post(base(u) + "/card", JSON.stringify({ title: f.title.value, pagepath: f.pagepath.value }));
    status(out ? (outcomes[out.outcome] || out.outcome) + (out.error ? "：" + out.error : "") : "");
  } catch (err) {
    status("出错：" + err.message);
  }
  loadChat();
});

function connect() {
  const es = new EventSource("/sim/api/events");
  const live = $("#live");
  es.addEventListener("hello", () => { live.textContent = "实时"; live.className = "on"; loadUsers(); loadChat(); });
  const onChange = (ev) => {
    const e = JSON.parse(ev.data);
    if (cur && e.appid === cur.appid && e.openid === cur.openid) loadChat();
    if (ev.type === "users" || ev.type === "typing") loadUsers();
  };
  for (const name of ["chat", "delivery", "typing", "users"]) es.addEventListener(name, onChange);
  es.onerror = () => { live.textContent = "重连中…"; live.className = "off"; };
}

const m = location.hash.match(/^#([^/]+)\/(.+)$/);
if (m) select(decodeURIComponent(m[1]), decodeURIComponent(m[2]));
connect();
