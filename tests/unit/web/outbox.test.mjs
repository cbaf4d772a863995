import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Outbox } from '../../../web/core/outbox.js';

test('queued messages wait, are sent once per connection, and leave when acknowledged', () => {
  const outbox = new Outbox();
  const a = outbox.add('lobby', 'one', 'c-1');
  const b = outbox.add('lobby', 'two', 'c-2');
  outbox.add('dev', 'elsewhere', 'c-3');
  assert.deepEqual(outbox.unsent('lobby').map((i) => i.text), ['one', 'two']);
  outbox.markSent(a);
  assert.deepEqual(outbox.unsent('lobby'), [b]);
  assert.equal(outbox.settle('lobby', 'c-1'), a);
  assert.equal(outbox.settle('lobby', 'c-1'), null, 'an acknowledgement repeated is ignored');
  assert.deepEqual(outbox.pending('lobby'), [b]);
});

test('after a lost connection everything unacknowledged is sent again', () => {
  const outbox = new Outbox();
  const a = outbox.add('lobby', 'one', 'c-1');
  outbox.markSent(a);
  outbox.connectionLost();
  assert.deepEqual(outbox.unsent('lobby'), [a]);
});

test('leaving a room drops its queue', () => {
  const outbox = new Outbox();
  outbox.add('dev', 'x', 'c-1');
  outbox.dropRoom('dev');
  assert.equal(outbox.size, 0);
});
