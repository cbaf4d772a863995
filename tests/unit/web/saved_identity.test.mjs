import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadIdentity, saveIdentity } from '../../../web/core/saved_identity.js';

class MemoryStorage {
  items = new Map();
  getItem(k) { return this.items.has(k) ? this.items.get(k) : null; }
  setItem(k, v) { this.items.set(k, String(v)); }
}

test('the name and age come back after a reload', () => {
  const storage = new MemoryStorage();
  assert.deepEqual(loadIdentity(storage), { name: '', age: '' });
  saveIdentity(storage, { name: 'alice', age: '30' });
  assert.deepEqual(loadIdentity(storage), { name: 'alice', age: '30' });
});

test('bad or missing storage: nothing remembered, nothing thrown', () => {
  const storage = new MemoryStorage();
  storage.setItem('parley.identity', '{"name":3}');
  assert.deepEqual(loadIdentity(storage), { name: '', age: '' });
  assert.deepEqual(loadIdentity(null), { name: '', age: '' });
  const broken = { getItem() { throw new Error('denied'); }, setItem() { throw new Error('full'); } };
  assert.deepEqual(loadIdentity(broken), { name: '', age: '' });
  assert.doesNotThrow(() => saveIdentity(broken, { name: 'a', age: '' }));
});
