import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chatUrl, parseEvent, request, wording } from '../../../web/core/protocol.js';
import { LOCATION } from './fakes.mjs';

test('the chat URL names the user, room, age and since', () => {
  assert.equal(chatUrl(LOCATION, { name: 'Jürgen', room: 'lobby' }), 'ws://chat.example:9090/chat/J%C3%BCrgen?room=lobby');
  assert.equal(chatUrl({ protocol: 'https:', host: 'h' }, { name: 'a b', age: '030', room: 'dev', since: 41 }),
    'wss://h/chat/a%20b?room=dev&age=30&since=41');
});

test('requests are the documented JSON objects', () => {
  assert.deepEqual(JSON.parse(request.send('lobby', 'hi', 'c-1')), { type: 'send', room: 'lobby', text: 'hi', client_id: 'c-1' });
  assert.deepEqual(JSON.parse(request.join('dev')), { type: 'join', room: 'dev' });
  assert.deepEqual(JSON.parse(request.join('dev', 7)), { type: 'join', room: 'dev', since: 7 });
  assert.deepEqual(JSON.parse(request.history('dev', 41, 50)), { type: 'history', room: 'dev', before: 41, limit: 50 });
  assert.deepEqual(JSON.parse(request.typing('dev')), { type: 'typing', room: 'dev' });
  assert.deepEqual(JSON.parse(request.leave('dev')), { type: 'leave', room: 'dev' });
});

test('only JSON objects with a string type are events', () => {
  assert.deepEqual(parseEvent('{"type":"hello","user":"a"}'), { type: 'hello', user: 'a' });
  for (const bad of ['', 'alice: hi', '[]', 'null', '{"type":3}', '{}']) assert.equal(parseEvent(bad), null);
});

test('the tutorial\'s wording', () => {
  assert.equal(wording.greeting('bob'), 'Hi bob! You have successfully connected to the chat');
  assert.equal(wording.join('bob'), 'bob connected to chat');
  assert.equal(wording.join('bob', 30), 'bob with age 30 connected to chat');
  assert.equal(wording.leave('bob'), 'bob left the chat');
});
