// The participant pages' texts, from the catalogue (`GET /api/participant-texts`).
//
// Every element with `data-text` shows the catalogue text of that key. A page starts with
// the English written in it (its `english-texts` JSON block fills in keys that only scripts
// show); `load()` asks for the browser's languages (its Accept-Language) or, once known,
// the participant's own language, and relabels the page. Only the latest request applies;
// if it fails, the texts already shown stay. A text may have `{name}` placeholders: an
// element's `data-vars` (JSON) fills them, and `format()` does for scripts. `onRelabel`
// callbacks run after each relabelling (for what a page formats itself, e.g. dates).
import { callApi } from "/shared/api.js";

export class Texts {
  constructor(english) {
    this.english = english;
    this.texts = english;
    this.latestRequest = 0;
    this.language = "en";
    this.listeners = [];
  }

  /** The text of `key` with its `{name}` placeholders filled from `vars`. */
  format(key, vars = {}) {
    return fill(this.get(key) || "", vars);
  }

  /** Calls `callback(language)` after every relabelling. */
  onRelabel(callback) {
    this.listeners.push(callback);
  }

  /** The text of `key` in the page's current language (English while nothing else came). */
  get(key) {
    return this.texts[key] || this.english[key];
  }

  /** Loads the texts of `language` (or of the browser's languages) and relabels the page. */
  async load(language) {
    const request = ++this.latestRequest;
    const query = language ? `?language=${encodeURIComponent(language)}` : "";
    try {
      const answer = await callApi("GET", `/api/participant-texts${query}`, {
        credentials: "omit",
      });
      if (request !== this.latestRequest || !answer || !answer.texts) return;
      this.texts = { ...this.english, ...answer.texts };
      this.language = answer.language;
      document.documentElement.lang = answer.language;
      this.relabel();
    } catch {
      // Offline or refused: the texts already shown stay.
    }
  }

  relabel() {
    for (const element of document.querySelectorAll("[data-text]")) {
      const value = this.texts[element.dataset.text];
      if (value) element.textContent = fill(value, varsOf(element));
    }
    for (const callback of this.listeners) callback(this.language);
  }

  /** Shows the text of `key` in `element`; it follows the page's language if that changes. */
  say(element, key, { error = false, vars = null } = {}) {
    element.dataset.text = key;
    if (vars) element.dataset.vars = JSON.stringify(vars);
    else delete element.dataset.vars;
    element.textContent = fill(this.get(key) || "", vars || {});
    element.classList.toggle("error", error);
  }
}

/** The texts of this page: English from its `english-texts` block until `load()` answers. */
export function pageTexts() {
  const block = document.getElementById("english-texts");
  return new Texts(block ? JSON.parse(block.textContent) : {});
}

function varsOf(element) {
  try {
    return element.dataset.vars ? JSON.parse(element.dataset.vars) : {};
  } catch {
    return {};
  }
}

/** `text` with its `{name}` placeholders filled from `vars` (unknown ones stay). */
export function fill(text, vars) {
  return text.replace(/\{(\w+)\}/g, (whole, name) => (name in vars ? String(vars[name]) : whole));
}
