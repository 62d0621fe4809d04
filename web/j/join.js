// The participant's page, `/j/#<token>`: from the link to the waiting room without a reload.
//
// The token never leaves the fragment in a GET; "Continue" POSTs it (with the access code
// when the API asks for one) for a participant session cookie. Then the waiting-room answer
// (`GET /api/participant/waiting-room`) says which step the participant has reached, so a
// reload or the same link on another device lands there: terms, device check, waiting room
// (or the consultation's end). Each step's code is loaded when that step starts (`import()`).
// A link opened inside an app's own browser (WhatsApp, Facebook...) first offers to open it
// in the phone's browser.
//
// Texts (`/shared/texts.js`): on load, in the browser's languages; once the link is
// exchanged, in the participant's own language, which the switcher in the header changes.
import { ApiError, callApi } from "/shared/api.js";
import { pageTexts } from "/shared/texts.js";
import { inAppBrowser } from "/j/in-app.js";

const form = document.getElementById("join-form");
const codeField = document.getElementById("code-field");
const codeInput = document.getElementById("access-code");
const title = document.getElementById("title");
const message = document.getElementById("message");
const view = document.getElementById("view");
const stepLine = document.getElementById("step");
const languageSelect = document.getElementById("language");
const token = window.location.hash.slice(1);
const texts = pageTexts();

const SESSION_KEY = "vestibule.session_for"; // this tab's link already has its session
const STEPS = { terms: 1, device_check: 2, waiting: 3 };

/** What the step modules share: the texts, the latest answer, and ways to move on. */
const page = {
  texts,
  room: null,
  view,
  title,
  message,
  /** Shows "Step n of 3 · <name>" for a step of STEPS, or nothing. */
  setStep(step, nameKey) {
    if (!STEPS[step]) {
      stepLine.textContent = "";
      delete stepLine.dataset.text;
      return;
    }
    texts.say(stepLine, "page.step", { vars: { n: STEPS[step], total: 3 } });
    stepLine.dataset.name = nameKey;
    stepLine.textContent = `${stepLine.textContent} · ${texts.get(nameKey)}`;
  },
  setTitle(key, vars) {
    texts.say(title, key, { vars });
  },
  say(key, { error = false, vars = null } = {}) {
    texts.say(message, key, { error, vars });
  },
  /** Reads the waiting room again and shows the step it names. */
  async refresh() {
    const room = await callApi("GET", "/api/participant/waiting-room");
    page.room = room;
    showHeader(room);
    await route(room);
    return room;
  },
  /** The step module shown (or being opened), e.g. "waiting". */
  shown: null,
  /** Shows one step's module: `name` is a module of /j/, rendering into the view. */
  async open(name, options = {}) {
    page.shown = name;
    const module = await import(`/j/${name}.js`);
    cleanup();
    view.replaceChildren();
    message.textContent = "";
    delete message.dataset.text;
    current = await module.render(page, options);
  },
  /** The appointment's date and time in the page's language and the browser's time zone. */
  when(iso) {
    return formatWhen(iso, texts.language);
  },
};

let current = null; // the shown step's { cleanup(), relabel() }

function cleanup() {
  current?.cleanup?.();
  current = null;
}

async function route(room) {
  const status = room.consultation.status;
  if (status === "cancelled" || room.step === "cancelled") return ended("page.cancelled");
  if (status === "ended" || room.step === "ended") return page.open("closing");
  if (room.step === "terms") return page.open("terms");
  if (room.step === "device_check") return page.open("check", { next: () => enter() });
  return enter();
}

/** Into the waiting room once joining is open; before that, the countdown. */
async function enter() {
  const room = page.room;
  if (!room.consultation.joining_open) return page.open("opens");
  return page.open("waiting");
}
page.enter = enter;

/** The consultation was cancelled or has ended: say so (the page has nothing more to do). */
page.over = (status) => {
  if (status === "cancelled") ended("page.cancelled");
  else if (page.shown !== "closing") page.open("closing"); // told twice (two frames): once
};

function ended(prefix) {
  page.shown = prefix;
  cleanup();
  view.replaceChildren();
  page.setStep(null);
  page.setTitle(`${prefix}.title`);
  page.say(`${prefix}.body`);
  document.getElementById("on-phone").hidden = true;
}

// -- the header ------------------------------------------------------------------------------

const clinicName = document.getElementById("clinic-name");
const appointment = document.getElementById("appointment");

function showHeader(room) {
  clinicName.textContent = room.clinic.name;
  const names = room.clinicians.map((clinician) => clinician.display_name).join(", ");
  const when = page.when(room.consultation.starts_at);
  appointment.textContent = names ? `${names} · ${when}` : when;
  document.getElementById("on-phone").hidden = false;
}

export function formatWhen(iso, language) {
  const zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  const options = { weekday: "long", day: "numeric", month: "long", hour: "numeric", minute: "2-digit" };
  const clinicZone = page.room?.consultation.time_zone;
  if (clinicZone && clinicZone !== zone) options.timeZoneName = "short";
  try {
    return new Intl.DateTimeFormat(language, options).format(new Date(iso));
  } catch {
    return new Date(iso).toLocaleString();
  }
}

texts.onRelabel((language) => {
  if (page.room) showHeader(page.room);
  if (languageSelect.value !== language) languageSelect.value = language;
  if (stepLine.dataset.name) {
    stepLine.textContent = `${stepLine.textContent} · ${texts.get(stepLine.dataset.name)}`;
  }
  current?.relabel?.();
});

languageSelect.addEventListener("change", async () => {
  const language = languageSelect.value;
  if (page.room) {
    try {
      const answer = await callApi("PUT", "/api/participant/language", { body: { language } });
      page.room.me = answer.me;
    } catch {
      // The page shows the language anyway; messages keep the former one.
    }
  }
  await texts.load(language);
});

// -- continue on my phone ----------------------------------------------------------------------

document.getElementById("on-phone").addEventListener("click", async (event) => {
  const panel = document.getElementById("phone-panel");
  const { qrSvg } = await import("/shared/qr.js");
  const heading = document.createElement("p");
  texts.say(heading, "page.phone.explain");
  panel.replaceChildren(heading, qrSvg(window.location.href, texts.get("page.phone.qr_label")));
  panel.hidden = !panel.hidden;
  event.currentTarget.setAttribute("aria-expanded", String(!panel.hidden));
});

// -- the link and its access code --------------------------------------------------------------

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
  sessionStorage.setItem(SESSION_KEY, token);
  await texts.load(answer && answer.language);
  await arrived();
}

/** The session exists: show the step reached (or, without a waiting room yet, say so). */
async function arrived() {
  page.say("page.join.loading");
  try {
    await page.refresh();
  } catch (error) {
    if (error instanceof ApiError && error.status === 410) {
      page.over(error.details.status);
    } else {
      page.say("page.join.check_connection", { error: true });
    }
  }
  title.focus();
}

function refused(error) {
  if (error.code === "unknown") {
    page.say("page.join.error", { error: true }); // not the API's answer: a proxy's error page
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

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = document.getElementById("continue");
  button.disabled = true;
  try {
    await exchange();
  } catch {
    page.say("page.join.check_connection", { error: true });
    title.focus();
  } finally {
    button.disabled = false;
  }
});

async function start() {
  await texts.load();
  const app = inAppBrowser(navigator.userAgent);
  if (app && token && !sessionStorage.getItem("vestibule.in_app_ok")) {
    form.hidden = true;
    await page.open("open-in-browser", {
      app,
      android: /Android/i.test(navigator.userAgent),
      done: () => {
        sessionStorage.setItem("vestibule.in_app_ok", "1");
        cleanup();
        view.replaceChildren();
        page.setTitle("page.join.title");
        message.textContent = "";
        form.hidden = false;
      },
    });
    return;
  }
  if (!token) {
    form.hidden = true;
    exchange().catch(() => {});
  } else if (sessionStorage.getItem(SESSION_KEY) === token) {
    // A reload: the session cookie is there; the step comes from the server.
    form.hidden = true;
    try {
      await texts.load((await callApi("GET", "/api/participant/waiting-room")).me.language);
      await arrived();
    } catch (error) {
      if (error instanceof ApiError && error.status === 410) {
        page.over(error.details.status);
        return;
      }
      // The session ended: ask for a new one with the same link (a code if it needs one).
      exchange().catch(() => {
        form.hidden = false;
      });
    }
  }
}

start();
