// Typing indicators: the client tells the room at most once per interval while the person types,
// and shows who else is typing until they send, leave, or go quiet.

export const TYPING_INTERVAL_MS = 2000;
// How long "alice is typing…" stays without a new typing event: two intervals, so one late event
// does not make it flicker.
export const TYPING_SHOWN_MS = 4000;

/** Says whether a keystroke now should send a `typing` request (one per interval per room). */
export class TypingThrottle {
  #lastSent = new Map(); // room -> time of the last typing request
  #interval;

  constructor(intervalMs = TYPING_INTERVAL_MS) {
    this.#interval = intervalMs;
  }

  set interval(ms) { this.#interval = ms; }

  shouldSend(room, now) {
    const last = this.#lastSent.get(room);
    if (last !== undefined && now - last < this.#interval) return false;
    this.#lastSent.set(room, now);
    return true;
  }

  /** A message was sent: the next keystroke starts a new typing run. */
  sent(room) {
    this.#lastSent.delete(room);
  }
}

/** Who is typing in one room, each until a deadline. */
export class TypingUsers {
  #until = new Map(); // user -> time the indicator goes

  typing(user, now) { this.#until.set(user, now + TYPING_SHOWN_MS); }
  stopped(user) { this.#until.delete(user); }
  clear() { this.#until.clear(); }

  /** The users typing at `now`, in the order they started. */
  at(now) {
    for (const [user, until] of this.#until) if (until <= now) this.#until.delete(user);
    return [...this.#until.keys()];
  }

  /** When the next indicator goes (to refresh the view then), or null. */
  nextExpiry() {
    let next = null;
    for (const until of this.#until.values()) if (next === null || until < next) next = until;
    return next;
  }
}

/** "alice is typing…", "alice and bob are typing…", "3 people are typing…", or ''. */
export function typingText(users) {
  if (users.length === 0) return '';
  if (users.length === 1) return `${users[0]} is typing…`;
  if (users.length === 2) return `${users[0]} and ${users[1]} are typing…`;
  return `${users.length} people are typing…`;
}
