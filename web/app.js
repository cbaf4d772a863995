// Wires the page (view.js) to the connection (connection.js) using the legacy text protocol
// (legacy-protocol.js). Holds the little state there is; no automatic reconnect.

import { ChatConnection } from './connection.js';
import { ChatView } from './view.js';
import { LegacyParser, ageProblem, chatUrl, nameProblem } from './legacy-protocol.js';

const view = new ChatView(document);
const connection = new ChatConnection();
let parser = null;
let ownName = '';

view.setState('disconnected', 'Not connected.');

view.connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (connection.isActive) return;
  const name = view.name;
  const age = view.age;
  const badName = nameProblem(name);
  if (badName) return view.showInputProblem(view.nameInput, badName);
  // A non-numeric entry in <input type=number> reads as '' but is flagged by the browser.
  const badAge = view.ageInput.validity.badInput ? ageProblem('x') : ageProblem(age);
  if (badAge) return view.showInputProblem(view.ageInput, badAge);

  ownName = name;
  parser = new LegacyParser(name);
  view.setState('connecting', `Connecting as ${name}…`);
  try {
    connection.connect(chatUrl(window.location, name, age));
  } catch (err) {
    view.setState('disconnected', `Could not connect: ${err.message}`, { error: true });
  }
});

view.disconnectButton.addEventListener('click', () => {
  if (!connection.isActive) return;
  view.setState('closing', 'Disconnecting…');
  connection.close();
});

view.sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = view.message;
  if (text.trim() === '') return;
  if (connection.send(text)) {
    view.clearMessage();
    view.focusMessage();
  }
});

connection.addEventListener('open', () => {
  view.setState('connected', `Connected as ${ownName}.`);
});

connection.addEventListener('message', (event) => {
  view.addEntry(parser.parse(event.detail.text));
});

connection.addEventListener('close', (event) => {
  const { code, reason, byClient, opened } = event.detail;
  let status;
  if (byClient) status = 'Disconnected.';
  else if (reason) status = `Disconnected by the server: ${reason}`;
  else if (!opened) status = 'Could not connect to the server.';
  else if (code === 1000) status = 'Disconnected by the server.';
  else status = 'Connection lost.';
  if (opened) view.addEntry({ kind: 'local', text: byClient ? 'You left the chat.' : status });
  view.setState('disconnected', status, { error: !byClient && code !== 1000 });
});
