/**
 * The page's websocket to the Vestibule API: requests with replies, pushed events,
 * heartbeats.
 *
 * Every message is a JSON object with a `type`; a request carries an `id`, and its
 * reply (or error frame) carries the same `id`. API Gateway closes idle connections
 * after 10 minutes, so the channel pings every 4 minutes.
 */

const HEARTBEAT_MS = 4 * 60 * 1000;
const REQUEST_TIMEOUT_MS = 20 * 1000;

export class RealtimeError extends Error {
  constructor(frame) {
    super(frame.message || frame.code);
    this.code = frame.code;
    this.field = frame.field;
  }
}

export class RealtimeChannel {
  /** @param {string} url the websocket URL, ticket included */
  constructor(url) {
    this.url = url;
    this.socket = null;
    this.nextId = 1;
    this.pending = new Map();
    this.listeners = new Map();
    this.heartbeat = null;
  }

  /** Opens the connection; resolves once it is open. */
  open() {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(this.url);
      this.socket = socket;
      socket.addEventListener('open', () => {
        this.heartbeat = setInterval(() => this.request('ping').catch(() => {}), HEARTBEAT_MS);
        resolve(this);
      }, { once: true });
      socket.addEventListener('error', () => reject(new Error('the connection could not open')), { once: true });
      socket.addEventListener('message', (event) => this.receive(event.data));
      socket.addEventListener('close', () => this.closed());
    });
  }

  /** Sends a request and resolves with its reply; an error frame rejects. */
  request(type, data = {}) {
    const id = String(this.nextId++);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.pending.delete(id);
        reject(new Error(`no answer to ${type}`));
      }, REQUEST_TIMEOUT_MS);
      this.pending.set(id, { resolve, reject, timer });
      this.socket.send(JSON.stringify({ ...data, type, id }));
    });
  }

  /** Calls `handler(frame)` for every pushed frame of this type. */
  on(type, handler) {
    if (!this.listeners.has(type)) this.listeners.set(type, new Set());
    this.listeners.get(type).add(handler);
  }

  close() {
    this.socket?.close(1000, 'bye');
  }

  receive(text) {
    let frame;
    try {
      frame = JSON.parse(text);
    } catch {
      return;
    }
    const waiting = frame.id !== undefined ? this.pending.get(String(frame.id)) : undefined;
    if (waiting) {
      this.pending.delete(String(frame.id));
      clearTimeout(waiting.timer);
      if (frame.type === 'error') waiting.reject(new RealtimeError(frame));
      else waiting.resolve(frame);
      return;
    }
    for (const handler of this.listeners.get(frame.type) || []) handler(frame);
  }

  closed() {
    clearInterval(this.heartbeat);
    for (const { reject, timer } of this.pending.values()) {
      clearTimeout(timer);
      reject(new Error('the connection closed'));
    }
    this.pending.clear();
    for (const handler of this.listeners.get('closed') || []) handler({ type: 'closed' });
  }
}
