// The participant's link page: `/j/#<token>`. The token never leaves the fragment in a GET;
// "Continue" POSTs it (with the access code when the API asks for one) for a participant
// session cookie. Refusals show the API's title and message, already in the participant's
// language.
//
// Texts: every element with `data-text` shows the catalogue text of that key. On load the
// page asks `/api/participant-texts` for the browser's languages (its Accept-Language);
// once the link is exchanged, for the participant's own language. If that fails, the
// English written in the page stays.
const form = document.getElementById("join-form");
const codeField = document.getElementById("code-field");
const codeInput = document.getElementById("access-code");
const title = document.getElementById("title");
const message = document.getElementById("message");
const token = window.location.hash.slice(1);
const english = JSON.parse(document.getElementById("english-texts").textContent);

let texts = english;
let latestTextsRequest = 0;

function relabel() {
  for (const element of document.querySelectorAll("[data-text]")) {
    const value = texts[element.dataset.text];
    if (value) {
      element.textContent = value;
    }
  }
}

// The texts of `language` (or of the browser's languages); only the latest request applies.
async function loadTexts(language) {
  const request = ++latestTextsRequest;
  const query = language ? `?language=${encodeURIComponent(language)}` : "";
  try {
    const response = await fetch(`/api/participant-texts${query}`, { credentials: "omit" });
    const answer = response.ok ? await response.json() : {};
    if (request !== latestTextsRequest || !answer.texts) {
      return;
    }
    texts = { ...english, ...answer.texts };
    document.documentElement.lang = answer.language;
    relabel();
  } catch {
    // Offline or refused: the texts already shown stay.
  }
}

// A status message from the catalogue; it follows the page's language if that changes.
function say(key, { error = false } = {}) {
  message.dataset.text = key;
  message.textContent = texts[key] || english[key];
  message.classList.toggle("error", error);
}

// A refusal from the API, already localized: it stays as it is whatever texts arrive.
function show(error) {
  if (error.title) {
    delete title.dataset.text;
    title.textContent = error.title;
  }
  delete message.dataset.text;
  message.textContent = error.message || "";
  message.classList.add("error");
  title.focus();
}

async function exchange() {
  const body = { token: token || "-" }; // no token: the API answers "unknown", localized
  if (!codeField.hidden && codeInput.value.trim()) {
    body.access_code = codeInput.value.trim();
  }
  const response = await fetch("/api/participant-sessions", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    credentials: "same-origin",
    body: JSON.stringify(body),
  });
  const answer = await response.json().catch(() => ({}));
  if (response.ok) {
    form.hidden = true;
    await loadTexts(answer.language);
    say("page.join.ready");
    title.focus();
    return;
  }
  if (!answer.error) {
    say("page.join.error", { error: true });
    title.focus();
    return;
  }
  const error = answer.error;
  if (error.reason === "access_code_required" || error.reason === "wrong_code") {
    codeField.hidden = false;
    codeInput.focus();
  } else if (error.reason !== "locked") {
    form.hidden = true;
  }
  show(error);
}

loadTexts();

if (!token) {
  form.hidden = true;
  exchange().catch(() => {});
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("continue");
  button.disabled = true;
  try {
    await exchange();
  } catch {
    say("page.join.check_connection", { error: true });
    title.focus();
  } finally {
    button.disabled = false;
  }
});
