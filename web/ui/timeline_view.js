// The current room's timeline: its entries as list items, day separators, the "new messages"
// marker, "load older" and the typing line. Items are kept by key and only added, moved or removed,
// so a screen reader (role=log) announces just what is new, and scroll position survives.

import { dayLabel } from '../core/dates.js';
import { timelineRows } from '../core/timeline_rows.js';
import { typingText } from '../core/typing.js';
import { appendWithLinks, element, timeElement } from './dom.js';

// Within this distance of the bottom, new entries keep the list scrolled to the bottom.
const STICKY_SCROLL_PX = 48;
// Scrolled this close to the top, the next page of history is asked for.
const LOAD_OLDER_PX = 80;

export class TimelineView {
  #doc;
  #items = new Map(); // key -> <li>, for the room shown
  #room = null;       // name of the room shown

  /** onLoadOlder() is called by the button or when the reader scrolls to the top. */
  constructor(doc, { onLoadOlder }) {
    this.#doc = doc;
    const byId = (id) => doc.getElementById(id);
    this.scroller = byId('scroller');
    this.list = byId('messages');
    this.title = byId('room-title');
    this.loadOlderButton = byId('load-older');
    this.historyStart = byId('history-start');
    this.typing = byId('typing');
    this.loadOlderButton.addEventListener('click', () => onLoadOlder());
    this.scroller.addEventListener('scroll', () => {
      if (this.scroller.scrollTop < LOAD_OLDER_PX && !this.loadOlderButton.hidden) onLoadOlder();
    }, { passive: true });
  }

  /** Shows room (a RoomState) as it is now; canLoadOlder: connected and joined. */
  render(room, { canLoadOlder }) {
    const switched = room.name !== this.#room;
    if (switched) {
      this.#room = room.name;
      this.#items.clear();
      this.list.replaceChildren();
      this.title.textContent = room.name;
      this.list.setAttribute('aria-label', `Messages in ${room.name}`);
      // A room opened is not news: its entries go in without being announced one by one.
      this.list.setAttribute('aria-busy', 'true');
    }
    const { scrollTop, scrollHeight, clientHeight } = this.scroller;
    const atBottom = scrollHeight - scrollTop - clientHeight < STICKY_SCROLL_PX;
    const firstBefore = this.list.firstElementChild;

    this.#reconcile(timelineRows(room.entries, room.markerKey));
    // After the accessibility tree has taken the new entries in, the log speaks again.
    if (switched) requestAnimationFrame(() => this.list.removeAttribute('aria-busy'));

    this.loadOlderButton.hidden = !canLoadOlder || room.olderExhausted;
    this.loadOlderButton.disabled = room.loadingOlder;
    this.loadOlderButton.textContent = room.loadingOlder ? 'Loading…' : 'Load older messages';
    this.historyStart.hidden = !room.olderExhausted;

    const marker = this.#items.get('marker');
    if (switched && marker) {
      // Back in a room with news: start reading where the reader left off.
      this.scroller.scrollTop = Math.max(0, marker.offsetTop - this.scroller.clientHeight / 3);
    } else if (atBottom || switched) {
      this.scroller.scrollTop = this.scroller.scrollHeight;
    } else if (firstBefore && this.list.firstElementChild !== firstBefore) {
      // Older entries went in above: keep what the reader was looking at in place.
      this.scroller.scrollTop = scrollTop + (this.scroller.scrollHeight - scrollHeight);
    }
  }

  renderTyping(room, now) {
    this.typing.textContent = typingText(room.typing.at(now));
  }

  #reconcile(rows) {
    const keep = new Set(rows.map((r) => r.key));
    for (const [key, li] of this.#items) {
      if (!keep.has(key)) {
        li.remove();
        this.#items.delete(key);
      }
    }
    let previous = null;
    for (const row of rows) {
      let li = this.#items.get(row.key);
      if (!li) {
        li = this.#item(row);
        this.#items.set(row.key, li);
      }
      const expectedNext = previous ? previous.nextSibling : this.list.firstChild;
      if (li !== expectedNext) this.list.insertBefore(li, expectedNext);
      previous = li;
    }
  }

  #item(row) {
    const doc = this.#doc;
    if (row.kind === 'day') {
      const li = element(doc, 'li', 'day-separator');
      li.setAttribute('role', 'separator');
      const label = element(doc, 'span', 'day-label', dayLabel(row.ts));
      li.append(label);
      return li;
    }
    if (row.kind === 'marker') {
      const li = element(doc, 'li', 'new-marker');
      li.setAttribute('role', 'separator');
      li.append(element(doc, 'span', 'marker-label', 'New messages'));
      return li;
    }
    const li = element(doc, 'li', `entry entry-${row.kind}`);
    if (row.id !== undefined) li.dataset.id = String(row.id);
    if (row.kind === 'chat') {
      li.classList.add(row.own ? 'own' : 'other');
      const meta = element(doc, 'div', 'meta');
      meta.append(element(doc, 'span', 'sender', row.from));
      if (row.own) meta.append(' ', element(doc, 'span', 'you', 'you'));
      meta.append(' ', timeElement(doc, row.ts));
      if (row.pending) {
        li.classList.add('pending');
        meta.append(' ', element(doc, 'span', 'pending-label', 'sending…'));
      }
      const body = element(doc, 'p', 'body');
      appendWithLinks(doc, body, row.text);
      li.append(meta, body);
    } else {
      li.append(element(doc, 'span', 'body', row.text));
      if (row.ts) li.append(' ', timeElement(doc, row.ts));
    }
    return li;
  }
}
