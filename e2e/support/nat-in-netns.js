// Runs detectNATType() in a browser inside a NAT lab namespace, for e2e/nat.spec.js:
//   ip netns exec <private namespace> node nat-in-netns.js '{"use": {...}, "url": ..., "servers": [...]}'
// (lab.node() does this). Playwright cannot drive a browser in another namespace from outside:
// Firefox's WebDriver BiDi socket listens on that namespace's own loopback. So this client runs
// next to the browser, launched with the project's `use` (browserName, channel, launchOptions), and
// prints one JSON line: { result, ms, error, pcs, pageErrors }.
import * as playwright from '@playwright/test';
import { connections, detect, watchPeerConnections } from './nat-page.js';

const { use, url, servers } = JSON.parse(process.argv[2]);
const browser = await playwright[use.browserName].launch({
  ...(use.channel ? { channel: use.channel } : {}),
  ...use.launchOptions,
});
try {
  const page = await browser.newPage();
  const pageErrors = [];
  page.on('pageerror', (e) => pageErrors.push(String(e)));
  await page.goto(url);
  await page.waitForFunction(() => window.harnessReady === true, null, { timeout: 15_000 });
  await watchPeerConnections(page);
  const out = await detect(page, servers);
  process.stdout.write(`${JSON.stringify({ ...out, pcs: await connections(page), pageErrors })}\n`);
} finally {
  await browser.close();
}
