// The web client on a server with authentication on (auth.jwt_secret): the page offers its token
// beside parley.v1 (a browser cannot send an Authorization header), says clearly when the server
// refuses it or it runs out (close 1008 / 4001) without reconnecting in a loop, and renews it
// with `refresh`. Tokens are signed here with node:crypto, independently of the server's OpenSSL.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { browserSuite } from '../support/browser.mjs';
import { V1Peer, v1Peer } from '../support/v1_peer.mjs';
import { chatEntry, openPage, say, screenshot, ui, waitStatus } from '../support/web_page.mjs';

const SECRET = 'e2e-secret-0123456789';
const suite = browserSuite(['--auth-jwt-secret', SECRET]);

const part = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function hs256(claims, secret = SECRET) {
  const signed = `${part({ alg: 'HS256', typ: 'JWT' })}.${part(claims)}`;
  return `${signed}.${createHmac('sha256', secret).update(signed).digest('base64url')}`;
}
// A token for `sub` that runs out `lifetimeS` seconds from now (exp is in whole seconds).
const tokenFor = (sub, lifetimeS = 3600) => hs256({ sub, exp: Math.floor(Date.now() / 1000) + lifetimeS });

// A page that counts the WebSockets it opens and keeps the subprotocols each offered.
async function countingPage(options = {}) {
  const page = suite.track(await openPage(suite.browser, suite.server, options));
  page.sockets = [];
  page.on('websocket', (ws) => page.sockets.push(ws));
  return page;
}

// The client has stopped: no connection, no reconnect waiting (the Connect button is back).
async function assertStopped(page) {
  await page.locator('html[data-state="idle"]').waitFor();
  assert.equal(await ui(page).connect.isEnabled(), true);
}

const note = (page, text) => page.locator('#messages > li', { hasText: text });

test('a token in the page address: the name is filled in, the token leaves the address, and the page chats with another client', async () => {
  const token = tokenFor('alice');
  const page = await countingPage({ search: `?token=${token}`, hash: '#room=lobby' });
  assert.equal(await ui(page).name.inputValue(), 'alice', 'the name is the token\'s sub');
  assert.doesNotMatch(page.url(), /token/, 'not left in the address bar or the history');
  assert.match(page.url(), /#room=lobby$/);
  // The handshake as Chromium sent and received it: the token offered beside parley.v1, and
  // parley.v1 chosen (a server answering none of them, or the token, would fail the connection).
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  const handshake = {};
  cdp.on('Network.webSocketWillSendHandshakeRequest', (e) => { handshake.request = e.request.headers; });
  cdp.on('Network.webSocketHandshakeResponseReceived', (e) => { handshake.response = e.response.headers; });
  await ui(page).connect.click();
  await waitStatus(page, 'Connected as alice.');
  const header = (headers, name) => Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1];
  assert.equal(header(handshake.request, 'sec-websocket-protocol'), `parley.v1, bearer.${token}`);
  assert.equal(header(handshake.response, 'sec-websocket-protocol'), 'parley.v1');
  assert.doesNotMatch(page.sockets[0].url(), /token/, 'not in the chat URL, which proxies log');

  const bob = suite.track(await v1Peer(suite.server, 'bob', 'lobby', { token: tokenFor('bob') }));
  await say(page, 'hello bob');
  await bob.waitFor((e) => e.type === 'message' && e.from === 'alice' && e.text === 'hello bob', 'alice\'s message');
  await bob.say('hello alice');
  await chatEntry(page, 'hello alice').waitFor();
  assert.equal(page.sockets.length, 1);

  // A reload of the tab keeps the token (sessionStorage), not the address.
  await ui(page).disconnect.click();
  await waitStatus(page, 'Disconnected.');
  await page.reload();
  assert.equal(await ui(page).token.inputValue(), token);
  await ui(page).connect.click();
  await waitStatus(page, 'Connected as alice.');
});

test('no token, then an invalid one: the page says why, asks for a token and does not retry; a valid one connects', async () => {
  const page = await countingPage();
  assert.equal(await ui(page).token.isVisible(), false, 'no token field until one is needed');
  await ui(page).name.fill('carol');
  await ui(page).connect.click();
  await waitStatus(page, 'This server needs a token: enter yours to connect.');
  await assertStopped(page);
  assert.equal(await ui(page).token.evaluate((el) => el === document.activeElement), true, 'the cursor is in the token field');

  await ui(page).token.fill(hs256({ sub: 'carol' }, 'another-secret'));
  await ui(page).connect.click();
  await waitStatus(page, 'Your token was refused: Invalid token: bad signature.');
  await assertStopped(page);
  assert.equal(await ui(page).token.getAttribute('aria-invalid'), 'true');
  await screenshot(page, 'auth-token-refused');
  assert.equal(page.sockets.length, 2, 'one connection per Connect, no retries');

  await ui(page).token.fill('not a token');
  await ui(page).connect.click();
  await waitStatus(page, 'That is not a token');
  assert.equal(page.sockets.length, 2, 'not sent to the server');

  await ui(page).token.fill(tokenFor('carol'));
  await ui(page).connect.click();
  await waitStatus(page, 'Connected as carol.');
  assert.equal(page.sockets.length, 3);
});

test('a token that runs out: a warning, then the 4001 message and no reconnect; a new token resumes without loss', async () => {
  const page = await countingPage();
  await ui(page).name.fill('dan');
  await page.evaluate((token) => window.parley.setToken(token), tokenFor('dan', 3));
  await ui(page).connect.click();
  await waitStatus(page, 'Connected as dan.');
  await note(page, /Your token expires in \d+ s: enter a new one to stay connected\./).waitFor();
  const erin = suite.track(await v1Peer(suite.server, 'erin', 'lobby', { token: tokenFor('erin') }));

  await waitStatus(page, 'Your token has expired: enter a new one to continue.');
  await erin.waitFor((e) => e.type === 'leave' && e.user === 'dan', 'dan leaving');
  await assertStopped(page);
  assert.equal(page.sockets.length, 1, 'no reconnect with the dead token');
  assert.equal(await ui(page).token.evaluate((el) => el === document.activeElement), true);
  await screenshot(page, 'auth-token-expired');

  await erin.say('while dan was away');
  await page.evaluate((token) => window.parley.setToken(token), tokenFor('dan'));
  await waitStatus(page, 'Connected as dan.');
  await chatEntry(page, 'while dan was away').waitFor();
  assert.equal(page.sockets.length, 2);
});

test('a new token entered before the old one runs out is sent in a refresh: the connection stays', async () => {
  const page = await countingPage();
  await ui(page).name.fill('fay');
  const lifetime = 4;
  const shortToken = tokenFor('fay', lifetime);
  await ui(page).haveToken.click();
  await ui(page).token.fill(shortToken);
  await ui(page).connect.click();
  await waitStatus(page, 'Connected as fay.');
  // Another connection whose token runs out at the same second as the page's first one.
  const exp = JSON.parse(Buffer.from(shortToken.split('.')[1], 'base64url')).exp;
  const witness = suite.track(new V1Peer(suite.server, 'gus', 'lobby', { token: hs256({ sub: 'gus', exp }) }));
  await witness.joined();

  await ui(page).token.fill(tokenFor('fay'));
  await ui(page).useToken.click();
  await note(page, /^Token renewed: valid until /).waitFor();
  await screenshot(page, 'auth-token-renewed');

  // Once the old token's second has come and gone for the witness, it has for the page too.
  assert.deepEqual(await witness.closed(), { code: 4001, reason: 'Token expired.' });
  const hal = suite.track(await v1Peer(suite.server, 'hal', 'lobby', { token: tokenFor('hal') }));
  await hal.say('still there, fay?');
  await chatEntry(page, 'still there, fay?').waitFor();
  assert.equal(await ui(page).status.textContent(), 'Connected as fay.');
  assert.equal(await note(page, 'Token expired').count(), 0);
  assert.equal(page.sockets.length, 1, 'the same connection throughout');
});
