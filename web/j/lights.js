// The device check's rows: a name, a state shown as a word AND an icon (never by colour
// alone), and a plain hint; plus which hint tells how to unblock the camera in this browser.
import { el } from "/shared/dom.js";

const NS = "http://www.w3.org/2000/svg";
const ICONS = {
  green: "M5 12.5l4.5 4.5L19 7.5", // a tick
  orange: "M12 4L2.5 20h19zM12 10v4.5M12 17.2v.3", // a warning triangle
  red: "M6 6l12 12M18 6L6 18", // a cross
  pending: "M6 12h.01M12 12h.01M18 12h.01", // three dots
  untested: "M12 6v7M12 17v.5", // an exclamation
};

function icon(light) {
  const svg = document.createElementNS(NS, "svg");
  svg.setAttribute("viewBox", "0 0 24 24");
  svg.setAttribute("aria-hidden", "true");
  svg.setAttribute("class", "icon");
  const path = document.createElementNS(NS, "path");
  path.setAttribute("d", ICONS[light]);
  svg.append(path);
  return svg;
}

/** One row of the check: `set(light, hintKey)` changes its icon, word and hint. */
export function lightRow(texts, name) {
  const word = el("span", { class: "word" });
  const hint = el("p", { class: "hint" });
  const extra = el("div", { class: "extra" });
  const label = el("span", { class: "name" });
  texts.say(label, `page.check.${name}`);
  const head = el("p", { class: "light-head" }, el("span", { class: "icon-box" }), label, word);
  const item = el("li", { class: "light pending" }, head, hint, extra);
  const row = {
    item,
    extra,
    light: "pending",
    set(light, hintKey) {
      row.light = light;
      item.className = `light ${light}`;
      head.firstChild.replaceChildren(icon(light));
      texts.say(word, `page.check.light_${light}`);
      if (hintKey) texts.say(hint, hintKey);
    },
  };
  row.set("pending", null);
  return row;
}

/** The catalogue key telling how to allow the camera and microphone in this browser. */
export function blockedHintKey(userAgent) {
  const ios = /iPhone|iPad|iPod/i.test(userAgent);
  const android = /Android/i.test(userAgent);
  if (ios) return "page.check.blocked_ios";
  if (/SamsungBrowser/i.test(userAgent)) return "page.check.blocked_samsung";
  if (/Firefox/i.test(userAgent)) return android ? "page.check.blocked_firefox_android" : "page.check.blocked_firefox";
  if (/Chrome|Chromium|Edg/i.test(userAgent)) return android ? "page.check.blocked_chrome_android" : "page.check.blocked_chrome";
  if (/Safari/i.test(userAgent)) return "page.check.blocked_safari";
  return "page.check.blocked_other";
}
