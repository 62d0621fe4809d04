// The consultation page's participants: per person their contacts and, per channel, the
// invitation's status with Send / Resend / "Send by <channel>"; "Show QR code" for a fresh
// link to scan in the room; editing contact details; adding (up to 3) and removing guests.
import { confirmAction } from "/shared/dialog.js";
import { el } from "/shared/dom.js";
import {
  describeDelivery,
  describeSent,
  invitationRows,
  otherMessages,
} from "/clinic/deliveries.js";
import { channelName, languageName, roleName } from "/clinic/format.js";
import { openContactDialog, openGuestDialog } from "/clinic/participant-forms.js";
import { showLinkDialog } from "/clinic/qr-dialog.js";

export const MAX_GUESTS = 3;

const capitalised = (text) => text.charAt(0).toUpperCase() + text.slice(1);
const fact = (term, value) => [el("dt", {}, term), el("dd", {}, value)];

function button(label, key, onClick) {
  const node = el("button", { type: "button", class: "secondary", "data-key": key }, label);
  node.addEventListener("click", onClick);
  return node;
}

export function renderParticipants(section, record, context) {
  const guests = record.participants.filter((p) => p.role !== "patient").length;
  const open = record.status === "scheduled";
  const parts = [
    el("h2", { id: "participants-heading" }, "Participants"),
    el(
      "ul",
      { class: "participants" },
      record.participants.map((p) => el("li", {}, card(p, record, context))),
    ),
  ];
  if (open && guests < MAX_GUESTS) {
    parts.push(
      button(`Add a guest (${guests} of ${MAX_GUESTS})`, "add-guest", () =>
        openGuestDialog(context),
      ),
    );
  } else if (open) {
    parts.push(el("p", {}, `This consultation has ${MAX_GUESTS} guests, the most it can have.`));
  }
  section.replaceChildren(...parts);
}

function card(participant, record, context) {
  const { clinic } = context;
  const id = participant.participant_id;
  const headingId = `participant-${id}`;
  const open = record.status === "scheduled";
  const others = otherMessages(participant, clinic.time_zone);
  return el(
    "article",
    { class: "participant", "aria-labelledby": headingId },
    el(
      "h3",
      { id: headingId },
      participant.display_name,
      " ",
      el("span", { class: "role" }, `(${roleName(participant.role)})`),
    ),
    el(
      "dl",
      { class: "facts" },
      fact("Mobile phone", participant.phone || "None"),
      fact("Email", participant.email || "None"),
      fact("Language", languageName(participant.language)),
    ),
    invitationTable(participant, open, context),
    others.length
      ? el(
          "ul",
          { class: "other-messages", "aria-label": "Other messages" },
          others.map((t) => el("li", {}, t)),
        )
      : null,
    open
      ? el(
          "div",
          { class: "buttons" },
          button("Show QR code", `qr:${id}`, () => showLink(participant, context)),
          button("Edit contact details", `edit:${id}`, () =>
            openContactDialog(participant, context),
          ),
          participant.role === "patient"
            ? null
            : button("Remove", `remove:${id}`, () => remove(participant, context)),
        )
      : null,
  );
}

function invitationTable(participant, open, context) {
  const rows = invitationRows(participant, context.clinic.channels);
  return el(
    "table",
    { class: "deliveries" },
    el("caption", {}, "Invitations"),
    el(
      "thead",
      {},
      el(
        "tr",
        {},
        el("th", { scope: "col" }, "Channel"),
        el("th", { scope: "col" }, "Status"),
        open ? el("th", { scope: "col" }, "Action") : null,
      ),
    ),
    el(
      "tbody",
      {},
      rows.map((row) =>
        el(
          "tr",
          { "data-channel": row.channel },
          el(
            "th",
            { scope: "row" },
            capitalised(channelName(row.channel)),
            row.chosen ? null : el("span", { class: "hint" }, " (not chosen)"),
          ),
          el(
            "td",
            { class: "delivery" },
            describeDelivery(row.invitation, context.clinic.time_zone),
          ),
          open
            ? el(
                "td",
                {},
                button(row.label, `send:${participant.participant_id}:${row.channel}`, () =>
                  send(participant, row, context),
                ),
              )
            : null,
        ),
      ),
    ),
  );
}

function send(participant, row, { api, run }) {
  return run(async () =>
    describeSent(
      await api.invite(participant, row.channel, { resend: row.resend }),
      participant.display_name,
    ),
  );
}

function showLink(participant, { api, run, clinic }) {
  return run(
    async () => {
      const link = await api.newLink(participant.participant_id);
      showLinkDialog(link, participant.display_name, clinic.time_zone);
      return `A new link for ${participant.display_name} is shown.`;
    },
    { refresh: false },
  );
}

async function remove(participant, { api, run }) {
  const confirmed = await confirmAction({
    title: `Remove ${participant.display_name}?`,
    text: "Their link stops working and they can no longer join.",
    confirmLabel: "Yes, remove",
  });
  if (confirmed) {
    await run(async () => {
      await api.removeGuest(participant.participant_id);
      return `${participant.display_name} was removed.`;
    });
  }
}
