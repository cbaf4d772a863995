import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TYPING_SHOWN_MS, TypingThrottle, TypingUsers, typingText } from '../../../web/core/typing.js';

test('at most one typing request per 2 s per room', () => {
  const throttle = new TypingThrottle(2000);
  const sentAt = [0, 500, 1999, 2000, 2100, 4000, 4001].filter((t) => throttle.shouldSend('lobby', t));
  assert.deepEqual(sentAt, [0, 2000, 4000]);
  assert.equal(throttle.shouldSend('dev', 4001), true, 'each room counts apart');
});

test('sending a message starts a new typing run', () => {
  const throttle = new TypingThrottle(2000);
  throttle.shouldSend('lobby', 0);
  throttle.sent('lobby');
  assert.equal(throttle.shouldSend('lobby', 10), true);
});

test('an indicator goes after a while, or when its user stops', () => {
  const users = new TypingUsers();
  users.typing('alice', 0);
  users.typing('bob', 1000);
  assert.deepEqual(users.at(1000), ['alice', 'bob']);
  assert.equal(users.nextExpiry(), TYPING_SHOWN_MS);
  assert.deepEqual(users.at(TYPING_SHOWN_MS), ['bob']);
  users.stopped('bob');
  assert.deepEqual(users.at(TYPING_SHOWN_MS), []);
  assert.equal(users.nextExpiry(), null);
});

test('the indicator\'s words', () => {
  assert.equal(typingText([]), '');
  assert.equal(typingText(['alice']), 'alice is typing…');
  assert.equal(typingText(['alice', 'bob']), 'alice and bob are typing…');
  assert.equal(typingText(['a', 'b', 'c']), '3 people are typing…');
});
