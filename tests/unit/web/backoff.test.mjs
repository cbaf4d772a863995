import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Backoff } from '../../../web/core/backoff.js';

test('the cap doubles from 1 s to 30 s and stays there', () => {
  const backoff = new Backoff(() => 0.999999);
  const delays = Array.from({ length: 8 }, () => backoff.next());
  assert.deepEqual(delays, [999, 1999, 3999, 7999, 15999, 29999, 29999, 29999]);
});

test('full jitter: any delay from 0 up to the cap', () => {
  const backoff = new Backoff(() => 0);
  assert.deepEqual([backoff.next(), backoff.next()], [0, 0]);
  const half = new Backoff(() => 0.5);
  assert.deepEqual([half.next(), half.next(), half.next()], [500, 1000, 2000]);
});

test('reset starts again from 1 s', () => {
  const backoff = new Backoff(() => 0.5);
  backoff.next(); backoff.next(); backoff.next();
  backoff.reset();
  assert.equal(backoff.next(), 500);
});
