// A consultation's chat on the clinic pages: the shared panel (`/shared/chat/panel.js`) on
// the clinic's websocket with the clinician's file routes, and the unread count.
//
// Unread: every consultation in the day list and on its page carries `unread_messages` for
// the signed-in clinician (the server counts; docs/chat-and-files.md). A message from
// someone else adds one live (`chat.message`); reading tells the server how far the
// clinician has read (`POST .../chat/read {through}`), and the server tells the clinician's
// other tabs (`chat.read`). A chat counts as read when it is on screen: the consultation
// page's chat in view while the tab is visible, or the dashboard's "Messages" dialog open.
import { openDialog } from "/shared/dialog.js";
import { el } from "/shared/dom.js";
import { ChatPanel } from "/shared/chat/panel.js";
import { filesApi } from "/shared/chat/files.js";
import { chatWords } from "/shared/chat/words.js";

const pathOf = (consultationId) => `/api/consultations/${encodeURIComponent(consultationId)}`;

/** The chat's panel; its `element` goes on the page, `dispose()` when it leaves. */
export function chatPanel({ session, channel, consultationId, headingLevel = "h2", onArrived, readOnly = false }) {
  return new ChatPanel({
    channel,
    consultationId,
    me: { kind: "clinician", id: session.clinician.clinician_id },
    namesConsultation: true,
    files: filesApi(pathOf(consultationId), (method, path, body) => session.call(method, path, body)),
    words: chatWords(),
    language: () => "en",
    headingLevel,
    onArrived,
    readOnly,
  });
}

/** "1 new message", "3 new messages", or "" for none. */
export function unreadWords(count) {
  if (!count) return "";
  return `${count} new message${count === 1 ? "" : "s"}`;
}

/** Tells the server how far a chat was read, one request at a time, never backwards. */
class ReadMarker {
  constructor(session, consultationId, onCount) {
    this.session = session;
    this.consultationId = consultationId;
    this.onCount = onCount;
    this.marked = null; // the newest cursor the server has
    this.wanted = null;
    this.busy = false;
  }

  async through(cursor) {
    if (!cursor || (this.marked && cursor <= this.marked)) return;
    this.wanted = cursor;
    if (this.busy) return;
    this.busy = true;
    try {
      while (this.wanted && (!this.marked || this.wanted > this.marked)) {
        const through = this.wanted;
        const answer = await this.session.call("POST", `${pathOf(this.consultationId)}/chat/read`, { through });
        this.marked = through;
        this.onCount(answer.unread_messages);
      }
    } catch {
      // not marked: the count stays, and the next message or visit tries again
    } finally {
      this.busy = false;
    }
  }
}

/** The consultation page's chat: read while it is in view and the tab is visible;
 * `readOnly` once the consultation is over (it is then read, never written). Gives its
 * `element` and `stopWriting()`, for a consultation that ends while the page is open. */
export function consultationChat({ session, channel, consultationId, unread = 0, readOnly = false }) {
  const badge = el("p", { class: "unread", role: "status" });
  let count = unread;
  const show = (value) => {
    count = value;
    badge.textContent = unreadWords(count);
  };
  let inView = false;
  const marker = new ReadMarker(session, consultationId, show);
  const readIfSeen = () => {
    if (inView && document.visibilityState === "visible") marker.through(panel.newestCursor());
  };
  const panel = chatPanel({
    session,
    channel,
    consultationId,
    readOnly,
    onArrived: () => {
      show(count + 1);
      readIfSeen();
    },
  });
  panel.heading.after(badge);
  show(unread);
  channel.on("chat.read", (frame) => {
    if (frame.consultation_id === consultationId) show(frame.unread_messages);
  });
  new IntersectionObserver((entries) => {
    inView = entries.some((entry) => entry.isIntersecting);
    readIfSeen();
  }).observe(panel.log);
  document.addEventListener("visibilitychange", readIfSeen);
  panel.loaded.then(readIfSeen);
  return { element: panel.element, stopWriting: () => panel.stopWriting() };
}

/**
 * The dashboard row's "Messages" button (with the unread count): it opens the chat in a
 * dialog, which reads it. `label` says which consultation, for screen readers.
 */
export function messagesButton({ session, channel, consultationId, unread, label, onRead, readOnly = false }) {
  const words = unreadWords(unread);
  const button = el(
    "button",
    { type: "button", class: unread ? "messages has-unread" : "secondary messages", "data-key": `messages:${consultationId}` },
    "Messages",
    words ? el("span", { class: "count" }, ` (${words})`) : null,
  );
  button.setAttribute("aria-label", `Messages, ${label}${words ? `, ${words}` : ""}`);
  button.addEventListener("click", () => openChatDialog({ session, channel, consultationId, label, onRead, readOnly }));
  return button;
}

function openChatDialog({ session, channel, consultationId, label, onRead, readOnly }) {
  const marker = new ReadMarker(session, consultationId, onRead);
  const panel = chatPanel({
    session,
    channel,
    consultationId,
    headingLevel: "h3",
    readOnly,
    onArrived: () => marker.through(panel.newestCursor()),
  });
  const dialog = openDialog({ title: `Messages: ${label}`, content: [panel.element] });
  dialog.classList.add("chat-dialog");
  dialog.addEventListener("close", () => panel.dispose());
  panel.loaded.then(() => {
    if (dialog.open) marker.through(panel.newestCursor());
  });
  if (!readOnly) panel.input.focus();
}
