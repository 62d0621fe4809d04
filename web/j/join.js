// The participant's link page: `/j/#<token>`. The token never leaves the fragment in a GET;
// "Continue" POSTs it (with the access code when the API asks for one) for a participant
// session cookie. Refusals show the API's message, already in the participant's language.
const form = document.getElementById("join-form");
const codeField = document.getElementById("code-field");
const codeInput = document.getElementById("access-code");
const title = document.getElementById("title");
const message = document.getElementById("message");
const token = window.location.hash.slice(1);

function show(error) {
  if (error.title) {
    title.textContent = error.title;
  }
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
    document.documentElement.lang = answer.language || "en";
    message.classList.remove("error");
    message.textContent = "";
    form.hidden = true;
    return;
  }
  const error = answer.error || { message: "Something went wrong. Please try again." };
  if (error.reason === "access_code_required" || error.reason === "wrong_code") {
    codeField.hidden = false;
    codeInput.focus();
  } else if (error.reason !== "locked") {
    form.hidden = true;
  }
  show(error);
}

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
    show({ message: "Something went wrong. Please check your connection and try again." });
  } finally {
    button.disabled = false;
  }
});
