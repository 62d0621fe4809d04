// "Call with camera", "Call with sound only" and "Running late", on a day-view row and on
// the consultation page.
//
// A call rings the waiting participants (`POST /api/consultations/{id}/start {mode}`); those
// who chose "text me" get their link by SMS; `onCalled(mode)` then joins the call (the
// consultation page) or opens it (the day view). Running late opens a dialog for the minutes (1 to
// 240) and an optional short text (160 characters at most) and sends them
// (`POST /api/consultations/{id}/delay`): the waiting room shows the delay at once and each
// participant gets it once by message. The outcome, or the error, goes to `status`.
import { openDialog } from "/shared/dialog.js";
import { el, uniqueId } from "/shared/dom.js";
import { clearFieldErrors, reportError, showFieldError } from "/clinic/field-errors.js";
import { explain } from "/clinic/explain.js";
import { formatDuration, formatTime } from "/clinic/format.js";
import { say } from "/shared/messages.js";

export const MAX_DELAY_MINUTES = 240;
export const MAX_DELAY_TEXT = 160;
const NOT_FOUND = { notFound: "This consultation does not exist (any more)." };

const pathOf = (consultationId) => `/api/consultations/${encodeURIComponent(consultationId)}`;

/** "Running 15 min late (announced 10:05): Emergency." */
export function delayWords(delay, timeZone) {
  if (!delay) return null;
  const when = delay.announced_at ? ` (announced ${formatTime(delay.announced_at, timeZone)})` : "";
  return `Running ${formatDuration(delay.minutes)} late${when}${delay.text ? `: ${delay.text}` : "."}`;
}

/**
 * The two buttons. `label` tells which consultation they act on when several are on the page
 * (screen readers hear "Call with camera, 10:00 Alice Martin"); `data-key` keeps their focus
 * across redraws.
 */
export function waitingActions({
  session,
  consultationId,
  clinic,
  status,
  label = "",
  done = () => {},
  onCalled = () => {},
}) {
  const key = (name) => `${name}:${consultationId}`;
  const describedBy = label ? uniqueId("acts-on") : null;
  const callWith = (mode, words, className) => {
    const button = el(
      "button",
      { type: "button", class: className, "data-key": key(`call-${mode}`), "aria-describedby": describedBy },
      words,
    );
    button.addEventListener("click", async () => {
      button.disabled = true;
      say(status, "Calling the participants in…");
      try {
        const answer = await session.call("POST", `${pathOf(consultationId)}/start`, { mode });
        say(status, startWords(answer));
        done();
        onCalled(mode, answer);
      } catch (error) {
        say(status, explain(error, NOT_FOUND), { error: true });
      } finally {
        button.disabled = false;
      }
    });
    return button;
  };
  const late = el(
    "button",
    { type: "button", class: "secondary", "data-key": key("late"), "aria-describedby": describedBy },
    "Running late",
  );
  late.addEventListener("click", () => openDelayDialog({ session, consultationId, clinic, status, done }));
  return el(
    "div",
    { class: "buttons waiting-actions" },
    callWith("video", "Call with camera", null),
    callWith("audio", "Call with sound only", "secondary"),
    late,
    label ? el("span", { id: describedBy, class: "visually-hidden" }, label) : null,
  );
}

function startWords(answer) {
  const texted = (answer && answer.texted) || [];
  const call = answer && answer.call_number > 1 ? ` (call ${answer.call_number})` : "";
  const sms = texted.length
    ? ` ${texted.length} participant${texted.length === 1 ? " who" : "s who"} asked to be texted ${texted.length === 1 ? "was" : "were"} sent their link.`
    : "";
  return `Started${call}: the waiting participants are called in.${sms}`;
}

function openDelayDialog({ session, consultationId, clinic, status, done }) {
  const minutesId = uniqueId("delay-minutes");
  const textId = uniqueId("delay-text");
  const hintId = uniqueId("delay-hint");
  const message = el("p", { class: "message", "aria-live": "polite" });
  const minutes = el("input", {
    id: minutesId,
    type: "number",
    inputmode: "numeric",
    min: 1,
    max: MAX_DELAY_MINUTES,
    step: 1,
    required: true,
    "data-field": "minutes",
    value: 10,
  });
  const text = el("input", {
    id: textId,
    type: "text",
    maxlength: MAX_DELAY_TEXT,
    "data-field": "text",
    "aria-describedby": hintId,
  });
  const form = el(
    "form",
    { novalidate: true },
    el("label", { for: minutesId }, "How many minutes late?"),
    minutes,
    el("label", { for: textId }, "Short message (optional)"),
    el("p", { class: "hint", id: hintId }, `Up to ${MAX_DELAY_TEXT} characters. Participants see it in the waiting room and get it by message.`),
    text,
    el("button", { type: "submit" }, "Tell the participants"),
    message,
  );
  const dialog = openDialog({ title: "Running late", content: [form], closeLabel: "Cancel" });
  minutes.focus();
  minutes.select();
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    const value = Number(minutes.value);
    if (!Number.isInteger(value) || value < 1 || value > MAX_DELAY_MINUTES) {
      showFieldError(form, "minutes", `Enter a whole number of minutes from 1 to ${MAX_DELAY_MINUTES}.`);
      say(message, "Please correct the marked field.", { error: true });
      return;
    }
    const words = text.value.trim();
    say(message, "Sending…");
    try {
      const answer = await session.call("POST", `${pathOf(consultationId)}/delay`, {
        minutes: value,
        text: words || null,
      });
      dialog.close();
      const shown = delayWords(answer && answer.delay, clinic.time_zone) || `Running ${formatDuration(value)} late.`;
      say(status, `Delay announced: ${shown} The participants see it now and get it by message.`);
      done();
    } catch (error) {
      reportError(form, error, message, NOT_FOUND);
    }
  });
}
