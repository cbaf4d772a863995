// The connection to the chat, kept up: one WebSocket at a time, opened again with backoff when it
// drops, until the person disconnects or the server refuses them. Knows nothing of rooms.
//
// Events (CustomEvent, details in `event.detail`):
//   'open'    — a WebSocket opened
//   'message' — { text }: a text frame arrived
//   'close'   — { code, reason, byClient, opened, retryInMs }: the WebSocket is gone;
//               retryInMs is null when no attempt follows
//   'attempt' — { attempt }: a reconnect attempt starts

import { Backoff } from './backoff.js';

// Close codes by which the server refuses a person rather than drops a connection (docs/protocol.md):
// 1003 a taken name, 1008 an invalid name, age, room, since or token.
const REFUSALS = new Set([1003, 1008]);
const NAME_TAKEN = 1003;
// The token ran out (at connect or while connected): the same token would only be refused again.
export const TOKEN_EXPIRED = 4001;
// A taken name on a reconnect is retried this many times: the server drops a connection it hears
// nothing from within about a minute, and the backoff's first delays add up to about that.
const NAME_TAKEN_RETRIES = 6;

export class Session extends EventTarget {
  #createSocket;
  #timers;
  #backoff;
  #socket = null;
  #targetFor = null;    // () => the URL of the next attempt, or { url, protocols }
  #retryAllowed = null; // () => false vetoes a reconnect (the client knows it would be refused)
  #retryTimer = null;
  #byClient = false;
  #established = false; // the server welcomed this person since start()
  #welcomed = false;    // ... on the current socket
  #nameTaken = 0;       // reconnects refused in a row because the name was taken

  /** createSocket(url) returns a WebSocket-like object; timers has setTimeout/clearTimeout. */
  constructor({ createSocket, timers = globalThis, random = Math.random }) {
    super();
    this.#createSocket = createSocket;
    this.#timers = timers;
    this.#backoff = new Backoff(random);
  }

  /** 'idle' | 'connecting' | 'open' | 'waiting' (for the next attempt) */
  get state() {
    if (this.#socket) return this.#socket.readyState === 1 ? 'open' : 'connecting';
    return this.#retryTimer !== null ? 'waiting' : 'idle';
  }

  get active() { return this.state !== 'idle'; }
  get everEstablished() { return this.#established; }

  /**
   * Starts connecting. targetFor() gives each attempt's URL (it may resume from where the last
   * stopped), or { url, protocols } to offer those subprotocols; retryAllowed(), asked when a
   * connection drops, may forbid reconnecting.
   */
  start(targetFor, { retryAllowed = () => true } = {}) {
    if (this.active) throw new Error('already started');
    this.#targetFor = targetFor;
    this.#retryAllowed = retryAllowed;
    this.#byClient = false;
    this.#established = false;
    this.#backoff.reset();
    this.#open();
  }

  /** The server welcomed the person (its `hello`): later drops are retried, from the shortest delay. */
  established() {
    this.#established = true;
    this.#welcomed = true;
    this.#nameTaken = 0;
    this.#backoff.reset();
  }

  /** The person disconnects: close, and no more attempts. */
  stop() {
    this.#byClient = true;
    if (this.#retryTimer !== null) {
      this.#timers.clearTimeout(this.#retryTimer);
      this.#retryTimer = null;
      this.dispatchEvent(new CustomEvent('close', {
        detail: { code: 1000, reason: '', byClient: true, opened: false, retryInMs: null },
      }));
    }
    this.#socket?.close(1000, 'Bye');
  }

  /** While waiting to reconnect: try now (the browser says it is online again). */
  retryNow() {
    if (this.#retryTimer === null) return;
    this.#timers.clearTimeout(this.#retryTimer);
    this.#retryTimer = null;
    this.#open();
  }

  send(text) {
    if (this.state !== 'open') return false;
    this.#socket.send(text);
    return true;
  }

  #open() {
    this.#welcomed = false;
    let opened = false;
    const target = this.#targetFor();
    const socket = typeof target === 'string'
      ? this.#createSocket(target) : this.#createSocket(target.url, target.protocols);
    this.#socket = socket;
    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      opened = true;
      this.dispatchEvent(new CustomEvent('open'));
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.#socket || typeof event.data !== 'string') return;
      this.dispatchEvent(new CustomEvent('message', { detail: { text: event.data } }));
    });
    socket.addEventListener('close', (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      const retryInMs = this.#shouldRetry(event.code) ? this.#backoff.next() : null;
      if (retryInMs !== null) {
        this.#retryTimer = this.#timers.setTimeout(() => {
          this.#retryTimer = null;
          this.dispatchEvent(new CustomEvent('attempt', { detail: { attempt: this.#backoff.attempt } }));
          this.#open();
        }, retryInMs);
      }
      this.dispatchEvent(new CustomEvent('close', {
        detail: { code: event.code, reason: event.reason, byClient: this.#byClient, opened, retryInMs },
      }));
    });
  }

  // After the person pressed Disconnect: never. Before the server ever welcomed them: never (they
  // see why at once). An expired token, or one the client knows is about to be: never. A refusal
  // (invalid name) ends it too, except a taken name on a reconnect: that is usually our own
  // previous connection, which the server has not noticed gone yet.
  #shouldRetry(code) {
    if (this.#byClient || !this.#established) return false;
    if (code === TOKEN_EXPIRED || !this.#retryAllowed()) return false;
    if (this.#welcomed || !REFUSALS.has(code)) return true;
    if (code !== NAME_TAKEN) return false;
    this.#nameTaken += 1;
    return this.#nameTaken <= NAME_TAKEN_RETRIES;
  }
}
