// The connect form, the status line and the message box: what the person can do in each
// connection state, and where keyboard focus goes when that changes.

import { cleanToken } from '../core/auth_token.js';

export class ConnectionView {
  constructor(doc) {
    const byId = (id) => doc.getElementById(id);
    this.doc = doc;
    this.connectForm = byId('connect-form');
    this.sendForm = byId('send-form');
    this.nameInput = byId('name');
    this.ageInput = byId('age');
    this.tokenField = byId('token-field');
    this.tokenInput = byId('token');
    this.renewButton = byId('renew-token');
    this.haveTokenButton = byId('have-token');
    this.connectButton = byId('connect');
    this.disconnectButton = byId('disconnect');
    this.messageInput = byId('message');
    this.sendButton = byId('send');
    this.status = byId('status');
    this.state = 'idle';

    this.messageInput.addEventListener('input', () => this.#updateSendButton());
    for (const input of [this.nameInput, this.ageInput, this.tokenInput]) {
      input.addEventListener('input', () => input.removeAttribute('aria-invalid'));
    }
  }

  get name() { return this.nameInput.value.trim(); }
  get age() { return this.ageInput.value.trim(); }
  get token() { return cleanToken(this.tokenInput.value); }
  get message() { return this.messageInput.value; }

  /**
   * state: the client's ('idle' | 'connecting' | 'connected' | 'reconnecting'). While
   * reconnecting the message box stays usable: what is written then is sent on reconnect.
   */
  setState(state, statusText, { error = false } = {}) {
    const focusWasLost = () => {
      const active = this.doc.activeElement;
      return !active || active === this.doc.body || active.disabled;
    };
    const changed = state !== this.state;
    this.state = state;
    this.status.dataset.state = state === 'reconnecting' ? 'reconnecting' : error ? 'error' : state;
    this.doc.documentElement.dataset.state = state;
    this.status.textContent = statusText;

    const idle = state === 'idle';
    const writable = state === 'connected' || state === 'reconnecting';
    this.nameInput.disabled = !idle;
    this.ageInput.disabled = !idle;
    this.connectButton.disabled = !idle;
    this.disconnectButton.disabled = idle;
    // The token can be replaced while connected (a `refresh`): its field stays usable.
    this.renewButton.hidden = idle;
    this.haveTokenButton.hidden = !idle || !this.tokenField.hidden;
    this.messageInput.disabled = !writable;
    this.#updateSendButton();

    // Keep keyboard focus somewhere useful when the focused control was just disabled.
    // Having just connected, the person wants to write: move there from the connect form.
    if (!changed) return;
    if (state === 'connected' && (focusWasLost() || this.connectForm.contains(this.doc.activeElement))) {
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

  /**
   * Shows the token field holding `token`. `attention`: the token needs the person (the server
   * wants one, refused it, or it runs out soon); `focus`: ... now, so the cursor goes there.
   */
  showToken(token, { attention = false, focus = false } = {}) {
    this.tokenField.hidden = false;
    this.haveTokenButton.hidden = true;
    this.tokenField.classList.toggle('attention', attention);
    if (!attention) this.tokenInput.removeAttribute('aria-invalid');
    if (this.token !== token) this.tokenInput.value = token;
    if (focus) {
      this.tokenInput.select();
      this.tokenInput.focus();
    }
  }

  /** Marks the token field as wrong (the server refused what it holds). */
  markTokenInvalid() {
    this.tokenInput.setAttribute('aria-invalid', 'true');
  }

  clearMessage() {
    this.messageInput.value = '';
    this.#updateSendButton();
  }

  focusMessage() { this.messageInput.focus(); }

  #updateSendButton() {
    const writable = this.state === 'connected' || this.state === 'reconnecting';
    this.sendButton.disabled = !(writable && this.messageInput.value.trim() !== '');
  }
}
