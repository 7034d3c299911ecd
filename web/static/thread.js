// The open conversation's messages: the customer's whole history, paged as the
// agent scrolls up; text, images, cards and links as the customer sent them (as
// text, never HTML), events as quiet system lines, each reply with its delivery.
// New messages never move the view when the agent has scrolled up: a button says
// how many are below.

import { t, el, clock, full, day } from "./lib.js";

// reasonOf is why a reply failed: common WeChat refusals in the agent's words (the
// catalog's errcode_…), others WeChat's reason as is.
function reasonOf(m) {
  const key = `errcode_${m.errcode}`;
  const said = t(key);
  return said !== key ? said : m.reason || "";
}

export class Thread {
  constructor(container, newBelowButton, { onImage, onNearTop, onBottom }) {
    this.box = container;
    this.newBelow = newBelowButton;
    this.onImage = onImage;
    this.onNearTop = onNearTop;
    this.onBottom = onBottom;
    this.reset();
    this.box.addEventListener("scroll", () => {
      if (this.atBottom()) {
        this.clearNewBelow();
        this.onBottom?.();
      }
      if (this.box.scrollTop < 60) this.onNearTop();
    });
    this.newBelow.addEventListener("click", () => this.scrollToBottom());
  }

  reset() {
    this.messages = new Map(); // id → message
    this.pending = new Map(); // key → optimistic message
    this.more = false;
    this.unseenBelow = 0;
    this.box.replaceChildren();
    this.newBelow.hidden = true;
  }

  atBottom() {
    return this.box.scrollHeight - this.box.scrollTop - this.box.clientHeight < 40;
  }

  scrollToBottom() {
    this.box.scrollTop = this.box.scrollHeight;
    this.clearNewBelow();
  }

  clearNewBelow() {
    this.unseenBelow = 0;
    this.newBelow.hidden = true;
  }

  // The oldest message id held, and the newest of the customer's.
  oldest() {
    return Math.min(...this.messages.keys());
  }
  newestInbound() {
    let id = 0;
    for (const m of this.messages.values()) if (m.direction === "in" && m.id > id) id = m.id;
    return id;
  }

  // merge takes messages from the server (a page, or the latest), keeps the view
  // where it was, and returns how many customer messages are new.
  merge(list, { more, older } = {}) {
    const wasBottom = this.atBottom();
    const height = this.box.scrollHeight, top = this.box.scrollTop;
    let fresh = 0;
    for (const m of list) {
      if (!this.messages.has(m.id) && m.direction === "in" && !older) fresh++;
      this.messages.set(m.id, m);
    }
    if (older) this.more = more;
    else if (more !== undefined && this.messages.size <= list.length) this.more = more;
    this.render();
    if (older) {
      this.box.scrollTop = top + (this.box.scrollHeight - height);
    } else if (wasBottom) {
      this.scrollToBottom();
    } else if (fresh > 0) {
      this.unseenBelow += fresh;
      this.newBelow.textContent = t("new_messages", this.unseenBelow);
      this.newBelow.hidden = false;
    }
    return fresh;
  }

  // addPending shows a reply before the server has it; settle swaps it for the
  // stored one, or marks it failed with why.
  addPending(key, m) {
    this.pending.set(key, { ...m, id: 0, key, status: "queued", at: Date.now() });
    this.render();
    this.scrollToBottom();
  }
  settle(key, stored, error) {
    const p = this.pending.get(key);
    if (!p) return;
    if (stored) {
      this.pending.delete(key);
      this.messages.set(stored.id, stored);
    } else {
      p.status = "failed";
      p.reason = error;
    }
    this.render();
  }

  render() {
    const list = [...this.messages.values()].sort((a, b) => a.id - b.id);
    const nodes = [];
    nodes.push(el("p", { class: "more" },
      this.more ? el("button", { type: "button", text: t("load_more"), onclick: () => this.onNearTop() })
        : el("span", { class: "hint", text: list.length ? t("no_more") : "" })));
    let lastDay = "";
    for (const m of [...list, ...this.pending.values()]) {
      const d = day(m.at);
      if (d !== lastDay) {
        nodes.push(el("p", { class: "day", text: d }));
        lastDay = d;
      }
      nodes.push(this.node(m));
    }
    this.box.replaceChildren(...nodes);
  }

  node(m) {
    if (m.kind === "enter") {
      return el("p", { class: "system", title: full(m.at) },
        `${clock(m.at)} · ${m.session_from ? t("entered_from", m.session_from) : t("entered")}`);
    }
    const out = m.direction === "out";
    const meta = el("span", { class: "meta" }, el("time", { datetime: new Date(m.at).toISOString(), title: full(m.at), text: clock(m.at) }));
    if (out) meta.append(this.status(m));
    const wrap = el("div", { class: `msg ${out ? "out" : "in"}`, dataset: { id: String(m.id || m.key) } }, this.bubble(m), meta);
    if (out && m.status === "failed") {
      const why = reasonOf(m);
      if (why) wrap.append(el("p", { class: "failure", text: `${t("failed_reason")}: ${why}` }));
    }
    return wrap;
  }

  status(m) {
    switch (m.status) {
      case "sent":
        return el("span", { class: "sent", text: `${t("sent")} ✓` });
      case "failed":
        return el("span", { class: "failed", text: t("failed") });
      default:
        return el("span", { class: "pending", text: t("sending") });
    }
  }

  bubble(m) {
    switch (m.kind) {
      case "text":
        return el("div", { class: "bubble", text: m.text || "" });
      case "image":
        return el("div", { class: "bubble image" }, this.picture(m, t("picture")));
      case "miniprogrampage":
        return el("div", { class: "bubble card" },
          el("div", { class: "card-kind hint", text: t("card") }),
          el("div", { class: "card-title", text: m.title || "" }),
          m.media ? this.picture(m, m.title || t("card")) : null,
          el("div", { class: "card-path", text: m.pagepath || "" }));
      case "link":
        return el("div", { class: "bubble link" },
          el("div", { class: "card-kind hint", text: t("link") }),
          el("div", { class: "card-title", text: m.title || "" }),
          el("div", { text: m.description || "" }),
          el("div", { class: "link-url", text: m.url || "" }));
      default:
        return el("div", { class: "bubble", text: `[${m.kind}]` });
    }
  }

  picture(m, alt) {
    if (m.preview) return el("img", { src: m.preview, alt });
    if (!m.media) {
      const waiting = m.media_state !== "failed";
      return el("span", { class: "hint", text: waiting ? "…" : `${t("picture")} ✕` });
    }
    return el("img", { src: m.media, alt, loading: "lazy", onclick: () => this.onImage(m.media, alt) });
  }
}
