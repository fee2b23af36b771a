// A peer in each of two pages; the test process carries all signaling between them.
import { test, expect } from '@playwright/test';
import { openHarness } from './support/harness-page.js';

test('peers in two pages connect through signaling carried by the test', async ({ context }) => {
  const pageA = await context.newPage();
  const pageB = await context.newPage();
  await openHarness(pageA);
  await openHarness(pageB);
  // Candidates cross as JSON through the test, in both directions.
  await pageA.exposeFunction('toOther', (c) => pageB.evaluate((x) => window.peer.addIceCandidate(x), c));
  await pageB.exposeFunction('toOther', (c) => pageA.evaluate((x) => window.peer.addIceCandidate(x), c));
  const setup = (id) => {
    window.peer = new window.wre.WebRTCPeerEnhanced({ peerId: id });
    window.peer.on('ice-candidate', ({ candidate }) => window.toOther(candidate));
    window.received = [];
    window.peer.on('message', (m) => window.received.push({ type: m.type, text: new TextDecoder().decode(m.data) }));
  };
  await pageA.evaluate(setup, 'page-a');
  await pageB.evaluate(setup, 'page-b');

  const offer = await pageA.evaluate(() => window.peer.createOffer());
  expect(offer.type).toBe('offer');
  const answer = await pageB.evaluate((o) => window.peer.createAnswer(o), offer);
  expect(answer.type).toBe('answer');
  await pageA.evaluate((a) => window.peer.setRemoteAnswer(a), answer);

  const waitConnected = () => window.harness.connected(window.peer, 20000);
  await Promise.all([pageA.evaluate(waitConnected), pageB.evaluate(waitConnected)]);

  await pageA.evaluate(() => {
    for (const type of ['control', 'reliable', 'unreliable', 'file']) window.peer.send(`from a on ${type}`, type);
  });
  await pageB.evaluate(() => window.peer.send('from b', 'reliable'));
  await expect.poll(() => pageB.evaluate(() => window.received.length)).toBe(4);
  await expect.poll(() => pageA.evaluate(() => window.received)).toEqual([{ type: 'reliable', text: 'from b' }]);
  const receivedAtB = await pageB.evaluate(() => window.received.map((m) => `${m.type}:${m.text}`).sort());
  expect(receivedAtB).toEqual(['control:from a on control', 'file:from a on file', 'reliable:from a on reliable',
    'unreliable:from a on unreliable']);

  await pageB.evaluate(() => { window.closedAtB = window.harness.waitFor(window.peer, 'closed', () => true, 5000); });
  await pageA.evaluate(() => window.peer.close());
  expect(await pageA.evaluate(() => window.peer.getState())).toBe('closed');
  // The far side learns of it from the close's `bye` on `wre`, not seconds later from the browser.
  expect(await pageB.evaluate(() => window.closedAtB)).toEqual({ reason: 'remote-closed' });
  expect(await pageB.evaluate(() => window.peer.getState())).toBe('closed');
});
