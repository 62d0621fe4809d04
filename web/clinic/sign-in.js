// The clinic sign-in page. Without a token: ask for an emailed link. With `#token=...`
// (the emailed link): opening the page changes nothing; "Continue" spends the token for a
// session and goes back to the clinic page the clinician was on, else to their day. The
// token stays in the fragment, never sent in a URL.
import { ApiError, callApi } from "/shared/api.js";
import { say } from "/shared/messages.js";
import { takePlace } from "/clinic/return-to.js";

const ask = document.getElementById("ask");
const askForm = document.getElementById("ask-form");
const askMessage = document.getElementById("ask-message");
const email = document.getElementById("email");
const continueSection = document.getElementById("continue");
const continueButton = document.getElementById("continue-button");
const continueMessage = document.getElementById("continue-message");

function tokenFromFragment() {
  const params = new URLSearchParams(window.location.hash.slice(1));
  return params.get("token");
}

function explain(error) {
  if (error instanceof ApiError && error.status === 429) {
    return "Too many attempts. Please wait a few minutes and try again.";
  }
  if (error instanceof ApiError && error.status === 401) {
    return "This link has expired or was already used. Ask for a new link.";
  }
  if (error instanceof ApiError && error.code === "invalid_field") {
    return "Please enter a valid email address.";
  }
  return "Something went wrong. Please try again.";
}

askForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = askForm.querySelector("button");
  button.disabled = true;
  say(askMessage, "Sending…");
  try {
    await callApi("POST", "/api/clinician/sign-in-links", { body: { email: email.value } });
    say(askMessage, "If this address belongs to a clinician, a link is on its way. Check your email.");
  } catch (error) {
    say(askMessage, explain(error), { error: true });
    email.focus();
  } finally {
    button.disabled = false;
  }
});

continueButton.addEventListener("click", async () => {
  continueButton.disabled = true;
  say(continueMessage, "Signing in…");
  try {
    await callApi("POST", "/api/clinician/sessions", { body: { token: tokenFromFragment() } });
    window.location.replace(takePlace());
  } catch (error) {
    say(continueMessage, explain(error), { error: true });
    continueButton.disabled = false;
  }
});

function show() {
  const hasToken = Boolean(tokenFromFragment());
  ask.hidden = hasToken;
  continueSection.hidden = !hasToken;
  (hasToken ? continueButton : email).focus();
}

window.addEventListener("hashchange", show);
show();
