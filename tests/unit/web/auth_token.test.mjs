import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  cleanToken, isTokenRefusal, subprotocolsFor, takeTokenFromUrl, tokenExpiry, tokenProblem, tokenSubject,
} from '../../../web/core/auth_token.js';
import { unsignedToken } from './fakes.mjs';

test('a token is offered as a bearer.<token> subprotocol entry after parley.v1; none: parley.v1 alone', () => {
  assert.deepEqual(subprotocolsFor('a.b.c'), ['parley.v1', 'bearer.a.b.c']);
  assert.deepEqual(subprotocolsFor(''), ['parley.v1']);
});

test('exp and sub are read from the claims, whatever the base64url padding', () => {
  for (const sub of ['al', 'ali', 'alic', 'Jürgen']) {
    const token = unsignedToken({ sub, exp: 1_800_000_000 });
    assert.equal(tokenSubject(token), sub);
    assert.equal(tokenExpiry(token), 1_800_000_000_000);
  }
  assert.equal(tokenExpiry(unsignedToken({ sub: 'a' })), null, 'no exp: never runs out');
});

test('a token that cannot be read has no expiry and no subject, and does not throw', () => {
  for (const token of ['', 'x', 'a.!!!.c', 'a.bnVsbA.c', `a.${Buffer.from('[1]').toString('base64url')}.c`]) {
    assert.equal(tokenExpiry(token), null, token);
    assert.equal(tokenSubject(token), '', token);
  }
});

test('only three base64url parts can be offered (anything else would make the browser throw)', () => {
  assert.equal(tokenProblem(unsignedToken({ sub: 'a' })), '');
  assert.equal(tokenProblem(''), 'Please enter a token.');
  for (const bad of ['abc', 'a.b', 'a b.c.d', 'a.b.c.d', 'a,b.c.d', 'a.b.c;']) assert.match(tokenProblem(bad), /not a token/, bad);
});

test('pasted text loses its spaces and a "Bearer " prefix', () => {
  assert.equal(cleanToken('  Bearer  a.b.c \n'), 'a.b.c');
  assert.equal(cleanToken(null), '');
});

test('the token is taken out of the page address, the rest kept', () => {
  assert.deepEqual(takeTokenFromUrl('http://h:9090/?token=a.b.c#room=dev'), { token: 'a.b.c', rest: 'http://h:9090/#room=dev' });
  assert.deepEqual(takeTokenFromUrl('http://h/?x=1&token=a.b.c'), { token: 'a.b.c', rest: 'http://h/?x=1' });
  assert.deepEqual(takeTokenFromUrl('http://h/#room=dev'), { token: '', rest: 'http://h/#room=dev' });
});

test('token refusals are told from other 1008 reasons', () => {
  assert.ok(isTokenRefusal('Invalid token: bad signature.'));
  assert.ok(isTokenRefusal('Authentication required: no token.'));
  assert.ok(!isTokenRefusal('Invalid username: must be 1 to 32 characters.'));
  assert.ok(!isTokenRefusal(''));
});
