// Resource hygiene: many create/connect/close cycles leave no growth in the WASM heap and no
// live RTCPeerConnection behind; a peer the app forgets is reclaimed.
import { test, expect } from '@playwright/test';
import { garbageCollector, openHarness } from './support/harness-page.js';

test('200 create/connect/close cycles leave no WASM heap growth and no live connections', async ({ page }) => {
  test.setTimeout(180_000);
  await openHarness(page);
  const result = await page.evaluate(async () => {
    const live = new Set();
    const Original = globalThis.RTCPeerConnection;
    globalThis.RTCPeerConnection = class extends Original {
      constructor(...args) { super(...args); live.add(this); }
    };
    const { connectPair, receive } = window.harness;
    const cycle = async () => {
      const { a, b } = await connectPair();
      const got = receive(b, 'reliable', 1);
      a.send('ping');
      await got;
      a.close();
      b.close();
    };
    for (let i = 0; i < 20; i++) await cycle();  // warm-up: allocator pools, embind type tables
    const heapBefore = window.wre.heapUsed();
    for (let i = 0; i < 200; i++) await cycle();
    const heapAfter = window.wre.heapUsed();
    const open = [...live].filter((pc) => pc.signalingState !== 'closed').length;
    globalThis.RTCPeerConnection = Original;
    return { heapBefore, heapAfter, made: live.size, open };
  });
  console.log(`heap before ${result.heapBefore} B, after 200 cycles ${result.heapAfter} B; ${result.made} connections made`);
  expect(result.made).toBe(440);
  expect(result.open).toBe(0);
  // A leak of even one small object per peer (400 peers) would pass this bound.
  expect(result.heapAfter - result.heapBefore).toBeLessThan(4096);
});

test('a peer the app forgets is closed and its core freed by the garbage collector', async ({ page, browserName }) => {
  await openHarness(page);
  const heapBefore = await page.evaluate(() => window.wre.heapUsed());
  await page.evaluate(async () => {
    const Original = globalThis.RTCPeerConnection;
    window.forgotten = [];
    globalThis.RTCPeerConnection = class extends Original {
      constructor(...args) { super(...args); window.forgotten.push(new WeakRef(this)); }
    };
    for (let i = 0; i < 20; i++) new window.wre.WebRTCPeerEnhanced({ peerId: `forgotten-${i}` });
    globalThis.RTCPeerConnection = Original;
  });
  const heapWithPeers = await page.evaluate(() => window.wre.heapUsed());
  expect(heapWithPeers).toBeGreaterThan(heapBefore);
  // Collect garbage until the registry has run.
  const collect = await garbageCollector(page, browserName);
  await expect.poll(async () => {
    await collect();
    return page.evaluate(() => window.wre.heapUsed());
  }, { timeout: 20000 }).toBeLessThanOrEqual(heapBefore + 256);
  const closed = await page.evaluate(() => window.forgotten.map((r) => r.deref()?.signalingState ?? 'collected'));
  expect(closed.every((s) => s === 'closed' || s === 'collected')).toBe(true);
});
