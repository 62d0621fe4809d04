// The new-consultation form: date and time in a chosen time zone (the clinic's by default),
// duration, clinicians, language, the patient's contact details and options. After creating
// it can send the invitation on each chosen channel, then it opens the consultation page.
import { ConsultationApi } from "/clinic/consultation-api.js";
import { contactFields } from "/clinic/contact-fields.js";
import { el } from "/shared/dom.js";
import { clearFieldErrors, reportError, showFieldError } from "/clinic/field-errors.js";
import { channelName } from "/clinic/format.js";
import { consultationPage, dayPage } from "/clinic/links.js";
import { say, setFlash } from "/shared/messages.js";
import { startPage } from "/clinic/page.js";
import { scheduleFields } from "/clinic/schedule-fields.js";
import { isDate, nextQuarterHour } from "/shared/time.js";

const { session, clinic } = await startPage();
const form = document.getElementById("new-form");
const status = document.getElementById("form-message");
const accessCode = document.getElementById("access-code");
const sendNow = document.getElementById("send-now");

const requestedDay = new URLSearchParams(window.location.search).get("day");
const suggested = nextQuarterHour(clinic.time_zone);
const when = scheduleFields({
  date: isDate(requestedDay) ? requestedDay : suggested.date,
  time: suggested.time,
  language: clinic.default_language,
  languages: clinic.languages,
  timeZone: clinic.time_zone,
  chooseZone: true,
});
document.getElementById("when").append(when.element);
document.getElementById("back").href = dayPage(when.read().date);

const clinicianBoxes = clinic.clinicians.map((clinician) =>
  el("input", {
    type: "checkbox",
    value: clinician.clinician_id,
    checked: clinician.clinician_id === session.clinician.clinician_id,
  }),
);
document
  .getElementById("clinicians")
  .append(
    ...clinicianBoxes.map((box, i) =>
      el("label", { class: "choice" }, box, ` ${clinic.clinicians[i].display_name}`),
    ),
  );

const patient = contactFields({
  fieldPrefix: "patient.",
  channels: clinic.channels,
  languages: clinic.languages,
  nameLabel: "Patient's name",
});
document.getElementById("patient").append(patient.element);

function body() {
  const { starts_at, time_zone, duration_minutes, language } = when.read();
  return {
    starts_at,
    time_zone,
    duration_minutes,
    language,
    clinician_ids: clinicianBoxes.filter((box) => box.checked).map((box) => box.value),
    access_code_required: accessCode.checked,
    patient: patient.read(),
  };
}

/** Checks that need no server: a date and a time, and both contacts for an access code. */
function localProblem() {
  if (when.markMissing(form)) return true;
  const { phone, email } = patient.read();
  if (accessCode.checked && !(phone && email)) {
    return showFieldError(
      form,
      "access_code_required",
      "An access code needs both a mobile phone and an email.",
    );
  }
  return false;
}

/** Sends the patient's invitation on each of their channels; the words for what happened. */
async function sendInvitations(record) {
  const api = new ConsultationApi(session, record.consultation_id);
  const patientRecord = record.participants.find((p) => p.role === "patient");
  const results = [];
  for (const channel of patientRecord.channels) {
    try {
      const sent = await api.invite(patientRecord, channel, { resend: false });
      results.push(`${sent.status === "failed" ? "not sent" : "sent"} by ${channelName(channel)}`);
    } catch {
      results.push(`not sent by ${channelName(channel)}`);
    }
  }
  return `Consultation created; invitation ${results.join(", ")}.`;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  if (localProblem()) {
    say(status, "Please correct the marked field.", { error: true });
    return;
  }
  const button = form.querySelector("button[type=submit]");
  button.disabled = true;
  say(status, "Creating the consultation…");
  try {
    const record = await session.call("POST", "/api/consultations", body());
    setFlash(sendNow.checked ? await sendInvitations(record) : "Consultation created.");
    window.location.assign(consultationPage(record.consultation_id));
  } catch (error) {
    reportError(form, error, status);
    button.disabled = false;
  }
});

document.getElementById("main").hidden = false;
patient.name.focus();
