// Small DOM helpers. Text from the network only ever goes in through textContent.

import { timeLabel } from '../core/dates.js';
import { splitLinks } from '../core/links.js';

export function element(doc, tag, className, text) {
  const el = doc.createElement(tag);
  if (className) el.className = className;
  if (text !== undefined) el.textContent = text;
  return el;
}

/** <time> with the local hour and minute, the full date on hover. */
export function timeElement(doc, date) {
  const el = element(doc, 'time', 'time', timeLabel(date));
  el.dateTime = date.toISOString();
  el.title = date.toLocaleString();
  return el;
}

/** Appends text to parent, http(s) links as <a> that open apart from the page. */
export function appendWithLinks(doc, parent, text) {
  for (const part of splitLinks(text)) {
    if (!part.href) {
      parent.append(part.text);
      continue;
    }
    const a = element(doc, 'a', 'link', part.text);
    a.href = part.href;
    a.target = '_blank';
    a.rel = 'noopener noreferrer';
    parent.append(a);
  }
}
