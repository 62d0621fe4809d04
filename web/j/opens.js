// Before the joining window: when joining opens, a countdown, and the device check on offer
// (it may run at any time). At zero the page reads the waiting room again and moves on.
import { el } from "/shared/dom.js";

let lastRefresh = 0; // a clock ahead of the server's must not ask again every second

export function render(page) {
  const { texts } = page;
  const opensAt = Date.parse(page.room.consultation.join_opens_at);
  page.setStep(null);
  page.setTitle("page.opens.title");
  const when = el("p", { class: "lead" });
  const countdown = el("p", { class: "countdown", role: "timer", "aria-live": "off" });
  const check = el("button", { type: "button", class: "primary" });
  texts.say(check, "page.opens.check");
  check.addEventListener("click", () => page.open("check", { next: () => page.open("opens") }));
  const show = () => {
    texts.say(when, "page.opens.when", { vars: { when: page.when(page.room.consultation.join_opens_at) } });
    const left = Math.max(0, opensAt - Date.now());
    const minutes = Math.floor(left / 60000);
    const hours = Math.floor(minutes / 60);
    const vars = { hours, minutes: minutes % 60, seconds: Math.floor((left % 60000) / 1000) };
    const key = hours > 0 ? "page.opens.countdown_hours" : "page.opens.countdown";
    texts.say(countdown, key, { vars });
    if (left === 0 && Date.now() - lastRefresh > 5000) {
      lastRefresh = Date.now();
      page.refresh().catch(() => {});
    }
  };
  page.view.append(when, countdown, check);
  const timer = setInterval(show, 1000);
  show();
  return { cleanup: () => clearInterval(timer), relabel: show };
}
