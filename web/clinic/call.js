// The call on the clinician's consultation page (docs/call.md): ring the waiting
// participants with camera or sound only (`POST .../start {mode}`), see each one's answer
// live (`call.answer` frames), hold the call (`/shared/call/call-view.js` on the clinic's
// websocket, every request naming the consultation), ring again (optionally texting the link),
// and end the consultation for everyone (`POST .../end`). After the end, the visit record:
// who took part, from when to when and for how long (`GET .../visit`; no media is recorded).
import { el } from "/shared/dom.js";
import { confirmAction } from "/shared/dialog.js";
import { say } from "/shared/messages.js";
import { CallView } from "/shared/call/call-view.js";
import { CallMembers } from "/shared/call/members.js";
import { callWords } from "/shared/call/words.js";
import { chatWords } from "/shared/chat/words.js";
import { explain } from "/clinic/explain.js";
import { formatTime } from "/clinic/format.js";

const pathOf = (consultationId) => `/api/consultations/${encodeURIComponent(consultationId)}`;
const ANSWERS = { video: "answered with camera", audio: "answered with sound only", decline: "said not now" };

/**
 * The call section. `nameOf(participantId)` names a participant of the record on screen;
 * `refresh()` reads the record again after the end; `onActive(inCall)` lets the page lay
 * the chat out beside the video while the clinician is in the call.
 */
export function callSection({ session, channel, consultationId, clinic, nameOf, refresh, onActive = () => {} }) {
  const scope = { consultation_id: consultationId };
  const heading = el("h2", { id: "call-heading" }, "Call");
  const answers = el("ul", { class: "call-answers", "aria-live": "polite" });
  const status = el("p", { class: "message", role: "status" });
  const stage = el("div", { class: "call-place" });
  const textToo = el("input", { type: "checkbox", id: "ring-text" });
  const ringAgain = el("button", { type: "button", class: "secondary" }, "Ring again");
  const end = el("button", { type: "button", class: "danger" }, "End the consultation for everyone");
  const inCall = el(
    "div",
    { class: "call-actions", hidden: true },
    el("p", {}, el("label", { class: "inline", for: "ring-text" }, textToo, " Also text them the link")),
    ringAgain,
    end,
  );
  const section = el("section", { id: "call", "aria-labelledby": "call-heading", hidden: true }, heading, status, answers, stage, inCall);
  let view = null;
  let mode = "video";

  channel.on("call.answer", (frame) => {
    if (frame.consultation_id !== consultationId) return;
    answers.prepend(el("li", {}, `${nameOf(frame.participant_id)} ${ANSWERS[frame.answer] || frame.answer} (${formatTime(new Date().toISOString(), clinic.time_zone)}).`));
  });
  channel.on("call.ended", (frame) => {
    if (frame.consultation_id === consultationId) finish();
  });

  /** Joins the call this clinician started (or rejoins it after a reload). */
  async function join(chosenMode) {
    mode = chosenMode === "audio" ? "audio" : "video";
    section.hidden = false;
    inCall.hidden = false;
    if (view) return;
    view = new CallView({
      channel,
      scope,
      words: callWords(),
      mode,
      members: new CallMembers(channel, chatWords(), scope),
      onLeave: () => {
        view = null;
        stage.replaceChildren();
        onActive(false);
        say(status, "You left the call. The participants stay in the waiting room; ring again to call them back.");
      },
    });
    stage.replaceChildren(view.element);
    onActive(true);
    say(status, "Ringing…");
    try {
      await view.start();
      say(status, "");
    } catch (error) {
      view.stop();
      view = null;
      onActive(false);
      say(status, `The call could not start: ${error?.message || explain(error)}`, { error: true });
    }
  }

  ringAgain.addEventListener("click", async () => {
    ringAgain.disabled = true;
    try {
      const answer = await session.call("POST", `${pathOf(consultationId)}/start`, { mode, text: textToo.checked });
      say(status, `Ringing again${textToo.checked ? ", and texting their link" : ""} (call ${answer.call_number}).`);
      await join(mode);
    } catch (error) {
      say(status, explain(error), { error: true });
    } finally {
      ringAgain.disabled = false;
    }
  });

  end.addEventListener("click", async () => {
    const sure = await confirmAction({
      title: "End the consultation?",
      text: "The call ends for everyone and the participants see the closing page. This cannot be undone.",
      confirmLabel: "End it for everyone",
      keepLabel: "Keep going",
    });
    if (!sure) return;
    try {
      await session.call("POST", `${pathOf(consultationId)}/end`, {});
      finish();
    } catch (error) {
      say(status, explain(error), { error: true });
    }
  });

  function finish() {
    view?.stop();
    view = null;
    stage.replaceChildren();
    onActive(false);
    inCall.hidden = true;
    say(status, "The consultation has ended.");
    refresh();
  }

  /** A call is going on (after a reload): offer to join it without ringing anyone again. */
  function offerJoin() {
    if (view) return;
    section.hidden = false;
    const buttons = ["video", "audio"].map((joinMode) => {
      const button = el(
        "button",
        { type: "button", class: joinMode === "video" ? null : "secondary" },
        joinMode === "video" ? "Join the call with camera" : "Join the call with sound only",
      );
      button.addEventListener("click", () => {
        for (const other of buttons) other.remove();
        join(joinMode);
      });
      return button;
    });
    stage.replaceChildren(...buttons);
  }

  return { element: section, join, offerJoin };
}

/** The visit record: when the consultation's call started and ended, who took part and how long. */
export async function renderVisit(section, { session, consultationId, clinic }) {
  const visit = await session.call("GET", `${pathOf(consultationId)}/visit`);
  const heading = el("h2", { id: "visit-heading" }, "Visit record");
  if (!visit.started_at) {
    section.replaceChildren(heading, el("p", {}, "Nobody has joined a call yet."));
    return;
  }
  const time = (iso) => (iso ? formatTime(iso, clinic.time_zone) : "—");
  section.replaceChildren(
    heading,
    el("p", {}, `Started ${time(visit.started_at)}${visit.ended_at ? `, ended ${time(visit.ended_at)}` : ""}. No audio or video is recorded.`),
    el(
      "ul",
      { class: "visit" },
      visit.members.map((member) =>
        el(
          "li",
          {},
          el("strong", {}, member.display_name || member.kind),
          ` (${member.role || member.kind}): ${minutes(member.seconds)}, from ${time(member.first_joined_at)} to ${time(member.last_left_at)}`,
        ),
      ),
    ),
  );
}

function minutes(seconds) {
  const whole = Math.round((seconds || 0) / 60);
  return whole < 1 ? "under a minute" : `${whole} min`;
}
