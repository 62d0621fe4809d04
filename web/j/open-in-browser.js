// The first step inside an app's own browser: "open this in your browser". A button copies
// the link (the token stays in it); on Android, a link opens it in Chrome; the patient may
// continue here anyway.
import { el } from "/shared/dom.js";
import { chromeIntent } from "/j/in-app.js";

export function render(page, { app, android, done }) {
  const { texts } = page;
  page.setStep(null);
  page.setTitle("page.inapp.title");
  const explain = el("p", { class: "lead" });
  texts.say(explain, "page.inapp.body", { vars: { app } });
  const copied = el("p", { class: "message", role: "status" });
  const copy = el("button", { type: "button", class: android ? "secondary" : "primary" });
  texts.say(copy, "page.inapp.copy");
  copy.addEventListener("click", async () => {
    try {
      await navigator.clipboard.writeText(window.location.href);
      texts.say(copied, "page.inapp.copied");
    } catch {
      texts.say(copied, "page.inapp.copy_failed", { error: true });
    }
  });
  const open = android
    ? el("a", { class: "button primary", href: chromeIntent(window.location.href) })
    : null;
  if (open) texts.say(open, "page.inapp.open_chrome");
  const anyway = el("button", { type: "button", class: "link", onclick: done });
  texts.say(anyway, "page.inapp.continue");
  page.view.append(explain, open, copy, copied, anyway);
  return {};
}
