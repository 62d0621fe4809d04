// One consultation of the day view: time, patient, duration and status (a link to the
// consultation page), then each participant's way in (presence, waiting time, device check),
// any delay announced, Messages (with the unread count) and Start / Running late.
import { el } from "/shared/dom.js";
import { consultationPage } from "/clinic/links.js";
import { formatDuration, formatTimeRange, roleName, statusName } from "/clinic/format.js";
import { deviceCheckElement, presenceElement } from "/clinic/presence.js";
import { delayWords, waitingActions } from "/clinic/waiting-actions.js";
import { messagesButton } from "/clinic/chat.js";

/** The row's element; `context` holds the session, the clinic and the action message. */
export function dayRow(entry, context) {
  const { clinic } = context;
  const closed = entry.status === "cancelled" || entry.status === "ended";
  const time = formatTimeRange(entry.starts_at, entry.duration_minutes, clinic.time_zone);
  const name = entry.patient_display_name || "Consultation";
  const waiting = entry.waiting || [];
  return el(
    "li",
    { class: entry.status === "cancelled" ? "cancelled" : null, "data-consultation-id": entry.consultation_id },
    el(
      "a",
      { href: consultationPage(entry.consultation_id) },
      el("span", { class: "time" }, time),
      el("span", { class: "name" }, name),
      el("span", { class: "duration" }, formatDuration(entry.duration_minutes)),
      el("span", { class: `status ${entry.status}` }, statusName(entry.status)),
    ),
    waiting.length && !closed
      ? el(
          "ul",
          { class: "arrivals", "aria-label": `Participants of ${time}` },
          waiting.map((p) =>
            el(
              "li",
              { "data-participant-id": p.participant_id },
              el("span", { class: "role" }, `${roleName(p.role)}: `),
              presenceElement(p.presence, p.waiting_since),
              p.device_check ? [" · Device: ", deviceCheckElement(p.device_check)] : null,
              p.notify_when_called ? " · Wants a text when called" : null,
            ),
          ),
        )
      : null,
    entry.delay && !closed ? el("p", { class: "delay" }, delayWords(entry.delay, clinic.time_zone)) : null,
    entry.status === "cancelled" || !entry.chat_member || !context.channel
      ? null
      : messagesButton({
          session: context.session,
          channel: context.channel,
          consultationId: entry.consultation_id,
          unread: entry.unread_messages || 0,
          label: `${time} ${name}`,
          onRead: (count) => context.unreadChanged(entry.consultation_id, count),
          readOnly: closed,
        }),
    closed
      ? null
      : waitingActions({
          session: context.session,
          consultationId: entry.consultation_id,
          clinic,
          status: context.status,
          label: `${time} ${name}`,
          done: context.refresh,
          onCalled: (mode) => window.location.assign(`${consultationPage(entry.consultation_id)}&call=${mode}`),
        }),
  );
}
