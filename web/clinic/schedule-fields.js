// The fields of a consultation's schedule: date, time, duration, language and (when creating)
// time zone. The new-consultation form and "Change schedule" both use them; `starts_at`
// errors from the API point at the date.
import { el, selectOf, uniqueId } from "/shared/dom.js";
import { languageName } from "/clinic/format.js";
import { showFieldError } from "/clinic/field-errors.js";
import { isDate, timeZones, zonedToIso } from "/shared/time.js";

export const DEFAULT_DURATION = 20;

export function scheduleFields({
  date,
  time,
  duration = DEFAULT_DURATION,
  language,
  languages,
  timeZone,
  chooseZone,
}) {
  const id = uniqueId("schedule");
  const input = (name, attributes) =>
    el("input", { id: `${id}-${name}`, required: true, ...attributes });
  const dateInput = input("date", { type: "date", value: date, "data-field": "starts_at" });
  const timeInput = input("time", { type: "time", value: time, step: 300, "data-field": "time" });
  const durationInput = input("duration", {
    type: "number",
    min: 5,
    max: 240,
    step: 5,
    value: duration,
    "data-field": "duration_minutes",
  });
  const languageSelect = selectOf(
    { id: `${id}-language`, "data-field": "language" },
    languages.map((code) => [code, languageName(code)]),
    language,
  );
  const zoneSelect = chooseZone
    ? selectOf(
        { id: `${id}-zone`, "data-field": "time_zone" },
        timeZones(timeZone).map((z) => [z, z]),
        timeZone,
      )
    : null;
  const labelled = (text, control) =>
    el("div", {}, el("label", { for: control.id }, text), control);
  const element = el(
    "div",
    { class: "schedule-fields" },
    el(
      "div",
      { class: "row" },
      labelled("Date", dateInput),
      labelled(zoneSelect ? "Time" : `Time (${timeZone})`, timeInput),
      labelled("Duration (minutes)", durationInput),
    ),
    zoneSelect ? labelled("Time zone", zoneSelect) : null,
    labelled("Language of the consultation", languageSelect),
  );
  const zone = () => (zoneSelect ? zoneSelect.value : timeZone);
  return {
    element,
    dateInput,
    read: () => ({
      date: dateInput.value,
      time: timeInput.value,
      starts_at: zonedToIso(dateInput.value, timeInput.value, zone()),
      time_zone: zone(),
      duration_minutes: Number(durationInput.value),
      language: languageSelect.value,
    }),
    /** Marks a missing date or time in `form`; true when there was one. */
    markMissing(form) {
      if (!isDate(dateInput.value)) return showFieldError(form, "starts_at", "Choose a date.");
      if (!/^\d{2}:\d{2}/.test(timeInput.value))
        return showFieldError(form, "time", "Choose a time.");
      return false;
    },
  };
}
