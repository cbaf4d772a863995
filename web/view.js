// The page: reads the inputs, shows the connection state and renders entries of the message list.
// Everything that came from the network is inserted with textContent, never as HTML.

const STICKY_SCROLL_PX = 48;

export class ChatView {
  constructor(doc = document) {
    const byId = (id) => doc.getElementById(id);
    this.doc = doc;
    this.connectForm = byId('connect-form');
    this.sendForm = byId('send-form');
    this.nameInput = byId('name');
    this.ageInput = byId('age');
    this.connectButton = byId('connect');
    this.disconnectButton = byId('disconnect');
    this.messageInput = byId('message');
    this.sendButton = byId('send');
    this.list = byId('messages');
    this.status = byId('status');
    this.state = 'disconnected';

    this.messageInput.addEventListener('input', () => this.#updateSendButton());
    for (const input of [this.nameInput, this.ageInput]) {
      input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
    }
  }

  get name() { return this.nameInput.value.trim(); }
  get age() { return this.ageInput.value.trim(); }
  get message() { return this.messageInput.value; }

  /**
   * state: 'disconnected' | 'connecting' | 'connected' | 'closing'.
   * error: show the status line as a problem (e.g. the server refused or dropped us).
   */
  setState(state, statusText, { error = false } = {}) {
    const focusWasLost = () => {
      const active = this.doc.activeElement;
      return !active || active === this.doc.body || active.disabled;
    };
    const changed = state !== this.state;
    this.state = state;
    this.status.dataset.state = error ? 'error' : state;
    this.doc.documentElement.dataset.state = state;
    this.status.textContent = statusText;

    const idle = state === 'disconnected';
    const connected = state === 'connected';
    this.nameInput.disabled = !idle;
    this.ageInput.disabled = !idle;
    this.connectButton.disabled = !idle;
    this.disconnectButton.disabled = !(state === 'connecting' || connected);
    this.messageInput.disabled = !connected;
    this.#updateSendButton();

    // Keep keyboard focus somewhere useful when the focused control was just disabled.
    // Having just connected, the user wants to write: move there from the connect form.
    if (!changed) return;
    if (connected && (focusWasLost() || this.connectForm.contains(this.doc.activeElement))) {
      this.messageInput.focus();
    } else if (idle && focusWasLost()) {
      this.nameInput.focus();
    } else if (state === 'connecting' && focusWasLost()) {
      this.disconnectButton.focus();
    }
  }

  /** Shows an input problem in the status line and marks the field. */
  showInputProblem(input, text) {
    input.setAttribute('aria-invalid', 'true');
    this.status.dataset.state = 'error';
    this.status.textContent = text;
    input.focus();
  }

  clearMessage() {
    this.messageInput.value = '';
    this.#updateSendButton();
  }

  focusMessage() { this.messageInput.focus(); }

  /**
   * Appends one entry. `entry` comes from LegacyParser.parse, or is { kind: 'local', text } for
   * notices the client makes itself (e.g. "You left the chat.").
   */
  addEntry(entry, when = new Date()) {
    const atBottom = this.#isScrolledToBottom();
    const item = this.doc.createElement('li');
    item.className = `entry entry-${entry.kind}`;

    if (entry.kind === 'chat') {
      item.classList.add(entry.own ? 'own' : 'other');
      const meta = this.#element('div', 'meta');
      meta.append(this.#element('span', 'sender', entry.name));
      if (entry.own) meta.append(' ', this.#element('span', 'you', 'you'));
      meta.append(' ', this.#time(when));
      const body = this.#element('p', 'body', entry.body);
      item.append(meta, body);
    } else {
      item.append(this.#element('span', 'body', entry.text), ' ', this.#time(when));
    }

    this.list.append(item);
    if (atBottom) this.list.scrollTop = this.list.scrollHeight;
  }

  #element(tag, className, text) {
    const el = this.doc.createElement(tag);
    el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  #time(when) {
    const el = this.#element('time', 'time', when.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' }));
    el.dateTime = when.toISOString();
    el.title = when.toLocaleString();
    return el;
  }

  #isScrolledToBottom() {
    const { scrollTop, scrollHeight, clientHeight } = this.list;
    return scrollHeight - scrollTop - clientHeight < STICKY_SCROLL_PX;
  }

  #updateSendButton() {
    this.sendButton.disabled = !(this.state === 'connected' && this.messageInput.value.trim() !== '');
  }
}
