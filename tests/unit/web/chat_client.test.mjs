import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClient } from '../../../web/core/chat_client.js';
import { Session } from '../../../web/core/session.js';
import { FakeTimers, LOCATION, fakeConnector, hello, join, msg } from './fakes.mjs';

function setup(options = {}) {
  const net = fakeConnector();
  const timers = new FakeTimers();
  const session = new Session({ createSocket: net.createSocket, timers, random: () => 0 });
  let id = 0;
  let now = 0;
  const client = new ChatClient({ session, location: LOCATION, newId: () => `c-${++id}`, now: () => now, ...options });
  return { net, timers, client, tick: (ms) => { now += ms; } };
}

// Opens the current connection and welcomes `me` into the given rooms.
function welcome(net, me, roomsWithEvents) {
  net.last.open();
  net.last.receive(hello(me));
  for (const [room, events] of Object.entries(roomsWithEvents)) {
    net.last.receive({ type: 'joined', room, users: [me], last_id: events.at(-1).id, events });
  }
}

const texts = (client, room = client.current) => client.rooms.get(room).entries.map((e) => e.text);

test('connect joins the current room by URL, then the others; shows the greeting; Connected as', () => {
  const { net, client } = setup({ rooms: ['lobby', 'dev'], current: 'lobby' });
  client.connect('alice', '30');
  assert.equal(client.status.text, 'Connecting as alice…');
  assert.equal(net.last.url, 'ws://chat.example:9090/chat/alice?room=lobby&age=30');
  net.last.open();
  net.last.receive(hello('alice'));
  assert.equal(client.status.text, 'Connected as alice.');
  assert.deepEqual(net.last.sent, [{ type: 'join', room: 'dev' }]);
  net.last.receive({ type: 'joined', room: 'lobby', users: ['alice'], last_id: 1, events: [join('lobby', 1, 'alice', 30)] });
  assert.deepEqual(texts(client), ['Hi alice! You have successfully connected to the chat']);
});

test('a message is pending until the server echoes its client_id', () => {
  const { net, client } = setup();
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 1, 'alice')] });
  client.send('hello');
  assert.deepEqual(net.last.sent, [{ type: 'send', room: 'lobby', text: 'hello', client_id: 'c-1' }]);
  assert.equal(client.currentRoom().entries.at(-1).pending, true);
  net.last.receive(msg('lobby', 2, 'alice', 'hello', 'c-1'));
  const last = client.currentRoom().entries.at(-1);
  assert.deepEqual([last.text, !!last.pending, last.id], ['hello', false, 2]);
  assert.equal(client.currentRoom().entries.filter((e) => e.text === 'hello').length, 1);
});

test('after a drop: Reconnecting…, then every room resumes from its last id, and the queue is sent once', () => {
  const { net, timers, client } = setup({ rooms: ['lobby', 'dev'], current: 'lobby' });
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 1, 'alice'), msg('lobby', 2, 'bob', 'one')], dev: [join('dev', 7, 'alice')] });
  client.send('in flight');          // sent, but its echo never comes
  net.last.drop(1001, 'Server is shutting down.');
  assert.equal(client.status.state, 'reconnecting');
  assert.match(client.status.text, /Server is shutting down\. Reconnecting…/);
  assert.equal(client.active, true);
  client.send('while down');        // queued
  assert.equal(net.sockets.length, 1);

  timers.run();
  assert.equal(net.last.url, 'ws://chat.example:9090/chat/alice?room=lobby&since=2');
  net.last.open();
  net.last.receive(hello('alice'));
  assert.deepEqual(net.last.sent, [{ type: 'join', room: 'dev', since: 7 }]);
  // The first message did arrive before the drop: the replay acknowledges it.
  net.last.receive({ type: 'joined', room: 'lobby', users: ['alice', 'bob'], last_id: 6, events: [
    msg('lobby', 3, 'alice', 'in flight', 'c-1'), msg('lobby', 4, 'bob', 'two'), join('lobby', 6, 'alice')] });
  assert.deepEqual(net.last.sent.slice(1), [{ type: 'send', room: 'lobby', text: 'while down', client_id: 'c-2' }]);
  net.last.receive(msg('lobby', 7, 'alice', 'while down', 'c-2'));
  assert.deepEqual(texts(client).slice(1),
    ['one', 'Disconnected by the server: Server is shutting down.', 'in flight', 'two', 'Reconnected.', 'while down']);
  assert.equal(client.status.text, 'Connected as alice.');
});

test('Disconnect while messages wait: they are not sent later, and say so', () => {
  const { net, timers, client } = setup();
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 1, 'alice')] });
  net.last.drop(1006);
  client.send('never mind');
  client.disconnect();
  assert.deepEqual(texts(client).slice(-2), ['You left the chat.', 'Not sent: never mind']);
  assert.equal(client.currentRoom().entries.some((e) => e.pending), false);
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 2, 'alice')] });
  assert.deepEqual(net.last.sent, []);
  assert.equal(timers.pending.size, 0);
});

test('no reconnect after Disconnect or a refusal', () => {
  const { net, timers, client } = setup();
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 1, 'alice')] });
  client.disconnect();
  net.last.drop(1000);
  assert.equal(client.status.text, 'Disconnected.');
  assert.equal(texts(client).at(-1), 'You left the chat.');
  assert.equal(timers.pending.size, 0);

  client.connect('bob');
  net.last.open();
  net.last.drop(1003, 'Username already exists.');
  assert.deepEqual(client.status, { state: 'idle', text: 'Disconnected by the server: Username already exists.', error: true });
  assert.equal(timers.pending.size, 0);
});

test('unread counts for rooms not being read; switching reads them', () => {
  const { net, client } = setup({ rooms: ['lobby', 'dev'], current: 'lobby' });
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 1, 'alice')], dev: [join('dev', 1, 'alice')] });
  net.last.receive(msg('dev', 2, 'bob', 'psst'));
  net.last.receive(msg('lobby', 2, 'bob', 'seen'));
  assert.equal(client.rooms.get('dev').unread, 1);
  assert.equal(client.totalUnread(), 1);
  client.setPageVisible(false);
  net.last.receive(msg('lobby', 3, 'bob', 'while away'));
  assert.equal(client.totalUnread(), 2);
  client.setPageVisible(true);
  client.switchRoom('dev');
  assert.equal(client.totalUnread(), 0);
  assert.equal(client.rooms.get('dev').markerKey, 'id:2');
});

test('joining and leaving rooms; history pages; typing throttled', () => {
  const { net, client, tick } = setup();
  client.connect('alice');
  welcome(net, 'alice', { lobby: [msg('lobby', 40, 'bob', 'x'), join('lobby', 41, 'alice')] });
  client.openRoom('dev');
  assert.equal(client.current, 'dev');
  assert.deepEqual(net.last.sent.at(-1), { type: 'join', room: 'dev' });
  net.last.receive({ type: 'joined', room: 'dev', users: ['alice'], last_id: 1, events: [join('dev', 1, 'alice')] });
  client.leaveRoom('dev');
  assert.deepEqual(net.last.sent.at(-1), { type: 'leave', room: 'dev' });
  assert.equal(client.current, 'lobby');
  assert.deepEqual([...client.rooms.keys()], ['lobby']);
  client.openRoom('ops');
  client.leaveRoom('ops'); // before its joined came
  net.last.receive({ type: 'joined', room: 'ops', users: ['alice'], last_id: 1, events: [join('ops', 1, 'alice')] });
  assert.deepEqual(net.last.sent.slice(-2), [{ type: 'join', room: 'ops' }, { type: 'leave', room: 'ops' }]);

  assert.equal(client.loadOlder(), true);
  assert.deepEqual(net.last.sent.at(-1), { type: 'history', room: 'lobby', before: 40, limit: 50 });
  assert.equal(client.loadOlder(), false, 'one page at a time');

  const before = net.last.sent.length;
  client.typed(); tick(500); client.typed(); tick(1600); client.typed();
  assert.deepEqual(net.last.sent.slice(before), [{ type: 'typing', room: 'lobby' }, { type: 'typing', room: 'lobby' }]);
  net.last.receive({ type: 'typing', room: 'lobby', user: 'bob' });
  assert.deepEqual(client.currentRoom().typing.at(0), ['bob']);
});

test('a send the server refuses is no longer pending and says why', () => {
  const { net, client } = setup();
  client.connect('alice');
  welcome(net, 'alice', { lobby: [join('lobby', 1, 'alice')] });
  client.send('x');
  net.last.receive({ type: 'error', code: 'text_too_long', reason: 'Text too long.', room: 'lobby', client_id: 'c-1' });
  assert.deepEqual(texts(client).slice(1), ['Not sent: Text too long.']);
  assert.equal(client.send('y'.repeat(101)), false, 'over the hello\'s max_text_bytes');
});

test('a room opened while connecting is joined once the server says hello; the URL\'s room is not joined twice', () => {
  const { net, client } = setup();
  client.connect('alice');
  client.openRoom('dev'); // before the hello
  net.last.open();
  net.last.receive(hello('alice'));
  assert.deepEqual(net.last.sent, [{ type: 'join', room: 'dev' }]);
  net.last.receive({ type: 'joined', room: 'lobby', users: ['alice'], last_id: 1, events: [join('lobby', 1, 'alice')] });
  assert.deepEqual(texts(client, 'lobby'), ['Hi alice! You have successfully connected to the chat']);
});
