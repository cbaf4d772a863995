import { test } from 'node:test';
import assert from 'node:assert/strict';
import { timelineRows } from '../../../web/core/timeline_rows.js';
import { dayLabel } from '../../../web/core/dates.js';

const at = (iso) => new Date(iso);
const entry = (key, iso) => ({ key, ts: iso ? at(iso) : null });
const kinds = (rows) => rows.map((r) => (r.kind === 'day' || r.kind === 'marker' ? `${r.kind}` : r.key));

test('all from today: no separator', () => {
  const today = at('2026-12-03T12:00:00');
  assert.deepEqual(kinds(timelineRows([entry('a', '2026-12-03T09:00:00'), entry('b', '2026-12-03T10:00:00')], null, today)), ['a', 'b']);
});

test('a separator where the local day changes, and above older history', () => {
  const today = at('2026-12-03T12:00:00');
  const rows = timelineRows([
    entry('a', '2026-12-01T23:59:00'), entry('b', '2026-12-02T00:01:00'), entry('gap', null),
    entry('c', '2026-12-02T08:00:00'), entry('d', '2026-12-03T07:00:00'),
  ], null, today);
  assert.deepEqual(kinds(rows), ['day', 'a', 'day', 'b', 'gap', 'c', 'day', 'd']);
  assert.equal(dayLabel(rows[2].ts, today), 'Yesterday');
  assert.equal(dayLabel(rows[6].ts, today), 'Today');
  assert.match(dayLabel(rows[0].ts, today, 'en-GB'), /1 December 2026/);
});

test('the marker goes right before its entry', () => {
  const today = at('2026-12-03T12:00:00');
  const rows = timelineRows([entry('a', '2026-12-03T09:00:00'), entry('b', '2026-12-03T10:00:00')], 'b', today);
  assert.deepEqual(kinds(rows), ['a', 'marker', 'b']);
});
