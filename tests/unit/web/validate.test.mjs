import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ageProblem, nameProblem, roomProblem } from '../../../web/core/validate.js';

test('names: 1 to 32 code points, no control characters', () => {
  assert.equal(nameProblem('alice'), '');
  assert.equal(nameProblem('😀'.repeat(32)), '');
  assert.notEqual(nameProblem(''), '');
  assert.notEqual(nameProblem('a'.repeat(33)), '');
  assert.notEqual(nameProblem('a\u0007b'), '');
});

test('ages: empty or a whole number from 0 to 150', () => {
  for (const ok of ['', '0', '30', '150']) assert.equal(ageProblem(ok), '');
  for (const bad of ['151', '-1', '1.5', 'x']) assert.notEqual(ageProblem(bad), '');
});

test('rooms: 1 to 64 of letters, digits, - _ .', () => {
  for (const ok of ['lobby', 'dev-2', 'a.b_c', 'x'.repeat(64)]) assert.equal(roomProblem(ok), '');
  for (const bad of ['', 'x'.repeat(65), 'with space', 'ünïcode', 'a/b']) assert.notEqual(roomProblem(bad), '');
});
