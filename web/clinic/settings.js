// The settings page (`settings.html`): the clinic's waiting-room settings (and whether
// participants read the chat after the end)
// (`PATCH /api/clinic/settings`, only the fields that changed) and the signed-in clinician's
// own mobile number for SMS late notices (`GET`/`PUT /api/clinician/phone`). Errors show at
// their field; a saved change is confirmed in the form's live message.
import { clearFieldErrors, reportError, showFieldError } from "/clinic/field-errors.js";
import { explain } from "/clinic/explain.js";
import { say } from "/shared/messages.js";
import { startPage } from "/clinic/page.js";

const { session, clinic } = await startPage();
const form = document.getElementById("settings-form");
const status = document.getElementById("settings-message");
const phoneForm = document.getElementById("phone-form");
const phoneStatus = document.getElementById("phone-message");
const NUMBERS = {
  join_opens_minutes_before: [0, 120],
  reminder_lead_minutes: [0, 120],
  late_notice_interval_minutes: [1, 30],
};
let shown = { ...clinic.settings };

function fill(settings) {
  shown = { ...settings };
  for (const name of Object.keys(NUMBERS)) form.elements[name].value = String(settings[name]);
  for (const radio of form.querySelectorAll("input[name=late_notice_channel]"))
    radio.checked = radio.value === settings.late_notice_channel;
  form.elements.chat_after_end.checked = settings.chat_after_end !== false;
}

/** The changed fields, or null after marking the first value out of its bounds. */
function changes() {
  const body = {};
  for (const [name, [min, max]] of Object.entries(NUMBERS)) {
    const raw = form.elements[name].value.trim();
    const value = Number(raw);
    if (!raw || !Number.isInteger(value) || value < min || value > max) {
      showFieldError(form, name, `Enter a whole number from ${min} to ${max}.`);
      return null;
    }
    if (value !== shown[name]) body[name] = value;
  }
  const channel = form.querySelector("input[name=late_notice_channel]:checked")?.value;
  if (channel && channel !== shown.late_notice_channel) body.late_notice_channel = channel;
  const chatAfterEnd = form.elements.chat_after_end.checked;
  if (chatAfterEnd !== (shown.chat_after_end !== false)) body.chat_after_end = chatAfterEnd;
  return body;
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(form);
  const body = changes();
  if (body === null) {
    say(status, "Please correct the marked field.", { error: true });
    return;
  }
  if (!Object.keys(body).length) {
    say(status, "Nothing changed.");
    return;
  }
  const save = document.getElementById("save-settings");
  save.disabled = true;
  say(status, "Saving…");
  try {
    const saved = await session.call("PATCH", "/api/clinic/settings", body);
    fill(saved.settings);
    say(status, "Settings saved. They apply to every consultation from now on.");
  } catch (error) {
    reportError(form, error, status);
  } finally {
    save.disabled = false;
  }
});

phoneForm.addEventListener("submit", async (event) => {
  event.preventDefault();
  clearFieldErrors(phoneForm);
  const save = document.getElementById("save-phone");
  save.disabled = true;
  say(phoneStatus, "Saving…");
  try {
    const raw = phoneForm.elements.phone.value.trim();
    const saved = await session.call("PUT", "/api/clinician/phone", { phone: raw || null });
    phoneForm.elements.phone.value = saved.phone || "";
    say(
      phoneStatus,
      saved.phone
        ? "Mobile number saved. Late notices reach you by SMS when the clinic chose SMS."
        : "Mobile number removed. Late notices reach you by email.",
    );
  } catch (error) {
    reportError(phoneForm, error, phoneStatus);
  } finally {
    save.disabled = false;
  }
});

fill(clinic.settings);
document.getElementById("main").hidden = false;
try {
  phoneForm.elements.phone.value = (await session.call("GET", "/api/clinician/phone")).phone || "";
} catch (error) {
  say(phoneStatus, `Your mobile number could not be read. ${explain(error)}`, { error: true });
}
