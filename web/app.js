// Wires the page to the chat: ChatClient (web/core/) holds the state and talks parley.v1; the views
// (web/ui/) show it. Also keeps the address (#room=...), the saved rooms and the tab title current,
// and takes a sign-in token from the address (?token=...), the token field or window.parley.setToken.

import { cleanToken, takeTokenFromUrl, tokenProblem, tokenSubject } from './core/auth_token.js';
import { ChatClient } from './core/chat_client.js';
import { hashForRoom, loadRooms, roomFromHash, saveRooms } from './core/room_prefs.js';
import { loadIdentity, saveIdentity } from './core/saved_identity.js';
import { loadToken, saveToken } from './core/saved_token.js';
import { Session } from './core/session.js';
import { ageProblem, nameProblem, roomProblem } from './core/validate.js';
import { ConnectionView } from './ui/connection_view.js';
import { SidebarView } from './ui/sidebar_view.js';
import { TimelineView } from './ui/timeline_view.js';

const storage = (() => {
  try {
    return window.localStorage;
  } catch {
    return null; // storage blocked: rooms are not remembered
  }
})();
const tabStorage = (() => {
  try {
    return window.sessionStorage;
  } catch {
    return null; // storage blocked: a reload asks for the token again
  }
})();

// A token in the address is taken out of it at once: not kept in the history, not in a link
// copied from the address bar.
const fromAddress = takeTokenFromUrl(window.location.href);
if (fromAddress.rest !== window.location.href) history.replaceState(null, '', fromAddress.rest);

const saved = loadRooms(storage, window.location.hash);
const session = new Session({ createSocket: (url, protocols) => new WebSocket(url, protocols) });
const client = new ChatClient({ session, location: window.location, rooms: saved.rooms, current: saved.current });

const connection = new ConnectionView(document);
const timeline = new TimelineView(document, { onLoadOlder: () => client.loadOlder() });
const sidebar = new SidebarView(document, window, {
  onJoin: (name) => {
    const problem = roomProblem(name);
    if (problem) return sidebar.showRoomProblem(problem);
    sidebar.clearRoomInput();
    sidebar.closeDrawer({ focusToggle: false });
    openRoom(name);
    connection.focusMessage();
  },
  onLeave: (name) => client.leaveRoom(name),
});

// The address names the current room; following a link (or Back) to #room=x opens x.
function openRoom(name) {
  if (window.location.hash !== hashForRoom(name)) window.location.hash = hashForRoom(name);
  else client.openRoom(name);
}
window.addEventListener('hashchange', () => {
  const room = roomFromHash(window.location.hash);
  if (room) client.openRoom(room);
});

connection.setState('idle', 'Not connected.');
const identity = loadIdentity(storage);
connection.nameInput.value = identity.name;
connection.ageInput.value = identity.age;
if (fromAddress.token) saveToken(tabStorage, fromAddress.token); // a reload still has it
const startToken = fromAddress.token || loadToken(tabStorage);
if (startToken) {
  client.setToken(startToken);
  connection.showToken(startToken);
  // A token is for one name: a token from the address fills it in.
  const subject = tokenSubject(fromAddress.token);
  if (subject && !nameProblem(subject)) connection.nameInput.value = subject;
}
if (!roomFromHash(window.location.hash)) history.replaceState(null, '', hashForRoom(client.current));

connection.connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (client.active) return useNewToken(); // Enter in the token field while connected
  const { name, age, token } = connection;
  const badName = nameProblem(name);
  if (badName) return connection.showInputProblem(connection.nameInput, badName);
  // A non-numeric entry in <input type=number> reads as '' but is flagged by the browser.
  const badAge = connection.ageInput.validity.badInput ? ageProblem('x') : ageProblem(age);
  if (badAge) return connection.showInputProblem(connection.ageInput, badAge);
  const badToken = token === '' ? '' : tokenProblem(token);
  if (badToken) return connection.showInputProblem(connection.tokenInput, badToken);
  client.connect(name, age, { token });
});

connection.disconnectButton.addEventListener('click', () => client.disconnect());

// A new token while connected (sent in a `refresh`) or while waiting to reconnect.
function useNewToken() {
  const token = connection.token;
  const problem = tokenProblem(token);
  if (problem) return connection.showInputProblem(connection.tokenInput, problem);
  client.setToken(token);
}
connection.renewButton.addEventListener('click', useNewToken);
connection.haveTokenButton.addEventListener('click', () => connection.showToken(connection.token, { focus: true }));

// For whatever gives this page its tokens (a script, an extension, a test): the same as entering
// one in the field.
window.parley = Object.freeze({
  setToken(text) {
    const token = cleanToken(text);
    const problem = tokenProblem(token);
    if (problem) throw new TypeError(problem);
    connection.showToken(token);
    client.setToken(token);
  },
});

client.addEventListener('token', (event) => {
  const { reason } = event.detail;
  if (reason === 'renewed') {
    saveToken(tabStorage, client.token);
    connection.showToken(client.token);
  } else if (reason === 'expiring') {
    connection.showToken(connection.token, { attention: true });
  } else if (reason === 'expired' || reason === 'needed') {
    saveToken(tabStorage, '');
    connection.showToken('', { attention: true, focus: true });
  } else if (reason === 'refused') {
    // What the person entered stays in the field, marked, to correct it.
    if (!client.active) saveToken(tabStorage, '');
    connection.showToken(connection.token, { attention: true, focus: !client.active });
    connection.markTokenInvalid();
  }
});

connection.sendForm.addEventListener('submit', (event) => {
  event.preventDefault();
  const text = connection.message;
  if (text.trim() === '') return;
  if (client.send(text)) {
    connection.clearMessage();
    connection.focusMessage();
  }
});
connection.messageInput.addEventListener('input', () => {
  if (connection.message !== '') client.typed();
});

client.addEventListener('status', () => {
  const { state, text, error } = client.status;
  connection.setState(state, text, { error });
  if (state === 'connected') {
    saveIdentity(storage, { name: client.me, age: connection.age });
    saveToken(tabStorage, client.token);
  }
  renderTimeline(client.currentRoom());
});

client.addEventListener('rooms', () => {
  const rooms = [...client.rooms.values()];
  sidebar.renderRooms(rooms, client.current, client.totalUnread());
  saveRooms(storage, { rooms: rooms.map((r) => r.name), current: client.current });
  if (window.location.hash !== hashForRoom(client.current)) {
    history.replaceState(null, '', hashForRoom(client.current));
  }
  const unread = client.totalUnread();
  document.title = `${unread > 0 ? `(${unread}) ` : ''}${client.current} · Parley`;
});

client.addEventListener('timeline', (event) => {
  if (event.detail.room === client.currentRoom()) renderTimeline(event.detail.room);
});

// Typing indicators go by themselves: refresh the line when the next one is due to go.
let typingTimer = null;
client.addEventListener('presence', (event) => {
  const room = event.detail.room;
  if (room !== client.currentRoom()) return;
  sidebar.renderUsers(room, client.me);
  timeline.renderTyping(room, Date.now());
  clearTimeout(typingTimer);
  const next = room.typing.nextExpiry();
  if (next !== null) {
    typingTimer = setTimeout(() => client.dispatchEvent(new CustomEvent('presence', { detail: { room } })),
      Math.max(0, next - Date.now()) + 50);
  }
});

function renderTimeline(room) {
  timeline.render(room, { canLoadOlder: client.connected && room.joined });
}

document.addEventListener('visibilitychange', () => client.setPageVisible(!document.hidden));
window.addEventListener('online', () => session.retryNow());

client.setPageVisible(!document.hidden);
client.switchRoom(client.current);
