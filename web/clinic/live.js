// The clinic pages' live updates: one websocket (`/shared/realtime.js`) to the clinic's
// frames, tickets from `POST /api/ws-tickets`. Every time a connection opens (the first one
// included) the page reads its REST state again, so that nothing pushed while it was not
// connected is missed; frames then keep it up to date. No polling.
//
// `startLive` shows how the connection stands in `indicator` (plain words, not a live
// region: a flaky network must not chatter in a screen reader) and calls `handlers[type]`
// for each pushed frame.
import { RealtimeChannel } from "/shared/realtime.js";

/** The websocket of this page's origin (the API, the pages and `/ws` share one origin). */
export function websocketUrl(location = window.location) {
  const scheme = location.protocol === "https:" ? "wss" : "ws";
  return `${scheme}://${location.host}/ws`;
}

/**
 * @param {object} options
 * @param {import("/clinic/session.js").Session} options.session
 * @param {Record<string, (frame: object) => void>} options.handlers per frame type
 * @param {() => Promise<void>} options.resync reads the REST state again
 * @param {HTMLElement} [options.indicator] where "Live" / "Reconnecting…" is shown
 */
export function startLive({ session, handlers, resync, indicator = null }) {
  const channel = new RealtimeChannel({
    url: websocketUrl(),
    ticket: async () => (await session.call("POST", "/api/ws-tickets", {})).ticket,
  });
  for (const [type, handler] of Object.entries(handlers)) channel.on(type, handler);
  const show = (text, state) => {
    if (!indicator) return;
    indicator.textContent = text;
    indicator.dataset.state = state;
  };
  show("Connecting to live updates…", "connecting");
  channel.addEventListener("connected", async () => {
    show("Live: changes appear here as they happen.", "connected");
    try {
      await resync();
    } catch {
      // the page's own read reports its errors; the next frame or reconnection tries again
    }
  });
  channel.addEventListener("reconnecting", () =>
    show("Live updates interrupted: reconnecting…", "reconnecting"),
  );
  channel.open();
  window.addEventListener("pagehide", () => channel.close(), { once: true });
  // Back to a page kept in the browser's cache: its channel was closed, start afresh.
  window.addEventListener("pageshow", (event) => {
    if (event.persisted) window.location.reload();
  });
  return channel;
}
