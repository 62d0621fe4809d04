// Wall-clock dates and times in an IANA time zone, with Intl.DateTimeFormat (no library):
// a date and time picked in a zone -> an ISO 8601 string with its offset, and back, and
// calendar days as "YYYY-MM-DD" strings.

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
const formatters = new Map();

function formatter(timeZone) {
  if (!formatters.has(timeZone)) {
    formatters.set(
      timeZone,
      new Intl.DateTimeFormat("en-US", {
        timeZone,
        hourCycle: "h23",
        year: "numeric",
        month: "2-digit",
        day: "2-digit",
        hour: "2-digit",
        minute: "2-digit",
        second: "2-digit",
      }),
    );
  }
  return formatters.get(timeZone);
}

/** The wall clock in `timeZone` at the instant `ms` (milliseconds since the epoch). */
function wallClock(ms, timeZone) {
  const parts = {};
  for (const { type, value } of formatter(timeZone).formatToParts(new Date(ms))) {
    parts[type] = Number(value);
  }
  return parts;
}

/** The zone's offset from UTC at the instant `ms`, in minutes (Paris in summer: 120). */
export function offsetMinutes(ms, timeZone) {
  const wall = wallClock(ms, timeZone);
  const wallAsUtc = Date.UTC(
    wall.year,
    wall.month - 1,
    wall.day,
    wall.hour,
    wall.minute,
    wall.second,
  );
  return Math.round((wallAsUtc - Math.floor(ms / 1000) * 1000) / MINUTE);
}

const pad = (number, width = 2) => String(Math.abs(number)).padStart(width, "0");

/**
 * The instant of `date` ("YYYY-MM-DD") at `time` ("HH:MM") in `timeZone`, as ISO 8601 with
 * the zone's offset. A time that happens twice (clocks go back) is the first one; a time
 * that does not exist (clocks go forward) moves forward by the gap, as a clock would.
 */
export function zonedToIso(date, time, timeZone) {
  const [year, month, day] = date.split("-").map(Number);
  const [hour, minute] = time.split(":").map(Number);
  const wall = Date.UTC(year, month - 1, day, hour, minute);
  const before = offsetMinutes(wall - DAY, timeZone);
  const after = offsetMinutes(wall + DAY, timeZone);
  const candidates = [wall - before * MINUTE, wall - after * MINUTE]
    .filter((ms) => wall - offsetMinutes(ms, timeZone) * MINUTE === ms)
    .sort((a, b) => a - b);
  return isoAt(candidates.length ? candidates[0] : wall - before * MINUTE, timeZone);
}

/** The instant `ms` as ISO 8601 in `timeZone`: "2026-11-24T14:30:00+01:00". */
export function isoAt(ms, timeZone) {
  const { date, time } = zonedParts(ms, timeZone);
  const offset = offsetMinutes(ms, timeZone);
  const sign = offset < 0 ? "-" : "+";
  return `${date}T${time}:00${sign}${pad(Math.trunc(offset / 60))}:${pad(offset % 60)}`;
}

/** An instant (ISO string or milliseconds) as the date and time shown in `timeZone`. */
export function zonedParts(instant, timeZone) {
  const ms = typeof instant === "number" ? instant : Date.parse(instant);
  const wall = wallClock(ms, timeZone);
  return {
    date: `${pad(wall.year, 4)}-${pad(wall.month)}-${pad(wall.day)}`,
    time: `${pad(wall.hour)}:${pad(wall.minute)}`,
  };
}

/** Today's date in `timeZone`. */
export function todayIn(timeZone, now = Date.now()) {
  return zonedParts(now, timeZone).date;
}

/** `date` moved by `days` calendar days. */
export function addDays(date, days) {
  const [year, month, day] = date.split("-").map(Number);
  return new Date(Date.UTC(year, month - 1, day + days)).toISOString().slice(0, 10);
}

/** True for a real calendar date written "YYYY-MM-DD". */
export function isDate(text) {
  return /^\d{4}-\d{2}-\d{2}$/.test(text || "") && addDays(text, 0) === text;
}

/** The next quarter hour from now in `timeZone`, as { date, time }: a form's default. */
export function nextQuarterHour(timeZone, now = Date.now()) {
  const quarter = 15 * MINUTE;
  return zonedParts(Math.ceil(now / quarter) * quarter, timeZone);
}

/** Every IANA time zone the browser knows, with `required` ones included. */
export function timeZones(...required) {
  const known =
    typeof Intl.supportedValuesOf === "function" ? Intl.supportedValuesOf("timeZone") : [];
  return [...new Set([...known, ...required.filter(Boolean)])].sort();
}
