// What the timeline shows, in order: a room's entries with a day separator wherever the local day
// changes (and above the first entry when that is not from today), and the "new messages" marker.

import { dayKey } from './dates.js';

/** Rows: the entries themselves, { key, kind: 'day', ts } and { key: 'marker', kind: 'marker' }. */
export function timelineRows(entries, markerKey, today = new Date()) {
  const rows = [];
  let lastDay = dayKey(today);
  for (const entry of entries) {
    if (entry.ts) {
      const day = dayKey(entry.ts);
      if (day !== lastDay) rows.push({ key: `day:${entry.key}`, kind: 'day', ts: entry.ts });
      lastDay = day;
    }
    if (entry.key === markerKey) rows.push({ key: 'marker', kind: 'marker' });
    rows.push(entry);
  }
  return rows;
}
