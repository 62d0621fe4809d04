// The page's websocket to the Vestibule API: requests with replies, pushed frames,
// heartbeats, and reconnection on its own.
//
// Every message is a JSON object with a `type`; a request carries an `id`, and its reply (or
// error frame) carries the same `id`. API Gateway closes idle connections after 10 minutes
// and every connection after 2 hours, so the channel pings every few minutes and, whenever
// the connection closes without `close()`, opens a new one after a backoff (exponential,
// with jitter, reset once a connection opens). Each connection needs a fresh single-use
// ticket, so the channel takes a function that asks the REST API for one.
//
// Requests and sends made while the channel is not connected wait in a queue and go out,
// in order, once it is: a message is sent once, on whichever connection is open. A request
// that was already sent when its connection closed is rejected (its answer is lost; the
// caller decides whether to ask again). The channel is an EventTarget: `connected`,
// `reconnecting` (detail: `attempt`, `delayMs`) and `closed` tell a page how it stands.

const DEFAULTS = {
  heartbeatMs: 4 * 60 * 1000, // well under API Gateway's 10-minute idle timeout
  requestTimeoutMs: 20 * 1000, // a request unanswered this long fails (pings: the socket is dead)
  initialBackoffMs: 1000,
  maxBackoffMs: 30 * 1000,
};

export class RealtimeError extends Error {
  constructor(frame) {
    super(frame.message || frame.code);
    this.code = frame.code;
    this.field = frame.field;
  }
}

/**
 * The wait before reconnection attempt `attempt` (0 for the first): half of an exponentially
 * growing ceiling plus a random share of the other half, so that pages cut off together do
 * not all come back at the same instant.
 */
export function backoffDelay(attempt, { initialMs, maxMs, random = Math.random }) {
  const ceiling = Math.min(maxMs, initialMs * 2 ** attempt);
  return Math.round(ceiling / 2 + random() * (ceiling / 2));
}

export class RealtimeChannel extends EventTarget {
  /**
   * @param {object} options
   * @param {string} options.url the websocket URL, without a ticket
   * @param {() => Promise<string>} options.ticket asks the REST API for a fresh ticket
   * @param {number} [options.heartbeatMs] how often to ping
   * @param {number} [options.requestTimeoutMs] how long a request may wait for its reply
   * @param {number} [options.initialBackoffMs] the first reconnection's ceiling
   * @param {number} [options.maxBackoffMs] the largest wait between two attempts
   */
  constructor({ url, ticket, ...timing }) {
    super();
    this.url = url;
    this.ticket = ticket;
    this.timing = { ...DEFAULTS, ...timing };
    this.state = "idle"; // idle | connecting | connected | reconnecting | closed
    this.socket = null;
    this.nextId = 1;
    this.attempt = 0;
    this.pending = new Map(); // id -> { resolve, reject, timer, sent }
    this.queue = []; // frames waiting for a connection, in order
    this.listeners = new Map();
    this.heartbeat = null;
    this.retryTimer = null;
    this.firstOpen = null;
  }

  /** Connects; resolves once the first connection is open (later ones open on their own). */
  open() {
    if (!this.firstOpen) {
      this.firstOpen = new Promise((resolve) => {
        this.addEventListener("connected", () => resolve(this), { once: true });
      });
      this.connect();
    }
    return this.firstOpen;
  }

  /** Sends a request and resolves with its reply; an error frame rejects. */
  request(type, data = {}) {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.forget(id);
        reject(new Error(`no answer to ${type}`));
      }, this.timing.requestTimeoutMs);
      this.pending.set(id, { resolve, reject, timer, sent: false });
      this.transmit({ ...data, type, id });
    });
  }

  /** Sends a frame that expects no reply. */
  send(type, data = {}) {
    this.transmit({ ...data, type });
  }

  /** Calls `handler(frame)` for every pushed frame of this type. */
  on(type, handler) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(handler);
  }

  /** Stops calling `handler` for frames of this type. */
  off(type, handler) {
    this.listeners.get(type)?.delete(handler);
  }

  /** Closes for good: no reconnection; whatever waits is rejected. */
  close() {
    this.state = "closed";
    clearTimeout(this.retryTimer);
    this.stopHeartbeat();
    this.socket?.close(1000, "bye");
    this.socket = null;
    this.queue = [];
    this.failPending(() => true, "the channel was closed");
    this.dispatchEvent(new Event("closed"));
  }

  // -- connection --------------------------------------------------------------------------

  async connect() {
    if (this.state === "closed") return;
    this.state = this.state === "idle" ? "connecting" : "reconnecting";
    let ticket;
    try {
      ticket = await this.ticket();
    } catch {
      this.retry();
      return;
    }
    if (this.state === "closed") return;
    const separator = this.url.includes("?") ? "&" : "?";
    const socket = new WebSocket(`${this.url}${separator}ticket=${encodeURIComponent(ticket)}`);
    this.socket = socket;
    socket.addEventListener("open", () => this.opened(socket));
    socket.addEventListener("message", (event) => this.receive(event.data));
    socket.addEventListener("close", () => this.lost(socket));
  }

  opened(socket) {
    if (socket !== this.socket) return;
    this.state = "connected";
    this.attempt = 0;
    this.startHeartbeat();
    const waiting = this.queue;
    this.queue = [];
    for (const frame of waiting) this.transmit(frame);
    this.dispatchEvent(new Event("connected"));
  }

  /** The socket closed (or never opened): unless closed on purpose, connect again. */
  lost(socket) {
    if (socket !== this.socket) return;
    this.socket = null;
    this.stopHeartbeat();
    this.failPending((entry) => entry.sent, "the connection closed");
    if (this.state !== "closed") this.retry();
  }

  retry() {
    if (this.state === "closed") return;
    const delayMs = backoffDelay(this.attempt, {
      initialMs: this.timing.initialBackoffMs,
      maxMs: this.timing.maxBackoffMs,
    });
    this.attempt += 1;
    this.state = "reconnecting";
    this.dispatchEvent(
      new CustomEvent("reconnecting", { detail: { attempt: this.attempt, delayMs } }),
    );
    clearTimeout(this.retryTimer);
    this.retryTimer = setTimeout(() => this.connect(), delayMs);
  }

  // -- frames ------------------------------------------------------------------------------

  transmit(frame) {
    if (this.state !== "connected" || this.socket?.readyState !== WebSocket.OPEN) {
      this.queue.push(frame);
      return;
    }
    this.socket.send(JSON.stringify(frame));
    const entry = frame.id !== undefined ? this.pending.get(frame.id) : undefined;
    if (entry) entry.sent = true;
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const id = frame.id !== undefined ? String(frame.id) : undefined;
    const waiting = id !== undefined ? this.pending.get(id) : undefined;
    if (waiting) {
      this.forget(id);
      if (frame.type === "error") waiting.reject(new RealtimeError(frame));
      else waiting.resolve(frame);
      return;
    }
    for (const handler of this.listeners.get(frame.type) || []) handler(frame);
  }

  forget(id) {
    const entry = this.pending.get(id);
    if (!entry) return;
    clearTimeout(entry.timer);
    this.pending.delete(id);
    this.queue = this.queue.filter((frame) => frame.id !== id);
  }

  failPending(which, message) {
    for (const [id, entry] of [...this.pending]) {
      if (!which(entry)) continue;
      this.forget(id);
      entry.reject(new Error(message));
    }
  }

  // -- heartbeat ---------------------------------------------------------------------------

  /** Pings on a fixed beat; a ping left unanswered means the socket is dead: start over. */
  startHeartbeat() {
    this.stopHeartbeat();
    const socket = this.socket;
    this.heartbeat = setInterval(() => {
      this.request("ping").catch((error) => {
        if (error instanceof RealtimeError || socket !== this.socket) return;
        socket.close(); // a dead socket may take long to report it: do not wait
        this.lost(socket);
      });
    }, this.timing.heartbeatMs);
  }

  stopHeartbeat() {
    clearInterval(this.heartbeat);
    this.heartbeat = null;
  }
}
