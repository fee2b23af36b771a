// Session resume (README, "Session resume"): outages an ICE restart cannot repair end in a rebuilt
// RTCPeerConnection on which the session resumes with nothing lost or repeated; a far page that
// reloads is a new session, to which nothing of the old one is delivered.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';
import { relayPair } from './support/relay-pair.js';
import { startTurn } from './support/turn.js';

const COUNTED = ['control', 'reliable', 'file'];
// The issue's user: 25 messages a second on each channel, quick retries, enough of them for 45 s.
const POLICY = { reconnectBaseDelay: 250, reconnectMaxDelay: 2000, reconnectMaxAttempts: 30 };

test('a 45 s TURN outage: the connection is rebuilt and every message on control, reliable and file arrives once, in order', async ({ page }) => {
  test.setTimeout(180_000);
  const turn = await startTurn();
  try {
    await openHarness(page);
    await relayPair(page, turn.iceServer, POLICY);
    await page.evaluate((types) => {
      window.streams = types.map((type) => window.harness.numberedStream(window.a, window.b, 40, type));
      window.errors = [];
      window.channelEvents = [];
      for (const [name, peer] of [['a', window.a], ['b', window.b]]) {
        peer.on('error', ({ type, error }) => window.errors.push(`${name} ${type}: ${error.message}`));
        for (const ev of ['channel-close', 'channel-open']) peer.on(ev, ({ type }) => window.channelEvents.push(`${name} ${ev} ${type}`));
      }
    }, COUNTED);
    await page.waitForTimeout(1000);
    await turn.stop();
    await page.evaluate(() => { window.killedAt = performance.now(); });
    await page.waitForTimeout(45_000);
    await turn.restart();
    await page.evaluate(() => { window.backAt = performance.now(); });
    // Connected again, with the channels: -1 if not within 30 s.
    const reconnected = await page.evaluate(() => new Promise((resolve) => {
      const up = (p) => p.getState() === 'connected';
      const since = () => performance.now() - window.backAt;
      const tick = () => (up(window.a) && up(window.b) ? resolve(since()) : since() > 30_000 ? resolve(-1) : setTimeout(tick, 20));
      tick();
    }));
    await page.waitForTimeout(2000);
    const result = await page.evaluate(async () => ({
      streams: await Promise.all(window.streams.map((s) => s.stop())),
      log: window.log, errors: window.errors, channelEvents: window.channelEvents,
      killedAt: window.killedAt, backAt: window.backAt,
    }));
    const a = result.log.filter((e) => e.peer === 'a');
    const renegotiations = a.filter((e) => e.ev === 'renegotiation-needed').length;
    console.log(`reconnected ${Math.round(reconnected)} ms after TURN came back; ${renegotiations} offers; ` +
      `sent ${result.streams.map((s) => s.sent).join('/')} on ${COUNTED.join('/')}`);
    console.log(a.map((e) => `${Math.round(e.t - result.killedAt)} ${e.ev}${e.state ? `:${e.state}` : ''}`).join(', '));
    expect(reconnected, 'connected again within a few seconds of TURN coming back').toBeGreaterThanOrEqual(0);
    expect(reconnected).toBeLessThan(10_000);
    // The channels went (the browser's, or the rebuild's) and came back on the new connection.
    expect(result.channelEvents).toContain('a channel-close reliable');
    expect(result.channelEvents.at(-1)).toMatch(/channel-open/);
    expect(result.errors).toEqual([]);
    COUNTED.forEach((type, i) => {
      const { sent, got } = result.streams[i];
      expect(sent, type).toBeGreaterThan(1000);  // 25 a second for ~50 s
      // Exactly once, in order: 0, 1, 2, ... sent-1 (the sequence, not only the count).
      expect(got.length, type).toBe(sent);
      expect(got.findIndex((v, k) => v !== k), `${type}: first message out of sequence`).toBe(-1);
    });
    await page.evaluate(() => { window.a.close(); window.b.close(); });
  } finally {
    await turn.stop();
  }
});

test('the far page reloads: the old session\'s undelivered messages are reported with counts, none reaches the new session, which works', async ({ context }) => {
  test.setTimeout(90_000);
  const pageA = await context.newPage();
  const pageB = await context.newPage();
  await openHarness(pageA);
  await openHarness(pageB);
  // Signaling carried by the test. While page B reloads its new peer does not exist yet: what
  // page A sends waits for it (the library holds candidates until the offer is applied).
  let bReady = Promise.resolve();
  const failures = [];
  await pageA.exposeFunction('toB', async (kind, payload) => {
    await bReady;
    try {
      if (kind === 'candidate') await pageB.evaluate((c) => window.peer.addIceCandidate(c), payload);
      if (kind === 'offer') {
        const answer = await pageB.evaluate((o) => window.peer.createAnswer(o), payload);
        await pageA.evaluate((x) => window.peer.setRemoteAnswer(x), answer);
      }
    } catch (e) {
      failures.push(`${kind}: ${e.message}`);
    }
  });
  await pageB.exposeFunction('toA', (c) => pageA.evaluate((x) => window.peer.addIceCandidate(x), c).catch(() => {}));
  const setupB = () => {
    window.peer = new window.wre.WebRTCPeerEnhanced({ peerId: 'b' });
    window.peer.on('ice-candidate', ({ candidate }) => window.toA(candidate));
    window.got = window.harness.numberedReceiver(window.peer);
  };
  await pageB.evaluate(setupB);
  await pageA.evaluate(async (policy) => {
    window.peer = new window.wre.WebRTCPeerEnhanced({ peerId: 'a', ...policy });
    window.peer.on('ice-candidate', ({ candidate }) => window.toB('candidate', candidate));
    window.peer.on('renegotiation-needed', ({ offer }) => window.toB('offer', offer));
    window.errors = [];
    window.peer.on('error', ({ type, error }) => window.errors.push({ type, message: error.message }));
    const offer = await window.peer.createOffer();
    window.toB('offer', offer);
    await window.harness.connected(window.peer, 20000);
    await window.harness.sleep(300);  // hellos and session ids exchanged
    window.sender = window.harness.numberedSender(window.peer, 20);
    // The sequence number at each reconnection attempt: every attempt after the channels closed
    // rebuilds, and what was sent before the rebuild is the old session's.
    window.attemptSeqs = [];
    window.peer.on('reconnect-attempt', () => window.attemptSeqs.push(window.sender.sent()));
  }, POLICY);
  await pageA.waitForTimeout(2000);
  const gotBeforeReload = await pageB.evaluate(() => window.got.length);
  expect(gotBeforeReload).toBeGreaterThan(50);

  bReady = (async () => {
    await pageB.reload();
    await pageB.waitForFunction(() => window.harnessReady === true, null, { timeout: 15000 });
    await pageB.evaluate(setupB);
  })();
  await bReady;
  await expect.poll(() => pageA.evaluate(() => window.peer.getState()), { timeout: 30_000 }).toBe('connected');
  await pageB.evaluate(() => window.harness.connected(window.peer, 20000));
  await pageA.waitForTimeout(2000);
  const sent = await pageA.evaluate(() => window.sender.stop());
  await expect.poll(() => pageB.evaluate(() => window.got.at(-1)), { timeout: 10_000 }).toBe(sent - 1);
  const a = await pageA.evaluate(() => ({ errors: window.errors, attemptSeqs: window.attemptSeqs }));
  const got = await pageB.evaluate(() => window.got);
  console.log(`B had ${gotBeforeReload} before the reload; A's attempts at ${a.attemptSeqs}; the new session got ` +
    `${got[0]}..${got.at(-1)}; A: ${a.errors.map((e) => e.message).join(' | ')}`);
  expect(failures).toEqual([]);
  // The old session's end, reported with counts.
  const ended = a.errors.filter((e) => /new session/.test(e.message));
  expect(ended).toHaveLength(1);
  expect(ended[0].type).toBe('send');
  const [, unconfirmed, queued] = ended[0].message.match(/(\d+) sent messages \(\d+ bytes\).* (\d+) messages \(\d+ bytes\) queued/);
  expect(Number(unconfirmed) + Number(queued)).toBeGreaterThan(0);
  expect(Number(unconfirmed) + Number(queued)).toBeLessThanOrEqual(got[0]);
  // The new session got what was sent from the rebuild that reached it on, every message once, in
  // order; nothing sent before it (the old session's) was delivered to it.
  expect(a.attemptSeqs).toContain(got[0]);
  expect(got.findIndex((v, k) => v !== got[0] + k)).toBe(-1);
  expect(got.at(-1)).toBe(sent - 1);
  // And it works both ways.
  await pageA.evaluate(() => {
    window.back = window.harness.receive(window.peer, 'control', 1).then(([d]) => new TextDecoder().decode(d));
  });
  await pageB.evaluate(() => window.peer.send('hello from the new session', 'control'));
  expect(await pageA.evaluate(() => window.back)).toBe('hello from the new session');
  await pageA.evaluate(() => window.peer.close());
  await pageB.evaluate(() => window.peer.close());
});
