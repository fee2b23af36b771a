// Reconnection through a real outage: two relay-only peers through a real coturn on 127.0.0.1.
// Killing coturn cuts the path; the peers restart ICE by themselves (the test only carries the
// renegotiation offer/answer), and nothing sent before, during or after is lost or duplicated.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { relayPair } from './support/relay-pair.js';
import { startTurn } from './support/turn.js';

let turn;
test.beforeEach(async () => {
  turn = await startTurn();
});
test.afterEach(async () => {
  await turn?.stop();
});

test('a TURN outage of 8 s: the peers reconnect by themselves and every message arrives exactly once, in order', async ({ page }) => {
  test.setTimeout(150_000);
  await openHarness(page);
  await relayPair(page, turn.iceServer);
  // Send a numbered message every 50 ms from a to b on `reliable`, for the whole test.
  await page.evaluate(() => { window.stream = window.harness.numberedStream(window.a, window.b, 50); });
  await page.waitForTimeout(1000);
  await turn.stop();
  await page.evaluate(() => { window.killedAt = performance.now(); });
  await page.waitForTimeout(8000);
  await turn.restart();
  await page.evaluate(() => { window.backAt = performance.now(); });
  // -1: not within 60 s (the events below then say where it stuck).
  const reconnected = await page.evaluate(() => new Promise((resolve) => {
    const done = () => window.a.getState() === 'connected' && window.b.getState() === 'connected';
    const since = () => performance.now() - window.backAt;
    const tick = () => (done() ? resolve(since()) : since() > 60_000 ? resolve(-1) : setTimeout(tick, 20));
    tick();
  }));
  await page.waitForTimeout(1000);
  const result = await page.evaluate(async () => ({
    ...(await window.stream.stop()), log: window.log, killedAt: window.killedAt, backAt: window.backAt,
  }));
  console.log(`reconnected ${Math.round(reconnected)} ms after TURN came back; ${result.sent} messages sent`);
  const events = result.log.filter((e) => e.peer === 'a').map((e) => `${e.ev}${e.state ? `:${e.state}` : ''}`);
  console.log(events.join(', '));
  console.log(`b: ${result.log.filter((e) => e.peer === 'b').map((e) => `${e.ev}${e.state ? `:${e.state}` : ''}`).join(', ')}`);
  expect(reconnected, 'reconnected within 60 s of TURN coming back').toBeGreaterThanOrEqual(0);
  // The outage really happened and was repaired (an ICE restart, or in Firefox, which closes the
  // channels when ICE fails, a rebuilt connection: both are offered through renegotiation-needed).
  expect(events).toContain('state-change:disconnected');
  expect(events).toContain('renegotiation-needed');
  expect(events.at(-1)).toBe('state-change:connected');
  expect(result.sent).toBeGreaterThan(150);
  // Exactly once, in order: 0, 1, 2, ... sent-1.
  expect(result.got.length).toBe(result.sent);
  expect(result.got.every((v, i) => v === i)).toBe(true);
  await page.evaluate(() => { window.a.close(); window.b.close(); });
});

test('TURN never comes back: reconnect-failed after the configured attempts, in the expected window', async ({ page }) => {
  test.setTimeout(90_000);
  await openHarness(page);
  const policy = { reconnectBaseDelay: 300, reconnectMaxDelay: 1000, reconnectJitter: 100, reconnectMaxAttempts: 3 };
  await relayPair(page, turn.iceServer, policy);
  await turn.stop();
  const result = await page.evaluate(() => new Promise((resolve) => {
    // reconnect-failed comes first, then the state-change to failed.
    window.a.on('reconnect-failed', ({ attempts }) => setTimeout(() => resolve({ attempts, log: window.log, state: window.a.getState() }), 0));
  }));
  const a = result.log.filter((e) => e.peer === 'a');
  const lost = a.find((e) => e.ev === 'state-change' && ['disconnected', 'failed'].includes(e.state));
  const failed = a.find((e) => e.ev === 'reconnect-failed');
  const attempts = a.filter((e) => e.ev === 'reconnect-attempt').map((e) => e.attempt);
  const elapsed = failed.t - lost.t;
  console.log(`reconnect-failed ${Math.round(elapsed)} ms after the link was lost; attempts ${attempts}`);
  expect(result.attempts).toBe(3);
  expect(attempts).toEqual([1, 2, 3]);
  expect(result.state).toBe('failed');
  // Slots 300-400 + 600-700 + 1000-1100 ms, then the last attempt's 1000 ms window; plus at most the
  // 1.5 s grace when the browser says `disconnected` first (and some scheduling slack).
  expect(elapsed).toBeGreaterThanOrEqual(2900);
  expect(elapsed).toBeLessThan(4700 + 1000);
  await page.evaluate(() => { window.a.close(); window.b.close(); });
});
