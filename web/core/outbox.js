// Messages the person wrote that the server has not acknowledged yet. Each has a client_id, so
// sending it again after a reconnect is safe: the server says a repeated client_id only once.

export class Outbox {
  #items = []; // { clientId, room, text, sent, ts }: in the order written

  /** Queues a message; returns its item (shown as pending until acknowledged). */
  add(room, text, clientId, ts = new Date()) {
    const item = { clientId, room, text, sent: false, ts };
    this.#items.push(item);
    return item;
  }

  /** The room's unacknowledged messages, oldest first. */
  pending(room) {
    return this.#items.filter((item) => item.room === room);
  }

  /** The room's messages not sent on the current connection yet, oldest first. */
  unsent(room) {
    return this.#items.filter((item) => item.room === room && !item.sent);
  }

  markSent(item) {
    item.sent = true;
  }

  /** The connection is gone: whatever was not acknowledged must be sent again on the next one. */
  connectionLost() {
    for (const item of this.#items) item.sent = false;
  }

  /** Removes and returns the item the server acknowledged (or refused), or null. */
  settle(room, clientId) {
    const i = this.#items.findIndex((item) => item.room === room && item.clientId === clientId);
    return i < 0 ? null : this.#items.splice(i, 1)[0];
  }

  /** Drops a room's messages (the person left it). */
  dropRoom(room) {
    this.#items = this.#items.filter((item) => item.room !== room);
  }

  get size() { return this.#items.length; }
}
