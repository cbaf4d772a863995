// A parley.v1 client on Node's `ws`, independent of the web client: what e2e tests use as the
// "other person" in a room. Records every event; waits are event-driven with timeouts.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);
const WebSocket = require('ws');

export const WAIT_MS = 10_000;

export class V1Peer {
  events = [];
  closeInfo = null;
  #waiters = new Set();
  #nextId = 0;

  /**
   * Connects `name` to `room` of the server (a startParley() result); with `token`, presents it
   * as `Authorization: Bearer` (the way a server-side client would, not the web client's way).
   */
  constructor(server, name, room = 'lobby', { token = '' } = {}) {
    this.name = name;
    const headers = token ? { Authorization: `Bearer ${token}` } : {};
    this.ws = new WebSocket(`${server.url}/chat/${encodeURIComponent(name)}?room=${room}`, 'parley.v1', { headers });
    this.ws.on('message', (data) => { this.events.push(JSON.parse(data.toString('utf8'))); this.#notify(); });
    this.ws.on('close', (code, reason) => { this.closeInfo = { code, reason: String(reason) }; this.#notify(); });
    this.ws.on('error', () => {});
  }

  /** Resolves with the first event matching pred (from index `from`); rejects after ms. */
  waitFor(pred, what, ms = WAIT_MS, from = 0) {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.events.slice(from).find(pred);
        if (found) { done(); resolve(found); } else if (this.closeInfo) { done(); reject(new Error(`${this.name} closed ${JSON.stringify(this.closeInfo)} waiting for ${what}`)); }
      };
      const timer = setTimeout(() => { done(); reject(new Error(`${this.name}: timed out waiting for ${what}`)); }, ms);
      const done = () => { clearTimeout(timer); this.#waiters.delete(check); };
      this.#waiters.add(check);
      check();
    });
  }

  /** Resolves with { code, reason } once the server closed the connection; rejects after ms. */
  closed(ms = WAIT_MS) {
    return new Promise((resolve, reject) => {
      const check = () => { if (this.closeInfo) { done(); resolve(this.closeInfo); } };
      const timer = setTimeout(() => { done(); reject(new Error(`${this.name}: not closed within ${ms} ms`)); }, ms);
      const done = () => { clearTimeout(timer); this.#waiters.delete(check); };
      this.#waiters.add(check);
      check();
    });
  }

  joined(room = 'lobby') {
    return this.waitFor((e) => e.type === 'joined' && e.room === room, `joined ${room}`);
  }

  request(obj) { this.ws.send(JSON.stringify(obj)); }

  /** Sends text with a fresh client_id; resolves with the server's message event (its id). */
  say(text, room = 'lobby') {
    // Unique across connections too: the server says a repeated client_id of a user only once.
    const clientId = `${this.name}-${process.pid}-${Date.now()}-${++this.#nextId}`;
    this.request({ type: 'send', room, text, client_id: clientId });
    return this.waitFor((e) => e.type === 'message' && e.client_id === clientId, `echo of ${text}`);
  }

  close() {
    if (this.closeInfo) return Promise.resolve(this.closeInfo);
    this.ws.close(1000);
    return new Promise((resolve) => this.ws.once('close', () => resolve(this.closeInfo)));
  }

  #notify() { for (const w of [...this.#waiters]) w(); }
}

/** Connects and waits for the joined of its room. */
export async function v1Peer(server, name, room = 'lobby', options = {}) {
  const peer = new V1Peer(server, name, room, options);
  await peer.joined(room);
  return peer;
}
