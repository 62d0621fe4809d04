// The fields of a person's contact details: name, phone, email, channels and language. The
// new-consultation form (for the patient), adding a guest and editing contact details all
// use them; `fieldPrefix` is what the API calls them ("patient." when creating).
import { el, selectOf, uniqueId } from "/shared/dom.js";
import { channelName, languageName } from "/clinic/format.js";

export const PHONE_HINT =
  "International format, starting with + and the country code: +33 6 12 34 56 78.";

export function contactFields({
  fieldPrefix = "",
  channels,
  languages,
  values = {},
  nameLabel = "Name",
  languageLabel = "Language of their messages",
  sameLanguageLabel = "Same as the consultation",
}) {
  const id = uniqueId("contact");
  const hintId = `${id}-hint`;
  const field = (name) => `${fieldPrefix}${name}`;
  const input = (name, type, attributes = {}) =>
    el("input", {
      id: `${id}-${name}`,
      type,
      autocomplete: "off",
      "data-field": field(name),
      value: values[name] || "",
      ...attributes,
    });
  const name = input("display_name", "text", { required: true, maxlength: 120 });
  const phone = input("phone", "tel", { "aria-describedby": hintId });
  const email = input("email", "email");
  const chosen = new Set(values.channels || ["sms"]);
  const boxes = channels.map((channel) =>
    el("input", {
      type: "checkbox",
      id: `${id}-channel-${channel}`,
      value: channel,
      checked: chosen.has(channel),
    }),
  );
  const language = selectOf(
    { id: `${id}-language`, "data-field": field("language") },
    [["", sameLanguageLabel], ...languages.map((code) => [code, languageName(code)])],
    values.language || "",
  );
  const element = el(
    "div",
    { class: "contact-fields" },
    el("label", { for: name.id }, nameLabel),
    name,
    el("label", { for: phone.id }, "Mobile phone"),
    el("p", { class: "hint", id: hintId }, PHONE_HINT),
    phone,
    el("label", { for: email.id }, "Email"),
    email,
    el(
      "fieldset",
      { class: "choices", id: `${id}-channels`, "data-field": field("channels") },
      el("legend", {}, "Send invitations by"),
      boxes.map((box) => el("label", { class: "choice" }, box, ` ${channelName(box.value)}`)),
    ),
    el("label", { for: language.id }, languageLabel),
    language,
  );
  return {
    element,
    name,
    /** The details as the API takes them; empty contacts are null, no language is left out. */
    read() {
      const details = {
        display_name: name.value.trim(),
        phone: phone.value.trim() || null,
        email: email.value.trim() || null,
        channels: boxes.filter((box) => box.checked).map((box) => box.value),
      };
      if (language.value) details.language = language.value;
      return details;
    },
  };
}
