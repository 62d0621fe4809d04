// Modal dialogs on <dialog>: a title, some content and buttons. Escape or "Close" closes one;
// the focus goes back to what opened it (or to its successor once the page was redrawn).
// `confirmAction` asks a yes-or-no question.
import { el, uniqueId } from "/shared/dom.js";

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
    returnFocus(opener);
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
    const dialog = openDialog({
      title,
      content: [el("p", {}, text)],
      actions: [yes],
      closeLabel: keepLabel,
    });
    yes.addEventListener("click", () => {
      confirmed = true;
      dialog.close();
    });
    dialog.addEventListener("close", () => resolve(confirmed));
  });
}

/** Focus `opener` again or, when the page was redrawn meanwhile, its successor (same data-key). */
function returnFocus(opener) {
  if (!opener) return;
  if (opener.isConnected) {
    opener.focus();
    return;
  }
  const key = opener.dataset && opener.dataset.key;
  const successor = key && document.querySelector(`[data-key="${CSS.escape(key)}"]`);
  if (successor) successor.focus();
}
