// A consultation's chat on any page: the patient's waiting room, the clinician's
// consultation page and the dashboard's "Messages" dialog (docs/chat-and-files.md).
//
// The server is the source of truth (chalicelib/chat): `chat.send` stores a message once per
// client id and answers `chat.sent`; every other member's connection gets `chat.message`;
// `chat.history` pages back. This panel shows them in order (by the message's cursor), the
// author's name and role and the time in the reader's time zone; text is shown as text
// (`rich-text.js`). What the reader writes shows at once as "Sending…", then "Sent", or
// "Not sent." with "Try again"; it waits in the tab's outbox (`outbox.js`) until the server
// confirms it, so a message written while the connection is down goes out once it is back,
// and never twice. After every reconnection the latest page is read again and merged, so
// nothing pushed meanwhile is missed.
import { el, uniqueId } from "/shared/dom.js";
import { RealtimeError } from "/shared/realtime.js";
import { richText } from "/shared/chat/rich-text.js";
import { Outbox, newClientId } from "/shared/chat/outbox.js";
import { FileProblem, attachmentView, prepareFile, upload } from "/shared/chat/files.js";

const MAX_CHARS = 2000;
const SHOW_LEFT_BELOW = 200;
const STYLES = "/shared/chat/chat.css";

export class ChatPanel {
  /**
   * @param {object} options
   * @param {import("/shared/realtime.js").RealtimeChannel} options.channel the page's websocket
   * @param {string} options.consultationId
   * @param {{kind: string, id: string}} options.me who reads (their messages say "You")
   * @param {boolean} [options.namesConsultation] a clinician's connection serves the whole
   *   clinic, so its requests name the consultation
   * @param {object} options.files `filesApi(...)` of the reader's routes
   * @param {(key: string, vars?: object) => string} options.words `chatWords(...)`
   * @param {() => string} options.language the reader's language, for times and sizes
   * @param {{messages: object[], before: string|null}} [options.initial] the latest page, if
   *   the page already has it (the waiting room's answer); else it is read over the channel
   * @param {(message: object) => void} [options.onArrived] a message from someone else shown
   * @param {string} [options.headingLevel] "h2" (default) or "h3"
   * @param {boolean} [options.readOnly] only the messages (the consultation has ended)
   */
  constructor(options) {
    this.options = { namesConsultation: false, headingLevel: "h2", onArrived: () => {}, ...options };
    this.messages = new Map(); // message_id -> message
    this.nodes = new Map(); // message_id or "pending:<client id>" -> <li>
    this.pending = new Map(); // client_id -> {client_id, text, state, error, inFlight}
    this.before = null;
    this.pagedBack = false;
    this.outbox = new Outbox(options.consultationId, options.me.id);
    // Resolves once the latest messages are shown (given, or read over the channel).
    this.loaded = new Promise((resolve) => (this.markLoaded = resolve));
    this.element = this.build();
    this.onFrame = (frame) => {
      if (frame.message?.consultation_id === this.options.consultationId) this.receive(frame.message);
    };
    this.onConnected = () => this.resync();
    this.options.channel.on("chat.message", this.onFrame);
    this.options.channel.addEventListener("connected", this.onConnected);
    loadStyles();
    if (this.options.initial) this.merge(this.options.initial.messages, this.options.initial.before);
    else if (this.options.channel.state === "connected") this.resync();
    for (const entry of this.outbox.all()) this.queue(entry);
    this.drawEmpty();
  }

  /** Stops listening (the dialog closed, the page moved on). */
  dispose() {
    this.options.channel.off("chat.message", this.onFrame);
    this.options.channel.removeEventListener("connected", this.onConnected);
  }

  /** The consultation ended while the chat was open: from now on it is only read. */
  stopWriting() {
    this.options.readOnly = true;
    for (const node of this.writing) node.remove();
  }

  /** The cursor of the newest message shown (for "read up to here"), or null. */
  newestCursor() {
    let newest = null;
    for (const message of this.messages.values()) {
      if (!newest || cursorOf(message) > newest) newest = cursorOf(message);
    }
    return newest;
  }

  /** Redraws every text in the reader's (new) language. */
  relabel() {
    const { words } = this.options;
    this.heading.textContent = words("page.chat.heading");
    this.label.textContent = words("page.chat.label");
    this.sendButton.textContent = words("page.chat.send");
    this.attachButton.textContent = words("page.chat.attach");
    this.attachHint.textContent = words("page.chat.attach_hint");
    this.olderButton.textContent = words("page.chat.older");
    this.drawEmpty();
    this.countLeft();
    for (const [key, node] of this.nodes) {
      const message = this.messages.get(key);
      node.replaceWith(this.draw(key, message ? this.messageNode(message) : this.pendingNode(this.pending.get(key.slice(8)))));
    }
  }

  // -- building ------------------------------------------------------------------------------

  build() {
    const { words, headingLevel } = this.options;
    const headingId = uniqueId("chat-heading");
    const inputId = uniqueId("chat-text");
    const hintId = uniqueId("chat-hint");
    this.heading = el(headingLevel, { id: headingId }, words("page.chat.heading"));
    this.olderButton = el("button", { type: "button", class: "link chat-older", hidden: true }, words("page.chat.older"));
    this.olderButton.addEventListener("click", () => this.loadOlder());
    this.empty = el("p", { class: "chat-empty" });
    this.list = el("ol", { class: "chat-list" });
    this.log = el("div", { class: "chat-log", role: "log", "aria-labelledby": headingId, tabindex: "0" }, this.empty, this.list);
    this.label = el("label", { for: inputId }, words("page.chat.label"));
    this.input = el("textarea", { id: inputId, rows: "2", maxlength: String(MAX_CHARS), "aria-describedby": hintId });
    this.left = el("span", { class: "chat-left", id: hintId, "aria-live": "polite" });
    this.sendButton = el("button", { type: "submit", class: "primary chat-send" }, words("page.chat.send"));
    this.fileInput = el("input", { type: "file", accept: "image/jpeg,image/png,application/pdf,.jpg,.jpeg,.png,.pdf", hidden: true });
    this.attachButton = el("button", { type: "button", class: "secondary chat-attach" }, words("page.chat.attach"));
    this.attachHint = el("p", { class: "hint chat-attach-hint" }, words("page.chat.attach_hint"));
    this.status = el("p", { class: "chat-status", role: "status" });
    const form = el("form", { class: "chat-form", novalidate: true }, this.label, this.input, this.left, this.sendButton);
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      this.sendText();
    });
    this.input.addEventListener("input", () => this.countLeft());
    this.input.addEventListener("keydown", (event) => {
      // On a keyboard, Enter sends and Shift+Enter starts a new line; a phone's Enter is a new line.
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing && !coarsePointer()) {
        event.preventDefault();
        this.sendText();
      }
    });
    this.attachButton.addEventListener("click", () => this.fileInput.click());
    this.fileInput.addEventListener("change", () => {
      const [file] = this.fileInput.files;
      this.fileInput.value = "";
      if (file) this.sendFile(file);
    });
    this.writing = [form, this.fileInput, this.attachButton, this.attachHint, this.status];
    const writing = this.options.readOnly ? [] : this.writing;
    return el("section", { class: "chat", "aria-labelledby": headingId }, this.heading, this.olderButton, this.log, writing);
  }

  // -- receiving -----------------------------------------------------------------------------

  /** Adds the latest page of messages (an answer, a resync); `before`: the cursor older than it. */
  merge(messages, before) {
    for (const message of messages) this.receive(message, { quiet: true });
    if (!this.pagedBack) this.before = before; // else the earlier pages' cursor goes further back
    this.olderButton.hidden = !this.before;
    this.markLoaded();
  }

  receive(message, { quiet = false } = {}) {
    const known = this.messages.has(message.message_id);
    this.messages.set(message.message_id, message);
    const mine = this.isMine(message);
    if (mine && message.client_id && this.pending.has(message.client_id)) {
      this.pending.delete(message.client_id);
      this.outbox.remove(message.client_id);
      this.nodes.get(`pending:${message.client_id}`)?.remove();
      this.nodes.delete(`pending:${message.client_id}`);
    }
    if (known) return;
    const node = this.draw(message.message_id, this.messageNode(message));
    const later = [...this.list.children].find((other) => other.dataset.cursor > cursorOf(message) || other.dataset.pending);
    this.keepingLatestInView(() => this.list.insertBefore(node, later || null));
    this.drawEmpty();
    if (!mine && !quiet) this.options.onArrived(message);
  }

  async resync() {
    try {
      const page = await this.options.channel.request("chat.history", this.scope());
      this.merge(page.messages, page.before);
    } catch {
      // the next reconnection reads it again
    }
    for (const entry of this.pending.values()) {
      if (!entry.inFlight && entry.state === "sending") this.transmit(entry);
    }
  }

  async loadOlder() {
    this.olderButton.disabled = true;
    try {
      const page = await this.options.channel.request("chat.history", { ...this.scope(), before: this.before });
      for (const message of page.messages) this.receive(message, { quiet: true });
      this.before = page.before;
      this.pagedBack = true;
    } catch {
      // the button stays: pressing it again asks again
    } finally {
      this.olderButton.disabled = false;
      this.olderButton.hidden = !this.before;
    }
  }

  // -- sending -------------------------------------------------------------------------------

  sendText() {
    const text = this.input.value;
    if (!text.trim()) {
      this.input.focus();
      return;
    }
    this.input.value = "";
    this.countLeft();
    const entry = { client_id: newClientId(), text };
    this.outbox.add(entry);
    this.queue(entry);
    this.input.focus();
  }

  /** Shows `entry` as "Sending…" and sends it. */
  queue(entry) {
    const pending = { ...entry, state: "sending", error: null, inFlight: false };
    this.pending.set(entry.client_id, pending);
    this.redrawPending(pending);
    this.transmit(pending);
  }

  async transmit(entry) {
    const { channel } = this.options;
    entry.inFlight = true;
    entry.state = "sending";
    this.redrawPending(entry);
    try {
      const reply = await channel.request("chat.send", { ...this.scope(), client_id: entry.client_id, text: entry.text });
      entry.inFlight = false;
      this.receive(reply.message, { quiet: true });
    } catch (error) {
      entry.inFlight = false;
      if (!this.pending.has(entry.client_id)) return; // confirmed meanwhile (another tab, a resync)
      if (error instanceof RealtimeError) {
        // Refused (too fast, not a member any more, too long): say why; "Try again" resends.
        entry.state = "failed";
        entry.error = error.message;
      } else if (channel.state === "connected") {
        entry.state = "failed"; // connected but unanswered
        entry.error = null;
      } // else: the connection went down; the message goes out again once it is back
      this.redrawPending(entry);
    }
  }

  retry(clientId) {
    const entry = this.pending.get(clientId);
    if (entry && !entry.inFlight) this.transmit(entry);
  }

  async sendFile(file) {
    const { files, words } = this.options;
    const say = (text, error = false) => this.say(text, error);
    this.attachButton.disabled = true;
    try {
      const prepared = await prepareFile(file);
      say(words("page.chat.uploading", { name: prepared.name, percent: 0 }));
      const grant = await files.ask(prepared.name, prepared.type);
      await upload(grant.upload, prepared.blob, prepared.name, (percent) =>
        say(words("page.chat.uploading", { name: prepared.name, percent })),
      );
      say(words("page.chat.checking", { name: prepared.name }));
      const answer = await files.complete(grant.file_id);
      this.receive(answer.message, { quiet: true });
      say(words("page.chat.file_sent", { name: prepared.name }));
    } catch (error) {
      if (error instanceof FileProblem) say(words(error.key), true);
      else if (error && error.status && error.message) say(error.message, true); // the API's words
      else say(words("page.chat.upload_failed"), true);
    } finally {
      this.attachButton.disabled = false;
    }
  }

  // -- drawing -------------------------------------------------------------------------------

  draw(key, node) {
    this.nodes.get(key)?.replaceWith(node);
    this.nodes.set(key, node);
    return node;
  }

  redrawPending(entry) {
    const key = `pending:${entry.client_id}`;
    const fresh = !this.nodes.has(key);
    const node = this.draw(key, this.pendingNode(entry));
    if (fresh) this.keepingLatestInView(() => this.list.append(node), { always: true });
    this.drawEmpty();
  }

  /** Adds with `add()`; a reader who was at the latest message (or just wrote) stays there. */
  keepingLatestInView(add, { always = false } = {}) {
    const log = this.log;
    const atLatest = log.scrollHeight - log.scrollTop - log.clientHeight < 48;
    add();
    if (atLatest || always) log.scrollTop = log.scrollHeight;
  }

  messageNode(message) {
    const { words, files, language } = this.options;
    const mine = this.isMine(message);
    const author = mine
      ? words("page.chat.you")
      : `${message.author.display_name} · ${words(`page.chat.role.${message.author.role}`)}`;
    const sentAt = new Date(message.sent_at);
    const body = message.attachment
      ? attachmentView(message.attachment, {
          files,
          words,
          language: language(),
          onError: () => this.say(words("page.chat.upload_failed"), true),
        })
      : el("p", { class: "chat-text" }, richText(message.text || ""));
    const node = el(
      "li",
      { class: mine ? "chat-message mine" : "chat-message" },
      el(
        "p",
        { class: "chat-meta" },
        el("span", { class: "chat-author" }, author),
        " ",
        el("time", { datetime: message.sent_at }, formatTime(sentAt, language())),
      ),
      body,
      mine ? el("p", { class: "chat-delivery" }, words("page.chat.sent")) : null,
    );
    node.dataset.cursor = cursorOf(message);
    return node;
  }

  pendingNode(entry) {
    const { words } = this.options;
    const state =
      entry.state === "failed"
        ? [
            el("span", { class: "chat-state failed" }, entry.error || words("page.chat.failed")),
            " ",
            el("button", { type: "button", class: "link chat-retry", onclick: () => this.retry(entry.client_id) }, words("page.chat.retry")),
          ]
        : el("span", { class: "chat-state" }, words("page.chat.sending"));
    const node = el(
      "li",
      { class: "chat-message mine pending" },
      el("p", { class: "chat-meta" }, el("span", { class: "chat-author" }, words("page.chat.you"))),
      el("p", { class: "chat-text" }, richText(entry.text)),
      el("p", { class: "chat-delivery" }, state),
    );
    node.dataset.pending = entry.client_id;
    return node;
  }

  drawEmpty() {
    const none = this.messages.size === 0 && this.pending.size === 0;
    this.empty.hidden = !none;
    this.empty.textContent = none ? this.options.words("page.chat.empty") : "";
  }

  countLeft() {
    const left = MAX_CHARS - this.input.value.length;
    this.left.textContent = left < SHOW_LEFT_BELOW ? this.options.words("page.chat.chars_left", { count: left }) : "";
  }

  say(text, error = false) {
    this.status.textContent = text;
    this.status.classList.toggle("error", error);
  }

  isMine(message) {
    const { me } = this.options;
    return message.author.kind === me.kind && message.author.id === me.id;
  }

  scope() {
    return this.options.namesConsultation ? { consultation_id: this.options.consultationId } : {};
  }
}

/** The order of messages: the server's cursor (its time, then its id). */
export function cursorOf(message) {
  return message.cursor || `${message.sent_at}#${message.message_id}`;
}

/** "14:05" today, else "3 Dec, 14:05", in the reader's language and time zone. */
function formatTime(date, language) {
  const today = new Date().toDateString() === date.toDateString();
  const options = today ? { hour: "2-digit", minute: "2-digit" } : { day: "numeric", month: "short", hour: "2-digit", minute: "2-digit" };
  try {
    return new Intl.DateTimeFormat(language, options).format(date);
  } catch {
    return date.toLocaleString();
  }
}

function coarsePointer() {
  return window.matchMedia?.("(pointer: coarse)").matches;
}

function loadStyles() {
  if (document.querySelector(`link[href="${STYLES}"]`)) return;
  document.head.append(el("link", { rel: "stylesheet", href: STYLES }));
}
