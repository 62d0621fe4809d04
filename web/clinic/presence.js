// Words for where a participant is on their way in (the contract's presence states), their
// device-check result (green / orange / red, always with words, never colour alone), how
// long they have waited ("waiting 4 min", kept ticking locally by `tickWaitingTimes`) and
// the "text me" choice.
import { el } from "/shared/dom.js";

export const PRESENCE_WORDS = {
  invited: "Invited",
  link_opened: "Opened the link",
  terms_accepted: "Accepted the terms",
  device_checked: "Checked their device",
  waiting: "Waiting",
  in_call: "In the call",
  left: "Left",
};

const LIGHT_WORDS = { green: "good", orange: "fair", red: "not working", untested: "not tested" };
const PARTS = [
  ["camera", "camera"],
  ["microphone", "microphone"],
  ["speaker", "speaker"],
  ["connection", "connection"],
];
const SEVERITY = { green: 0, untested: 0, orange: 1, red: 2 };
const TICK_MS = 15_000;

/** "waiting 4 min" (or "waiting less than a minute") from the ISO time they began. */
export function waitedFor(since, now = Date.now()) {
  const minutes = Math.floor((now - Date.parse(since)) / 60_000);
  if (!(minutes >= 1)) return "waiting less than a minute";
  if (minutes < 60) return `waiting ${minutes} min`;
  const rest = minutes % 60;
  return `waiting ${Math.floor(minutes / 60)} h${rest ? ` ${rest} min` : ""}`;
}

/** "Waiting, waiting 4 min" or "Opened the link": the state in words, as an element. */
export function presenceElement(presence, waitingSince) {
  const state = presence || "invited";
  const words = PRESENCE_WORDS[state] || state;
  const node = el("span", { class: `presence ${state}`, "data-presence": state }, words);
  if (state === "waiting" && waitingSince) {
    node.append(
      " (",
      el("span", { class: "waited", "data-waiting-since": waitingSince }, waitedFor(waitingSince)),
      ")",
    );
  }
  return node;
}

/** The worst light of a device check ("green" when nothing went wrong). */
export function overallLight(check) {
  let worst = "green";
  for (const [key] of PARTS) {
    const light = check[key];
    if ((SEVERITY[light] ?? 0) > SEVERITY[worst]) worst = light;
  }
  return worst;
}

/** The device check in words: an overall light, then each part, then the numbers. */
export function deviceCheckElement(check) {
  if (!check) return el("span", { class: "light none" }, "Not done yet");
  const light = overallLight(check);
  const summary = { green: "All good", orange: "Some problems", red: "Problems" }[light];
  const parts = PARTS.map(([key, name]) => `${name} ${LIGHT_WORDS[check[key]] || "not tested"}`);
  const numbers = [];
  if (typeof check.rtt_ms === "number") numbers.push(`round trip ${Math.round(check.rtt_ms)} ms`);
  if (typeof check.loss_percent === "number") numbers.push(`loss ${check.loss_percent}%`);
  return el(
    "span",
    { class: `light ${light}`, "data-light": light },
    el("strong", {}, summary),
    `: ${parts.join(", ")}${numbers.length ? ` (${numbers.join(", ")})` : ""}.`,
  );
}

export const joinWithWords = (joinWith) =>
  joinWith === "audio" ? "Microphone only" : joinWith === "video" ? "Camera and microphone" : null;

/** Keeps every "waiting N min" on the page current, from the browser's clock. */
export function tickWaitingTimes(root = document) {
  const tick = () => {
    for (const node of root.querySelectorAll("[data-waiting-since]")) {
      node.textContent = waitedFor(node.dataset.waitingSince);
    }
  };
  return setInterval(tick, TICK_MS);
}
