// Where a clinician was when their session ended, so that signing in again takes them back.
// The emailed link opens in a new tab, so the place is kept in localStorage, for an hour,
// and only ever as a path of the clinic's own pages: never an address from elsewhere.

const KEY = "vestibule.clinic.return-to";
const LIFETIME_MS = 60 * 60 * 1000;
const HOME = "/clinic/";
const CLINIC_PATH = /^\/clinic\/(?:[\w-]+\.html)?(?:\?[^#]*)?$/;
const SIGN_IN = "/clinic/sign-in.html";

/** Remember the page being shown, before it goes to the sign-in page. */
export function rememberPlace() {
  const path = window.location.pathname + window.location.search;
  if (!isClinicPage(path)) return;
  store(JSON.stringify({ path, at: Date.now() }));
}

/** Forget any remembered page (signing out on purpose). */
export function forgetPlace() {
  try {
    window.localStorage.removeItem(KEY);
  } catch {
    // storage refused (private mode): there is nothing to forget
  }
}

/** The page to open after signing in, once: the remembered one if recent, else the day. */
export function takePlace() {
  let saved = null;
  try {
    saved = JSON.parse(window.localStorage.getItem(KEY) || "null");
  } catch {
    saved = null;
  }
  forgetPlace();
  const fresh = saved && typeof saved.at === "number" && Date.now() - saved.at < LIFETIME_MS;
  return fresh && isClinicPage(saved.path) ? saved.path : HOME;
}

function isClinicPage(path) {
  return typeof path === "string" && CLINIC_PATH.test(path) && !path.startsWith(SIGN_IN);
}

function store(value) {
  try {
    window.localStorage.setItem(KEY, value);
  } catch {
    // storage refused: signing in lands on the day, as without this module
  }
}
