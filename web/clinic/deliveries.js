// What the consultation page shows of a participant's messages: one row per channel they
// chose or could be reached on, its invitation's status in words, and the button it offers
// (Send, Resend, or Send by a channel they did not choose).
import { channelName, formatMoment } from "/clinic/format.js";

export const INVITATION = "invitation";
const PURPOSES = {
  invitation: "Invitation",
  access_code: "Access code",
  reminder: "Reminder",
  cancellation: "Cancellation notice",
  change: "Change notice",
};

export function deliveryOf(participant, channel, purpose = INVITATION) {
  return participant.deliveries.find((d) => d.channel === channel && d.purpose === purpose) || null;
}

function reachable(participant, channel) {
  return channel === "email" ? Boolean(participant.email) : Boolean(participant.phone);
}

/** The invitation rows: their chosen channels, then the other channels they can be reached on. */
export function invitationRows(participant, offeredChannels) {
  const others = offeredChannels.filter(
    (c) => !participant.channels.includes(c) && reachable(participant, c),
  );
  return [...participant.channels, ...others].map((channel) => {
    const invitation = deliveryOf(participant, channel);
    const resend = invitation !== null;
    return {
      channel,
      chosen: participant.channels.includes(channel),
      invitation,
      resend,
      label: `${resend ? "Resend" : "Send"} by ${channelName(channel)}`,
    };
  });
}

/** "Sent · attempt 2 · 24 Nov 2026, 14:30", "Failed: bounced · attempt 1 · …", "Not sent". */
export function describeDelivery(delivery, timeZone) {
  if (!delivery) return "Not sent";
  const state =
    {
      sent: "Sent",
      failed: `Failed${delivery.reason ? `: ${delivery.reason}` : ""}`,
      sending: "Sending (no outcome yet)",
    }[delivery.status] || delivery.status;
  return [
    state,
    `attempt ${delivery.attempt}`,
    delivery.at ? formatMoment(delivery.at, timeZone) : null,
  ]
    .filter(Boolean)
    .join(" · ");
}

/** The other messages (access codes, reminders, notices), one line each. */
export function otherMessages(participant, timeZone) {
  return participant.deliveries
    .filter((d) => d.purpose !== INVITATION)
    .map((d) => {
      const what = `${PURPOSES[d.purpose] || d.purpose} by ${channelName(d.channel)}`;
      return `${what}: ${describeDelivery(d, timeZone)}`;
    });
}

/** The clinician's words for what an invitation request did. */
export function describeSent(sent, participantName) {
  const channel = channelName(sent.channel);
  if (sent.status === "duplicate") {
    return (
      `The invitation by ${channel} (attempt ${sent.attempt}) had already gone out; ` +
      "it was not sent twice."
    );
  }
  if (sent.status === "failed") {
    const reason = sent.reason ? `: ${sent.reason}` : "";
    return `The invitation by ${channel} to ${participantName} failed${reason}.`;
  }
  const code = sent.access_code ? ` ${describeCode(sent.access_code)}` : "";
  return `Invitation sent by ${channel} to ${participantName} (attempt ${sent.attempt}).${code}`;
}

function describeCode(outcome) {
  const channel = channelName(outcome.channel);
  return outcome.status === "failed"
    ? `The access code by ${channel} failed.`
    : `The access code went by ${channel}.`;
}
