import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hashForRoom, loadRooms, roomFromHash, saveRooms } from '../../../web/core/room_prefs.js';

class MemoryStorage {
  items = new Map();
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
}

test('nothing saved: lobby', () => {
  assert.deepEqual(loadRooms(new MemoryStorage()), { rooms: ['lobby'], current: 'lobby' });
  assert.deepEqual(loadRooms(null), { rooms: ['lobby'], current: 'lobby' });
});

test('the rooms and the current one survive a reload', () => {
  const storage = new MemoryStorage();
  saveRooms(storage, { rooms: ['lobby', 'dev', 'ops'], current: 'dev' });
  assert.deepEqual(loadRooms(storage), { rooms: ['lobby', 'dev', 'ops'], current: 'dev' });
});

test('a room in the address is joined and opened', () => {
  const storage = new MemoryStorage();
  saveRooms(storage, { rooms: ['lobby', 'dev'], current: 'dev' });
  assert.deepEqual(loadRooms(storage, '#room=ops'), { rooms: ['lobby', 'dev', 'ops'], current: 'ops' });
  assert.deepEqual(loadRooms(storage, '#room=lobby'), { rooms: ['lobby', 'dev'], current: 'lobby' });
  assert.equal(roomFromHash(hashForRoom('a.b-c_d')), 'a.b-c_d');
});

test('bad saved data or a bad room in the address is ignored', () => {
  const storage = new MemoryStorage();
  storage.setItem('parley.rooms', '{not json');
  assert.deepEqual(loadRooms(storage, '#room=no%20spaces'), { rooms: ['lobby'], current: 'lobby' });
  storage.setItem('parley.rooms', JSON.stringify({ rooms: ['ok', 3, '../x'], current: 'gone' }));
  assert.deepEqual(loadRooms(storage), { rooms: ['lobby', 'ok'], current: 'lobby' });
});

test('a storage that throws does not break the client', () => {
  const broken = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); } };
  assert.doesNotThrow(() => saveRooms(broken, { rooms: ['lobby'], current: 'lobby' }));
  assert.deepEqual(loadRooms(broken, '#room=dev'), { rooms: ['lobby', 'dev'], current: 'dev' });
});
