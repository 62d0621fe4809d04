// How the clinic pages show dates, times, durations, languages, channels and roles.
//
// Languages are whatever `GET /api/clinic` lists (one per catalogue on the server); their
// names come from the browser (`Intl.DisplayNames`), so a new catalogue needs nothing here.
import { zonedParts } from "/shared/time.js";

const languageNames =
  typeof Intl.DisplayNames === "function" ? new Intl.DisplayNames(["en"], { type: "language" }) : null;

export const CHANNEL_NAMES = { sms: "SMS", email: "email", whatsapp: "WhatsApp" };
export const ROLE_NAMES = {
  patient: "Patient",
  family: "Family member",
  interpreter: "Interpreter",
  professional: "Professional",
};

/** "French" for "fr"; the code itself where the browser knows no name. */
export function languageName(code) {
  try {
    return (languageNames && languageNames.of(code)) || code;
  } catch {
    return code; // not a well-formed language tag
  }
}

const STATUS_NAMES = { scheduled: "Scheduled", cancelled: "Cancelled", ended: "Ended" };
export const statusName = (status) => STATUS_NAMES[status] || status;

export const channelName = (channel) => CHANNEL_NAMES[channel] || channel;
export const roleName = (role) => ROLE_NAMES[role] || role;

/** "14:30" in `timeZone`. */
export function formatTime(instant, timeZone) {
  return zonedParts(instant, timeZone).time;
}

/** "14:30–14:50" in `timeZone`. */
export function formatTimeRange(startsAt, durationMinutes, timeZone) {
  const end = Date.parse(startsAt) + durationMinutes * 60_000;
  return `${formatTime(startsAt, timeZone)}–${formatTime(end, timeZone)}`;
}

/** "Tuesday 24 November 2026" for the calendar date "2026-11-24". */
export function formatDay(date) {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone: "UTC",
    weekday: "long",
    day: "numeric",
    month: "long",
    year: "numeric",
  }).format(new Date(`${date}T00:00:00Z`));
}

/** "24 Nov 2026, 14:30" in `timeZone`. */
export function formatMoment(instant, timeZone) {
  return new Intl.DateTimeFormat("en-GB", {
    timeZone,
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).format(new Date(instant));
}

/** "20 min", "1 h", "1 h 30 min". */
export function formatDuration(minutes) {
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  if (!hours) return `${rest} min`;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}
