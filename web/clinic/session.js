// The clinician's session on every signed-in clinic page: who is signed in, the CSRF token
// that state-changing calls carry, and the way to the sign-in page once it has ended (and
// back to the same page afterwards: `return-to.js`).
import { ApiError, callApi } from "/shared/api.js";
import { forgetPlace, rememberPlace } from "/clinic/return-to.js";

const SIGN_IN_PAGE = "/clinic/sign-in.html";
const NEVER = new Promise(() => {});
// Set once the clinician signs out on purpose: a call that fails with 401 on the way out
// (the live feed, a refresh) must not remember this page for the next sign-in.
let signingOut = false;

export class Session {
  constructor(clinician, csrfToken) {
    this.clinician = clinician;
    this.csrfToken = csrfToken;
  }

  /** Calls the API; a 401 (session ended) sends the browser to the sign-in page. */
  async call(method, path, body) {
    try {
      const csrfToken = method === "GET" ? undefined : this.csrfToken;
      return await callApi(method, path, { body, csrfToken });
    } catch (error) {
      if (isSignedOut(error)) toSignIn();
      throw error;
    }
  }

  async signOut() {
    signingOut = true;
    try {
      await callApi("DELETE", "/api/clinician/session", { csrfToken: this.csrfToken });
    } catch (error) {
      signingOut = false; // still signed in: the page stays as it was
      throw error;
    }
    forgetPlace();
    window.location.replace(SIGN_IN_PAGE);
  }
}

/** The current session; without one the browser goes to sign in and this never resolves. */
export async function openSession() {
  try {
    const session = await callApi("GET", "/api/clinician/session");
    return new Session(session.clinician, session.csrf_token);
  } catch (error) {
    if (!isSignedOut(error)) throw error;
    toSignIn();
    return NEVER;
  }
}

/** To the sign-in page, which brings the clinician back here afterwards. */
function toSignIn() {
  if (!signingOut) rememberPlace();
  window.location.replace(SIGN_IN_PAGE);
}

function isSignedOut(error) {
  return error instanceof ApiError && error.status === 401;
}
