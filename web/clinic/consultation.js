// The consultation page (`consultation.html?id=<id>`): schedule, participants and every
// action on them. After each action the record is read again and the page redrawn, keeping
// the focus on the control that was used; results and errors go to one live message.
import { ApiError } from "/shared/api.js";
import { ConsultationApi } from "/clinic/consultation-api.js";
import { reportError } from "/clinic/field-errors.js";
import { dayPage } from "/clinic/links.js";
import { explain } from "/clinic/explain.js";
import { say, takeFlash } from "/shared/messages.js";
import { startPage } from "/clinic/page.js";
import { renderParticipants } from "/clinic/participants.js";
import { renderSchedule } from "/clinic/schedule.js";
import { zonedParts } from "/shared/time.js";

const NOT_FOUND = { notFound: "This consultation or participant does not exist (any more)." };

const { session, clinic } = await startPage();
const main = document.getElementById("main");
const title = document.getElementById("title");
const message = document.getElementById("page-message");
const scheduleSection = document.getElementById("schedule");
const participantsSection = document.getElementById("participants");
const consultationId = new URLSearchParams(window.location.search).get("id");
const api = new ConsultationApi(session, consultationId);
const context = { clinic, api, run, status: message };

async function load() {
  render(await api.read());
}

function render(record) {
  const focused =
    document.activeElement && document.activeElement.dataset
      ? document.activeElement.dataset.key
      : null;
  const patient = record.participants.find((p) => p.role === "patient");
  const name = patient ? patient.display_name : "the patient";
  title.textContent = `Consultation with ${name}`;
  document.title = `Consultation with ${name} · Vestibule`;
  document.getElementById("back").href = dayPage(
    zonedParts(record.starts_at, clinic.time_zone).date,
  );
  renderSchedule(scheduleSection, record, context);
  renderParticipants(participantsSection, record, context);
  const again = focused && main.querySelector(`[data-key="${CSS.escape(focused)}"]`);
  if (again) again.focus();
  else if (focused) title.focus();
}

/**
 * Runs one action: `work` resolves to the words for what it did. Field errors go next to
 * their field in `form`; after anything else the record is read again to show what is true.
 */
async function run(work, { form = null, status = message, refresh = true } = {}) {
  say(status, "Working…");
  try {
    const done = await work();
    if (refresh) await load();
    if (status !== message) say(status, "");
    say(message, done);
    return true;
  } catch (error) {
    if (form) reportError(form, error, status, NOT_FOUND);
    else say(status, explain(error, NOT_FOUND), { error: true });
    if (!(error instanceof ApiError && error.code === "invalid_field")) {
      await load().catch(() => {});
    }
    return false;
  }
}

async function start() {
  if (!consultationId) {
    say(message, "No consultation was chosen: open one from the day's list.", { error: true });
    return;
  }
  try {
    await load();
    const flash = takeFlash();
    if (flash) say(message, flash);
  } catch (error) {
    say(
      message,
      explain(error, {
        notFound: "This consultation does not exist, or belongs to another clinic.",
      }),
      {
        error: true,
      },
    );
  }
}

main.hidden = false;
start();
