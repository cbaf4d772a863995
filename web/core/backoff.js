// Reconnect delays: exponential backoff with full jitter (a random delay from 0 up to a cap that
// doubles from 1 s to 30 s), so clients dropped together by a restart do not come back together.

export const BASE_DELAY_MS = 1000;
export const MAX_DELAY_MS = 30_000;

export class Backoff {
  #attempt = 0;
  #random;

  constructor(random = Math.random) {
    this.#random = random;
  }

  /** The cap of the next delay: 1 s, 2 s, 4 s ... 30 s. */
  get cap() {
    return Math.min(MAX_DELAY_MS, BASE_DELAY_MS * 2 ** Math.min(this.#attempt, 15));
  }

  get attempt() { return this.#attempt; }

  /** The delay before the next attempt, counting it. */
  next() {
    const delay = Math.floor(this.#random() * this.cap);
    this.#attempt += 1;
    return delay;
  }

  /** After a connection that worked: start again from the smallest cap. */
  reset() {
    this.#attempt = 0;
  }
}
