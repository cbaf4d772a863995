// Server timestamps (UTC) in the reader's local time, and the days that separate the timeline.

/** 'YYYY-MM-DD' of the date in local time: two entries on the same local day share it. */
export function dayKey(date) {
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
}

/** 'Today', 'Yesterday', or the local date, e.g. 'Tuesday, 1 December 2026'. */
export function dayLabel(date, now = new Date(), locale = undefined) {
  const today = dayKey(now);
  if (dayKey(date) === today) return 'Today';
  const yesterday = new Date(now);
  yesterday.setDate(now.getDate() - 1);
  if (dayKey(date) === dayKey(yesterday)) return 'Yesterday';
  return date.toLocaleDateString(locale, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
}

export function timeLabel(date, locale = undefined) {
  return date.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit' });
}
