// One WebSocket connection to the chat, and nothing else: no DOM, no protocol parsing.
//
// Events (all CustomEvent, details in `event.detail`):
//   'open'    — the handshake completed
//   'message' — { text }: a text frame arrived
//   'close'   — { code, reason, wasClean, byClient, opened }: the connection is gone
//
// No automatic reconnect: that arrives with the structured protocol.

export class ChatConnection extends EventTarget {
  #socket = null;
  #byClient = false;
  #opened = false;

  get isOpen() {
    return this.#socket !== null && this.#socket.readyState === WebSocket.OPEN;
  }

  get isActive() {
    return this.#socket !== null;
  }

  connect(url) {
    if (this.#socket) throw new Error('already connected');
    this.#byClient = false;
    this.#opened = false;
    const socket = new WebSocket(url); // legacy text protocol: no subprotocol offered
    socket.binaryType = 'arraybuffer';
    this.#socket = socket;

    socket.addEventListener('open', () => {
      if (socket !== this.#socket) return;
      this.#opened = true;
      this.dispatchEvent(new CustomEvent('open'));
    });
    socket.addEventListener('message', (event) => {
      if (socket !== this.#socket) return;
      if (typeof event.data !== 'string') return; // the legacy protocol only sends text
      this.dispatchEvent(new CustomEvent('message', { detail: { text: event.data } }));
    });
    socket.addEventListener('close', (event) => {
      if (socket !== this.#socket) return;
      this.#socket = null;
      this.dispatchEvent(new CustomEvent('close', {
        detail: {
          code: event.code,
          reason: event.reason,
          wasClean: event.wasClean,
          byClient: this.#byClient,
          opened: this.#opened,
        },
      }));
    });
  }

  send(text) {
    if (!this.isOpen) return false;
    this.#socket.send(text);
    return true;
  }

  close() {
    if (!this.#socket) return;
    this.#byClient = true;
    this.#socket.close(1000, 'Bye');
  }
}
