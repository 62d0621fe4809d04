// The consultation page (`consultation.html?id=<id>`): the waiting room (live), schedule,
// participants, terms accepted and every action on them. After each action the record is
// read again and the page redrawn, keeping the focus on the control that was used; results
// and errors go to one live message.
//
// Live: `waiting_room.*` frames of this consultation update the waiting room and the terms
// accepted (`live.js` reads the record again each time the websocket connects). Opening the
// page tells the server the clinician has seen it (`POST .../seen`, which stops the late
// notices); so does someone starting to wait while the page is in view.
import { ApiError } from "/shared/api.js";
import { ConsultationApi } from "/clinic/consultation-api.js";
import { reportError } from "/clinic/field-errors.js";
import { dayPage } from "/clinic/links.js";
import { explain } from "/clinic/explain.js";
import { say, takeFlash } from "/shared/messages.js";
import { startPage } from "/clinic/page.js";
import { renderParticipants } from "/clinic/participants.js";
import { renderSchedule } from "/clinic/schedule.js";
import { renderConsents } from "/clinic/consents.js";
import { startLive } from "/clinic/live.js";
import { tickWaitingTimes } from "/clinic/presence.js";
import { announceWaiting, notificationControl } from "/clinic/waiting-alert.js";
import { applyParticipantFrame, renderWaitingRoom } from "/clinic/waiting-room.js";
import { roleName } from "/clinic/format.js";
import { zonedParts } from "/shared/time.js";
import { consultationChat } from "/clinic/chat.js";
import { callSection, renderVisit } from "/clinic/call.js";

const NOT_FOUND = { notFound: "This consultation or participant does not exist (any more)." };

const { session, clinic } = await startPage();
const main = document.getElementById("main");
const title = document.getElementById("title");
const message = document.getElementById("page-message");
const scheduleSection = document.getElementById("schedule");
const participantsSection = document.getElementById("participants");
const waitingSection = document.getElementById("waiting-room");
const consentsSection = document.getElementById("consents");
const consultationId = new URLSearchParams(window.location.search).get("id");
const api = new ConsultationApi(session, consultationId);
const context = { clinic, api, run, status: message };
const waitingExtras = [notificationControl(), liveIndicator()];
const waitingContext = {
  session,
  clinic,
  status: message,
  refresh: () => load().catch(() => {}),
  extras: waitingExtras,
  onCalled: (mode) => call?.join(mode),
};
let call = null; // the call section, once the live channel is open
let chat = null; // the chat section ({element, stopWriting}), once the live channel is open
let current = null; // the record on screen, kept current by frames

function liveIndicator() {
  const indicator = document.createElement("p");
  indicator.className = "live-state";
  return indicator;
}

async function load() {
  render(await api.read());
}

/** Redraws one part and puts the focus back on the control that had it. */
function keepingFocus(draw) {
  const focused = document.activeElement?.dataset?.key;
  draw();
  const again = focused && main.querySelector(`[data-key="${CSS.escape(focused)}"]`);
  if (again && document.activeElement !== again) again.focus();
}

function render(record) {
  current = record;
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
  renderWaitingRoom(waitingSection, record, waitingContext);
  renderSchedule(scheduleSection, record, context);
  renderParticipants(participantsSection, record, context);
  showVisit(record);
  if (record.status !== "scheduled") chat?.stopWriting(); // ended or cancelled meanwhile
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

/** The visit record, once somebody has been called (no media is recorded). */
function showVisit(record) {
  const visit = document.getElementById("visit");
  if (!record.call_number) return;
  visit.hidden = false;
  renderVisit(visit, { session, consultationId, clinic }).catch(() => {
    visit.hidden = true; // it comes back with the next reading of the record
  });
}

/** Tells the server the clinician has the consultation in front of them. */
function seen() {
  if (!current || current.status !== "scheduled") return;
  session.call("POST", `${api.path}/seen`, {}).catch(() => {
    // only stops the late notices: a failure here must not disturb the page
  });
}

// -- live frames ----------------------------------------------------------------------------

function onParticipant(frame) {
  if (!current || frame.consultation_id !== consultationId) return;
  const before = applyParticipantFrame(current, frame);
  if (before === undefined) {
    load().catch(() => {}); // someone new: read the record
    return;
  }
  keepingFocus(() => renderWaitingRoom(waitingSection, current, waitingContext));
  if (frame.presence === "terms_accepted" && before !== "terms_accepted") {
    // the acceptance's own frame (`waiting_room.consent`) may come too, or not at all
    renderConsents(consentsSection, consultationId, { session, clinic });
  }
  const arrival = document.getElementById("arrival-message");
  if (frame.presence !== "waiting" && arrival.dataset.participantId === frame.participant_id) {
    say(arrival, ""); // no longer waiting: the news is old
    delete arrival.dataset.participantId;
  }
  if (frame.presence === "waiting" && before !== "waiting") {
    const participant = current.participants.find((p) => p.participant_id === frame.participant_id);
    const text = `${participant.display_name} (${roleName(participant.role).toLowerCase()}) is waiting.`;
    say(arrival, text);
    arrival.dataset.participantId = frame.participant_id;
    announceWaiting({ title: "A patient is waiting", body: text, href: window.location.href });
    if (document.visibilityState === "visible") seen();
  }
}

function onDelay(frame) {
  if (!current || frame.consultation_id !== consultationId) return;
  current.delay = frame.delay;
  keepingFocus(() => renderWaitingRoom(waitingSection, current, waitingContext));
}

function onConsultation(frame) {
  if (frame.consultation_id === consultationId) load().catch(() => {});
}

function onConsent(frame) {
  if (frame.consultation_id === consultationId) renderConsents(consentsSection, consultationId, { session, clinic });
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
    seen();
    renderConsents(consentsSection, consultationId, { session, clinic });
    tickWaitingTimes(waitingSection);
    const channel = startLive({
      session,
      indicator: waitingExtras[1],
      // Only the live parts are drawn again: a form open in the schedule keeps its input.
      resync: async () => {
        current = await api.read();
        keepingFocus(() => renderWaitingRoom(waitingSection, current, waitingContext));
        await renderConsents(consentsSection, consultationId, { session, clinic });
      },
      handlers: {
        "waiting_room.participant": onParticipant,
        "waiting_room.delay": onDelay,
        "waiting_room.consultation": onConsultation,
        "waiting_room.consent": onConsent,
      },
    });
    chat = consultationChat({
      session,
      channel,
      consultationId,
      unread: current.unread_messages,
      readOnly: current.status !== "scheduled",
    });
    call = callSection({
      session,
      channel,
      consultationId,
      clinic,
      nameOf: (participantId) =>
        current?.participants.find((p) => p.participant_id === participantId)?.display_name || "A participant",
      refresh: () => load().catch(() => {}),
      onActive: (inCall) => {
        // In the call, the chat goes beside the video (side by side on a wide screen).
        main.classList.toggle("in-call", inCall);
        if (inCall) document.getElementById("call-and-chat").append(chat.element);
        else waitingSection.after(chat.element);
      },
    });
    document.getElementById("call-place").replaceWith(call.element);
    const asked = new URLSearchParams(window.location.search).get("call");
    if (asked && current.status === "scheduled") call.join(asked); // "Call" on the day view
    else if (current.call_number && current.status === "scheduled") call.offerJoin();
    document.getElementById("chat-place").replaceWith(chat.element);
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
