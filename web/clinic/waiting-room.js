// The consultation page's "Waiting room" section: each participant's way in (presence and
// how long they have waited, device-check result, camera or microphone only, "text me"),
// any delay announced, Call and Running late, and, during a call, "Admit to the call" for a
// waiting guest (family, interpreter, second professional). Frames change `record` and
// redraw it.
import { el } from "/shared/dom.js";
import { say } from "/shared/messages.js";
import { explain } from "/clinic/explain.js";
import { roleName } from "/clinic/format.js";
import { deviceCheckElement, joinWithWords, presenceElement } from "/clinic/presence.js";
import { delayWords, waitingActions } from "/clinic/waiting-actions.js";

const fact = (term, ...value) => [el("dt", {}, term), el("dd", {}, ...value)];

export function renderWaitingRoom(section, record, { session, clinic, status, refresh, extras, onCalled }) {
  const open = record.status !== "cancelled" && record.status !== "ended";
  const parts = [
    el("h2", { id: "waiting-heading" }, "Waiting room"),
    ...extras,
    record.delay && open
      ? el("p", { class: "delay", id: "delay" }, delayWords(record.delay, clinic.time_zone))
      : null,
    el(
      "ul",
      { class: "way-in", "aria-label": "Participants on their way in" },
      record.participants.map((p) =>
        el(
          "li",
          { class: "way-in-entry", "data-participant-id": p.participant_id },
          el(
            "p",
            { class: "who" },
            el("strong", {}, p.display_name),
            " ",
            el("span", { class: "role" }, `(${roleName(p.role)})`),
          ),
          el(
            "dl",
            { class: "facts" },
            fact("Now", presenceElement(p.presence, p.waiting_since)),
            fact("Device check", deviceCheckElement(p.device_check)),
            joinWithWords(p.join_with) ? fact("Joins with", joinWithWords(p.join_with)) : null,
            fact("Text when called", p.notify_when_called ? "Yes, wants a text" : "No"),
          ),
          open && record.call_number && p.role !== "patient" && p.presence === "waiting"
            ? admitButton(p, { session, record, status, onCalled })
            : null,
        ),
      ),
    ),
    open
      ? waitingActions({
          session,
          consultationId: record.consultation_id,
          clinic,
          status,
          done: refresh,
          onCalled,
        })
      : null,
  ];
  section.replaceChildren(...parts.filter(Boolean));
}

/** Applies a `waiting_room.participant` frame to `record`; the presence before, or undefined. */
export function applyParticipantFrame(record, frame) {
  const participant = record.participants.find((p) => p.participant_id === frame.participant_id);
  if (!participant) return undefined;
  const before = participant.presence;
  for (const key of ["presence", "waiting_since", "device_check", "join_with", "notify_when_called"]) {
    if (key in frame) participant[key] = frame[key];
  }
  return before;
}

/** Rings one waiting guest into the call that is going on (`start` naming only them). */
function admitButton(participant, { session, record, status, onCalled }) {
  const button = el(
    "button",
    { type: "button", class: "secondary", "data-key": `admit:${participant.participant_id}` },
    `Admit ${participant.display_name} to the call`,
  );
  button.addEventListener("click", async () => {
    button.disabled = true;
    try {
      const path = `/api/consultations/${encodeURIComponent(record.consultation_id)}/start`;
      await session.call("POST", path, { mode: "video", participant_ids: [participant.participant_id] });
      say(status, `${participant.display_name} is being rung into the call.`);
      onCalled?.("video");
    } catch (error) {
      say(status, explain(error), { error: true });
    } finally {
      button.disabled = false;
    }
  });
  return button;
}
