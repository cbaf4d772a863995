import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Session } from '../../../web/core/session.js';
import { FakeTimers, fakeConnector } from './fakes.mjs';

function setup() {
  const net = fakeConnector();
  const timers = new FakeTimers();
  const session = new Session({ createSocket: net.createSocket, timers, random: () => 0.5 });
  const closes = [];
  session.addEventListener('close', (e) => closes.push(e.detail));
  let n = 0;
  session.start(() => `ws://x/${++n}`);
  return { net, timers, session, closes };
}

test('a drop after the welcome is retried with growing delays, each attempt with a fresh URL', () => {
  const { net, timers, session, closes } = setup();
  net.last.open();
  session.established();
  net.last.drop(1001, 'Server is shutting down.');
  assert.equal(session.state, 'waiting');
  assert.deepEqual(timers.delays(), [500]);
  assert.equal(closes[0].retryInMs, 500);
  timers.run();
  assert.equal(net.last.url, 'ws://x/2');
  net.last.drop(1006);
  assert.deepEqual(timers.delays(), [1000]);
  timers.run();
  net.last.open();
  session.established();
  net.last.drop(1006);
  assert.deepEqual(timers.delays(), [500], 'a welcome resets the backoff');
});

test('Disconnect stops, also while waiting to retry', () => {
  const { net, timers, session, closes } = setup();
  net.last.open();
  session.established();
  net.last.drop(1006);
  session.stop();
  assert.equal(session.state, 'idle');
  assert.equal(timers.pending.size, 0);
  assert.equal(closes.at(-1).byClient, true);
  assert.equal(closes.at(-1).retryInMs, null);
});

test('Disconnect on an open connection closes it with 1000 and never retries', () => {
  const { net, timers, session, closes } = setup();
  net.last.open();
  session.established();
  session.stop();
  assert.deepEqual(net.last.closedWith, { code: 1000, reason: 'Bye' });
  net.last.drop(1000);
  assert.equal(closes.at(-1).retryInMs, null);
  assert.equal(timers.pending.size, 0);
});

test('a refusal on the first attempt ends it: taken or invalid name, no server at all', () => {
  for (const code of [1003, 1008, 1006]) {
    const { net, timers, session, closes } = setup();
    if (code !== 1006) net.last.open();
    net.last.drop(code);
    assert.equal(closes[0].retryInMs, null, `code ${code}`);
    assert.equal(timers.pending.size, 0);
    assert.equal(session.state, 'idle');
  }
});

test('on a reconnect, an invalid name ends it; a taken name (our old connection) is retried a few times', () => {
  const { net, timers, session } = setup();
  net.last.open();
  session.established();
  net.last.drop(1006);
  let refusals = 0;
  while (timers.pending.size > 0) {
    timers.run();
    net.last.open();
    net.last.drop(1003, 'Username already exists.');
    refusals += 1;
  }
  assert.equal(refusals, 7);
  assert.equal(session.state, 'idle');

  const again = setup();
  again.net.last.open();
  again.session.established();
  again.net.last.drop(1006);
  again.timers.run();
  again.net.last.open();
  again.net.last.drop(1008, 'Invalid username');
  assert.equal(again.session.state, 'idle');
});

test('retryNow skips the wait', () => {
  const { net, timers, session } = setup();
  net.last.open();
  session.established();
  net.last.drop(1006);
  session.retryNow();
  assert.equal(timers.pending.size, 0);
  assert.equal(net.sockets.length, 2);
  assert.equal(session.state, 'connecting');
});

test('4001 (token expired) is never retried, not even after a welcome', () => {
  const { net, timers, session, closes } = setup();
  net.last.open();
  session.established();
  net.last.drop(4001, 'Token expired.');
  assert.equal(session.state, 'idle');
  assert.equal(timers.pending.size, 0);
  assert.equal(closes.at(-1).retryInMs, null);
});

test('retryAllowed can forbid a reconnect; each attempt gets its target\'s subprotocols', () => {
  const net = fakeConnector();
  const timers = new FakeTimers();
  const session = new Session({ createSocket: net.createSocket, timers, random: () => 0.5 });
  let allowed = true;
  session.start(() => ({ url: 'ws://x/', protocols: ['parley.v1', 'bearer.a.b.c'] }), { retryAllowed: () => allowed });
  assert.deepEqual(net.last.protocols, ['parley.v1', 'bearer.a.b.c']);
  net.last.open();
  session.established();
  net.last.drop(1006);
  assert.equal(timers.pending.size, 1);
  timers.run();
  net.last.open();
  session.established();
  allowed = false;
  net.last.drop(1006);
  assert.equal(session.state, 'idle');
  assert.equal(timers.pending.size, 0);
});
