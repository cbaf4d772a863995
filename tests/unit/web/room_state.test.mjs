import { test } from 'node:test';
import assert from 'node:assert/strict';
import { RoomState } from '../../../web/core/room_state.js';
import { join, leave, msg } from './fakes.mjs';

const texts = (room) => room.entries.map((e) => e.text);
const joined = (events, extra = {}) => ({ type: 'joined', room: 'lobby', users: ['bob', 'alice'], last_id: events.at(-1).id, events, ...extra });

test('a fresh join shows the history\'s messages and the greeting, not old joins and leaves', () => {
  const room = new RoomState('lobby');
  room.applyJoined(joined([join('lobby', 1, 'bob'), msg('lobby', 2, 'bob', 'anyone?'), leave('lobby', 3, 'carol'), join('lobby', 4, 'alice')]),
    { me: 'alice', resumed: false, ownJoinNote: 'greeting' });
  assert.deepEqual(texts(room), ['anyone?', 'Hi alice! You have successfully connected to the chat']);
  assert.equal(room.entries[0].own, false);
  const mine = new RoomState('lobby');
  mine.applyJoined(joined([msg('lobby', 1, 'alice', 'earlier'), join('lobby', 2, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: null });
  assert.equal(mine.entries[0].own, true, 'own messages in history are marked own');
  assert.deepEqual(room.users, ['alice', 'bob']);
  assert.equal(room.lastId, 4);
  assert.equal(room.oldestId, 1);
  assert.equal(room.unread, 0, 'history is not unread');
});

test('live events: each id once, presence kept current, the tutorial\'s words', () => {
  const room = new RoomState('lobby');
  room.setViewing(true);
  room.applyJoined(joined([join('lobby', 1, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: 'greeting' });
  assert.equal(room.applyLive(join('lobby', 2, 'bob', 30), { me: 'alice' }), true);
  const hi = msg('lobby', 3, 'bob', 'hi');
  room.applyLive(hi, { me: 'alice' });
  assert.equal(room.applyLive(hi, { me: 'alice' }), false, 'a repeated id is dropped');
  room.applyLive(leave('lobby', 4, 'bob'), { me: 'alice' });
  assert.deepEqual(texts(room).slice(1), ['bob with age 30 connected to chat', 'hi', 'bob left the chat']);
  assert.deepEqual(room.users, ['bob', 'alice'].filter((u) => u !== 'bob'));
});

test('a resume shows what was missed, including joins and leaves, without repeating anything', () => {
  const room = new RoomState('lobby');
  room.setViewing(true);
  room.applyJoined(joined([join('lobby', 1, 'alice'), msg('lobby', 2, 'bob', 'one')]), { me: 'alice', resumed: false, ownJoinNote: 'greeting' });
  room.note('local', 'Connection lost.');
  room.applyJoined(joined([msg('lobby', 2, 'bob', 'one'), leave('lobby', 3, 'alice'), join('lobby', 4, 'carol'), msg('lobby', 5, 'carol', 'two'), join('lobby', 6, 'alice')]),
    { me: 'alice', resumed: true, ownJoinNote: 'reconnected' });
  assert.deepEqual(texts(room).slice(1), ['one', 'Connection lost.', 'carol connected to chat', 'two', 'Reconnected.']);
});

test('a gap is a visible note in its place', () => {
  const room = new RoomState('lobby');
  room.applyJoined(joined([msg('lobby', 1, 'bob', 'old'), { type: 'gap', room: 'lobby', from: 2, to: 4 }, msg('lobby', 5, 'bob', 'new'), join('lobby', 6, 'alice')]),
    { me: 'alice', resumed: true, ownJoinNote: null });
  assert.deepEqual(texts(room), ['old', 'Some history here could not be loaded.', 'new']);
  assert.equal(room.entries[1].kind, 'gap');
});

test('older pages go before, oldest first; an empty page means nothing older', () => {
  const room = new RoomState('lobby');
  room.applyJoined(joined([msg('lobby', 10, 'bob', 'ten'), join('lobby', 11, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: null });
  room.loadingOlder = true;
  room.applyHistory({ type: 'history', room: 'lobby', events: [msg('lobby', 7, 'bob', 'seven'), join('lobby', 8, 'dan'), msg('lobby', 9, 'dan', 'nine')] }, { me: 'dan' });
  assert.deepEqual(room.entries.map((e) => e.own), [false, true, false], 'own messages in history are marked own');
  assert.equal(room.loadingOlder, false);
  assert.deepEqual(texts(room), ['seven', 'nine', 'ten']);
  assert.equal(room.oldestId, 7);
  assert.equal(room.olderExhausted, false);
  room.applyHistory({ type: 'history', room: 'lobby', events: [] }, { me: 'alice' });
  assert.equal(room.olderExhausted, true);
  const young = new RoomState('new');
  young.applyJoined(joined([join('new', 1, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: null });
  assert.equal(young.olderExhausted, true, 'ids start at 1: nothing before the first');
});

test('unread: others\' messages while not read; the marker stands before the first of them', () => {
  const room = new RoomState('dev');
  room.applyJoined(joined([join('dev', 1, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: 'joined' });
  room.applyLive(msg('dev', 2, 'alice', 'mine'), { me: 'alice' });
  room.applyLive(msg('dev', 3, 'bob', 'a'), { me: 'alice' });
  room.applyLive(msg('dev', 4, 'bob', 'b'), { me: 'alice' });
  room.applyLive(join('dev', 5, 'carol'), { me: 'alice' });
  assert.equal(room.unread, 2);
  room.setViewing(true);
  assert.equal(room.unread, 0);
  assert.equal(room.markerKey, 'id:3');
  room.applyLive(msg('dev', 6, 'bob', 'c'), { me: 'alice' });
  assert.equal(room.unread, 0, 'read as it arrives');
  room.setViewing(false);
  room.setViewing(true);
  assert.equal(room.markerKey, null, 'nothing new: no marker');
});

test('a pending message stays last until acknowledged, then sits at its id', () => {
  const room = new RoomState('lobby');
  room.applyJoined(joined([join('lobby', 1, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: null });
  room.addPending({ clientId: 'c-1', text: 'queued', ts: new Date() }, 'alice');
  room.applyLive(msg('lobby', 2, 'bob', 'meanwhile'), { me: 'alice' });
  assert.deepEqual(room.entries.map((e) => [e.text, !!e.pending]), [['meanwhile', false], ['queued', true]]);
  room.removePending('c-1');
  room.applyLive(msg('lobby', 3, 'alice', 'queued', 'c-1'), { me: 'alice' });
  assert.deepEqual(room.entries.map((e) => [e.text, !!e.pending, !!e.own]), [['meanwhile', false, false], ['queued', false, true]]);
});

test('reset: the server forgot the room, so ids start again', () => {
  const room = new RoomState('lobby');
  room.applyJoined(joined([msg('lobby', 5, 'bob', 'before'), join('lobby', 6, 'alice')]), { me: 'alice', resumed: false, ownJoinNote: null });
  room.applyJoined(joined([join('lobby', 1, 'alice')], { reset: true }), { me: 'alice', resumed: false, ownJoinNote: 'reconnected' });
  assert.equal(room.lastId, 1);
  room.applyLive(msg('lobby', 2, 'bob', 'after'), { me: 'alice' });
  assert.deepEqual(texts(room).at(-1), 'after');
});
