// The sign-in token in the chat client: offered beside parley.v1 on every attempt, renewed with
// `refresh`, and never retried once it has run out.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ChatClient, TOKEN_WARNING_MS } from '../../../web/core/chat_client.js';
import { Session } from '../../../web/core/session.js';
import { FakeTimers, LOCATION, fakeConnector, hello, join, msg, unsignedToken } from './fakes.mjs';

const START = Date.parse('2026-12-03T10:00:00.000Z');

function setup() {
  const net = fakeConnector();
  const timers = new FakeTimers();
  const session = new Session({ createSocket: net.createSocket, timers, random: () => 0 });
  let now = START;
  const client = new ChatClient({ session, location: LOCATION, now: () => now, timers });
  const tokenEvents = [];
  client.addEventListener('token', (e) => tokenEvents.push(e.detail.reason));
  return { net, timers, client, tokenEvents, tick: (ms) => { now += ms; } };
}

const tokenFor = (sub, lifetimeS) => unsignedToken({ sub, exp: Math.floor(START / 1000) + lifetimeS });
const notes = (client) => client.currentRoom().entries.filter((e) => !e.id).map((e) => e.text);

function welcome(net, me, events = [join('lobby', 1, me)]) {
  net.last.open();
  net.last.receive(hello(me));
  net.last.receive({ type: 'joined', room: 'lobby', users: [me], last_id: events.at(-1).id, events });
}

test('the token is offered beside parley.v1, again on a reconnect; without one, parley.v1 alone', () => {
  const { net, timers, client } = setup();
  const token = tokenFor('alice', 3600);
  client.connect('alice', '', { token });
  assert.deepEqual(net.last.protocols, ['parley.v1', `bearer.${token}`]);
  assert.doesNotMatch(net.last.url, /token/, 'not in the URL, where proxies log it');
  welcome(net, 'alice');
  net.last.drop(1006);
  timers.run();
  assert.deepEqual(net.last.protocols, ['parley.v1', `bearer.${token}`]);

  const other = setup();
  other.client.connect('bob');
  assert.deepEqual(other.net.last.protocols, ['parley.v1']);
});

test('a new token while connected is sent in a refresh; refreshed says until when, and the next reconnect offers it', () => {
  const { net, timers, client, tokenEvents } = setup();
  client.connect('alice', '', { token: tokenFor('alice', 3600) });
  welcome(net, 'alice');
  const fresh = tokenFor('alice', 7200);
  client.setToken(fresh);
  assert.deepEqual(net.last.sent.at(-1), { type: 'refresh', token: fresh });
  net.last.receive({ type: 'refreshed', exp: Math.floor(START / 1000) + 7200 });
  assert.match(notes(client).at(-1), /^Token renewed: valid until /);
  assert.deepEqual(tokenEvents, ['renewed']);
  net.last.drop(1006);
  timers.run();
  assert.deepEqual(net.last.protocols, ['parley.v1', `bearer.${fresh}`]);
});

test('a refused refresh keeps the token in use, for the connection and its reconnects', () => {
  const { net, timers, client, tokenEvents } = setup();
  const token = tokenFor('alice', 3600);
  client.connect('alice', '', { token });
  welcome(net, 'alice');
  client.setToken(tokenFor('bob', 7200));
  net.last.receive({ type: 'error', code: 'invalid_token', reason: 'Invalid token: it names another user.' });
  assert.match(notes(client).at(-1), /^New token refused: Invalid token: it names another user\. The one in use still runs out at /);
  assert.deepEqual(tokenEvents, ['refused']);
  assert.equal(client.token, token);
  assert.equal(client.status.text, 'Connected as alice.');
  net.last.drop(1006);
  timers.run();
  assert.deepEqual(net.last.protocols, ['parley.v1', `bearer.${token}`]);
});

test('a minute before the token runs out the person is asked for a new one', () => {
  const { net, timers, client, tokenEvents, tick } = setup();
  client.connect('alice', '', { token: tokenFor('alice', 600) });
  welcome(net, 'alice');
  assert.deepEqual(timers.delays(), [600_000 - TOKEN_WARNING_MS]);
  tick(600_000 - TOKEN_WARNING_MS);
  timers.run();
  assert.equal(notes(client).at(-1), 'Your token expires in 60 s: enter a new one to stay connected.');
  assert.deepEqual(tokenEvents, ['expiring']);
});

test('closed with 4001: says the token expired, does not reconnect; a new token resumes every room', () => {
  const { net, timers, client, tokenEvents, tick } = setup();
  client.connect('alice', '', { token: tokenFor('alice', 30) });
  welcome(net, 'alice', [join('lobby', 1, 'alice'), msg('lobby', 2, 'bob', 'hi')]);
  timers.pending.clear(); // the warning
  tick(30_000);
  net.last.drop(4001, 'Token expired.');
  assert.equal(timers.pending.size, 0, 'no reconnect is scheduled');
  assert.equal(net.sockets.length, 1);
  assert.deepEqual(client.status, { state: 'idle', text: 'Your token has expired: enter a new one to continue.', error: true });
  assert.deepEqual(tokenEvents, ['expired']);

  const fresh = tokenFor('alice', 3600);
  client.setToken(fresh);
  assert.equal(net.sockets.length, 2, 'connects again at once');
  assert.equal(net.last.url, 'ws://chat.example:9090/chat/alice?room=lobby&since=2');
  assert.deepEqual(net.last.protocols, ['parley.v1', `bearer.${fresh}`]);
});

test('a drop when the token is about to run out is not retried, and says why', () => {
  const { net, timers, client, tick } = setup();
  client.connect('alice', '', { token: tokenFor('alice', 61) });
  welcome(net, 'alice');
  timers.pending.clear();
  tick(60_000);
  net.last.drop(1006);
  assert.equal(timers.pending.size, 0);
  assert.equal(client.status.text, 'Your token has expired: enter a new one to continue.');
});

test('refused for the token at connect: says so, no retry; a missing token asks for one', () => {
  const { net, timers, client, tokenEvents } = setup();
  client.connect('alice', '', { token: tokenFor('alice', 3600) });
  net.last.open();
  net.last.drop(1008, 'Invalid token: bad signature.');
  assert.equal(timers.pending.size, 0);
  assert.deepEqual(client.status, { state: 'idle', text: 'Your token was refused: Invalid token: bad signature.', error: true });
  client.connect('alice', '', { token: '' });
  net.last.open();
  net.last.drop(1008, 'Authentication required: no token.');
  assert.equal(client.status.text, 'This server needs a token: enter yours to connect.');
  assert.deepEqual(tokenEvents, ['refused', 'needed']);
});

test('a token given while the connection opens is sent in a refresh once the server said hello', () => {
  const { net, client } = setup();
  client.connect('alice', '', { token: tokenFor('alice', 3600) });
  const fresh = tokenFor('alice', 7200);
  client.setToken(fresh);
  welcome(net, 'alice');
  assert.deepEqual(net.last.sent, [{ type: 'refresh', token: fresh }]);
});

test('a token valid for months is warned about a minute before, not at once (setTimeout\'s 24.8-day limit)', () => {
  const { net, timers, client, tokenEvents, tick } = setup();
  const lifetimeMs = 90 * 24 * 3600 * 1000;
  client.connect('alice', '', { token: tokenFor('alice', lifetimeMs / 1000) });
  welcome(net, 'alice');
  let waited = 0;
  while (tokenEvents.length === 0) {
    const [delay] = timers.delays();
    assert.ok(delay <= 2 ** 31 - 1);
    tick(delay);
    waited += delay;
    timers.run();
  }
  assert.equal(waited, lifetimeMs - TOKEN_WARNING_MS);
});

test('a refresh answered by an error without a room: not renewed, said why; "authentication is off" stops the expiry warnings', () => {
  const { net, timers, client, tokenEvents, tick } = setup();
  const token = tokenFor('alice', 600);
  client.connect('alice', '', { token });
  welcome(net, 'alice');
  client.setToken(tokenFor('alice', 7200));
  net.last.receive({ type: 'error', code: 'rate_limited', reason: 'Too many requests: slow down.' });
  assert.equal(notes(client).at(-1), 'Token not renewed: Too many requests: slow down.');
  assert.equal(client.token, token);
  assert.equal(timers.pending.size, 1, 'the warning still comes');

  client.setToken(tokenFor('alice', 7200));
  net.last.receive({ type: 'error', code: 'bad_request', reason: 'Authentication is off: there is no token to refresh.' });
  assert.equal(timers.pending.size, 0, 'no warning about a token the server ignores');
  tick(600_000);
  net.last.drop(1006);
  assert.equal(timers.pending.size, 1, 'and its expiry does not stop reconnects');
  assert.deepEqual(tokenEvents, []);
});
