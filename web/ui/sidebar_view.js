// The sidebar: the rooms joined (links to #room=..., with unread counts and a leave button), the
// form to join or create a room, and who is online in the current room. On a phone it is a
// drawer, opened by the Rooms button and closed by Escape, the backdrop or choosing a room.

import { hashForRoom } from '../core/room_prefs.js';
import { element } from './dom.js';

const PHONE = '(max-width: 720px)';

export class SidebarView {
  #doc;
  #window;

  /** onJoin(name) for the join form; onLeave(name) for a leave button. */
  constructor(doc, win, { onJoin, onLeave }) {
    this.#doc = doc;
    this.#window = win;
    const byId = (id) => doc.getElementById(id);
    this.app = byId('app');
    this.sidebar = byId('sidebar');
    this.toggle = byId('rooms-toggle');
    this.toggleUnread = byId('rooms-toggle-unread');
    this.backdrop = byId('drawer-backdrop');
    // What the open drawer covers: out of reach of Tab and clicks until it closes.
    this.covered = ['connect-form', 'main', 'send-form'].map((id) => byId(id));
    this.roomList = byId('room-list');
    this.joinForm = byId('join-form');
    this.roomInput = byId('room-name');
    this.users = byId('users');
    this.onlineCount = byId('online-count');

    this.joinForm.addEventListener('submit', (event) => {
      event.preventDefault();
      onJoin(this.roomInput.value.trim());
    });
    this.roomInput.addEventListener('input', () => this.roomInput.removeAttribute('aria-invalid'));
    this.roomList.addEventListener('click', (event) => {
      const leave = event.target.closest('button[data-leave]');
      if (leave) onLeave(leave.dataset.leave);
      else if (event.target.closest('a')) this.closeDrawer({ focusToggle: false });
    });
    this.toggle.addEventListener('click', () => (this.isOpen ? this.closeDrawer() : this.openDrawer()));
    this.backdrop.addEventListener('click', () => this.closeDrawer());
    // Grown past phone width (rotated, resized): no drawer, nothing covered.
    win.matchMedia(PHONE).addEventListener('change', (event) => {
      if (!event.matches) this.closeDrawer({ focusToggle: false });
    });
    doc.addEventListener('keydown', (event) => {
      if (event.key === 'Escape' && this.isOpen) {
        event.preventDefault();
        this.closeDrawer();
      }
    });
  }

  get isOpen() { return this.app.classList.contains('drawer-open'); }

  openDrawer() {
    this.app.classList.add('drawer-open');
    this.toggle.setAttribute('aria-expanded', 'true');
    this.backdrop.hidden = false;
    for (const el of this.covered) el.inert = true;
    (this.roomList.querySelector('[aria-current="page"]') ?? this.roomInput).focus();
  }

  closeDrawer({ focusToggle = true } = {}) {
    if (!this.isOpen) return;
    this.app.classList.remove('drawer-open');
    this.toggle.setAttribute('aria-expanded', 'false');
    this.backdrop.hidden = true;
    for (const el of this.covered) el.inert = false;
    if (focusToggle && this.#window.matchMedia(PHONE).matches) this.toggle.focus();
  }

  /** A join form problem: shown at the field. */
  showRoomProblem(text) {
    this.roomInput.setAttribute('aria-invalid', 'true');
    this.roomInput.setCustomValidity(text);
    this.roomInput.reportValidity();
    this.roomInput.setCustomValidity('');
  }

  clearRoomInput() { this.roomInput.value = ''; }

  /** rooms: RoomState list in order; current: the name shown. */
  renderRooms(rooms, current, totalUnread) {
    const doc = this.#doc;
    const focusedRoom = doc.activeElement?.closest?.('#room-list li')?.dataset.room;
    const focusedLeave = doc.activeElement?.matches?.('button[data-leave]');
    const items = rooms.map((room) => {
      const li = element(doc, 'li', 'room');
      li.dataset.room = room.name;
      const link = element(doc, 'a', 'room-link');
      link.href = hashForRoom(room.name);
      link.append(element(doc, 'span', 'room-hash', '#'), element(doc, 'span', 'room-name', room.name));
      if (room.name === current) link.setAttribute('aria-current', 'page');
      link.setAttribute('aria-label', room.unread > 0 ? `#${room.name}, ${room.unread} unread` : `#${room.name}`);
      if (room.unread > 0) link.append(element(doc, 'span', 'unread', String(room.unread)));
      li.append(link);
      if (room.name !== 'lobby') {
        const leave = element(doc, 'button', 'leave', '×');
        leave.type = 'button';
        leave.dataset.leave = room.name;
        leave.setAttribute('aria-label', `Leave ${room.name}`);
        leave.title = `Leave ${room.name}`;
        li.append(leave);
      }
      return li;
    });
    this.roomList.replaceChildren(...items);
    // Rebuilding the list must not lose keyboard focus.
    if (focusedRoom !== undefined) {
      const li = this.roomList.querySelector(`li[data-room="${CSS.escape(focusedRoom)}"]`);
      (focusedLeave ? li?.querySelector('button') : li?.querySelector('a'))?.focus();
    }
    this.toggleUnread.textContent = totalUnread > 0 ? String(totalUnread) : '';
    this.toggleUnread.hidden = totalUnread === 0;
  }

  renderUsers(room, me) {
    const doc = this.#doc;
    this.users.replaceChildren(...room.users.map((user) => {
      const li = element(doc, 'li', 'user', user);
      if (user === me) {
        li.classList.add('me');
        li.append(' ', element(doc, 'span', 'you', '(you)'));
      }
      return li;
    }));
    this.onlineCount.textContent = String(room.users.length);
  }
}
