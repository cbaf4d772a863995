// What survives a page reload: the rooms joined and the one being read (localStorage), and the
// room named in the address (#room=dev) so a link opens a room.

import { roomProblem } from './validate.js';

export const DEFAULT_ROOM = 'lobby';
const KEY = 'parley.rooms';

/** The room in a location hash like '#room=dev', or null. */
export function roomFromHash(hash) {
  const params = new URLSearchParams(hash.replace(/^#/, ''));
  const room = params.get('room');
  return room !== null && roomProblem(room) === '' ? room : null;
}

export function hashForRoom(room) {
  return `#room=${encodeURIComponent(room)}`;
}

/**
 * Reads the saved rooms (lobby always first) and the current room; a room in the hash is added
 * and made current. storage is a Web Storage (or anything with getItem/setItem), or null.
 */
export function loadRooms(storage, hash = '') {
  let saved = {};
  try {
    saved = JSON.parse(storage?.getItem(KEY) ?? '{}') ?? {};
  } catch {
    saved = {};
  }
  const valid = (r) => typeof r === 'string' && roomProblem(r) === '';
  const rooms = [DEFAULT_ROOM];
  for (const r of Array.isArray(saved.rooms) ? saved.rooms : []) {
    if (valid(r) && !rooms.includes(r)) rooms.push(r);
  }
  let current = valid(saved.current) && rooms.includes(saved.current) ? saved.current : DEFAULT_ROOM;
  const linked = roomFromHash(hash);
  if (linked) {
    if (!rooms.includes(linked)) rooms.push(linked);
    current = linked;
  }
  return { rooms, current };
}

export function saveRooms(storage, { rooms, current }) {
  try {
    storage?.setItem(KEY, JSON.stringify({ rooms, current }));
  } catch {
    // Storage full or disabled (private browsing): the rooms just are not remembered.
  }
}
