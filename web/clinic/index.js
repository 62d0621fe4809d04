// The clinic home page (the dashboard comes later): who is signed in, and signing out.
// Without a session it sends the visitor to the sign-in page.
import { ApiError, callApi } from "/clinic/api.js";

const who = document.getElementById("who");
const signOut = document.getElementById("sign-out");
const message = document.getElementById("message");
let csrfToken = null;

async function load() {
  try {
    const session = await callApi("GET", "/api/clinician/session");
    csrfToken = session.csrf_token;
    who.textContent = `Signed in as ${session.clinician.display_name}.`;
    signOut.hidden = false;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      window.location.replace("/clinic/sign-in.html");
      return;
    }
    who.textContent = "Your session could not be checked. Please reload the page.";
  }
}

signOut.addEventListener("click", async () => {
  signOut.disabled = true;
  try {
    await callApi("DELETE", "/api/clinician/session", { csrfToken });
    window.location.replace("/clinic/sign-in.html");
  } catch {
    message.textContent = "Signing out failed. Please try again.";
    signOut.disabled = false;
  }
});

load();
