// The clinic's day view: one day's consultations in the clinic's time zone, with previous /
// next day, "Today", "Only mine" and a link to each consultation. The day and the toggle live
// in the URL (?day=YYYY-MM-DD&mine=true), so reloading or going back keeps them.
//
// The list is live: `waiting_room.*` frames update each row's participants, delay and status
// in place (`live.js`; the list is read again each time the websocket connects), and
// `chat.*` frames each row's unread messages (`chat.js`). When one of
// the listed consultations' participants starts waiting, a sound and (if allowed) a
// notification say so (`waiting-alert.js`).
import { dayRow } from "/clinic/day-row.js";
import { explain } from "/clinic/explain.js";
import { formatDay, formatTime, roleName } from "/clinic/format.js";
import { consultationPage, newConsultationPage } from "/clinic/links.js";
import { startLive } from "/clinic/live.js";
import { startPage } from "/clinic/page.js";
import { tickWaitingTimes } from "/clinic/presence.js";
import { announceWaiting, notificationControl } from "/clinic/waiting-alert.js";
import { say } from "/shared/messages.js";
import { addDays, isDate, todayIn } from "/shared/time.js";

const { session, clinic } = await startPage();
const dayInput = document.getElementById("day");
const mine = document.getElementById("mine");
const heading = document.getElementById("day-heading");
const list = document.getElementById("day-list");
const message = document.getElementById("day-message");
const actionMessage = document.getElementById("action-message");
const arrivals = document.getElementById("arrival-message");
const newLink = document.getElementById("new-consultation");
const entries = new Map(); // consultation_id -> the day list's entry, kept current by frames
let shown = 0; // answers to older requests are dropped
let shownKey = null; // the day and toggle of the list on screen
const context = {
  session,
  clinic,
  status: actionMessage,
  refresh: () => show(),
  channel: null, // the live websocket, once started (the rows' Messages dialogs use it)
  unreadChanged: (consultationId, count) => onUnread({ consultation_id: consultationId, unread_messages: count }),
};

function fromUrl() {
  const params = new URLSearchParams(window.location.search);
  const day = params.get("day");
  return {
    day: isDate(day) ? day : todayIn(clinic.time_zone),
    mine: params.get("mine") === "true",
  };
}

function go(day, onlyMine, { replace = false } = {}) {
  const params = new URLSearchParams({ day });
  if (onlyMine) params.set("mine", "true");
  history[replace ? "replaceState" : "pushState"](null, "", `?${params}`);
  show();
}

async function show() {
  const { day, mine: onlyMine } = fromUrl();
  const request = ++shown;
  dayInput.value = day;
  mine.checked = onlyMine;
  newLink.href = newConsultationPage(day);
  const today = day === todayIn(clinic.time_zone);
  heading.textContent = `${today ? "Today, " : ""}${formatDay(day)}`;
  list.setAttribute("aria-busy", "true");
  if (!entries.size) say(message, "Loading…");
  try {
    const answer = await session.call("GET", `/api/consultations?day=${day}&mine=${onlyMine}`);
    if (request !== shown) return;
    const consultations = answer.consultations.sort(
      (a, b) => Date.parse(a.starts_at) - Date.parse(b.starts_at),
    );
    const key = `${day}|${onlyMine}`;
    const before = key === shownKey ? presences() : new Map();
    shownKey = key;
    entries.clear();
    for (const entry of consultations) entries.set(entry.consultation_id, entry);
    redraw();
    alertNewArrivals(before);
    say(
      message,
      consultations.length ? `${count(consultations)}.` : "No consultations on this day.",
    );
  } catch (error) {
    if (request !== shown) return;
    entries.clear();
    list.replaceChildren();
    say(message, explain(error), { error: true });
  } finally {
    if (request === shown) list.removeAttribute("aria-busy");
  }
}

/** Draws the list again from `entries`, keeping the focus on the control that had it. */
function redraw(only = null) {
  const focused = document.activeElement?.dataset?.key;
  if (only) {
    const old = list.querySelector(`li[data-consultation-id="${CSS.escape(only)}"]`);
    if (old) old.replaceWith(dayRow(entries.get(only), context));
  } else {
    list.replaceChildren(...[...entries.values()].map((entry) => dayRow(entry, context)));
  }
  const again = focused && list.querySelector(`[data-key="${CSS.escape(focused)}"]`);
  if (again && document.activeElement !== again) again.focus();
}

/** participant_id -> presence, for every participant on the list. */
function presences() {
  const found = new Map();
  for (const entry of entries.values()) {
    for (const p of entry.waiting || []) found.set(p.participant_id, p.presence);
  }
  return found;
}

/** After a read again (a reconnection): who started waiting while the page was not told. */
function alertNewArrivals(before) {
  for (const entry of entries.values()) {
    for (const p of entry.waiting || []) {
      if (p.presence === "waiting" && before.has(p.participant_id) && before.get(p.participant_id) !== "waiting") {
        arrived(entry, p);
      }
    }
  }
}

function count(consultations) {
  const n = consultations.length;
  return `${n} consultation${n === 1 ? "" : "s"}`;
}

// -- live frames ----------------------------------------------------------------------------

function onParticipant(frame) {
  const entry = entries.get(frame.consultation_id);
  if (!entry) return; // another day, or not mine
  const waiting = entry.waiting || (entry.waiting = []);
  const index = waiting.findIndex((p) => p.participant_id === frame.participant_id);
  const before = index >= 0 ? waiting[index].presence : null;
  const summary = {
    participant_id: frame.participant_id,
    role: frame.role,
    presence: frame.presence,
    waiting_since: frame.waiting_since,
    device_check: frame.device_check,
    join_with: frame.join_with,
    notify_when_called: frame.notify_when_called,
  };
  if (index >= 0) waiting[index] = summary;
  else waiting.push(summary);
  redraw(frame.consultation_id);
  if (frame.presence !== "waiting" && arrivals.dataset.participantId === frame.participant_id) {
    say(arrivals, ""); // no longer waiting: the news is old
    delete arrivals.dataset.participantId;
  }
  if (frame.presence === "waiting" && before !== "waiting") arrived(entry, summary);
}

function arrived(entry, participant) {
  const time = formatTime(entry.starts_at, clinic.time_zone);
  const who = participant.role === "patient" && entry.patient_display_name
    ? entry.patient_display_name
    : `The ${roleName(participant.role).toLowerCase()}`;
  const text = `${who} (${time}) is waiting.`;
  say(arrivals, text);
  arrivals.dataset.participantId = participant.participant_id;
  announceWaiting({
    title: "A patient is waiting",
    body: text,
    href: consultationPage(entry.consultation_id),
  });
}

function onDelay(frame) {
  const entry = entries.get(frame.consultation_id);
  if (!entry) return;
  entry.delay = frame.delay;
  redraw(frame.consultation_id);
}

/** A message from someone else: one more unread (the dialog, if open, reads it at once). */
function onChatMessage(frame) {
  const entry = entries.get(frame.message?.consultation_id);
  if (!entry || frame.message.author.id === session.clinician.clinician_id) return;
  entry.unread_messages = (entry.unread_messages || 0) + 1;
  redraw(entry.consultation_id);
}

/** Read here, in another tab or on another device: the server's count. */
function onUnread(frame) {
  const entry = entries.get(frame.consultation_id);
  if (!entry) return;
  entry.unread_messages = frame.unread_messages;
  redraw(frame.consultation_id);
}

function onConsultation(frame) {
  const entry = entries.get(frame.consultation_id);
  if (!entry) return;
  entry.status = frame.status;
  redraw(frame.consultation_id);
}

dayInput.addEventListener("change", () => {
  if (isDate(dayInput.value)) go(dayInput.value, mine.checked);
});
mine.addEventListener("change", () => go(fromUrl().day, mine.checked));
document
  .getElementById("previous-day")
  .addEventListener("click", () => go(addDays(fromUrl().day, -1), mine.checked));
document
  .getElementById("next-day")
  .addEventListener("click", () => go(addDays(fromUrl().day, 1), mine.checked));
document
  .getElementById("today")
  .addEventListener("click", () => go(todayIn(clinic.time_zone), mine.checked));
document.getElementById("day-form").addEventListener("submit", (event) => event.preventDefault());
window.addEventListener("popstate", show);

document.getElementById("notify").append(notificationControl());
document.getElementById("main").hidden = false;
show();
tickWaitingTimes(list);
context.channel = startLive({
  session,
  indicator: document.getElementById("live-state"),
  resync: show,
  handlers: {
    "waiting_room.participant": onParticipant,
    "waiting_room.delay": onDelay,
    "waiting_room.consultation": onConsultation,
    "chat.message": onChatMessage,
    "chat.read": onUnread,
  },
});
