// Telling the clinician that someone has started waiting: a short two-note chime generated
// with WebAudio (no sound file to download) and, if they agreed, a browser notification.
//
// The permission is never asked on load: `notificationControl` offers a visible button,
// "Tell me when a patient is waiting", and a "Not now"; the answer is remembered (the browser
// remembers a yes or a block, this page a "not now"), so the question is asked once.
// Browsers let a page make sound only after a click or key press on it: the audio context
// is created on the first one.
import { el } from "/shared/dom.js";

const DECLINED_KEY = "vestibule.notifications.declined";
let audio = null;

function unlockAudio() {
  const Context = window.AudioContext || window.webkitAudioContext;
  if (!audio && Context) audio = new Context();
  if (audio && audio.state === "suspended") audio.resume().catch(() => {});
}
for (const type of ["pointerdown", "keydown"]) {
  window.addEventListener(type, unlockAudio, { capture: true, passive: true });
}

/** Two short sine notes, quiet, about half a second in all. */
export function chime() {
  try {
    unlockAudio();
  } catch {
    return; // no WebAudio here: the notification and the page still tell
  }
  if (!audio) return;
  const start = audio.currentTime + 0.01;
  [880, 1175].forEach((frequency, index) => {
    const oscillator = audio.createOscillator();
    const gain = audio.createGain();
    const at = start + index * 0.22;
    oscillator.type = "sine";
    oscillator.frequency.value = frequency;
    gain.gain.setValueAtTime(0.0001, at);
    gain.gain.exponentialRampToValueAtTime(0.2, at + 0.02);
    gain.gain.exponentialRampToValueAtTime(0.0001, at + 0.2);
    oscillator.connect(gain).connect(audio.destination);
    oscillator.start(at);
    oscillator.stop(at + 0.21);
  });
}

/** Sound, then a notification when allowed; clicking it brings the page (and `href`) forward. */
export function announceWaiting({ title, body, href = null }) {
  chime();
  if (!("Notification" in window) || Notification.permission !== "granted") return;
  try {
    const notification = new Notification(title, { body, tag: href || title });
    notification.addEventListener("click", () => {
      window.focus();
      if (href && window.location.href !== new URL(href, window.location.href).href) {
        window.location.assign(href);
      }
      notification.close();
    });
  } catch {
    // some mobile browsers only notify from a service worker: the sound and the page tell
  }
}

/** The polite question, or a sentence saying how things stand. */
export function notificationControl() {
  const box = el("div", { class: "notify-control" });
  const render = () => {
    if (!("Notification" in window)) {
      box.replaceChildren(
        el("p", { class: "hint", tabindex: "-1" }, "This browser cannot show notifications; a sound plays when a patient is waiting."),
      );
      return;
    }
    const permission = Notification.permission;
    if (permission === "granted") {
      box.replaceChildren(
        el("p", { class: "hint", tabindex: "-1" }, "A notification and a sound tell you when a patient is waiting."),
      );
    } else if (permission === "denied") {
      box.replaceChildren(
        el("p", { class: "hint", tabindex: "-1" }, "Notifications are blocked for this site in your browser; a sound still plays when a patient is waiting."),
      );
    } else if (localStorage.getItem(DECLINED_KEY) === "yes") {
      box.replaceChildren();
    } else {
      const ask = el("button", { type: "button", class: "secondary", "data-key": "notify" }, "Tell me when a patient is waiting");
      const later = el("button", { type: "button", class: "link", "data-key": "notify-later" }, "Not now");
      ask.addEventListener("click", async () => {
        ask.disabled = true;
        try {
          await Notification.requestPermission();
        } finally {
          render();
          box.querySelector("p")?.focus();
        }
      });
      later.addEventListener("click", () => {
        localStorage.setItem(DECLINED_KEY, "yes");
        render();
        document.getElementById("main")?.focus?.();
      });
      box.replaceChildren(el("div", { class: "buttons" }, ask, later));
    }
  };
  render();
  return box;
}
