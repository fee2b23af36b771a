// getStats() counters reach getMetrics() in every browser: Chromium keeps bytes and packets on the
// transport, Firefox keeps bytes on its candidate pairs and counts no packets at all, so there the
// data-channel messages stand in (src/metrics/stats_summary.cpp reads both). 1 MiB from A to B,
// then a metrics sweep or two.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

const MIB = 1 << 20;
const CHUNK = 16384;

test('after 1 MiB sent, bytesSent and bytesReceived are real on both peers', async ({ page, browserName }) => {
  await openHarness(page);
  const result = await page.evaluate(async ({ MIB, CHUNK }) => {
    const { connectPair, receive, sleep } = window.harness;
    const { a, b } = await connectPair({ metricsInterval: 200 }, { metricsInterval: 200 });
    const count = MIB / CHUNK;
    const arriving = receive(b, 'reliable', count, 30_000);
    for (let i = 0; i < count; i++) a.send(new Uint8Array(CHUNK), 'reliable');
    await arriving;
    // The counters trail the delivery by one sweep at most; wait for a sweep that has them.
    const t0 = performance.now();
    while (performance.now() - t0 < 5000 && !(a.getMetrics().bytesSent >= MIB && b.getMetrics().bytesReceived >= MIB)) {
      await sleep(100);
    }
    const [ma, mb] = [a.getMetrics(), b.getMetrics()];
    a.close();
    b.close();
    return { a: ma, b: mb };
  }, { MIB, CHUNK });
  const { a, b } = result;
  expect(a.bytesSent).toBeGreaterThanOrEqual(MIB);
  expect(b.bytesReceived).toBeGreaterThanOrEqual(MIB);
  expect(a.bytesReceived).toBeGreaterThan(0);  // SCTP acknowledgements, at least
  expect(a.candidateTypes.local).not.toBe('');
  expect(a.sources.roundTripTime).not.toBe('none');
  if (browserName === 'chromium') {
    expect(a.packetsSent).toBeGreaterThanOrEqual(MIB / 1300);  // at most ~1.2 KB of data per packet
    expect(b.packetsReceived).toBeGreaterThanOrEqual(MIB / 1300);
  } else {
    // Firefox counts no packets: messages instead, each at least one packet (64 sent here).
    expect(a.packetsSent).toBeGreaterThanOrEqual(MIB / CHUNK);
    expect(b.packetsReceived).toBeGreaterThanOrEqual(MIB / CHUNK);
  }
});
