// One room as the client knows it: its timeline (events by id, the client's own notes, messages
// waiting for the server), who is online and typing, what is unread, and how far back history
// has been loaded. Every id is shown at most once, whichever way it arrives (live, replay, page).

import { wording } from './protocol.js';
import { TypingUsers } from './typing.js';

// Ordering ranks at one position: the event with that id, then notes made after it.
const RANK_EVENT = 0;
const RANK_NOTE = 1;

export class RoomState {
  entries = [];          // sorted by (pos, rank, seq); see #insert
  lastId = null;         // highest id seen: where a resume starts (`since`)
  oldestId = null;       // lowest id seen: where "load older" continues (`before`)
  olderExhausted = false; // a history page came back empty: nothing older is kept
  loadingOlder = false;
  users = [];            // online now, sorted
  unread = 0;            // messages from others that arrived while the room was not read
  markerKey = null;      // the entry the "new messages" marker stands before, or null
  joined = false;        // its `joined` arrived on the current connection
  typing = new TypingUsers();

  #ids = new Set();       // every id seen, shown or not
  #seq = 0;
  #viewing = false;
  #firstUnreadKey = null;

  constructor(name) {
    this.name = name;
  }

  get viewing() { return this.#viewing; }

  /**
   * Applies a `joined` event. me: the own name. resumed: it answers a `since` (the events are what
   * the reader missed, shown whole) rather than a fresh join (the events are history: joins and
   * leaves from before the reader came are left out). ownJoinNote: what the own join shows as
   * ('greeting', 'joined', 'reconnected').
   */
  applyJoined(event, { me, resumed, ownJoinNote }) {
    if (event.reset) this.#forgetHistory();
    this.users = sortedUsers(event.users);
    const events = Array.isArray(event.events) ? event.events : [];
    const ownJoin = events.findLastIndex((e) => e.type === 'join' && e.user === me);
    events.forEach((e, i) => {
      if (i === ownJoin) return this.#ownJoin(e, ownJoinNote);
      if (e.type === 'gap') return this.#gap(e);
      const presence = e.type === 'join' || e.type === 'leave';
      const own = presence && e.user === me;
      this.#event(e, { show: !presence || (resumed && !own), live: resumed, me });
    });
    if (event.reset) this.note('local', 'The server lost this room\'s history; it starts again here.');
  }

  /** A live `message`, `join` or `leave`. Returns false when its id was already seen. */
  applyLive(event, { me }) {
    if (event.type === 'join') {
      if (!this.users.includes(event.user)) this.users = sortedUsers([...this.users, event.user]);
    } else if (event.type === 'leave') {
      this.users = this.users.filter((u) => u !== event.user);
      this.typing.stopped(event.user);
    } else if (event.type === 'message') {
      this.typing.stopped(event.from);
    }
    const own = event.type !== 'message' && event.user === me;
    return this.#event(event, { show: !own, live: true, me });
  }

  /** A page of older events (`history`), oldest first. Joins and leaves are history: left out. */
  applyHistory(event, { me }) {
    this.loadingOlder = false;
    const events = Array.isArray(event.events) ? event.events : [];
    if (events.every((e) => e.type !== 'gap' && this.#ids.has(e.id))) this.olderExhausted = true;
    for (const e of events) {
      if (e.type === 'gap') this.#gap(e);
      else this.#event(e, { show: e.type === 'message', live: false, me });
    }
  }

  /** A message waiting for the server's acknowledgement, at the end of the timeline. */
  addPending(item, me) {
    this.#insert({
      key: `pending:${item.clientId}`, pos: Infinity, rank: RANK_NOTE, kind: 'chat', pending: true,
      from: me, text: item.text, own: true, ts: item.ts, clientId: item.clientId,
    });
  }

  removePending(clientId) {
    this.entries = this.entries.filter((e) => e.key !== `pending:${clientId}`);
  }

  /** A note of the client's own ('greeting', 'local', 'error'), after everything seen so far. */
  note(kind, text, ts = new Date()) {
    const entry = { key: `note:${this.#seq}`, pos: this.lastId ?? 0, rank: RANK_NOTE, kind, text, ts };
    this.#insert(entry);
    return entry;
  }

  /**
   * Whether the reader is looking at this room. Coming back to it places the "new messages"
   * marker before the first message that arrived meanwhile, and clears the unread count.
   */
  setViewing(viewing) {
    if (viewing && !this.#viewing) {
      this.markerKey = this.unread > 0 ? this.#firstUnreadKey : null;
      this.unread = 0;
      this.#firstUnreadKey = null;
    }
    this.#viewing = viewing;
  }

  /** The connection is gone: the next one must join again before anything is sent. */
  connectionLost() {
    this.joined = false;
    this.loadingOlder = false;
    this.users = [];
    this.typing.clear();
  }

  #ownJoin(event, ownJoinNote) {
    if (!this.#see(event.id)) return;
    const text = {
      greeting: () => wording.greeting(event.user),
      joined: () => `You joined ${this.name}.`,
      reconnected: () => 'Reconnected.',
    }[ownJoinNote]?.();
    if (text) this.#insert(this.#entry(event, ownJoinNote === 'greeting' ? 'greeting' : 'local', { text }));
  }

  #gap(event) {
    const key = `gap:${event.from}-${event.to}`;
    if (this.entries.some((e) => e.key === key)) return;
    this.#extend(event.from);
    this.#extend(event.to);
    // Not a count: after a crash most of the ids skipped were never used.
    const text = 'Some history here could not be loaded.';
    this.#insert({ key, pos: event.from, rank: RANK_EVENT, kind: 'gap', text, ts: null, from: event.from, to: event.to });
  }

  // Records a stored event; shows it when `show`. `live`: it arrived after the reader joined, so
  // it may be unread. Returns false when the id was seen before.
  #event(event, { show, live, me }) {
    if (!Number.isInteger(event.id) || !this.#see(event.id)) return false;
    if (!show) return true;
    let entry;
    if (event.type === 'message') {
      entry = this.#entry(event, 'chat', {
        from: event.from, text: event.text, own: event.from === me, clientId: event.client_id,
      });
    } else if (event.type === 'join') {
      entry = this.#entry(event, 'join', { user: event.user, text: wording.join(event.user, event.age) });
    } else if (event.type === 'leave') {
      entry = this.#entry(event, 'leave', { user: event.user, text: wording.leave(event.user) });
    } else {
      return true;
    }
    this.#insert(entry);
    if (live && event.type === 'message' && !entry.own && !this.#viewing) {
      this.unread += 1;
      this.#firstUnreadKey ??= entry.key;
    }
    return true;
  }

  #entry(event, kind, fields) {
    return { key: `id:${event.id}`, pos: event.id, rank: RANK_EVENT, kind, id: event.id, ts: new Date(event.ts), ...fields };
  }

  // Marks an id seen; false if it was already.
  #see(id) {
    if (this.#ids.has(id)) return false;
    this.#ids.add(id);
    this.#extend(id);
    return true;
  }

  #extend(id) {
    if (this.lastId === null || id > this.lastId) this.lastId = id;
    if (this.oldestId === null || id < this.oldestId) this.oldestId = id;
    if (this.oldestId === 1) this.olderExhausted = true; // ids start at 1: nothing is older
  }

  #forgetHistory() {
    this.entries = this.entries.filter((e) => e.pending);
    this.#ids.clear();
    this.lastId = null;
    this.oldestId = null;
    this.olderExhausted = false;
    this.markerKey = null;
  }

  // Inserts keeping the order; nearly always at the end (before the pending messages).
  #insert(entry) {
    entry.seq = this.#seq++;
    const before = (a, b) => a.pos < b.pos || (a.pos === b.pos && (a.rank < b.rank || (a.rank === b.rank && a.seq < b.seq)));
    let i = this.entries.length;
    while (i > 0 && before(entry, this.entries[i - 1])) i -= 1;
    this.entries.splice(i, 0, entry);
  }
}

function sortedUsers(users) {
  return [...new Set(users)].sort((a, b) => a.localeCompare(b));
}
