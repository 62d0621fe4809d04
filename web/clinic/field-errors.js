// Shows an error next to the input it is about: inputs and fieldsets name their API field in
// `data-field` (e.g. "patient.phone"); the input gets aria-invalid, a message it is
// described by, and the focus. Errors without a known field go to the form's live message.
import { ApiError } from "/shared/api.js";
import { el } from "/shared/dom.js";
import { explain, fieldMessage } from "/clinic/explain.js";
import { say } from "/shared/messages.js";

export function clearFieldErrors(form) {
  for (const message of form.querySelectorAll(".field-error")) {
    for (const described of form.querySelectorAll(`[aria-describedby~="${message.id}"]`)) {
      const rest = described
        .getAttribute("aria-describedby")
        .split(" ")
        .filter((id) => id !== message.id);
      if (rest.length) described.setAttribute("aria-describedby", rest.join(" "));
      else described.removeAttribute("aria-describedby");
    }
    message.remove();
  }
  for (const input of form.querySelectorAll("[aria-invalid]"))
    input.removeAttribute("aria-invalid");
}

/** Marks the input of `field` with `text`; false when the form has no such field. */
export function showFieldError(form, field, text) {
  const target = form.querySelector(`[data-field="${CSS.escape(field)}"]`);
  if (!target) return false;
  const message = el("p", { class: "field-error", id: `${target.id}-error` }, text);
  const inputs = target.matches("fieldset")
    ? [...target.querySelectorAll("input, select")]
    : [target];
  for (const input of inputs) {
    input.setAttribute("aria-invalid", "true");
    const described = input.getAttribute("aria-describedby");
    input.setAttribute("aria-describedby", described ? `${described} ${message.id}` : message.id);
  }
  if (target.matches("fieldset")) target.querySelector("legend").after(message);
  else target.after(message);
  inputs[0].focus();
  return true;
}

/** Shows `error` at its field when it names one of the form's, else in `status`. */
export function reportError(form, error, status, options) {
  if (
    error instanceof ApiError &&
    error.field &&
    showFieldError(form, error.field, fieldMessage(error))
  ) {
    say(status, "Please correct the marked field.", { error: true });
    return;
  }
  say(status, explain(error, options), { error: true });
}
