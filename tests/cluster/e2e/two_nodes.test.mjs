// The web client on two nodes of one cluster (one Redis): a page on each node chats with the
// other, and both show one conversation in one order.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../../support/browser.mjs';
import { startParley } from '../../support/parley_server.mjs';
import { startRedis } from '../../support/redis_server.mjs';
import { chatEntry, chatLines, connect, openPage, say, screenshot, ui } from '../../support/web_page.mjs';

const redis = await startRedis();
const nodeArgs = (id) => ['--cluster-redis', redis.url, '--cluster-node-id', id, '--server-threads', '2'];
const suite = browserSuite(nodeArgs('node-a'));  // suite.server is node a
const nodeB = await startParley(nodeArgs('node-b'));
after(async () => {
  await nodeB.stop();
  await redis.stop();
});

test('pages on two nodes see each other join and chat in one order', async () => {
  const alice = suite.track(await openPage(suite.browser, suite.server));
  const bob = suite.track(await openPage(suite.browser, nodeB));
  await connect(alice, 'alice');
  await connect(bob, 'bob');
  await alice.locator('#messages > li.entry-join', { hasText: 'bob connected to chat' }).waitFor();
  // Presence spans the nodes: each page lists both.
  await alice.locator('#online-count', { hasText: /^2$/ }).waitFor();
  await bob.locator('#online-count', { hasText: /^2$/ }).waitFor();

  await say(alice, 'hello from node a');
  await chatEntry(bob, 'hello from node a').waitFor();
  await say(bob, 'hi from node b');
  await chatEntry(alice, 'hi from node b').waitFor();
  await say(alice, 'one order');
  await chatEntry(bob, 'one order').waitFor();
  await chatEntry(alice, 'one order').waitFor();

  const expected = [['alice', 'hello from node a'], ['bob', 'hi from node b'], ['alice', 'one order']];
  assert.deepEqual(await chatLines(alice), expected);
  assert.deepEqual(await chatLines(bob), expected);
  assert.equal(await ui(bob).message.isEnabled(), true);
  await screenshot(bob, 'cluster-two-nodes');
});
