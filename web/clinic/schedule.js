// The consultation page's schedule: the facts in the clinic's time zone, "Change schedule"
// (date, time, duration, language -> PATCH of what changed) and "Cancel consultation" after
// a confirmation. A cancelled or ended consultation is shown read-only.
import { confirmAction } from "/shared/dialog.js";
import { el } from "/shared/dom.js";
import { clearFieldErrors } from "/clinic/field-errors.js";
import { formatDay, formatDuration, formatTimeRange, languageName, statusName } from "/clinic/format.js";
import { say } from "/shared/messages.js";
import { scheduleFields } from "/clinic/schedule-fields.js";
import { zonedParts } from "/shared/time.js";

/** True once someone has been sent an invitation: moves and cancellations notify them. */
const invited = (record) =>
  record.participants.some((p) =>
    p.deliveries.some((d) => d.purpose === "invitation" && d.status === "sent"),
  );
/** "10:00–10:20 (Europe/Paris)": when the consultation is, in `zone`. */
const timesIn = (record, zone) =>
  `${formatTimeRange(record.starts_at, record.duration_minutes, zone)} (${zone})`;
const fact = (term, ...value) => [el("dt", {}, term), el("dd", {}, ...value)];

export function renderSchedule(section, record, { clinic, api, run, status }) {
  const zone = clinic.time_zone;
  const cancelled = record.status === "cancelled";
  const ended = record.status === "ended";
  const { date } = zonedParts(record.starts_at, zone);
  section.replaceChildren(
    el("h2", { id: "schedule-heading" }, "Schedule"),
    el(
      "dl",
      { class: "facts" },
      fact(
        "Status",
        el("span", { class: `status ${record.status}` }, statusName(record.status)),
      ),
      fact("Date", formatDay(date)),
      fact("Time", timesIn(record, zone)),
      fact("Duration", formatDuration(record.duration_minutes)),
      fact("Language", languageName(record.language)),
      fact("Access code", record.access_code_required ? "Required" : "Not required"),
      record.time_zone !== zone
        ? fact("Patient's time zone", timesIn(record, record.time_zone))
        : null,
    ),
  );
  if (cancelled || ended) {
    const what = cancelled ? "was cancelled" : "has ended";
    section.append(el("p", { class: "notice" }, `This consultation ${what}. It can no longer be changed.`));
    return;
  }
  const form = changeForm(record, { clinic, api, run, status });
  const change = el(
    "button",
    {
      type: "button",
      class: "secondary",
      "data-key": "change-schedule",
      "aria-expanded": "false",
      "aria-controls": form.id,
    },
    "Change schedule",
  );
  change.addEventListener("click", () => {
    form.hidden = !form.hidden;
    change.setAttribute("aria-expanded", String(!form.hidden));
    if (!form.hidden) form.querySelector("input").focus();
  });
  const cancel = el(
    "button",
    { type: "button", class: "danger", "data-key": "cancel" },
    "Cancel consultation",
  );
  cancel.addEventListener("click", async () => {
    const confirmed = await confirmAction({
      title: "Cancel this consultation?",
      text:
        "Everyone who was invited is told, and their links stop working. " +
        "This cannot be undone.",
      confirmLabel: "Yes, cancel the consultation",
    });
    if (confirmed) {
      await run(async () => {
        await api.cancel();
        const told = invited(record) ? " Everyone who was invited is told." : "";
        return `The consultation is cancelled.${told}`;
      });
    }
  });
  section.append(el("div", { class: "buttons" }, change, cancel), form);
}

function changeForm(record, { clinic, api, run, status }) {
  const zone = clinic.time_zone;
  const before = zonedParts(record.starts_at, zone);
  const fields = scheduleFields({
    ...before,
    duration: record.duration_minutes,
    language: record.language,
    languages: clinic.languages,
    timeZone: zone,
  });
  const form = el(
    "form",
    {
      id: "change-schedule",
      class: "panel",
      novalidate: true,
      hidden: true,
      "aria-label": "Change schedule",
    },
    fields.element,
    // After saving, the redrawn page focuses "Change schedule" (the same data-key).
    el(
      "div",
      { class: "buttons" },
      el("button", { type: "submit", "data-key": "change-schedule" }, "Save changes"),
    ),
  );
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    if (fields.markMissing(form)) return;
    const after = fields.read();
    const changes = {};
    if (after.date !== before.date || after.time !== before.time)
      changes.starts_at = after.starts_at;
    if (after.duration_minutes !== record.duration_minutes)
      changes.duration_minutes = after.duration_minutes;
    if (after.language !== record.language) changes.language = after.language;
    if (!Object.keys(changes).length) {
      say(status, "Nothing was changed.");
      return;
    }
    await run(
      async () => {
        await api.reschedule(changes);
        const told =
          changes.starts_at && invited(record)
            ? " Everyone who was invited is told the new time."
            : "";
        return `The schedule is changed.${told}`;
      },
      { form },
    );
  });
  return form;
}
