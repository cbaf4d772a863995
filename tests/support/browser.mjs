// Debian's Chromium, headless, driven by playwright-core, next to a real parley server: what every
// browser end-to-end test file starts in `before` and stops in `after`.
import assert from 'node:assert/strict';
import path from 'node:path';
import { after, afterEach, before } from 'node:test';
import { createRequire } from 'node:module';
import { startParley } from './parley_server.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

// The flags this machine kind needs (its network is closed; Chromium runs as root).
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// PARLEY_E2E_WEB_ROOT=web serves the client from disk (--web-root) instead of the embedded copy,
// for iterating on web/ without rebuilding. `serverArgs`: more parley flags; `browserArgs`: more
// Chromium flags (--ignore-certificate-errors for a server with a throwaway certificate).
export async function startServerAndBrowser(serverArgs = [], { browserArgs = [] } = {}) {
  const args = process.env.PARLEY_E2E_WEB_ROOT
    ? ['--web-root', path.resolve(process.env.PARLEY_E2E_WEB_ROOT), ...serverArgs] : serverArgs;
  const server = await startParley(args);
  const browser = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: [...CHROMIUM_FLAGS, ...browserArgs],
  });
  return { server, browser };
}

// Registers the hooks a test file of pages needs and returns what they hold: `server` and
// `browser` for the whole file; after each test, everything passed to `track` (pages, peers) is
// closed and the tracked pages' uncaught errors fail the test.
export function browserSuite(serverArgs = [], { browserArgs = [] } = {}) {
  const tracked = [];
  const suite = {
    server: null,
    browser: null,
    track(item) {
      tracked.push(item);
      return item;
    },
  };
  before(async () => {
    ({ server: suite.server, browser: suite.browser } = await startServerAndBrowser(serverArgs, { browserArgs }));
  });
  after(async () => {
    await suite.browser?.close();
    await suite.server?.stop();
  });
  afterEach(async () => {
    const items = tracked.splice(0);
    const errors = items.filter((c) => c.context).flatMap((page) => page.errors);
    await Promise.all(items.map((c) => (c.context ? c.context().close() : c.close())));
    assert.deepEqual(errors, [], 'uncaught errors in the page');
  });
  return suite;
}
