// Stand-ins for the browser's WebSocket and timers, so the client's logic runs under Node alone.

export class FakeSocket extends EventTarget {
  readyState = 0;
  sent = [];
  closedWith = null;

  constructor(url, protocols) {
    super();
    this.url = url;
    this.protocols = protocols;
  }

  send(text) { this.sent.push(JSON.parse(text)); }
  close(code, reason) { this.closedWith = { code, reason }; }

  // What the server does:
  open() { this.readyState = 1; this.dispatchEvent(new Event('open')); }
  receive(event) {
    const e = new Event('message');
    e.data = JSON.stringify(event);
    this.dispatchEvent(e);
  }
  drop(code = 1006, reason = '') {
    this.readyState = 3;
    const e = new Event('close');
    Object.assign(e, { code, reason });
    this.dispatchEvent(e);
  }
}

/** Timers run by hand: run() fires the earliest one. */
export class FakeTimers {
  pending = new Map();
  #next = 1;

  setTimeout = (fn, ms) => { const id = this.#next++; this.pending.set(id, { fn, ms }); return id; };
  clearTimeout = (id) => { this.pending.delete(id); };

  delays() { return [...this.pending.values()].map((t) => t.ms); }
  run() {
    const [id, t] = [...this.pending.entries()][0];
    this.pending.delete(id);
    t.fn();
  }
}

/** A Session over fake sockets; `sockets` lists every one it opened. */
export function fakeConnector() {
  const sockets = [];
  return {
    sockets,
    createSocket: (url, protocols) => { const s = new FakeSocket(url, protocols); sockets.push(s); return s; },
    get last() { return sockets[sockets.length - 1]; },
  };
}

export const LOCATION = { protocol: 'http:', host: 'chat.example:9090' };

export function hello(user) {
  return { type: 'hello', user, version: 't', protocol: 'parley.v1',
    limits: { max_message_size: 65536, max_text_bytes: 100, max_rooms: 64, history_limit: 100, typing_interval_ms: 2000 } };
}

let clock = Date.parse('2026-12-03T10:00:00.000Z');
export function ts() { clock += 1000; return new Date(clock).toISOString(); }
export const msg = (room, id, from, text, clientId) => ({ type: 'message', id, ts: ts(), room, from, text, ...(clientId ? { client_id: clientId } : {}) });
export const join = (room, id, user, age) => ({ type: 'join', id, ts: ts(), room, user, ...(age !== undefined ? { age } : {}) });
export const leave = (room, id, user) => ({ type: 'leave', id, ts: ts(), room, user });

/** A JWT-shaped token with these claims (the client never checks signatures; the server does). */
export function unsignedToken(claims) {
  const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
  return `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}.c2ln`;
}
