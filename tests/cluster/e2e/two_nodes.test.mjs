// The web client on two nodes of one cluster (one Redis): a page on each node chats with the
// other, and both show one conversation in one order; then the same through nginx
// (deploy/nginx/parley.conf) in front of both nodes, with a Node `ws` client in the room too.
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { browserSuite } from '../../support/browser.mjs';
import { startNginx } from '../../support/nginx_server.mjs';
import { startParley } from '../../support/parley_server.mjs';
import { startRedis } from '../../support/redis_server.mjs';
import { v1Peer } from '../../support/v1_peer.mjs';
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

// Which node accepted `name`'s WebSocket, from the nodes' access logs.
async function nodeOf(name, nodes) {
  const upgrade = new RegExp(`upgrade remote=\\S+ path=/chat/${name}\\S* status=101`);
  const found = await Promise.race(nodes.map((node) => node.waitForLine(upgrade, 10_000).then((m) => m && node)));
  assert.ok(found, `no node logged ${name}'s upgrade`);
  assert.equal(nodes.filter((node) => node.lines.some((line) => upgrade.test(line))).length, 1);
  return found;
}

test('through nginx: pages land on both nodes and chat, and a Node ws client sees the same', async () => {
  const nginx = await startNginx([suite.server, nodeB]);
  try {
    const room = 'via-nginx';
    const erin = suite.track(await openPage(suite.browser, nginx, { hash: `#room=${room}` }));
    await connect(erin, 'erin');
    const frank = suite.track(await openPage(suite.browser, nginx, { hash: `#room=${room}` }));
    await connect(frank, 'frank');
    const nodes = [suite.server, nodeB];
    assert.notEqual(await nodeOf('erin', nodes), await nodeOf('frank', nodes), 'least_conn: one page on each node');
    const carol = suite.track(await v1Peer(nginx, 'carol', room));

    await say(erin, 'erin via nginx');
    await chatEntry(frank, 'erin via nginx').waitFor();
    await say(frank, 'frank via nginx');
    await chatEntry(erin, 'frank via nginx').waitFor();
    const said = await carol.waitFor((e) => e.type === 'message' && e.text === 'frank via nginx', 'frank\'s message');

    const messages = carol.events.filter((e) => e.type === 'message');
    assert.deepEqual(messages.map((e) => [e.from, e.text]), [['erin', 'erin via nginx'], ['frank', 'frank via nginx']]);
    assert.ok(messages[0].id < said.id, 'ids in the order the room said them');
    const expected = [['erin', 'erin via nginx'], ['frank', 'frank via nginx']];
    assert.deepEqual(await chatLines(erin), expected);
    assert.deepEqual(await chatLines(frank), expected);
  } finally {
    await nginx.stop();
  }
});
