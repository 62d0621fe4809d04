// The dialogs that add a guest (family member, interpreter or professional) and edit someone's
// contact details. Errors show at their field inside the dialog; on success it closes.
import { contactFields } from "/clinic/contact-fields.js";
import { openDialog } from "/shared/dialog.js";
import { el, selectOf, uniqueId } from "/shared/dom.js";
import { clearFieldErrors } from "/clinic/field-errors.js";
import { ROLE_NAMES } from "/clinic/format.js";

const GUEST_ROLES = ["family", "interpreter", "professional"];

function formDialog({ title, fields, submitLabel, submit, run }) {
  const status = el("p", { class: "message", "aria-live": "polite" });
  const form = el(
    "form",
    { novalidate: true },
    fields,
    el("button", { type: "submit" }, submitLabel),
    status,
  );
  const dialog = openDialog({ title, content: [form], closeLabel: "Cancel" });
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearFieldErrors(form);
    if (await run(submit, { form, status })) dialog.close();
  });
  form.querySelector("input, select").focus();
}

export function openGuestDialog({ clinic, api, run }) {
  const roleId = uniqueId("role");
  const role = selectOf(
    { id: roleId, "data-field": "role" },
    GUEST_ROLES.map((r) => [r, ROLE_NAMES[r]]),
    "family",
  );
  const contact = contactFields({ channels: clinic.channels, languages: clinic.languages });
  formDialog({
    title: "Add a guest",
    fields: [el("label", { for: roleId }, "Role"), role, contact.element],
    submitLabel: "Add guest",
    run,
    submit: async () => {
      const guest = await api.addGuest({ role: role.value, ...contact.read() });
      return `${guest.display_name} was added.`;
    },
  });
}

export function openContactDialog(participant, { clinic, api, run }) {
  const contact = contactFields({
    channels: clinic.channels,
    languages: clinic.languages,
    values: participant,
  });
  formDialog({
    title: `Contact details of ${participant.display_name}`,
    fields: [contact.element],
    submitLabel: "Save contact details",
    run,
    submit: async () => {
      const changes = changed(participant, contact.read());
      if (!Object.keys(changes).length) return "Nothing was changed.";
      await api.changeParticipant(participant.participant_id, changes);
      const name = changes.display_name || participant.display_name;
      return `The contact details of ${name} are saved.`;
    },
  });
}

/** The details that differ from the participant's, as a PATCH body. */
function changed(participant, details) {
  const changes = {};
  for (const name of ["display_name", "phone", "email", "language"]) {
    if (name in details && (details[name] || null) !== (participant[name] || null))
      changes[name] = details[name];
  }
  if ([...details.channels].sort().join() !== [...participant.channels].sort().join()) {
    changes.channels = details.channels;
  }
  return changes;
}
