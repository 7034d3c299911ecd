// The workbench's live updates: one Server-Sent Events stream. The browser
// reconnects by itself and says which event it saw last (Last-Event-ID), and the
// server replays what came since, or says "resync" when it cannot: then the page
// reloads its state. While the stream is down, a quiet banner says so: a page that
// is not live never looks live.

import { t } from "./lib.js";

const kinds = [
  "message.stored", "outbound.queued", "outbound.ended", "media.settled",
  "conversation.queued", "conversation.assigned", "conversation.closed", "agent.status",
];

export function connect(after, { onEvent, onResync, onDown, banner }) {
  let down = false;
  const source = new EventSource(`/console/events?after=${after}`);
  const show = (text, cls) => {
    banner.textContent = text;
    banner.className = "banner" + (cls ? " " + cls : "");
    banner.hidden = false;
    document.getElementById("panes")?.classList.add("with-banner");
  };
  const hide = () => {
    banner.hidden = true;
    document.getElementById("panes")?.classList.remove("with-banner");
  };
  source.addEventListener("open", () => {
    if (down) {
      down = false;
      onDown(false);
      show(t("reconnected"), "ok");
      setTimeout(hide, 2500);
      onResync(); // cheap, and certain: whatever the replay held, the page is current
    }
  });
  source.addEventListener("error", () => {
    if (!down) {
      down = true;
      onDown(true);
      show(t("reconnecting"));
    }
  });
  source.addEventListener("resync", () => onResync());
  for (const kind of kinds) {
    source.addEventListener(kind, (e) => {
      try {
        onEvent(JSON.parse(e.data));
      } catch (err) {
        console.error(err);
      }
    });
  }
  return source;
}
