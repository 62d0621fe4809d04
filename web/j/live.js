// The participant page's one websocket (`/shared/realtime.js`), opened on first use with a
// participant ticket from `POST /api/ws-tickets` (the session cookie says who). The device
// check's connection test and the waiting room share it.
import { callApi } from "/shared/api.js";
import { RealtimeChannel } from "/shared/realtime.js";

let channel = null;

export function liveChannel() {
  if (!channel) {
    const scheme = window.location.protocol === "https:" ? "wss" : "ws";
    channel = new RealtimeChannel({
      url: `${scheme}://${window.location.host}/ws`,
      ticket: async () => (await callApi("POST", "/api/ws-tickets", { body: {} })).ticket,
    });
    channel.open();
  }
  return channel;
}
