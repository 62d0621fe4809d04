// Messages written but not yet confirmed by the server, kept for this tab (sessionStorage)
// so that a reload or a reconnection sends them again with the SAME client id: the server
// stores a (author, client id) once, so a message is never sent twice. sessionStorage, not
// localStorage: a message on a shared computer goes when the tab is closed.

const PREFIX = "vestibule.chat.outbox.";

export class Outbox {
  constructor(consultationId, authorId) {
    this.key = `${PREFIX}${consultationId}.${authorId}`;
  }

  /** [{client_id, text}] in the order they were written. */
  all() {
    try {
      const saved = JSON.parse(window.sessionStorage.getItem(this.key) || "[]");
      return Array.isArray(saved) ? saved.filter(isEntry) : [];
    } catch {
      return [];
    }
  }

  add(entry) {
    this.write([...this.all().filter((kept) => kept.client_id !== entry.client_id), entry]);
  }

  remove(clientId) {
    this.write(this.all().filter((kept) => kept.client_id !== clientId));
  }

  write(entries) {
    try {
      if (entries.length) window.sessionStorage.setItem(this.key, JSON.stringify(entries));
      else window.sessionStorage.removeItem(this.key);
    } catch {
      // storage refused (private mode, full): the message is still sent from memory
    }
  }
}

/** A fresh client id: 32 hex digits, as the server's `client_id` rule allows. */
export function newClientId() {
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

function isEntry(entry) {
  return entry && typeof entry.client_id === "string" && typeof entry.text === "string";
}
