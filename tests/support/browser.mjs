// Debian's Chromium, headless, driven by playwright-core, next to a real parley server: what every
// browser end-to-end test file starts in `before` and stops in `after`.
import path from 'node:path';
import { createRequire } from 'node:module';
import { startParley } from './parley_server.mjs';

const require = createRequire(import.meta.url);
const { chromium } = require('playwright-core');

// The flags this machine kind needs (its network is closed; Chromium runs as root).
const CHROMIUM_FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

// PARLEY_E2E_WEB_ROOT=web serves the client from disk (--web-root) instead of the embedded copy,
// for iterating on web/ without rebuilding. `serverArgs`: more parley flags.
export async function startServerAndBrowser(serverArgs = []) {
  const args = process.env.PARLEY_E2E_WEB_ROOT
    ? ['--web-root', path.resolve(process.env.PARLEY_E2E_WEB_ROOT), ...serverArgs] : serverArgs;
  const server = await startParley(args);
  const browser = await chromium.launch({
    executablePath: process.env.PARLEY_CHROMIUM || '/usr/bin/chromium',
    headless: true,
    args: CHROMIUM_FLAGS,
  });
  return { server, browser };
}
