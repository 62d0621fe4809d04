// Modal dialogs on <dialog>: a title, some content and buttons. Escape or "Close" closes one;
// the focus goes back to what opened it. `confirmAction` asks a yes-or-no question.
import { el, uniqueId } from "/clinic/dom.js";

export function openDialog({ title, content = [], actions = [], closeLabel = "Close" }) {
  const opener = document.activeElement;
  const headingId = uniqueId("dialog-title");
  const close = el("button", { type: "button", class: "secondary" }, closeLabel);
  const dialog = el(
    "dialog",
    { "aria-labelledby": headingId },
    el("h2", { id: headingId }, title),
    content,
    el("div", { class: "buttons" }, actions, close),
  );
  close.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => {
    dialog.remove();
    if (opener && opener.isConnected) opener.focus();
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

/** Asks before something that cannot be undone; resolves true when confirmed. */
export function confirmAction({ title, text, confirmLabel, keepLabel = "Keep it" }) {
  return new Promise((resolve) => {
    let confirmed = false;
    const yes = el("button", { type: "button", class: "danger" }, confirmLabel);
    const dialog = openDialog({ title, content: [el("p", {}, text)], actions: [yes], closeLabel: keepLabel });
    yes.addEventListener("click", () => {
      confirmed = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => resolve(confirmed));
  });
}
