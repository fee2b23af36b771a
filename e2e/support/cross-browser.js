// One library peer in Chromium and one in Firefox, paired through the demo's signaling room server
// (toolchain/signal-rooms.js, served with the pages). The spec runs in either project: the project's
// browser (`page`) joins the room first and offers; the other browser is launched here.
//
// The specs make the pair relay-only through a local coturn: one path, the same on every machine
// (host candidates are mDNS names that may not resolve across browsers), which a test can cut.
import { randomBytes } from 'node:crypto';
import { chromium, firefox } from '@playwright/test';
import { chromiumLaunch, firefoxUse } from '../../playwright.config.js';
import { openHarness } from './harness-page.js';

export async function launchOtherBrowser(browserName) {
  return browserName === 'firefox'
    ? chromium.launch(chromiumLaunch)
    : firefox.launch({ ...firefoxUse.launchOptions, channel: firefoxUse.channel });
}

export const roomUrl = (baseURL) => `${baseURL.replace(/^http/, 'ws')}rooms/x-${randomBytes(6).toString('hex')}`;

// Opens the harness in both pages and connects window.peer of `first` (offerer) with that of
// `second` through a fresh room. `config` goes to both peers. Returns each page's uncaught errors
// (live lists, as openHarness gives them).
export async function pairAcross(first, second, baseURL, config) {
  const errors = await Promise.all([openHarness(first), openHarness(second)]);
  const url = roomUrl(baseURL);
  for (const [page, peerId] of [[first, 'first'], [second, 'second']]) {
    await page.evaluate(async ({ url, config }) => {
      window.room = await window.harness.joinRoom(url, config);
      window.peer = window.room.peer;
      window.connectedOnce = window.harness.connected(window.peer, 30_000);
    }, { url, config: { ...config, peerId } });
    // The first member must be in the room before the second joins: it is the offerer.
    if (page === first) await page.waitForFunction(() => window.room.signaling.id !== null, null, { timeout: 10_000 });
  }
  await Promise.all([first, second].map((page) => page.evaluate(async () => {
    await window.connectedOnce;
    if (window.room.failures.length) throw new Error(window.room.failures.join('; '));
  })));
  return errors;
}
