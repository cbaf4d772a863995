// Wires the page to the chat: ChatClient (web/core/) holds the state and talks parley.v1; the views
// (web/ui/) show it. Also keeps the address (#room=...), the saved rooms and the tab title current.

import { ChatClient } from './core/chat_client.js';
import { SUBPROTOCOL } from './core/protocol.js';
import { hashForRoom, loadRooms, roomFromHash, saveRooms } from './core/room_prefs.js';
import { loadIdentity, saveIdentity } from './core/saved_identity.js';
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

const saved = loadRooms(storage, window.location.hash);
const session = new Session({ createSocket: (url) => new WebSocket(url, SUBPROTOCOL) });
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
if (!roomFromHash(window.location.hash)) history.replaceState(null, '', hashForRoom(client.current));

connection.connectForm.addEventListener('submit', (event) => {
  event.preventDefault();
  if (client.active) return;
  const { name, age } = connection;
  const badName = nameProblem(name);
  if (badName) return connection.showInputProblem(connection.nameInput, badName);
  // A non-numeric entry in <input type=number> reads as '' but is flagged by the browser.
  const badAge = connection.ageInput.validity.badInput ? ageProblem('x') : ageProblem(age);
  if (badAge) return connection.showInputProblem(connection.ageInput, badAge);
  client.connect(name, age);
});

connection.disconnectButton.addEventListener('click', () => client.disconnect());

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
  if (state === 'connected') saveIdentity(storage, { name: client.me, age: connection.age });
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
