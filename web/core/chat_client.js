// The chat as the page sees it: one person, several rooms, kept in step with the server over a
// Session. Turns parley.v1 events into room state, queues what the person writes until it can be
// sent, and resumes every room after a drop. No DOM: the page listens to its events.
//
// Events (CustomEvent):
//   'status'   — the connection state changed (see `status`)
//   'rooms'    — the room list, the current room or an unread count changed
//   'timeline' — { room }: a room's entries changed
//   'presence' — { room }: who is online or typing in a room changed
//   'token'    — { reason }: something the person may need to act on happened to the sign-in
//                token: 'needed' (the server wants one), 'refused', 'expiring' (soon), 'expired',
//                'renewed' (a refresh was accepted)

import { isTokenRefusal, subprotocolsFor, tokenExpiry } from './auth_token.js';
import { timeLabel } from './dates.js';
import { Outbox } from './outbox.js';
import { chatUrl, parseEvent, request } from './protocol.js';
import { DEFAULT_ROOM } from './room_prefs.js';
import { RoomState } from './room_state.js';
import { TOKEN_EXPIRED } from './session.js';
import { TypingThrottle } from './typing.js';
import { newClientId } from './client_id.js';

const HISTORY_PAGE = 50;
const DEFAULT_LIMITS = { max_text_bytes: 16384, typing_interval_ms: 2000 };
// How long before its token runs out the person is asked for a new one.
export const TOKEN_WARNING_MS = 60_000;
// A reconnect is not tried with a token that runs out within this (it would be refused).
const TOKEN_MARGIN_MS = 2_000;
// setTimeout takes at most 2^31-1 ms (24.8 days); a longer wait would fire at once.
const MAX_TIMER_MS = 2 ** 31 - 1;

export class ChatClient extends EventTarget {
  me = '';              // the name the server welcomed (or the one being tried)
  rooms = new Map();    // name -> RoomState, in the sidebar's order
  current = DEFAULT_ROOM;
  /** state: 'idle' | 'connecting' | 'connected' | 'reconnecting'; text for the status line. */
  status = { state: 'idle', text: 'Not connected.', error: false };

  #session;
  #location;
  #now;
  #newId;
  #age = '';
  #outbox = new Outbox();
  #throttle = new TypingThrottle();
  #limits = DEFAULT_LIMITS;
  #resuming = false;    // the next connection resumes rooms (since) instead of joining afresh
  #greet = false;       // the next `joined` of the first room shows the tutorial's greeting
  #pageVisible = true;
  #lostNoted = false;   // this outage already has its note in the timeline
  #urlRoom = null;      // the room in the current connection's URL (joined without a request)
  #timers;
  #token = '';          // the sign-in token the next connection offers ('' none)
  #tokenInUse = '';     // ... the one the server holds for the current connection
  #refreshes = [];      // tokens sent in `refresh` requests, awaiting their answers in order
  #tokenTimer = null;   // warns before the token runs out
  #tokenRanOut = false; // stopped because the token expired: a new token resumes the rooms
  #retryVetoed = false; // the last drop was not retried because the token was about to run out
  #authOff = false;     // the server said it checks no tokens: their expiry does not matter

  constructor({ session, location, rooms = [DEFAULT_ROOM], current = DEFAULT_ROOM,
    now = () => Date.now(), newId = () => newClientId(), timers = globalThis }) {
    super();
    this.#session = session;
    this.#timers = timers;
    this.#location = location;
    this.#now = now;
    this.#newId = newId;
    for (const name of rooms) this.rooms.set(name, new RoomState(name));
    if (!this.rooms.has(current)) this.rooms.set(current, new RoomState(current));
    this.current = current;
    this.#room(current).setViewing(true);
    session.addEventListener('message', (e) => this.#onFrame(e.detail.text));
    session.addEventListener('close', (e) => this.#onClose(e.detail));
    session.addEventListener('attempt', () => this.#setStatus('reconnecting', this.status.text, true));
  }

  get connected() { return this.status.state === 'connected'; }
  /** Connected or about to be: what the person writes will be sent. */
  get active() { return this.status.state !== 'idle'; }

  currentRoom() { return this.#room(this.current); }

  /** The sign-in token the client offers ('' none). */
  get token() { return this.#token; }

  /**
   * Connects `name`; with `token`, offers that sign-in token (else the one set before). After the
   * token ran out, the same name with a new one resumes every room where it stopped.
   */
  connect(name, age = '', { token = this.#token } = {}) {
    if (this.active) return;
    const resuming = this.#tokenRanOut && this.#resuming && name === this.me;
    this.me = name;
    this.#age = age;
    this.#token = token;
    this.#authOff = false;
    this.#greet = !resuming;
    this.#start({ resuming });
  }

  disconnect() {
    if (!this.active) return;
    this.#session.stop();
  }

  /**
   * A new sign-in token. Connected: sent to the server in a `refresh` (answered by 'token'
   * 'renewed' or 'refused'); connecting or waiting to reconnect: offered by the next connection;
   * stopped because the old one expired: connects again at once, resuming every room.
   */
  setToken(token) {
    this.#token = token;
    if (this.connected && token) {
      this.#refresh(token);
    } else if (!this.active && this.#tokenRanOut && token) {
      this.#start({ resuming: this.#resuming });
    }
  }

  /** Says text in the current room: at once when connected, else when the connection is back. */
  send(text) {
    if (!this.active) return false;
    const room = this.currentRoom();
    if (new TextEncoder().encode(text).length > this.#limits.max_text_bytes) {
      room.note('error', `Not sent: messages can be at most ${this.#limits.max_text_bytes} bytes.`);
      this.#changed('timeline', room);
      return false;
    }
    const item = this.#outbox.add(room.name, text, this.#newId(), new Date(this.#now()));
    room.addPending(item, this.me);
    this.#throttle.sent(room.name);
    this.#flush(room);
    this.#changed('timeline', room);
    return true;
  }

  /** The person is typing in the current room: tell the room, at most once per interval. */
  typed() {
    const room = this.currentRoom();
    if (!this.connected || !room.joined) return;
    if (this.#throttle.shouldSend(room.name, this.#now())) this.#session.send(request.typing(room.name));
  }

  /** Joins (or, when already in it, just opens) a room. */
  openRoom(name) {
    if (!this.rooms.has(name)) {
      this.rooms.set(name, new RoomState(name));
      if (this.connected) this.#session.send(request.join(name));
    }
    this.switchRoom(name);
  }

  leaveRoom(name) {
    if (name === DEFAULT_ROOM || !this.rooms.has(name)) return;
    if (this.connected && this.#room(name).joined) this.#session.send(request.leave(name));
    this.rooms.delete(name);
    this.#outbox.dropRoom(name);
    if (this.current === name) this.switchRoom(DEFAULT_ROOM);
    else this.#changed('rooms');
  }

  switchRoom(name) {
    if (!this.rooms.has(name)) return;
    if (name !== this.current) this.#room(this.current)?.setViewing(false);
    this.current = name;
    this.currentRoom().setViewing(this.#pageVisible);
    this.#changed('rooms');
    this.#changed('timeline', this.currentRoom());
    this.#changed('presence', this.currentRoom());
  }

  /** Whether the person can see the page: while hidden, the current room's messages count as unread. */
  setPageVisible(visible) {
    this.#pageVisible = visible;
    this.currentRoom().setViewing(visible);
    this.#changed('rooms');
    if (visible) this.#changed('timeline', this.currentRoom());
  }

  /** Asks for the page of history before the oldest event the room shows. */
  loadOlder(name = this.current) {
    const room = this.#room(name);
    if (!this.connected || !room.joined || room.loadingOlder || room.olderExhausted) return false;
    room.loadingOlder = true;
    this.#session.send(request.history(room.name, room.oldestId, HISTORY_PAGE));
    this.#changed('timeline', room);
    return true;
  }

  totalUnread() {
    let total = 0;
    for (const room of this.rooms.values()) total += room.unread;
    return total;
  }

  #room(name) { return this.rooms.get(name); }

  #start({ resuming }) {
    this.#resuming = resuming;
    this.#tokenRanOut = false;
    this.#retryVetoed = false;
    this.#refreshes = [];
    this.#setStatus('connecting', `Connecting as ${this.me}…`);
    this.#session.start(() => this.#nextTarget(), { retryAllowed: () => this.#tokenLastsForRetry() });
  }

  // The first room of a connection is in its URL (resumed from the last id seen when resuming);
  // the others are joined once the server said hello. The token goes beside parley.v1.
  #nextTarget() {
    const room = this.currentRoom();
    const since = this.#resuming ? room.lastId : null;
    this.#urlRoom = room.name;
    this.#tokenInUse = this.#token;
    const url = chatUrl(this.#location, { name: this.me, age: this.#age, room: room.name, since });
    return { url, protocols: subprotocolsFor(this.#token) };
  }

  // A reconnect with a token that has run out (by this clock) would be refused with 4001.
  #tokenLastsForRetry() {
    const expiry = this.#authOff ? null : tokenExpiry(this.#token);
    this.#retryVetoed = expiry !== null && expiry <= this.#now() + TOKEN_MARGIN_MS;
    return !this.#retryVetoed;
  }

  #refresh(token) {
    this.#refreshes.push(token);
    this.#session.send(request.refresh(token));
  }

  // Asks for a new token TOKEN_WARNING_MS before the one in use runs out, while connected.
  #watchTokenExpiry() {
    this.#timers.clearTimeout(this.#tokenTimer);
    this.#tokenTimer = null;
    const expiry = tokenExpiry(this.#tokenInUse);
    if (expiry === null || !this.connected || this.#authOff) return;
    const token = this.#tokenInUse;
    const warnIn = expiry - TOKEN_WARNING_MS - this.#now();
    this.#tokenTimer = this.#timers.setTimeout(() => {
      this.#tokenTimer = null;
      if (!this.connected || this.#tokenInUse !== token) return;
      if (warnIn > MAX_TIMER_MS) return this.#watchTokenExpiry(); // not yet: wait again
      const room = this.currentRoom();
      const seconds = Math.max(0, Math.ceil((expiry - this.#now()) / 1000));
      room.note('error', `Your token expires in ${seconds} s: enter a new one to stay connected.`);
      this.#changed('timeline', room);
      this.#changed('token', null, { reason: 'expiring' });
    }, Math.min(MAX_TIMER_MS, Math.max(0, warnIn)));
  }

  #onFrame(text) {
    const event = parseEvent(text);
    if (!event) return;
    switch (event.type) {
      case 'hello': return this.#onHello(event);
      case 'joined': return this.#onJoined(event);
      case 'message': case 'join': case 'leave': return this.#onRoomEvent(event);
      case 'history': return this.#withRoom(event, (room) => room.applyHistory(event, { me: this.me }), 'timeline');
      case 'typing': return this.#onTyping(event);
      case 'refreshed': return this.#onRefreshed(event);
      case 'error': return this.#onError(event);
      default: return undefined; // a newer server's event: ignored
    }
  }

  #onHello(event) {
    this.me = event.user;
    this.#limits = { ...DEFAULT_LIMITS, ...event.limits };
    this.#throttle.interval = this.#limits.typing_interval_ms;
    this.#session.established();
    this.#lostNoted = false;
    this.#setStatus('connected', `Connected as ${this.me}.`);
    for (const room of this.rooms.values()) {
      if (room.name === this.#urlRoom) continue;
      this.#session.send(request.join(room.name, this.#resuming ? room.lastId : null));
    }
    // A token given while this connection was opening goes to the server now.
    if (this.#token !== this.#tokenInUse && this.#token) this.#refresh(this.#token);
    this.#watchTokenExpiry();
  }

  #onRefreshed(event) {
    const token = this.#refreshes.shift();
    if (token === undefined) return;
    this.#tokenInUse = token;
    const room = this.currentRoom();
    const until = Number.isFinite(event.exp) ? `valid until ${timeLabel(new Date(event.exp * 1000))}` : 'it does not expire';
    room.note('local', `Token renewed: ${until}.`);
    this.#changed('timeline', room);
    this.#watchTokenExpiry();
    this.#changed('token', null, { reason: 'renewed' });
  }

  // The server kept the token it had: so does the client, for its reconnects.
  #onTokenRefused(event) {
    this.#refreshes.shift();
    this.#token = this.#tokenInUse;
    const room = this.currentRoom();
    const expiry = tokenExpiry(this.#tokenInUse);
    const stays = expiry === null ? '' : ` The one in use still runs out at ${timeLabel(new Date(expiry))}.`;
    room.note('error', `New token refused: ${event.reason}${stays}`);
    this.#changed('timeline', room);
    this.#changed('token', null, { reason: 'refused' });
  }

  #onJoined(event) {
    const room = this.#room(event.room);
    if (!room) return this.#session.send(request.leave(event.room)); // left while joining
    const first = room.name === this.#urlRoom;
    const resumed = this.#resuming && room.lastId !== null;
    let ownJoinNote = resumed ? null : 'joined';
    if (first && this.#greet) ownJoinNote = 'greeting';
    else if (first && resumed) ownJoinNote = 'reconnected';
    this.#settleEchoes(room, event.events);
    room.applyJoined(event, { me: this.me, resumed, ownJoinNote });
    if (first) this.#greet = false;
    room.joined = true;
    this.#flush(room);
    this.#changed('timeline', room);
    this.#changed('presence', room);
    this.#changed('rooms');
  }

  #onRoomEvent(event) {
    const room = this.#room(event.room);
    if (!room) return;
    this.#settleEchoes(room, [event]);
    room.applyLive(event, { me: this.me });
    this.#changed('timeline', room);
    if (event.type !== 'message' || !room.viewing) this.#changed('rooms');
    this.#changed('presence', room);
  }

  #onTyping(event) {
    const room = this.#room(event.room);
    if (!room || event.user === this.me) return;
    room.typing.typing(event.user, this.#now());
    this.#changed('presence', room);
  }

  #onError(event) {
    if (event.code === 'invalid_token') return this.#onTokenRefused(event);
    // Every request but `refresh` names a room: an error without one answers the refresh.
    if (this.#refreshes.length > 0 && event.room === undefined) return this.#onRefreshFailed(event);
    const room = this.#room(event.room) ?? this.currentRoom();
    if (event.client_id && this.#outbox.settle(room.name, event.client_id)) {
      room.removePending(event.client_id);
      room.note('error', `Not sent: ${event.reason}`);
    } else if (['bad_room', 'too_many_rooms', 'room_limit'].includes(event.code) && this.rooms.has(event.room)) {
      this.leaveRoom(event.room);
      this.currentRoom().note('error', `Could not join ${event.room}: ${event.reason}`);
      return this.#changed('timeline', this.currentRoom());
    } else {
      if (event.code === 'rate_limited' || event.code === 'history_unavailable') room.loadingOlder = false;
      room.note('error', event.reason);
    }
    this.#changed('timeline', room);
  }

  // Not carried out (rate_limited), or there is nothing to refresh (authentication is off).
  #onRefreshFailed(event) {
    this.#refreshes.shift();
    this.#token = this.#tokenInUse;
    if (event.code === 'bad_request') {
      this.#authOff = true;
      this.#watchTokenExpiry();
    }
    const room = this.currentRoom();
    room.note('error', `Token not renewed: ${event.reason}`);
    this.#changed('timeline', room);
  }

  #onClose({ code, reason, byClient, opened, retryInMs }) {
    const wasResumable = this.#session.everEstablished;
    this.#timers.clearTimeout(this.#tokenTimer);
    this.#tokenTimer = null;
    this.#refreshes = [];
    this.#outbox.connectionLost();
    for (const room of this.rooms.values()) room.connectionLost();
    for (const room of this.rooms.values()) this.#changed('presence', room);
    const room = this.currentRoom();

    if (retryInMs !== null) {
      this.#resuming = wasResumable;
      const why = reason ? `Disconnected by the server: ${reason}` : 'Connection lost.';
      if (!this.#lostNoted) {
        room.note('local', why);
        this.#lostNoted = true;
        this.#changed('timeline', room);
      }
      this.#setStatus('reconnecting', `${why} Reconnecting…`, true);
      return;
    }

    const expired = !byClient && (code === TOKEN_EXPIRED || this.#retryVetoed);
    const tokenRefused = !byClient && !expired && code === 1008 && isTokenRefusal(reason);
    let text;
    if (byClient) text = 'Disconnected.';
    else if (expired) text = 'Your token has expired: enter a new one to continue.';
    else if (tokenRefused && /^Authentication required/.test(reason)) text = 'This server needs a token: enter yours to connect.';
    else if (tokenRefused) text = `Your token was refused: ${reason}`;
    else if (reason) text = `Disconnected by the server: ${reason}`;
    else if (!opened && !wasResumable) text = 'Could not connect to the server.';
    else if (code === 1000) text = 'Disconnected by the server.';
    else text = 'Connection lost.';
    if (opened || wasResumable) {
      room.note('local', byClient ? 'You left the chat.' : text);
      this.#changed('timeline', room);
    }
    this.#dropOutbox();
    // A new token continues where this stopped: the rooms resume from the last ids seen.
    this.#tokenRanOut = expired;
    if (expired) this.#resuming = wasResumable;
    this.#setStatus('idle', text, !byClient && code !== 1000);
    if (expired) this.#changed('token', null, { reason: 'expired' });
    else if (tokenRefused) this.#changed('token', null, { reason: reason.startsWith('Authentication') ? 'needed' : 'refused' });
  }

  // No connection will follow: what waits is not sent, and says so.
  #dropOutbox() {
    for (const room of this.rooms.values()) {
      const items = this.#outbox.pending(room.name);
      if (items.length === 0) continue;
      for (const item of items) {
        this.#outbox.settle(room.name, item.clientId);
        room.removePending(item.clientId);
        room.note('error', `Not sent: ${item.text}`);
      }
      this.#changed('timeline', room);
    }
  }

  // Own messages among events (live or replayed) acknowledge what the outbox holds.
  #settleEchoes(room, events) {
    for (const event of Array.isArray(events) ? events : []) {
      if (event.type !== 'message' || event.from !== this.me || !event.client_id) continue;
      if (this.#outbox.settle(room.name, event.client_id)) room.removePending(event.client_id);
    }
  }

  // Sends the room's queued messages once the room is joined on an open connection.
  #flush(room) {
    if (!this.connected || !room.joined) return;
    for (const item of this.#outbox.unsent(room.name)) {
      if (!this.#session.send(request.send(room.name, item.text, item.clientId))) return;
      this.#outbox.markSent(item);
    }
  }

  #withRoom(event, apply, what) {
    const room = this.#room(event.room);
    if (!room) return;
    apply(room);
    this.#changed(what, room);
  }

  #setStatus(state, text, error = false) {
    this.status = { state, text, error };
    this.dispatchEvent(new CustomEvent('status'));
  }

  #changed(what, room = null, more = {}) {
    this.dispatchEvent(new CustomEvent(what, { detail: { room, ...more } }));
  }
}
