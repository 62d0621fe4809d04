// The participant's link page: `/j/#<token>`. The token never leaves the fragment in a GET;
// "Continue" POSTs it (with the access code when the API asks for one) for a participant
// session cookie. Refusals show the API's title and message, already in the participant's
// language.
//
// Texts (`/shared/texts.js`): on load, in the browser's languages; once the link is
// exchanged, in the participant's own language. If that fails, the English written in the
// page stays.
import { ApiError, callApi } from "/shared/api.js";
import { pageTexts } from "/shared/texts.js";

const form = document.getElementById("join-form");
const codeField = document.getElementById("code-field");
const codeInput = document.getElementById("access-code");
const title = document.getElementById("title");
const message = document.getElementById("message");
const token = window.location.hash.slice(1);
const texts = pageTexts();

function say(key, { error = false } = {}) {
  texts.say(message, key, { error });
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
  let answer;
  try {
    answer = await callApi("POST", "/api/participant-sessions", { body });
  } catch (error) {
    if (!(error instanceof ApiError)) throw error; // the network: the caller says so
    refused(error);
    return;
  }
  form.hidden = true;
  await texts.load(answer && answer.language);
  say("page.join.ready");
  title.focus();
}

function refused(error) {
  if (error.code === "unknown") {
    say("page.join.error", { error: true }); // not the API's answer: a proxy's error page
    title.focus();
    return;
  }
  if (error.reason === "access_code_required" || error.reason === "wrong_code") {
    codeField.hidden = false;
    codeInput.focus();
  } else if (error.reason !== "locked") {
    form.hidden = true;
  }
  show(error);
}

texts.load();

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
